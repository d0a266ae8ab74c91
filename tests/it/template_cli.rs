//! `--template`: CloudFormation judged before deploy. The bundled templates against the
//! bundled accounts they describe, each failing result on the line of the property that
//! decides it, unknowns that name their input, two stacks joined by an export, bad input
//! refused on one line naming file and line, and cfn-lint accepting every test template.

use std::path::{Path, PathBuf};

use crate::support::{assert_exit, hacheck, stderr, stdout};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn template(path: &str) -> String {
    root().join(path).display().to_string()
}

pub(crate) fn scan_json(args: &[&str]) -> (i32, serde_json::Value) {
    let output = hacheck()
        .current_dir(root())
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stderr));
    });
    (output.status.code().unwrap(), report)
}

/// (rule, status) of every result, sorted.
pub(crate) fn verdicts(report: &serde_json::Value, status: &str) -> Vec<String> {
    let mut rules: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == status)
        .map(|r| r["rule_id"].as_str().unwrap().to_owned())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

/// `rule`'s results on `text`, written to `dir/name` (which cfn-lint must accept) and
/// scanned: (resource id, status) each.
pub(crate) fn lint_and_judge(
    dir: &Path,
    name: &str,
    text: &str,
    rule: &str,
) -> Vec<(String, String)> {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    lint(&path);
    judge(&path, rule)
}

/// `rule`'s results on the template at `path`: (resource id, status) each.
pub(crate) fn judge(path: &Path, rule: &str) -> Vec<(String, String)> {
    let (_, report) = scan_json(&["--template", path.to_str().unwrap()]);
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule_id"] == rule)
        .map(|r| {
            (
                r["resource"]["id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The template line a result points at.
pub(crate) fn line_of(result: &serde_json::Value) -> String {
    let file = result["location"]["file"].as_str().unwrap();
    let line = result["location"]["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    text.lines().nth(line - 1).unwrap().trim().to_owned()
}

#[test]
fn the_reference_template_is_clean_and_names_what_only_deploy_can_tell() {
    let (code, report) = scan_json(&["--template", "examples/templates/ha-web.yaml"]);
    assert_eq!(code, 0);
    crate::scan_cli::validate(&root().join("docs/json-output.schema.json"), &report);
    assert!(verdicts(&report, "fail").is_empty(), "{report:#}");
    assert_eq!(report["summary"]["passed"], 27);
    // Email subscriptions are confirmed by their recipient after deploy.
    assert_eq!(verdicts(&report, "unknown"), ["HA016"]);
    let unknown = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "unknown")
        .unwrap();
    assert_eq!(line_of(unknown), "Subscription:");
    assert!(
        unknown["unknown_inputs"][0]
            .as_str()
            .unwrap()
            .contains("confirmation")
    );
    let strict = hacheck()
        .current_dir(root())
        .args([
            "scan",
            "--template",
            "examples/templates/ha-web.yaml",
            "--fail-on-unknown",
        ])
        .output()
        .unwrap();
    assert_exit(&strict, 1);
}

#[test]
fn the_seed_template_fails_what_the_seed_account_fails_on_the_deciding_lines() {
    let (code, from_template) = scan_json(&["--template", "examples/templates/single-server.yaml"]);
    let (_, from_account) = scan_json(&["--example", "single-server"]);
    assert_eq!(code, 1);
    // The account has no RDS event subscription; a template without one may be covered by
    // one of the account's (HA031): it waits, `unknown`, rather than fail.
    let mut account_fails = verdicts(&from_account, "fail");
    account_fails.retain(|rule| rule != "HA031");
    assert_eq!(verdicts(&from_template, "fail"), account_fails);
    assert!(verdicts(&from_template, "unknown").contains(&"HA031".to_owned()));
    let expected = [
        ("HA009", "CidrIp: 0.0.0.0/0"),
        ("HA010", "CidrIp: 0.0.0.0/0"),
        ("HA012", "MultiAZ: false"),
        ("HA013", "PubliclyAccessible: true"),
        ("HA001", "SubnetId: !Ref SubnetA"),
        ("HA011", "Vpc:"),
        ("HA017", "SiteRecord:"),
    ];
    let results = from_template["results"].as_array().unwrap();
    for (rule, line) in expected {
        let result = results
            .iter()
            .find(|r| r["rule_id"] == rule && r["status"] == "fail")
            .unwrap_or_else(|| panic!("{rule} fails"));
        assert_eq!(line_of(result), line, "{rule}");
        assert_eq!(
            result["location"]["file"],
            "examples/templates/single-server.yaml"
        );
    }
    // SSH's rule, not the first world-open one: the line of port 22's `CidrIp`.
    let ssh = results
        .iter()
        .find(|r| r["rule_id"] == "HA010" && r["status"] == "fail")
        .unwrap();
    let text =
        std::fs::read_to_string(root().join("examples/templates/single-server.yaml")).unwrap();
    let line = ssh["location"]["line"].as_u64().unwrap() as usize;
    assert!(text.lines().nth(line - 2).unwrap().contains("ToPort: 22"));
}

#[test]
fn sarif_points_code_scanning_at_the_template() {
    let output = hacheck()
        .current_dir(root())
        .args([
            "scan",
            "--template",
            "examples/templates/single-server.yaml",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    crate::scan_cli::validate(
        &root().join("tests/fixtures/sarif-schema-2.1.0.json"),
        &sarif,
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "examples/templates/single-server.yaml"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() > 1);
    }
    // The same rule on the same logical id is one alert however its lines move.
    let dir = tempfile::tempdir().unwrap();
    let moved = dir.path().join("single-server.yaml");
    let text =
        std::fs::read_to_string(root().join("examples/templates/single-server.yaml")).unwrap();
    std::fs::write(&moved, format!("# a comment above everything\n\n{text}")).unwrap();
    let fingerprints = |dir: &Path, file: &str| -> Vec<String> {
        let output = hacheck()
            .current_dir(dir)
            .args(["scan", "--template", file, "--format", "sarif"])
            .output()
            .unwrap();
        let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        let mut prints: Vec<String> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["hacheckResource/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        prints.sort();
        prints
    };
    let copy = dir.path().join("examples/templates");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::rename(&moved, copy.join("single-server.yaml")).unwrap();
    assert_eq!(
        fingerprints(dir.path(), "examples/templates/single-server.yaml"),
        fingerprints(&root(), "examples/templates/single-server.yaml")
    );
}

#[test]
fn two_stacks_meet_through_their_exports_and_a_missing_input_is_unknown() {
    let network = template("tests/fixtures/templates/network.yaml");
    let app = template("tests/fixtures/templates/app.yaml");
    let both = [
        "--scope",
        "account",
        "--template",
        &network,
        "--template",
        &app,
    ];
    let (_, joined) = scan_json(&both);
    let result = |report: &serde_json::Value, rule: &str| -> serde_json::Value {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule)
            .cloned()
            .unwrap_or_else(|| panic!("{rule} in {report:#}"))
    };
    // The imported subnets span two zones.
    assert_eq!(result(&joined, "HA003")["status"], "pass");
    let multi_az = result(&joined, "HA012");
    assert_eq!(multi_az["status"], "unknown");
    assert_eq!(
        multi_az["unknown_inputs"][0],
        "parameter `DbMultiAz` (no default, no value given)"
    );
    // Alone, the application stack's subnets wait for the network stack's export.
    let (code, alone) = scan_json(&["--scope", "account", "--template", &app]);
    assert_eq!(code, 1);
    let zones = result(&alone, "HA003");
    assert_eq!(zones["status"], "unknown");
    assert!(
        zones["unknown_inputs"][0]
            .as_str()
            .unwrap()
            .contains("network-private-subnets")
    );
    // Given, the parameter decides: as `Key=Value` and in CloudFormation's file form.
    let given = [&both[..], &["--parameters", "DbMultiAz=false"]].concat();
    let (_, report) = scan_json(&given);
    assert_eq!(result(&report, "HA012")["status"], "fail");
    assert_eq!(
        line_of(&result(&report, "HA012")),
        "MultiAZ: !Ref DbMultiAz"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("parameters.json");
    std::fs::write(
        &file,
        r#"[{"ParameterKey": "DbMultiAz", "ParameterValue": "true"}]"#,
    )
    .unwrap();
    let given = [&both[..], &["--parameters", file.to_str().unwrap()]].concat();
    let (_, report) = scan_json(&given);
    assert_eq!(result(&report, "HA012")["status"], "pass");
    // The condition's `!If` took the production size.
    assert_eq!(result(&report, "HA004")["status"], "pass");
    let staging = [&given[..], &["--parameters", "Environment=staging"]].concat();
    let (_, report) = scan_json(&staging);
    assert_eq!(result(&report, "HA004")["status"], "fail");
}

#[test]
fn bad_templates_are_refused_on_one_line_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let head = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n";
    let mut bomb = String::from("Resources: {}\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
    for level in 1..9 {
        let previous = format!("*x{}", level - 1);
        bomb.push_str(&format!(
            "x{level}: &x{level} [{}]\n",
            vec![previous; 10].join(", ")
        ));
    }
    let cases: Vec<(&str, String, &str)> = vec![
        ("malformed.yaml", format!("{head}      CidrBlock: [10.0.0.0/16\n"), ":6:1: while parsing a flow sequence"),
        ("tag.yaml", format!("{head}      CidrBlock: !Reff Cidr\n"), "unknown tag `!Reff`"),
        ("ref.yaml", format!("{head}      CidrBlock: !Ref Nothing\n"), "`Ref` to `Nothing`, which is neither a parameter nor a resource"),
        (
            "circular.yaml",
            "Resources:\n  A:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n      AutoScalingGroupName: !Ref B\n      MinSize: 2\n      MaxSize: 2\n  B:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n      AutoScalingGroupName: !Ref A\n      MinSize: 2\n      MaxSize: 2\n".to_owned(),
            "circular reference",
        ),
        ("function.json", "{\"Resources\": {\"Vpc\": {\"Type\": \"AWS::EC2::VPC\", \"Properties\": {\"CidrBlock\": {\"Fn::Nope\": 1}}}}}".to_owned(), "unknown function `Fn::Nope`"),
        ("condition.yaml", format!("Conditions:\n  A: !Condition B\n  B: !Condition A\n{head}      CidrBlock: !If [A, 10.0.0.0/16, 10.1.0.0/16]\n"), "circular reference"),
        ("bomb.yaml", bomb, "alias bomb"),
        ("large.yaml", format!("{head}      CidrBlock: 10.0.0.0/16\n# {}\n", "x".repeat(1_100_000)), "over CloudFormation's 1048576"),
        ("empty.yaml", "Description: nothing\n".to_owned(), "a template needs `Resources`"),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = hacheck()
            .args(["scan", "--template"])
            .arg(&path)
            .output()
            .unwrap();
        let err = assert_exit(&output, 2);
        assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(output.stdout.is_empty(), "{name}: nothing half-written");
    }
    let unknown = hacheck()
        .args([
            "scan",
            "--template",
            &template("examples/templates/ha-web.yaml"),
            "--parameters",
            "Nope=1",
        ])
        .output()
        .unwrap();
    assert!(
        assert_exit(&unknown, 2).contains("parameter `Nope` is declared by none of the templates")
    );
}

#[test]
fn every_test_template_is_one_cloudformation_accepts() {
    let lint = crate::support::moto::venv_tool("cfn-lint");
    let mut templates = Vec::new();
    for dir in ["examples/templates", "tests/fixtures/templates"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            templates.push(entry.unwrap().path());
        }
    }
    templates.sort();
    assert!(templates.len() >= 4);
    let output = std::process::Command::new(&lint)
        .args(&templates)
        .output()
        .expect("cfn-lint comes with moto");
    // Exit status bits: 2 errors, 4 warnings, 8 informational. Warnings (a deprecated
    // launch configuration, kept on purpose) are allowed; errors are not.
    let code = output.status.code().unwrap();
    assert_eq!(code & 2, 0, "{}", String::from_utf8_lossy(&output.stdout));
}

pub(crate) fn lint(path: &Path) {
    let output = std::process::Command::new(crate::support::moto::venv_tool("cfn-lint"))
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code().unwrap() & 2,
        0,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// `fix --template` in `dir` on `file`: (exit status, stdout, stderr).
pub(crate) fn fix_template(dir: &Path, file: &str, write: bool) -> (i32, String, String) {
    let mut command = hacheck();
    command.current_dir(dir).args(["fix", "--template", file]);
    if write {
        command.arg("--write");
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap(),
        stdout(&output),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every line of `before` that the change did not touch is in `after`, in order.
pub(crate) fn untouched_lines_stay(before: &str, after: &str) {
    let diff = similar::TextDiff::from_lines(before, after);
    let kept: Vec<&str> = diff
        .iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Equal)
        .map(|c| c.value())
        .collect();
    let removed = diff
        .iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Delete)
        .count();
    assert_eq!(kept.len() + removed, before.lines().count());
    assert!(
        removed <= 12,
        "a fix removes only the lines it changes:\n{}",
        diff.unified_diff()
    );
}

#[test]
fn fixing_the_seed_template_edits_only_what_it_fixes_and_leaves_what_needs_input() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(root().join("examples/templates/single-server.yaml")).unwrap();
    std::fs::write(dir.path().join("single-server.yaml"), &original).unwrap();
    let (code, diff, notes) = fix_template(dir.path(), "single-server.yaml", false);
    assert_eq!(code, 1, "{notes}");
    assert!(
        diff.starts_with("--- a/single-server.yaml\n+++ b/single-server.yaml\n"),
        "{diff}"
    );
    for line in [
        "+      MultiAZ: true",
        "+      PubliclyAccessible: false",
        "+          SourceSecurityGroupId: !Ref WebSecurityGroup",
        // RDS refuses a zone for a Multi-AZ instance.
        "-      AvailabilityZone: !GetAtt SubnetA.AvailabilityZone",
    ] {
        assert!(diff.contains(line), "{line} in\n{diff}");
    }
    assert!(
        notes.contains("manual step: "),
        "the steps a template edit cannot make are named: {notes}"
    );
    // In the template's terms: what to declare, not a command against a live account.
    assert!(
        notes.contains("declare one in the template")
            && !notes.contains("--spec")
            && !notes.contains("aws "),
        "{notes}"
    );
    // Shown, not written.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("single-server.yaml")).unwrap(),
        original
    );
    let (code, _, _) = fix_template(dir.path(), "single-server.yaml", true);
    assert_eq!(code, 1);
    let fixed = std::fs::read_to_string(dir.path().join("single-server.yaml")).unwrap();
    untouched_lines_stay(&original, &fixed);
    lint(&dir.path().join("single-server.yaml"));
    let (_, report) = scan_json(&[
        "--template",
        dir.path().join("single-server.yaml").to_str().unwrap(),
    ]);
    let failing = verdicts(&report, "fail");
    // World SSH stays: without `fix.admin_cidrs` administrators would have no way in left.
    assert!(
        notes.contains("SSH from 0.0.0.0/0 stays until then"),
        "{notes}"
    );
    for fixed in ["HA012", "HA013"] {
        assert!(
            !failing.contains(&fixed.to_owned()),
            "{fixed} still fails: {failing:?}"
        );
    }
    // What is left wants a load balancer, an Auto Scaling group and the admins' networks:
    // input nobody gave (`fix --spec`, `fix.admin_cidrs`). A second run has nothing to write.
    assert_eq!(
        failing,
        [
            "HA001", "HA002", "HA009", "HA010", "HA011", "HA017", "HA018"
        ]
    );
    let (code, diff, _) = fix_template(dir.path(), "single-server.yaml", false);
    assert_eq!((code, diff.as_str()), (0, ""));

    // The admins' networks given, the bastion is written: its group (SSH from them only)
    // and its instance in the public subnet.
    std::fs::write(
        dir.path().join("hacheck.toml"),
        "[fix]\nadmin_cidrs = [\"203.0.113.0/24\"]\n",
    )
    .unwrap();
    let before_bastion = std::fs::read_to_string(dir.path().join("single-server.yaml")).unwrap();
    let (code, diff, notes) = fix_template(dir.path(), "single-server.yaml", true);
    assert_eq!(code, 1, "{notes}");
    assert!(!notes.contains("not written"), "{notes}");
    for line in [
        "+    Type: AWS::EC2::SecurityGroup",
        "+    Type: AWS::EC2::SecurityGroupIngress",
        "+      GroupId: !Ref HacheckBastionVpcVpcSecurityGroup",
        "+      CidrIp: 203.0.113.0/24",
        "+    Type: AWS::EC2::Instance",
        "+      ImageId: !Ref ImageId",
        "+          AssociatePublicIpAddress: true",
        "+        - Key: hacheck:role",
    ] {
        assert!(diff.contains(line), "{line} in\n{diff}");
    }
    let fixed = std::fs::read_to_string(dir.path().join("single-server.yaml")).unwrap();
    untouched_lines_stay(&before_bastion, &fixed);
    lint(&dir.path().join("single-server.yaml"));
    let (_, report) = scan_json(&[
        "--template",
        dir.path().join("single-server.yaml").to_str().unwrap(),
    ]);
    assert_eq!(
        verdicts(&report, "fail"),
        ["HA001", "HA002", "HA009", "HA017", "HA018"]
    );
    let (code, diff, _) = fix_template(dir.path(), "single-server.yaml", false);
    assert_eq!(
        (code, diff.as_str()),
        (0, ""),
        "a second run has nothing to write"
    );
}

#[test]
fn a_broken_reference_template_is_mended_in_place_comments_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    // Four faults: one instance's minimum (with a comment to keep), EC2 health checks, no
    // scale-in alarm, no Multi-AZ (the property absent) and world SSH as its own resource.
    text = text.replace("MinSize: \"2\"", "MinSize: \"1\"  # keep this comment");
    text = text.replace("HealthCheckType: ELB", "HealthCheckType: EC2");
    let (start, end) = (
        text.find("  CpuLowAlarm:").unwrap(),
        text.find("  DbSubnets:").unwrap(),
    );
    text.replace_range(start..end, "");
    text = text.replace("      MultiAZ: true\n", "");
    text = text.replace(
        "  AppFromBastion:",
        "  AppSshFromAnywhere:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !Ref AppSecurityGroup\n      IpProtocol: tcp\n      FromPort: 22\n      ToPort: 22\n      CidrIp: 0.0.0.0/0\n\n  AppFromBastion:",
    );
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, &text).unwrap();
    let (_, before) = scan_json(&["--template", path.to_str().unwrap()]);
    assert_eq!(
        verdicts(&before, "fail"),
        ["HA004", "HA006", "HA010", "HA012", "HA015"]
    );
    let (code, _, notes) = fix_template(dir.path(), "app.yaml", true);
    assert_eq!(code, 1, "{notes}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(fixed.contains("MinSize: 2  # keep this comment"), "{fixed}");
    assert!(!fixed.contains("AppSshFromAnywhere"));
    assert!(
        !fixed.contains("\n\n\n"),
        "one blank line between resources"
    );
    lint(&path);
    let (_, after) = scan_json(&["--template", path.to_str().unwrap()]);
    // The scale-in alarm notifies nobody until `fix.alarm_email` is set: a topic no one
    // reads would be a new failure (HA016), so none is written.
    assert_eq!(verdicts(&after, "fail"), ["HA015"], "{notes}");
    let (code, diff, notes) = fix_template(dir.path(), "app.yaml", false);
    assert_eq!((code, diff.as_str()), (0, ""));
    assert!(notes.contains("fix.alarm_email"), "{notes}");
}

/// Each rule's failing result on the reference template broken in one place points at the
/// line that broke it (or, where the deciding value lives in another resource, at the
/// judged resource's own reference to it).
#[test]
fn each_rule_points_at_the_property_that_decides() {
    let reference = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    let cases: [(&str, &str, &str, &str); 14] = [
        (
            "HA003",
            "        - !Ref PrivateSubnetA\n        - !Ref PrivateSubnetB\n      # Two",
            "        - !Ref PrivateSubnetA\n      # Two",
            "VPCZoneIdentifier:",
        ),
        (
            "HA004",
            "MinSize: \"2\"",
            "MinSize: \"1\"",
            "MinSize: \"1\"",
        ),
        (
            "HA005",
            "AssociatePublicIpAddress: false",
            "AssociatePublicIpAddress: true",
            "AssociatePublicIpAddress: true",
        ),
        (
            "HA006",
            "HealthCheckType: ELB",
            "HealthCheckType: EC2",
            "HealthCheckType: EC2",
        ),
        (
            "HA007",
            "        - !Ref PrivateSubnetA\n        - !Ref PrivateSubnetB\n      # Two",
            "        - !Ref PublicSubnetA\n        - !Ref PublicSubnetB\n      # Two",
            "VPCZoneIdentifier:",
        ),
        (
            "HA008",
            "        - !Ref PublicSubnetA\n        - !Ref PublicSubnetB\n      SecurityGroups:",
            "        - !Ref PublicSubnetA\n      SecurityGroups:",
            "Subnets:",
        ),
        (
            "HA009",
            "      ToPort: 8080\n      SourceSecurityGroupId: !Ref LoadBalancerSecurityGroup",
            "      ToPort: 8080\n      CidrIp: 0.0.0.0/0",
            "CidrIp: 0.0.0.0/0",
        ),
        (
            "HA010",
            "Default: 203.0.113.0/24",
            "Default: 0.0.0.0/0",
            "CidrIp: !Ref AdminCidr",
        ),
        ("HA012", "MultiAZ: true", "MultiAZ: false", "MultiAZ: false"),
        // The group's scaling is decided by its alarm's threshold.
        ("HA014", "Threshold: 75", "Threshold: 90", "Threshold: 90"),
        ("HA015", "Threshold: 10", "Threshold: 30", "Threshold: 30"),
        (
            "HA013",
            "PubliclyAccessible: false",
            "PubliclyAccessible: true",
            "PubliclyAccessible: true",
        ),
        (
            "HA016",
            "      Subscription:\n        - Protocol: email\n          Endpoint: !Ref AlertEmail",
            "      Subscription: []",
            "Subscription: []",
        ),
        (
            "HA017",
            "DNSName: !GetAtt LoadBalancer.DNSName",
            "DNSName: elsewhere.example.net",
            "LoadBalancer:",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (rule, from, to, expected) in cases {
        assert!(
            reference.contains(from),
            "{rule}: `{from}` is in the reference template"
        );
        let path = dir.path().join(format!("{rule}.yaml"));
        std::fs::write(&path, reference.replacen(from, to, 1)).unwrap();
        let (_, report) = scan_json(&["--template", path.to_str().unwrap()]);
        let result = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule && r["status"] == "fail")
            .unwrap_or_else(|| panic!("{rule} fails on its broken template: {report:#}"));
        let line = result["location"]["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().nth(line - 1).unwrap().trim(),
            expected,
            "{rule}"
        );
    }
}

/// The status of `rule`'s first result on `text`, judged with `--scope account`.
pub(crate) fn status_on(dir: &Path, name: &str, text: &str, rule: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let (_, report) = scan_json(&["--scope", "account", "--template", path.to_str().unwrap()]);
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == rule)
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{rule} on {name}: {report:#}"))
}

/// Shapes a review found judged wrong (each once a guess or a silent drop): a list an
/// intrinsic makes, a subnet group or a zone that waits for input, an SSM parameter's
/// given name, a zone past the ones an account surely has, a condition that is not there,
/// several documents in one file.
#[test]
fn what_a_template_does_not_say_is_never_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let sg = |ingress: &str| {
        format!(
            "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress: {ingress}\n"
        )
    };
    let world_ssh = "!If [Open, [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}], !Ref AWS::NoValue]";
    let open = format!("Conditions:\n  Open: !Equals [a, a]\n{}", sg(world_ssh));
    assert_eq!(
        status_on(dir.path(), "if.yaml", &open, "HA010"),
        "fail",
        "a list from !If is read"
    );
    let db = |subnet_group: &str| {
        format!(
            "Parameters:\n  Group:\n    Type: String\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n      DBInstanceClass: db.t3.micro\n      DBSubnetGroupName: {subnet_group}\n"
        )
    };
    assert_eq!(
        status_on(dir.path(), "db1.yaml", &db("!Ref Group"), "HA013"),
        "unknown"
    );
    assert_eq!(
        status_on(dir.path(), "db2.yaml", &db("elsewhere"), "HA013"),
        "unknown",
        "a subnet group of no loaded template"
    );
    let restored = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n      DBInstanceClass: db.t3.micro\n      DBSnapshotIdentifier: nightly\n";
    assert_eq!(
        status_on(dir.path(), "restored.yaml", restored, "HA020"),
        "unknown",
        "a database restored from a snapshot keeps the snapshot's backup retention"
    );
    let ssm = "Parameters:\n  MultiAz:\n    Type: AWS::SSM::Parameter::Value<String>\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n      DBInstanceClass: db.t3.micro\n      MultiAZ: !Ref MultiAz\n      PubliclyAccessible: false\n";
    let path = dir.path().join("ssm.yaml");
    std::fs::write(&path, ssm).unwrap();
    let (_, report) = scan_json(&[
        "--scope",
        "account",
        "--select",
        "HA012",
        "--template",
        path.to_str().unwrap(),
        "--parameters",
        "MultiAz=/prod/db/multi-az",
    ]);
    assert_eq!(
        verdicts(&report, "unknown"),
        ["HA012"],
        "the given value is the SSM parameter's name"
    );
    let mut zones = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    zones = zones.replacen(
        "      AvailabilityZone: !Select [1, !GetAZs \"\"]\n      MapPublicIpOnLaunch: true",
        "      MapPublicIpOnLaunch: true",
        1,
    );
    assert_eq!(
        status_on(dir.path(), "zones.yaml", &zones, "HA008"),
        "unknown",
        "a subnet without a zone"
    );
    let far = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml"))
        .unwrap()
        .replacen("!Select [1, !GetAZs \"\"]", "!Select [4, !GetAZs \"\"]", 1);
    assert_eq!(
        status_on(dir.path(), "far.yaml", &far, "HA008"),
        "unknown",
        "zone 5 of a region"
    );
    for (name, text, expected) in [
        (
            "cond.yaml",
            sg("[]").replace("    Properties:", "    Condition: Nope\n    Properties:"),
            "no condition `Nope`",
        ),
        (
            "multi.yaml",
            format!("{}---\nResources: {{}}\n", sg("[]")),
            "one YAML document",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = hacheck()
            .args(["scan", "--template"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(assert_exit(&output, 2).contains(expected), "{name}");
    }
}

/// Edits a review found unsafe: a flow map, a JSON template, CRLF lines, a list emptied,
/// a character before a list item that takes several bytes.
#[test]
fn a_template_edit_never_corrupts_what_it_does_not_understand() {
    let dir = tempfile::tempdir().unwrap();
    let db = |properties: &str| {
        format!("Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:{properties}\n")
    };
    let cases = [
        ("flow.yaml", db(" {Engine: mysql, DBInstanceClass: db.t3.micro, MultiAZ: false, PubliclyAccessible: true}")),
        ("db.json", "{\"Resources\": {\"Db\": {\"Type\": \"AWS::RDS::DBInstance\", \"Properties\": {\"Engine\": \"mysql\", \"MultiAZ\": false, \"PubliclyAccessible\": true}}}}\n".to_owned()),
    ];
    for (name, text) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        let (_, diff, notes) = fix_template(dir.path(), name, true);
        assert_eq!(diff, "", "{name}: nothing written");
        assert!(notes.contains("not written"), "{name}: {notes}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{name} untouched"
        );
    }
    let crlf = db("\n      Engine: mysql\n      DBInstanceClass: db.t3.micro\n      MultiAZ: true\n      PubliclyAccessible: true").replace('\n', "\r\n");
    std::fs::write(dir.path().join("crlf.yaml"), &crlf).unwrap();
    fix_template(dir.path(), "crlf.yaml", true);
    let fixed = std::fs::read_to_string(dir.path().join("crlf.yaml")).unwrap();
    assert_eq!(
        fixed,
        crlf.replace("PubliclyAccessible: true", "PubliclyAccessible: false"),
        "only the line that changes"
    );
    let ssh = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n        - &é {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIpv6: \"::/0\"}\n";
    std::fs::write(dir.path().join("ssh.yaml"), ssh).unwrap();
    // No instance is in the group: its SSH leads nowhere and is closed without a way in
    // for administrators to keep.
    let (code, _, notes) = fix_template(dir.path(), "ssh.yaml", true);
    assert_eq!(code, 1, "{notes}");
    let fixed = std::fs::read_to_string(dir.path().join("ssh.yaml")).unwrap();
    assert!(
        fixed.contains("      SecurityGroupIngress: []\n"),
        "{fixed}"
    );
    lint(&dir.path().join("ssh.yaml"));
}

/// Public IPs from a launch template are fixed in the template's data (CloudFormation makes
/// the new version), and a group pinned to a version number is pointed at the latest, so
/// that it takes the change; a list item's dash stays where the changed key follows it.
#[test]
fn a_launch_template_that_gives_public_ips_is_mended_and_its_group_follows() {
    let reference = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    let pinned = reference
        .replace(
            "AssociatePublicIpAddress: false",
            "AssociatePublicIpAddress: true # on purpose",
        )
        .replace(
            "Version: !GetAtt AppLaunchTemplate.LatestVersionNumber",
            "Version: \"1\"",
        );
    let dash_first = reference.replace(
        "          - DeviceIndex: 0\n            AssociatePublicIpAddress: false\n",
        "          - AssociatePublicIpAddress: \"true\"\n            DeviceIndex: 0\n",
    );
    assert_ne!(pinned, reference);
    assert_ne!(dash_first, reference);
    for (text, wanted) in [
        (
            &pinned,
            vec![
                "+            AssociatePublicIpAddress: false # on purpose",
                "+            Version: !GetAtt AppLaunchTemplate.LatestVersionNumber",
            ],
        ),
        (
            &dash_first,
            vec!["+          - AssociatePublicIpAddress: false"],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.yaml");
        std::fs::write(&path, text).unwrap();
        let (_, before) = scan_json(&["--template", path.to_str().unwrap()]);
        let failing = verdicts(&before, "fail");
        assert!(!failing.is_empty(), "public IPs fail a rule");
        let (code, diff, notes) = fix_template(dir.path(), "app.yaml", true);
        assert_eq!(code, 1, "{notes}");
        for line in &wanted {
            assert!(diff.contains(line), "{line} in\n{diff}");
        }
        assert!(!notes.contains("not written"), "{notes}");
        let fixed = std::fs::read_to_string(&path).unwrap();
        untouched_lines_stay(text, &fixed);
        lint(&path);
        let (_, after) = scan_json(&["--template", path.to_str().unwrap()]);
        assert_eq!(
            verdicts(&after, "fail"),
            Vec::<String>::new(),
            "{failing:?}"
        );
    }
}

/// A public name written as an address record becomes an alias of the application's load
/// balancer in the template: the address and its TTL go, the alias names the load
/// balancer's attributes.
#[test]
fn an_address_record_becomes_an_alias_of_the_load_balancer() {
    let reference = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    let alias = "      AliasTarget:\n        DNSName: !GetAtt LoadBalancer.DNSName\n        HostedZoneId: !GetAtt LoadBalancer.CanonicalHostedZoneID\n        EvaluateTargetHealth: true\n";
    assert!(reference.contains(alias));
    let text = reference.replace(
        alias,
        "      TTL: \"300\"\n      ResourceRecords:\n        - 198.51.100.7\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, &text).unwrap();
    // Which record is the application's public name is the user's to say.
    std::fs::write(
        dir.path().join("hacheck.toml"),
        "[fix]\nalias_record = \"shop.example.com\"\n",
    )
    .unwrap();
    let (_, before) = scan_json(&["--template", path.to_str().unwrap()]);
    assert_eq!(verdicts(&before, "fail"), ["HA017"]);
    let (code, diff, notes) = fix_template(dir.path(), "app.yaml", true);
    assert_eq!(code, 1, "{notes}");
    assert!(
        diff.contains("+      AliasTarget: {DNSName: !GetAtt LoadBalancer.DNSName, HostedZoneId: !GetAtt LoadBalancer.CanonicalHostedZoneID}"),
        "{diff}"
    );
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(
        !fixed.contains("198.51.100.7") && !fixed.contains("TTL"),
        "{fixed}"
    );
    untouched_lines_stay(&text, &fixed);
    lint(&path);
    let (_, after) = scan_json(&["--template", path.to_str().unwrap()]);
    assert_eq!(verdicts(&after, "fail"), Vec::<String>::new(), "{notes}");
}

/// A group in one zone is given its application's other private subnet: the list is
/// written anew, the rest of the group kept.
#[test]
fn a_group_in_one_zone_is_given_the_subnets_of_two() {
    let reference = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    let both = "        - !Ref PrivateSubnetA\n        - !Ref PrivateSubnetB\n      # Two";
    assert!(reference.contains(both));
    let text = reference.replace(both, "        - !Ref PrivateSubnetA\n      # Two");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, &text).unwrap();
    let (_, before) = scan_json(&["--template", path.to_str().unwrap()]);
    assert!(verdicts(&before, "fail").contains(&"HA003".to_owned()));
    let (code, diff, notes) = fix_template(dir.path(), "app.yaml", true);
    assert_eq!(code, 1, "{notes}");
    assert!(diff.contains("+        - !Ref PrivateSubnetB"), "{diff}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    untouched_lines_stay(&text, &fixed);
    lint(&path);
    let (_, after) = scan_json(&["--template", path.to_str().unwrap()]);
    assert_eq!(verdicts(&after, "fail"), Vec::<String>::new(), "{notes}");
}

/// Host routing in a template: a listener answering 404 by default serves the group
/// through its `ListenerRule`, which joins the listener it names; without the rule the
/// listener serves nothing, and a rule whose target group waits for an input makes the
/// verdict wait too.
#[test]
fn a_listener_rule_of_the_template_routes_to_the_group() {
    let reference = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    let default = "      DefaultActions:\n        - Type: forward\n          TargetGroupArn: !Ref AppTargetGroup\n\n  HttpListener:";
    assert!(reference.contains(default));
    let not_found = reference.replace(
        default,
        "      DefaultActions:\n        - Type: fixed-response\n          FixedResponseConfig:\n            StatusCode: \"404\"\n\n  HttpListener:",
    );
    let rule = |target: &str| {
        not_found.replace(
            "\n  HttpListener:",
            &format!(
                "\n  ShopRule:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      ListenerArn: !Ref HttpsListener\n      Priority: 10\n      Conditions:\n        - Field: host-header\n          HostHeaderConfig:\n            Values: [shop.example.com]\n      Actions:\n        - Type: forward\n          TargetGroupArn: {target}\n\n  HttpListener:"
            ),
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let judge = |name: &str, text: &str| {
        lint_and_judge(dir.path(), name, text, "HA008")
            .into_iter()
            .map(|(_, status)| status)
            .next()
            .unwrap()
    };
    assert_eq!(judge("routed.yaml", &rule("!Ref AppTargetGroup")), "pass");
    assert_eq!(judge("unrouted.yaml", &not_found), "fail");
    let waiting = rule("!ImportValue shared-target-group");
    assert_eq!(judge("waiting.yaml", &waiting), "unknown");
}

#[test]
fn load_balancer_and_target_group_attributes_are_read_with_aws_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("nlb.yaml");
    std::fs::write(
        &template,
        r#"Parameters:
  Delay:
    Type: String
Resources:
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: deletion_protection.enabled
          Value: "true"
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
  Kept:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: TCP
      VpcId: vpc-1
      TargetGroupAttributes:
        - Key: load_balancing.cross_zone.enabled
          Value: "true"
        - Key: deregistration_delay.timeout_seconds
          Value: "0"
  Waiting:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: TCP
      VpcId: vpc-1
      TargetGroupAttributes:
        - Key: deregistration_delay.timeout_seconds
          Value: !Ref Delay
"#,
    )
    .unwrap();
    let output = hacheck()
        .args(["inventory", "--template"])
        .arg(&template)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let inventory: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let by_type = |lb_type: &str| {
        inventory["load_balancers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|lb| lb["lb_type"] == lb_type)
            .unwrap()
            .clone()
    };
    // Set where written; else AWS's default: a network one does not balance across zones,
    // an application one always does.
    let nlb = by_type("network");
    assert_eq!(
        (&nlb["deletion_protection"], &nlb["cross_zone"]),
        (&serde_json::json!(true), &serde_json::json!(false))
    );
    let alb = by_type("application");
    assert_eq!(
        (&alb["deletion_protection"], &alb["cross_zone"]),
        (&serde_json::json!(false), &serde_json::json!(true))
    );
    let groups = inventory["target_groups"].as_array().unwrap();
    let kept = groups.iter().find(|g| g["cross_zone"] == "true").unwrap();
    assert_eq!(kept["deregistration_delay"], 0);
    let waiting = groups.iter().find(|g| g["cross_zone"] != "true").unwrap();
    assert_eq!(waiting["cross_zone"], "use_load_balancer_configuration");
    // The delay waits for its parameter: the source says so (a rule reading it is unknown).
    let source = inventory["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["logical_id"] == "Waiting")
        .unwrap();
    assert!(
        source["unknowns"]["deregistration_delay"]
            .as_str()
            .is_some_and(|reason| reason.contains("Delay")),
        "{source}"
    );
}

/// A fix the YAML writer cannot write yet says what to add, on the declared resource.
#[test]
fn a_load_balancer_attribute_to_add_is_said_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("ha-web.yaml");
    let text = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml"))
        .unwrap()
        .replacen(
            "- Key: deletion_protection.enabled\n          Value: \"true\"",
            "- Key: deletion_protection.enabled\n          Value: \"false\"",
            1,
        );
    std::fs::write(&template, text).unwrap();
    let output = hacheck()
        .args(["fix", "--template"])
        .arg(&template)
        .output()
        .unwrap();
    assert!(
        crate::support::stderr(&output).contains(
            "deletion-protection:shop-alb: add `{Key: deletion_protection.enabled, Value: \"true\"}` to `LoadBalancerAttributes`"
        ),
        "{}",
        crate::support::stderr(&output)
    );
}

/// HA034 (opt-in) reads a group's instance maintenance policy from a template and a
/// Terraform plan: set, too low (pointing at the minimum), absent, or waiting for an input;
/// the fix writes the block where it was absent.
#[test]
fn an_instance_maintenance_policy_is_read_from_templates_and_plans() {
    let reference = std::fs::read_to_string(root().join("examples/templates/ha-web.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let judged = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (_, report) = scan_json(&["--select", "HA034", "--template", path.to_str().unwrap()]);
        let result = report["results"][0].clone();
        let line = result["location"]["line"].as_u64().unwrap() as usize;
        let at = text.lines().nth(line - 1).unwrap().trim().to_owned();
        (result["status"].as_str().unwrap().to_owned(), at)
    };
    assert_eq!(judged("set.yaml", &reference).0, "pass");
    assert_eq!(
        judged(
            "low.yaml",
            &reference.replacen("MinHealthyPercentage: 100", "MinHealthyPercentage: 90", 1)
        ),
        ("fail".to_owned(), "MinHealthyPercentage: 90".to_owned())
    );
    let block = "      InstanceMaintenancePolicy:\n        MinHealthyPercentage: 100\n        MaxHealthyPercentage: 110\n";
    assert!(reference.contains(block));
    let absent = reference.replacen(block, "", 1);
    assert_eq!(
        judged("absent.yaml", &absent),
        ("fail".to_owned(), "AppGroup:".to_owned())
    );
    let input = reference
        .replacen(
            "Parameters:\n",
            "Parameters:\n  MinHealthy:\n    Type: Number\n",
            1,
        )
        .replacen(
            "MinHealthyPercentage: 100",
            "MinHealthyPercentage: !Ref MinHealthy",
            1,
        );
    assert_eq!(judged("input.yaml", &input).0, "unknown");

    let (_, plan) = scan_json(&[
        "--select",
        "HA034",
        "--terraform-plan",
        "tests/terraform/ha-web/plan.json",
    ]);
    assert_eq!(plan["results"][0]["status"], "pass", "{plan:#}");

    let path = dir.path().join("absent.yaml");
    let fix = hacheck()
        .current_dir(root())
        .args(["fix", "--select", "HA034", "--write", "--template"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(fix.status.code(), Some(1), "{}", stderr(&fix));
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.contains("    Properties:\n      InstanceMaintenancePolicy:\n        MinHealthyPercentage: 100\n        MaxHealthyPercentage: 110\n      AutoScalingGroupName: shop-asg\n"),
        "{written}"
    );
    untouched_lines_stay(&absent, &written);
    assert_eq!(judged("absent.yaml", &written).0, "pass");
}
