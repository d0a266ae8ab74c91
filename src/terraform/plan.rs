//! A Terraform plan as `terraform show -json PLANFILE` prints it (HashiCorp's "JSON Output
//! Format", format 1.x; OpenTofu writes the same): the resource instances that will exist
//! after apply, each with its planned values and which of them are known only then, and the
//! configuration's expressions that say where those come from.
//!
//! A value known only after apply is resolved, where it can be, to the resource attribute
//! it comes from (`target_group_arns = [aws_lb_target_group.web.arn]`), across modules,
//! `count` and `for_each` instances, variables and outputs, so that references meet as they
//! will after apply. What cannot be resolved stays unknown, with the reason.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// One resource instance the plan leaves in place or creates.
#[derive(Debug)]
pub struct Instance {
    /// `module.network.aws_subnet.private["us-east-1a"]`.
    pub address: String,
    /// `module.network` (with the module's own instance keys), or empty at the root.
    pub module: String,
    /// The configuration's module path: call names joined by dots (`network`), or empty.
    pub config_module: String,
    /// `aws_subnet`.
    pub kind: String,
    pub name: String,
    /// Its `count` index or `for_each` key.
    pub key: Option<Value>,
    pub after: Value,
    pub after_unknown: Value,
    /// Its configuration's `expressions`.
    pub expressions: Value,
    /// Its `for_each` expression's references.
    for_each: Vec<String>,
}

impl Instance {
    /// `aws_subnet.private`: the address within its module, without the instance key.
    pub fn config_address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

/// What a value of the plan is.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// Known at plan time (a JSON value; null for absent).
    Known(Value),
    /// Computed by AWS and not set in the configuration: what AWS picks by default.
    Computed,
    /// Attribute `attribute` of instance `instance`, known after apply.
    Attribute {
        instance: usize,
        attribute: String,
    },
    /// A list whose items are resolved one by one.
    List(Vec<Resolved>),
    /// A map some of whose values are known only after apply.
    Map(Vec<(String, Resolved)>),
    Unknown(String),
}

/// A block (or the resource itself) of an instance: its planned values, which of them are
/// unknown, and the expressions that set them.
#[derive(Debug, Clone, Copy)]
pub struct Node<'p> {
    pub instance: usize,
    after: &'p Value,
    unknown: &'p Value,
    expressions: &'p Value,
}

impl<'p> Node<'p> {
    /// The configuration's expressions of this node (null where none are recorded).
    pub fn expressions(&self) -> &'p Value {
        self.expressions
    }

    /// What `after_unknown` says of attribute or block `name`: `true` (all of it known only
    /// after apply), a structure of flags, or null (known).
    fn unknown_flag(&self, name: &str) -> &'p Value {
        match self.unknown {
            Value::Bool(true) => &ALL_UNKNOWN,
            other => other.get(name).unwrap_or(&NULL),
        }
    }
}

/// A problem that makes a file not a plan hacheck reads.
#[derive(Debug)]
pub struct NotAPlan(pub String);

pub struct Plan {
    pub instances: Vec<Instance>,
    /// Configuration modules by path (`""`, `network`, `network.subnets`).
    modules: HashMap<String, Value>,
    variables: Map<String, Value>,
    /// Data sources read while planning, by address.
    data: HashMap<String, Value>,
    /// Instances by (module address, config address).
    by_config: HashMap<(String, String), Vec<usize>>,
    /// Whether the plan is complete (`complete: false`: a later plan will add more).
    pub complete: bool,
    /// (module path, resource address or `output.NAME`, attribute) of the expressions the
    /// `.tf` files show take whole what they reference: only these expand a reference to a
    /// resource of several instances into all of them.
    plain: std::collections::HashSet<(String, String, String)>,
    /// (module path, resource address, block) the `.tf` files write as `dynamic` blocks;
    /// `None` when no `.tf` file was read (then no block's absence can be told).
    dynamic: Option<std::collections::HashSet<(String, String, String)>>,
    /// (module path, resource address) the `.tf` files declare: a resource not among them
    /// (an uninstalled module's) is as if no `.tf` file was read.
    declared: std::collections::HashSet<(String, String)>,
}

const NULL: Value = Value::Null;
const ALL_UNKNOWN: Value = Value::Bool(true);
/// How deep references are followed (outputs of outputs of variables…) before giving up.
const MAX_DEPTH: usize = 24;

/// Parses a path of a reference: `module.network.ids[0]` → name parts and indexes.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Name(String),
    Index(Value),
}

fn parts(reference: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut rest = reference;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            let key = &inner[..end];
            let value = match key.parse::<u64>() {
                Ok(n) => Value::from(n),
                Err(_) => Value::String(key.trim_matches('"').to_owned()),
            };
            out.push(Part::Index(value));
            rest = inner.get(end + 1..).unwrap_or("");
            rest = rest.strip_prefix('.').unwrap_or(rest);
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        out.push(Part::Name(rest[..end].to_owned()));
        rest = &rest[end..];
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    out
}

/// The references of an expression worth following: not `count.index`, `each.key`, …, and
/// not one that a longer one names more precisely (`aws_lb.web` beside `aws_lb.web.arn`).
fn useful(references: &[String]) -> Vec<&str> {
    let skip = ["count.", "each.", "path.", "terraform.", "self."];
    references
        .iter()
        .map(String::as_str)
        .filter(|r| !skip.iter().any(|s| r.starts_with(s)))
        .filter(|r| {
            !references.iter().any(|longer| {
                longer.len() > r.len()
                    && longer.starts_with(r)
                    && matches!(longer.as_bytes()[r.len()], b'.' | b'[')
            })
        })
        .collect()
}

fn references_of(expression: &Value) -> Vec<String> {
    expression
        .get("references")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Splits a module address with keys (`module.a["x"].module.b`) into its calls
/// (`a["x"]`, `b`), token by token: a name may hold `module` (`app_module`), a key dots.
fn module_calls(module: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = module;
    while let Some(after) = rest.strip_prefix("module.") {
        let mut end = after.find(['.', '[']).unwrap_or(after.len());
        if after[end..].starts_with('[') {
            // Past the key, quoted strings and all.
            let mut quoted = false;
            for (i, c) in after[end..].char_indices() {
                match c {
                    '"' => quoted = !quoted,
                    ']' if !quoted => {
                        end += i + 1;
                        break;
                    }
                    _ => {}
                }
            }
        }
        out.push(after[..end].to_owned());
        rest = after[end..].strip_prefix('.').unwrap_or("");
    }
    out
}

/// `network["a"]` → `network`.
fn call_name(call: &str) -> &str {
    call.split('[').next().unwrap_or(call)
}

impl Plan {
    /// Reads the JSON of `terraform show -json` of a plan.
    pub fn read(json: &Value) -> Result<Plan, NotAPlan> {
        let version = json
            .get("format_version")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                NotAPlan("no `format_version`: not the JSON of `terraform show -json`".into())
            })?;
        if version.split('.').next() != Some("1") {
            return Err(NotAPlan(format!(
                "format version `{version}`: hacheck reads format 1.x of Terraform's JSON output"
            )));
        }
        if json.get("planned_values").is_none() {
            let what = if json.get("values").is_some() {
                "a state (`terraform show -json` without a plan file), not a plan"
            } else {
                "no `planned_values`: not a plan"
            };
            return Err(NotAPlan(what.into()));
        }
        if json.get("errored").and_then(Value::as_bool) == Some(true) {
            return Err(NotAPlan(
                "the plan errored (`errored: true`): fix the configuration and plan again".into(),
            ));
        }
        let mut modules = HashMap::new();
        if let Some(root) = json.pointer("/configuration/root_module") {
            collect_modules(root, String::new(), &mut modules);
        }
        let variables = json
            .get("variables")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut data = HashMap::new();
        if let Some(root) = json.pointer("/prior_state/values/root_module") {
            collect_data(root, &mut data);
        }
        let mut instances = Vec::new();
        for change in json
            .get("resource_changes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if change.get("mode").and_then(Value::as_str) != Some("managed") {
                continue;
            }
            let actions: Vec<&str> = change
                .pointer("/change/actions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            // What the plan deletes (and does not create again) is gone after apply.
            if actions == ["delete"] || actions == ["forget"] {
                continue;
            }
            let text = |key: &str| {
                change
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let module = text("module_address");
            let config_module = module_calls(&module)
                .iter()
                .map(|c| call_name(c).to_owned())
                .collect::<Vec<_>>()
                .join(".");
            let (kind, name) = (text("type"), text("name"));
            let config = modules.get(&config_module).and_then(|m: &Value| {
                m.get("resources")?.as_array()?.iter().find(|r| {
                    r.get("address").and_then(Value::as_str)
                        == Some(format!("{kind}.{name}").as_str())
                })
            });
            let expressions = config
                .and_then(|c| c.get("expressions"))
                .cloned()
                .unwrap_or(Value::Null);
            let for_each = config
                .and_then(|c| c.get("for_each_expression"))
                .map(references_of)
                .unwrap_or_default();
            instances.push(Instance {
                address: text("address"),
                module,
                config_module,
                kind,
                name,
                key: change.get("index").cloned(),
                after: change
                    .pointer("/change/after")
                    .cloned()
                    .unwrap_or(Value::Null),
                after_unknown: change
                    .pointer("/change/after_unknown")
                    .cloned()
                    .unwrap_or(Value::Null),
                expressions,
                for_each,
            });
        }
        let mut by_config: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (position, instance) in instances.iter().enumerate() {
            by_config
                .entry((instance.module.clone(), instance.config_address()))
                .or_default()
                .push(position);
        }
        Ok(Plan {
            instances,
            modules,
            variables,
            data,
            by_config,
            complete: json.get("complete").and_then(Value::as_bool) != Some(false),
            plain: Default::default(),
            dynamic: None,
            declared: Default::default(),
        })
    }

    /// What the `.tf` files show of the expressions and blocks (see the `plain` and
    /// `dynamic` fields).
    pub fn with_sources(mut self, sources: &super::source::Sources) -> Plan {
        if !sources.is_empty() {
            self.plain = sources.plain_expressions().into_iter().collect();
            self.dynamic = Some(sources.dynamic_blocks().into_iter().collect());
            self.declared = sources.declared().into_iter().collect();
        }
        self
    }

    fn is_plain(&self, module: &str, address: &str, attribute: &str) -> bool {
        self.plain
            .contains(&(module.to_owned(), address.to_owned(), attribute.to_owned()))
    }

    /// The instance itself, as a node whose attributes and blocks can be read.
    pub fn node(&self, instance: usize) -> Node<'_> {
        let i = &self.instances[instance];
        Node {
            instance,
            after: &i.after,
            unknown: &i.after_unknown,
            expressions: &i.expressions,
        }
    }

    /// Why blocks `name` of `node` are not known before apply: the plan knows none of them,
    /// the configuration writes none as a block, and the `.tf` file writes a `dynamic` one
    /// (or was not read: then a block's absence cannot be told from a dynamic block over a
    /// value known only at apply). `None` when [`Plan::blocks`] gives them: none written,
    /// none there (a group whose rules are resources of their own).
    pub fn unknown_blocks(&self, node: Node<'_>, name: &str) -> Option<String> {
        let instance = &self.instances[node.instance];
        let own = std::ptr::eq(node.expressions, &instance.expressions);
        let key = (instance.config_module.clone(), instance.config_address());
        let read = self.dynamic.is_some() && self.declared.contains(&key);
        let dynamic = own
            && self.dynamic.as_ref().is_some_and(|dynamic| {
                dynamic.contains(&(key.0.clone(), key.1.clone(), name.to_owned()))
            });
        // A dynamic block makes blocks of its own, beside any written ones: unknown.
        if dynamic {
            return Some(format!(
                "the `{name}` blocks a `dynamic` block of `{}` makes (known only after apply)",
                instance.address
            ));
        }
        if read {
            return None;
        }
        let flag = node.unknown_flag(name);
        let written = node
            .expressions
            .get(name)
            .and_then(Value::as_array)
            .is_some_and(|blocks| !blocks.is_empty());
        (flag == &ALL_UNKNOWN && !written).then(|| {
            format!(
                "the `{name}` blocks of `{}` (known only after apply)",
                self.instances[node.instance].address
            )
        })
    }

    /// The blocks `name` of `node`: each from the planned values, or — where the plan knows
    /// none of them before apply — from the configuration.
    pub fn blocks<'p>(&'p self, node: Node<'p>, name: &str) -> Vec<Node<'p>> {
        let unknown = node.unknown_flag(name);
        let expressions = node
            .expressions
            .get(name)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if unknown == &ALL_UNKNOWN {
            return expressions
                .iter()
                .map(|e| Node {
                    instance: node.instance,
                    after: &NULL,
                    unknown: &ALL_UNKNOWN,
                    expressions: e,
                })
                .collect();
        }
        let planned = node
            .after
            .get(name)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        planned
            .iter()
            .enumerate()
            .map(|(n, after)| Node {
                instance: node.instance,
                after,
                unknown: unknown.get(n).unwrap_or(&NULL),
                // Blocks written one by one line up with the planned ones, unless they are a
                // set, which Terraform orders its own way: with one block there is no
                // order to lose; with several, a block's value known only after apply is
                // not taken from a neighbour's expression (it is unknown instead).
                expressions: if expressions.len() == planned.len() && planned.len() == 1 {
                    &expressions[n]
                } else {
                    &NULL
                },
            })
            .collect()
    }

    /// Attribute `name` of `node`: its planned value, or where it comes from.
    pub fn attribute(&self, node: Node<'_>, name: &str) -> Resolved {
        self.attribute_wanting(node, name, "id")
    }

    /// As [`Plan::attribute`]; a reference to a whole resource (`aws_subnet.private`, as a
    /// splat or `for` makes) gives its attribute `wanted` (`id`, `arn`).
    pub fn attribute_wanting(&self, node: Node<'_>, name: &str, wanted: &str) -> Resolved {
        let flag = node.unknown_flag(name);
        let planned = node.after.get(name).unwrap_or(&NULL);
        let expression = node.expressions.get(name);
        match flag {
            Value::Bool(true) => match expression {
                Some(e) if e.get("constant_value").is_some() => {
                    Resolved::Known(e["constant_value"].clone())
                }
                Some(e) => {
                    let references = references_of(e);
                    if references.is_empty() {
                        return Resolved::Unknown(format!(
                            "`{}.{name}` (known only after apply)",
                            self.instances[node.instance].address
                        ));
                    }
                    self.resolve_references(node, name, &references, wanted)
                }
                // A block whose expressions the configuration merged into the resource's.
                None if node.expressions.is_null() => self.merged(node, name, wanted),
                None => Resolved::Computed,
            },
            // Some items of a list are known, others come from references.
            Value::Array(flags) if flags.iter().any(|f| f == &ALL_UNKNOWN) => {
                let items = planned.as_array().cloned().unwrap_or_default();
                let from = match expression {
                    Some(e) => self.resolve_references(node, name, &references_of(e), wanted),
                    None => self.merged(node, name, wanted),
                };
                let mut unknown_items = match from {
                    Resolved::List(items) => items,
                    single @ Resolved::Attribute { .. } => vec![single],
                    other => return other,
                }
                .into_iter();
                let waiting = flags.iter().filter(|f| *f == &ALL_UNKNOWN).count();
                if unknown_items.len() != waiting {
                    return Resolved::Unknown(format!(
                        "`{}.{name}` (known only after apply)",
                        self.instances[node.instance].address
                    ));
                }
                let resolved = flags
                    .iter()
                    .zip(items)
                    .map(|(flag, item)| match flag {
                        Value::Bool(true) => unknown_items.next().expect("counted"),
                        _ => Resolved::Known(item),
                    })
                    .collect();
                Resolved::List(resolved)
            }
            // A map with a value known only after apply (`dimensions = {Group = …name}`):
            // the expression's one reference, when one value waits.
            Value::Object(flags) if flags.values().any(|f| f == &ALL_UNKNOWN) => {
                let waiting: Vec<&String> = flags
                    .iter()
                    .filter(|(_, f)| *f == &ALL_UNKNOWN)
                    .map(|(k, _)| k)
                    .collect();
                let from = expression
                    .map(|e| self.resolve_references(node, name, &references_of(e), wanted));
                let mut entries: Vec<(String, Resolved)> = planned
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), Resolved::Known(v.clone())))
                    .collect();
                match (waiting.as_slice(), from) {
                    ([key], Some(value @ (Resolved::Attribute { .. } | Resolved::Known(_)))) => {
                        entries.push(((*key).clone(), value));
                    }
                    _ => {
                        return Resolved::Unknown(format!(
                            "`{}.{name}` (known only after apply)",
                            self.instances[node.instance].address
                        ));
                    }
                }
                Resolved::Map(entries)
            }
            _ => Resolved::Known(planned.clone()),
        }
    }

    /// An attribute of a block whose expressions the configuration merged into the
    /// resource's (a security group's inline `ingress`): the merged references, when this
    /// is the only block waiting for them.
    fn merged(&self, node: Node<'_>, name: &str, wanted: &str) -> Resolved {
        let instance = &self.instances[node.instance];
        let address = &instance.address;
        let unknown = || {
            Resolved::Unknown(format!(
                "`{address}`: `{name}` of a block (known only after apply)"
            ))
        };
        if !node.expressions.is_null() {
            return unknown();
        }
        // Which block attribute of the resource holds this node, and how many wait.
        for (block, expression) in instance.expressions.as_object().into_iter().flatten() {
            let Some(blocks) = instance.after_unknown.get(block).and_then(Value::as_array) else {
                continue;
            };
            let waiting = blocks
                .iter()
                .filter(|b| b.get(name) == Some(&ALL_UNKNOWN))
                .count();
            let holds = blocks.iter().any(|b| std::ptr::eq(b, node.unknown));
            // With several blocks, a group another (known) block names would be taken for
            // this one's too.
            if holds && waiting == 1 && blocks.len() == 1 && expression.get("references").is_some()
            {
                // Only group references are a rule's groups: a CIDR another block reads
                // from a variable is not.
                let only_groups = |resolved: &Resolved| match resolved {
                    Resolved::Attribute { instance, .. } => {
                        self.instances[*instance].kind == "aws_security_group"
                    }
                    Resolved::Known(Value::String(id)) => id.starts_with("sg-"),
                    _ => false,
                };
                let resolved = self.resolve_references(
                    self.node(node.instance),
                    block,
                    &references_of(expression),
                    wanted,
                );
                let all_groups = match &resolved {
                    Resolved::List(items) => items.iter().all(only_groups),
                    single => only_groups(single),
                };
                return if all_groups { resolved } else { unknown() };
            }
        }
        unknown()
    }

    /// The values the references of attribute `attribute` of `node` give, read from its
    /// instance's module.
    fn resolve_references(
        &self,
        node: Node<'_>,
        attribute: &str,
        references: &[String],
        wanted: &str,
    ) -> Resolved {
        let depth = 0;
        let instance = &self.instances[node.instance];
        // Only the resource's own attributes are known plain (a nested block's are not).
        let own = std::ptr::eq(node.expressions, &instance.expressions);
        let context = Context {
            plain: own
                && self.is_plain(
                    &instance.config_module,
                    &instance.config_address(),
                    attribute,
                ),
            module: instance.module.clone(),
            config_module: instance.config_module.clone(),
            key: instance.key.clone(),
            pairs: references
                .iter()
                .any(|r| r.starts_with("count.index") || r.starts_with("each.key")),
            each_value_of: if references.iter().any(|r| r.starts_with("each.value")) {
                instance.for_each.clone()
            } else {
                Vec::new()
            },
        };
        let useful = useful(references);
        let mut resolved: Vec<Resolved> = useful
            .iter()
            .map(|r| self.reference(&context, r, wanted, depth))
            .collect();
        match resolved.len() {
            0 => Resolved::Unknown(format!("`{}` (known only after apply)", instance.address)),
            1 => resolved.pop().expect("one"),
            _ => Resolved::List(
                resolved
                    .into_iter()
                    .flat_map(|r| match r {
                        Resolved::List(items) => items,
                        Resolved::Known(Value::Array(items)) => {
                            items.into_iter().map(Resolved::Known).collect()
                        }
                        other => vec![other],
                    })
                    .collect(),
            ),
        }
    }

    /// What one reference, read in `context`, gives.
    fn reference(
        &self,
        context: &Context,
        reference: &str,
        wanted: &str,
        depth: usize,
    ) -> Resolved {
        if depth > MAX_DEPTH {
            return Resolved::Unknown(format!("`{reference}` (references nested too deep)"));
        }
        let parts = parts(reference);
        let name = |n: usize| match parts.get(n) {
            Some(Part::Name(name)) => Some(name.as_str()),
            _ => None,
        };
        match name(0) {
            Some("var") => {
                let Some(variable) = name(1) else {
                    return Resolved::Unknown(format!("`{reference}`"));
                };
                let value = self.variable(context, variable, wanted, depth);
                index_into(value, &parts[2..])
            }
            Some("local") => Resolved::Unknown(format!(
                "`{reference}` (a local value: the plan does not record how it is made)"
            )),
            Some("data") => {
                let (Some(kind), Some(data_name)) = (name(1), name(2)) else {
                    return Resolved::Unknown(format!("`{reference}`"));
                };
                let prefix = if context.module.is_empty() {
                    String::new()
                } else {
                    format!("{}.", context.module)
                };
                let address = format!("{prefix}data.{kind}.{data_name}");
                // A data source of several instances is read by its key.
                let (address, rest) = match parts.get(3) {
                    Some(Part::Index(key)) => {
                        (format!("{address}[{}]", key_text(key)), &parts[4..])
                    }
                    _ => (address, &parts[3..]),
                };
                match self.data.get(&address) {
                    Some(values) => index_into(Resolved::Known(values.clone()), rest),
                    None => Resolved::Unknown(format!("`{reference}` (read only at apply)")),
                }
            }
            Some("module") => {
                let (Some(call), Some(output)) = (name(1), name(2)) else {
                    return Resolved::Unknown(format!("`{reference}`"));
                };
                self.output(context, call, output, wanted, depth)
                    .map_or_else(Resolved::Unknown, |value| index_into(value, &parts[3..]))
            }
            Some(kind) => {
                let Some(resource) = name(1) else {
                    return Resolved::Unknown(format!("`{reference}`"));
                };
                self.resource_reference(context, kind, resource, &parts[2..], wanted, reference)
            }
            None => Resolved::Unknown(format!("`{reference}`")),
        }
    }

    fn resource_reference(
        &self,
        context: &Context,
        kind: &str,
        resource: &str,
        rest: &[Part],
        wanted: &str,
        reference: &str,
    ) -> Resolved {
        let Some(all) = self
            .by_config
            .get(&(context.module.clone(), format!("{kind}.{resource}")))
        else {
            return Resolved::Unknown(format!(
                "`{reference}` (not among the resources the plan keeps or creates)"
            ));
        };
        let (chosen, rest): (Vec<usize>, &[Part]) = match rest.first() {
            Some(Part::Index(key)) => (
                all.iter()
                    .copied()
                    .filter(|&i| self.instances[i].key.as_ref() == Some(key))
                    .collect(),
                &rest[1..],
            ),
            _ if all.len() > 1 && context.pairs => (
                all.iter()
                    .copied()
                    .filter(|&i| self.instances[i].key == context.key)
                    .collect(),
                rest,
            ),
            _ if all.len() > 1
                && context
                    .each_value_of
                    .iter()
                    .any(|r| r == &format!("{kind}.{resource}")) =>
            {
                (
                    all.iter()
                        .copied()
                        .filter(|&i| self.instances[i].key == context.key)
                        .collect(),
                    rest,
                )
            }
            _ => (all.clone(), rest),
        };
        let attribute = match rest.first() {
            Some(Part::Name(attribute)) => attribute.as_str(),
            _ => wanted,
        };
        let one = |i: usize| {
            let planned = &self.instances[i].after;
            match (
                planned.get(attribute),
                self.instances[i].after_unknown.get(attribute),
            ) {
                (Some(value), flag) if !value.is_null() && flag != Some(&ALL_UNKNOWN) => {
                    Resolved::Known(value.clone())
                }
                _ => Resolved::Attribute {
                    instance: i,
                    attribute: attribute.to_owned(),
                },
            }
        };
        match chosen.as_slice() {
            [] => Resolved::Unknown(format!("`{reference}` (no such instance)")),
            [single] => one(*single),
            several if context.plain => Resolved::List(several.iter().map(|&i| one(i)).collect()),
            several => Resolved::Unknown(format!(
                "`{reference}` names {} instances; which of them the expression takes is in the `.tf` file (a function, a condition or a filter), not in the plan",
                several.len()
            )),
        }
    }

    /// Variable `name` of the module `context` reads in: the root's value, or what the
    /// calling module gives it.
    fn variable(&self, context: &Context, name: &str, wanted: &str, depth: usize) -> Resolved {
        if context.module.is_empty() {
            return match self.variables.get(name).and_then(|v| v.get("value")) {
                Some(value) => Resolved::Known(value.clone()),
                None => Resolved::Unknown(format!("variable `{name}` (no value in the plan)")),
            };
        }
        let (parent_module, parent_config, call) = parent(context);
        let expression = self.modules.get(&parent_config).and_then(|m| {
            m.pointer(&format!(
                "/module_calls/{}/expressions/{name}",
                call_name(&call)
            ))
        });
        match expression {
            Some(e) if e.get("constant_value").is_some() => {
                Resolved::Known(e["constant_value"].clone())
            }
            Some(e) => {
                // A module call's arguments are not read from the `.tf` files.
                let parent_context = Context::of_module(parent_module, parent_config, false);
                let references = references_of(e);
                let useful = useful(&references);
                match useful.as_slice() {
                    [one] => self.reference(&parent_context, one, wanted, depth + 1),
                    _ => Resolved::Unknown(format!(
                        "variable `{name}` of `{}` (made of several values)",
                        context.module
                    )),
                }
            }
            // Not given: its default, which the configuration does not record.
            None => Resolved::Unknown(format!(
                "variable `{name}` of `{}` (its default is not in the plan)",
                context.module
            )),
        }
    }

    /// Output `output` of module call `call` made from `context`.
    fn output(
        &self,
        context: &Context,
        call: &str,
        output: &str,
        wanted: &str,
        depth: usize,
    ) -> Result<Resolved, String> {
        let child_config = if context.config_module.is_empty() {
            call.to_owned()
        } else {
            format!("{}.{call}", context.config_module)
        };
        let expression = self
            .modules
            .get(&child_config)
            .and_then(|m| m.pointer(&format!("/outputs/{output}/expression")))
            .ok_or_else(|| format!("output `{output}` of module `{call}` (not in the plan)"))?;
        if let Some(value) = expression.get("constant_value") {
            return Ok(Resolved::Known(value.clone()));
        }
        let prefix = if context.module.is_empty() {
            String::new()
        } else {
            format!("{}.", context.module)
        };
        let child_module = format!("{prefix}module.{call}");
        let plain = self.is_plain(&child_config, &format!("output.{output}"), "value");
        let child = Context::of_module(child_module, child_config, plain);
        let references = references_of(expression);
        let resolved: Vec<Resolved> = useful(&references)
            .iter()
            .map(|r| self.reference(&child, r, wanted, depth + 1))
            .collect();
        Ok(match resolved.len() {
            1 => resolved.into_iter().next().expect("one"),
            _ => Resolved::Unknown(format!(
                "output `{output}` of module `{call}` (made of several values)"
            )),
        })
    }
}

/// The module a reference is read in, and what it pairs with.
struct Context {
    module: String,
    config_module: String,
    /// The referring expression takes whole what it references (see `Plan::plain`).
    plain: bool,
    /// The referring instance's key.
    key: Option<Value>,
    /// The expression indexes by `count.index` or `each.key`: a reference to a resource of
    /// several instances means the one with the same key.
    pairs: bool,
    /// The referring resource's `for_each` references, when the expression reads
    /// `each.value` (`for_each = aws_subnet.private` then `each.value.id`).
    each_value_of: Vec<String>,
}

impl Context {
    /// An expression of a module itself (an output, a call's argument): no instance to pair.
    fn of_module(module: String, config_module: String, plain: bool) -> Context {
        Context {
            module,
            config_module,
            plain,
            key: None,
            pairs: false,
            each_value_of: Vec::new(),
        }
    }
}

/// The calling module of `context`: (its address, its configuration path, the call).
fn parent(context: &Context) -> (String, String, String) {
    let mut calls = module_calls(&context.module);
    let call = calls.pop().unwrap_or_default();
    let module = calls
        .iter()
        .map(|c| format!("module.{c}"))
        .collect::<Vec<_>>()
        .join(".");
    let mut config: Vec<&str> = context.config_module.split('.').collect();
    config.pop();
    (module, config.join("."), call)
}

/// A key as an address writes it: `0`, `"a"`.
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn index_value(value: &Value, index: &Value) -> Value {
    match (value, index) {
        (Value::Array(items), Value::Number(n)) => n
            .as_u64()
            .and_then(|n| items.get(n as usize))
            .cloned()
            .unwrap_or(Value::Null),
        (Value::Object(map), Value::String(key)) => map.get(key).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// `value[index]…` for the parts after a variable or an output.
fn index_into(value: Resolved, rest: &[Part]) -> Resolved {
    let Some(first) = rest.first() else {
        return value;
    };
    match (value, first) {
        (Resolved::Known(known), _) => {
            let mut value = known;
            for part in rest {
                value = match part {
                    Part::Name(n) => value.get(n).cloned().unwrap_or(Value::Null),
                    Part::Index(i) => index_value(&value, i),
                };
                if value.is_null() {
                    return Resolved::Unknown(format!(
                        "a part of a value that has none ({part:?})"
                    ));
                }
            }
            Resolved::Known(value)
        }
        (Resolved::List(items), Part::Index(Value::Number(n))) => n
            .as_u64()
            .and_then(|n| items.into_iter().nth(n as usize))
            .map_or(
                Resolved::Unknown("an index past the list's end".into()),
                |item| index_into(item, &rest[1..]),
            ),
        (other @ Resolved::Unknown(_), _) => other,
        (_, _) => Resolved::Unknown("a part of a value known only after apply".into()),
    }
}

fn collect_modules(module: &Value, path: String, out: &mut HashMap<String, Value>) {
    if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            if let Some(child) = call.get("module") {
                let child_path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                collect_modules(child, child_path, out);
            }
        }
    }
    out.insert(path, module.clone());
}

fn collect_data(module: &Value, out: &mut HashMap<String, Value>) {
    for resource in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if resource.get("mode").and_then(Value::as_str) == Some("data")
            && let (Some(address), Some(values)) = (
                resource.get("address").and_then(Value::as_str),
                resource.get("values"),
            )
        {
            out.insert(address.to_owned(), values.clone());
        }
    }
    for child in module
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_data(child, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_split_into_names_and_keys() {
        assert_eq!(
            parts("module.net.ids[0]"),
            vec![
                Part::Name("module".into()),
                Part::Name("net".into()),
                Part::Name("ids".into()),
                Part::Index(Value::from(0u64)),
            ]
        );
        assert_eq!(
            parts("aws_subnet.private[\"us-east-1a\"].id"),
            vec![
                Part::Name("aws_subnet".into()),
                Part::Name("private".into()),
                Part::Index(Value::from("us-east-1a")),
                Part::Name("id".into()),
            ]
        );
    }

    #[test]
    fn module_addresses_are_split_by_token() {
        assert_eq!(
            module_calls("module.app_module.module.db"),
            ["app_module", "db"]
        );
        assert_eq!(
            module_calls("module.net[\"a.b\"].module.x"),
            ["net[\"a.b\"]", "x"]
        );
        assert!(module_calls("").is_empty());
    }

    #[test]
    fn the_most_precise_reference_is_followed() {
        let refs: Vec<String> = ["aws_lb.web.arn", "aws_lb.web", "count.index", "aws_lb.webx"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(useful(&refs), ["aws_lb.web.arn", "aws_lb.webx"]);
    }
}
