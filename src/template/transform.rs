//! The transforms hacheck applies itself, as CloudFormation does before it reads a template.
//!
//! - `AWS::LanguageExtensions`: every `Fn::ForEach::…` loop of `Resources`, `Conditions` and
//!   `Outputs` is expanded here, over a literal list or a list parameter's value, nested
//!   loops included (`${Id}` and `&{Id}` in keys and strings, `Ref: Id` in bodies);
//!   `Fn::Length` and `Fn::ToJsonString` are evaluated by `eval`.
//! - `AWS::Serverless-2016-10-31`: its resources make Lambda functions, APIs, tables, state
//!   machines and nested applications — nothing the rules judge — so they are named and
//!   left unconverted, the rest of the template is judged, and the ids the transform makes
//!   (`MyFunctionRole`, `ServerlessRestApi`, …) read as unknown.
//!
//! Any other transform is a macro that may change anything: the template's verdicts stay
//! `unknown` (see `convert`), as they do when a loop's list waits for an input.

use std::collections::HashMap;

use super::eval::Value;
use super::yaml::{Entry, Node, Pos, Spanned};

use super::{LANGUAGE_EXTENSIONS, SERVERLESS};

/// The key prefix of `AWS::LanguageExtensions`' loops.
pub const FOR_EACH: &str = "Fn::ForEach::";

/// CloudFormation's limit on what one template may declare, which no expansion may pass.
const MAX_EXPANDED: usize = 2_500;

/// Whether hacheck applies `transform` itself.
pub fn is_applied(transform: &str) -> bool {
    transform == LANGUAGE_EXTENSIONS || transform == SERVERLESS
}

/// Why a template's verdicts all wait: a transform hacheck does not apply, or a loop whose
/// list is not known before deploy. `None`: everything is read.
pub fn opaque_reason(transforms: &[String], unexpanded: &[String]) -> Option<String> {
    if let Some(transform) = transforms.iter().find(|t| !is_applied(t)) {
        return Some(format!(
            "transform `{transform}` (expanded by CloudFormation at deploy)"
        ));
    }
    unexpanded.first().map(|reason| reason.to_owned())
}

/// Expands the `Fn::ForEach` loops of `doc` in place. Returns, for each loop whose list is
/// not known before deploy (a parameter without value), why; such a loop is removed.
pub fn expand_for_each(
    doc: &mut Spanned,
    parameters: &HashMap<String, Value>,
) -> Result<Vec<String>, (Pos, String)> {
    let mut unexpanded = Vec::new();
    let Node::Map(sections) = &mut doc.node else {
        return Ok(unexpanded);
    };
    for section in sections
        .iter_mut()
        .filter(|s| matches!(s.key.as_str(), "Resources" | "Conditions" | "Outputs"))
    {
        if let Node::Map(entries) = &mut section.value.node {
            let expanded = expand(std::mem::take(entries), parameters, &mut unexpanded)?;
            if expanded.len() > MAX_EXPANDED {
                return Err((
                    section.key_pos,
                    format!(
                        "`Fn::ForEach` makes {} entries of `{}`, over CloudFormation's {MAX_EXPANDED}",
                        expanded.len(),
                        section.key
                    ),
                ));
            }
            *entries = expanded;
        }
    }
    // Loops inside a resource (its properties) are not expanded: what they make is unknown.
    for section in sections.iter().filter(|s| s.key == "Resources") {
        for resource in section.value.entries() {
            if let Some(key) = nested_loop(&resource.value) {
                unexpanded.push(format!(
                    "loop `{key}` inside resource `{}` (hacheck expands loops of whole resources only)",
                    resource.key
                ));
            }
        }
    }
    Ok(unexpanded)
}

/// The first `Fn::ForEach::…` key anywhere under `node`.
fn nested_loop(node: &Spanned) -> Option<String> {
    match &node.node {
        Node::Map(entries) => entries.iter().find_map(|e| {
            if e.key.starts_with(FOR_EACH) {
                Some(e.key.clone())
            } else {
                nested_loop(&e.value)
            }
        }),
        Node::Seq(items) => items.iter().find_map(nested_loop),
        Node::Scalar { .. } => None,
    }
}

fn expand(
    entries: Vec<Entry>,
    parameters: &HashMap<String, Value>,
    unexpanded: &mut Vec<String>,
) -> Result<Vec<Entry>, (Pos, String)> {
    let mut out = Vec::new();
    for entry in entries {
        if !entry.key.starts_with(FOR_EACH) {
            out.push(entry);
            continue;
        }
        let malformed = || {
            (
                entry.value.pos,
                format!("`{}` takes [identifier, list, {{key: value}}]", entry.key),
            )
        };
        let Node::Seq(parts) = &entry.value.node else {
            return Err(malformed());
        };
        let [identifier, collection, body] = parts.as_slice() else {
            return Err(malformed());
        };
        let (Some(identifier), Node::Map(outputs)) = (identifier.as_str(), &body.node) else {
            return Err(malformed());
        };
        let items = match items_of(collection, parameters) {
            Ok(items) => items,
            Err(Some(reason)) => {
                unexpanded.push(format!("loop `{}` over {reason}", entry.key));
                continue;
            }
            Err(None) => {
                return Err((
                    collection.pos,
                    format!(
                        "`{}` loops over a list of strings or a list parameter",
                        entry.key
                    ),
                ));
            }
        };
        for item in &items {
            let made: Vec<Entry> = outputs
                .iter()
                .map(|output| Entry {
                    key: substitute(&output.key, identifier, item),
                    key_pos: output.key_pos,
                    value: substitute_node(&output.value, identifier, item),
                })
                .collect();
            // A loop's body may hold loops of its own.
            out.extend(expand(made, parameters, unexpanded)?);
        }
    }
    Ok(out)
}

/// The strings a loop runs over: `Ok`, else `Err(Some(why))` when they wait for an input,
/// `Err(None)` when the list is not one.
fn items_of(
    collection: &Spanned,
    parameters: &HashMap<String, Value>,
) -> Result<Vec<String>, Option<String>> {
    match &collection.node {
        Node::Seq(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or(None))
            .collect(),
        Node::Map(_) => {
            let name = collection
                .get("Ref")
                .and_then(Spanned::as_str)
                .ok_or_else(|| {
                    Some("a list made by a function hacheck does not expand".to_owned())
                })?;
            match parameters.get(name) {
                Some(Value::List(values)) => values
                    .iter()
                    .map(|v| v.text().map(str::to_owned).ok_or(None))
                    .collect(),
                Some(Value::Text(text)) => {
                    Ok(text.split(',').map(|s| s.trim().to_owned()).collect())
                }
                Some(Value::Unknown(reason)) => Err(Some(reason.clone())),
                _ => Err(None),
            }
        }
        _ => Err(None),
    }
}

/// `${id}` → `item`, `&{id}` → `item` without its non-alphanumeric characters.
fn substitute(text: &str, identifier: &str, item: &str) -> String {
    let alphanumeric: String = item.chars().filter(char::is_ascii_alphanumeric).collect();
    text.replace(&format!("${{{identifier}}}"), item)
        .replace(&format!("&{{{identifier}}}"), &alphanumeric)
}

fn substitute_node(node: &Spanned, identifier: &str, item: &str) -> Spanned {
    let replaced = match &node.node {
        Node::Scalar { text, plain } => Node::Scalar {
            text: substitute(text, identifier, item),
            plain: *plain,
        },
        Node::Seq(items) => Node::Seq(
            items
                .iter()
                .map(|i| substitute_node(i, identifier, item))
                .collect(),
        ),
        // `Ref: Id` is the loop's current item.
        Node::Map(entries)
            if entries.len() == 1
                && entries[0].key == "Ref"
                && entries[0].value.as_str() == Some(identifier) =>
        {
            Node::Scalar {
                text: item.to_owned(),
                plain: false,
            }
        }
        // `!Sub` of text that only named the item is that text (a resource's `Condition`
        // must be a plain name).
        Node::Map(entries)
            if entries.len() == 1
                && entries[0].key == "Fn::Sub"
                && entries[0]
                    .value
                    .as_str()
                    .is_some_and(|t| !substitute(t, identifier, item).contains("${")) =>
        {
            Node::Scalar {
                text: substitute(
                    entries[0].value.as_str().unwrap_or_default(),
                    identifier,
                    item,
                ),
                plain: false,
            }
        }
        Node::Map(entries) => Node::Map(
            entries
                .iter()
                .map(|e| Entry {
                    key: substitute(&e.key, identifier, item),
                    key_pos: e.key_pos,
                    value: substitute_node(&e.value, identifier, item),
                })
                .collect(),
        ),
    };
    Spanned {
        node: replaced,
        pos: node.pos,
    }
}

/// The logical ids of a template's `AWS::Serverless::*` resources, which hacheck names and
/// does not convert.
pub fn serverless_resources(doc: &Spanned) -> Vec<String> {
    doc.get("Resources")
        .map(Spanned::entries)
        .unwrap_or_default()
        .iter()
        .filter(|e| {
            e.value
                .get("Type")
                .and_then(Spanned::as_str)
                .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        })
        .map(|e| e.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(text: &str, parameters: &[(&str, Value)]) -> (Vec<String>, Vec<String>) {
        let mut doc = super::super::yaml::parse(text).unwrap();
        let parameters = parameters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let unexpanded = expand_for_each(&mut doc, &parameters).unwrap();
        let keys = doc
            .get("Resources")
            .unwrap()
            .entries()
            .iter()
            .map(|e| {
                let topic = e
                    .value
                    .get("Properties")
                    .and_then(|p| p.get("TopicName"))
                    .and_then(Spanned::as_str)
                    .unwrap_or_default();
                format!("{} {topic}", e.key)
            })
            .collect();
        (keys, unexpanded)
    }

    #[test]
    fn loops_expand_over_lists_and_list_parameters_nested_ones_too() {
        let text = r#"
Resources:
  Kept:
    Type: AWS::SNS::Topic
  Fn::ForEach::Topics:
    - Name
    - [Success, Fail-ure]
    - Topic&{Name}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Ref Name
  Fn::ForEach::Envs:
    - Env
    - !Ref Envs
    - Fn::ForEach::Tiers:
        - Tier
        - [web, db]
        - ${Env}${Tier}:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Sub "${Env}-${Tier}"
"#;
        let envs = Value::List(vec![Value::Text("prod".into()), Value::Text("dev".into())]);
        let (keys, unexpanded) = expanded(text, &[("Envs", envs)]);
        assert_eq!(
            keys,
            [
                "Kept ",
                "TopicSuccess Success",
                "TopicFailure Fail-ure",
                "prodweb prod-web",
                "proddb prod-db",
                "devweb dev-web",
                "devdb dev-db",
            ]
        );
        assert!(unexpanded.is_empty());
    }

    #[test]
    fn a_loop_over_a_list_waiting_for_an_input_is_named_not_guessed() {
        let text = r#"
Resources:
  Fn::ForEach::Envs:
    - Env
    - !Ref Envs
    - ${Env}:
        Type: AWS::SNS::Topic
"#;
        let (keys, unexpanded) = expanded(
            text,
            &[(
                "Envs",
                Value::Unknown("parameter `Envs` (no default)".into()),
            )],
        );
        assert!(keys.is_empty());
        assert_eq!(
            unexpanded,
            ["loop `Fn::ForEach::Envs` over parameter `Envs` (no default)"]
        );
    }

    #[test]
    fn a_loop_inside_a_resource_is_named_and_a_literal_sub_becomes_text() {
        let text = r#"
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A]
    - Topic${Name}:
        Type: AWS::SNS::Topic
        Condition: !Sub "Create${Name}"
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Fn::ForEach::Tags:
        - Key
        - [a, b]
        - ${Key}: x
"#;
        let mut doc = super::super::yaml::parse(text).unwrap();
        let unexpanded = expand_for_each(&mut doc, &HashMap::new()).unwrap();
        let topic = doc.get("Resources").unwrap().get("TopicA").unwrap();
        assert_eq!(
            topic.get("Condition").and_then(Spanned::as_str),
            Some("CreateA")
        );
        assert_eq!(
            unexpanded,
            [
                "loop `Fn::ForEach::Tags` inside resource `Bucket` (hacheck expands loops of whole resources only)"
            ]
        );
    }
}
