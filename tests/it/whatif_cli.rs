//! `hacheck whatif` and `hacheck graph` offline: the bundled examples, and snapshots of the
//! compliant example broken in one way each (a single NAT gateway, a single-AZ database, a
//! group with every instance in one zone, a load balancer in one zone). Snapshot tests of the
//! table, Markdown, Mermaid and DOT text.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{assert_exit, compliant_with, example, hacheck, stdout};

fn whatif(args: &[&str]) -> std::process::Output {
    hacheck().arg("whatif").args(args).output().unwrap()
}

fn find<'v>(inventory: &'v mut Value, collection: &str, id: &str) -> &'v mut Value {
    inventory[collection]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["id"] == id || r["name"] == id)
        .unwrap_or_else(|| panic!("no {collection} {id}"))
}

/// `(verdict, [(area, impact, resource)] of the reasons that are not ok)` for losing `zone`.
fn outcome(inventory: &Path, zone: &str) -> (i32, String, Vec<(String, String, String)>) {
    let output = whatif(&[
        "--inventory",
        inventory.to_str().unwrap(),
        "--lose-az",
        zone,
        "--format",
        "json",
    ]);
    let code = output.status.code().unwrap();
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let app = &report["zones"][0]["applications"][0];
    let reasons = app["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["impact"] != "ok")
        .map(|r| {
            (
                r["area"].as_str().unwrap().to_owned(),
                r["impact"].as_str().unwrap().to_owned(),
                r["resource"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (code, app["verdict"].as_str().unwrap().to_owned(), reasons)
}

fn reason(area: &str, impact: &str, resource: &str) -> (String, String, String) {
    (area.to_owned(), impact.to_owned(), resource.to_owned())
}

#[test]
fn the_compliant_example_survives_each_zone_with_notes() {
    let output = whatif(&[
        "--example",
        "compliant",
        "--lose-az",
        "each",
        "--format",
        "json",
    ]);
    assert_exit(&output, 0);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["failed"], false);
    let verdicts: Vec<(&str, &str)> = report["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            (
                z["zone"].as_str().unwrap(),
                z["applications"][0]["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [("us-east-1a", "survives"), ("us-east-1b", "survives")]
    );
    let (_, _, notes) = outcome(&example("compliant.json"), "us-east-1a");
    assert_eq!(
        notes,
        [
            reason("database", "note", "shop-db"),
            reason("operations", "note", "i-0bastion")
        ]
    );
}

#[test]
fn the_seed_is_down_with_its_reasons() {
    let (code, verdict, reasons) = outcome(&example("single-server.json"), "us-east-1a");
    assert_eq!((code, verdict.as_str()), (1, "down"));
    assert_eq!(
        reasons,
        [
            reason("capacity", "down", "i-1swiftcode"),
            reason("database", "down", "swiftcode-db"),
            reason("dns", "down", "swiftcode.example.com. A"),
        ]
    );
    // The seed's other zone holds nothing of it.
    let (code, verdict, reasons) = outcome(&example("single-server.json"), "us-east-1b");
    assert_eq!((code, verdict.as_str(), reasons.len()), (0, "survives", 0));
}

#[test]
fn a_single_nat_gateway_degrades_the_other_zone() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        find(inv, "route_tables", "rtb-0private0b")["routes"][0]["target"] = json!("nat-0shop0a");
    });
    let (code, verdict, reasons) = outcome(&path, "us-east-1a");
    assert_eq!((code, verdict.as_str()), (0, "degraded"));
    assert!(
        reasons.contains(&reason("egress", "degraded", "subnet-0prv0b")),
        "{reasons:?}"
    );
    let (_, verdict, _) = outcome(&path, "us-east-1b");
    assert_eq!(verdict, "survives");
}

#[test]
fn a_single_az_database_is_down_with_its_zone_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        find(inv, "db_instances", "shop-db")["multi_az"] = json!(false);
    });
    let (code, verdict, reasons) = outcome(&path, "us-east-1a");
    assert_eq!((code, verdict.as_str()), (1, "down"));
    assert!(
        reasons.contains(&reason("database", "down", "shop-db")),
        "{reasons:?}"
    );
    assert_eq!(outcome(&path, "us-east-1b").1, "survives");
}

#[test]
fn a_group_with_every_instance_in_one_zone_is_down_until_it_relaunches() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        let instance = find(inv, "instances", "i-0app0b");
        instance["availability_zone"] = json!("us-east-1a");
        instance["subnet_id"] = json!("subnet-0prv0a");
    });
    let (code, verdict, reasons) = outcome(&path, "us-east-1a");
    assert_eq!((code, verdict.as_str()), (1, "down"));
    assert!(
        reasons.contains(&reason("capacity", "down", "shop-asg")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&reason("load_balancer", "down", "shop-tg")),
        "{reasons:?}"
    );
    assert_eq!(outcome(&path, "us-east-1b").1, "survives");
}

#[test]
fn a_group_that_cannot_launch_elsewhere_is_below_its_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        let group = find(inv, "auto_scaling_groups", "shop-asg");
        group["subnet_ids"] = json!(["subnet-0prv0b"]);
        group["availability_zones"] = json!(["us-east-1b"]);
    });
    // i-0app0a still runs in us-east-1a (an old placement): losing us-east-1b leaves it
    // alone, and the group cannot launch anywhere but the lost zone.
    let (code, verdict, reasons) = outcome(&path, "us-east-1b");
    assert_eq!((code, verdict.as_str()), (1, "degraded"));
    assert!(
        reasons.contains(&reason("capacity", "degraded", "shop-asg")),
        "{reasons:?}"
    );
}

#[test]
fn a_load_balancer_in_one_zone_is_down_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        let lb = find(inv, "load_balancers", "shop-alb");
        lb["availability_zones"] = json!(["us-east-1b"]);
        lb["subnet_ids"] = json!(["subnet-0pub0b"]);
    });
    let (code, verdict, reasons) = outcome(&path, "us-east-1b");
    assert_eq!((code, verdict.as_str()), (1, "down"));
    assert!(
        reasons.contains(&reason("load_balancer", "down", "shop-alb")),
        "{reasons:?}"
    );
    assert_eq!(outcome(&path, "us-east-1a").0, 0);
}

/// The compliant stack moved behind a Classic Load Balancer: the ALB, its listeners and its
/// target group gone, the group attaching `legacy-elb` by name instead.
fn behind_a_classic_load_balancer(
    dir: &Path,
    zones: &[&str],
    cross_zone: bool,
) -> std::path::PathBuf {
    compliant_with(dir, |inv| {
        let subnets: Vec<String> = zones
            .iter()
            .map(|z| format!("subnet-0pub0{}", z.chars().last().unwrap()))
            .collect();
        inv["load_balancers"] = json!([]);
        inv["listeners"] = json!([]);
        inv["target_groups"] = json!([]);
        let group = find(inv, "auto_scaling_groups", "shop-asg");
        group["target_group_arns"] = json!([]);
        group["load_balancer_names"] = json!(["legacy-elb"]);
        inv["classic_load_balancers"] = json!([{
            "arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy-elb",
            "name": "legacy-elb", "region": "us-east-1", "scheme": "internet-facing",
            "vpc_id": "vpc-0a1b2c3d4e5f60001", "availability_zones": zones, "subnet_ids": subnets,
            "security_group_ids": ["sg-0lb"],
            "dns_name": "shop-alb-1234567890.us-east-1.elb.amazonaws.com",
            "listeners": [{ "protocol": "HTTP", "port": 80, "instance_protocol": "HTTP", "instance_port": 8080 }],
            "instance_ids": ["i-0app0a", "i-0app0b"], "cross_zone": cross_zone,
        }]);
    })
}

#[test]
fn a_classic_load_balancer_in_one_zone_is_down_with_it_and_cross_zone_off_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let one_zone = behind_a_classic_load_balancer(dir.path(), &["us-east-1b"], true);
    let (code, verdict, reasons) = outcome(&one_zone, "us-east-1b");
    assert_eq!((code, verdict.as_str()), (1, "down"), "{reasons:?}");
    assert!(
        reasons.contains(&reason("load_balancer", "down", "legacy-elb")),
        "{reasons:?}"
    );
    let other = tempfile::tempdir().unwrap();
    let no_cross_zone =
        behind_a_classic_load_balancer(other.path(), &["us-east-1a", "us-east-1b"], false);
    let (_, _, reasons) = outcome(&no_cross_zone, "us-east-1a");
    assert!(
        reasons.contains(&reason("load_balancer", "note", "legacy-elb")),
        "{reasons:?}"
    );
    // Drawn: the internet and the record reach it, it sends to the group.
    let output = hacheck()
        .args(["graph", "--inventory"])
        .arg(&no_cross_zone)
        .output()
        .unwrap();
    let graph = stdout(&output);
    assert!(graph.contains("internet --> clb_legacy_elb"), "{graph}");
    assert!(graph.contains("-->|\"alias\"| clb_legacy_elb"), "{graph}");
    assert!(
        graph.contains("clb_legacy_elb -->|\"targets\"| asg_shop_asg"),
        "{graph}"
    );
    assert!(graph.contains("cross-zone off"), "{graph}");
}

#[test]
fn an_unknown_zone_is_one_line_and_exit_two() {
    let output = whatif(&["--example", "compliant", "--lose-az", "us-east-1z"]);
    let err = assert_exit(&output, 2);
    assert_eq!(
        err,
        "error: no subnet of the inventory is in zone `us-east-1z` (zones: us-east-1a, us-east-1b)\n"
    );
    let output = hacheck()
        .args(["graph", "--example", "compliant", "--lose-az", "each"])
        .output()
        .unwrap();
    assert_eq!(
        assert_exit(&output, 2),
        "error: `--lose-az` takes one zone here, not `each`\n"
    );
}

#[test]
fn whatif_snapshots() {
    let output = whatif(&["--example", "single-server", "--lose-az", "each"]);
    assert_exit(&output, 1);
    insta::assert_snapshot!("whatif_seed_table", stdout(&output));
    // `each` is the default.
    let default = whatif(&["--example", "single-server"]);
    assert_eq!(stdout(&default), stdout(&output));
    let output = whatif(&[
        "--example",
        "compliant",
        "--lose-az",
        "each",
        "--format",
        "markdown",
    ]);
    assert_exit(&output, 0);
    insta::assert_snapshot!("whatif_compliant_markdown", stdout(&output));
}

#[test]
fn graph_snapshots() {
    for (name, args) in [
        (
            "graph_seed_mermaid",
            &["--example", "single-server", "--format", "mermaid"][..],
        ),
        (
            "graph_seed_dot",
            &["--example", "single-server", "--format", "dot"],
        ),
        (
            "graph_compliant_lost_zone_mermaid",
            &["--example", "compliant", "--lose-az", "us-east-1a"],
        ),
        (
            "graph_compliant_lost_zone_dot",
            &[
                "--example",
                "compliant",
                "--lose-az",
                "us-east-1a",
                "--format",
                "dot",
            ],
        ),
    ] {
        let output = hacheck().arg("graph").args(args).output().unwrap();
        assert_exit(&output, 0);
        insta::assert_snapshot!(name, stdout(&output));
    }
}

#[test]
fn a_lost_zone_greys_what_runs_in_it_and_failures_name_their_rules() {
    let output = hacheck()
        .args(["graph", "--example", "compliant", "--lose-az", "us-east-1b"])
        .output()
        .unwrap();
    let text = stdout(&output);
    let lost_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("class ") && l.ends_with(" lost"))
        .unwrap();
    assert_eq!(
        lost_line.trim(),
        "class ec2_shop_asg_us_east_1b,nat_nat_0shop0b lost"
    );
    assert!(
        text.contains("subgraph zone_us_east_1b[\"us-east-1b (lost)\"]"),
        "{text}"
    );
    assert!(
        !text.contains(" fail\n"),
        "the compliant example fails nothing: {text}"
    );

    let output = hacheck()
        .args(["graph", "--example", "single-server"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("i-1swiftcode<br/>public IP<br/>⚠ HA001 HA002 HA009 HA010 HA018\"]"),
        "{text}"
    );
    // The VPC is not drawn: its failure is on the application's note.
    assert!(text.contains("HA011: vpc-0default0001"), "{text}");
}

#[test]
fn several_applications_share_one_diagram_with_distinct_keys() {
    let dir = tempfile::tempdir().unwrap();
    // The seed's application added to the compliant account: two applications.
    let seed: Value =
        serde_json::from_str(&std::fs::read_to_string(example("single-server.json")).unwrap())
            .unwrap();
    let path = compliant_with(dir.path(), |inv| {
        for (collection, items) in seed.as_object().unwrap() {
            if let (Some(into), Some(items)) = (inv[collection].as_array_mut(), items.as_array()) {
                into.extend(items.iter().cloned());
            }
        }
    });
    for format in ["mermaid", "dot"] {
        let output = hacheck()
            .args([
                "graph",
                "--inventory",
                path.to_str().unwrap(),
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let text = stdout(&output);
        assert_exit(&output, 0);
        assert!(
            text.contains("a1_internet") && text.contains("a2_internet"),
            "{text}"
        );
        assert!(
            text.contains("application shop-alb")
                && text.contains("application swiftcode.example.com"),
            "{text}"
        );
    }
}

/// The README shows the real output of these commands; it must not drift from them.
#[test]
fn the_readme_shows_the_current_output() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let run = |args: &[&str], code: i32| {
        let output = hacheck().args(args).output().unwrap();
        assert_exit(&output, code);
        let text = stdout(&output);
        assert!(
            text.lines().count() > 3,
            "{args:?} printed almost nothing: {text}"
        );
        text
    };
    let shown = [
        run(
            &["whatif", "--example", "single-server", "--lose-az", "each"],
            1,
        ),
        // Its headings sit two levels lower in the README.
        run(
            &[
                "whatif",
                "--example",
                "compliant",
                "--lose-az",
                "each",
                "--format",
                "markdown",
            ],
            0,
        )
        .replace("## hacheck whatif", "#### hacheck whatif")
        .replace("### Losing", "##### Losing"),
        run(&["graph", "--example", "single-server"], 0),
        run(&["graph", "--example", "compliant"], 0),
    ];
    for text in shown {
        assert!(
            readme.contains(&text),
            "README.md lacks the current output:\n{text}"
        );
    }
}

#[test]
fn an_alias_that_ignores_target_health_under_a_routing_policy_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        let record = inv["record_sets"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["name"] == "shop.example.com.")
            .unwrap();
        record["alias_target"]["evaluate_target_health"] = json!(false);
        record["set_identifier"] = json!("primary");
    });
    let (code, verdict, reasons) = outcome(&path, "us-east-1b");
    assert_eq!((code, verdict.as_str()), (0, "survives"));
    assert_eq!(reasons, [reason("dns", "note", "shop.example.com. A")]);
}

/// A directory of snapshots (one per account, as `inventory --organization --output DIR`
/// writes) is one picture: each account's applications in a subgraph of their own, named
/// with the account, no key shared between accounts even where names are the same.
#[test]
fn a_graph_over_several_accounts_keeps_them_apart() {
    let dir = tempfile::tempdir().unwrap();
    let compliant = std::fs::read_to_string("examples/compliant.json").unwrap();
    std::fs::write(dir.path().join("a.json"), &compliant).unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        compliant.replace("123456789012", "210987654321"),
    )
    .unwrap();
    let output = hacheck()
        .args(["graph", "--inventory"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let graph = stdout(&output);
    let one = hacheck()
        .args(["graph", "--example", "compliant"])
        .output()
        .unwrap();
    let one = stdout(&one);
    for account in ["123456789012", "210987654321"] {
        assert!(
            graph.contains(&format!(" in account {account}\"]")),
            "{graph}"
        );
    }
    // Every node of the one account's picture is drawn twice, under two keys.
    let nodes = |text: &str| -> Vec<String> {
        text.lines()
            // The legend is the picture's, once.
            .filter(|l| {
                l.contains("[\"")
                    && !l.trim_start().starts_with("subgraph")
                    && !l.contains("legend_text")
            })
            .map(|l| l.trim().split(['[', '(']).next().unwrap().to_owned())
            .collect()
    };
    let (single, both) = (nodes(&one), nodes(&graph));
    assert!(!single.is_empty(), "{one}");
    assert_eq!(both.len(), 2 * single.len(), "{graph}");
    let distinct: std::collections::BTreeSet<&String> = both.iter().collect();
    assert_eq!(distinct.len(), both.len(), "{graph}");
    // DOT too: one digraph.
    let output = hacheck()
        .args(["graph", "--format", "dot", "--inventory"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).matches("digraph ").count(), 1);
}

/// The scene moto makes when it launches a group's instances in the VPC's default group:
/// `apps` finds no path, and so do `whatif`, HA018 and the picture (one truth).
#[test]
fn an_application_no_path_reaches_is_down_for_apps_whatif_the_rules_and_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let path = compliant_with(dir.path(), |inv| {
        for id in ["i-0app0a", "i-0app0b"] {
            find(inv, "instances", id)["security_group_ids"] = json!(["sg-0bastion"]);
        }
    });
    let inventory = path.to_str().unwrap();
    let apps = hacheck()
        .args(["apps", "--inventory", inventory])
        .output()
        .unwrap();
    assert!(
        stdout(&apps).contains("reached: by no path from the internet"),
        "{}",
        stdout(&apps)
    );
    let (code, verdict, reasons) = outcome(&path, "us-east-1b");
    assert_eq!((code, verdict.as_str()), (1, "down"));
    assert!(
        reasons.contains(&reason("load_balancer", "down", "shop-alb")),
        "{reasons:?}"
    );
    let scan = hacheck()
        .args([
            "scan",
            "--inventory",
            inventory,
            "--select",
            "HA018",
            "--format",
            "compact",
        ])
        .output()
        .unwrap();
    assert_exit(&scan, 1);
    assert!(
        stdout(&scan).contains("reached by no path from the internet even before a zone is lost"),
        "{}",
        stdout(&scan)
    );
    let graph = hacheck()
        .args(["graph", "--inventory", inventory])
        .output()
        .unwrap();
    assert!(stdout(&graph).contains("⚠ HA018"), "{}", stdout(&graph));
    // Put back, the path is there again for all of them.
    let (_, verdict, _) = outcome(&example("compliant.json"), "us-east-1b");
    assert_eq!(verdict, "survives");
}
