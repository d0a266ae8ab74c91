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

/// One resource block: its file, where it starts, where each attribute and nested block
/// inside it starts (with its depth, 0 for the resource's own), and which of its own
/// attributes are plain references (see [`is_plain`]).
#[derive(Debug)]
struct Declared {
    file: PathBuf,
    block: Pos,
    inside: Vec<(String, Pos, usize)>,
    plain: Vec<String>,
    /// Its own attributes written as a map of references (`dimensions = { TargetGroup =
    /// aws_lb_target_group.app.arn_suffix, … }`): each key's reference, which the plan's
    /// JSON lists without its key.
    map_references: Vec<(String, KeyReferences)>,
}

/// The resource blocks of the configuration, by (module path, `type.name`), and the outputs
/// whose value is a plain reference, by (module path, output name).
#[derive(Debug, Default)]
pub struct Sources {
    declared: HashMap<(String, String), Declared>,
    plain_outputs: Vec<(String, String)>,
}

/// Whether `expression` takes whole what it references: a reference (its indexes
/// literal, or `count.index` / `each.key` / `each.value`), a splat, a list of them, or a
/// `for` without an `if` over one. A function, a condition, a filter or a computed index
/// may take part of it, which the plan (listing only the references) cannot tell.
fn is_plain(expression: &hcl_edit::expr::Expression) -> bool {
    use hcl_edit::expr::{Expression, TraversalOperator};
    let pairing = |index: &Expression| {
        let text = index.to_string();
        matches!(text.trim(), "count.index" | "each.key" | "each.value")
    };
    match expression {
        Expression::Variable(_) => true,
        Expression::Traversal(traversal) => {
            matches!(traversal.expr, Expression::Variable(_))
                && traversal
                    .operators
                    .iter()
                    .all(|operator| match &**operator {
                        TraversalOperator::Index(index) => {
                            matches!(index, Expression::Number(_) | Expression::String(_))
                                || pairing(index)
                        }
                        _ => true,
                    })
        }
        Expression::Parenthesis(inner) => is_plain(inner.inner()),
        Expression::Array(items) => items.iter().all(is_plain),
        Expression::ForExpr(for_expr) => {
            for_expr.cond.is_none()
                && for_expr.key_expr.is_none()
                && is_plain(&for_expr.intro.collection_expr)
                && is_plain(&for_expr.value_expr)
        }
        _ => false,
    }
}

/// (module path, resource address, attribute).
pub type AttributeAt = (String, String, String);
/// Each key of a map with the reference it takes (`TargetGroup`,
/// `aws_lb_target_group.app.arn_suffix`).
pub type KeyReferences = Vec<(String, String)>;

/// Each key of an object expression with the reference its value is, when every value is
/// a plain reference (`{ TargetGroup = aws_lb_target_group.app.arn_suffix }`).
fn references_by_key(expression: &hcl_edit::expr::Expression) -> Option<KeyReferences> {
    use hcl_edit::expr::{Expression, ObjectKey};
    let Expression::Object(object) = expression else {
        return None;
    };
    object
        .iter()
        .map(|(key, value)| {
            let key = match key {
                ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                ObjectKey::Expression(Expression::String(text)) => text.as_str().to_owned(),
                ObjectKey::Expression(_) => return None,
            };
            let value = value.expr();
            matches!(value, Expression::Traversal(_) if is_plain(value))
                .then(|| (key, value.to_string().trim().to_owned()))
        })
        .collect()
}

impl Sources {
    /// Every (module, resource address or `output.NAME`, attribute) whose expression is
    /// plain.
    pub fn plain_expressions(&self) -> Vec<(String, String, String)> {
        let resources = self.declared.iter().flat_map(|((module, address), d)| {
            d.plain
                .iter()
                .map(|a| (module.clone(), address.clone(), a.clone()))
        });
        let outputs = self
            .plain_outputs
            .iter()
            .map(|(m, o)| (m.clone(), format!("output.{o}"), "value".to_owned()));
        resources.chain(outputs).collect()
    }

    /// Every (module, resource address, block name) the `.tf` files write as a `dynamic`
    /// block of the resource itself.
    pub fn dynamic_blocks(&self) -> Vec<(String, String, String)> {
        self.declared
            .iter()
            .flat_map(|((module, address), d)| {
                d.inside
                    .iter()
                    .filter(|(_, _, depth)| *depth == 0)
                    .filter_map(|(name, _, _)| {
                        let block = name.strip_prefix("dynamic:")?;
                        Some((module.clone(), address.clone(), block.to_owned()))
                    })
            })
            .collect()
    }

    /// Every (module, resource address, attribute) written as a map of references, with
    /// each key's reference (`TargetGroup`, `aws_lb_target_group.app.arn_suffix`).
    pub fn map_references(&self) -> Vec<(AttributeAt, KeyReferences)> {
        self.declared
            .iter()
            .flat_map(|((module, address), d)| {
                d.map_references.iter().map(|(attribute, pairs)| {
                    (
                        (module.clone(), address.clone(), attribute.clone()),
                        pairs.clone(),
                    )
                })
            })
            .collect()
    }

    /// Whether any `.tf` file was read.
    pub fn is_empty(&self) -> bool {
        self.declared.is_empty()
    }

    /// Every (module, resource address) the `.tf` files declare.
    pub fn declared(&self) -> Vec<(String, String)> {
        self.declared.keys().cloned().collect()
    }

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
        // The resource's own attribute first, else the outermost nested one of that name.
        let found = attribute.and_then(|name| {
            (0..=8).find_map(|depth| {
                declared
                    .inside
                    .iter()
                    .find(|(n, _, d)| n == name && *d == depth)
            })
        });
        found.map_or(declared.block, |(_, pos, _)| *pos)
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

/// Every attribute and nested block of `body`, depth first, with its depth.
fn inside(text: &str, body: &Body, depth: usize, out: &mut Vec<(String, Pos, usize)>) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) => {
                let name = attribute.key.as_str().to_owned();
                out.push((name, start(text, attribute.span()), depth));
            }
            Structure::Block(block) => {
                // A `dynamic "ingress"` block is recorded as `dynamic:ingress`.
                let name = match (block.ident.as_str(), block.labels.first()) {
                    ("dynamic", Some(label)) => format!("dynamic:{}", label.as_str()),
                    (ident, _) => ident.to_owned(),
                };
                out.push((name, start(text, block.span()), depth));
                inside(text, &block.body, depth + 1, out);
            }
        }
    }
}

/// The files of `dir`, sorted, and which of them are `.tf` files.
pub(super) fn dir_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    Ok(files)
}

/// Whether `path` is a `.tf` file.
pub(super) fn is_tf(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tf")
}

/// The `.tf` files of `dir`, sorted.
pub(super) fn tf_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(dir_files(dir)?.into_iter().filter(|p| is_tf(p)).collect())
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
    let files = tf_files(dir).map_err(|source| TerraformError::Read {
        path: dir.to_owned(),
        source,
    })?;
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
            inside(&text, &block.body, 0, &mut found);
            let plain = block
                .body
                .attributes()
                .filter(|a| is_plain(&a.value))
                .map(|a| a.key.as_str().to_owned())
                .collect();
            let map_references = block
                .body
                .attributes()
                .filter_map(|a| Some((a.key.as_str().to_owned(), references_by_key(&a.value)?)))
                .collect();
            out.declared.insert(
                (
                    module.to_owned(),
                    format!("{}.{}", kind.as_str(), name.as_str()),
                ),
                Declared {
                    file: file.clone(),
                    block: start(&text, block.span()),
                    inside: found,
                    plain,
                    map_references,
                },
            );
        }
        for block in body.get_blocks("output") {
            let (Some(name), Some(value)) =
                (block.labels.first(), block.body.get_attribute("value"))
            else {
                continue;
            };
            if is_plain(&value.value) {
                out.plain_outputs
                    .push((module.to_owned(), name.as_str().to_owned()));
            }
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
    fn only_expressions_that_take_all_they_reference_are_plain() {
        let plain = |text: &str| is_plain(&hcl_edit::parser::parse_expr(text).unwrap());
        for text in [
            "aws_subnet.private[*].id",
            "[for s in aws_subnet.private : s.id]",
            "[aws_subnet.a.id, aws_subnet.b.id]",
            "aws_route_table.private[each.key].id",
            "module.network.private_subnet_ids",
        ] {
            assert!(plain(text), "{text}");
        }
        for text in [
            "[for s in aws_subnet.private : s.id if s.availability_zone == \"a\"]",
            "[for s in slice(aws_subnet.private, 0, 1) : s.id]",
            "slice(module.network.private_subnet_ids, 0, 1)",
            "[aws_subnet.private[var.i].id]",
            "var.ha ? aws_subnet.private[*].id : [aws_subnet.private[0].id]",
        ] {
            assert!(!plain(text), "{text}");
        }
    }

    #[test]
    fn positions_count_characters_from_one() {
        let text = "a = 1\nresource \"x\" \"y\" {\n  é = 2\n}\n";
        assert_eq!(position_of(text, 0), Pos { line: 1, column: 1 });
        let offset = text.find("= 2").unwrap();
        assert_eq!(position_of(text, offset), Pos { line: 3, column: 5 });
    }
}
