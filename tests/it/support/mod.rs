//! Shared test support: the moto server harness and helpers to run the binary.

pub mod cloudformation;
pub mod faults;
pub mod generator;
pub mod moto;
pub mod replay;
pub mod seed;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The hacheck binary with a clean environment: no AWS settings of the developer's.
pub fn hacheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hacheck"));
    for variable in [
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "NO_COLOR",
        "HACHECK_LOG",
        // The table's width: a test sets it when it means to.
        "COLUMNS",
    ] {
        command.env_remove(variable);
    }
    command
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit status and that stderr's error (if any) is one line; returns stderr.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) -> String {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{err}",
        stdout(output)
    );
    err
}

/// A JSON report or plan of a run that ended clean (0) or with findings or steps (1).
#[track_caller]
pub fn json_of_judged(output: &Output) -> serde_json::Value {
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(output)
    );
    serde_json::from_str(&stdout(output)).unwrap()
}

/// Runs `future` on a runtime whose thread has a large stack: the executor's futures are
/// big in debug builds, more than a test thread's default 2 MiB holds.
pub fn run_with_large_stack<F>(future: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(future)
        })
        .unwrap()
        .join()
        .unwrap()
}

/// The compliant example with `change` applied, written to `dir/inventory.json`.
pub fn compliant_with(dir: &Path, change: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut inventory: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("compliant.json")).unwrap()).unwrap();
    change(&mut inventory);
    let path = dir.join("inventory.json");
    std::fs::write(&path, serde_json::to_string(&inventory).unwrap()).unwrap();
    path
}

/// A user policy `<id>.rhai` in `dir` whose `check` body is `check_body`.
pub fn write_policy(dir: &Path, id: &str, check_body: &str) {
    let text = format!(
        r#"//! A user rule.
fn metadata() {{
    #{{ id: "{id}", name: "user-rule", title: "Something holds", severity: "low",
       resource_type: "AWS::EC2::Instance", rationale: "Because.",
       references: ["https://example.com/why"], params: #{{}} }}
}}
fn check(inv, params) {{
{check_body}
}}
"#
    );
    std::fs::write(dir.join(format!("{id}.rhai")), text).unwrap();
}
