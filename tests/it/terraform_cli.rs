//! Terraform plans judged before apply (`--terraform-plan`): the committed plans of
//! `tests/terraform/` (what `scripts/terraform-plans` had Terraform print for the
//! configurations beside them), judged as their CloudFormation twins are; shapes a plan
//! cannot know before apply; files that are not plans.

use std::path::{Path, PathBuf};

use crate::support::{assert_exit, hacheck};
use crate::template_cli::{root, scan_json, template, verdicts};

pub(crate) fn committed_plan(name: &str) -> PathBuf {
    root().join("tests/terraform").join(name).join("plan.json")
}

/// Every result's (rule, status), sorted: what a judgement says, resource ids aside.
pub(crate) fn statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The (status, location's logical id) of `rule`'s results on resource `id`.
fn on(report: &serde_json::Value, rule: &str, id: &str) -> Vec<(String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule_id"] == rule && r["resource"]["id"] == id)
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_owned(),
                r["location"]["logical_id"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn each_configuration_planned_in_terraform_is_judged_as_its_cloudformation_twin() {
    for (configuration, twin) in [
        ("ha-web", "examples/templates/ha-web.yaml"),
        ("single-server", "examples/templates/single-server.yaml"),
    ] {
        let plan = committed_plan(configuration);
        for scope in ["apps", "account"] {
            let (_, from_plan) =
                scan_json(&["--scope", scope, "--terraform-plan", plan.to_str().unwrap()]);
            let (_, from_template) = scan_json(&["--scope", scope, "--template", &template(twin)]);
            assert_eq!(
                statuses(&from_plan),
                statuses(&from_template),
                "{configuration}, scope {scope}"
            );
        }
    }
    let (code, from_plan) = scan_json(&[
        "--terraform-plan",
        committed_plan("ha-web").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "nothing fails: {from_plan:#}");
    assert_eq!(
        verdicts(&from_plan, "unknown"),
        ["HA016"],
        "an email subscription waits for its recipient"
    );
    let plan = committed_plan("ha-web");
    // Resources AWS names by the names the configuration gives are the same resources, and
    // a result names the resource's address.
    let (_, report) = scan_json(&["--terraform-plan", plan.to_str().unwrap()]);
    for (rule, id, address) in [
        ("HA003", "shop-asg", "aws_autoscaling_group.app"),
        ("HA012", "shop-db", "aws_db_instance.db"),
        ("HA008", "shop-alb", "aws_lb.web"),
        ("HA014", "shop-asg", "aws_autoscaling_group.app"),
    ] {
        assert_eq!(
            on(&report, rule, id),
            [("pass".to_owned(), address.to_owned())],
            "{rule} {id}"
        );
    }
}

/// The committed plan, changed as `change` says, written into `dir`.
fn plan_with(dir: &Path, change: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(committed_plan("ha-web")).unwrap()).unwrap();
    change(&mut plan);
    let path = dir.join("plan.json");
    std::fs::write(&path, serde_json::to_string(&plan).unwrap()).unwrap();
    path
}

/// The resource change of `address`.
fn change_of<'p>(plan: &'p mut serde_json::Value, address: &str) -> &'p mut serde_json::Value {
    plan["resource_changes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} in the plan"))
}

/// Configuration of `address` (at the root module).
fn config_of<'p>(plan: &'p mut serde_json::Value, address: &str) -> &'p mut serde_json::Value {
    plan["configuration"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} in the configuration"))
}

/// What Terraform prints for values it knows only after apply, as it prints them: an
/// attribute set from a value of another resource nobody reads, a group's inline rules
/// whose merged references cannot be told apart, a resource the plan deletes.
#[test]
fn what_the_plan_knows_only_after_apply_is_unknown_and_named() {
    let dir = tempfile::tempdir().unwrap();
    // `multi_az = aws_ssm_parameter.db.value`: known after apply, from a resource no rule
    // reads.
    let path = plan_with(dir.path(), |plan| {
        let change = change_of(plan, "aws_db_instance.db");
        change["change"]["after"]
            .as_object_mut()
            .unwrap()
            .remove("multi_az");
        change["change"]["after_unknown"]["multi_az"] = true.into();
        config_of(plan, "aws_db_instance.db")["expressions"]["multi_az"] = serde_json::json!({"references": ["aws_ssm_parameter.db.value", "aws_ssm_parameter.db"]});
    });
    let configuration = root().join("tests/terraform/ha-web");
    let configuration = configuration.to_str().unwrap();
    let (_, report) = scan_json(&[
        "--terraform-plan",
        path.to_str().unwrap(),
        "--terraform-dir",
        configuration,
    ]);
    assert_eq!(verdicts(&report, "unknown"), ["HA012", "HA016"]);
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == "HA012")
        .unwrap();
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("aws_ssm_parameter.db.value"),
        "the unknown names the value it waits for: {result:#}"
    );

    // Two inline rules of the database's group both wait for groups known after apply:
    // which reference belongs to which rule the plan does not say.
    let path = plan_with(dir.path(), |plan| {
        let change = change_of(plan, "aws_security_group.db");
        let mut rule = change["change"]["after"]["ingress"][0].clone();
        rule["from_port"] = 22.into();
        rule["to_port"] = 22.into();
        change["change"]["after"]["ingress"]
            .as_array_mut()
            .unwrap()
            .push(rule);
        let waiting = change["change"]["after_unknown"]["ingress"][0].clone();
        change["change"]["after_unknown"]["ingress"]
            .as_array_mut()
            .unwrap()
            .push(waiting);
        config_of(plan, "aws_security_group.db")["expressions"]["ingress"] = serde_json::json!({
            "references": ["aws_security_group.app.id", "aws_security_group.app", "aws_security_group.bastion.id", "aws_security_group.bastion"]
        });
    });
    let (_, report) = scan_json(&[
        "--scope",
        "account",
        "--terraform-plan",
        path.to_str().unwrap(),
        "--terraform-dir",
        configuration,
    ]);
    let db_rules: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["location"]["logical_id"] == "aws_security_group.db")
        .collect();
    assert!(
        db_rules.iter().any(|r| r["status"] == "unknown"),
        "the group's rules are unknown: {db_rules:#?}"
    );
    assert!(
        db_rules.iter().all(|r| r["status"] != "pass"),
        "nothing passes on a guess: {db_rules:#?}"
    );

    // What the plan deletes is not there after apply.
    let path = plan_with(dir.path(), |plan| {
        change_of(plan, "aws_cloudwatch_metric_alarm.cpu_low")["change"]["actions"] =
            serde_json::json!(["delete"]);
    });
    let (_, report) = scan_json(&[
        "--terraform-plan",
        path.to_str().unwrap(),
        "--terraform-dir",
        configuration,
    ]);
    assert_eq!(verdicts(&report, "fail"), ["HA015"], "{report:#}");

    // Without the `.tf` files, which instances `[for subnet in aws_subnet.private :
    // subnet.id]` takes is not known (it might filter them): the group's zones wait for it.
    let (_, report) = scan_json(&["--terraform-plan", path.to_str().unwrap()]);
    let ha003 = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == "HA003")
        .unwrap();
    assert_eq!(ha003["status"], "unknown", "{ha003:#}");
    assert!(
        ha003["message"].as_str().unwrap().contains("`.tf` file"),
        "{ha003:#}"
    );
}

#[test]
fn a_file_that_is_not_a_plan_hacheck_reads_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("broken.json", "{\n  \"format_version\": \n".to_owned(), "is not JSON (line 3"),
        (
            "state.json",
            r#"{"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {}}}"#.to_owned(),
            "a state",
        ),
        (
            "future.json",
            r#"{"format_version": "2.0", "planned_values": {}}"#.to_owned(),
            "format version `2.0`",
        ),
        (
            "errored.json",
            r#"{"format_version": "1.2", "planned_values": {}, "errored": true}"#.to_owned(),
            "the plan errored",
        ),
        (
            "google.json",
            r#"{"format_version": "1.2", "planned_values": {}, "resource_changes": [{"address": "google_compute_instance.a", "mode": "managed", "type": "google_compute_instance", "name": "a", "change": {"actions": ["create"], "after": {}, "after_unknown": {}}}]}"#.to_owned(),
            "no resource of the AWS provider",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = hacheck()
            .args(["scan", "--terraform-plan"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = assert_exit(&output, 2);
        assert!(
            stderr.contains(expected) && stderr.contains(name),
            "{name}: {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{name}: {stderr}");
    }
}

/// `fix --terraform-plan plan.json --write` in `dir` (a plan with failures: exit 1); the
/// diff it prints.
pub(crate) fn fix_written(dir: &Path, options: &[&str]) -> String {
    let output = hacheck()
        .current_dir(dir)
        .args(["fix", "--terraform-plan", "plan.json", "--write"])
        .args(options)
        .output()
        .unwrap();
    let diff = crate::support::stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{diff}{}",
        crate::support::stderr(&output)
    );
    diff
}

/// A copy of configuration `name` (its `.tf` files and committed plan) in a fresh directory.
fn configuration_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = root().join("tests/terraform").join(name);
    for entry in walk(&from) {
        let relative = entry.strip_prefix(&from).unwrap();
        let target = dir.path().join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, target).unwrap();
    }
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Each rule's failing result on the reference configuration broken in one place (its
/// `.tf` line and the plan Terraform prints for it) points at the attribute that decides.
#[test]
fn each_rule_points_at_the_attribute_that_decides() {
    let cases: [(&str, &str, &str, &str, &str, serde_json::Value); 5] = [
        (
            "HA004",
            "min_size                  = 2",
            "min_size                  = 1",
            "aws_autoscaling_group.app",
            "min_size",
            1.into(),
        ),
        (
            "HA006",
            "health_check_type         = \"ELB\"",
            "health_check_type         = \"EC2\"",
            "aws_autoscaling_group.app",
            "health_check_type",
            "EC2".into(),
        ),
        (
            "HA012",
            "multi_az                    = true",
            "multi_az                    = false",
            "aws_db_instance.db",
            "multi_az",
            false.into(),
        ),
        (
            "HA013",
            "publicly_accessible         = false",
            "publicly_accessible         = true",
            "aws_db_instance.db",
            "publicly_accessible",
            true.into(),
        ),
        (
            "HA014",
            "threshold           = 75",
            "threshold           = 90",
            "aws_cloudwatch_metric_alarm.cpu_high",
            "threshold",
            90.into(),
        ),
    ];
    for (rule, from, to, address, attribute, value) in cases {
        let dir = configuration_copy("ha-web");
        let main = dir.path().join("main.tf");
        let text = std::fs::read_to_string(&main).unwrap();
        assert!(text.contains(from), "{rule}: `{from}`");
        std::fs::write(&main, text.replacen(from, to, 1)).unwrap();
        let plan = dir.path().join("plan.json");
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
        change_of(&mut json, address)["change"]["after"][attribute] = value;
        std::fs::write(&plan, serde_json::to_string(&json).unwrap()).unwrap();
        let (_, report) = scan_json(&["--terraform-plan", plan.to_str().unwrap()]);
        let result = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule && r["status"] == "fail")
            .unwrap_or_else(|| panic!("{rule} fails: {report:#}"));
        let location = &result["location"];
        assert_eq!(location["file"], main.display().to_string(), "{rule}");
        let line = location["line"].as_u64().unwrap() as usize;
        let written = std::fs::read_to_string(&main).unwrap();
        assert_eq!(written.lines().nth(line - 1).unwrap().trim(), to, "{rule}");
    }
}

#[test]
fn configuration_that_does_not_parse_is_refused_with_its_line() {
    let dir = configuration_copy("ha-web");
    std::fs::write(
        dir.path().join("broken.tf"),
        "resource \"aws_sns_topic\" \"x\" {\n  name = \n}\n",
    )
    .unwrap();
    let output = hacheck()
        .args(["scan", "--terraform-plan"])
        .arg(dir.path().join("plan.json"))
        .output()
        .unwrap();
    let stderr = assert_exit(&output, 2);
    assert!(stderr.contains("broken.tf:"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// `fix --terraform-plan` on the reference configuration broken in three places: each
/// value set where it is written (its comment kept) or where it comes from (a variable's
/// default); the missing scale-in policy and alarm declared in `hacheck.tf`.
#[test]
fn a_fix_is_written_into_the_configuration_where_each_value_is_chosen() {
    let dir = configuration_copy("ha-web");
    let main = dir.path().join("main.tf");
    let mut text = std::fs::read_to_string(&main).unwrap();
    text = text.replacen(
        "min_size                  = 2",
        "min_size                  = 1 # during the pilot",
        1,
    );
    text = text.replacen(
        "multi_az                    = true",
        "multi_az                    = var.db_multi_az",
        1,
    );
    text.push_str(
        "\nvariable \"db_multi_az\" {\n  type    = bool\n  default = false # cheaper for now\n}\n",
    );
    let (start, end) = (
        text.find("resource \"aws_cloudwatch_metric_alarm\" \"cpu_low\"")
            .unwrap(),
        text.find("resource \"aws_db_subnet_group\"").unwrap(),
    );
    text.replace_range(start..end, "");
    std::fs::write(&main, &text).unwrap();
    let plan = dir.path().join("plan.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    change_of(&mut json, "aws_autoscaling_group.app")["change"]["after"]["min_size"] = 1.into();
    change_of(&mut json, "aws_db_instance.db")["change"]["after"]["multi_az"] = false.into();
    json["resource_changes"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["address"] != "aws_cloudwatch_metric_alarm.cpu_low");
    std::fs::write(&plan, serde_json::to_string(&json).unwrap()).unwrap();
    let (_, before) = scan_json(&["--terraform-plan", plan.to_str().unwrap()]);
    assert_eq!(verdicts(&before, "fail"), ["HA004", "HA012", "HA015"]);

    let diff = fix_written(dir.path(), &[]);
    for line in [
        "+  min_size                  = 2 # during the pilot",
        "+  default = true # cheaper for now",
        "+resource \"aws_cloudwatch_metric_alarm\" \"shop_asg_cpu_low\" {",
        "+  alarm_actions       = [aws_autoscaling_policy.shop_asg_scale_in.arn]",
    ] {
        assert!(diff.contains(line), "{line} in\n{diff}");
    }
    assert!(
        !diff.contains("var.db_multi_az\n+"),
        "the resource keeps reading its variable: {diff}"
    );
    let written = std::fs::read_to_string(&main).unwrap();
    assert!(written.contains("multi_az                    = var.db_multi_az"));
    crate::template_cli::untouched_lines_stay(&text, &written);
    assert!(dir.path().join("hacheck.tf").exists());
}

/// In the table, a finding's `file:line` is never split across lines while the message
/// column keeps room to wrap (a 100-column table of a configuration's long paths).
#[test]
fn a_table_keeps_each_file_position_whole() {
    let scan = |format: &str| {
        let output = hacheck()
            .current_dir(root())
            .env("COLUMNS", "100")
            .args(["scan", "--format", format, "--terraform-plan"])
            .arg("tests/terraform/classic-web/plan.json")
            .output()
            .unwrap();
        crate::support::stdout(&output)
    };
    let report: serde_json::Value = serde_json::from_str(&scan("json")).unwrap();
    let table = scan("table");
    let words: Vec<&str> = table
        .split(|c: char| c.is_whitespace() || c == '│' || c == '┆')
        .collect();
    let failing: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .collect();
    assert!(failing.len() >= 5, "{report:#}");
    for result in failing {
        let position = format!(
            "{}:{}",
            result["location"]["file"].as_str().unwrap(),
            result["location"]["line"]
        );
        assert!(
            words.contains(&position.as_str()),
            "`{position}` is split in\n{table}"
        );
    }
}

/// A Classic Load Balancer's connection draining (HA027) is two attributes in Terraform:
/// the fix turns it on where the configuration turned it off and adds its timeout.
#[test]
fn classic_draining_is_written_as_terraform_says_it() {
    let dir = configuration_copy("classic-web");
    let main = dir.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let (_, before) = scan_json(&[
        "--terraform-plan",
        dir.path().join("plan.json").to_str().unwrap(),
    ]);
    assert!(
        verdicts(&before, "fail").contains(&"HA027".to_owned()),
        "{before:#}"
    );
    let diff = fix_written(dir.path(), &[]);
    assert!(
        !diff.contains("connection-draining"),
        "written, not left: {diff}"
    );
    let written = std::fs::read_to_string(&main).unwrap();
    assert!(
        written.contains("  connection_draining       = true\n"),
        "{written}"
    );
    assert!(
        written.contains("  connection_draining_timeout = 300\n"),
        "{written}"
    );
    crate::template_cli::untouched_lines_stay(&text, &written);
}

/// An instance maintenance policy (HA034, opt-in) is a nested block in Terraform: the fix
/// adds it where the group has none, and writes it anew where it keeps too little.
#[test]
fn an_instance_maintenance_policy_is_written_as_a_nested_block() {
    let dir = configuration_copy("classic-web");
    let main = dir.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let block = "  instance_maintenance_policy {\n    min_healthy_percentage = 100\n    max_healthy_percentage = 110\n  }\n";
    fix_written(dir.path(), &["--select", "HA034"]);
    let written = std::fs::read_to_string(&main).unwrap();
    assert!(written.contains(block), "{written}");
    crate::template_cli::untouched_lines_stay(&text, &written);

    // Too low: the block is replaced where it is, the comment above it kept, not doubled.
    let low = "  # cheaper replacements\n  instance_maintenance_policy {\n    min_healthy_percentage = 90\n    max_healthy_percentage = 100\n  }\n";
    std::fs::write(&main, written.replacen(block, low, 1)).unwrap();
    let plan = dir.path().join("plan.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    change_of(&mut json, "aws_autoscaling_group.app")["change"]["after"]["instance_maintenance_policy"] =
        serde_json::json!([{"min_healthy_percentage": 90, "max_healthy_percentage": 100}]);
    std::fs::write(&plan, serde_json::to_string(&json).unwrap()).unwrap();
    let (_, before) = scan_json(&[
        "--select",
        "HA034",
        "--terraform-plan",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(before["results"][0]["status"], "fail", "{before:#}");
    fix_written(dir.path(), &["--select", "HA034"]);
    let rewritten = std::fs::read_to_string(&main).unwrap();
    assert_eq!(
        rewritten.matches("instance_maintenance_policy {").count(),
        1,
        "{rewritten}"
    );
    assert!(
        rewritten.contains(&format!("  # cheaper replacements\n{block}")),
        "{rewritten}"
    );
    crate::template_cli::untouched_lines_stay(&written.replacen(block, low, 1), &rewritten);

    // A `dynamic` block makes the settings elsewhere: refused, the file left as it is.
    let dynamic = "  dynamic \"instance_maintenance_policy\" {\n    for_each = var.policies\n    content {\n      min_healthy_percentage = 90\n      max_healthy_percentage = 100\n    }\n  }\n";
    let generated = rewritten.replacen(&format!("  # cheaper replacements\n{block}"), dynamic, 1);
    std::fs::write(&main, &generated).unwrap();
    let output = hacheck()
        .current_dir(dir.path())
        .args([
            "fix",
            "--terraform-plan",
            "plan.json",
            "--write",
            "--select",
            "HA034",
        ])
        .output()
        .unwrap();
    assert!(
        crate::support::stderr(&output)
            .contains("is a `dynamic` block: set it where its content comes from"),
        "{}",
        crate::support::stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&main).unwrap(), generated);
}

/// In SARIF, a result of a plan sits on its `.tf` line, and its fingerprint (rule, file,
/// address) does not move when the lines above it do.
#[test]
fn sarif_of_a_plan_points_at_the_tf_line_and_keeps_its_fingerprint() {
    let dir = configuration_copy("ha-web");
    let main = dir.path().join("main.tf");
    let plan = dir.path().join("plan.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    change_of(&mut json, "aws_db_instance.db")["change"]["after"]["multi_az"] = false.into();
    std::fs::write(&plan, serde_json::to_string(&json).unwrap()).unwrap();
    let text = std::fs::read_to_string(&main).unwrap().replacen(
        "multi_az                    = true",
        "multi_az                    = false",
        1,
    );
    let sarif = |text: &str| {
        std::fs::write(&main, text).unwrap();
        let output = hacheck()
            .args(["scan", "--format", "sarif", "--terraform-plan"])
            .arg(&plan)
            .output()
            .unwrap();
        let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let result = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "HA012")
            .unwrap()
            .clone();
        let physical = &result["locations"][0]["physicalLocation"];
        let line = physical["region"]["startLine"].as_u64().unwrap() as usize;
        assert!(
            physical["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("main.tf"),
            "{physical:#}"
        );
        assert_eq!(
            text.lines().nth(line - 1).unwrap().trim(),
            "multi_az                    = false"
        );
        result["partialFingerprints"].clone()
    };
    let before = sarif(&text);
    let after = sarif(&format!("# moved down a line\n{text}"));
    assert_eq!(before, after);
}

/// A group's rules from a `dynamic` block over a value known only at apply are unknown; a
/// group whose rules are resources of their own has no inline rules to wait for.
#[test]
fn rules_a_dynamic_block_makes_at_apply_are_unknown() {
    let dir = configuration_copy("ha-web");
    let main = dir.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let app = "  vpc_id      = module.network.vpc_id\n}\n\nresource \"aws_vpc_security_group_ingress_rule\" \"app_from_lb\"";
    assert!(text.contains(app));
    let with_dynamic = text.replacen(
        app,
        "  vpc_id      = module.network.vpc_id\n\n  dynamic \"ingress\" {\n    for_each = var.extra_app_ports\n    content {\n      protocol    = \"tcp\"\n      from_port   = ingress.value\n      to_port     = ingress.value\n      cidr_blocks = [\"10.0.0.0/8\"]\n    }\n  }\n}\n\nresource \"aws_vpc_security_group_ingress_rule\" \"app_from_lb\"",
        1,
    );
    let plan = dir.path().join("plan.json");
    let app_rules = |report: &serde_json::Value| -> Vec<String> {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["location"]["logical_id"] == "aws_security_group.app")
            .map(|r| {
                format!(
                    "{} {}",
                    r["rule_id"].as_str().unwrap(),
                    r["status"].as_str().unwrap()
                )
            })
            .collect()
    };
    let (_, report) = scan_json(&["--terraform-plan", plan.to_str().unwrap()]);
    assert_eq!(app_rules(&report), ["HA009 pass", "HA010 pass"]);
    std::fs::write(&main, &with_dynamic).unwrap();
    let (_, report) = scan_json(&["--terraform-plan", plan.to_str().unwrap()]);
    assert_eq!(app_rules(&report), ["HA009 unknown", "HA010 unknown"]);
    // Beside a rule written as a block, a dynamic block's rules are still unknown.
    let mixed = with_dynamic.replacen(
        "\n  dynamic \"ingress\" {",
        "\n  ingress {\n    protocol    = \"tcp\"\n    from_port   = 8080\n    to_port     = 8080\n    cidr_blocks = [\"10.0.0.0/16\"]\n  }\n\n  dynamic \"ingress\" {",
        1,
    );
    assert_ne!(mixed, with_dynamic);
    std::fs::write(&main, mixed).unwrap();
    let (_, report) = scan_json(&["--terraform-plan", plan.to_str().unwrap()]);
    assert_eq!(app_rules(&report), ["HA009 unknown", "HA010 unknown"]);
}

/// Every command that takes `--template` takes a plan: the application found, its zones
/// survived, drawn, and the inventory behind them.
#[test]
fn apps_whatif_graph_and_inventory_take_a_plan() {
    let plan = committed_plan("ha-web");
    let run = |command: &str| {
        let output = hacheck()
            .args([command, "--terraform-plan"])
            .arg(&plan)
            .output()
            .unwrap();
        assert_exit(&output, 0);
        crate::support::stdout(&output)
    };
    let apps = run("apps");
    assert!(
        apps.starts_with("application shop-alb (discovered, entry points: shop-alb)"),
        "{apps}"
    );
    let whatif = run("whatif");
    for zone in ["us-east-1a", "us-east-1b"] {
        assert!(whatif.contains(&format!("losing {zone}")), "{whatif}");
    }
    assert!(!whatif.contains("┆ down "), "{whatif}");
    let graph = run("graph");
    assert!(
        graph.contains("application load balancer</b><br/>shop-alb"),
        "{graph}"
    );
    let inventory: serde_json::Value = serde_json::from_str(&run("inventory")).unwrap();
    assert_eq!(inventory["auto_scaling_groups"][0]["name"], "shop-asg");
    assert_eq!(
        inventory["auto_scaling_groups"][0]["subnet_ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// A map several of whose values are known only after apply (the unhealthy-targets alarm's
/// `dimensions`, two `arn_suffix`es): the plan's JSON lists the references without their
/// keys, the `.tf` file says which key takes which; a value that is not a plain reference
/// leaves the map unknown.
#[test]
fn a_map_of_references_known_after_apply_takes_each_keys_from_the_configuration() {
    let status = |dir: &Path| {
        let (_, report) = scan_json(&[
            "--select",
            "HA032",
            "--terraform-plan",
            dir.join("plan.json").to_str().unwrap(),
        ]);
        report["results"][0]["status"].as_str().unwrap().to_owned()
    };
    let dir = configuration_copy("ha-web");
    assert_eq!(status(dir.path()), "pass");
    let main = dir.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let rewritten = text.replace(
        "LoadBalancer = aws_lb.web.arn_suffix",
        "LoadBalancer = lower(aws_lb.web.arn_suffix)",
    );
    assert_ne!(text, rewritten);
    std::fs::write(&main, rewritten).unwrap();
    assert_eq!(status(dir.path()), "unknown");
}
