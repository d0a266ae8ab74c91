//! A plan as edits of the Terraform configuration it was computed from: `fix
//! --terraform-plan`.
//!
//! The actions' edits as data (`change::iac`) written as HCL with hcl-edit, which keeps
//! every untouched byte (comments, alignment) as it was: an attribute set in place, or
//! where its value comes from (a root variable's `default`, or the `.tfvars` that sets it);
//! an attribute removed; items added to a list; a new resource in `hacheck.tf` beside the
//! resource it serves. An edit code cannot make honestly (one instance of a `count` block,
//! a value an expression computes, a registry module's inside) is returned with the reason.
//! Every edited file is parsed again before it is offered.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::{Decorate, Ident};

use crate::change::NotWritten;
use crate::change::iac::{SUBSCRIPTION, to_mend};
use crate::change::{Action, Declared, IacEdit, IacValue, REF_PREFIX, Safety};
use crate::inventory::Index;
use crate::plan::Plan;
use crate::template::edit::{FileChange, TemplateFix};

type Step = Result<(), NotWritten>;

const CLASSIC_LOAD_BALANCER: &str =
    <crate::inventory::ClassicLoadBalancer as crate::inventory::Resource>::KIND;

/// Where the configuration declares a resource an edit names.
enum Located {
    /// In this file, at this `type.name`.
    Declared(PathBuf, String),
    /// Declared, but no edit there is the one asked for.
    Refused(NotWritten),
    /// Not declared: a resource of the account the configuration does not manage.
    Absent,
}

/// The Terraform attribute of an inventory field, for the fields edits write.
pub(crate) fn attribute(kind: &str, field: &str) -> Result<&'static str, NotWritten> {
    Ok(match (kind, field) {
        ("db_instance", "multi_az") => "multi_az",
        ("db_instance", "availability_zone") => "availability_zone",
        ("db_instance", "publicly_accessible") => "publicly_accessible",
        ("db_instance", "backup_retention_period") => "backup_retention_period",
        ("db_instance", "deletion_protection") => "deletion_protection",
        ("classic_load_balancer", "cross_zone") => "cross_zone_load_balancing",
        ("target_group", "cross_zone") => "load_balancing_cross_zone_enabled",
        ("target_group", "deregistration_delay") => "deregistration_delay",
        ("load_balancer", "deletion_protection") => "enable_deletion_protection",
        ("auto_scaling_group", "min_size") => "min_size",
        ("auto_scaling_group", "desired_capacity") => "desired_capacity",
        ("auto_scaling_group", "max_size") => "max_size",
        ("auto_scaling_group", "health_check_type") => "health_check_type",
        ("auto_scaling_group", "health_check_grace_period") => "health_check_grace_period",
        ("auto_scaling_group", "target_group_arns") => "target_group_arns",
        ("auto_scaling_group", "subnet_ids") => "vpc_zone_identifier",
        ("auto_scaling_group", "instance_maintenance_policy") => "instance_maintenance_policy",
        ("instance_maintenance_policy", "min_healthy_percentage") => "min_healthy_percentage",
        ("instance_maintenance_policy", "max_healthy_percentage") => "max_healthy_percentage",
        ("metric_alarm", "namespace") => "namespace",
        ("metric_alarm", "metric_name") => "metric_name",
        ("metric_alarm", "statistic") => "statistic",
        ("metric_alarm", "period") => "period",
        ("metric_alarm", "evaluation_periods") => "evaluation_periods",
        ("metric_alarm", "threshold") => "threshold",
        ("metric_alarm", "comparison_operator") => "comparison_operator",
        ("metric_alarm", "dimensions") => "dimensions",
        ("metric_alarm", "actions_enabled") => "actions_enabled",
        ("metric_alarm", "alarm_actions") => "alarm_actions",
        ("scaling_policy", "auto_scaling_group") => "autoscaling_group_name",
        ("scaling_policy", "policy_type") => "policy_type",
        ("scaling_policy", "adjustment_type") => "adjustment_type",
        ("scaling_policy", "scaling_adjustment") => "scaling_adjustment",
        ("sns_topic", "name") => "name",
        ("event_subscription", "name") => "name",
        ("event_subscription", "sns_topic_arn") => "sns_topic",
        ("event_subscription", "source_type") => "source_type",
        ("event_subscription", "source_ids") => "source_ids",
        ("event_subscription", "event_categories") => "event_categories",
        ("event_subscription", "enabled") => "enabled",
        (SUBSCRIPTION, "topic_arn") => "topic_arn",
        (SUBSCRIPTION, "protocol") => "protocol",
        (SUBSCRIPTION, "endpoint") => "endpoint",
        ("security_group", "name") => "name",
        ("security_group", "description") => "description",
        ("security_group", "vpc_id") => "vpc_id",
        ("instance", "image_id") => "ami",
        ("instance", "instance_type") => "instance_type",
        ("instance", "subnet_id") => "subnet_id",
        ("instance", "public_ip") => "associate_public_ip_address",
        ("instance", "security_group_ids") => "vpc_security_group_ids",
        (_, "tags") => "tags",
        _ => {
            return Err(NotWritten::NotYet(format!(
                "`{kind}.{field}` is not written into Terraform yet"
            )));
        }
    })
}

/// The Terraform attributes that setting an inventory field to `expression` writes: one,
/// but for a Classic Load Balancer's draining, which is two there — on, and for how long
/// (the inventory's one field holds the seconds, 0: off).
fn assignments(
    kind: &str,
    field: &str,
    expression: String,
) -> Result<Vec<(&'static str, String)>, NotWritten> {
    if (kind, field) == (CLASSIC_LOAD_BALANCER, "connection_draining") {
        return Ok(vec![
            ("connection_draining", "true".to_owned()),
            ("connection_draining_timeout", expression),
        ]);
    }
    Ok(vec![(attribute(kind, field)?, expression)])
}

/// The resource type of a kind a plan declares.
fn resource_type(kind: &str) -> Result<&'static str, NotWritten> {
    Ok(match kind {
        "security_group" => "aws_security_group",
        "instance" => "aws_instance",
        "sns_topic" => "aws_sns_topic",
        SUBSCRIPTION => "aws_sns_topic_subscription",
        "scaling_policy" => "aws_autoscaling_policy",
        "metric_alarm" => "aws_cloudwatch_metric_alarm",
        "event_subscription" => "aws_db_event_subscription",
        _ => {
            return Err(NotWritten::NotYet(format!(
                "a new `{kind}` is not written into Terraform yet"
            )));
        }
    })
}

/// The attribute a reference to a resource of `type_` reads (`aws_lb_target_group.app.arn`).
fn referenced_attribute(type_: &str) -> &'static str {
    match type_ {
        "aws_lb_target_group"
        | "aws_alb_target_group"
        | "aws_lb"
        | "aws_alb"
        | "aws_sns_topic"
        | "aws_autoscaling_policy" => "arn",
        "aws_autoscaling_group" | "aws_db_subnet_group" => "name",
        // Since provider 5, a DB instance's `id` is its resource id, not its name.
        "aws_db_instance" => "identifier",
        _ => "id",
    }
}

/// A `.tf` file being edited.
struct Draft {
    text: String,
    body: Body,
}

struct Writer<'w> {
    index: &'w Index,
    region: &'w str,
    drafts: &'w mut HashMap<PathBuf, Draft>,
    /// What earlier steps declare, by step key: (file, `type.name`).
    created: &'w mut HashMap<String, (PathBuf, String)>,
    step: String,
}

/// Computes the edits of `plan` on the configuration the index's inventory was read from.
pub fn plan_edits(plan: &Plan, index: &Index) -> TemplateFix {
    let mut fix = TemplateFix::default();
    let mut drafts = HashMap::new();
    let mut created = HashMap::new();
    for step in &plan.steps {
        if step.safety == Safety::Manual {
            continue;
        }
        let mut writer = Writer {
            index,
            region: &step.region,
            drafts: &mut drafts,
            created: &mut created,
            step: step.action.key(),
        };
        if let Err(reason) = writer.step(&step.action) {
            fix.not_written.push(format!("{}: {reason}", step.id));
        }
    }
    let mut files: Vec<_> = drafts.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, draft) in files {
        let after = draft.body.to_string();
        if after == draft.text {
            continue;
        }
        // What is offered parses, or it is not offered.
        if let Err(e) = hcl_edit::parser::parse_body(&after) {
            fix.not_written.push(format!(
                "{}: the edit would not parse ({}): left as it is",
                path.display(),
                e.message()
            ));
            continue;
        }
        fix.changes.push(FileChange {
            path,
            before: draft.text,
            after,
        });
    }
    fix
}

fn draft<'d>(
    drafts: &'d mut HashMap<PathBuf, Draft>,
    path: &Path,
) -> Result<&'d mut Draft, NotWritten> {
    if !drafts.contains_key(path) {
        let text = if path.exists() {
            std::fs::read_to_string(path)
                .map_err(|e| NotWritten::File(format!("cannot read `{}`: {e}", path.display())))?
        } else {
            String::new()
        };
        let body = hcl_edit::parser::parse_body(&text).map_err(|e| {
            NotWritten::File(format!(
                "`{}` does not parse: {}",
                path.display(),
                e.message()
            ))
        })?;
        drafts.insert(path.to_owned(), Draft { text, body });
    }
    Ok(drafts.get_mut(path).expect("inserted"))
}

/// The resource block `type.name` of `body`.
fn block_mut<'b>(body: &'b mut Body, address: &str) -> Option<&'b mut Block> {
    let (type_, name) = address.split_once('.')?;
    body.get_blocks_mut("resource").find(|b| {
        b.labels.len() == 2 && b.labels[0].as_str() == type_ && b.labels[1].as_str() == name
    })
}

/// The indentation of the attributes of `block` (its first attribute's, else two spaces).
fn indent_of(text: &str, block: &Block) -> String {
    use hcl_edit::Span;
    block
        .body
        .attributes()
        .next()
        .and_then(|a| a.span())
        .map(|span| {
            let line_start = text[..span.start].rfind('\n').map_or(0, |n| n + 1);
            text[line_start..span.start].to_owned()
        })
        .filter(|p| p.chars().all(char::is_whitespace))
        .unwrap_or_else(|| "  ".to_owned())
}

fn hcl_string(text: &str) -> String {
    serde_json::to_string(text)
        .expect("a string serialises")
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// `value` becomes `new`, keeping what surrounds it (the spaces before it, a comment after).
fn replace_value(value: &mut Expression, new: Expression) {
    let decor = value.decor().clone();
    *value = new;
    *value.decor_mut() = decor;
}

fn parse(expression: &str) -> Result<Expression, NotWritten> {
    hcl_edit::parser::parse_expr(expression)
        .map_err(|e| NotWritten::Elsewhere(format!("`{expression}`: {}", e.message())))
}

impl Writer<'_> {
    fn step(&mut self, action: &Action) -> Step {
        let Some(edits) = action.kind().iac_edits() else {
            return Err(NotWritten::NotYet(format!(
                "`{}` steps are not written into Terraform yet",
                action.key().split(':').next().unwrap_or_default()
            )));
        };
        edits.iter().try_for_each(|edit| self.edit(edit))
    }

    /// The file and `type.name` of a declared resource; refused where an edit there would
    /// not be the edit asked for.
    fn declared(&self, kind: &str, id: &str) -> Result<(PathBuf, String), NotWritten> {
        match self.locate(Some(kind), id) {
            Located::Declared(file, address) => Ok((file, address)),
            Located::Refused(reason) => Err(reason),
            Located::Absent => Err(NotWritten::Elsewhere(format!(
                "{kind} `{id}` is not declared in the configuration"
            ))),
        }
    }

    /// Where the configuration declares the resource known by `id` (an id, an ARN, or
    /// `ref:<step>`), of `kind` when known.
    fn locate(&self, kind: Option<&str>, id: &str) -> Located {
        if let Some(step) = id.strip_prefix(REF_PREFIX) {
            return match self.created.get(step) {
                Some((file, address)) => Located::Declared(file.clone(), address.clone()),
                None => Located::Refused(NotWritten::Elsewhere(format!(
                    "it needs what step `{step}` makes, which is not written"
                ))),
            };
        }
        let slots: Vec<usize> = match kind.map(|k| (k, crate::inventory::index::slot_of_kind(k))) {
            Some((_, Some(slot))) => vec![slot],
            Some((kind, None)) => {
                return Located::Refused(NotWritten::Elsewhere(format!("no kind `{kind}`")));
            }
            // An ARN (an alarm's actions): unique across kinds.
            None => (0..crate::inventory::index::SLOTS).collect(),
        };
        let source = slots.into_iter().find_map(|slot| {
            let position = self
                .index
                .position_of_id(slot, self.region, id)
                .or_else(|| self.index.position_of_arn(slot, id))?;
            self.index.source_of(slot, position)
        });
        let Some(source) = source else {
            return Located::Absent;
        };
        let address = &source.logical_id;
        if address.contains('[') {
            return Located::Refused(NotWritten::Layout(format!(
                "`{address}` is one instance of a block written for several (`count`, `for_each`): change it where that value is chosen"
            )));
        }
        // A module's code serves every call of it: what one call needs is its input.
        if let Some(inside) = address.strip_prefix("module.") {
            let call = inside.split('.').next().unwrap_or(inside);
            return Located::Refused(NotWritten::Elsewhere(format!(
                "`{address}` is inside module `{call}`: set the input of `module \"{call}\"` that decides it"
            )));
        }
        if !source.file.ends_with(".tf") {
            return Located::Refused(NotWritten::File(format!(
                "`{address}`'s `.tf` file was not read (give `--terraform-dir`)"
            )));
        }
        Located::Declared(PathBuf::from(&source.file), address.clone())
    }

    /// How `file` writes `value`.
    fn expression(&self, file: &Path, value: &IacValue) -> Result<String, NotWritten> {
        Ok(match value {
            IacValue::Bool(b) => b.to_string(),
            IacValue::Number(n) => n.to_string(),
            IacValue::Text(text) => hcl_string(text),
            IacValue::Resource { kind, id } => match kind {
                Some(kind) => match self.declared(kind, id) {
                    Ok((target_file, address)) if target_file.parent() == file.parent() => {
                        let type_ = address.split('.').next().unwrap_or_default();
                        format!("{address}.{}", referenced_attribute(type_))
                    }
                    _ if id.starts_with(REF_PREFIX) => {
                        return Err(NotWritten::Elsewhere(format!(
                            "`{id}` is declared in another module"
                        )));
                    }
                    _ => hcl_string(id),
                },
                None => match id
                    .strip_prefix(REF_PREFIX)
                    .and_then(|s| self.created.get(s))
                {
                    Some((_, address)) => {
                        let type_ = address.split('.').next().unwrap_or_default();
                        format!("{address}.{}", referenced_attribute(type_))
                    }
                    None => hcl_string(id),
                },
            },
            IacValue::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| self.expression(file, i))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(", ")
            ),
            IacValue::Map(entries) => format!(
                "{{ {} }}",
                entries
                    .iter()
                    .map(|(k, v)| Ok(format!("{} = {}", hcl_string(k), self.expression(file, v)?)))
                    .collect::<Result<Vec<_>, NotWritten>>()?
                    .join(", ")
            ),
            // A nested block, not an expression: `IacEdit::Set` writes it as one.
            IacValue::Object(_) => {
                return Err(NotWritten::Layout(
                    "a nested block written as a value".to_owned(),
                ));
            }
        })
    }

    fn edit(&mut self, edit: &IacEdit) -> Step {
        match edit {
            IacEdit::Set {
                resource,
                field,
                value: IacValue::Object(entries),
            } => {
                let (file, address) = self.declared(resource.kind, &resource.id)?;
                let name = attribute(resource.kind, field)?;
                let lines = entries
                    .iter()
                    .map(|(key, value)| {
                        Ok(format!(
                            "{} = {}",
                            attribute(field, key)?,
                            self.expression(&file, value)?
                        ))
                    })
                    .collect::<Result<Vec<_>, NotWritten>>()?;
                self.set_block(&file, &address, name, &lines)
            }
            IacEdit::Set {
                resource,
                field,
                value,
            } => {
                let (file, address) = self.declared(resource.kind, &resource.id)?;
                let expression = self.expression(&file, value)?;
                for (name, expression) in assignments(resource.kind, field, expression)? {
                    self.set(&file, &address, name, &expression)?;
                }
                Ok(())
            }
            IacEdit::Unset { resource, field } => {
                let (file, address) = self.declared(resource.kind, &resource.id)?;
                let name = attribute(resource.kind, field)?;
                let draft = draft(self.drafts, &file)?;
                let block = block_mut(&mut draft.body, &address)
                    .ok_or_else(|| NotWritten::Elsewhere(format!("`{address}` is not in `{}` any more", file.display())))?;
                block.body.remove_attribute(name);
                Ok(())
            }
            IacEdit::Append {
                resource,
                field,
                items,
            } => {
                let (file, address) = self.declared(resource.kind, &resource.id)?;
                let name = attribute(resource.kind, field)?;
                let new: Vec<String> = items
                    .iter()
                    .map(|i| self.expression(&file, i))
                    .collect::<Result<_, _>>()?;
                let draft = draft(self.drafts, &file)?;
                let block = block_mut(&mut draft.body, &address)
                    .ok_or_else(|| NotWritten::Elsewhere(format!("`{address}` is not in `{}` any more", file.display())))?;
                let existing = block.body.get_attribute(name).map(|a| a.value.to_string());
                let joined = match existing {
                    None => format!("[{}]", new.join(", ")),
                    Some(list) => {
                        let list = list.trim();
                        let inner = list
                            .strip_prefix('[')
                            .and_then(|l| l.strip_suffix(']'))
                            .ok_or_else(|| NotWritten::Layout(format!("`{name}` of `{address}` is computed (`{list}`): add the items where it is made")))?
                            .trim()
                            .trim_end_matches(',');
                        if inner.is_empty() {
                            format!("[{}]", new.join(", "))
                        } else {
                            format!("[{inner}, {}]", new.join(", "))
                        }
                    }
                };
                self.set(&file, &address, name, &joined)
            }
            IacEdit::Declare {
                kind,
                name,
                beside,
                fields,
                keep,
            } => self.declare(kind, name, beside.as_ref(), fields, keep),
            IacEdit::AddIngress { .. } | IacEdit::RemoveIngress { .. } => Err(NotWritten::NotYet(
                "security group rules are not written into Terraform yet: change the group's rules as the step says".into(),
            )),
            IacEdit::PrivateLaunches { template, .. } => {
                let (_, address) = self.declared(template.kind, &template.id)?;
                Err(NotWritten::Layout(format!(
                    "give `network_interfaces` of `{address}` `associate_public_ip_address = false` (and the group `version = {address}.latest_version`)"
                )))
            }
            IacEdit::AliasRecord { name, .. } => Err(NotWritten::Layout(format!(
                "make the record `{name}` an `alias` of the load balancer (its `dns_name` and `zone_id`)"
            ))),
        }
    }

    /// Writes nested block `name` of resource `address` in `file` anew with `lines`
    /// (`key = value`): where the block of that name is (the comments above it kept), else
    /// last. A `dynamic` block of that name is refused: the settings come from elsewhere.
    fn set_block(&mut self, file: &Path, address: &str, name: &str, lines: &[String]) -> Step {
        let draft = draft(self.drafts, file)?;
        let block = block_mut(&mut draft.body, address).ok_or_else(|| {
            NotWritten::Elsewhere(format!(
                "`{address}` is not in `{}` any more",
                file.display()
            ))
        })?;
        let is_dynamic = |b: &Block| {
            b.ident.as_str() == "dynamic" && b.labels.first().is_some_and(|l| l.as_str() == name)
        };
        if block.body.blocks().any(is_dynamic) {
            return Err(NotWritten::Layout(format!(
                "`{name}` of `{address}` is a `dynamic` block: set it where its content comes from"
            )));
        }
        let indent = indent_of(&draft.text, block);
        let text = format!(
            "{name} {{\n{}{indent}}}\n",
            lines
                .iter()
                .map(|line| format!("{indent}  {line}\n"))
                .collect::<String>()
        );
        let mut new = hcl_edit::parser::parse_body(&text)
            .map_err(|e| NotWritten::Elsewhere(format!("`{text}`: {}", e.message())))?
            .into_blocks()
            .next()
            .expect("the text is one block");
        let written = (0..block.body.len()).find(|&i| {
            block
                .body
                .get(i)
                .and_then(|s| s.as_block())
                .is_some_and(|b| b.ident.as_str() == name)
        });
        match written {
            Some(at) => {
                let old = block.body.remove(at);
                *new.decor_mut() = old.decor().clone();
                block.body.remove_blocks(name);
                block.body.insert(at, new);
            }
            None => {
                new.decor_mut().set_prefix(indent);
                block.body.push(new);
            }
        }
        Ok(())
    }

    /// Sets attribute `name` of resource `address` in `file` to `expression`: in place when
    /// it is written as a value, at the variable's default (or the `.tfvars` that sets it)
    /// when it is a root variable, added when it is absent.
    fn set(&mut self, file: &Path, address: &str, name: &str, expression: &str) -> Step {
        let new = parse(expression)?;
        let draft = draft(self.drafts, file)?;
        let indent = {
            let block = block_mut(&mut draft.body, address).ok_or_else(|| {
                NotWritten::Elsewhere(format!(
                    "`{address}` is not in `{}` any more",
                    file.display()
                ))
            })?;
            indent_of(&draft.text, block)
        };
        let block = block_mut(&mut draft.body, address).expect("found above");
        let Some(mut current) = block.body.get_attribute_mut(name) else {
            let mut attribute = Attribute::new(Ident::new(name), new);
            attribute.decor_mut().set_prefix(indent);
            block.body.push(attribute);
            return Ok(());
        };
        let value = current.value_mut();
        let text = value.to_string();
        match value {
            Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_)
            | Expression::Array(_)
            | Expression::Object(_)
            | Expression::Null(_) => {
                replace_value(value, new);
                Ok(())
            }
            Expression::Traversal(_) => {
                let variable = text.trim().strip_prefix("var.").map(str::to_owned);
                match variable {
                    Some(variable) if !variable.contains(['.', '[']) => {
                        self.set_variable(file, &variable, expression)
                    }
                    _ => Err(NotWritten::Layout(format!(
                        "`{name}` of `{address}` comes from `{}`: change it there",
                        text.trim()
                    ))),
                }
            }
            _ => Err(NotWritten::Layout(format!(
                "`{name}` of `{address}` is computed (`{}`): change it where its value comes from",
                text.trim()
            ))),
        }
    }

    /// Sets variable `variable` of the module in `file`'s directory: in the `.tfvars` that
    /// gives it a value, else at its `default`.
    fn set_variable(&mut self, file: &Path, variable: &str, expression: &str) -> Step {
        let dir = file.parent().unwrap_or(Path::new("."));
        let candidates =
            super::source::dir_files(dir).map_err(|e| NotWritten::File(e.to_string()))?;
        // A variable other attributes read too would change them as well.
        let reads: usize = candidates
            .iter()
            .filter(|p| super::source::is_tf(p))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|text| {
                text.match_indices(&format!("var.{variable}"))
                    .filter(|(at, _)| {
                        let next = text[at + 4 + variable.len()..].chars().next();
                        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    })
                    .count()
            })
            .sum();
        if reads > 1 {
            return Err(NotWritten::Layout(format!(
                "variable `{variable}` is read in {reads} places: give this attribute its own value, or change the variable where it is set"
            )));
        }
        let tfvars = candidates.iter().filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
        });
        for path in tfvars {
            let draft = draft(self.drafts, path)?;
            if let Some(mut given) = draft.body.get_attribute_mut(variable) {
                replace_value(given.value_mut(), parse(expression)?);
                return Ok(());
            }
        }
        for path in candidates.iter().filter(|p| super::source::is_tf(p)) {
            let draft = draft(self.drafts, path)?;
            let block = draft
                .body
                .get_blocks_mut("variable")
                .find(|b| b.labels.first().map(|l| l.as_str()) == Some(variable));
            if let Some(block) = block {
                let Some(mut default) = block.body.get_attribute_mut("default") else {
                    return Err(NotWritten::Layout(format!(
                        "variable `{variable}` has no default: set it where it is given (`-var`, a `.tfvars` of the pipeline)"
                    )));
                };
                replace_value(default.value_mut(), parse(expression)?);
                return Ok(());
            }
        }
        Err(NotWritten::Layout(format!(
            "variable `{variable}` is not declared beside `{}`",
            file.display()
        )))
    }

    /// Declares a resource in `hacheck.tf` beside `beside` (or mends the one of that name).
    fn declare(
        &mut self,
        kind: &str,
        name: &str,
        beside: Option<&Declared>,
        fields: &[(&'static str, IacValue)],
        keep: &[&str],
    ) -> Step {
        if let Some(read) = self.index.json_of(kind, self.region, name) {
            let (file, address) = self.declared(kind, name)?;
            for (field, value) in to_mend(fields, keep, &read) {
                let attribute = attribute(kind, field)?;
                let expression = self.expression(&file, value)?;
                self.set(&file, &address, attribute, &expression)?;
            }
            self.created.insert(self.step.clone(), (file, address));
            return Ok(());
        }
        let dir = match beside {
            Some(beside) => self
                .declared(beside.kind, &beside.id)?
                .0
                .parent()
                .map(Path::to_owned)
                .unwrap_or_default(),
            None => self
                .index
                .inventory()
                .sources
                .iter()
                .find(|s| s.file.ends_with(".tf") && !s.logical_id.starts_with("module."))
                .and_then(|s| Path::new(&s.file).parent().map(Path::to_owned))
                .ok_or_else(|| {
                    NotWritten::File("no `.tf` file of the root module was read".to_owned())
                })?,
        };
        let file = dir.join("hacheck.tf");
        let type_ = resource_type(kind)?;
        let mut local: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if local.starts_with(|c: char| c.is_ascii_digit()) {
            local.insert(0, '_');
        }
        // The name, where Terraform asks for it apart from the fields.
        let mut pairs: Vec<(&str, String)> = match kind {
            "metric_alarm" => vec![("alarm_name", hcl_string(name))],
            "scaling_policy" => vec![("name", hcl_string(name))],
            _ => Vec::new(),
        };
        for (field, value) in fields {
            pairs.push((attribute(kind, field)?, self.expression(&file, value)?));
        }
        // Aligned as `terraform fmt` aligns them.
        let width = pairs.iter().map(|(a, _)| a.len()).max().unwrap_or(0);
        let lines: Vec<String> = pairs
            .iter()
            .map(|(attribute, expression)| format!("  {attribute:width$} = {expression}"))
            .collect();
        let draft = draft(self.drafts, &file)?;
        let mut unique = local.clone();
        let mut n = 2;
        while block_mut(&mut draft.body, &format!("{type_}.{unique}")).is_some() {
            unique = format!("{local}_{n}");
            n += 1;
        }
        let separator = if draft.body.is_empty() { "" } else { "\n" };
        let text = format!(
            "{separator}resource \"{type_}\" \"{unique}\" {{\n{}\n}}\n",
            lines.join("\n")
        );
        let block = hcl_edit::parser::parse_body(&text)
            .map_err(|e| NotWritten::File(e.message().to_owned()))?;
        for structure in block.into_iter() {
            draft.body.push(structure);
        }
        self.created
            .insert(self.step.clone(), (file, format!("{type_}.{unique}")));
        Ok(())
    }
}
