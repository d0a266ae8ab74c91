//! What a step changes in infrastructure code, as data: a field set or removed, items added
//! to a list, an ingress rule added or removed, a resource declared.
//!
//! Each action says its edits here once; a writer per language turns them into text
//! (CloudFormation's YAML: `template::edit`). Fields are named as the inventory names them
//! (`multi_az`, `subnet_ids`), and each writer maps them to its language's property
//! (`MultiAZ`, `VPCZoneIdentifier`), so the deciding field of a finding and the field an
//! edit sets are the same word.

use crate::inventory::SgRule;

/// A resource the code declares, as the inventory knows it: its kind and id (or ARN) in the
/// step's region, or `ref:<step>` for what an earlier step of the plan declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    pub kind: &'static str,
    pub id: String,
}

impl Declared {
    pub fn new(kind: &'static str, id: &str) -> Declared {
        Declared {
            kind,
            id: id.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum IacValue {
    Bool(bool),
    Number(f64),
    Text(String),
    /// A resource's id in the step's region or its ARN (or `ref:<step>`), of `kind` where
    /// the action knows it (an alarm's actions may be topics or policies): written as a
    /// reference to the resource where the code declares it, else as the value.
    Resource {
        kind: Option<&'static str>,
        id: String,
    },
    List(Vec<IacValue>),
    /// Keys and values in order: tags, an alarm's dimensions.
    Map(Vec<(String, IacValue)>),
    /// A nested group of settings, each named as the inventory names it (an instance
    /// maintenance policy's `min_healthy_percentage`): a block of properties in
    /// CloudFormation, a nested block in Terraform.
    Object(Vec<(&'static str, IacValue)>),
}

impl IacValue {
    pub fn text(value: &str) -> IacValue {
        IacValue::Text(value.to_owned())
    }

    pub fn resource(kind: &'static str, id: &str) -> IacValue {
        IacValue::Resource {
            kind: Some(kind),
            id: id.to_owned(),
        }
    }

    /// Whether the inventory read this value already (`read`, the field as JSON): a mend
    /// sets only what differs. Lists compare as sets, since the inventory sorts them.
    pub fn is_read_as(&self, read: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (read, self) {
            (Value::Bool(a), IacValue::Bool(b)) => a == b,
            (Value::Number(a), IacValue::Number(b)) => a.as_f64() == Some(*b),
            (Value::String(a), IacValue::Text(b) | IacValue::Resource { id: b, .. }) => a == b,
            (Value::Array(a), IacValue::List(b)) => {
                a.len() == b.len() && b.iter().all(|v| a.iter().any(|r| v.is_read_as(r)))
            }
            (Value::Object(a), IacValue::Map(b)) => {
                a.len() == b.len()
                    && b.iter()
                        .all(|(k, v)| a.get(k).is_some_and(|r| v.is_read_as(r)))
            }
            (Value::Object(a), IacValue::Object(b)) => {
                a.len() == b.len()
                    && b.iter()
                        .all(|(k, v)| a.get(*k).is_some_and(|r| v.is_read_as(r)))
            }
            _ => false,
        }
    }

    /// Resources of `kind`, or of any kind (ARNs).
    pub fn resources(kind: Option<&'static str>, ids: &[String]) -> IacValue {
        IacValue::List(
            ids.iter()
                .map(|id| IacValue::Resource {
                    kind,
                    id: id.clone(),
                })
                .collect(),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum IacEdit {
    /// The field gets the value (a list value replaces the whole list).
    Set {
        resource: Declared,
        field: &'static str,
        value: IacValue,
    },
    /// The field is removed: the service picks it (RDS refuses a zone for Multi-AZ).
    Unset {
        resource: Declared,
        field: &'static str,
    },
    /// Items added at the end of a list field.
    Append {
        resource: Declared,
        field: &'static str,
        items: Vec<IacValue>,
    },
    /// An ingress rule added to a security group.
    AddIngress { group: Declared, rule: SgRule },
    /// The ingress rule removed, wherever the code writes it (in the group, or as a
    /// resource of its own).
    RemoveIngress { group: Declared, rule: SgRule },
    /// The launch template's instances get no public IP, and the group launches the
    /// template's latest version (the one that change makes).
    PrivateLaunches { template: Declared, group: Declared },
    /// The A record `name` of zone `zone_id` becomes an alias of the load balancer whose
    /// DNS name is `load_balancer_dns`.
    AliasRecord {
        zone_id: String,
        name: String,
        load_balancer_dns: String,
    },
    /// A resource of `kind` called `name` is declared with `fields`, beside `beside` (in
    /// its file; else in the first). Where the code declares one of that name already, its
    /// fields that differ are set instead, but for `keep`: a declared one's tuning (its
    /// period, its dimensions) stays.
    Declare {
        kind: &'static str,
        name: String,
        beside: Option<Declared>,
        fields: Vec<(&'static str, IacValue)>,
        keep: &'static [&'static str],
    },
}

/// The fields of a [`IacEdit::Declare`] to set on the resource of that name the code
/// declares already: those whose value differs from what the inventory read of it (`read`,
/// as JSON), but for `keep`.
pub fn to_mend<'f>(
    fields: &'f [(&'static str, IacValue)],
    keep: &[&str],
    read: &serde_json::Value,
) -> Vec<&'f (&'static str, IacValue)> {
    fields
        .iter()
        .filter(|(field, value)| {
            !keep.contains(field) && !read.get(*field).is_some_and(|r| value.is_read_as(r))
        })
        .collect()
}

/// The kind of an SNS subscription, which the inventory keeps inside its topic.
pub const SUBSCRIPTION: &str = "sns_subscription";

/// The tags of what a plan declares: its name, hacheck's mark, and `extra`.
pub fn managed_tags(name: &str, extra: &[(&str, &str)]) -> IacValue {
    let mut tags = vec![("Name", name), super::MANAGED_TAG];
    tags.extend_from_slice(extra);
    IacValue::Map(
        tags.into_iter()
            .map(|(key, value)| (key.to_owned(), IacValue::text(value)))
            .collect(),
    )
}

/// Why an edit of code is not written: the step stays an instruction, which says this in
/// words; the variant is the kind of obstacle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotWritten {
    /// The writer does not write this kind of change yet.
    #[error("{0}")]
    NotYet(String),
    /// What the change is made to is not in the code given, or is in other code (another
    /// template or module, a step not written).
    #[error("{0}")]
    Elsewhere(String),
    /// The code sets the value in a way the writer does not edit (a flow map, a computed or
    /// shared value, a list on one line).
    #[error("{0}")]
    Layout(String),
    /// A file cannot be read, or does not parse (before or after the edit).
    #[error("{0}")]
    File(String),
}
