//! A plan as edits of the templates it was computed from: `fix --template`.
//!
//! Each step becomes a change of the text — a property set (`MultiAZ: true`), a list item
//! added or removed (an ingress rule), a resource added (a scale-in alarm) — made on lines,
//! so that every untouched line, comments included, stays byte for byte. A step the editor
//! cannot write (a new launch-template version, a manual step) is returned with the reason,
//! never dropped silently; two steps on one line keep the first.

mod writer;

use std::collections::HashMap;
use std::path::PathBuf;

use super::yaml::{self, Node, Spanned};
use crate::change::{
    Action, AttachTargetGroups, AuthorizeIngress, CreateSecurityGroup, CreateTopic,
    DisablePublicAccess, EnableCrossZone, EnableMultiAz, MANAGED_TAG, PutCpuAlarm,
    PutScalingPolicy, REF_PREFIX, RevokeIngress, RunBastion, Safety, SetCapacity, SetHealthCheck,
    SetSubnets, SubscribeEmail, TemplateVersionWithoutPublicIp, UpsertAliasRecord,
};
use crate::inventory::{
    ClassicLoadBalancer, Index, LoadBalancer, RecordSet, Resource, SgRule, Source,
};
use crate::plan::Plan;
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

/// The source of the resource of `kind` with display id `id` in `region` (the step's).
fn source<'i>(index: &'i Index, region: &str, kind: &str, id: &str) -> Result<&'i Source, String> {
    let slot =
        crate::inventory::index::slot_of_kind(kind).ok_or_else(|| format!("no kind `{kind}`"))?;
    index
        .position_of_id(slot, region, id)
        .and_then(|position| index.source_of(slot, position))
        .ok_or_else(|| format!("{kind} `{id}` is not declared in a template"))
}

/// How template `file` refers to `value` (an id in `region`, or an ARN): `!Ref Logical` for
/// a resource declared in it (or one this plan adds), else the value itself. A resource of
/// another template is refused: a `!Ref` does not cross stacks.
fn expression(
    index: &Index,
    region: &str,
    created: &Created,
    file: &str,
    value: &str,
) -> Result<String, String> {
    if let Some(step) = value.strip_prefix(REF_PREFIX) {
        return match created.get(step) {
            Some((made_in, logical)) if made_in != file => Err(format!(
                "`{logical}` is added to `{made_in}`, another template than `{file}`"
            )),
            Some((_, logical)) => Ok(format!("!Ref {logical}")),
            None => Err(format!(
                "it needs what step `{step}` makes, which is not written"
            )),
        };
    }
    for slot in 0..crate::inventory::index::SLOTS {
        let by_id = index.position_of_id(slot, region, value);
        for position in by_id.into_iter().chain(index.position_of_arn(slot, value)) {
            if let Some(source) = index.source_of(slot, position) {
                if source.file != file {
                    return Err(format!(
                        "`{}` is declared in `{}`, another template than `{file}`",
                        source.logical_id, source.file
                    ));
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
fn first_file(index: &Index) -> Result<String, String> {
    index
        .inventory()
        .sources
        .first()
        .map(|s| s.file.clone())
        .ok_or_else(|| "no template".to_owned())
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

fn edit_step(
    action: &Action,
    region: &str,
    index: &Index,
    drafts: &mut HashMap<String, Draft>,
    created: &mut Created,
) -> Step {
    let set = |drafts: &mut HashMap<String, Draft>,
               kind: &str,
               id: &str,
               values: &[(&str, String)]|
     -> Step {
        let source = source(index, region, kind, id)?;
        let draft = draft(drafts, &source.file)?;
        for (name, value) in values {
            set_property(draft, &source.logical_id, name, value)?;
        }
        Ok(())
    };
    match action {
        Action::EnableMultiAz(EnableMultiAz { db_instance }) => {
            set(
                drafts,
                "db_instance",
                db_instance,
                &[("MultiAZ", "true".into())],
            )?;
            // RDS refuses a zone for a Multi-AZ instance: it picks the primary's and the
            // standby's.
            let source = source(index, region, "db_instance", db_instance)?;
            remove_property(
                draft(drafts, &source.file)?,
                &source.logical_id,
                "AvailabilityZone",
            )
        }

        Action::DisablePublicAccess(DisablePublicAccess { db_instance }) => set(
            drafts,
            "db_instance",
            db_instance,
            &[("PubliclyAccessible", "false".into())],
        ),
        Action::EnableCrossZone(EnableCrossZone { load_balancer }) => set(
            drafts,
            "classic_load_balancer",
            load_balancer,
            &[("CrossZone", "true".into())],
        ),
        Action::SetCapacity(SetCapacity {
            group,
            min_size,
            desired_capacity,
            max_size,
            before,
        }) => {
            let mut values = vec![("MinSize", min_size.to_string())];
            if desired_capacity != &before[1] {
                values.push(("DesiredCapacity", desired_capacity.to_string()));
            }
            if max_size != &before[2] {
                values.push(("MaxSize", max_size.to_string()));
            }
            set(drafts, "auto_scaling_group", group, &values)
        }
        Action::SetHealthCheck(SetHealthCheck {
            group,
            health_check_type,
            grace_period,
            ..
        }) => set(
            drafts,
            "auto_scaling_group",
            group,
            &[
                ("HealthCheckType", health_check_type.clone()),
                ("HealthCheckGracePeriod", grace_period.to_string()),
            ],
        ),
        Action::RevokeIngress(RevokeIngress { group_id, rule }) => {
            let source = source(index, region, "security_group", group_id)?;
            let value = serde_json::to_value(rule).map_err(|e| e.to_string())?;
            let element = source
                .elements
                .iter()
                .find(|e| e.field == "ingress" && e.value == value)
                .ok_or_else(|| {
                    format!(
                        "the rule of `{}` is not written in a template",
                        source.logical_id
                    )
                })?;
            let line = element.line as usize;
            let file = source.file.clone();
            let logical = source.logical_id.clone();
            let draft = draft(drafts, &file)?;
            if let Some((start, end, _)) = list_item(draft, &logical, "SecurityGroupIngress", line)
            {
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
            let resources = draft.doc.get("Resources").ok_or("no `Resources`")?;
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
            Err(format!(
                "the rule's line {line} is in no ingress list or resource"
            ))
        }
        Action::AuthorizeIngress(AuthorizeIngress { group_id, rule }) => {
            // A group this plan adds is not in the tree yet: its rule is a resource of its own.
            let added = group_id
                .strip_prefix(REF_PREFIX)
                .and_then(|step| created.get(step))
                .cloned();
            let (file, logical) = match &added {
                Some((file, logical)) => (file.clone(), logical.clone()),
                None => {
                    let source = source(index, region, "security_group", group_id)?;
                    (source.file.clone(), source.logical_id.clone())
                }
            };
            let peer = if let Some(group) = &rule.source_group_id {
                format!(
                    "SourceSecurityGroupId: {}",
                    expression(index, region, created, &file, group)?
                )
            } else if let Some(cidr) = &rule.cidr_ipv4 {
                format!("CidrIp: {}", quoted(cidr))
            } else if let Some(cidr) = &rule.cidr_ipv6 {
                format!("CidrIpv6: {}", quoted(cidr))
            } else if let Some(list) = &rule.prefix_list_id {
                format!("SourcePrefixListId: {}", quoted(list))
            } else {
                return Err("a rule without a peer".into());
            };
            let draft = draft(drafts, &file)?;
            if added.is_none() {
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
        Action::AttachTargetGroups(AttachTargetGroups {
            group,
            target_group_arns,
        }) => {
            let source = source(index, region, "auto_scaling_group", group)?;
            let (file, logical) = (source.file.clone(), source.logical_id.clone());
            let items = target_group_arns
                .iter()
                .map(|arn| expression(index, region, created, &file, arn))
                .collect::<Result<Vec<_>, _>>()?;
            let draft = draft(drafts, &file)?;
            append_item(draft, &logical, "TargetGroupARNs", |dash| {
                items
                    .iter()
                    .map(|i| format!("{}- {i}", " ".repeat(dash)))
                    .collect()
            })
        }
        Action::PutScalingPolicy(PutScalingPolicy {
            group,
            name,
            adjustment,
        }) => {
            let source = source(index, region, "auto_scaling_group", group)?;
            let (file, group_logical) = (source.file.clone(), source.logical_id.clone());
            let logical = logical_id(name);
            let body = vec![
                "Type: AWS::AutoScaling::ScalingPolicy".to_owned(),
                "Properties:".to_owned(),
                format!("  AutoScalingGroupName: !Ref {group_logical}"),
                "  PolicyType: SimpleScaling".to_owned(),
                "  AdjustmentType: ChangeInCapacity".to_owned(),
                format!("  ScalingAdjustment: {adjustment}"),
            ];
            let logical = add_resource(draft(drafts, &file)?, &logical, body)?;
            created.insert(action.key(), (file.clone(), logical));
            Ok(())
        }
        Action::PutCpuAlarm(PutCpuAlarm {
            group,
            name,
            comparison_operator,
            threshold,
            actions,
        }) => {
            // An alarm the template declares is mended in place (its threshold, operator,
            // statistic, actions): a twin beside it would leave the wrong one firing.
            if let Ok(alarm_source) = source(index, region, "metric_alarm", name) {
                let (file, logical) = (alarm_source.file.clone(), alarm_source.logical_id.clone());
                let alarm = index
                    .find::<crate::inventory::MetricAlarm>(region, name)
                    .ok_or_else(|| format!("alarm `{name}` is not in the inventory"))?;
                let mut values: Vec<(&str, String)> = Vec::new();
                if alarm.threshold != Some(*threshold) {
                    values.push(("Threshold", threshold.to_string()));
                }
                if &alarm.comparison_operator != comparison_operator {
                    values.push(("ComparisonOperator", comparison_operator.clone()));
                }
                if alarm.statistic.as_deref() != Some("Average") {
                    values.push(("Statistic", "Average".to_owned()));
                }
                if !alarm.actions_enabled {
                    values.push(("ActionsEnabled", "true".to_owned()));
                }
                let wanted: Vec<String> = actions
                    .iter()
                    .map(|a| expression(index, region, created, &file, a))
                    .collect::<Result<_, _>>()?;
                let draft = draft(drafts, &file)?;
                for (property, value) in values {
                    set_property(draft, &logical, property, &value)?;
                }
                let mut live = alarm.alarm_actions.clone();
                live.sort();
                let mut asked = actions.clone();
                asked.sort();
                if live != asked {
                    replace_list(draft, &logical, "AlarmActions", &wanted)?;
                }
                created.insert(action.key(), (file, logical));
                return Ok(());
            }
            let source = source(index, region, "auto_scaling_group", group)?;
            let (file, group_logical) = (source.file.clone(), source.logical_id.clone());
            let logical = logical_id(name);
            let mut body = vec![
                "Type: AWS::CloudWatch::Alarm".to_owned(),
                "Properties:".to_owned(),
                "  Namespace: AWS/EC2".to_owned(),
                "  MetricName: CPUUtilization".to_owned(),
                "  Statistic: Average".to_owned(),
                "  Period: 300".to_owned(),
                "  EvaluationPeriods: 2".to_owned(),
                format!("  Threshold: {threshold}"),
                format!("  ComparisonOperator: {comparison_operator}"),
                "  Dimensions:".to_owned(),
                "    - Name: AutoScalingGroupName".to_owned(),
                format!("      Value: !Ref {group_logical}"),
                "  AlarmActions:".to_owned(),
            ];
            for action in actions {
                body.push(format!(
                    "    - {}",
                    expression(index, region, created, &file, action)?
                ));
            }
            let logical = add_resource(draft(drafts, &file)?, &logical, body)?;
            created.insert(action.key(), (file.clone(), logical));
            Ok(())
        }
        Action::CreateTopic(CreateTopic { name }) => {
            let file = first_file(index)?;
            let logical = logical_id(name);
            let body = vec![
                "Type: AWS::SNS::Topic".to_owned(),
                "Properties:".to_owned(),
                format!("  TopicName: {}", quoted(name)),
            ];
            let logical = add_resource(draft(drafts, &file)?, &logical, body)?;
            created.insert(action.key(), (file.clone(), logical));
            Ok(())
        }
        Action::SubscribeEmail(SubscribeEmail { topic_arn, email }) => {
            let file = first_file(index)?;
            let topic = expression(index, region, created, &file, topic_arn)?;
            let logical = format!("{}Subscription", logical_id(email));
            let body = vec![
                "Type: AWS::SNS::Subscription".to_owned(),
                "Properties:".to_owned(),
                format!("  TopicArn: {topic}"),
                "  Protocol: email".to_owned(),
                format!("  Endpoint: {}", quoted(email)),
            ];
            let logical = add_resource(draft(drafts, &file)?, &logical, body)?;
            created.insert(action.key(), (file.clone(), logical));
            Ok(())
        }
        Action::TemplateVersionWithoutPublicIp(TemplateVersionWithoutPublicIp {
            group,
            template_id,
            ..
        }) => {
            // A template has no versions: CloudFormation makes a new one of the changed data.
            let template = source(index, region, "launch_template", template_id)?;
            let (file, logical) = (template.file.clone(), template.logical_id.clone());
            let draft = draft(drafts, &file)?;
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
                return Err(format!(
                    "the public IPs of `{logical}`'s instances come from their subnets: give its `NetworkInterfaces` `AssociatePublicIpAddress: false`"
                ));
            }
            let what = format!("`AssociatePublicIpAddress` of `{logical}`");
            let edits = public
                .iter()
                .map(|entry| replace_value(draft, entry, &what, "false"))
                .collect::<Result<Vec<_>, _>>()?;
            draft.edits.extend(edits);
            // The group takes the new version only if it follows the latest.
            let group = source(index, region, "auto_scaling_group", group)?;
            if group.file != file {
                return Ok(());
            }
            let group_logical = group.logical_id.clone();
            let version = draft
                .resource(&group_logical)
                .and_then(|r| r.value.get("Properties"))
                .and_then(|p| p.get("LaunchTemplate"))
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
        Action::SetSubnets(SetSubnets {
            group, subnet_ids, ..
        }) => {
            let source = source(index, region, "auto_scaling_group", group)?;
            let (file, logical) = (source.file.clone(), source.logical_id.clone());
            let items = subnet_ids
                .iter()
                .map(|subnet| expression(index, region, created, &file, subnet))
                .collect::<Result<Vec<_>, _>>()?;
            replace_list(draft(drafts, &file)?, &logical, "VPCZoneIdentifier", &items)
        }
        Action::UpsertAliasRecord(UpsertAliasRecord {
            zone_id,
            name,
            dns_name,
            ..
        }) => {
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
                .ok_or_else(|| format!("no A record `{name}` is declared in a template"))?;
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
                    format!("the load balancer `{dns_name}` is not declared in a template")
                })?;
            if balancer.file != record.file {
                return Err(format!(
                    "`{}` is declared in `{}`, another template than `{}`",
                    balancer.logical_id, balancer.file, record.file
                ));
            }
            let (file, logical) = (record.file.clone(), record.logical_id.clone());
            let target = balancer.logical_id.clone();
            let draft = draft(drafts, &file)?;
            let kind = draft
                .resource(&logical)
                .and_then(|r| r.value.get("Type"))
                .and_then(Spanned::as_str);
            if kind != Some("AWS::Route53::RecordSet") {
                return Err(format!(
                    "record `{name}` is one of the record sets of `{logical}`, which are not edited yet"
                ));
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
        Action::CreateSecurityGroup(CreateSecurityGroup {
            name,
            vpc_id,
            description,
        }) => {
            let file = source(index, region, "vpc", vpc_id)?.file.clone();
            let vpc = expression(index, region, created, &file, vpc_id)?;
            let body = vec![
                "Type: AWS::EC2::SecurityGroup".to_owned(),
                "Properties:".to_owned(),
                format!("  GroupName: {}", quoted(name)),
                format!("  GroupDescription: {}", quoted(description)),
                format!("  VpcId: {vpc}"),
                "  Tags:".to_owned(),
                "    - Key: Name".to_owned(),
                format!("      Value: {}", quoted(name)),
                format!("    - Key: {}", quoted(MANAGED_TAG.0)),
                format!("      Value: {}", quoted(MANAGED_TAG.1)),
            ];
            let logical = add_resource(
                draft(drafts, &file)?,
                &format!("{}SecurityGroup", logical_id(name)),
                body,
            )?;
            created.insert(action.key(), (file.clone(), logical));
            Ok(())
        }
        Action::RunBastion(RunBastion {
            name,
            image_id,
            instance_type,
            subnet_id,
            security_group_id,
        }) => {
            let file = source(index, region, "subnet", subnet_id)?.file.clone();
            // The image an application instance of the template names, as it names it.
            let image = match image_expression(index, drafts, &file, image_id) {
                Some(image) => image,
                None => expression(index, region, created, &file, image_id)?,
            };
            let subnet = expression(index, region, created, &file, subnet_id)?;
            let group = expression(index, region, created, &file, security_group_id)?;
            let body = vec![
                "Type: AWS::EC2::Instance".to_owned(),
                "Properties:".to_owned(),
                format!("  ImageId: {image}"),
                format!("  InstanceType: {}", quoted(instance_type)),
                "  NetworkInterfaces:".to_owned(),
                "    - DeviceIndex: \"0\"".to_owned(),
                format!("      SubnetId: {subnet}"),
                "      AssociatePublicIpAddress: true".to_owned(),
                "      GroupSet:".to_owned(),
                format!("        - {group}"),
                "  Tags:".to_owned(),
                "    - Key: Name".to_owned(),
                format!("      Value: {}", quoted(name)),
                format!("    - Key: {}", quoted(MANAGED_TAG.0)),
                format!("      Value: {}", quoted(MANAGED_TAG.1)),
                format!("    - Key: {}", quoted("hacheck:role")),
                "      Value: bastion".to_owned(),
            ];
            let logical = add_resource(
                draft(drafts, &file)?,
                &format!("{}Instance", logical_id(name)),
                body,
            )?;
            created.insert(action.key(), (file.clone(), logical));
            Ok(())
        }
        other => Err(format!(
            "`{}` steps are not written into templates yet",
            other.key().split(':').next().unwrap_or_default()
        )),
    }
}
