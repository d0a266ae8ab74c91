//! The field audit (`docs/fields.toml`) against AWS's own API model: botocore's service
//! JSON in the test venv, at the version the audit pins. Every read operation of the
//! services hacheck reads, and every member of what the called ones return, has a decision;
//! every enumerated value of a read field is composed by the account generator or says why
//! not; and the generator composes exactly the values the audit says it does.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn audit(args: &[&str]) -> (bool, String) {
    let output = Command::new(crate::support::moto::venv_tool("python"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/field-audit"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn every_operation_and_returned_field_of_the_api_model_has_a_decision() {
    let mut args = vec!["--read-actions"];
    args.extend(hacheck::collect::READ_ACTIONS);
    let (ok, problems) = audit(&args);
    assert!(ok, "undecided in docs/fields.toml:\n{problems}");
}

#[test]
fn the_generator_composes_exactly_the_enum_values_the_audit_says_it_does() {
    let (ok, listed) = audit(&["--generated-enums"]);
    assert!(ok, "{listed}");
    let audited: BTreeSet<&str> = listed.lines().collect();
    let declared: BTreeSet<&str> = crate::support::generator::COMPOSED_ENUM_VALUES
        .iter()
        .map(|(name, ..)| *name)
        .collect();
    assert_eq!(
        audited, declared,
        "docs/fields.toml `generated` vs the generator's list"
    );
    // Declared is not enough: generated accounts hold every one of them.
    let found = crate::support::generator::composed_enum_values_found(400);
    let missing: Vec<&&str> = declared.difference(&found).collect();
    assert!(missing.is_empty(), "never composed: {missing:?}");
    // Past the test harness's capture, as the generator's own count is printed.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "the account generator composes {} enumerated values, the audit's `generated` count",
        found.len()
    );
}
