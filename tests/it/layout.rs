//! The source's layout, held: data flows one way between the crate's top-level modules (no
//! module reaches, through others, back to itself), and no source file grows past 1,000
//! lines. Dependencies are read from `crate::<module>` paths in code (comments and
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
fn modules_depend_one_way_and_files_stay_short() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
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
    assert!(graph.len() > 10, "the modules were not found: {graph:?}");
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module, &mut vec![module.clone()]) {
            panic!("import circle: {} → {module}", cycle.join(" → "));
        }
    }
}

#[test]
fn a_circle_is_seen() {
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
    assert_eq!(
        crate_paths("use crate::plan::Plan; // crate::policy\n#[cfg(test)]\nuse crate::config;"),
        BTreeSet::from(["plan".to_owned()])
    );
}
