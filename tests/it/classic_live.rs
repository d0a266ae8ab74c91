//! Classic Load Balancers against moto: collected with their listeners, health check,
//! registered instances and cross-zone attribute; an internet-facing one is an entry point
//! whose group (attached by `LoadBalancerNames`) is judged like any application's.

use aws_sdk_elasticloadbalancing::types as elbt;

use crate::support::moto::Moto;
use crate::support::seed::{
    instance, private_launch_template, security_group, vpc_with_private_subnets,
};
use crate::support::{assert_exit, stdout};

/// A legacy application against moto: Classic Load Balancer `legacy-elb` (80 → 8080, both
/// zones, cross-zone off) in front of group `legacy-asg`, confined to one zone, whose
/// instances admit 8080 only from the load balancer's security group. `attached`: the group
/// attaches the load balancer by name (else nothing serves through it). Returns the load
/// balancer's security group.
async fn legacy_account(moto: &Moto, attached: bool) -> String {
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancing::Client::new(&config);
    let autoscaling = aws_sdk_autoscaling::Client::new(&config);

    let (vpc, subnets) = vpc_with_private_subnets(
        &ec2,
        "10.40.0.0/16",
        &[
            ("10.40.1.0/24", "us-east-1a"),
            ("10.40.2.0/24", "us-east-1b"),
        ],
    )
    .await;
    let lb_group = security_group(&ec2, &vpc, "legacy-elb", &[(80, "0.0.0.0/0")]).await;
    let app_group = security_group(&ec2, &vpc, "legacy-app", &[]).await;
    crate::support::seed::add_ingress(&ec2, &app_group, &[(8080, lb_group.as_str())]).await;
    // moto derives no zones from subnets: both are given (notes/moto-quirks.md).
    elb.create_load_balancer()
        .load_balancer_name("legacy-elb")
        .listeners(
            elbt::Listener::builder()
                .protocol("HTTP")
                .load_balancer_port(80)
                .instance_protocol("HTTP")
                .instance_port(8080)
                .build()
                .unwrap(),
        )
        .availability_zones("us-east-1a")
        .availability_zones("us-east-1b")
        .set_subnets(Some(subnets.clone()))
        .security_groups(&lb_group)
        .send()
        .await
        .unwrap();
    elb.configure_health_check()
        .load_balancer_name("legacy-elb")
        .health_check(
            elbt::HealthCheck::builder()
                .target("HTTP:8080/health")
                .interval(30)
                .timeout(5)
                .healthy_threshold(3)
                .unhealthy_threshold(2)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    private_launch_template(&ec2, "legacy-lt", "IyEvYmluL3NoCg==", &app_group).await;
    // Confined to one zone: the fault this account has. moto would launch the group's
    // instances into the VPC's default security group (notes/moto-quirks.md): the group
    // starts empty and takes two instances run from the template's settings.
    autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("legacy-asg")
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_name("legacy-lt")
                .version("$Latest")
                .build(),
        )
        .min_size(0)
        .max_size(4)
        .desired_capacity(0)
        .vpc_zone_identifier(&subnets[0])
        .set_load_balancer_names(attached.then(|| vec!["legacy-elb".to_owned()]))
        .health_check_type("ELB")
        .health_check_grace_period(300)
        .send()
        .await
        .unwrap();

    let mut instances = Vec::new();
    for name in ["legacy-app-1", "legacy-app-2"] {
        instances.push(instance(&ec2, "ami-12c6146b", &subnets[0], &app_group, false, name).await);
    }
    autoscaling
        .attach_instances()
        .auto_scaling_group_name("legacy-asg")
        .set_instance_ids(Some(instances))
        .send()
        .await
        .unwrap();
    autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name("legacy-asg")
        .min_size(2)
        .desired_capacity(2)
        .send()
        .await
        .unwrap();
    lb_group
}

/// `hacheck fix --apply --yes` with `options`: every step applied or already done.
fn apply_fixes(moto: &Moto, options: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let output = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--journal"])
        .arg(dir.path().join("journal"))
        .args(options)
        .output()
        .unwrap();
    let err = assert_exit(&output, 0);
    assert!(err.contains(" 0 refused or failed"), "{err}");
}

#[tokio::test]
async fn a_one_zone_group_behind_a_classic_load_balancer_is_judged_reached_and_fixed() {
    let moto = Moto::start();
    let lb_group = legacy_account(&moto, true).await;
    // Collected whole.
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.json");
    let output = moto
        .hacheck()
        .args(["inventory", "--output"])
        .arg(&snapshot)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let inventory: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let lb = &inventory["classic_load_balancers"][0];
    assert_eq!(lb["name"], "legacy-elb", "{}", inventory["warnings"]);
    assert_eq!(lb["scheme"], "internet-facing");
    assert_eq!(lb["cross_zone"], false);
    assert_eq!(lb["security_group_ids"], serde_json::json!([lb_group]));
    assert_eq!(
        lb["listeners"],
        serde_json::json!([{ "protocol": "HTTP", "port": 80, "instance_protocol": "HTTP", "instance_port": 8080 }])
    );
    assert_eq!(lb["health_check"]["target"], "HTTP:8080/health");
    assert_eq!(
        inventory["auto_scaling_groups"][0]["load_balancer_names"],
        serde_json::json!(["legacy-elb"])
    );

    // The group is the application's, reached through the load balancer.
    let output = moto
        .hacheck()
        .args(["apps", "--format", "json"])
        .output()
        .unwrap();
    let apps: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let members = apps["applications"][0]["members"].as_array().unwrap();
    let role_of = |id: &str| {
        members
            .iter()
            .find(|m| m["id"] == id)
            .map(|m| m["role"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        role_of("legacy-elb").as_deref(),
        Some("classic_load_balancer"),
        "{apps:#}"
    );
    assert_eq!(
        role_of("legacy-asg").as_deref(),
        Some("auto_scaling_group"),
        "{apps:#}"
    );
    let paths: Vec<&str> = apps["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["entry"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"Classic Load Balancer legacy-elb :80/tcp"),
        "{apps:#}"
    );

    // Judged: the group in one zone (HA003), the load balancer without cross-zone
    // balancing (HA019); its security group admits only the load balancer's (HA009 passes),
    // and the group is served by it (HA006 passes).
    let failing = moto.failing_findings();
    assert!(
        failing.contains(&"HA003 legacy-asg".to_owned()),
        "{failing:#?}"
    );
    assert!(
        failing.contains(&"HA019 legacy-elb".to_owned()),
        "{failing:#?}"
    );
    assert!(
        !failing
            .iter()
            .any(|f| f.starts_with("HA009 ") || f.starts_with("HA006 ")),
        "{failing:#?}"
    );

    // Fixed: the group moves into both zones (unsafe: its instances are replaced), and users
    // keep their way in through the load balancer.
    apply_fixes(&moto, &["--unsafe", "--select", "HA003"]);
    let failing = moto.failing_findings();
    assert!(
        !failing.iter().any(|f| f.starts_with("HA003 ")),
        "{failing:#?}"
    );
    let output = moto
        .hacheck()
        .args(["apps", "--format", "json"])
        .output()
        .unwrap();
    let apps: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(
        apps["paths"].as_array().unwrap().iter().any(|p| p["entry"]
            == "Classic Load Balancer legacy-elb :80/tcp"
            && p["through"][0]
                .as_str()
                .unwrap()
                .starts_with("Auto Scaling group legacy-asg")),
        "{apps:#}"
    );
}

/// HA019's fix, applied: cross-zone balancing on, the group attached; a second plan has
/// nothing left for it.
#[tokio::test]
async fn fixing_a_classic_load_balancer_turns_cross_zone_on_and_attaches_the_group() {
    let moto = Moto::start();
    legacy_account(&moto, false).await;
    let failing = moto.failing_findings();
    assert!(
        failing.contains(&"HA019 legacy-elb".to_owned()),
        "{failing:#?}"
    );
    apply_fixes(&moto, &["--select", "HA019"]);

    let config = moto.sdk_config().await;
    let attributes = aws_sdk_elasticloadbalancing::Client::new(&config)
        .describe_load_balancer_attributes()
        .load_balancer_name("legacy-elb")
        .send()
        .await
        .unwrap();
    assert!(
        attributes
            .load_balancer_attributes()
            .and_then(|a| a.cross_zone_load_balancing())
            .is_some_and(|c| c.enabled())
    );
    let groups = aws_sdk_autoscaling::Client::new(&config)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names("legacy-asg")
        .send()
        .await
        .unwrap();
    assert_eq!(
        groups.auto_scaling_groups()[0].load_balancer_names(),
        ["legacy-elb".to_owned()]
    );
    let failing = moto.failing_findings();
    assert!(
        !failing.iter().any(|f| f.starts_with("HA019 ")),
        "{failing:#?}"
    );
    let again = moto
        .hacheck()
        .args(["fix", "--select", "HA019"])
        .output()
        .unwrap();
    assert!(stdout(&again).contains("No changes"), "{}", stdout(&again));
}

/// A load balancer a CloudFormation stack made (its tags, read with DescribeTags) is the
/// stack's: turning cross-zone balancing on is an instruction naming the stack and the
/// property, not a change made here; `--override-iac` changes it anyway.
#[tokio::test]
async fn a_load_balancer_a_stack_owns_is_changed_through_the_stack() {
    let moto = Moto::start();
    legacy_account(&moto, true).await;
    let config = moto.sdk_config().await;
    // moto accepts the `aws:` tags CloudFormation would set (notes/moto-quirks.md).
    aws_sdk_elasticloadbalancing::Client::new(&config)
        .add_tags()
        .load_balancer_names("legacy-elb")
        .tags(
            elbt::Tag::builder()
                .key("aws:cloudformation:stack-name")
                .value("legacy")
                .build()
                .unwrap(),
        )
        .tags(
            elbt::Tag::builder()
                .key("aws:cloudformation:logical-id")
                .value("Elb")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let plan = |extra: &[&str]| -> serde_json::Value {
        let output = moto
            .hacheck()
            .args(["fix", "--select", "HA019", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    let handed = plan(&[]);
    let step = handed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["fixes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "HA019 legacy-elb")
        })
        .unwrap()
        .clone();
    assert_eq!(step["safety"], "manual", "{step:#}");
    assert!(
        step["action"]["instruction"].as_str().unwrap().starts_with(
            "owned by CloudFormation stack `legacy` (logical id `Elb`): set `CrossZone: true`"
        ),
        "{step:#}"
    );
    let overridden = plan(&["--override-iac"]);
    assert!(
        overridden["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "cross-zone:legacy-elb" && s["safety"] != "manual"),
        "{overridden:#}"
    );
}
