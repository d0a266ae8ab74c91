//! The bad-input corpus (`tests/corpus/`): snapshots, config, suppressions, stack specs and
//! policies that hacheck must refuse or contain. Every case has `<case>.expected`: the exit
//! code on the first line (`exit: 2`), then hacheck's exact stderr. Policy cases also prove
//! that a runaway script is contained: the process stays under 200 MB (its own peak RSS,
//! from `wait4`) and the built-in rules report exactly what a clean run reports.
//!
//! `HACHECK_BLESS=1 cargo test corpus` rewrites the `.expected` files from what hacheck
//! prints now (review the diff before committing).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::hacheck;

/// The most a scan with a runaway policy may take, in bytes of peak resident memory.
const MEMORY_CEILING: u64 = 200 << 20;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// What a finished child did: exit code, stdout, stderr and its peak resident set.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    peak_rss: u64,
}

/// Runs `command` to its end and measures the child's own peak RSS with `wait4`.
// `wait4` reaps the child, which clippy does not see.
#[allow(clippy::zombie_processes)]
fn run(mut command: Command) -> Run {
    use std::io::Read;
    let mut child = command
        .current_dir(corpus())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        out.read_to_string(&mut text).unwrap();
        text
    });
    let mut stderr = String::new();
    err.read_to_string(&mut stderr).unwrap();
    let stdout = reader.join().unwrap();
    let mut status = 0;
    // SAFETY: plain syscall on our own child, with valid pointers to locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    Run {
        code: libc::WEXITSTATUS(status),
        stdout,
        stderr,
        peak_rss: usage.ru_maxrss as u64 * 1024,
    }
}

/// The cases of one area: files with one of `extensions`, or directories.
fn cases(area: &str, directories: bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus().join(area))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.is_dir() == directories && path.extension() != Some("expected".as_ref())
        })
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no cases in {area}");
    names
}

/// Compares a run with `<area>/<case>.expected`, or writes it when blessing.
fn expect(area: &str, case: &str, run: &Run) -> Option<String> {
    let path = corpus().join(area).join(format!("{case}.expected"));
    let actual = format!("exit: {}\n{}", run.code, run.stderr);
    if std::env::var_os("HACHECK_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing (bless it)", path.display()));
    (expected != actual)
        .then(|| format!("{area}/{case}\n  expected: {expected:?}\n  actual:   {actual:?}"))
}

/// Runs `hacheck <args> <case>` for every case of an area and checks the common promises: the
/// expected exit code and stderr, and stderr holding exactly one line.
fn check_area(area: &str, directories: bool, args: &[&str]) -> Vec<(String, Run)> {
    let mut failures = Vec::new();
    let mut runs = Vec::new();
    for case in cases(area, directories) {
        let mut command = hacheck();
        command.args(args).arg(Path::new(area).join(&case));
        let run = run(command);
        if let Some(difference) = expect(area, &case, &run) {
            failures.push(difference);
        }
        if run.stderr.lines().count() != 1 {
            failures.push(format!(
                "{area}/{case}: stderr is not one line: {:?}",
                run.stderr
            ));
        }
        runs.push((case, run));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    runs
}

#[test]
fn bad_snapshots_are_one_line_naming_the_file_and_field() {
    check_area("snapshots", false, &["scan", "--inventory"]);
}

#[test]
fn bad_config_suppressions_and_specs_are_one_line_naming_the_file() {
    check_area(
        "config",
        false,
        &["scan", "--example", "compliant", "--config"],
    );
    check_area(
        "suppressions",
        false,
        &["scan", "--example", "compliant", "--suppressions"],
    );
    check_area("specs", false, &["fix", "--example", "compliant", "--spec"]);
}

/// The results of the built-in rules in a JSON report, for comparison with a clean run.
fn builtin_results(report: &str) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(report).unwrap();
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["rule_id"].as_str().unwrap().starts_with("HA"))
        .cloned()
        .collect()
}

#[test]
fn runaway_or_broken_policies_are_that_policys_error_and_the_machine_is_safe() {
    let scan = ["scan", "--example", "single-server", "--format", "json"];
    let mut clean = hacheck();
    clean.args(scan);
    let clean = run(clean);
    assert_eq!(clean.code, 1, "{}", clean.stderr);
    let runs = check_area("policies", true, &[&scan[..], &["--policies"]].concat());
    for (case, run) in runs {
        assert!(
            run.peak_rss < MEMORY_CEILING,
            "policies/{case}: peak RSS {} MiB",
            run.peak_rss >> 20
        );
        // A policy that cannot load stops the scan before anything runs; one that fails
        // at run time leaves the built-in rules' report intact.
        if !run.stdout.is_empty() {
            assert_eq!(
                builtin_results(&run.stdout),
                builtin_results(&clean.stdout),
                "policies/{case}"
            );
        }
    }
}

/// Every field path of a JSON document (each array's first element only), with its value.
fn field_paths(
    value: &serde_json::Value,
    path: String,
    out: &mut Vec<(String, serde_json::Value)>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                out.push((child_path.clone(), child.clone()));
                field_paths(child, child_path, out);
            }
        }
        serde_json::Value::Array(items) => {
            if let Some(first) = items.first() {
                let child_path = format!("{path}[0]");
                out.push((child_path.clone(), first.clone()));
                field_paths(first, child_path, out);
            }
        }
        _ => {}
    }
}

/// A value of another JSON type than `value`.
fn wrong_type(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::{Value, json};
    match value {
        Value::String(_) => json!(7),
        Value::Number(_) => json!("seven"),
        Value::Bool(_) => json!("yes"),
        Value::Null | Value::Array(_) => json!({ "unexpected": true }),
        Value::Object(_) => json!([7]),
    }
}

/// `instances[0].tags.Name` → the JSON pointer `/instances/0/tags/Name`.
fn pointer(path: &str) -> String {
    path.split('.')
        .flat_map(|part| part.split('['))
        .map(|part| format!("/{}", part.trim_end_matches(']')))
        .collect()
}

#[test]
fn a_wrong_type_in_any_field_of_a_snapshot_is_refused_naming_that_field() {
    let origin = Path::new("compliant.json");
    let text = std::fs::read_to_string(crate::support::example("compliant.json")).unwrap();
    let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The collections the compliant example leaves empty, one item each, every field set.
    let filled = serde_json::json!({
        "warnings": [hacheck::inventory::CollectorWarning {
            service: "rds".into(), region: "us-east-1".into(), operation: "DescribeDBClusters".into(),
            code: "AccessDenied".into(), message: "not allowed".into(),
        }],
        "launch_configurations": [hacheck::inventory::LaunchConfiguration {
            name: "lc".into(), arn: "arn:lc".into(), region: "us-east-1".into(),
            image_id: "ami-1".into(), instance_type: "t3.small".into(),
            associate_public_ip: Some(false), security_group_ids: vec!["sg-1".into()],
            has_user_data: true,
            joins_ecs_cluster: false,
            key_name: Some("ops".into()),
        }],
        "db_clusters": [hacheck::inventory::DbCluster {
            id: "orders".into(), arn: "arn:orders".into(), region: "us-east-1".into(),
            engine: "aurora-postgresql".into(), engine_version: "16.4".into(),
            engine_mode: "provisioned".into(), status: "available".into(), multi_az: false,
            instance_class: Some("db.r6g.large".into()), storage_encrypted: true,
            deletion_protection: None, backup_retention_period: Some(1),
            security_group_ids: vec!["sg-1".into()], subnet_group: Some("db".into()),
            availability_zones: vec!["us-east-1a".into()],
            members: vec![hacheck::inventory::DbClusterMember { instance_id: "orders-1".into(), writer: true }],
            endpoint_address: Some("orders.example".into()), endpoint_port: Some(5432),
            replica_source: None,
        }],
    });
    for (collection, items) in filled.as_object().unwrap() {
        assert_eq!(
            document[collection],
            serde_json::json!([]),
            "{collection} is filled already"
        );
        document[collection] = items.clone();
    }
    let mut paths = Vec::new();
    field_paths(&document, String::new(), &mut paths);
    assert!(paths.len() > 300, "only {} fields", paths.len());
    let mut failures = Vec::new();
    for (path, value) in paths.iter().filter(|(path, _)| path != "schema_version") {
        let mut broken = document.clone();
        *broken.pointer_mut(&pointer(path)).unwrap() = wrong_type(value);
        let broken = serde_json::to_string_pretty(&broken).unwrap();
        match hacheck::snapshot::parse(&broken, origin) {
            Ok(_) => failures.push(format!("`{path}`: {} accepted", wrong_type(value))),
            Err(error) => {
                let message = hacheck::error_line(&error);
                // At the field, or inside it (an object given `[7]` is read as a sequence
                // and fails at its first element).
                let names_field = ["`", "[", "."]
                    .iter()
                    .any(|next| message.contains(&format!("at `{path}{next}")));
                if !names_field || message.lines().count() != 1 {
                    failures.push(format!("`{path}`: {message}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fields:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
