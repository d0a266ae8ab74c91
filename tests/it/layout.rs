//! The source's layout, held: data flows one way between the crate's top-level modules (no
//! module reaches, through others, back to itself), no source file grows past 1,000 lines,
//! and errors are typed (no `Result<_, String>`). Dependencies are read from `crate::<module>` paths in code (comments and
//! `#[cfg(test)]` modules left out): a path is how one module reaches another here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`plan` for `src/plan/stack.rs`), none for the
/// crate root and the binary.
fn top_module(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib" && name != "main").then(|| name.to_owned())
}

/// `crate::<name>` paths in the code of `text` (not in comments, not in test modules).
fn crate_paths(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        for (at, _) in line.match_indices("crate::") {
            let name: String = line[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// A cycle through `from`, if the graph has one: the modules on it, in order.
fn cycle_from(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    for next in graph.get(path.last().unwrap()).into_iter().flatten() {
        if next == from {
            return Some(path.clone());
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(cycle) = cycle_from(graph, from, path) {
                return Some(cycle);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn modules_depend_one_way_files_stay_short_and_errors_are_typed() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut long = Vec::new();
    let mut stringly = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if results_with_string_errors(code) {
                stringly.push(format!("{}:{}", file.display(), n + 1));
            }
        }
        if text.lines().count() > 1_000 {
            long.push(format!(
                "{} ({} lines)",
                file.display(),
                text.lines().count()
            ));
        }
        let Some(module) = top_module(file) else {
            continue;
        };
        let reached = graph.entry(module.clone()).or_default();
        reached.extend(crate_paths(&text).into_iter().filter(|m| *m != module));
    }
    assert!(long.is_empty(), "source files over 1,000 lines: {long:?}");
    assert!(
        stringly.is_empty(),
        "errors as strings (give the area a typed error): {stringly:?}"
    );
    assert!(graph.len() > 10, "the modules were not found: {graph:?}");
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module, &mut vec![module.clone()]) {
            panic!("import circle: {} → {module}", cycle.join(" → "));
        }
    }
}

/// Whether `code` names a `Result<T, String>` (the error type read at the top level of the
/// generic arguments).
fn results_with_string_errors(code: &str) -> bool {
    code.match_indices("Result<").any(|(at, _)| {
        let mut depth = 0;
        let mut last_comma = None;
        for (offset, c) in code[at + "Result<".len()..].char_indices() {
            match c {
                '<' | '(' => depth += 1,
                '>' | ')' if depth > 0 => depth -= 1,
                ',' if depth == 0 => last_comma = Some(offset),
                '>' => {
                    let inner = &code[at + "Result<".len()..][..offset];
                    return last_comma.is_some_and(|comma| inner[comma + 1..].trim() == "String");
                }
                _ => {}
            }
        }
        false
    })
}

#[test]
fn a_circle_and_a_string_error_are_seen() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("plan", vec!["policy", "change"]),
        ("policy", vec!["plan"]),
        ("change", vec![]),
    ]
    .into_iter()
    .map(|(m, to)| (m.to_owned(), to.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        cycle_from(&graph, "plan", &mut vec!["plan".to_owned()]),
        Some(vec!["plan".to_owned(), "policy".to_owned()])
    );
    assert!(results_with_string_errors(
        "fn f() -> Result<Vec<u8>, String> {"
    ));
    assert!(!results_with_string_errors(
        "fn f(o: &BTreeMap<String, String>) -> Result<Action, Unresolved> {"
    ));
    assert!(!results_with_string_errors(
        "Result<BTreeMap<String, String>, E>"
    ));
    assert_eq!(
        crate_paths("use crate::plan::Plan; // crate::policy\n#[cfg(test)]\nuse crate::config;"),
        BTreeSet::from(["plan".to_owned()])
    );
}
