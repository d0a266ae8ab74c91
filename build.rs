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
}
