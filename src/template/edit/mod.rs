//! A plan as edits of the templates it was computed from: `fix --template`.
//!
//! Each step becomes a change of the text — a property set (`MultiAZ: true`), a list item
//! added or removed (an ingress rule), a resource added (a scale-in alarm) — made on lines,
//! so that every untouched line, comments included, stays byte for byte. A step the editor
//! cannot write (a new launch-template version, a manual step) is returned with the reason,
//! never dropped silently; two steps on one line keep the first.

mod properties;
mod writer;

use std::collections::HashMap;
use std::path::PathBuf;

use super::yaml::{self, Node, Spanned};
use crate::change::NotWritten;
use crate::change::{Action, Declared, IacEdit, IacValue, REF_PREFIX, Safety};
use crate::inventory::{
    ClassicLoadBalancer, Index, Instance, LoadBalancer, RecordSet, Resource, SecurityGroup, SgRule,
    Source,
};
use crate::plan::Plan;
use properties::{declared_type, map_key, property};
use writer::*;

/// One template's text before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct FileChange {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Default)]
pub struct TemplateFix {
    pub changes: Vec<FileChange>,
    /// `step: why it was not written`.
    pub not_written: Vec<String>,
}

/// The resources a plan's steps add, by step key: (template, logical id).
type Created = HashMap<String, (String, String)>;

/// Computes the edits of `plan` on the templates the index's inventory was read from.
pub fn plan_edits(plan: &Plan, index: &Index) -> TemplateFix {
    let mut fix = TemplateFix::default();
    let mut drafts: HashMap<String, Draft> = HashMap::new();
    // What a step creates, by its `ref:`: the new resource's template and logical id.
    let mut created = Created::new();
    for step in &plan.steps {
        if step.safety == Safety::Manual {
            continue;
        }
        let result = edit_step(&step.action, &step.region, index, &mut drafts, &mut created);
        match result {
            Ok(()) => {}
            Err(reason) => fix.not_written.push(format!("{}: {reason}", step.id)),
        }
    }
    let mut files: Vec<_> = drafts.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, draft) in files {
        let after = apply(&draft, &mut fix.not_written);
        if after != draft.text {
            fix.changes.push(FileChange {
                path: PathBuf::from(path),
                before: draft.text.clone(),
                after,
            });
        }
    }
    fix
}

/// The source of the resource of `kind` with display id `id` in `region` (the step's), or
/// with ARN `id`.
fn source<'i>(
    index: &'i Index,
    region: &str,
    kind: &str,
    id: &str,
) -> Result<&'i Source, NotWritten> {
    let slot = crate::inventory::index::slot_of_kind(kind)
        .ok_or_else(|| NotWritten::Elsewhere(format!("no kind `{kind}`")))?;
    let position = if id.starts_with("arn:") {
        index.position_of_arn(slot, id)
    } else {
        index.position_of_id(slot, region, id)
    };
    position
        .and_then(|position| index.source_of(slot, position))
        .ok_or_else(|| {
            NotWritten::Elsewhere(format!("{kind} `{id}` is not declared in a template"))
        })
}

/// How template `file` refers to `value` (an id in `region`, or an ARN, of `kind` when
/// known): `!Ref Logical` for a resource declared in it (or one this plan adds), else the
/// value itself. A resource of another template is refused: a `!Ref` does not cross stacks.
fn expression(
    index: &Index,
    region: &str,
    created: &Created,
    file: &str,
    kind: Option<&str>,
    value: &str,
) -> Result<String, NotWritten> {
    if let Some(step) = value.strip_prefix(REF_PREFIX) {
        return match created.get(step) {
            Some((made_in, logical)) if made_in != file => Err(NotWritten::Elsewhere(format!(
                "`{logical}` is added to `{made_in}`, another template than `{file}`"
            ))),
            Some((_, logical)) => Ok(format!("!Ref {logical}")),
            None => Err(NotWritten::Elsewhere(format!(
                "it needs what step `{step}` makes, which is not written"
            ))),
        };
    }
    let slots = match kind.and_then(crate::inventory::index::slot_of_kind) {
        Some(slot) => slot..slot + 1,
        None => 0..crate::inventory::index::SLOTS,
    };
    for slot in slots {
        let by_id = index.position_of_id(slot, region, value);
        for position in by_id.into_iter().chain(index.position_of_arn(slot, value)) {
            if let Some(source) = index.source_of(slot, position) {
                if source.file != file {
                    return Err(NotWritten::Elsewhere(format!(
                        "`{}` is declared in `{}`, another template than `{file}`",
                        source.logical_id, source.file
                    )));
                }
                return Ok(format!("!Ref {}", source.logical_id));
            }
        }
    }
    Ok(quoted(value))
}

fn sg_rule_lines(rule: &SgRule, peer: &str, dash: usize) -> Vec<String> {
    let pad = " ".repeat(dash);
    let (protocol, from, to) = match rule.protocol.as_str() {
        "all" => ("\"-1\"".to_owned(), None, None),
        other => (other.to_owned(), Some(rule.from_port), Some(rule.to_port)),
    };
    let mut lines = vec![format!("{pad}- IpProtocol: {protocol}")];
    if let (Some(from), Some(to)) = (from, to) {
        lines.push(format!("{pad}  FromPort: {from}"));
        lines.push(format!("{pad}  ToPort: {to}"));
    }
    lines.push(format!("{pad}  {peer}"));
    if !rule.description.is_empty() {
        lines.push(format!("{pad}  Description: {}", quoted(&rule.description)));
    }
    lines
}

/// How template `file` writes image `image_id` where one of its instances uses it
/// (`!Ref ImageId`, a parameter), if one does on one line.
fn image_expression(
    index: &Index,
    drafts: &mut HashMap<String, Draft>,
    file: &str,
    image_id: &str,
) -> Option<String> {
    let inventory = index.inventory();
    let instances = inventory
        .instances
        .iter()
        .enumerate()
        .filter(|(_, i)| i.image_id == image_id)
        .filter_map(|(p, _)| index.source_of(slot(crate::inventory::Instance::KIND), p))
        .filter(|s| s.file == file)
        .map(|s| s.logical_id.clone())
        .collect::<Vec<_>>();
    let draft = draft(drafts, file).ok()?;
    instances.iter().find_map(|logical| {
        let entry = draft
            .resource(logical)?
            .value
            .get("Properties")?
            .entry("ImageId")?;
        let line = draft.lines()[entry.key_pos.line as usize - 1].to_owned();
        let after_key = &line[byte_at(&line, entry.key_pos.column)..];
        let value = after_key.strip_prefix("ImageId:")?;
        let value = value[..value.len() - comment_of(value).len()].trim();
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// The index slot of a kind of resource.
fn slot(kind: &str) -> usize {
    crate::inventory::index::slot_of_kind(kind).expect("a kind of the inventory")
}

/// Whether a group's launch template `Version` follows the template's latest (or default)
/// version, which CloudFormation moves to the data a change makes.
fn is_latest(version: &Spanned, template: &str) -> bool {
    let attribute = match &version.node {
        Node::Map(entries) if entries.len() == 1 && entries[0].key == "Fn::GetAtt" => {
            match &entries[0].value.node {
                Node::Seq(parts) if parts.len() == 2 => parts[0]
                    .as_str()
                    .filter(|p| *p == template)
                    .and(parts[1].as_str()),
                _ => entries[0]
                    .value
                    .as_str()
                    .and_then(|s| s.strip_prefix(template))
                    .and_then(|s| s.strip_prefix('.')),
            }
        }
        _ => None,
    };
    matches!(
        attribute,
        Some("LatestVersionNumber" | "DefaultVersionNumber")
    )
}

/// The template a new resource of no resource's template goes into: the first loaded.
fn first_file(index: &Index) -> Result<String, NotWritten> {
    index
        .inventory()
        .sources
        .first()
        .map(|s| s.file.clone())
        .ok_or_else(|| NotWritten::Elsewhere("no template".to_owned()))
}

/// A logical id from a name: its letters and digits, words capitalised.
fn logical_id(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
                .collect::<String>()
        })
        .collect()
}

/// Writes the step's edits, as its action gives them (`ActionType::iac_edits`).
fn edit_step(
    action: &Action,
    region: &str,
    index: &Index,
    drafts: &mut HashMap<String, Draft>,
    created: &mut Created,
) -> Step {
    let Some(edits) = action.kind().iac_edits() else {
        return Err(NotWritten::NotYet(format!(
            "`{}` steps are not written into templates yet: {}",
            action.key().split(':').next().unwrap_or_default(),
            action.kind().template_change()
        )));
    };
    let mut writer = Writer {
        region,
        index,
        drafts,
        created,
        step: action.key(),
        template_change: action.kind().template_change(),
    };
    edits.iter().try_for_each(|edit| writer.write(edit))
}

/// One step's edits being written.
struct Writer<'w> {
    region: &'w str,
    index: &'w Index,
    drafts: &'w mut HashMap<String, Draft>,
    created: &'w mut Created,
    /// The step's key: what it declares is `ref:<step>` to later steps.
    step: String,
    /// What the step asks of the template in words, said where a property is not written.
    template_change: String,
}

impl Writer<'_> {
    /// The property that holds `field` of `kind`; one this writer does not write yet is the
    /// change to make by hand, as the step says it.
    fn property(&self, kind: &str, field: &str) -> Result<&'static str, NotWritten> {
        property(kind, field)
            .map_err(|why| NotWritten::Elsewhere(format!("{} ({why})", self.template_change)))
    }

    fn write(&mut self, edit: &IacEdit) -> Step {
        match edit {
            IacEdit::Set {
                resource,
                field,
                value,
            } => {
                let (file, logical) = self.declared(resource)?;
                let name = self.property(resource.kind, field)?;
                match value {
                    IacValue::List(items) => {
                        let items = self.items(&file, items)?;
                        set_list(draft(self.drafts, &file)?, &logical, name, &items)
                    }
                    IacValue::Object(entries) => {
                        let entries = self.object_entries(&file, field, entries)?;
                        set_block(draft(self.drafts, &file)?, &logical, name, &entries)
                    }
                    value => {
                        let value = self.inline(&file, value)?;
                        set_property(draft(self.drafts, &file)?, &logical, name, &value)
                    }
                }
            }
            IacEdit::Unset { resource, field } => {
                let (file, logical) = self.declared(resource)?;
                let name = self.property(resource.kind, field)?;
                remove_property(draft(self.drafts, &file)?, &logical, name)
            }
            IacEdit::Append {
                resource,
                field,
                items,
            } => {
                let (file, logical) = self.declared(resource)?;
                let name = self.property(resource.kind, field)?;
                let items = self.items(&file, items)?;
                append_item(draft(self.drafts, &file)?, &logical, name, |dash| {
                    items
                        .iter()
                        .map(|i| format!("{}- {i}", " ".repeat(dash)))
                        .collect()
                })
            }
            IacEdit::AddIngress { group, rule } => self.add_ingress(group, rule),
            IacEdit::RemoveIngress { group, rule } => self.remove_ingress(group, rule),
            IacEdit::PrivateLaunches { template, group } => self.private_launches(template, group),
            IacEdit::AliasRecord {
                zone_id,
                name,
                load_balancer_dns,
            } => self.alias_record(zone_id, name, load_balancer_dns),
            IacEdit::Declare {
                kind,
                name,
                beside,
                fields,
                keep,
            } => self.declare(kind, name, beside.as_ref(), fields, keep),
        }
    }

    /// The template and logical id of a resource declared in a template, or by an earlier
    /// step of this plan.
    fn declared(&self, resource: &Declared) -> Result<(String, String), NotWritten> {
        if let Some(step) = resource.id.strip_prefix(REF_PREFIX) {
            return self.created.get(step).cloned().ok_or_else(|| {
                NotWritten::Elsewhere(format!(
                    "it needs what step `{step}` makes, which is not written"
                ))
            });
        }
        let source = source(self.index, self.region, resource.kind, &resource.id)?;
        Ok((source.file.clone(), source.logical_id.clone()))
    }

    /// `value` as written on one line of `file`.
    fn inline(&self, file: &str, value: &IacValue) -> Result<String, NotWritten> {
        Ok(match value {
            IacValue::Bool(b) => b.to_string(),
            IacValue::Number(n) => n.to_string(),
            IacValue::Text(text) => quoted(text),
            IacValue::Resource { kind, id } => {
                expression(self.index, self.region, self.created, file, *kind, id)?
            }
            IacValue::List(_) | IacValue::Map(_) | IacValue::Object(_) => {
                return Err(NotWritten::Layout("a list written on one line".to_owned()));
            }
        })
    }

    /// An object's `Key: value` lines, its keys (fields of `field`) as the template names them.
    fn object_entries(
        &self,
        file: &str,
        field: &str,
        entries: &[(&'static str, IacValue)],
    ) -> Result<Vec<String>, NotWritten> {
        entries
            .iter()
            .map(|(key, value)| {
                Ok(format!(
                    "{}: {}",
                    self.property(field, key)?,
                    self.inline(file, value)?
                ))
            })
            .collect()
    }

    fn items(&self, file: &str, items: &[IacValue]) -> Result<Vec<String>, NotWritten> {
        items.iter().map(|item| self.inline(file, item)).collect()
    }

    /// The lines of property `name` holding `value` (`field` of the inventory), in a body
    /// written at indentation zero.
    fn property_lines(
        &mut self,
        file: &str,
        field: &str,
        name: &str,
        value: &IacValue,
    ) -> Result<Vec<String>, NotWritten> {
        Ok(match value {
            IacValue::List(items) => std::iter::once(format!("{name}:"))
                .chain(
                    self.items(file, items)?
                        .into_iter()
                        .map(|item| format!("  - {item}")),
                )
                .collect(),
            IacValue::Object(entries) => std::iter::once(format!("{name}:"))
                .chain(
                    self.object_entries(file, field, entries)?
                        .into_iter()
                        .map(|entry| format!("  {entry}")),
                )
                .collect(),
            IacValue::Map(entries) => {
                let key = map_key(field);
                let mut lines = vec![format!("{name}:")];
                for (k, v) in entries {
                    lines.push(format!("  - {key}: {}", quoted(k)));
                    lines.push(format!("    Value: {}", self.inline(file, v)?));
                }
                lines
            }
            value => vec![format!("{name}: {}", self.inline(file, value)?)],
        })
    }

    /// Declares a resource, or mends the one of that name the templates declare.
    fn declare(
        &mut self,
        kind: &str,
        name: &str,
        beside: Option<&Declared>,
        fields: &[(&'static str, IacValue)],
        keep: &[&str],
    ) -> Step {
        if let Ok(source) = source(self.index, self.region, kind, name) {
            let (file, logical) = (source.file.clone(), source.logical_id.clone());
            self.mend(kind, name, &file, &logical, fields, keep)?;
            self.created.insert(self.step.clone(), (file, logical));
            return Ok(());
        }
        let file = match beside {
            Some(beside) => self.declared(beside)?.0,
            None => first_file(self.index)?,
        };
        let (resource_type, suffix) = declared_type(kind)?;
        let mut body = vec![format!("Type: {resource_type}"), "Properties:".to_owned()];
        let mut lines = Vec::new();
        if kind == Instance::KIND {
            lines = self.instance_lines(&file, fields)?;
        } else {
            for (field, value) in fields {
                let name = self.property(kind, field)?;
                lines.extend(self.property_lines(&file, field, name, value)?);
            }
        }
        body.extend(lines.into_iter().map(|line| format!("  {line}")));
        let logical = format!("{}{suffix}", logical_id(name));
        let logical = add_resource(draft(self.drafts, &file)?, &logical, body)?;
        self.created.insert(self.step.clone(), (file, logical));
        Ok(())
    }

    /// An instance's properties: its network (subnet, public IP, groups) is one interface.
    fn instance_lines(
        &mut self,
        file: &str,
        fields: &[(&'static str, IacValue)],
    ) -> Result<Vec<String>, NotWritten> {
        let field = |name: &str| fields.iter().find(|(f, _)| *f == name).map(|(_, v)| v);
        let mut lines = Vec::new();
        for name in ["image_id", "instance_type"] {
            let Some(value) = field(name) else { continue };
            // The image an application instance of the template names, as it names it.
            let image = match value {
                IacValue::Resource { id, .. } if name == "image_id" => {
                    image_expression(self.index, self.drafts, file, id)
                }
                _ => None,
            };
            match image {
                Some(image) => lines.push(format!("ImageId: {image}")),
                None => lines.extend(self.property_lines(
                    file,
                    name,
                    self.property("instance", name)?,
                    value,
                )?),
            }
        }
        if let Some(subnet) = field("subnet_id") {
            lines.push("NetworkInterfaces:".to_owned());
            lines.push("  - DeviceIndex: \"0\"".to_owned());
            lines.push(format!("    SubnetId: {}", self.inline(file, subnet)?));
            if let Some(public) = field("public_ip") {
                lines.push(format!(
                    "    AssociatePublicIpAddress: {}",
                    self.inline(file, public)?
                ));
            }
            if let Some(groups) = field("security_group_ids") {
                let groups = self.property_lines(file, "security_group_ids", "GroupSet", groups)?;
                lines.extend(groups.into_iter().map(|line| format!("    {line}")));
            }
        }
        if let Some(tags) = field("tags") {
            lines.extend(self.property_lines(file, "tags", "Tags", tags)?);
        }
        Ok(lines)
    }

    /// Sets the fields of a declared resource that differ from what the inventory read of
    /// it, but for `keep`.
    fn mend(
        &mut self,
        kind: &str,
        id: &str,
        file: &str,
        logical: &str,
        fields: &[(&'static str, IacValue)],
        keep: &[&str],
    ) -> Step {
        let read = self.index.json_of(kind, self.region, id).ok_or_else(|| {
            NotWritten::Elsewhere(format!("{kind} `{id}` is not in the inventory"))
        })?;
        for (field, value) in crate::change::iac::to_mend(fields, keep, &read) {
            let name = self.property(kind, field)?;
            match value {
                IacValue::List(items) => {
                    let items = self.items(file, items)?;
                    set_list(draft(self.drafts, file)?, logical, name, &items)?;
                }
                value => {
                    let value = self.inline(file, value)?;
                    set_property(draft(self.drafts, file)?, logical, name, &value)?;
                }
            }
        }
        Ok(())
    }

    fn remove_ingress(&mut self, group: &Declared, rule: &SgRule) -> Step {
        let source = source(self.index, self.region, group.kind, &group.id)?;
        let value = serde_json::to_value(rule).expect("a rule serialises");
        let element = source
            .elements
            .iter()
            .find(|e| e.field == "ingress" && e.value == value)
            .ok_or_else(|| {
                NotWritten::Elsewhere(format!(
                    "the rule of `{}` is not written in a template",
                    source.logical_id
                ))
            })?;
        let line = element.line as usize;
        let file = source.file.clone();
        let logical = source.logical_id.clone();
        let draft = draft(self.drafts, &file)?;
        if let Some((start, end, _)) = list_item(draft, &logical, "SecurityGroupIngress", line) {
            let key = draft
                .resource(&logical)
                .and_then(|r| r.value.get("Properties"))
                .and_then(|p| p.entry("SecurityGroupIngress"))
                .map(|e| {
                    let items = match &e.value.node {
                        Node::Seq(items) => items.len(),
                        _ => 0,
                    };
                    (
                        e.key_pos.line as usize,
                        e.key_pos.column as usize - 1,
                        items,
                    )
                })
                .expect("found above");
            draft.edits.push(Edit::Replace {
                start,
                end,
                lines: Vec::new(),
            });
            draft
                .emptied
                .push((key.0, key.1, "SecurityGroupIngress".to_owned(), key.2));
            return Ok(());
        }
        // A separate `AWS::EC2::SecurityGroupIngress` resource holds it: remove that resource.
        let resources = draft
            .doc
            .get("Resources")
            .ok_or_else(|| NotWritten::Layout("no `Resources`".to_owned()))?;
        for entry in resources.entries() {
            let start = entry.key_pos.line as usize;
            let end = draft.block_end(start, entry.key_pos.column as usize - 1);
            if entry.value.get("Type").and_then(Spanned::as_str)
                == Some("AWS::EC2::SecurityGroupIngress")
                && (start..=end).contains(&line)
            {
                // With the blank line that separated it, so that one separates its neighbours.
                let lines = draft.lines();
                let blank = |n: usize| {
                    lines
                        .get(n.wrapping_sub(1))
                        .is_some_and(|l| l.trim().is_empty())
                };
                let end = if blank(start - 1) && blank(end + 1) {
                    end + 1
                } else {
                    end
                };
                draft.edits.push(Edit::Replace {
                    start,
                    end,
                    lines: Vec::new(),
                });
                return Ok(());
            }
        }
        Err(NotWritten::Layout(format!(
            "the rule's line {line} is in no ingress list or resource"
        )))
    }

    fn add_ingress(&mut self, group: &Declared, rule: &SgRule) -> Step {
        // A group this plan adds is not in the tree yet: its rule is a resource of its own.
        let added = group.id.starts_with(REF_PREFIX);
        let (file, logical) = self.declared(group)?;
        let (index, region) = (self.index, self.region);
        let peer = if let Some(group) = &rule.source_group_id {
            format!(
                "SourceSecurityGroupId: {}",
                expression(
                    index,
                    region,
                    self.created,
                    &file,
                    Some(SecurityGroup::KIND),
                    group
                )?
            )
        } else if let Some(cidr) = &rule.cidr_ipv4 {
            format!("CidrIp: {}", quoted(cidr))
        } else if let Some(cidr) = &rule.cidr_ipv6 {
            format!("CidrIpv6: {}", quoted(cidr))
        } else if let Some(list) = &rule.prefix_list_id {
            format!("SourcePrefixListId: {}", quoted(list))
        } else {
            return Err(NotWritten::Layout("a rule without a peer".into()));
        };
        let draft = draft(self.drafts, &file)?;
        if !added {
            return append_item(draft, &logical, "SecurityGroupIngress", |dash| {
                sg_rule_lines(rule, &peer, dash)
            });
        }
        let mut body = vec![
            "Type: AWS::EC2::SecurityGroupIngress".to_owned(),
            "Properties:".to_owned(),
            format!("  GroupId: !Ref {logical}"),
        ];
        // The rule's lines as a list item, made the properties of a map.
        body.extend(
            sg_rule_lines(rule, &peer, 0)
                .into_iter()
                .map(|line| format!("  {}", &line[2..])),
        );
        add_resource(draft, &format!("{logical}Ingress"), body)?;
        Ok(())
    }

    fn private_launches(&mut self, template: &Declared, group: &Declared) -> Step {
        // A template has no versions: CloudFormation makes a new one of the changed data.
        let (file, logical) = self.declared(template)?;
        let draft = draft(self.drafts, &file)?;
        let data = draft
            .resource(&logical)
            .and_then(|r| r.value.get("Properties"))
            .and_then(|p| p.get("LaunchTemplateData"));
        let public: Vec<&yaml::Entry> = match data.and_then(|d| d.get("NetworkInterfaces")) {
            Some(Spanned {
                node: Node::Seq(items),
                ..
            }) => items
                .iter()
                .filter_map(|item| item.entry("AssociatePublicIpAddress"))
                .filter(|e| e.value.as_str() != Some("false"))
                .collect(),
            _ => Vec::new(),
        };
        if public.is_empty() {
            return Err(NotWritten::Layout(format!(
                "the public IPs of `{logical}`'s instances come from their subnets: give its `NetworkInterfaces` `AssociatePublicIpAddress: false`"
            )));
        }
        let what = format!("`AssociatePublicIpAddress` of `{logical}`");
        let edits = public
            .iter()
            .map(|entry| replace_value(draft, entry, &what, "false"))
            .collect::<Result<Vec<_>, _>>()?;
        draft.edits.extend(edits);
        // The group takes the new version only if it follows the latest.
        let (group_file, group_logical) = self.declared(group)?;
        if group_file != file {
            return Ok(());
        }
        let draft = self.drafts.get_mut(&file).expect("drafted above");
        // The group's own template, or its mixed-instances policy's.
        let properties = draft
            .resource(&group_logical)
            .and_then(|r| r.value.get("Properties"));
        let version = properties
            .and_then(|p| p.get("LaunchTemplate"))
            .or_else(|| {
                properties
                    .and_then(|p| p.get("MixedInstancesPolicy"))
                    .and_then(|m| m.get("LaunchTemplate"))
                    .and_then(|t| t.get("LaunchTemplateSpecification"))
            })
            .and_then(|t| t.entry("Version"));
        let latest = format!("!GetAtt {logical}.LatestVersionNumber");
        match version {
            Some(version) if !is_latest(&version.value, &logical) => {
                let what = format!("the launch template `Version` of `{group_logical}`");
                let edit = replace_value(draft, version, &what, &latest)?;
                draft.edits.push(edit);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn alias_record(&mut self, zone_id: &str, name: &str, dns_name: &str) -> Step {
        let index = self.index;
        let inventory = index.inventory();
        let trimmed = |n: &str| n.trim_end_matches('.').to_ascii_lowercase();
        let record = inventory
            .record_sets
            .iter()
            .position(|r| {
                r.zone_id == *zone_id
                    && trimmed(&r.name) == trimmed(name)
                    && r.record_type == "A"
                    && r.set_identifier.is_none()
            })
            .and_then(|p| index.source_of(slot(RecordSet::KIND), p))
            .ok_or_else(|| {
                NotWritten::Elsewhere(format!("no A record `{name}` is declared in a template"))
            })?;
        // The load balancer by its DNS name (a Classic one's zone attribute has its own name).
        let balancers = inventory
            .load_balancers
            .iter()
            .map(|l| l.dns_name.as_str())
            .enumerate()
            .map(|(p, dns)| (slot(LoadBalancer::KIND), p, dns, "CanonicalHostedZoneID"));
        let classic = inventory
            .classic_load_balancers
            .iter()
            .map(|l| l.dns_name.as_str())
            .enumerate()
            .map(|(p, dns)| {
                let slot = slot(ClassicLoadBalancer::KIND);
                (slot, p, dns, "CanonicalHostedZoneNameID")
            });
        let (balancer, zone_attribute) = balancers
            .chain(classic)
            .find(|(_, _, dns, _)| dns.eq_ignore_ascii_case(dns_name))
            .and_then(|(slot, p, _, zone)| Some((index.source_of(slot, p)?, zone)))
            .ok_or_else(|| {
                NotWritten::Elsewhere(format!(
                    "the load balancer `{dns_name}` is not declared in a template"
                ))
            })?;
        if balancer.file != record.file {
            return Err(NotWritten::Elsewhere(format!(
                "`{}` is declared in `{}`, another template than `{}`",
                balancer.logical_id, balancer.file, record.file
            )));
        }
        let (file, logical) = (record.file.clone(), record.logical_id.clone());
        let target = balancer.logical_id.clone();
        let draft = draft(self.drafts, &file)?;
        let kind = draft
            .resource(&logical)
            .and_then(|r| r.value.get("Type"))
            .and_then(Spanned::as_str);
        if kind != Some("AWS::Route53::RecordSet") {
            return Err(NotWritten::NotYet(format!(
                "record `{name}` is one of the record sets of `{logical}`, which are not edited yet"
            )));
        }
        remove_property(draft, &logical, "TTL")?;
        remove_property(draft, &logical, "ResourceRecords")?;
        set_property(
            draft,
            &logical,
            "AliasTarget",
            &format!(
                "{{DNSName: !GetAtt {target}.DNSName, HostedZoneId: !GetAtt {target}.{zone_attribute}}}"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{EnableMultiAz, PutCpuAlarm, SetCapacity, StartInstanceRefresh};
    use crate::plan::Step;
    use crate::template::{TemplateOptions, load};

    const TEMPLATE: &str = "\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: orders
      Engine: mysql
      DBInstanceClass: db.t3.micro
      MultiAZ: false  # one zone for now
      AvailabilityZone: us-east-1a
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      AutoScalingGroupName: web
      MinSize: \"1\"
      MaxSize: \"4\"
      DesiredCapacity: \"1\"
      AvailabilityZones: [us-east-1a, us-east-1b]
  HighCpu:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: web-cpu-high
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Maximum
      Period: 60
      EvaluationPeriods: 3
      Threshold: 90
      ComparisonOperator: GreaterThanThreshold
      Dimensions:
        - Name: AutoScalingGroupName
          Value: !Ref Group
";

    /// The template's text after `actions`, and the steps not written.
    fn edited(actions: Vec<Action>) -> (String, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.yaml");
        std::fs::write(&path, TEMPLATE).unwrap();
        let inventory = load(&TemplateOptions {
            paths: vec![path.clone()],
            region: "us-east-1".into(),
            account: "123456789012".into(),
            ..TemplateOptions::default()
        })
        .unwrap();
        let index = Index::new(inventory);
        let plan = Plan {
            format_version: 1,
            account_id: "123456789012".into(),
            inventory_fingerprint: String::new(),
            steps: actions.into_iter().map(Step::of).collect(),
            refused: Vec::new(),
            deferred: Vec::new(),
        };
        let fix = plan_edits(&plan, &index);
        let text = fix
            .changes
            .first()
            .map_or_else(|| TEMPLATE.to_owned(), |c| c.after.clone());
        (text, fix.not_written)
    }

    #[test]
    fn a_field_set_keeps_its_comment_and_a_refused_field_goes() {
        let (text, not_written) = edited(vec![Action::EnableMultiAz(EnableMultiAz {
            db_instance: "orders".into(),
        })]);
        assert!(not_written.is_empty(), "{not_written:?}");
        assert!(
            text.contains("      MultiAZ: true  # one zone for now\n"),
            "{text}"
        );
        assert!(!text.contains("AvailabilityZone: us-east-1a"), "{text}");
    }

    #[test]
    fn an_event_subscription_is_declared_referencing_its_database() {
        let (text, not_written) = edited(vec![Action::CreateEventSubscription(
            crate::change::CreateEventSubscription {
                name: "rds-events-orders".into(),
                topic_arn: "arn:aws:sns:us-east-1:123456789012:ops".into(),
                source_type: "db-instance".into(),
                source_ids: vec!["orders".into()],
                categories: vec!["failover".into(), "failure".into()],
            },
        )]);
        assert!(not_written.is_empty(), "{not_written:?}");
        for written in [
            "Type: AWS::RDS::EventSubscription",
            "SubscriptionName: rds-events-orders",
            "SnsTopicArn: arn:aws:sns:us-east-1:123456789012:ops",
            "SourceType: db-instance",
            "- !Ref Db",
            "- failover",
            "Enabled: true",
        ] {
            assert!(text.contains(written), "`{written}` in {text}");
        }
    }

    #[test]
    fn capacity_sets_only_the_sizes_that_change() {
        let (text, _) = edited(vec![Action::SetCapacity(SetCapacity {
            group: "web".into(),
            min_size: 2,
            desired_capacity: 2,
            max_size: 4,
            before: [1, 1, 4],
        })]);
        assert!(text.contains("MinSize: 2\n") && text.contains("DesiredCapacity: 2\n"));
        assert!(
            text.contains("MaxSize: \"4\"\n"),
            "the maximum is untouched: {text}"
        );
    }

    #[test]
    fn a_declared_alarm_is_mended_and_keeps_its_tuning() {
        let (text, not_written) = edited(vec![Action::PutCpuAlarm(PutCpuAlarm {
            group: "web".into(),
            name: "web-cpu-high".into(),
            comparison_operator: "GreaterThanThreshold".into(),
            threshold: 75.0,
            actions: vec!["arn:aws:sns:us-east-1:123456789012:ops".into()],
        })]);
        assert!(not_written.is_empty(), "{not_written:?}");
        for kept in ["Period: 60", "EvaluationPeriods: 3", "Value: !Ref Group"] {
            assert!(text.contains(kept), "{kept} in {text}");
        }
        // Actions are enabled unless a template says otherwise: nothing to write.
        assert!(!text.contains("ActionsEnabled"), "{text}");
        for set in ["Threshold: 75\n", "Statistic: Average\n"] {
            assert!(text.contains(set), "{set} in {text}");
        }
        assert!(text.contains("AlarmActions:\n        - arn:aws:sns:us-east-1:123456789012:ops"));
        assert_eq!(text.matches("AWS::CloudWatch::Alarm").count(), 1, "no twin");
    }

    #[test]
    fn a_step_code_cannot_say_is_named_not_dropped() {
        let (text, not_written) =
            edited(vec![Action::StartInstanceRefresh(StartInstanceRefresh {
                group: "web".into(),
                min_healthy_percentage: 100,
                max_healthy_percentage: None,
            })]);
        assert_eq!(text, TEMPLATE);
        assert_eq!(not_written.len(), 1);
        assert!(
            not_written[0].contains("not written into templates"),
            "{not_written:?}"
        );
    }

    #[test]
    fn what_was_read_is_compared_as_a_set() {
        let read = serde_json::json!(["b", "a"]);
        let asked = IacValue::List(vec![IacValue::text("a"), IacValue::text("b")]);
        assert!(asked.is_read_as(&read));
        assert!(!asked.is_read_as(&serde_json::json!(["a"])));
        assert!(IacValue::Number(75.0).is_read_as(&serde_json::json!(75.0)));
        assert!(!IacValue::text("Average").is_read_as(&serde_json::Value::Null));
    }
}
