//! `hacheck policies`, `explain` and policy failures: broken files, endless loops, overrides.

use crate::support::{assert_exit, hacheck, stdout, write_policy};

#[test]
fn list_shows_every_builtin_rule() {
    let output = hacheck().args(["policies", "list"]).output().unwrap();
    assert_exit(&output, 0);
    let text = stdout(&output);
    // A header, then one line per rule, columns aligned.
    assert_eq!(text.lines().count(), 36, "{text}");
    assert!(text.starts_with("ID     SEVERITY  FIX  TAGS "), "{text}");
    assert!(
        text.contains("HA010  critical  yes  network,exposure,ssh                  SSH reaches instances only through a bastion"),
        "{text}"
    );
    assert!(
        text.contains("HA018  high      no   availability "),
        "{text}"
    );
}

#[test]
fn builtin_cases_pass_through_the_cli() {
    let output = hacheck().args(["policies", "test"]).output().unwrap();
    assert_exit(&output, 0);
    assert!(
        stdout(&output).ends_with("366 cases: 366 passed, 0 failed\n"),
        "{}",
        stdout(&output)
    );
}

/// `hacheck fields` lists what a rule can read, as scripts see it; a kind that does not exist
/// is one line naming the kinds.
#[test]
fn fields_lists_what_a_rule_can_read() {
    let output = hacheck()
        .args(["fields", "load_balancer"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(text.starts_with("load_balancer (LoadBalancer)\n"), "{text}");
    assert!(text.contains("\n    scheme: string"), "{text}");
    assert!(text.contains("\n    tags: map of strings"), "{text}");
    let output = hacheck()
        .args(["fields", "load_balancers"])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    let error = crate::support::stderr(&output);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.contains("no kind `load_balancers`; kinds: vpc, subnet"),
        "{error}"
    );
}

/// `hacheck policies test` on a user policy `id` whose `check` body and cases are given.
fn test_user_policy(id: &str, check_body: &str, cases: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    write_policy(dir.path(), id, check_body);
    std::fs::write(dir.path().join(format!("{id}.tests.json")), cases).unwrap();
    // Its own cases only, as its author runs them (the built-in ones have a test of their own).
    hacheck()
        .args(["policies", "test", "--select", id, "--policies"])
        .arg(dir.path())
        .output()
        .unwrap()
}

#[test]
fn a_wrong_expectation_fails_the_case() {
    let output = test_user_policy(
        "ORG001",
        "inv.instances.map(|i| fail(i, `Instance ${i.id} is flagged.`))",
        r#"{"cases": [{"name": "expects nothing", "base": "single-server", "fail": []}]}"#,
    );
    assert_exit(&output, 1);
    assert!(
        stdout(&output)
            .contains("FAIL  ORG001 expects nothing: expected failures {}, got {\"i-1swiftcode\"}"),
        "{}",
        stdout(&output)
    );
}

/// A case that makes the account invalid names its own file and the field it broke, not a
/// position in the document it was merged into.
#[test]
fn a_bad_case_names_its_file_and_the_field_it_broke() {
    let output = test_user_policy(
        "ORG003",
        "inv.instances.map(|i| pass(i, `Instance ${i.id} is fine.`))",
        r#"{"cases": [{"name": "broken", "base": "single-server", "modify": {"instances": {"i-1swiftcode": {"state": 3}}}, "fail": []}]}"#,
    );
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("FAIL  ORG003 broken: bad case in `")
            && text.contains("ORG003.tests.json`: the case makes `instances[0].state` invalid: invalid type: integer `3`, expected a string\n"),
        "{text}"
    );
}

/// A misspelt field is the policy's error, naming the kind and its fields: it would
/// otherwise read as `()` and the rule pass everything silently.
#[test]
fn a_misspelt_field_fails_the_policys_own_test_naming_the_fields() {
    let output = test_user_policy(
        "ORG002",
        "inv.instances.map(|i| if i.pubic_ip != () { fail(i, `Instance ${i.id} is public.`) } else { pass(i, \"private\") })",
        r#"{"cases": [{"name": "the public instance", "base": "single-server", "fail": ["i-1swiftcode"]}]}"#,
    );
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("instance has no field `pubic_ip` (its fields: id, region, state,")
            && text.contains("public_ip"),
        "{text}"
    );
}

#[test]
fn explain_prints_the_docs_and_json() {
    // Rule ids in any letter case.
    let output = hacheck().args(["explain", "ha012"]).output().unwrap();
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(
        text.starts_with("# HA012 (rds-multi-az): Application databases keep a standby or a reader in another Availability Zone"),
        "{text}"
    );
    assert!(
        text.contains("## What it does") && text.contains("## References"),
        "{text}"
    );
    let json = hacheck()
        .args(["explain", "HA012", "--json"])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["severity"], "high");
    assert_eq!(value["origin"], "policies/HA012.rhai");
}

#[test]
fn unknown_rule_in_explain_is_an_error() {
    let output = hacheck().args(["explain", "HA999"]).output().unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(
        err,
        "error: no rule `HA999` (see `hacheck policies list`)\n"
    );
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ORG002.rhai"),
        "fn metadata() {\n  #{ id: \"ORG002\" \n}\nfn check(inv, params) { let x = ; }\n",
    )
    .unwrap();
    let output = hacheck()
        .args(["scan", "--example", "compliant", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    let expected = format!("error: {}:", dir.path().join("ORG002.rhai").display());
    assert!(
        err.starts_with(&expected) && err.contains("syntax error"),
        "{err}"
    );
    assert!(
        err.contains("ORG002.rhai:4:1: syntax error: expecting ';'"),
        "a line and column: {err}"
    );
}

#[test]
fn invalid_metadata_is_refused_when_loading() {
    let dir = tempfile::tempdir().unwrap();
    write_policy(dir.path(), "ORG003", "[]");
    let path = dir.path().join("ORG003.rhai");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("severity: \"low\"", "severity: \"urgent\"");
    std::fs::write(&path, text).unwrap();
    let output = hacheck()
        .args(["policies", "list", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.contains("ORG003.rhai: invalid policy metadata") && err.contains("urgent"),
        "{err}"
    );
}

#[test]
fn an_endless_loop_is_stopped_and_the_other_policies_still_report() {
    let dir = tempfile::tempdir().unwrap();
    write_policy(dir.path(), "ORG004", "let n = 0;\nloop { n += 1; }");
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--format",
            "json",
            "--policies",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.contains("policy `ORG004` failed at") && err.contains("too many operations"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    assert!(
        report["summary"]["failed"].as_u64().unwrap() >= 8,
        "the built-in rules still ran"
    );
}

#[test]
fn a_runtime_error_names_the_policy_and_position() {
    let dir = tempfile::tempdir().unwrap();
    write_policy(
        dir.path(),
        "ORG005",
        "let x = inv.instances[0].id;\nx.no_such_method()",
    );
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--format",
            "json",
            "--policies",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    let line = err.lines().find(|l| l.contains("ORG005")).unwrap();
    assert!(line.contains("ORG005.rhai:9:"), "{line}");
}

#[test]
fn a_user_policy_replaces_a_builtin_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_policy(dir.path(), "HA012", "[]");
    let path = dir.path().join("HA012.rhai");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("AWS::EC2::Instance", "AWS::RDS::DBInstance");
    std::fs::write(&path, text).unwrap();
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--format",
            "json",
            "--policies",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = assert_exit(&output, 1);
    assert!(
        err.contains(&format!(
            "note: policy `HA012` is replaced by {}",
            path.display()
        )),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let ha012: Vec<_> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule_id"] == "HA012")
        .collect();
    assert!(
        ha012.is_empty(),
        "the replacement examines nothing: {ha012:?}"
    );
}

#[test]
fn imports_cannot_leave_the_policy_directories() {
    let dir = tempfile::tempdir().unwrap();
    write_policy(dir.path(), "ORG006", "[]");
    let path = dir.path().join("ORG006.rhai");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "fn check(inv, params) {",
        "fn check(inv, params) {\nimport \"../../etc/passwd\" as secrets;",
    );
    std::fs::write(&path, text).unwrap();
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--format",
            "json",
            "--policies",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.contains("only paths inside the policy directories"),
        "{err}"
    );
}

#[test]
fn parameters_come_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hacheck.toml");
    std::fs::write(&config, "[policies.HA004]\nmin_size = 3\n").unwrap();
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "compliant",
            "--format",
            "json",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let failing: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .map(|r| r["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(failing, ["HA004"]);
    std::fs::write(&config, "[policies.HA004]\nmin_size = \"three\"\n").unwrap();
    let output = hacheck()
        .args(["scan", "--example", "compliant", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.contains("parameter `min_size` of policy `HA004` must be like `2`"),
        "{err}"
    );
}

#[test]
fn aws_options_belong_to_the_commands_that_call_aws() {
    // The help of a command that calls no AWS offers no AWS option; one that does, does.
    for (command, offers) in [
        ("explain", false),
        ("policies", false),
        ("merge", false),
        ("scan", true),
        ("fix", true),
    ] {
        let output = hacheck().args([command, "--help"]).output().unwrap();
        assert_eq!(
            stdout(&output).contains("--region"),
            offers,
            "{command}: {}",
            stdout(&output)
        );
    }
    // Before the command they still apply to it, and name the command they cannot serve.
    let output = hacheck()
        .args(["--region", "us-east-1", "scan", "--example", "compliant"])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let output = hacheck()
        .args(["--region", "us-east-1", "explain", "HA001"])
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert_eq!(
        crate::support::stderr(&output),
        "error: `--region` is for the commands that call AWS; `explain` calls none\n"
    );
}

/// Words only the project's history knows (the design notes called the reference
/// architecture's starting point "the seed"): users never meet them, in a rule's
/// documentation, a remediation, a bundled example or anything a command prints.
#[test]
fn no_word_of_the_projects_history_reaches_users() {
    const HISTORY: [&str; 2] = ["seed", "the era"];
    let mut texts: Vec<(String, String)> = Vec::new();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for dir in [
        "policies",
        "policies/lib",
        "remediations",
        "remediations/lib",
        "examples",
        "examples/templates",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                texts.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let mut run = |args: &[&str]| {
        let output = hacheck().args(args).output().unwrap();
        texts.push((
            args.join(" "),
            format!("{}{}", stdout(&output), crate::support::stderr(&output)),
        ));
    };
    let list = hacheck().args(["policies", "list"]).output().unwrap();
    for id in stdout(&list)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
    {
        run(&["explain", id]);
    }
    for example in ["single-server", "compliant"] {
        for format in ["table", "json", "markdown", "sarif", "compact"] {
            run(&["scan", "--example", example, "--format", format]);
        }
        for command in ["fix", "whatif", "apps", "graph"] {
            run(&[command, "--example", example]);
        }
    }
    for (source, text) in &texts {
        for word in HISTORY {
            let lower = text.to_lowercase();
            let found = lower.match_indices(word).find(|(at, _)| {
                let before = lower[..*at].chars().next_back();
                let after = lower[at + word.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            });
            assert!(found.is_none(), "`{word}` in {source}");
        }
    }
}
