//! What the converter reads a resource's properties through (`Recorder`): each property
//! evaluated, and for each inventory field the line of the property that set it, or the
//! input it waits for when it cannot be known before deploy. Also the readers `convert`
//! shares: a security group rule of any form, a peer's position.

use super::eval::deploy::{self, name_of, physical_id};
use super::eval::{EvalError, NotKnown, Value, World, texts};
use super::yaml::{Pos, Spanned};
use crate::inventory::*;

type Result<T> = std::result::Result<T, EvalError>;

/// Where a resource was declared and what decided its fields: kept beside the inventory.
pub struct Recorder<'w> {
    world: &'w World,
    stack: usize,
    pub logical: &'w str,
    properties: Option<&'w Spanned>,
    pub source: Source,
}

impl<'w> Recorder<'w> {
    pub fn new(
        world: &'w World,
        stack: usize,
        logical: &'w str,
        declaration: &'w Spanned,
        key_pos: Pos,
        file: String,
    ) -> Self {
        Recorder {
            world,
            stack,
            logical,
            properties: declaration.get("Properties"),
            source: Source {
                file,
                logical_id: logical.to_owned(),
                line: key_pos.line,
                column: key_pos.column,
                ..Source::default()
            },
        }
    }

    fn node(&self, path: &str) -> Option<&'w Spanned> {
        let mut node = self.properties?;
        for part in path.split('.') {
            node = node.get(part)?;
        }
        Some(node)
    }

    fn key_pos(&self, path: &str) -> Option<Pos> {
        let (parent, last) = match path.rsplit_once('.') {
            Some((parent, last)) => (self.node(parent)?, last),
            None => (self.properties?, path),
        };
        parent.entry(last).map(|e| e.key_pos)
    }

    /// The property at `path` (dots go into maps), its line recorded for `field`; unknown
    /// values recorded too and returned as `None`.
    pub fn value(&mut self, path: &str, field: &str) -> Result<Option<Value>> {
        let Some(node) = self.node(path) else {
            return Ok(None);
        };
        self.at(field, self.key_pos(path).unwrap_or(node.pos));
        let value = self.world.eval(self.stack, node)?;
        Ok(self.known(field, value))
    }

    /// `value` when known; else records why `field` is unknown.
    pub fn known(&mut self, field: &str, value: Value) -> Option<Value> {
        match value {
            Value::Absent | Value::Null => None,
            Value::Unknown(reason) => {
                self.unknown(field, reason);
                None
            }
            value => Some(value),
        }
    }

    pub fn unknown(&mut self, field: &str, reason: impl Into<String>) {
        self.source
            .unknowns
            .entry(field.to_owned())
            .or_insert_with(|| reason.into());
    }

    pub fn at(&mut self, field: &str, pos: Pos) {
        self.source
            .fields
            .entry(field.to_owned())
            .or_insert(SourcePos {
                line: pos.line,
                column: pos.column,
            });
    }

    /// A property that holds one value; one that holds a list or a map there is unknown
    /// (not absent: what it meant is not known).
    pub fn text(&mut self, path: &str, field: &str) -> Result<Option<String>> {
        let Some(value) = self.value(path, field)? else {
            return Ok(None);
        };
        if let Some(text) = value.text() {
            return Ok(Some(text.to_owned()));
        }
        if matches!(value, Value::List(_) | Value::Map(_)) {
            let logical = self.logical;
            self.unknown(
                field,
                format!("`{path}` of `{logical}` holds several values where it takes one"),
            );
        }
        Ok(None)
    }

    pub fn flag(&mut self, path: &str, field: &str) -> Result<Option<bool>> {
        Ok(self
            .text(path, field)?
            .map(|t| t.eq_ignore_ascii_case("true")))
    }

    pub fn number(&mut self, path: &str, field: &str) -> Result<Option<f64>> {
        let Some(text) = self.text(path, field)? else {
            return Ok(None);
        };
        match text.trim().parse() {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(EvalError {
                pos: self.node(path).map_or_else(Pos::default, |n| n.pos),
                message: format!("`{}` of `{}` is `{text}`, not a number", path, self.logical),
            }),
        }
    }

    pub fn int(&mut self, path: &str, field: &str) -> Result<Option<i32>> {
        Ok(self.number(path, field)?.map(|n| n as i32))
    }

    /// A list of strings (one string counts as a list of it).
    pub fn list(&mut self, path: &str, field: &str) -> Result<Vec<String>> {
        let Some(value) = self.value(path, field)? else {
            return Ok(Vec::new());
        };
        match texts(&value) {
            Ok(items) => Ok(items),
            Err(NotKnown(reason)) => {
                self.unknown(field, reason);
                Ok(Vec::new())
            }
        }
    }

    /// Whether any text written under the property at `path` contains `needle`, as written
    /// (a `!Sub` waiting for its parameters still says what it configures).
    pub fn mentions(&self, path: &str, needle: &str) -> bool {
        fn walk(node: &Spanned, needle: &str) -> bool {
            match &node.node {
                super::yaml::Node::Scalar { text, .. } => text.contains(needle),
                super::yaml::Node::Seq(items) => items.iter().any(|i| walk(i, needle)),
                super::yaml::Node::Map(entries) => entries.iter().any(|e| walk(&e.value, needle)),
            }
        }
        self.node(path).is_some_and(|node| walk(node, needle))
    }

    /// The resource's `Properties`.
    pub fn properties(&self) -> Option<&'w Spanned> {
        self.properties
    }

    /// Where property `name` is written (its key).
    pub fn properties_entry(&self, name: &str) -> Option<Pos> {
        self.properties?.entry(name).map(|e| e.key_pos)
    }

    /// The items of a list property (listeners, rules, actions), as written; a list an
    /// intrinsic function makes (`!If [c, [..], !Ref AWS::NoValue]`) is evaluated first,
    /// its items placed at the function's line, and one that waits for an input is
    /// recorded as unknown for `field` — never read as empty.
    pub fn items(&mut self, path: &str, field: &str) -> Result<Vec<Spanned>> {
        let Some(node) = self.node(path) else {
            return Ok(Vec::new());
        };
        if let super::yaml::Node::Seq(items) = &node.node {
            return Ok(items.clone());
        }
        let pos = node.pos;
        match self.world.eval(self.stack, node)? {
            Value::List(values) => Ok(values.iter().filter_map(|v| literal(v, pos)).collect()),
            Value::Unknown(reason) => {
                self.unknown(field, reason);
                Ok(Vec::new())
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The value of `key` in a `[{Key, Value}]` list property (a load balancer's or target
    /// group's attributes), its line recorded for `field`. An item whose key or value waits
    /// for an input makes `field` unknown: it may be the one.
    pub fn key_value(&mut self, path: &str, key: &str, field: &str) -> Result<Option<String>> {
        for item in self.items(path, field)? {
            let value = self.eval(&item)?;
            match (value.get("Key"), value.get("Value")) {
                (Some(Value::Text(k)), Some(Value::Text(v))) if k == key => {
                    self.at(field, item.pos);
                    return Ok(Some(v.clone()));
                }
                (Some(Value::Text(_)), Some(Value::Text(_))) => {}
                _ => {
                    if let Some(reason) = value.unknown().map(str::to_owned).or_else(|| {
                        value
                            .get("Key")
                            .or(value.get("Value"))
                            .and_then(Value::unknown)
                            .map(str::to_owned)
                    }) {
                        self.at(field, item.pos);
                        self.unknown(field, reason);
                    }
                }
            }
        }
        Ok(None)
    }

    pub fn eval(&self, node: &Spanned) -> Result<Value> {
        self.world.eval(self.stack, node)
    }

    /// The tags of a `Tags: [{Key, Value}]` property.
    pub fn tags(&mut self) -> Result<Tags> {
        let mut tags = Tags::new();
        for item in self.items("Tags", "tags")? {
            let value = self.eval(&item)?;
            if let (Some(Value::Text(key)), Some(Value::Text(value))) =
                (value.get("Key"), value.get("Value"))
            {
                tags.insert(key.clone(), value.clone());
            }
        }
        Ok(tags)
    }

    pub fn element(&mut self, field: &str, value: serde_json::Value, pos: Pos) {
        self.source.elements.push(SourceElement {
            field: field.to_owned(),
            value,
            line: pos.line,
            column: pos.column,
        });
    }

    pub fn id(&self, kind: &str) -> Result<String> {
        physical_id(self.world, self.stack, self.logical, kind)
    }

    pub fn name(&self, kind: &str) -> Result<String> {
        name_of(self.world, self.stack, self.logical, kind)
    }

    pub fn attribute(&self, kind: &str, attribute: &str) -> super::eval::EvalResult {
        deploy::attribute(self.world, self.stack, self.logical, kind, attribute)
    }

    /// The security group ELB makes at deploy for this Classic Load Balancer.
    pub fn classic_source_group(&self) -> String {
        deploy::classic_source_group(self.world, self.stack, self.logical)
    }

    /// A resource's zones derive from its subnets: when those wait for an input, so do the
    /// zones, and the zones are written where the subnets are.
    pub fn zones_follow_subnets(&mut self) {
        if let Some(reason) = self.source.unknowns.get("subnet_ids").cloned() {
            self.unknown("availability_zones", reason);
        }
        if let Some(pos) = self.source.fields.get("subnet_ids").copied() {
            self.source
                .fields
                .entry("availability_zones".into())
                .or_insert(pos);
        }
    }

    /// Marks every field unknown: the resource exists only if a condition holds that waits
    /// for an input, or a transform may change it at deploy.
    pub fn wholly_unknown(&mut self, reason: String) {
        self.unknown("*", reason);
    }
}

/// An ingress or egress rule of a `SecurityGroupIngress` list entry or resource.
pub fn sg_rule(value: &Value, egress: bool) -> std::result::Result<SgRule, NotKnown> {
    let text = |key: &str| -> std::result::Result<Option<String>, NotKnown> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.clone())),
            Some(Value::Unknown(reason)) => Err(NotKnown(reason.clone())),
            Some(_) => Ok(None),
        }
    };
    let raw = text("IpProtocol")?.unwrap_or_else(|| "-1".to_owned());
    let port = |key: &str| -> std::result::Result<Option<i32>, NotKnown> {
        Ok(text(key)?.and_then(|t| t.parse().ok()))
    };
    let (protocol, from_port, to_port) = match raw.to_lowercase().as_str() {
        "-1" | "all" => ("all".to_owned(), 0, 65535),
        "tcp" | "6" => (
            "tcp".to_owned(),
            port("FromPort")?.unwrap_or(0),
            port("ToPort")?.unwrap_or(65535),
        ),
        "udp" | "17" => (
            "udp".to_owned(),
            port("FromPort")?.unwrap_or(0),
            port("ToPort")?.unwrap_or(65535),
        ),
        other => (
            other.to_owned(),
            port("FromPort")?.unwrap_or(-1),
            port("ToPort")?.unwrap_or(-1),
        ),
    };
    let (from_port, to_port) = if protocol != "all"
        && from_port == -1
        && to_port == -1
        && (protocol == "tcp" || protocol == "udp")
    {
        (0, 65535)
    } else {
        (from_port, to_port)
    };
    let peer_group = if egress {
        "DestinationSecurityGroupId"
    } else {
        "SourceSecurityGroupId"
    };
    let prefix = if egress {
        "DestinationPrefixListId"
    } else {
        "SourcePrefixListId"
    };
    let rule = SgRule {
        protocol,
        from_port,
        to_port,
        cidr_ipv4: text("CidrIp")?,
        cidr_ipv6: text("CidrIpv6")?,
        source_group_id: match text(peer_group)? {
            Some(id) => Some(id),
            // By name (a Classic Load Balancer's `SourceSecurityGroup.GroupName` gives an id
            // here); a group named otherwise is found by name only at deploy.
            None if !egress => match text("SourceSecurityGroupName")? {
                Some(name) if name.starts_with("sg-") => Some(name),
                Some(name) => {
                    return Err(NotKnown(format!(
                        "the security group named `{name}` (found by name at deploy)"
                    )));
                }
                None => None,
            },
            None => None,
        },
        prefix_list_id: text(prefix)?,
        // A template's prefix list is not followed to its entries.
        prefix_list_cidrs: Vec::new(),
        description: text("Description")?.unwrap_or_default(),
    };
    Ok(rule)
}

/// The line of the property in an ingress entry that names its peer (`CidrIp: 0.0.0.0/0`).
pub fn peer_pos(node: &Spanned) -> Pos {
    [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourcePrefixListId",
        "DestinationSecurityGroupId",
        "FromPort",
    ]
    .iter()
    .find_map(|key| node.entry(key).map(|e| e.key_pos))
    .unwrap_or(node.pos)
}

/// For the sources' lookups: the JSON value an element serialises to.
pub fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// A known value as a node at `pos` (for lists an intrinsic made): evaluating it gives the
/// value back. `None` for what is not known.
fn literal(value: &Value, pos: Pos) -> Option<Spanned> {
    use super::yaml::{Entry, Node};
    let node = match value {
        Value::Text(text) => Node::Scalar {
            text: text.clone(),
            plain: false,
        },
        Value::Null => Node::Scalar {
            text: String::new(),
            plain: true,
        },
        Value::List(items) => Node::Seq(items.iter().filter_map(|v| literal(v, pos)).collect()),
        Value::Map(entries) => Node::Map(
            entries
                .iter()
                .filter_map(|(key, v)| {
                    Some(Entry {
                        key: key.clone(),
                        key_pos: pos,
                        value: literal(v, pos)?,
                    })
                })
                .collect(),
        ),
        Value::Unknown(_) | Value::Absent => return None,
    };
    Some(Spanned { node, pos })
}
