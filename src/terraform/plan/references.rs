//! Resolving a value known only after apply: references of the configuration's expressions
//! followed to the resource attribute, variable, output or data source they name, across
//! modules and `count`/`for_each` instances.

use std::collections::HashMap;

use serde_json::Value;

use super::*;

/// Parses a path of a reference: `module.network.ids[0]` → name parts and indexes.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Part {
    Name(String),
    Index(Value),
}

pub(super) fn parts(reference: &str) -> Vec<Part> {
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
pub(super) fn useful(references: &[String]) -> Vec<&str> {
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

pub(super) fn references_of(expression: &Value) -> Vec<String> {
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
pub(super) fn module_calls(module: &str) -> Vec<String> {
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
pub(super) fn call_name(call: &str) -> &str {
    call.split('[').next().unwrap_or(call)
}

impl Plan {
    /// An attribute of a block whose expressions the configuration merged into the
    /// resource's (a security group's inline `ingress`): the merged references, when this
    /// is the only block waiting for them.
    pub(super) fn merged(&self, node: Node<'_>, name: &str, wanted: &str) -> Resolved {
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
    pub(super) fn resolve_references(
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
    pub(super) fn reference(
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
                index_into(
                    self.output(context, call, output, wanted, depth),
                    &parts[3..],
                )
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

    pub(super) fn resource_reference(
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
    pub(super) fn variable(
        &self,
        context: &Context,
        name: &str,
        wanted: &str,
        depth: usize,
    ) -> Resolved {
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
    pub(super) fn output(
        &self,
        context: &Context,
        call: &str,
        output: &str,
        wanted: &str,
        depth: usize,
    ) -> Resolved {
        let child_config = if context.config_module.is_empty() {
            call.to_owned()
        } else {
            format!("{}.{call}", context.config_module)
        };
        let Some(expression) = self
            .modules
            .get(&child_config)
            .and_then(|m| m.pointer(&format!("/outputs/{output}/expression")))
        else {
            return Resolved::Unknown(format!(
                "output `{output}` of module `{call}` (not in the plan)"
            ));
        };
        if let Some(value) = expression.get("constant_value") {
            return Resolved::Known(value.clone());
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
        match resolved.len() {
            1 => resolved.into_iter().next().expect("one"),
            _ => Resolved::Unknown(format!(
                "output `{output}` of module `{call}` (made of several values)"
            )),
        }
    }
}

/// The module a reference is read in, and what it pairs with.
pub(super) struct Context {
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
    pub(super) fn of_module(module: String, config_module: String, plain: bool) -> Context {
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
pub(super) fn parent(context: &Context) -> (String, String, String) {
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
pub(super) fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

pub(super) fn index_value(value: &Value, index: &Value) -> Value {
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
pub(super) fn index_into(value: Resolved, rest: &[Part]) -> Resolved {
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

pub(super) fn collect_modules(module: &Value, path: String, out: &mut HashMap<String, Value>) {
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

pub(super) fn collect_data(module: &Value, out: &mut HashMap<String, Value>) {
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
