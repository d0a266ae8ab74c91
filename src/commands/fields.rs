//! `hacheck fields [KIND]`: what a policy can read on each kind of resource, generated from
//! the inventory's types (their fields, Rust types and documentation), so that it cannot
//! drift from what scripts see.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::cli::FieldsArgs;
use crate::fields::FIELDS;
use crate::inventory::index::KINDS;

pub fn run(args: &FieldsArgs) -> anyhow::Result<u8> {
    let kinds: Vec<&(&str, &str)> = match &args.kind {
        None => KINDS.iter().collect(),
        Some(kind) => {
            let found: Vec<_> = KINDS.iter().filter(|(k, _)| k == kind).collect();
            if found.is_empty() {
                let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
                anyhow::bail!("no kind `{kind}`; kinds: {}", known.join(", "));
            }
            found
        }
    };
    super::emit(&describe(&kinds), None)?;
    Ok(super::EXIT_CLEAN)
}

/// The listing of `kinds`, each followed by the inventory types its fields hold.
pub fn describe(kinds: &[&(&str, &str)]) -> String {
    let mut text = String::new();
    let mut shown: BTreeSet<&str> = BTreeSet::new();
    for (kind, type_name) in kinds {
        writeln!(text, "{kind} ({type_name})").unwrap();
        let mut nested = Vec::new();
        fields_of(&mut text, type_name, &mut nested);
        // Types a field holds (`SgRule` of `ingress`), listed once, after their first user.
        while let Some(inner) = nested.pop() {
            if shown.insert(inner) {
                writeln!(text, "  {inner} (what a field above holds)").unwrap();
                let mut more = Vec::new();
                fields_of(&mut text, inner, &mut more);
                nested.extend(more);
            }
        }
        text.push('\n');
    }
    text
}

/// Writes the fields of `type_name`, and pushes the inventory types they hold to `nested`.
fn fields_of(text: &mut String, type_name: &str, nested: &mut Vec<&'static str>) {
    let width = FIELDS
        .iter()
        .filter(|(t, ..)| *t == type_name)
        .map(|(_, name, kind, _)| name.len() + script_type(kind).len())
        .max()
        .unwrap_or(0);
    for (_, name, kind, doc) in FIELDS.iter().filter(|(t, ..)| *t == type_name) {
        let shown = script_type(kind);
        let line = if doc.is_empty() {
            format!("    {name}: {shown}")
        } else {
            let pad = width - name.len() - shown.len();
            format!("    {name}: {shown}{}  {doc}", " ".repeat(pad))
        };
        writeln!(text, "{line}").unwrap();
        for word in kind.split(|c: char| !c.is_alphanumeric() && c != '_') {
            if let Some((held, ..)) = FIELDS
                .iter()
                .find(|(t, ..)| *t == word && word != type_name)
            {
                nested.push(held);
            }
        }
    }
}

/// A Rust field type as a script sees it: `Option<String>` is `string or ()`.
fn script_type(rust: &str) -> String {
    let rust = rust.trim();
    if let Some(inner) = rust
        .strip_prefix("Option<")
        .and_then(|r| r.strip_suffix('>'))
    {
        return format!("{} or ()", script_type(inner));
    }
    if let Some(inner) = rust.strip_prefix("Vec<").and_then(|r| r.strip_suffix('>')) {
        return format!("array of {}", script_type(inner));
    }
    if let Some((inner, _)) = rust.strip_prefix('[').and_then(|r| r.split_once(';')) {
        return format!("array of {}", script_type(inner));
    }
    match rust {
        "String" => "string".into(),
        "i32" | "i64" | "u16" | "u32" | "usize" => "int".into(),
        "f64" => "float".into(),
        "bool" => "bool".into(),
        "Tags" | "BTreeMap<String, String>" => "map of strings".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated listing names exactly the fields a policy reads (`field::names`, which
    /// the engine's strict reads use), for every kind a bundled example holds.
    #[test]
    fn the_listing_names_every_field_scripts_see() {
        let mut seen = BTreeSet::new();
        for example in ["compliant", "single-server"] {
            let inventory = crate::snapshot::parse(
                crate::snapshot::example(example).unwrap(),
                std::path::Path::new(example),
            )
            .unwrap();
            macro_rules! check {
                ($ty:ty) => {{
                    let type_name = stringify!($ty).rsplit("::").next().unwrap().trim();
                    if let Some(item) =
                        <$ty as crate::inventory::Collection>::all(&inventory).first()
                    {
                        let listed: Vec<&str> = FIELDS
                            .iter()
                            .filter(|(t, ..)| *t == type_name)
                            .map(|(_, name, ..)| *name)
                            .collect();
                        assert_eq!(listed, crate::policy::field::names(item), "{type_name}");
                        seen.insert(type_name);
                    }
                }};
            }
            crate::inventory::index::each_collection!(check);
        }
        assert!(seen.len() >= 20, "{seen:?}");
    }
}
