//! Precision on an account that looks like a real one, against moto: one highly available
//! web application (the seed document's architecture) beside what real accounts also run —
//! EKS nodes, a queue worker, a bastion kept alive by a one-instance Auto Scaling group, a CI
//! runner, a NAT instance, a VPN appliance, an internal service scaled by target tracking —
//! and the application's one real problem: an Aurora cluster with a single instance.

use std::collections::BTreeSet;

use aws_sdk_autoscaling::types as ast;
use aws_sdk_ec2::types as ec2t;
use aws_sdk_elasticloadbalancingv2::types as elbt;

use crate::support::moto::{IGNORE_PLACEMENT, Moto};
use crate::support::seed::{add_ingress, security_group};
use crate::support::{assert_exit, stdout};

const AMI: &str = "ami-12c6146b";
const USER_DATA: &str = "IyEvYmluL3NoCi9ob21lL3VidW50dS9pbnN0YW5jZS1pbml0L3N0YXJ0LnNo";

struct Network {
    vpc: String,
    public: Vec<String>,
    private: Vec<String>,
}

/// The default VPC's subnets are public; two private subnets (own route table, no route
/// to the internet gateway) are added for the application.
async fn network(ec2: &aws_sdk_ec2::Client) -> Network {
    let mut subnets = ec2
        .describe_subnets()
        .send()
        .await
        .unwrap()
        .subnets()
        .to_vec();
    subnets.sort_by(|a, b| a.availability_zone().cmp(&b.availability_zone()));
    let vpc = subnets[0].vpc_id().unwrap().to_owned();
    let public: Vec<String> = subnets[..2]
        .iter()
        .map(|s| s.subnet_id().unwrap().to_owned())
        .collect();
    let table = ec2
        .create_route_table()
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap()
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_owned();
    let mut private = Vec::new();
    for (cidr, zone) in [
        ("172.31.96.0/20", "us-east-1a"),
        ("172.31.112.0/20", "us-east-1b"),
    ] {
        let id = crate::support::seed::subnet(ec2, &vpc, cidr, zone).await;
        ec2.associate_route_table()
            .route_table_id(&table)
            .subnet_id(&id)
            .send()
            .await
            .unwrap();
        private.push(id);
    }
    Network {
        vpc,
        public,
        private,
    }
}

async fn launch_template(ec2: &aws_sdk_ec2::Client, name: &str, group: &str) -> String {
    ec2.create_launch_template()
        .launch_template_name(name)
        .launch_template_data(
            ec2t::RequestLaunchTemplateData::builder()
                .image_id(AMI)
                .instance_type(ec2t::InstanceType::T3Small)
                .user_data(USER_DATA)
                .security_group_ids(group)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .launch_template()
        .unwrap()
        .launch_template_id()
        .unwrap()
        .to_owned()
}

/// An Auto Scaling group from `template` with `tags` (propagated to its instances).
#[allow(clippy::too_many_arguments)]
async fn group(
    autoscaling: &aws_sdk_autoscaling::Client,
    name: &str,
    template: &str,
    subnets: &[String],
    min: i32,
    target_group: Option<&str>,
    tags: &[(&str, &str)],
) {
    let mut request = autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .launch_template(
            ast::LaunchTemplateSpecification::builder()
                .launch_template_id(template)
                .version("$Latest")
                .build(),
        )
        .min_size(min)
        .max_size(min + 2)
        .desired_capacity(min)
        .vpc_zone_identifier(subnets.join(","));
    if let Some(arn) = target_group {
        request = request
            .target_group_arns(arn)
            .health_check_type("ELB")
            .health_check_grace_period(300);
    }
    for (key, value) in tags {
        request = request.tags(
            ast::Tag::builder()
                .key(*key)
                .value(*value)
                .propagate_at_launch(true)
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .build(),
        );
    }
    request.send().await.unwrap();
}

/// A load balancer with a target group and an HTTP listener forwarding to it.
async fn load_balancer(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    name: &str,
    scheme: elbt::LoadBalancerSchemeEnum,
    subnets: &[String],
    group: &str,
    vpc: &str,
) -> (String, String) {
    let lb = elb
        .create_load_balancer()
        .name(name)
        .scheme(scheme)
        .set_subnets(Some(subnets.to_vec()))
        .security_groups(group)
        .send()
        .await
        .unwrap();
    let lb = &lb.load_balancers()[0];
    crate::support::moto::protect_from_deletion(elb, lb.load_balancer_arn().unwrap()).await;
    let target_group = elb
        .create_target_group()
        .name(format!("{name}-tg"))
        .protocol(elbt::ProtocolEnum::Http)
        .port(8080)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap()
        .target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned();
    elb.create_listener()
        .load_balancer_arn(lb.load_balancer_arn().unwrap())
        .port(80)
        .protocol(elbt::ProtocolEnum::Http)
        .default_actions(
            elbt::Action::builder()
                .r#type(elbt::ActionTypeEnum::Forward)
                .target_group_arn(&target_group)
                .build(),
        )
        .send()
        .await
        .unwrap();
    (lb.dns_name().unwrap().to_owned(), target_group)
}

/// A lone instance; `public` gives it a public IP; `appliance` turns off the
/// source/destination check, as NAT and VPN appliances do.
async fn instance(
    ec2: &aws_sdk_ec2::Client,
    subnet: &str,
    group: &str,
    public: bool,
    appliance: bool,
    name: &str,
) -> String {
    let id = crate::support::seed::instance(ec2, AMI, subnet, group, public, name).await;
    if appliance {
        ec2.modify_instance_attribute()
            .instance_id(&id)
            .source_dest_check(ec2t::AttributeBooleanValue::builder().value(false).build())
            .send()
            .await
            .unwrap();
    }
    id
}

/// Scale-out and scale-in policies with their 75 % / 10 % CPU alarms notifying `topic`.
async fn cpu_alarms(
    autoscaling: &aws_sdk_autoscaling::Client,
    cloudwatch: &aws_sdk_cloudwatch::Client,
    group: &str,
    topic: &str,
) {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    for (direction, adjustment, threshold, operator) in [
        ("out", 1, 75.0, ComparisonOperator::GreaterThanThreshold),
        ("in", -1, 10.0, ComparisonOperator::LessThanThreshold),
    ] {
        let name = format!("{group}-scale-{direction}");
        autoscaling
            .put_scaling_policy()
            .auto_scaling_group_name(group)
            .policy_name(&name)
            .policy_type("SimpleScaling")
            .adjustment_type("ChangeInCapacity")
            .scaling_adjustment(adjustment)
            .send()
            .await
            .unwrap();
        // moto answers PutScalingPolicy without the ARN: read it back.
        let arn = autoscaling
            .describe_policies()
            .auto_scaling_group_name(group)
            .policy_names(&name)
            .send()
            .await
            .unwrap()
            .scaling_policies()[0]
            .policy_arn()
            .unwrap()
            .to_owned();
        cloudwatch
            .put_metric_alarm()
            .alarm_name(format!("{group}-cpu-{direction}"))
            .namespace("AWS/EC2")
            .metric_name("CPUUtilization")
            .statistic(Statistic::Average)
            .period(300)
            .evaluation_periods(2)
            .threshold(threshold)
            .comparison_operator(operator)
            .dimensions(
                Dimension::builder()
                    .name("AutoScalingGroupName")
                    .value(group)
                    .build(),
            )
            .alarm_actions(&arn)
            .alarm_actions(topic)
            .send()
            .await
            .unwrap();
    }
}

async fn alias(route53: &aws_sdk_route53::Client, name: &str, lb_dns: &str) {
    let zone = route53
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("scope-live")
        .send()
        .await
        .unwrap();
    crate::support::seed::alias_record(route53, zone.hosted_zone().unwrap().id(), name, lb_dns)
        .await;
}

/// Seeds the whole account; returns the ids the assertions name.
pub(crate) async fn seed_real_account(moto: &Moto) -> BTreeSet<String> {
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let autoscaling = aws_sdk_autoscaling::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    let net = network(&ec2).await;
    let vpc = net.vpc.as_str();
    let mut ids = BTreeSet::new();

    // The web application, as the seed document builds it.
    let lb_group = security_group(
        &ec2,
        vpc,
        "web-lb",
        &[(80, "0.0.0.0/0"), (443, "0.0.0.0/0")],
    )
    .await;
    let bastion_group = security_group(&ec2, vpc, "bastion", &[(22, "203.0.113.0/24")]).await;
    let app_group = security_group(
        &ec2,
        vpc,
        "web-app",
        &[(8080, &lb_group), (22, &bastion_group)],
    )
    .await;
    let db_group = security_group(&ec2, vpc, "orders-db", &[(3306, &app_group)]).await;
    let (web_dns, web_tg) = load_balancer(
        &elb,
        "web",
        elbt::LoadBalancerSchemeEnum::InternetFacing,
        &net.public,
        &lb_group,
        vpc,
    )
    .await;
    let web_template = launch_template(&ec2, "web", &app_group).await;
    group(
        &autoscaling,
        "web-asg",
        &web_template,
        &net.private,
        2,
        Some(&web_tg),
        &[],
    )
    .await;
    let sns = aws_sdk_sns::Client::new(&config);
    let topic = sns.create_topic().name("web-alerts").send().await.unwrap();
    let topic = topic.topic_arn().unwrap().to_owned();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("email")
        .endpoint("oncall@example.com")
        .send()
        .await
        .unwrap();
    cpu_alarms(&autoscaling, &cloudwatch, "web-asg", &topic).await;
    alias(
        &aws_sdk_route53::Client::new(&config),
        "shop.example.com",
        &web_dns,
    )
    .await;

    // The bastion, kept alive by a one-instance group in one public subnet.
    let bastion_template = launch_template(&ec2, "bastion", &bastion_group).await;
    group(
        &autoscaling,
        "bastion-asg",
        &bastion_template,
        &net.public[..1],
        1,
        None,
        &[("hacheck:role", "bastion")],
    )
    .await;

    // The application's database: Aurora with a single instance.
    let rds = aws_sdk_rds::Client::new(&config);
    rds.create_db_subnet_group()
        .db_subnet_group_name("orders")
        .db_subnet_group_description("orders")
        .set_subnet_ids(Some(net.private.clone()))
        .send()
        .await
        .unwrap();
    rds.create_db_cluster()
        .deletion_protection(true)
        .db_cluster_identifier("orders")
        .engine("aurora-mysql")
        .master_username("admin")
        .master_user_password("correct-horse-battery")
        .db_subnet_group_name("orders")
        .vpc_security_group_ids(&db_group)
        .send()
        .await
        .unwrap();
    rds.create_db_instance()
        .db_instance_identifier("orders-1")
        .db_cluster_identifier("orders")
        .engine("aurora-mysql")
        .db_instance_class("db.r6g.large")
        .availability_zone("us-east-1a")
        .db_subnet_group_name("orders")
        .publicly_accessible(false)
        .send()
        .await
        .unwrap();
    // Its failovers and failures reach the on-call topic (moto leaves a subscription
    // disabled unless told).
    rds.create_event_subscription()
        .subscription_name("clusters")
        .sns_topic_arn(&topic)
        .source_type("db-cluster")
        .enabled(true)
        .send()
        .await
        .unwrap();

    // What else the account runs.
    let nodes_group = security_group(&ec2, vpc, "eks-nodes", &[]).await;
    let nodes_template = launch_template(&ec2, "eks-nodes", &nodes_group).await;
    group(
        &autoscaling,
        "eks-prod-nodes",
        &nodes_template,
        &net.private[..1],
        1,
        None,
        &[
            ("eks:cluster-name", "prod"),
            ("kubernetes.io/cluster/prod", "owned"),
        ],
    )
    .await;
    let worker_group = security_group(&ec2, vpc, "worker", &[]).await;
    let worker_template = launch_template(&ec2, "worker", &worker_group).await;
    group(
        &autoscaling,
        "queue-worker",
        &worker_template,
        &net.private[..1],
        1,
        None,
        &[],
    )
    .await;
    let ci_group = security_group(&ec2, vpc, "ci", &[]).await;
    ids.insert(instance(&ec2, &net.private[0], &ci_group, false, false, "ci-runner").await);
    let nat_group = security_group(
        &ec2,
        vpc,
        "nat",
        &[(80, "172.31.0.0/16"), (443, "172.31.0.0/16")],
    )
    .await;
    ids.insert(instance(&ec2, &net.public[0], &nat_group, true, true, "nat-instance").await);
    let vpn_group = security_group(
        &ec2,
        vpc,
        "openvpn",
        &[(443, "0.0.0.0/0"), (943, "0.0.0.0/0")],
    )
    .await;
    ids.insert(instance(&ec2, &net.public[1], &vpn_group, true, true, "openvpn").await);

    // An internal service behind an internal load balancer, scaled by target tracking.
    let internal_lb_group = security_group(&ec2, vpc, "api-lb", &[(80, "172.31.0.0/16")]).await;
    let api_group = security_group(&ec2, vpc, "api", &[]).await;
    add_ingress(&ec2, &api_group, &[(8080, &internal_lb_group)]).await;
    let (_, api_tg) = load_balancer(
        &elb,
        "api",
        elbt::LoadBalancerSchemeEnum::Internal,
        &net.private,
        &internal_lb_group,
        vpc,
    )
    .await;
    let api_template = launch_template(&ec2, "api", &api_group).await;
    group(
        &autoscaling,
        "api-asg",
        &api_template,
        &net.private,
        2,
        Some(&api_tg),
        &[],
    )
    .await;
    autoscaling
        .put_scaling_policy()
        .auto_scaling_group_name("api-asg")
        .policy_name("api-cpu-50")
        .policy_type("TargetTrackingScaling")
        .target_tracking_configuration(
            ast::TargetTrackingConfiguration::builder()
                .predefined_metric_specification(
                    ast::PredefinedMetricSpecification::builder()
                        .predefined_metric_type(ast::MetricType::AsgAverageCpuUtilization)
                        .build(),
                )
                .target_value(50.0)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // The on-call topic hears of the load balancers' unhealthy targets.
    crate::support::seed::alarm_on_unhealthy_targets(&config, &topic).await;
    ids
}

fn scan_json(moto: &Moto, extra: &[&str]) -> (i32, serde_json::Value) {
    let output = moto
        .hacheck()
        .args(["scan", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    assert!(
        code != 2,
        "scan failed: {}",
        crate::support::stderr(&output)
    );
    (code, serde_json::from_str(&stdout(&output)).unwrap())
}

fn failing(report: &serde_json::Value) -> BTreeSet<String> {
    crate::support::moto::failing_results(report)
        .into_iter()
        .collect()
}

#[tokio::test]
async fn a_real_account_fails_only_on_the_applications_single_zone_aurora_cluster() {
    let moto = Moto::start();
    let lone_instances = seed_real_account(&moto).await;

    let (code, report) = scan_json(&moto, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        failing(&report),
        BTreeSet::from(["HA012 orders".to_owned()]),
        "{}",
        serde_json::to_string_pretty(&report["results"]).unwrap()
    );
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "fail")
        .unwrap();
    assert_eq!(result["application"], "web");
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("instances only in us-east-1a"),
        "{result}"
    );

    // One application, found from its load balancer; everything else listed with a reason.
    let apps: Vec<&str> = report["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(apps, ["web"]);
    let reasons: std::collections::BTreeMap<String, String> = report["out_of_scope"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        reasons["eks-prod-nodes"].contains("managed by EKS"),
        "{reasons:?}"
    );
    assert!(
        reasons["queue-worker"].contains("serves no application"),
        "{reasons:?}"
    );
    assert!(
        reasons["api-asg"].contains("serves no application"),
        "{reasons:?}"
    );
    assert!(
        reasons["api"].contains("internal load balancer"),
        "{reasons:?}"
    );
    for id in &lone_instances {
        assert!(reasons.contains_key(id), "{id} missing from {reasons:?}");
    }
    let appliances = reasons
        .values()
        .filter(|r| r.contains("source/destination check is off"))
        .count();
    assert_eq!(appliances, 2, "{reasons:?}");
    assert!(
        !reasons.contains_key("bastion-asg"),
        "the bastion group belongs to the app"
    );
    assert_eq!(
        report["summary"]["out_of_scope"].as_u64().unwrap() as usize,
        reasons.len()
    );

    // `--scope account` judges everything, as before the application model.
    let (code, everything) = scan_json(&moto, &["--scope", "account"]);
    assert_eq!(code, 1);
    let account_failures = failing(&everything);
    for expected in [
        "HA004 queue-worker",
        "HA004 eks-prod-nodes",
        "HA006 queue-worker",
        "HA014 queue-worker",
    ] {
        assert!(
            account_failures.contains(expected),
            "{expected} not in {account_failures:?}"
        );
    }
    assert!(everything["out_of_scope"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn fix_plans_only_the_application_and_adds_a_reader_in_another_zone() {
    let moto = Moto::start();
    seed_real_account(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.json");
    let plan = moto.hacheck().args(["fix"]).output().unwrap();
    assert_exit(&plan, 1);
    let text = stdout(&plan);
    assert!(
        text.contains("+ orders (db cluster: reader in another zone)")
            && text.contains("orders-reader-b (db.r6g.large) in us-east-1b")
            && text.contains("Plan: 1 to add, 0 to change, 0 to remove"),
        "only the application's finding is planned:\n{text}"
    );

    let applied = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--journal"])
        .arg(&journal)
        .output()
        .unwrap();
    assert_exit(&applied, 0);
    assert!(
        moto.failing_findings().is_empty(),
        "{:?}",
        moto.failing_findings()
    );
    let again = moto
        .hacheck()
        .arg("fix")
        .args(IGNORE_PLACEMENT)
        .output()
        .unwrap();
    assert_exit(&again, 0);
    assert_eq!(stdout(&again), "No changes: nothing to fix.\n");

    let rds = aws_sdk_rds::Client::new(&moto.sdk_config().await);
    let instances = rds.describe_db_instances().send().await.unwrap();
    let zones: BTreeSet<(String, String)> = instances
        .db_instances()
        .iter()
        .map(|db| {
            (
                db.db_instance_identifier().unwrap().to_owned(),
                db.availability_zone().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        zones.contains(&("orders-1".into(), "us-east-1a".into())),
        "{zones:?}"
    );
    assert!(
        zones.contains(&("orders-reader-b".into(), "us-east-1b".into())),
        "{zones:?}"
    );
}

#[tokio::test]
async fn explicit_scoping_wins_over_discovery() {
    let moto = Moto::start();
    seed_real_account(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hacheck.toml");
    // The queue worker is declared an application; the Aurora cluster is excluded from
    // the discovered one (say it is judged elsewhere).
    std::fs::write(
        &config,
        r#"
[[apps]]
name = "jobs"
include = [{ id = "queue-*" }]

[[apps]]
name = "web"
exclude = [{ id = "orders*" }]
"#,
    )
    .unwrap();
    let (code, report) = scan_json(&moto, &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 1);
    let failures = failing(&report);
    assert!(!failures.contains("HA012 orders"), "{failures:?}");
    assert!(failures.contains("HA004 queue-worker"), "{failures:?}");
    assert!(failures.contains("HA006 queue-worker"), "{failures:?}");
    assert!(
        failures.iter().all(|f| f.ends_with("queue-worker")),
        "{failures:?}"
    );
    let apps: BTreeSet<&str> = report["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(apps, BTreeSet::from(["jobs", "web"]));

    // `hacheck apps` shows the same model with the reasons.
    let output = moto
        .hacheck()
        .args(["apps", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(text.contains("application jobs (config"), "{text}");
    assert!(text.contains("included by `[[apps]]` `jobs`"), "{text}");
    assert!(text.contains("excluded from application `web`"), "{text}");
}
