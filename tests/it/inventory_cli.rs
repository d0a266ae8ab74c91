//! `hacheck inventory` on snapshots and on bad input: no AWS involved.

use crate::support::{assert_exit, example, hacheck, stdout};

#[test]
fn bundled_examples_round_trip_without_loss() {
    for name in ["single-server.json", "compliant.json"] {
        let path = example(name);
        let output = hacheck()
            .args(["inventory", "--inventory"])
            .arg(&path)
            .output()
            .unwrap();
        assert_exit(&output, 0);
        let original: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let written: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(original, written, "{name} changed on a round trip");
    }
}

#[test]
fn snapshot_written_to_a_file_reads_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.json");
    let output = hacheck()
        .args(["inventory", "--inventory"])
        .arg(example("compliant.json"))
        .arg("--output")
        .arg(&copy)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let again = hacheck()
        .args(["inventory", "--inventory"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_exit(&again, 0);
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), stdout(&again));
}

#[test]
fn bad_snapshots_are_one_line_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not-json.json", "{ nope", "is not valid JSON"),
        (
            "old.json",
            r#"{"schema_version": 0}"#,
            "has schema_version 0",
        ),
        (
            "shape.json",
            r#"{"schema_version": 1, "account_id": 5}"#,
            "does not match",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = hacheck()
            .args(["inventory", "--inventory"])
            .arg(&path)
            .output()
            .unwrap();
        let err = assert_exit(&output, 2);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(name) && err.contains(expected), "{err}");
        // The cause is said once, not once per level of the error chain.
        assert_eq!(err.matches(expected).count(), 1, "{err}");
        assert!(stdout(&output).is_empty());
    }
    let missing = hacheck()
        .args(["inventory", "--inventory", "/nonexistent/x.json"])
        .output()
        .unwrap();
    let err = assert_exit(&missing, 2);
    assert_eq!(
        err,
        "error: cannot read snapshot `/nonexistent/x.json`: No such file or directory (os error 2)\n"
    );
}

#[test]
fn unwritable_output_fails_without_touching_anything() {
    let output = hacheck()
        .args(["inventory", "--inventory"])
        .arg(example("single-server.json"))
        .args(["--output", "/nonexistent-dir/out.json"])
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent-dir/out.json"), "{err}");
}
