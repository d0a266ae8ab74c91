//! CloudFormation templates as an inventory: what `--template FILE` judges before deploy.
//!
//! Reading goes text → positioned tree (`yaml`) → values with CloudFormation's intrinsic
//! functions evaluated (`eval`) → the typed inventory the collectors also make, with a
//! [`Source`](crate::inventory::Source) per resource (`convert`, `recorder`). Everything
//! above the inventory — the application model, the rules, `whatif`, the reports — works
//! on it unchanged; sources add lines to findings and unknowns turn verdicts that wait for
//! an input into `unknown`.
//!
//! Several templates load together: one's `Outputs` with an `Export` meet another's
//! `Fn::ImportValue` (a network stack and an application stack).

mod convert;
pub mod edit;
mod eval;
mod recorder;
mod transform;
pub(crate) mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use eval::{PLACEHOLDER_ACCOUNT, UNKNOWN};

use crate::inventory::Inventory;

/// The transforms hacheck applies itself (`transform`); the evaluator names what SAM makes.
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";
pub const SERVERLESS: &str = "AWS::Serverless-2016-10-31";

/// CloudFormation's limit on a template's size (in an S3 bucket; 51,200 bytes inline).
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;

/// A template that cannot be read, with where (one line, as every error of hacheck).
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template `{path}` is {size} bytes, over CloudFormation's {MAX_TEMPLATE_BYTES}")]
    TooLarge { path: PathBuf, size: usize },
    #[error("{path}:{line}:{column}: {message}")]
    At {
        path: PathBuf,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("cannot read parameters `{path}`: {message}")]
    Parameters { path: PathBuf, message: String },
    #[error("parameter `{name}` is declared by none of the templates")]
    UnknownParameter { name: String },
}

/// What to read and how to evaluate it.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    pub paths: Vec<PathBuf>,
    /// `--parameters`: files in CloudFormation's `[{"ParameterKey", "ParameterValue"}]`
    /// form, or `Key=Value`.
    pub parameters: Vec<String>,
    pub region: String,
    pub account: String,
}

/// The parameters given: `Key=Value` as written, files read.
fn given_parameters(items: &[String]) -> Result<Vec<(String, String)>, TemplateError> {
    let mut out = Vec::new();
    for item in items {
        let path = Path::new(item);
        if !path.exists()
            && let Some((key, value)) = item.split_once('=')
        {
            out.push((key.to_owned(), value.to_owned()));
            continue;
        }
        let bad = |message: String| TemplateError::Parameters {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let list = value.as_array().ok_or_else(|| {
            bad("expected a list of {\"ParameterKey\", \"ParameterValue\"}".into())
        })?;
        for (n, entry) in list.iter().enumerate() {
            let field = |name: &str| entry.get(name).and_then(serde_json::Value::as_str);
            match (field("ParameterKey"), field("ParameterValue")) {
                (Some(key), Some(value)) => out.push((key.to_owned(), value.to_owned())),
                _ => {
                    return Err(bad(format!(
                        "entry {n} needs string `ParameterKey` and `ParameterValue`"
                    )));
                }
            }
        }
    }
    Ok(out)
}

fn at(path: &Path, pos: yaml::Pos, message: String) -> TemplateError {
    TemplateError::At {
        path: path.to_owned(),
        line: pos.line,
        column: pos.column,
        message,
    }
}

/// Reads the templates into one inventory.
pub fn load(options: &TemplateOptions) -> Result<Inventory, TemplateError> {
    let given = given_parameters(&options.parameters)?;
    let mut stacks = Vec::new();
    for path in &options.paths {
        let bytes = std::fs::read(path).map_err(|source| TemplateError::Read {
            path: path.clone(),
            source,
        })?;
        if bytes.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::TooLarge {
                path: path.clone(),
                size: bytes.len(),
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| TemplateError::Read {
            path: path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        let mut doc = yaml::parse(&text).map_err(|e| at(path, e.pos, e.message))?;
        let resources = doc
            .get("Resources")
            .ok_or_else(|| at(path, doc.pos, "a template needs `Resources`".into()))?;
        if !matches!(resources.node, yaml::Node::Map(_)) {
            return Err(at(path, resources.pos, "`Resources` must be a map".into()));
        }
        let transforms = transforms_of(&doc).map_err(|(pos, message)| at(path, pos, message))?;
        if !transforms.iter().any(|t| t == LANGUAGE_EXTENSIONS)
            && let Some(entry) = resources
                .entries()
                .iter()
                .find(|e| e.key.starts_with(transform::FOR_EACH))
        {
            return Err(at(
                path,
                entry.key_pos,
                format!(
                    "resource `{}` needs `Transform: {}`",
                    entry.key, LANGUAGE_EXTENSIONS
                ),
            ));
        }
        let mut parameters = HashMap::new();
        for entry in doc
            .get("Parameters")
            .map(yaml::Spanned::entries)
            .unwrap_or_default()
        {
            let value = given
                .iter()
                .rev()
                .find(|(key, _)| *key == entry.key)
                .map(|(_, value)| value.as_str());
            let value = eval::parameter_value(&entry.key, &entry.value, value)
                .map_err(|e| at(path, e.pos, e.message))?;
            parameters.insert(entry.key.clone(), value);
        }
        let unexpanded = if transforms.iter().any(|t| t == LANGUAGE_EXTENSIONS) {
            transform::expand_for_each(&mut doc, &parameters)
                .map_err(|(pos, message)| at(path, pos, message))?
        } else {
            Vec::new()
        };
        for entry in doc
            .get("Resources")
            .map(yaml::Spanned::entries)
            .unwrap_or_default()
        {
            if let Some(module) = entry.value.get("Type").and_then(|t| t.get("Rain::Module")) {
                return Err(at(
                    path,
                    module.pos,
                    format!(
                        "resource `{}` is a Rain module, not CloudFormation: judge the template `rain pkg` makes of it",
                        entry.key
                    ),
                ));
            }
            if entry
                .value
                .get("Type")
                .and_then(yaml::Spanned::as_str)
                .is_none()
            {
                return Err(at(
                    path,
                    entry.key_pos,
                    format!("resource `{}` has no `Type`", entry.key),
                ));
            }
        }
        let opaque = transform::opaque_reason(&transforms, &unexpanded);
        if let Some(reason) = &opaque {
            tracing::warn!(
                "{}: every verdict on this template is unknown: it waits for {reason}",
                path.display()
            );
        }
        if transforms.iter().any(|t| t == SERVERLESS) {
            let serverless = transform::serverless_resources(&doc);
            if !serverless.is_empty() {
                tracing::warn!(
                    "{}: resources {} are `AWS::Serverless::*` (Lambda functions, APIs, tables, applications): no rule judges them; the rest of the template is judged",
                    path.display(),
                    serverless
                        .iter()
                        .map(|id| format!("`{id}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        let name = path.file_stem().map_or_else(
            || "template".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        stacks.push(eval::Stack {
            path: path.clone(),
            name,
            doc,
            transforms,
            opaque,
            parameters,
            physical: HashMap::new(),
            assigned: HashMap::new(),
        });
    }
    for (key, _) in &given {
        if !stacks.iter().any(|s| s.parameters.contains_key(key)) {
            return Err(TemplateError::UnknownParameter { name: key.clone() });
        }
    }
    name_resources(&mut stacks);
    let paths: Vec<PathBuf> = stacks.iter().map(|s| s.path.clone()).collect();
    let world = eval::World::new(options.region.clone(), options.account.clone(), stacks)
        .map_err(|(stack, e)| at(&paths[stack], e.pos, e.message))?;
    convert::convert(&world).map_err(|(stack, e)| at(&paths[stack], e.pos, e.message))
}

/// Converts a document another front end built in CloudFormation's terms (a Terraform
/// plan's resources), read from `path`, with what AWS assigned already (`assigned`: logical
/// id → what `Ref` gives). Unknown values are `{Hacheck::Unknown: reason}`.
pub(crate) fn convert_document(
    path: &Path,
    doc: yaml::Spanned,
    assigned: HashMap<String, String>,
    region: &str,
    account: &str,
) -> Result<Inventory, TemplateError> {
    let mut stacks = vec![eval::Stack {
        path: path.to_owned(),
        name: path
            .file_stem()
            .map_or_else(|| "plan".to_owned(), |s| s.to_string_lossy().into_owned()),
        doc,
        transforms: Vec::new(),
        opaque: None,
        parameters: HashMap::new(),
        physical: HashMap::new(),
        assigned,
    }];
    name_resources(&mut stacks);
    let world = eval::World::new(region.to_owned(), account.to_owned(), stacks)
        .map_err(|(_, e)| at(path, e.pos, e.message))?;
    convert::convert(&world).map_err(|(_, e)| at(path, e.pos, e.message))
}

/// The template's `Transform`: one name or a list of names (a macro may also be a map with
/// `Name` and `Parameters`, as under `Fn::Transform`).
fn transforms_of(doc: &yaml::Spanned) -> Result<Vec<String>, (yaml::Pos, String)> {
    let Some(transform) = doc.get("Transform") else {
        return Ok(Vec::new());
    };
    let items: Vec<&yaml::Spanned> = match &transform.node {
        yaml::Node::Seq(items) => items.iter().collect(),
        _ => vec![transform],
    };
    items
        .into_iter()
        .map(|item| {
            item.as_str()
                .or_else(|| item.get("Name").and_then(yaml::Spanned::as_str))
                .map(str::to_owned)
                .ok_or((item.pos, "`Transform` names a macro: a string".to_owned()))
        })
        .collect()
}

/// Gives each resource its physical name: the logical id, or `stack-logical` where two
/// loaded stacks use one logical id (ids must be unique in the inventory's index).
fn name_resources(stacks: &mut [eval::Stack]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for stack in stacks.iter() {
        for entry in stack
            .doc
            .get("Resources")
            .map(yaml::Spanned::entries)
            .unwrap_or_default()
        {
            *count.entry(entry.key.clone()).or_default() += 1;
        }
    }
    for stack in stacks.iter_mut() {
        let names: Vec<(String, String)> = stack
            .doc
            .get("Resources")
            .map(yaml::Spanned::entries)
            .unwrap_or_default()
            .iter()
            .map(|entry| {
                let name = if count[&entry.key] > 1 {
                    format!("{}-{}", stack.name, entry.key)
                } else {
                    entry.key.clone()
                };
                (entry.key.clone(), name)
            })
            .collect();
        stack.physical.extend(names);
    }
}
