//! The intrinsic functions of CloudFormation, evaluated before deploy.
//!
//! A value is known, or `Unknown` with the input it waits for (a parameter nobody gave, an
//! export no loaded template declares, an SSM parameter): unknowns propagate through every
//! function, so a rule can say "unknown" rather than guess. What AWS assigns at deploy and
//! no rule decides on — ids, ARNs, DNS names, addresses — is synthesised from the logical
//! id, consistently, so that references between resources still meet (a record aliasing
//! `!GetAtt Lb.DNSName` finds that load balancer).

pub(super) mod deploy;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use super::yaml::{Node, Pos, Spanned};

/// A value known only at deploy, where a known one was wanted: why, naming the missing
/// input (what [`Value::Unknown`] holds).
#[derive(Debug, Clone, PartialEq)]
pub struct NotKnown(pub String);

/// An evaluated value. Scalars stay text: CloudFormation reads `"true"`, `true` and `"2"`
/// by the property's type, and so do the converters.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
    /// Not known before deploy: why, naming the missing input.
    Unknown(String),
    /// `!Ref AWS::NoValue`: the property is removed.
    Absent,
}

impl Value {
    /// The first reason a part of the value is not known before deploy.
    pub fn waiting(&self) -> Option<&str> {
        match self {
            Value::Unknown(reason) => Some(reason),
            Value::List(items) => items.iter().find_map(Value::waiting),
            Value::Map(entries) => entries.iter().find_map(|(_, v)| v.waiting()),
            _ => None,
        }
    }

    /// The value as JSON, as `Fn::ToJsonString` writes it (a known value).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(text) => serde_json::Value::String(text.clone()),
            Value::List(items) => items.iter().map(Value::to_json).collect(),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            Value::Null | Value::Unknown(_) | Value::Absent => serde_json::Value::Null,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The first unknown input anywhere in the value.
    pub fn unknown(&self) -> Option<&str> {
        match self {
            Value::Unknown(reason) => Some(reason),
            Value::List(items) => items.iter().find_map(Value::unknown),
            Value::Map(entries) => entries.iter().find_map(|(_, v)| v.unknown()),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, v)| k == key && *v != Value::Absent)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }
}

/// A template's error: where, and what (one line).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub pos: Pos,
    pub message: String,
}

pub type EvalResult = Result<Value, EvalError>;

fn error(pos: Pos, message: impl Into<String>) -> EvalError {
    EvalError {
        pos,
        message: message.into(),
    }
}

/// One loaded template: its document and the values of its parameters.
/// A value a front end other than CloudFormation's (a Terraform plan) knows only after
/// deploy: `{Hacheck::Unknown: reason}` evaluates to unknown, for that reason.
pub const UNKNOWN: &str = "Hacheck::Unknown";

pub struct Stack {
    pub path: PathBuf,
    pub name: String,
    pub doc: Spanned,
    /// The template's `Transform`s (macros CloudFormation expands at deploy).
    pub transforms: Vec<String>,
    /// Why every verdict on the template waits (a transform hacheck does not apply, a loop
    /// over an unknown list); `None` when it is all read.
    pub opaque: Option<String>,
    pub parameters: HashMap<String, Value>,
    /// Logical id → the physical id hacheck gives it (unique across the loaded stacks).
    pub physical: HashMap<String, String>,
    /// Logical id → what `Ref` of it gives, where AWS assigned it already (a resource a
    /// Terraform plan keeps): its id, ARN or name.
    pub assigned: HashMap<String, String>,
}

impl Stack {
    /// What a reference to `name`, which the template does not declare, reads as when a
    /// transform makes resources of its own (SAM's `MyFunctionRole`, `ServerlessRestApi`):
    /// unknown, naming the transform. `None` without such a transform.
    fn made_by_transform(&self, name: &str) -> Option<Value> {
        self.transforms
            .iter()
            .find(|t| *t == crate::template::SERVERLESS)
            .map(|t| Value::Unknown(format!("`{name}`, which transform `{t}` makes at deploy")))
    }

    pub fn resource(&self, logical: &str) -> Option<&Spanned> {
        self.doc.get("Resources")?.get(logical)
    }

    pub fn resource_type(&self, logical: &str) -> Option<&str> {
        self.resource(logical)?.get("Type")?.as_str()
    }
}

/// What a template is evaluated in: the region, the account, the stacks loaded together
/// (their exports meet their imports).
pub struct World {
    pub region: String,
    pub account: String,
    pub stacks: Vec<Stack>,
    /// Export name → (stack, output's value node).
    exports: HashMap<String, (usize, Spanned)>,
    conditions: RefCell<HashMap<(usize, String), Value>>,
    /// What is being evaluated: a reference back into it is circular.
    visiting: RefCell<Vec<String>>,
}

/// A placeholder account for `AWS::AccountId` when none is given.
pub const PLACEHOLDER_ACCOUNT: &str = "123456789012";

impl World {
    pub fn new(
        region: String,
        account: String,
        stacks: Vec<Stack>,
    ) -> Result<World, (usize, EvalError)> {
        let mut world = World {
            region,
            account,
            stacks,
            exports: HashMap::new(),
            conditions: RefCell::new(HashMap::new()),
            visiting: RefCell::new(Vec::new()),
        };
        let mut exports = HashMap::new();
        for (index, stack) in world.stacks.iter().enumerate() {
            let Some(outputs) = stack.doc.get("Outputs") else {
                continue;
            };
            for output in outputs.entries() {
                let Some(name) = output.value.get("Export").and_then(|e| e.get("Name")) else {
                    continue;
                };
                let name = match world.eval(index, name) {
                    Ok(Value::Text(name)) => name,
                    Ok(_) => continue,
                    Err(e) => return Err((index, e)),
                };
                if let Some(value) = output.value.get("Value") {
                    exports.insert(name, (index, value.clone()));
                }
            }
        }
        world.exports = exports;
        Ok(world)
    }

    fn enter<T>(
        &self,
        key: String,
        pos: Pos,
        body: impl FnOnce() -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        if self.visiting.borrow().contains(&key) {
            let mut chain = self.visiting.borrow().clone();
            let start = chain.iter().position(|k| *k == key).unwrap_or(0);
            chain.drain(..start);
            chain.push(key);
            return Err(error(
                pos,
                format!("circular reference: {}", chain.join(" → ")),
            ));
        }
        self.visiting.borrow_mut().push(key);
        let result = body();
        self.visiting.borrow_mut().pop();
        result
    }

    /// Evaluates `node` in stack `stack`.
    pub fn eval(&self, stack: usize, node: &Spanned) -> EvalResult {
        match &node.node {
            Node::Scalar { .. } if node.is_null() => Ok(Value::Null),
            Node::Scalar { text, .. } => Ok(Value::Text(text.clone())),
            Node::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    match self.eval(stack, item)? {
                        Value::Absent => {}
                        value => out.push(value),
                    }
                }
                Ok(Value::List(out))
            }
            Node::Map(entries) => {
                if let [entry] = entries.as_slice()
                    && entry.key == UNKNOWN
                {
                    return Ok(Value::Unknown(
                        entry.value.as_str().unwrap_or_default().to_owned(),
                    ));
                }
                if let [entry] = entries.as_slice()
                    && (entry.key == "Ref"
                        || entry.key.starts_with("Fn::")
                        || entry.key == "Condition"
                            && matches!(entry.value.node, Node::Scalar { .. })
                            && self.is_condition_context(stack, &entry.value))
                {
                    return self.function(stack, &entry.key, &entry.value, entry.key_pos);
                }
                let mut out = Vec::new();
                for entry in entries {
                    match self.eval(stack, &entry.value)? {
                        Value::Absent => {}
                        value => out.push((entry.key.clone(), value)),
                    }
                }
                Ok(Value::Map(out))
            }
        }
    }

    /// `{Condition: Name}` is a function only where a condition is meant (inside another
    /// condition function); elsewhere `Condition` may be a plain key.
    fn is_condition_context(&self, stack: usize, name: &Spanned) -> bool {
        name.as_str().is_some_and(|n| {
            self.stacks[stack]
                .doc
                .get("Conditions")
                .and_then(|c| c.get(n))
                .is_some()
        })
    }

    fn text_arg(
        &self,
        stack: usize,
        node: &Spanned,
        function: &str,
    ) -> Result<Result<String, NotKnown>, EvalError> {
        match self.eval(stack, node)? {
            Value::Text(text) => Ok(Ok(text)),
            Value::Unknown(reason) => Ok(Err(NotKnown(reason))),
            _ => Err(error(node.pos, format!("`{function}` needs a string here"))),
        }
    }

    fn args<'n>(
        &self,
        node: &'n Spanned,
        function: &str,
        count: usize,
    ) -> Result<&'n [Spanned], EvalError> {
        match &node.node {
            Node::Seq(items) if items.len() == count => Ok(items),
            _ => Err(error(
                node.pos,
                format!("`{function}` takes a list of {count}"),
            )),
        }
    }

    fn function(&self, stack: usize, name: &str, arg: &Spanned, pos: Pos) -> EvalResult {
        macro_rules! known {
            ($value:expr) => {
                match $value {
                    Ok(v) => v,
                    Err(NotKnown(reason)) => return Ok(Value::Unknown(reason)),
                }
            };
        }
        match name {
            "Ref" => {
                let target = arg
                    .as_str()
                    .ok_or_else(|| error(arg.pos, "`Ref` takes a name"))?;
                self.reference(stack, target, arg.pos)
            }
            "Condition" => {
                let target = arg
                    .as_str()
                    .ok_or_else(|| error(arg.pos, "`Condition` takes a name"))?;
                self.condition(stack, target, arg.pos)
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = match &arg.node {
                    Node::Seq(items) if items.len() == 2 => {
                        let resource = items[0]
                            .as_str()
                            .ok_or_else(|| error(arg.pos, "`Fn::GetAtt` takes a resource name"))?;
                        let attribute = known!(self.text_arg(stack, &items[1], name)?);
                        (resource.to_owned(), attribute)
                    }
                    Node::Scalar { text, .. } => match text.split_once('.') {
                        Some((r, a)) => (r.to_owned(), a.to_owned()),
                        None => {
                            return Err(error(arg.pos, "`Fn::GetAtt` takes `Resource.Attribute`"));
                        }
                    },
                    _ => return Err(error(arg.pos, "`Fn::GetAtt` takes [resource, attribute]")),
                };
                self.attribute(stack, &resource, &attribute, arg.pos)
            }
            "Fn::Sub" => {
                let (template, variables) = match &arg.node {
                    Node::Scalar { text, .. } => (text.clone(), Vec::new()),
                    Node::Seq(items) if items.len() == 2 => {
                        let text = items[0]
                            .as_str()
                            .ok_or_else(|| error(items[0].pos, "`Fn::Sub` takes a string"))?;
                        let mut variables = Vec::new();
                        for entry in items[1].entries() {
                            variables.push((entry.key.clone(), self.eval(stack, &entry.value)?));
                        }
                        (text.to_owned(), variables)
                    }
                    _ => {
                        return Err(error(
                            arg.pos,
                            "`Fn::Sub` takes a string or [string, variables]",
                        ));
                    }
                };
                self.substitute(stack, &template, &variables, arg.pos)
            }
            "Fn::Join" => {
                let items = self.args(arg, name, 2)?;
                let separator = known!(self.text_arg(stack, &items[0], name)?);
                let parts = match self.eval(stack, &items[1])? {
                    Value::List(parts) => parts,
                    Value::Unknown(reason) => return Ok(Value::Unknown(reason)),
                    _ => return Err(error(items[1].pos, "`Fn::Join` joins a list")),
                };
                let mut texts = Vec::new();
                for part in parts {
                    match part {
                        Value::Text(text) => texts.push(text),
                        Value::Unknown(reason) => return Ok(Value::Unknown(reason)),
                        _ => return Err(error(items[1].pos, "`Fn::Join` joins strings")),
                    }
                }
                Ok(Value::Text(texts.join(&separator)))
            }
            "Fn::Select" => {
                let items = self.args(arg, name, 2)?;
                let index = known!(self.text_arg(stack, &items[0], name)?);
                let index: usize = index.parse().map_err(|_| {
                    error(
                        items[0].pos,
                        format!("`Fn::Select` index `{index}` is not a number"),
                    )
                })?;
                let of_zones = items[1].get("Fn::GetAZs").is_some();
                match self.eval(stack, &items[1])? {
                    Value::List(list) if of_zones && index >= list.len() => {
                        Ok(Value::Unknown(format!(
                            "zone {} of the region (how many zones an account sees is known only to it)",
                            index + 1
                        )))
                    }
                    Value::List(list) => list.get(index).cloned().ok_or_else(|| {
                        error(
                            items[1].pos,
                            format!(
                                "`Fn::Select` index {index} is past the list's {} items",
                                list.len()
                            ),
                        )
                    }),
                    Value::Unknown(reason) => Ok(Value::Unknown(reason)),
                    _ => Err(error(items[1].pos, "`Fn::Select` selects from a list")),
                }
            }
            "Fn::Split" => {
                let items = self.args(arg, name, 2)?;
                let separator = known!(self.text_arg(stack, &items[0], name)?);
                let text = known!(self.text_arg(stack, &items[1], name)?);
                Ok(Value::List(
                    text.split(separator.as_str())
                        .map(|s| Value::Text(s.to_owned()))
                        .collect(),
                ))
            }
            "Fn::Base64" => self.eval(stack, arg),
            "Fn::GetAZs" => {
                // A bare `!GetAZs` (YAML's null) is the template's own region, as `""` is.
                let bare = matches!(&arg.node, Node::Scalar { text, plain: true } if text.is_empty() || text == "~" || text == "null");
                let region = if bare {
                    String::new()
                } else {
                    known!(self.text_arg(stack, arg, name)?)
                };
                let region = if region.is_empty() {
                    self.region.clone()
                } else {
                    region
                };
                // Which zones an account sees is known only to it; that the first ones
                // differ is what templates use. Two for us-west-1 (most accounts there see
                // two), three elsewhere; `!Select` past them waits for the account.
                let known = if region == "us-west-1" { 2 } else { 3 };
                Ok(Value::List(
                    ["a", "b", "c"][..known]
                        .iter()
                        .map(|zone| Value::Text(format!("{region}{zone}")))
                        .collect(),
                ))
            }
            "Fn::ImportValue" => {
                let export = known!(self.text_arg(stack, arg, name)?);
                match self.exports.get(&export) {
                    Some((from, value)) => {
                        self.enter(format!("export {export}"), pos, || self.eval(*from, value))
                    }
                    None => Ok(Value::Unknown(format!(
                        "export `{export}` (imported, and no loaded template exports it)"
                    ))),
                }
            }
            "Fn::FindInMap" => {
                let items = match &arg.node {
                    Node::Seq(items) if items.len() == 3 || items.len() == 4 => items,
                    _ => return Err(error(arg.pos, "`Fn::FindInMap` takes [map, key, key]")),
                };
                let map = known!(self.text_arg(stack, &items[0], name)?);
                let top = known!(self.text_arg(stack, &items[1], name)?);
                let second = known!(self.text_arg(stack, &items[2], name)?);
                let found = self.stacks[stack]
                    .doc
                    .get("Mappings")
                    .and_then(|m| m.get(&map))
                    .and_then(|m| m.get(&top))
                    .and_then(|m| m.get(&second));
                match (found, items.get(3)) {
                    (Some(node), _) => self.eval(stack, node),
                    (None, Some(default)) => {
                        self.eval(stack, default.get("DefaultValue").unwrap_or(default))
                    }
                    (None, None) => Err(error(
                        arg.pos,
                        format!("mapping `{map}` has no `{top}` → `{second}`"),
                    )),
                }
            }
            "Fn::If" => {
                let items = self.args(arg, name, 3)?;
                let condition = items[0]
                    .as_str()
                    .ok_or_else(|| error(items[0].pos, "`Fn::If` takes a condition name"))?;
                match self.condition(stack, condition, items[0].pos)? {
                    Value::Text(t) if t == "true" => self.eval(stack, &items[1]),
                    Value::Text(_) => self.eval(stack, &items[2]),
                    unknown => Ok(unknown),
                }
            }
            "Fn::Equals" => {
                let items = self.args(arg, name, 2)?;
                let a = self.eval(stack, &items[0])?;
                let b = self.eval(stack, &items[1])?;
                if let Some(reason) = a.unknown().or(b.unknown()) {
                    return Ok(Value::Unknown(reason.to_owned()));
                }
                Ok(boolean(a == b))
            }
            "Fn::And" | "Fn::Or" => {
                let items = match &arg.node {
                    Node::Seq(items) if !items.is_empty() => items,
                    _ => {
                        return Err(error(
                            arg.pos,
                            format!("`{name}` takes a list of conditions"),
                        ));
                    }
                };
                let mut unknown = None;
                for item in items {
                    match self.eval(stack, item)? {
                        Value::Text(t) if (t == "true") == (name == "Fn::Or") => {
                            return Ok(boolean(name == "Fn::Or"));
                        }
                        Value::Text(_) => {}
                        Value::Unknown(reason) => unknown = unknown.or(Some(reason)),
                        _ => return Err(error(item.pos, format!("`{name}` takes conditions"))),
                    }
                }
                Ok(unknown.map_or(boolean(name == "Fn::And"), Value::Unknown))
            }
            "Fn::Not" => {
                let items = self.args(arg, name, 1)?;
                match self.eval(stack, &items[0])? {
                    Value::Text(t) => Ok(boolean(t != "true")),
                    other => Ok(other),
                }
            }
            "Fn::Length" => match self.eval(stack, arg)? {
                Value::List(items) => Ok(Value::Text(items.len().to_string())),
                Value::Unknown(reason) => Ok(Value::Unknown(reason)),
                _ => Err(error(arg.pos, "`Fn::Length` takes a list")),
            },
            "Fn::ToJsonString" => {
                let value = self.eval(stack, arg)?;
                Ok(match value.waiting() {
                    Some(reason) => Value::Unknown(reason.to_owned()),
                    None => Value::Text(value.to_json().to_string()),
                })
            }
            "Fn::Cidr" | "Fn::Transform" => Ok(Value::Unknown(format!(
                "`{name}` (hacheck does not evaluate it)"
            ))),
            other => Err(error(pos, format!("unknown function `{other}`"))),
        }
    }

    /// The value of condition `name` (`true`, `false` or unknown); an error when the
    /// template declares none by that name.
    pub fn condition(&self, stack: usize, name: &str, pos: Pos) -> EvalResult {
        if let Some(value) = self.conditions.borrow().get(&(stack, name.to_owned())) {
            return Ok(value.clone());
        }
        let node = self.stacks[stack]
            .doc
            .get("Conditions")
            .and_then(|c| c.get(name))
            .ok_or_else(|| error(pos, format!("no condition `{name}`")))?;
        let value = self.enter(format!("condition {name}"), pos, || self.eval(stack, node))?;
        let value = match value {
            Value::Text(t) if t == "true" || t == "false" => Value::Text(t),
            Value::Unknown(reason) => Value::Unknown(reason),
            _ => {
                return Err(error(
                    node.pos,
                    format!("condition `{name}` is not true or false"),
                ));
            }
        };
        self.conditions
            .borrow_mut()
            .insert((stack, name.to_owned()), value.clone());
        Ok(value)
    }

    /// `${Name}`, `${Resource.Attribute}` and `${!Literal}` in `template`.
    fn substitute(
        &self,
        stack: usize,
        template: &str,
        variables: &[(String, Value)],
        pos: Pos,
    ) -> EvalResult {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| error(pos, "`Fn::Sub` has a `${` without `}`"))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let value = match variables.iter().find(|(k, _)| k == name) {
                    Some((_, value)) => value.clone(),
                    None => match name.split_once('.') {
                        Some((resource, attribute)) if !name.starts_with("AWS::") => {
                            self.attribute(stack, resource, attribute, pos)?
                        }
                        _ => self.reference(stack, name, pos)?,
                    },
                };
                match value {
                    Value::Text(text) => out.push_str(&text),
                    Value::Unknown(reason) => return Ok(Value::Unknown(reason)),
                    Value::List(items) => {
                        let texts: Vec<&str> = items.iter().filter_map(Value::text).collect();
                        out.push_str(&texts.join(","));
                    }
                    _ => return Err(error(pos, format!("`${{{name}}}` is not a string"))),
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(Value::Text(out))
    }

    /// `Ref`: a parameter's value, a pseudo parameter, or a resource's physical id.
    pub fn reference(&self, stack: usize, name: &str, pos: Pos) -> EvalResult {
        let here = &self.stacks[stack];
        match name {
            "AWS::Region" => return Ok(Value::Text(self.region.clone())),
            "AWS::AccountId" => return Ok(Value::Text(self.account.clone())),
            "AWS::Partition" => return Ok(Value::Text("aws".into())),
            "AWS::URLSuffix" => return Ok(Value::Text("amazonaws.com".into())),
            "AWS::StackName" => return Ok(Value::Text(here.name.clone())),
            "AWS::StackId" => {
                return Ok(Value::Text(format!(
                    "arn:aws:cloudformation:{}:{}:stack/{}/template",
                    self.region, self.account, here.name
                )));
            }
            "AWS::NotificationARNs" => return Ok(Value::List(Vec::new())),
            "AWS::NoValue" => return Ok(Value::Absent),
            _ => {}
        }
        if let Some(value) = here.parameters.get(name) {
            return Ok(value.clone());
        }
        let Some(kind) = here.resource_type(name) else {
            if let Some(made) = here.made_by_transform(name) {
                return Ok(made);
            }
            return Err(error(
                pos,
                format!("`Ref` to `{name}`, which is neither a parameter nor a resource"),
            ));
        };
        let kind = kind.to_owned();
        self.enter(name.to_owned(), pos, || {
            deploy::reference(self, stack, name, &kind)
        })
    }

    /// `Fn::GetAtt`: what hacheck knows of a resource's attribute.
    pub fn attribute(&self, stack: usize, resource: &str, attribute: &str, pos: Pos) -> EvalResult {
        let Some(kind) = self.stacks[stack].resource_type(resource) else {
            if let Some(made) = self.stacks[stack].made_by_transform(resource) {
                return Ok(made);
            }
            return Err(error(
                pos,
                format!("`Fn::GetAtt` of `{resource}`, which is not a resource"),
            ));
        };
        let kind = kind.to_owned();
        self.enter(format!("{resource}.{attribute}"), pos, || {
            deploy::attribute(self, stack, resource, &kind, attribute)
        })
    }

    /// Evaluates the property `name` of resource `logical`, `None` when it is absent.
    pub fn property(
        &self,
        stack: usize,
        logical: &str,
        name: &str,
    ) -> Result<Option<Value>, EvalError> {
        let node = self.stacks[stack]
            .resource(logical)
            .and_then(|r| r.get("Properties"))
            .and_then(|p| p.get(name));
        match node {
            None => Ok(None),
            Some(node) => match self.eval(stack, node)? {
                Value::Absent | Value::Null => Ok(None),
                value => Ok(Some(value)),
            },
        }
    }
}

fn boolean(value: bool) -> Value {
    Value::Text(if value { "true" } else { "false" }.to_owned())
}

/// A parameter's value: given, else its default, else unknown. `List<…>` and
/// `CommaDelimitedList` types split on commas; SSM types are resolved at deploy.
pub fn parameter_value(
    name: &str,
    declaration: &Spanned,
    given: Option<&str>,
) -> Result<Value, EvalError> {
    let kind = declaration
        .get("Type")
        .and_then(Spanned::as_str)
        .unwrap_or("String");
    // The value given for an SSM type is the parameter's name, not its value.
    if kind.starts_with("AWS::SSM::Parameter::") {
        return Ok(Value::Unknown(format!(
            "parameter `{name}` (read from SSM Parameter Store at deploy)"
        )));
    }
    let text = match given {
        Some(text) => text.to_owned(),
        None => match declaration.get("Default") {
            Some(default) => match &default.node {
                Node::Scalar { text, .. } => text.clone(),
                Node::Seq(items) => items
                    .iter()
                    .filter_map(Spanned::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                Node::Map(_) => {
                    return Err(error(
                        default.pos,
                        format!("parameter `{name}` has a default that is not a value"),
                    ));
                }
            },
            None => {
                return Ok(Value::Unknown(format!(
                    "parameter `{name}` (no default, no value given)"
                )));
            }
        },
    };
    let list = kind.starts_with("List<") || kind == "CommaDelimitedList";
    if let Some(allowed) = declaration.get("AllowedValues")
        && let Node::Seq(values) = &allowed.node
    {
        // A list's items are each held to the allowed values, as CloudFormation does.
        let items: Vec<&str> = if list {
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            vec![text.as_str()]
        };
        if let Some(bad) = items
            .iter()
            .find(|item| !values.iter().any(|v| v.as_str() == Some(**item)))
        {
            return Err(error(
                allowed.pos,
                format!("parameter `{name}` is `{bad}`, not one of its AllowedValues"),
            ));
        }
    }
    if list {
        let items = if text.is_empty() {
            Vec::new()
        } else {
            text.split(',')
                .map(|s| Value::Text(s.trim().to_owned()))
                .collect()
        };
        return Ok(Value::List(items));
    }
    Ok(Value::Text(text))
}

/// For tests and converters: a value's items as text, or the first unknown.
pub fn texts(value: &Value) -> Result<Vec<String>, NotKnown> {
    match value {
        Value::Unknown(reason) => Err(NotKnown(reason.clone())),
        Value::Text(text) => Ok(vec![text.clone()]),
        Value::List(items) => items
            .iter()
            .map(|item| match item {
                Value::Text(text) => Ok(text.clone()),
                Value::Unknown(reason) => Err(NotKnown(reason.clone())),
                _ => Ok(String::new()),
            })
            .filter(|item| !matches!(item, Ok(text) if text.is_empty()))
            .collect(),
        _ => Ok(Vec::new()),
    }
}
