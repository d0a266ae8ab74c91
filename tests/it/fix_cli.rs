//! `hacheck fix` planning on the bundled examples: deterministic, readable, no AWS.

use crate::support::{assert_exit, compliant_with, hacheck, stdout, write_policy};

fn plan(example: &str, format: &str) -> String {
    let output = hacheck()
        .args(["fix", "--example", example, "--format", format])
        .output()
        .unwrap();
    stdout(&output)
}

#[test]
fn the_seed_plan_reads_like_terraform() {
    insta::assert_snapshot!("seed_plan_text", plan("single-server", "text"));
}

#[test]
fn plans_are_deterministic_and_json_matches_text() {
    let first = plan("single-server", "json");
    assert_eq!(first, plan("single-server", "json"));
    let value: serde_json::Value = serde_json::from_str(&first).unwrap();
    insta::assert_json_snapshot!("seed_plan_json", value);
    let steps = value["steps"].as_array().unwrap();
    let manual = steps.iter().filter(|s| s["safety"] == "manual").count();
    assert!(plan("single-server", "text").contains(&format!("{manual} manual.")));
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
        .args(["fix", "--example", "single-server", "--out"])
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

/// The compliant account with a second internet-facing load balancer that no name aliases.
fn two_public_load_balancers(dir: &std::path::Path) -> std::path::PathBuf {
    compliant_with(dir, |inventory| {
        let mut api = inventory["load_balancers"][0].clone();
        api["name"] = "api-alb".into();
        api["arn"] =
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api-alb/0fedcba987654321".into();
        api["dns_name"] = "api-alb-987654321.us-east-1.elb.amazonaws.com".into();
        inventory["load_balancers"]
            .as_array_mut()
            .unwrap()
            .push(api);
    })
}

fn alias_plan(inventory: &std::path::Path, config: &str) -> serde_json::Value {
    let dir = inventory.parent().unwrap();
    std::fs::write(dir.join("hacheck.toml"), config).unwrap();
    let output = hacheck()
        .args(["fix", "--format", "json", "--inventory"])
        .arg(inventory)
        .arg("--config")
        .arg(dir.join("hacheck.toml"))
        .output()
        .unwrap();
    assert!(
        output.status.code() != Some(2),
        "{}",
        crate::support::stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).unwrap()
}

fn steps_fixing(plan: &serde_json::Value, fix: &str) -> Vec<serde_json::Value> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["fixes"].as_array().unwrap().iter().any(|f| f == fix))
        .cloned()
        .collect()
}

#[test]
fn a_name_that_aliases_one_load_balancer_is_never_moved_to_another() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = two_public_load_balancers(dir.path());
    // One `alias_record` for two load balancers: the name stays where it is; the other
    // load balancer gets a manual step saying which input makes it automatic.
    let plan = alias_plan(&inventory, "[fix]\nalias_record = \"shop.example.com\"\n");
    let steps = steps_fixing(&plan, "HA017 api-alb");
    assert_eq!(steps.len(), 1, "{plan:#}");
    assert_eq!(steps[0]["safety"], "manual");
    assert_eq!(
        steps[0]["action"]["instruction"],
        "record shop.example.com. already aliases load balancer shop-alb; name another record for api-alb under `[fix.alias_records]` in hacheck.toml"
    );
    assert!(
        !serde_json::to_string(&plan)
            .unwrap()
            .contains("\"name\":\"shop.example.com.\""),
        "no step touches shop.example.com: {plan:#}"
    );
}

#[test]
fn per_load_balancer_names_converge_in_one_plan() {
    let dir = tempfile::tempdir().unwrap();
    let inventory_path = two_public_load_balancers(dir.path());
    let config = "[fix]\nalias_record = \"shop.example.com\"\n[fix.alias_records]\napi-alb = \"api.example.com\"\n";
    let plan = alias_plan(&inventory_path, config);
    let steps = steps_fixing(&plan, "HA017 api-alb");
    assert_eq!(steps.len(), 1, "{plan:#}");
    let action = &steps[0]["action"];
    assert_eq!(action["name"], "api.example.com.");
    assert_eq!(
        action["dns_name"],
        "api-alb-987654321.us-east-1.elb.amazonaws.com"
    );

    // What applying it would leave: the record exists. The next plan has nothing for HA017
    // (it would move a name back and forth if it oscillated).
    let mut inventory: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&inventory_path).unwrap()).unwrap();
    let mut record = inventory["record_sets"][1].clone();
    record["name"] = "api.example.com.".into();
    record["alias_target"]["dns_name"] = action["dns_name"].clone();
    inventory["record_sets"]
        .as_array_mut()
        .unwrap()
        .push(record);
    std::fs::write(&inventory_path, serde_json::to_string(&inventory).unwrap()).unwrap();
    let next = alias_plan(&inventory_path, config);
    assert!(steps_fixing(&next, "HA017 api-alb").is_empty(), "{next:#}");
    assert!(steps_fixing(&next, "HA017 shop-alb").is_empty(), "{next:#}");
    assert!(
        !serde_json::to_string(&next)
            .unwrap()
            .contains("upsert_alias_record"),
        "{next:#}"
    );
}

/// A fix that would break what passes is refused with the reason: here an organisation's own
/// rule (a cost cap of one instance per group) against HA004's two instances.
#[test]
fn a_step_that_would_make_a_passing_finding_fail_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inventory_path = compliant_with(dir.path(), |inventory| {
        let group = &mut inventory["auto_scaling_groups"][0];
        group["min_size"] = 1.into();
        group["desired_capacity"] = 1.into();
    });
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    // A cost cap.
    write_policy(
        &policies,
        "ORG001",
        r#"inv.members("auto_scaling_group").map(|g| if g.min_size <= 1 {
        pass(g, `Group ${g.name} runs at most one instance.`)
    } else {
        fail(g, `Group ${g.name} keeps ${g.min_size} instances, over the budget of one.`)
    })"#,
    );
    let fix = |format: &str| {
        hacheck()
            .args(["fix", "--format", format, "--inventory"])
            .arg(&inventory_path)
            .arg("--policies")
            .arg(&policies)
            .output()
            .unwrap()
    };
    let output = fix("text");
    let text = stdout(&output);
    assert!(
        text.contains("Refused: they would break what passes now.\n  x shop-asg (auto scaling group: capacity): it would make ORG001 fail on `shop-asg`: Group shop-asg keeps 2 instances, over the budget of one.\n"),
        "{text}"
    );
    assert!(
        !text.contains("~ shop-asg (auto scaling group: capacity)"),
        "{text}"
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout(&fix("json"))).unwrap();
    assert_eq!(plan["refused"][0]["step"]["id"], "set-capacity:shop-asg");
    // Without the organisation's rule the same step is planned.
    let output = hacheck()
        .args(["fix", "--inventory"])
        .arg(&inventory_path)
        .output()
        .unwrap();
    assert!(stdout(&output).contains("~ shop-asg (auto scaling group: capacity)"));
}

/// Steps that break a passing finding only together are not refused (no step is to blame)
/// but said: here an organisation's rule that forbids ELB health checks on groups of two.
#[test]
fn steps_that_break_what_passes_only_together_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let inventory_path = compliant_with(dir.path(), |inventory| {
        let group = &mut inventory["auto_scaling_groups"][0];
        group["min_size"] = 1.into();
        group["desired_capacity"] = 1.into();
        group["health_check_type"] = "EC2".into();
    });
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    // A made-up constraint between two settings.
    write_policy(
        &policies,
        "ORG002",
        r#"inv.members("auto_scaling_group").map(|g| if g.min_size >= 2 && g.health_check_type == "ELB" {
        fail(g, `Group ${g.name} is a group of two with ELB health checks.`)
    } else {
        pass(g, `Group ${g.name} is not a group of two with ELB health checks.`)
    })"#,
    );
    let output = hacheck()
        .args(["fix", "--inventory"])
        .arg(&inventory_path)
        .arg("--policies")
        .arg(&policies)
        .output()
        .unwrap();
    let err = crate::support::stderr(&output);
    assert_eq!(
        err,
        "warning: the plan's steps together would make ORG002 fail on `shop-asg`: Group shop-asg is a group of two with ELB health checks.\n\
         Nothing was changed. Next: `hacheck fix --out plan.json` to save this plan for review, or `hacheck fix --apply` to apply it.\n"
    );
    let text = stdout(&output);
    assert!(
        text.contains("~ shop-asg (auto scaling group: capacity)"),
        "{text}"
    );
    assert!(
        text.contains("~ shop-asg (auto scaling group: health check)"),
        "{text}"
    );
    assert!(!text.contains("Refused"), "{text}");
}

/// Instances of a group that still carry public IPs (HA001) are replaced by an instance
/// refresh: launching each replacement first when the group has room above its desired
/// capacity (capacity never drops: safe), else keeping 90 % healthy (unsafe).
#[test]
fn a_rolling_replacement_is_unsafe_only_where_capacity_would_drop() {
    let dir = tempfile::tempdir().unwrap();
    let refresh_of = |max_size: i64| {
        let path = compliant_with(dir.path(), |inventory| {
            for instance in inventory["instances"].as_array_mut().unwrap() {
                if instance["id"] == "i-0app0a" {
                    instance["public_ip"] = "54.0.0.1".into();
                }
            }
            inventory["auto_scaling_groups"][0]["max_size"] = max_size.into();
        });
        let output = hacheck()
            .args(["fix", "--format", "json", "--inventory"])
            .arg(&path)
            .output()
            .unwrap();
        let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "instance-refresh:shop-asg")
            .cloned()
            .unwrap_or_else(|| panic!("{plan:#}"))
    };
    let roomy = refresh_of(6);
    assert_eq!(roomy["safety"], "safe");
    assert_eq!(roomy["action"]["min_healthy_percentage"], 100);
    assert_eq!(roomy["action"]["max_healthy_percentage"], 110);
    assert_eq!(roomy["fixes"], serde_json::json!(["HA001 i-0app0a"]));
    let full = refresh_of(2);
    assert_eq!(full["safety"], "unsafe");
    assert_eq!(full["action"]["min_healthy_percentage"], 90);
    assert!(full["action"].get("max_healthy_percentage").is_none());
}

/// HA003 asked for three zones and HA007 for private subnets: one move to the union of the
/// subnets both want (a new private subnet and NAT gateway in the third zone included).
#[test]
fn two_rules_moving_one_group_agree_on_one_move() {
    let dir = tempfile::tempdir().unwrap();
    let inventory_path = compliant_with(dir.path(), |inventory| {
        let mut public_c = inventory["subnets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "subnet-0pub0a")
            .unwrap()
            .clone();
        public_c["id"] = "subnet-0pub0c".into();
        public_c["availability_zone"] = "us-east-1c".into();
        public_c["cidr_block"] = "10.0.2.0/24".into();
        inventory["subnets"].as_array_mut().unwrap().push(public_c);
        for table in inventory["route_tables"].as_array_mut().unwrap() {
            if table["id"] == "rtb-0public" {
                table["subnet_ids"]
                    .as_array_mut()
                    .unwrap()
                    .push("subnet-0pub0c".into());
            }
        }
        inventory["auto_scaling_groups"][0]["subnet_ids"] = serde_json::json!(["subnet-0pub0a"]);
        inventory["auto_scaling_groups"][0]["availability_zones"] =
            serde_json::json!(["us-east-1a"]);
    });
    let config = dir.path().join("hacheck.toml");
    std::fs::write(&config, "[policies.HA003]\nmin_azs = 3\n").unwrap();
    let output = hacheck()
        .args(["fix", "--format", "json", "--inventory"])
        .arg(&inventory_path)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        crate::support::stderr(&output)
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let moves: Vec<&serde_json::Value> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"] == "set-subnets:shop-asg")
        .collect();
    assert_eq!(moves.len(), 1);
    assert_eq!(
        moves[0]["action"]["subnet_ids"],
        serde_json::json!([
            "ref:subnet:hacheck-vpc-0a1b2c3d4e5f60001-private-us-east-1c",
            "subnet-0prv0a",
            "subnet-0prv0b"
        ])
    );
    assert_eq!(
        moves[0]["fixes"],
        serde_json::json!(["HA003 shop-asg", "HA007 shop-asg"])
    );
}

/// The textbook broken account: a group that serves no target group, and a second,
/// listener-less load balancer in the same VPC. HA006 attaches the group to the application's
/// target group; HA008 would give the new load balancer its own target group for the same
/// group. The plan keeps the one that reuses what exists and defers the other, naming both.
#[test]
fn two_remediations_wanting_one_group_differently_defer_one_and_plan_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        let mut lonely = inv["auto_scaling_groups"][0].clone();
        lonely["name"] = "lonely-asg".into();
        lonely["arn"] = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/lonely-asg".into();
        lonely["target_group_arns"] = serde_json::json!([]);
        lonely["instance_ids"] = serde_json::json!([]);
        inv["auto_scaling_groups"]
            .as_array_mut()
            .unwrap()
            .push(lonely);
        let mut side_group = inv["security_groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "sg-0lb")
            .unwrap()
            .clone();
        side_group["id"] = "sg-0side".into();
        side_group["name"] = "side-lb".into();
        inv["security_groups"]
            .as_array_mut()
            .unwrap()
            .push(side_group);
        let mut side = inv["load_balancers"][0].clone();
        side["name"] = "side-alb".into();
        side["arn"] =
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/side-alb/1111"
                .into();
        side["dns_name"] = "side-alb-1.us-east-1.elb.amazonaws.com".into();
        side["security_group_ids"] = serde_json::json!(["sg-0side"]);
        inv["load_balancers"].as_array_mut().unwrap().push(side);
    });
    // The port a new target group for the group serves on (its group admits only the first
    // load balancer's).
    let config = dir.path().join("hacheck.toml");
    std::fs::write(&config, "[fix]\napp_port = 8080\n").unwrap();
    let output = hacheck()
        .args(["fix", "--format", "json", "--config"])
        .arg(&config)
        .arg("--inventory")
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let attach: Vec<&serde_json::Value> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"] == "attach-target-groups:lonely-asg")
        .collect();
    assert_eq!(attach.len(), 1, "{plan:#}");
    assert_eq!(
        attach[0]["action"]["target_group_arns"],
        serde_json::json!([
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-tg/0123456789abcdef"
        ]),
        "the application's own target group is reused: {plan:#}"
    );
    let deferred = plan["deferred"].as_array().expect("a deferral");
    assert_eq!(deferred.len(), 1, "{plan:#}");
    let reason = deferred[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("HA006 lonely-asg") && reason.contains("HA008 side-alb"),
        "{reason}"
    );
    assert!(!reason.contains('{'), "a sentence, not a dump: {reason}");

    let text = hacheck()
        .args(["fix", "--config"])
        .arg(&config)
        .arg("--inventory")
        .arg(&path)
        .output()
        .unwrap();
    let text = stdout(&text);
    assert!(text.contains("\nDeferred: "), "{text}");
    assert!(text.contains("1 deferred."), "{text}");
}

/// The compliant account whose listener on 80 does `action` instead of redirecting to 443;
/// `legacy` adds instance `i-0legacy` (not in any group) behind target group `legacy-tg`,
/// admitting 8080 from the load balancer.
fn listener_80_doing(
    dir: &std::path::Path,
    action: serde_json::Value,
    legacy: bool,
) -> std::path::PathBuf {
    compliant_with(dir, |inventory| {
        inventory["listeners"][1]["default_actions"] = serde_json::json!([action]);
        if legacy {
            let mut instance = inventory["instances"][0].clone();
            instance["id"] = "i-0legacy".into();
            instance["auto_scaling_group"] = serde_json::Value::Null;
            instance["tags"] = serde_json::json!({ "Name": "legacy-web" });
            inventory["instances"]
                .as_array_mut()
                .unwrap()
                .push(instance);
            let mut target_group = inventory["target_groups"][0].clone();
            target_group["name"] = "legacy-tg".into();
            target_group["arn"] = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-tg/0fedcba987654321".into();
            target_group["targets"] =
                serde_json::json!([{ "id": "i-0legacy", "port": 8080, "health": "healthy" }]);
            inventory["target_groups"]
                .as_array_mut()
                .unwrap()
                .push(target_group);
        }
    })
}

fn fix_json(inventory: &std::path::Path) -> serde_json::Value {
    let output = hacheck()
        .args(["fix", "--format", "json", "--inventory"])
        .arg(inventory)
        .output()
        .unwrap();
    assert!(
        output.status.code() != Some(2),
        "{}",
        crate::support::stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).unwrap()
}

/// The HA008 steps of a plan's `steps` or `refused` (absent when empty).
fn listener_advice(steps: &serde_json::Value) -> Vec<serde_json::Value> {
    steps
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            if s.get("step").is_some() {
                &s["step"]
            } else {
                s
            }
        })
        .filter(|s| {
            s["fixes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f.as_str().unwrap().starts_with("HA008"))
        })
        .cloned()
        .collect()
}

/// Manual steps are checked like actions: re-pointing a listener whose users reach instances
/// of their own today would cut that path, so the advice is refused with the path it cuts.
#[test]
fn advice_to_repoint_a_listener_that_serves_users_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = listener_80_doing(
        dir.path(),
        serde_json::json!({ "action_type": "forward", "target_group_arns": ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-tg/0fedcba987654321"] }),
        true,
    );
    let plan = fix_json(&inventory);
    assert!(listener_advice(&plan["steps"]).is_empty(), "{plan:#}");
    let refused = listener_advice(&plan["refused"]);
    assert_eq!(refused.len(), 1, "{plan:#}");
    let action = &refused[0]["action"];
    assert_eq!(action["type"], "manual");
    assert_eq!(action["following"][0]["type"], "forward_listener");
    assert_eq!(
        action["following"][0]["target_group_arn"],
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-tg/0123456789abcdef"
    );
    let reason = plan["refused"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["step"]["id"] == refused[0]["id"])
        .unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        reason.starts_with("following it would cut application `")
            && reason.contains("load balancer shop-alb :80/tcp → target group legacy-tg → instance i-0legacy :8080/tcp"),
        "{reason}"
    );
}

/// A listener that answers itself (a fixed response) has no users' path to lose: the advice
/// to point it at the application's target group stands, with the change it states.
#[test]
fn advice_to_repoint_a_listener_that_answers_itself_stands() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = listener_80_doing(
        dir.path(),
        serde_json::json!({ "action_type": "fixed-response" }),
        false,
    );
    let plan = fix_json(&inventory);
    assert!(listener_advice(&plan["refused"]).is_empty(), "{plan:#}");
    let advice = listener_advice(&plan["steps"]);
    assert_eq!(advice.len(), 1, "{plan:#}");
    assert_eq!(
        advice[0]["action"]["instruction"],
        "point the listener on 80 at target group shop-tg, which the load balancer's other listeners serve the application from"
    );
    assert_eq!(
        advice[0]["action"]["following"][0]["listener_arn"],
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop-alb/0123456789abcdef/80"
    );
}

/// A NAT gateway still pending becomes available (the executor waits for it): the
/// remediations reuse it, as the stack builder does, rather than pay for a second one.
#[test]
fn a_pending_nat_gateway_is_reused_for_a_new_private_subnet() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = compliant_with(dir.path(), |inventory| {
        let group = &mut inventory["auto_scaling_groups"][0];
        group["subnet_ids"] = serde_json::json!(["subnet-0prv0a"]);
        group["availability_zones"] = serde_json::json!(["us-east-1a"]);
        inventory["subnets"]
            .as_array_mut()
            .unwrap()
            .retain(|s| s["id"] != "subnet-0prv0b");
        for table in inventory["route_tables"].as_array_mut().unwrap() {
            table["subnet_ids"]
                .as_array_mut()
                .unwrap()
                .retain(|s| s != "subnet-0prv0b");
        }
        for nat in inventory["nat_gateways"].as_array_mut().unwrap() {
            if nat["id"] == "nat-0shop0b" {
                nat["state"] = "pending".into();
            }
        }
    });
    let plan = fix_json(&inventory);
    let types: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"]["type"].as_str().unwrap())
        .collect();
    assert!(!types.contains(&"create_nat_gateway"), "{plan:#}");
    let table = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"]["type"] == "create_route_table")
        .unwrap_or_else(|| panic!("{plan:#}"));
    assert_eq!(table["action"]["default_target"], "nat-0shop0b");
}

/// HA034's fix sets launch-before-terminate (100 %) and room for one more instance (110 %),
/// keeps a wider maximum the group has, and never asks AWS for more than it takes (a
/// minimum above 100 is clamped).
#[test]
fn the_maintenance_policy_fix_keeps_a_wider_maximum_and_stays_in_range() {
    let dir = tempfile::tempdir().unwrap();
    let planned = |policy: serde_json::Value, config: &str| {
        let inventory = compliant_with(dir.path(), |inventory| {
            inventory["auto_scaling_groups"][0]["instance_maintenance_policy"] = policy;
        });
        let path = dir.path().join("hacheck.toml");
        std::fs::write(&path, config).unwrap();
        let output = hacheck()
            .args(["fix", "--select", "HA034", "--config"])
            .arg(&path)
            .arg("--inventory")
            .arg(&inventory)
            .output()
            .unwrap();
        // A plan with steps exits 1.
        assert_exit(&output, 1);
        let text = stdout(&output);
        text.lines()
            .find(|l| l.contains("instance_maintenance_policy:"))
            .unwrap_or_else(|| panic!("{text}"))
            .trim()
            .to_owned()
    };
    assert_eq!(
        planned(serde_json::json!({}), ""),
        "instance_maintenance_policy: none → min 100 %, max 110 %"
    );
    assert_eq!(
        planned(
            serde_json::json!({"min_healthy_percentage": 90, "max_healthy_percentage": 190}),
            ""
        ),
        "instance_maintenance_policy: min 90 %, max 190 % → min 100 %, max 190 %"
    );
    assert_eq!(
        planned(
            serde_json::json!({"min_healthy_percentage": 50, "max_healthy_percentage": 150}),
            "[policies.HA034]\nmin_healthy = 80\n"
        ),
        "instance_maintenance_policy: min 50 %, max 150 % → min 80 %, max 150 %"
    );
    assert_eq!(
        planned(
            serde_json::json!({}),
            "[policies.HA034]\nmin_healthy = 120\n"
        ),
        "instance_maintenance_policy: none → min 100 %, max 110 %"
    );
}
