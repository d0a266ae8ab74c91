//! Where the configuration writes each resource: the `.tf` files of the root module
//! (`--terraform-dir`) and of the modules it calls (local ones by their source path,
//! registry ones where `terraform init` put them, `.terraform/modules/modules.json`),
//! parsed with hcl-edit, which keeps the span of every block and attribute. A result then
//! points at the attribute that decides (`multi_az = false`), else at the resource block.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::Span;
use hcl_edit::structure::{Body, Structure};
use serde_json::Value;

use super::TerraformError;
use super::translate::Positions;
use crate::template::yaml::Pos;

/// One resource block: its file, where it starts, and where each attribute and nested
/// block inside it starts (depth first, so the first of a name is the outermost).
#[derive(Debug)]
struct Declared {
    file: PathBuf,
    block: Pos,
    inside: Vec<(String, Pos)>,
}

/// The resource blocks of the configuration, by (module path, `type.name`).
#[derive(Debug, Default)]
pub struct Sources {
    declared: HashMap<(String, String), Declared>,
}

impl Sources {
    /// The file that declares resource `address` of module `module`.
    pub fn file(&self, module: &str, address: &str) -> Option<&Path> {
        self.declared
            .get(&(module.to_owned(), address.to_owned()))
            .map(|d| d.file.as_path())
    }
}

impl Positions for Sources {
    fn position(&self, module: &str, address: &str, attribute: Option<&str>) -> Pos {
        let Some(declared) = self.declared.get(&(module.to_owned(), address.to_owned())) else {
            return Pos { line: 1, column: 1 };
        };
        attribute
            .and_then(|name| declared.inside.iter().find(|(n, _)| n == name))
            .map_or(declared.block, |(_, pos)| *pos)
    }
}

/// Line and column (1-based, in characters) of byte `offset` of `text`.
fn position_of(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    Pos {
        line: line as u32,
        column: before[start..].chars().count() as u32 + 1,
    }
}

fn start(text: &str, span: Option<Range<usize>>) -> Pos {
    position_of(text, span.map_or(0, |s| s.start))
}

/// Every attribute and nested block of `body`, depth first.
fn inside(text: &str, body: &Body, out: &mut Vec<(String, Pos)>) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) => {
                out.push((
                    attribute.key.as_str().to_owned(),
                    start(text, attribute.span()),
                ));
            }
            Structure::Block(block) => {
                out.push((block.ident.as_str().to_owned(), start(text, block.span())));
                inside(text, &block.body, out);
            }
        }
    }
}

/// Reads the `.tf` files of module `module` in `dir`, and of the modules it calls.
fn read_module(
    root: &Path,
    dir: &Path,
    module: &str,
    config: &Value,
    modules_json: &HashMap<String, PathBuf>,
    out: &mut Sources,
) -> Result<(), TerraformError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| TerraformError::Read {
            path: dir.to_owned(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| TerraformError::Read {
            path: file.clone(),
            source,
        })?;
        let body = hcl_edit::parser::parse_body(&text).map_err(|e| TerraformError::Hcl {
            path: file.clone(),
            line: e.location().line(),
            column: e.location().column(),
            message: e.message().to_owned(),
        })?;
        for block in body.get_blocks("resource") {
            let [kind, name] = block.labels.as_slice() else {
                continue;
            };
            let mut found = Vec::new();
            inside(&text, &block.body, &mut found);
            out.declared.insert(
                (
                    module.to_owned(),
                    format!("{}.{}", kind.as_str(), name.as_str()),
                ),
                Declared {
                    file: file.clone(),
                    block: start(&text, block.span()),
                    inside: found,
                },
            );
        }
    }
    for (call, value) in config
        .get("module_calls")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let path = if module.is_empty() {
            call.clone()
        } else {
            format!("{module}.{call}")
        };
        let source = value.get("source").and_then(Value::as_str).unwrap_or("");
        let child_dir = if source.starts_with("./") || source.starts_with("../") {
            dir.join(source)
        } else if let Some(installed) = modules_json.get(&path) {
            root.join(installed)
        } else {
            // Not installed here (`terraform init` was run elsewhere): its results point at
            // the plan.
            continue;
        };
        let Some(child) = value.get("module") else {
            continue;
        };
        if child_dir.is_dir() {
            read_module(root, &child_dir, &path, child, modules_json, out)?;
        }
    }
    Ok(())
}

/// The configuration in `dir` that `plan` (the JSON) was made of.
pub fn read(dir: &Path, plan: &Value) -> Result<Sources, TerraformError> {
    let mut modules_json = HashMap::new();
    let installed = dir.join(".terraform/modules/modules.json");
    if let Ok(text) = std::fs::read_to_string(&installed)
        && let Ok(json) = serde_json::from_str::<Value>(&text)
    {
        for module in json
            .get("Modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(key), Some(module_dir)) = (
                module.get("Key").and_then(Value::as_str),
                module.get("Dir").and_then(Value::as_str),
            ) && !key.is_empty()
            {
                modules_json.insert(key.to_owned(), PathBuf::from(module_dir));
            }
        }
    }
    let mut sources = Sources::default();
    if let Some(root) = plan.pointer("/configuration/root_module") {
        read_module(dir, dir, "", root, &modules_json, &mut sources)?;
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        let text = "a = 1\nresource \"x\" \"y\" {\n  é = 2\n}\n";
        assert_eq!(position_of(text, 0), Pos { line: 1, column: 1 });
        let offset = text.find("= 2").unwrap();
        assert_eq!(position_of(text, offset), Pos { line: 3, column: 5 });
    }
}
