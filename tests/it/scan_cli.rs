//! `hacheck scan` on the bundled examples: every format (snapshots), schema validation of
//! JSON and SARIF, stable fingerprints, exit codes, `--fail-on` and suppressions.

use std::path::PathBuf;

use crate::support::{assert_exit, hacheck, stdout};

fn scan(args: &[&str]) -> std::process::Output {
    hacheck().arg("scan").args(args).output().unwrap()
}

/// The OASIS SARIF 2.1.0 schema, kept in the repository so a clean clone can validate.
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `instance` is valid against the JSON Schema at `schema_path`, formats included, as the
/// `jsonschema` package of the test venv checks it (the validator of the schema's draft the
/// schema names; moto brings it).
pub fn validate(schema_path: &std::path::Path, instance: &serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let instance_path = dir.path().join("instance.json");
    std::fs::write(&instance_path, serde_json::to_vec(instance).unwrap()).unwrap();
    let output = std::process::Command::new(crate::support::moto::venv_tool("python"))
        .args(["-c", VALIDATE])
        .arg(schema_path)
        .arg(&instance_path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} is not valid against {}:\n{}{}",
        instance_path.display(),
        schema_path.display(),
        stdout(&output),
        crate::support::stderr(&output)
    );
}

/// The check of `validate`: every error with its path, exit 1 when there is one. The OASIS
/// schema's `run.language` pattern has a stray `]`; hacheck writes no `language`, and the
/// bracket is dropped as it was for the validator that rejected it.
const VALIDATE: &str = r#"
import json, sys, jsonschema
schema = json.loads(open(sys.argv[1]).read().replace("[a-zA-Z]{2}]?$", "[a-zA-Z]{2}$"))
instance = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = [f"{e.message} at /{'/'.join(map(str, e.absolute_path))}"
          for e in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(instance)]
print("\n".join(errors))
sys.exit(1 if errors else 0)
"#;

fn redact_version(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn table_json_sarif_and_markdown_snapshots_of_the_seed() {
    for (format, name) in [
        ("json", "seed_json"),
        ("sarif", "seed_sarif"),
        ("markdown", "seed_markdown"),
    ] {
        let output = scan(&["--example", "single-server", "--format", format]);
        assert_exit(&output, 1);
        insta::assert_snapshot!(name, redact_version(&stdout(&output)));
    }
}

#[test]
fn the_compliant_example_is_clean() {
    let output = scan(&["--example", "compliant"]);
    assert_exit(&output, 0);
    insta::assert_snapshot!("compliant_table", stdout(&output));
}

/// The table fits the width it is given (`COLUMNS`; 100 for a file or a pipe), ids whole;
/// the compact form is one line per finding.
#[test]
fn the_table_fits_any_width_and_the_compact_form_is_a_line_per_finding() {
    for columns in [None, Some(60), Some(160)] {
        let mut command = hacheck();
        command.args(["scan", "--example", "single-server"]);
        if let Some(columns) = columns {
            command.env("COLUMNS", columns.to_string());
        }
        let output = command.output().unwrap();
        assert_exit(&output, 1);
        let table = stdout(&output);
        let width = columns.unwrap_or(100);
        for line in table.lines() {
            assert!(line.chars().count() <= width, "{width}: {line}");
        }
        for id in ["i-1swiftcode", "vpc-0default0001", "swiftcode-db"] {
            assert!(table.contains(id), "{width}: `{id}` is split in\n{table}");
        }
        insta::assert_snapshot!(format!("seed_table_{width}"), table);
    }
    let output = scan(&["--example", "single-server", "--format", "compact"]);
    assert_exit(&output, 1);
    insta::assert_snapshot!("seed_compact", stdout(&output));
}

#[test]
fn json_output_matches_its_documented_schema() {
    for example in ["single-server", "compliant"] {
        let output = scan(&["--example", example, "--format", "json"]);
        let document: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        validate(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/json-output.schema.json"),
            &document,
        );
        assert_eq!(document["tool"]["version"], env!("CARGO_PKG_VERSION"));
    }
}

#[test]
fn sarif_validates_and_meets_github_upload_requirements() {
    let output = scan(&["--example", "single-server", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    validate(&fixture("sarif-schema-2.1.0.json"), &sarif);
    // The check itself refuses what the schema forbids: a wrong level, a URI that is none.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "loud".into();
    broken["runs"][0]["tool"]["driver"]["informationUri"] = "not a uri".into();
    let refused =
        std::panic::catch_unwind(|| validate(&fixture("sarif-schema-2.1.0.json"), &broken))
            .expect_err("a broken document is refused");
    let message = refused.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("'loud' is not one of") && message.contains("'not a uri' is not a 'uri'"),
        "{message}"
    );
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "hacheck");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 33, "every rule but the opt-in ones");
    for rule in rules {
        for field in ["id", "name"] {
            assert!(rule[field].is_string(), "{field} in {rule}");
        }
        for field in ["shortDescription", "fullDescription"] {
            assert!(
                !rule[field]["text"].as_str().unwrap().is_empty(),
                "{field} in {rule}"
            );
        }
        assert!(rule["help"]["text"].is_string() && rule["help"]["markdown"].is_string());
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
        assert!(!rule["properties"]["tags"].as_array().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 11);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(
            uri,
            format!("policies/{}.rhai", result["ruleId"].as_str().unwrap())
        );
        assert!(
            result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .starts_with("arn:")
        );
        assert_eq!(
            result["partialFingerprints"]["hacheckResource/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn fingerprints_are_stable_across_scans_and_distinct_per_resource() {
    let fingerprints = || -> Vec<String> {
        let output = scan(&["--example", "single-server", "--format", "sarif"]);
        let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["hacheckResource/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let first = fingerprints();
    assert_eq!(first, fingerprints());
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len());
}

#[test]
fn fail_on_sets_the_threshold_of_exit_status_one() {
    // The seed's failures are medium to critical.
    assert_exit(
        &scan(&[
            "--example",
            "single-server",
            "--fail-on",
            "critical",
            "--format",
            "json",
        ]),
        1,
    );
    let config = tempfile::NamedTempFile::new().unwrap();
    // Without the critical rules' failures, only high and medium ones remain.
    let suppressions = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(suppressions.path(), "[[suppress]]\nrule = \"HA002\"\nresource = \"i-1swiftcode\"\nreason = \"migration planned\"\nexpires = 2999-01-01\n\n[[suppress]]\nrule = \"HA010\"\nresource = \"sg-1*\"\nreason = \"vpn\"\nexpires = 2999-01-01\n\n[[suppress]]\nrule = \"HA013\"\nresource = \"arn:aws:rds:*\"\nreason = \"vpn\"\nexpires = 2999-01-01\n").unwrap();
    let _ = config;
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--fail-on",
            "critical",
            "--suppressions",
        ])
        .arg(suppressions.path())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("8 failed, 3 suppressed"),
        "{}",
        stdout(&output)
    );
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--fail-on",
            "high",
            "--suppressions",
        ])
        .arg(suppressions.path())
        .output()
        .unwrap();
    assert_exit(&output, 1);
}

#[test]
fn suppressions_stay_in_sarif_and_expired_ones_are_reported() {
    let suppressions = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(suppressions.path(), "[[suppress]]\nrule = \"HA012\"\nresource = \"swiftcode-db\"\nreason = \"single-AZ stage database\"\nexpires = 2999-01-01\n\n[[suppress]]\nrule = \"HA017\"\nresource = \"*\"\nreason = \"old\"\nexpires = 2001-01-01\n").unwrap();
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--format",
            "sarif",
            "--suppressions",
        ])
        .arg(suppressions.path())
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "HA012");
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(|n| n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("expired on 2001-01-01: its findings are reported again")),
        "{notes:?}"
    );
    validate(&fixture("sarif-schema-2.1.0.json"), &sarif);
}

#[test]
fn bad_suppressions_and_unwritable_output_are_one_line_errors() {
    let suppressions = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        suppressions.path(),
        "[[suppress]]\nrule = \"HA012\"\nresource = \"x\"\nreason = \"r\"\n",
    )
    .unwrap();
    let output = hacheck()
        .args(["scan", "--example", "single-server", "--suppressions"])
        .arg(suppressions.path())
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("expires"), "{err}");

    let output = scan(&[
        "--example",
        "single-server",
        "--output",
        "/nonexistent-dir/report.sarif",
        "--format",
        "sarif",
    ]);
    let err = assert_exit(&output, 2);
    assert_eq!(
        err.trim(),
        "error: cannot write `/nonexistent-dir/report.sarif`: No such file or directory (os error 2)"
    );
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--format",
            "markdown",
            "--output",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert!(stdout(&output).is_empty());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("## hacheck: ❌ open failures")
    );
}

#[test]
fn unknown_example_is_an_error() {
    let err = assert_exit(&scan(&["--example", "nope"]), 2);
    assert_eq!(
        err.trim(),
        "error: no bundled example `nope` (there are: compliant, single-server)"
    );
}

#[test]
fn an_incomplete_collection_exits_two_unless_partial_results_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.json");
    let mut snapshot: serde_json::Value =
        serde_json::from_str(include_str!("../../examples/compliant.json")).unwrap();
    snapshot["warnings"] = serde_json::json!([{
        "service": "rds", "region": "us-east-1", "operation": "DescribeDBInstances",
        "code": "AccessDenied", "message": "not authorized"
    }]);
    std::fs::write(&path, snapshot.to_string()).unwrap();
    let output = hacheck()
        .args(["scan", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        stdout(&output)
            .contains("warning: rds in us-east-1: DescribeDBInstances failed (AccessDenied)"),
        "{}",
        stdout(&output)
    );
    let output = hacheck()
        .args(["scan", "--allow-partial", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let output = hacheck()
        .args(["scan", "--format", "sarif", "--inventory"])
        .arg(&path)
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(err.contains("warning: rds in us-east-1"), "{err}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn a_closed_pipe_ends_the_scan_quietly() {
    let mut child = hacheck()
        .args(["scan", "--example", "single-server", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before hacheck has loaded its policies, so its one write meets a closed pipe.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        matches!(output.status.code(), Some(0) | Some(1)),
        "{:?}",
        output.status
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The ids of the rules a JSON scan report says were run, in order.
fn rules_run(output: &std::process::Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(&stdout(output)).unwrap();
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn select_and_ignore_take_ids_globs_and_tags_from_the_command_line_and_the_config() {
    let json = ["--example", "single-server", "--format", "json"];
    let with = |extra: &[&str]| {
        let output = scan(&[&json[..], extra].concat());
        rules_run(&output)
    };
    assert_eq!(with(&["--select", "HA003,HA012"]), ["HA003", "HA012"]);
    assert_eq!(
        with(&[
            "--select", "HA01*", "--ignore", "HA011", "--ignore", "HA018"
        ]),
        [
            "HA010", "HA012", "HA013", "HA014", "HA015", "HA016", "HA017", "HA019"
        ]
    );
    // A tag selects every rule carrying it: `database` is HA012's, HA013's and HA020's;
    // `--ignore extended` leaves the reference architecture's rules alone.
    assert_eq!(
        with(&["--select", "database"]),
        ["HA012", "HA013", "HA020", "HA023", "HA031"]
    );
    assert_eq!(with(&["--ignore", "extended"]).len(), 19);
    let all = with(&[]);
    assert_eq!(all.len(), 33);
    // An opt-in rule runs when something names it: its id, a control it answers, a tag.
    assert!(!all.contains(&"HA026".to_owned()));
    assert_eq!(with(&["--select", "HA026"]), ["HA026"]);
    assert_eq!(with(&["--select", "sh:autoscaling.6"]), ["HA026"]);
    assert!(with(&["--select", "extended"]).contains(&"HA026".to_owned()));
    assert!(!with(&["--ignore", "HA01*"]).contains(&"HA026".to_owned()));
    // A suppression may name a rule the run leaves out: still a rule, and not unused.
    let kept = tempfile::tempdir().unwrap();
    let suppressions = kept.path().join("suppressions.toml");
    std::fs::write(
        &suppressions,
        "[[suppress]]\nrule = \"HA026\"\nresource = \"*\"\nreason = \"one type is enough\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let output = scan(
        &[
            &json[..],
            &["--suppressions", suppressions.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_exit(&output, 1);
    assert!(
        String::from_utf8_lossy(&output.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hacheck.toml");
    std::fs::write(&config, "[rules]\nignore = [\"HA00*\"]\n").unwrap();
    let config = config.to_str().unwrap();
    let ignored = with(&["--config", config]);
    assert_eq!(ignored, &all[9..]);
    // The command line adds to the config's ignore list.
    assert_eq!(
        with(&["--config", config, "--ignore", "HA01*"]),
        [
            "HA020", "HA021", "HA022", "HA023", "HA024", "HA025", "HA027", "HA028", "HA029",
            "HA030", "HA031", "HA032", "HA033", "HA035"
        ]
    );

    // The seed fails HA012, not HA016: the rules left out are not run at all.
    assert_exit(
        &scan(&["--example", "single-server", "--select", "HA016"]),
        0,
    );
    assert_exit(
        &scan(&["--example", "single-server", "--select", "HA012"]),
        1,
    );
    for unknown in ["HA999", "HA9*", "no-such-tag"] {
        let output = scan(&["--example", "single-server", "--select", unknown]);
        let message = assert_exit(&output, 2);
        assert!(message.contains(&format!("`{unknown}`")), "{message}");
        assert_eq!(message.trim().lines().count(), 1, "{message}");
    }
}

/// `hacheck merge` joins reports of single accounts too (each result then names its account)
/// and refuses what is not a report with one line naming the file.
#[test]
fn merge_joins_single_account_reports_and_refuses_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("seed.json");
    let output = hacheck()
        .args([
            "scan",
            "--example",
            "single-server",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let alone: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();

    // The same report twice: one account, results deduplicated.
    let output = hacheck()
        .args(["merge"])
        .arg(&report)
        .arg(&report)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let merged: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(merged["summary"], alone["summary"]);
    let account = alone["account_id"].as_str().unwrap();
    let results = merged["results"].as_array().unwrap();
    assert_eq!(results.len(), alone["results"].as_array().unwrap().len());
    assert!(results.iter().all(|r| r["account"] == account));

    let bad = dir.path().join("notes.txt");
    std::fs::write(&bad, "hello").unwrap();
    let output = hacheck().arg("merge").arg(&bad).output().unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.contains("notes.txt") && err.contains("not a hacheck JSON report"),
        "{err}"
    );
}

/// A Markdown report of several accounts (a directory of their snapshots) counts them
/// instead of listing their ids in its first line, has a row per account, and names each
/// failure's account; one account's report has no account column.
#[test]
fn a_markdown_report_of_several_accounts_names_each_failures_account() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let compliant = std::fs::read_to_string(root.join("examples/compliant.json")).unwrap();
    let seed = std::fs::read_to_string(root.join("examples/single-server.json")).unwrap();
    std::fs::write(dir.path().join("a.json"), &compliant).unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        seed.replace("123456789012", "210987654321"),
    )
    .unwrap();
    let output = scan(&[
        "--format",
        "markdown",
        "--inventory",
        dir.path().to_str().unwrap(),
    ]);
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("\n2 accounts, regions `us-east-1`: "),
        "{text}"
    );
    assert!(
        text.contains("| Rule | Severity | Account | Application | Resource | Finding |"),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| HA")).collect();
    assert!(!rows.is_empty(), "{text}");
    for row in &rows {
        assert_eq!(row.matches(" | ").count(), 5, "six cells: {row}");
        assert!(row.contains("| `210987654321` |"), "{row}");
    }
    let one = stdout(&scan(&[
        "--format",
        "markdown",
        "--example",
        "single-server",
    ]));
    assert!(one.contains("| Rule | Severity | Application | Resource | Finding |"));
    assert!(one.contains("Account `123456789012`, regions"));
}

/// Each rule names the framework controls it answers: `--select` takes one, SARIF relates
/// the rule and each result to the run's taxonomies, and a control hacheck does not know
/// keeps a policy from loading.
#[test]
fn rules_name_the_framework_controls_they_answer() {
    let output = scan(&[
        "--example",
        "single-server",
        "--select",
        "sh:rds.5",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let rules: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["HA012"]);
    assert!(
        report["rules"][0]["frameworks"]
            .as_array()
            .unwrap()
            .contains(&"CONFIG:rds-multi-az-support".into())
    );

    let output = scan(&["--example", "single-server", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let run = &sarif["runs"][0];
    let taxa = |component: &str, id: &str| {
        run["taxonomies"].as_array().unwrap().iter().any(|t| {
            t["name"] == component && t["taxa"].as_array().unwrap().iter().any(|x| x["id"] == id)
        })
    };
    let mut related = 0;
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        for relationship in rule["relationships"].as_array().into_iter().flatten() {
            let target = &relationship["target"];
            assert!(
                taxa(
                    target["toolComponent"]["name"].as_str().unwrap(),
                    target["id"].as_str().unwrap()
                ),
                "{target:#}"
            );
            related += 1;
        }
    }
    assert!(related >= 19, "{related}");
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "HA012")
        .unwrap();
    assert!(
        result["taxa"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "SH:RDS.5"),
        "{result:#}"
    );

    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/HA004.rhai"),
    )
    .unwrap()
    .replace("id: \"HA004\"", "id: \"ACME004\"")
    .replace(
        "frameworks: [\"WA:REL10-BP01\"]",
        "frameworks: [\"SH:Nope.1\"]",
    );
    std::fs::write(dir.path().join("ACME004.rhai"), text).unwrap();
    let output = hacheck()
        .args(["scan", "--example", "single-server", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = assert_exit(&output, 2);
    assert!(stderr.contains("`SH:Nope.1`"), "{stderr}");
}
