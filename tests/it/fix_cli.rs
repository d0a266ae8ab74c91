//! `hacheck fix` planning on the bundled examples: deterministic, readable, no AWS.

use crate::support::{assert_exit, hacheck, stdout};

fn plan(example: &str, format: &str) -> String {
    let output = hacheck()
        .args(["fix", "--example", example, "--format", format])
        .output()
        .unwrap();
    stdout(&output)
}

#[test]
fn the_seed_plan_reads_like_terraform() {
    insta::assert_snapshot!("seed_plan_text", plan("seed-start", "text"));
}

#[test]
fn plans_are_deterministic_and_json_matches_text() {
    let first = plan("seed-start", "json");
    assert_eq!(first, plan("seed-start", "json"));
    let value: serde_json::Value = serde_json::from_str(&first).unwrap();
    insta::assert_json_snapshot!("seed_plan_json", value);
    let steps = value["steps"].as_array().unwrap();
    let manual = steps.iter().filter(|s| s["safety"] == "manual").count();
    assert!(plan("seed-start", "text").contains(&format!("{manual} manual.")));
}

#[test]
fn a_compliant_account_has_nothing_to_fix() {
    let output = hacheck()
        .args(["fix", "--example", "compliant"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "No changes: nothing to fix.\n");
}

#[test]
fn apply_refuses_without_yes_when_it_cannot_ask() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let output = hacheck()
        .args(["fix", "--example", "seed-start", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let output = hacheck()
        .arg("apply")
        .arg(&path)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(
        err.trim(),
        "error: refusing to apply without `--yes`: standard input is not a terminal to confirm on"
    );
}

#[test]
fn a_bad_plan_file_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, "{\"format_version\": 9, \"account_id\": \"1\", \"inventory_fingerprint\": \"x\", \"steps\": []}").unwrap();
    let output = hacheck()
        .args(["apply", "--yes"])
        .arg(&path)
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.starts_with("error: cannot read plan `") && err.contains("format_version 9"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}
