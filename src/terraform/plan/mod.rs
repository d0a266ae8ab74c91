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

mod references;
use references::*;

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
    /// (module path, resource address, attribute) written as a map of references, with each
    /// key's reference: how a map several of whose values wait is resolved.
    map_references: HashMap<super::source::AttributeAt, super::source::KeyReferences>,
}

const NULL: Value = Value::Null;
const ALL_UNKNOWN: Value = Value::Bool(true);
/// How deep references are followed (outputs of outputs of variables…) before giving up.
const MAX_DEPTH: usize = 24;

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
            map_references: Default::default(),
        })
    }

    /// What the `.tf` files show of the expressions and blocks (see the `plain` and
    /// `dynamic` fields).
    pub fn with_sources(mut self, sources: &super::source::Sources) -> Plan {
        if !sources.is_empty() {
            self.plain = sources.plain_expressions().into_iter().collect();
            self.dynamic = Some(sources.dynamic_blocks().into_iter().collect());
            self.declared = sources.declared().into_iter().collect();
            self.map_references = sources.map_references().into_iter().collect();
        }
        self
    }

    /// Each key's reference of `node`'s own attribute `name`, when the `.tf` file writes it
    /// as a map of references.
    fn map_references_of(
        &self,
        node: Node<'_>,
        name: &str,
    ) -> Option<&super::source::KeyReferences> {
        let instance = &self.instances[node.instance];
        if !std::ptr::eq(node.expressions, &instance.expressions) {
            return None;
        }
        self.map_references.get(&(
            instance.config_module.clone(),
            instance.config_address(),
            name.to_owned(),
        ))
    }

    /// The values of map attribute `name`'s keys `keys` (all of them when `None`), each
    /// from the reference the `.tf` file writes for it; `None` when one is not known that
    /// way.
    fn references_by_key(
        &self,
        node: Node<'_>,
        name: &str,
        keys: Option<&[&String]>,
        wanted: &str,
    ) -> Option<Vec<(String, Resolved)>> {
        let pairs = self.map_references_of(node, name)?;
        let keys: Vec<&String> = match keys {
            Some(keys) => keys.to_vec(),
            None => pairs.iter().map(|(key, _)| key).collect(),
        };
        keys.into_iter()
            .map(|key| {
                let (_, reference) = pairs.iter().find(|(k, _)| k == key)?;
                match self.resolve_references(node, name, std::slice::from_ref(reference), wanted) {
                    value @ (Resolved::Attribute { .. } | Resolved::Known(_)) => {
                        Some((key.clone(), value))
                    }
                    _ => None,
                }
            })
            .collect()
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
                    // A map written as references, each key's known from the `.tf` file.
                    if let Some(entries) = self.references_by_key(node, name, None, wanted) {
                        return Resolved::Map(entries);
                    }
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
                    // Several wait: the `.tf` file says which reference each key takes.
                    _ => match self.references_by_key(node, name, Some(&waiting), wanted) {
                        Some(resolved) => entries.extend(resolved),
                        None => {
                            return Resolved::Unknown(format!(
                                "`{}.{name}` (known only after apply)",
                                self.instances[node.instance].address
                            ));
                        }
                    },
                }
                Resolved::Map(entries)
            }
            _ => Resolved::Known(planned.clone()),
        }
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
