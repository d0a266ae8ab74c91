//! Embeds the built-in rule pack (`policies/`) and remediations (`remediations/`) in the
//! binary, so that `hacheck` works from any directory without its source tree.

use std::fmt::Write;
use std::path::Path;

fn collect(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, base, out);
        } else {
            let relative = path
                .strip_prefix(base)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            out.push(relative);
        }
    }
}

fn main() {
    // Read when the script runs, not when it was compiled: a build script compiled for a
    // checkout elsewhere sharing this target directory would embed that checkout's files.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let root = Path::new(&manifest_dir);
    let mut generated = String::new();
    for dir in ["policies", "remediations"] {
        println!("cargo:rerun-if-changed={dir}");
        let base = root.join(dir);
        let mut files = Vec::new();
        if base.is_dir() {
            collect(&base, &base, &mut files);
        }
        writeln!(
            generated,
            "pub const {}: &[(&str, &str)] = &[",
            dir.to_uppercase()
        )
        .unwrap();
        for file in files {
            let absolute = base.join(&file);
            // A directory's own time changes only when files come or go: each file is
            // watched too, so that an edited rule or case is embedded again.
            println!("cargo:rerun-if-changed={}", absolute.display());
            writeln!(
                generated,
                "    ({file:?}, include_str!({:?})),",
                absolute.to_str().unwrap()
            )
            .unwrap();
        }
        writeln!(generated, "];").unwrap();
    }
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin.rs");
    std::fs::write(out, generated).unwrap();
    inventory_fields(root);
}

/// Every field of every inventory struct, with its type and documentation, read from
/// `src/inventory/*.rs` (`hacheck fields`): generated from the types, so it cannot drift.
fn inventory_fields(root: &Path) {
    let dir = root.join("src/inventory");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut generated = String::from("pub const FIELDS: &[(&str, &str, &str, &str)] = &[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        let mut current: Option<String> = None;
        let mut doc: Vec<String> = Vec::new();
        // A field the snapshot leaves out when empty reads as `()` in a script then.
        let mut skipped_when_empty: Option<&str> = None;
        for line in text.lines() {
            let trimmed = line.trim();
            if let Some(rest) = line.strip_prefix("pub struct ") {
                current = rest.strip_suffix(" {").map(|name| name.to_owned());
                doc.clear();
                continue;
            }
            if line == "}" {
                current = None;
                continue;
            }
            let Some(structure) = &current else {
                continue;
            };
            if let Some(text) = trimmed.strip_prefix("///") {
                doc.push(text.trim().to_owned());
                continue;
            }
            if trimmed.starts_with("#[") && trimmed.contains("skip_serializing_if") {
                skipped_when_empty = if trimmed.contains("Not::not") {
                    Some("`()` when false (write `?? false`).")
                } else if trimmed.contains("String::is_empty") {
                    Some("`()` when empty (write `?? \"\"`).")
                } else if trimmed.contains("Vec::is_empty") {
                    Some("`()` when empty (write `?? []`).")
                } else if trimmed.contains("is_empty") {
                    Some("`()` when empty (write `?? #{}`).")
                } else {
                    None
                };
            }
            if let Some(field) = line.strip_prefix("    pub ")
                && let Some((name, kind)) = field.split_once(": ")
            {
                let kind = kind.trim_end_matches(',');
                if let Some(note) = skipped_when_empty {
                    doc.push(note.into());
                }
                writeln!(
                    generated,
                    "    ({structure:?}, {name:?}, {kind:?}, {:?}),",
                    doc.join(" ")
                )
                .unwrap();
            }
            if !trimmed.starts_with("#[") {
                doc.clear();
                skipped_when_empty = None;
            }
        }
    }
    generated.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("fields.rs");
    std::fs::write(out, generated).unwrap();
}
