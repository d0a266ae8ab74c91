//! `hacheck fix` against moto: an account with one violation per automatically fixable
//! rule is fixed by one apply, a second plan is empty, drift is refused, an interrupted
//! apply converges without duplicates, and no data is ever deleted.

use std::path::Path;

use aws_sdk_ec2::types as ec2t;
use hacheck::execute::{Executor, Journal, Outcome};
use hacheck::plan::Plan;

use crate::support::moto::{IGNORE_PLACEMENT, Moto};
use crate::support::seed::{
    interface_group, private_launch_template, route_to_new_internet_gateway, running_bastions,
    security_group, ssh_peers, subnet, vpc_with_private_subnets,
};
use crate::support::{assert_exit, stdout};

struct Account {
    vpc: String,
    subnets: Vec<String>,
    app_group: String,
    db_group: String,
}

/// Breaks HA003, 004, 005, 006, 009, 010, 012, 013, 014, 015 and 017; everything the
/// manual rules look at is compliant.
async fn seed_fixable_account(moto: &Moto) -> Account {
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let (vpc, subnets) = vpc_with_private_subnets(
        &ec2,
        "10.20.0.0/16",
        &[
            ("10.20.1.0/24", "us-east-1a"),
            ("10.20.2.0/24", "us-east-1b"),
        ],
    )
    .await;
    let lb_group = security_group(&ec2, &vpc, "lb", &[(80, "0.0.0.0/0")]).await;
    let bastion_group = security_group(&ec2, &vpc, "bastion", &[(22, "203.0.113.0/24")]).await;
    let app_group = security_group(
        &ec2,
        &vpc,
        "app",
        &[
            (8080, lb_group.as_str()),
            (8080, "0.0.0.0/0"),
            (22, "0.0.0.0/0"),
        ],
    )
    .await;
    let db_group = security_group(&ec2, &vpc, "db", &[(5432, "0.0.0.0/0")]).await;

    ec2.run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .subnet_id(&subnets[0])
        .security_group_ids(&bastion_group)
        .tag_specifications(
            ec2t::TagSpecification::builder()
                .resource_type(ec2t::ResourceType::Instance)
                .tags(
                    ec2t::Tag::builder()
                        .key("hacheck:role")
                        .value("bastion")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    private_launch_template(
        &ec2,
        "app",
        "IyEvYmluL3NoCi9ob21lL3VidW50dS9pbnN0YW5jZS1pbml0L3N0YXJ0LnNo",
        &app_group,
    )
    .await;

    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, LoadBalancerSchemeEnum, ProtocolEnum,
    };
    let lb = elb
        .create_load_balancer()
        .name("front")
        .scheme(LoadBalancerSchemeEnum::InternetFacing)
        .subnets(&subnets[0])
        .subnets(&subnets[1])
        .security_groups(&lb_group)
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    let target_group = elb
        .create_target_group()
        .name("app")
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(&vpc)
        .health_check_path("/health")
        .send()
        .await
        .unwrap()
        .target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned();
    // The target group turns cross-zone balancing off (HA021)…
    elb.modify_target_group_attributes()
        .target_group_arn(&target_group)
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::TargetGroupAttribute::builder()
                .key("load_balancing.cross_zone.enabled")
                .value("false")
                .build(),
        )
        // …and cuts the requests of a leaving instance (HA024).
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::TargetGroupAttribute::builder()
                .key("deregistration_delay.timeout_seconds")
                .value("0")
                .build(),
        )
        .send()
        .await
        .unwrap();
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .port(80)
        .protocol(ProtocolEnum::Http)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&target_group)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let autoscaling = aws_sdk_autoscaling::Client::new(&config);
    autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("app")
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_name("app")
                .version("$Latest")
                .build(),
        )
        .min_size(1)
        .max_size(4)
        .desired_capacity(1)
        .vpc_zone_identifier(&subnets[0])
        .target_group_arns(&target_group)
        .send()
        .await
        .unwrap();
    // An alarm on the group left with its actions off after maintenance (HA025).
    aws_sdk_cloudwatch::Client::new(&config)
        .put_metric_alarm()
        .alarm_name("app-status-failed")
        .namespace("AWS/EC2")
        .metric_name("StatusCheckFailed")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Maximum)
        .period(60)
        .evaluation_periods(2)
        .threshold(1.0)
        .comparison_operator(
            aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanOrEqualToThreshold,
        )
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder()
                .name("AutoScalingGroupName")
                .value("app")
                .build(),
        )
        .actions_enabled(false)
        .alarm_actions("arn:aws:sns:us-east-1:123456789012:hacheck-alerts")
        .send()
        .await
        .unwrap();
    autoscaling
        .create_launch_configuration()
        .launch_configuration_name("legacy")
        .image_id("ami-12c6146b")
        .instance_type("t3.micro")
        .security_groups(&app_group)
        .user_data("IyEvYmluL3No")
        .send()
        .await
        .unwrap();
    autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("legacy")
        .launch_configuration_name("legacy")
        .min_size(2)
        .max_size(4)
        .desired_capacity(2)
        .vpc_zone_identifier(format!("{},{}", subnets[0], subnets[1]))
        .send()
        .await
        .unwrap();

    let rds = aws_sdk_rds::Client::new(&config);
    rds.create_db_subnet_group()
        .db_subnet_group_name("db")
        .db_subnet_group_description("db")
        .set_subnet_ids(Some(subnets.clone()))
        .send()
        .await
        .unwrap();
    rds.create_db_instance()
        .db_instance_identifier("orders")
        .engine("postgres")
        .db_instance_class("db.t3.micro")
        .allocated_storage(20)
        .master_username("admin")
        .master_user_password("correct-horse-battery")
        .db_subnet_group_name("db")
        .vpc_security_group_ids(&db_group)
        .publicly_accessible(true)
        .backup_retention_period(0)
        .send()
        .await
        .unwrap();

    aws_sdk_route53::Client::new(&config)
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("fix-live")
        .send()
        .await
        .unwrap();
    Account {
        vpc,
        subnets,
        app_group,
        db_group,
    }
}

fn config_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("hacheck.toml");
    std::fs::write(&path, "[fix]\nalarm_email = \"oncall@example.com\"\nadmin_cidrs = [\"203.0.113.0/24\"]\nalias_record = \"www.example.com\"\n").unwrap();
    path
}

/// The fix plan of moto's account, saved with `fix --out` in `dir`: (its path, the plan).
fn saved_plan(moto: &Moto, dir: &Path) -> (std::path::PathBuf, Plan) {
    let config = config_file(dir);
    let plan_path = dir.join("plan.json");
    let output = moto
        .hacheck()
        .args(["fix", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&plan_path)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let plan = Plan::read(&plan_path).unwrap();
    (plan_path, plan)
}

#[tokio::test]
async fn one_apply_fixes_every_fixable_rule_and_a_second_plan_is_empty() {
    let moto = Moto::start();
    let account = seed_fixable_account(&moto).await;
    let before = moto.failing_findings();
    let rules: Vec<&str> = before.iter().map(|r| &r[..5]).collect();
    for rule in [
        "HA003", "HA004", "HA005", "HA006", "HA009", "HA010", "HA012", "HA013", "HA014", "HA015",
        "HA017", "HA020", "HA021", "HA022", "HA023", "HA024", "HA025",
    ] {
        assert!(
            rules.contains(&rule),
            "{rule} should fail before the fix: {before:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let journal = dir.path().join("journal.json");

    let output = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--unsafe", "--config"])
        .arg(&config)
        .arg("--journal")
        .arg(&journal)
        .output()
        .unwrap();
    let err = assert_exit(&output, 0);
    assert!(
        err.contains("refused or failed") && err.contains(" 0 refused or failed"),
        "{err}"
    );

    assert_eq!(
        moto.failing_findings(),
        Vec::<String>::new(),
        "every finding is fixed"
    );
    let again = moto
        .hacheck()
        .args(["fix", "--config"])
        .arg(&config)
        .args(IGNORE_PLACEMENT)
        .output()
        .unwrap();
    assert_exit(&again, 0);
    assert_eq!(stdout(&again), "No changes: nothing to fix.\n");

    // Nothing was deleted: the database is still there, now Multi-AZ, private and backed
    // up for a week.
    let config = moto.sdk_config().await;
    let db = aws_sdk_rds::Client::new(&config)
        .describe_db_instances()
        .db_instance_identifier("orders")
        .send()
        .await
        .unwrap();
    let db = &db.db_instances()[0];
    assert_eq!(
        (
            db.multi_az(),
            db.publicly_accessible(),
            db.backup_retention_period()
        ),
        (Some(true), Some(false), Some(7))
    );
    let groups = aws_sdk_ec2::Client::new(&config)
        .describe_security_groups()
        .group_ids(&account.db_group)
        .send()
        .await
        .unwrap();
    let rules = groups.security_groups()[0].ip_permissions();
    assert!(
        rules
            .iter()
            .all(|r| r.ip_ranges().is_empty() && r.ipv6_ranges().is_empty()),
        "no address ranges left: {rules:?}"
    );
    // moto launches the template's instances in the VPC's default group (a quirk), which
    // therefore counts as an app group too; the template's own group must be there.
    let sources: Vec<&str> = rules
        .iter()
        .flat_map(|r| r.user_id_group_pairs())
        .filter_map(|p| p.group_id())
        .collect();
    assert!(sources.contains(&account.app_group.as_str()), "{sources:?}");
}

#[tokio::test]
async fn a_step_whose_target_drifted_is_refused() {
    let moto = Moto::start();
    seed_fixable_account(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let plan = dir.path().join("plan.json");
    let output = moto
        .hacheck()
        .args(["fix", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&plan)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    // Someone changes the group between plan and apply.
    aws_sdk_autoscaling::Client::new(&moto.sdk_config().await)
        .update_auto_scaling_group()
        .auto_scaling_group_name("app")
        .max_size(7)
        .send()
        .await
        .unwrap();
    let output = moto
        .hacheck()
        .args(["apply", "--yes", "--unsafe"])
        .arg(&plan)
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.contains("~ app (auto scaling group: capacity): refused, drifted: `app` now has min 1 and max 7; the plan expected min 1 and max 4"),
        "{err}"
    );
    assert!(
        err.contains("+ app-cpu-high (cloudwatch alarm): applied"),
        "the other steps went on: {err}"
    );
}

#[tokio::test]
async fn an_interrupted_apply_resumes_and_creates_nothing_twice() {
    let moto = Moto::start();
    seed_fixable_account(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let (plan_path, plan) = saved_plan(&moto, dir.path());

    // First attempt: CloudWatch fails every call, as if the connection died mid-apply.
    let sdk = moto.sdk_config().await;
    let mut clients = moto.region_clients().await;
    let broken = aws_smithy_mocks::mock!(aws_sdk_cloudwatch::Client::put_metric_alarm)
        .sequence()
        .error(|| {
            aws_sdk_cloudwatch::operation::put_metric_alarm::PutMetricAlarmError::generic(
                aws_sdk_cloudwatch::error::ErrorMetadata::builder()
                    .code("ServiceUnavailable")
                    .message("connection reset")
                    .build(),
            )
        })
        .repeatedly()
        .build();
    clients.cloudwatch = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(&sdk)
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .interceptor(
                aws_smithy_mocks::MockResponseInterceptor::new()
                    .rule_mode(aws_smithy_mocks::RuleMode::MatchAny)
                    .with_rule(&broken)
                    .allow_passthrough(),
            )
            .build(),
    );
    let journal_path = dir.path().join("plan.json.journal");
    let executor = Executor::new(vec![clients], aws_sdk_route53::Client::new(&sdk), true);
    let mut journal = Journal::open(&journal_path, &plan).unwrap();
    let first = executor.apply(&plan, &mut journal, &|_, _| {}).await;
    assert!(!first.complete());
    assert!(
        first.count(|o| matches!(o, Outcome::Failed { .. })) >= 2,
        "{first:?}"
    );
    assert!(
        first.count(|o| matches!(o, Outcome::Applied { .. })) > 5,
        "{first:?}"
    );

    // Second attempt through the CLI, same plan and journal: it completes.
    let output = moto
        .hacheck()
        .args(["apply", "--yes", "--unsafe"])
        .arg(&plan_path)
        .output()
        .unwrap();
    let err = assert_exit(&output, 0);
    assert!(err.contains("done by an earlier apply (journal)"), "{err}");
    // The injected fault hit after moto had the request (a lost response): the retry finds
    // the alarm in place and leaves it alone.
    assert!(
        err.contains("+ app-cpu-high (cloudwatch alarm): already satisfied, skipped"),
        "{err}"
    );
    assert_eq!(moto.failing_findings(), Vec::<String>::new());

    // Nothing twice: one topic, one policy per name, one alarm per name.
    let sns = aws_sdk_sns::Client::new(&sdk)
        .list_topics()
        .send()
        .await
        .unwrap();
    assert_eq!(
        sns.topics()
            .iter()
            .filter(|t| t.topic_arn().unwrap().ends_with(":hacheck-alerts"))
            .count(),
        1
    );
    let policies = aws_sdk_autoscaling::Client::new(&sdk)
        .describe_policies()
        .send()
        .await
        .unwrap();
    let mut names: Vec<_> = policies
        .scaling_policies()
        .iter()
        .map(|p| {
            (
                p.auto_scaling_group_name().unwrap().to_owned(),
                p.policy_name().unwrap().to_owned(),
            )
        })
        .collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count);
    let alarms = aws_sdk_cloudwatch::Client::new(&sdk)
        .describe_alarms()
        .send()
        .await
        .unwrap();
    assert_eq!(
        alarms.metric_alarms().len(),
        6,
        "two per group, the status-check alarm the account had, and one on the target group's unhealthy targets"
    );
    let subscriptions = aws_sdk_sns::Client::new(&sdk)
        .list_subscriptions()
        .send()
        .await
        .unwrap();
    assert_eq!(subscriptions.subscriptions().len(), 1);
}

/// A VPC whose application has no bastion (HA011) and SSH open to the world (HA010): one
/// apply launches a bastion in the public subnet, SSH from the admin networks only, and
/// moves the application's SSH behind it; a second plan is empty.
#[tokio::test]
async fn a_vpc_without_a_bastion_gets_one_and_ssh_goes_through_it() {
    let moto = Moto::start();
    let account = seed_fixable_account(&moto).await;
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    // Set-up: the seeded bastion goes away; the VPC gets a public subnet.
    for instance in running_bastions(&ec2).await {
        ec2.terminate_instances()
            .instance_ids(instance.instance_id().unwrap())
            .send()
            .await
            .unwrap();
    }
    let public = subnet(&ec2, &account.vpc, "10.20.9.0/24", "us-east-1a").await;
    route_to_new_internet_gateway(&ec2, &account.vpc, std::slice::from_ref(&public)).await;
    // Administrators reach the instances from anywhere today (the seeded world SSH).
    let before = moto.failing_findings();
    assert!(
        before.contains(&format!("HA011 {}", account.vpc)),
        "{before:?}"
    );

    // Without the admins' networks there is no bastion to build: their SSH stays.
    let dir = tempfile::tempdir().unwrap();
    let bare = moto
        .hacheck()
        .current_dir(dir.path())
        .args(["fix", "--apply", "--yes", "--unsafe", "--journal"])
        .arg(dir.path().join("bare.json"))
        .output()
        .unwrap();
    let text = stdout(&bare);
    assert!(
        text.contains("administrators need a bastion host before SSH is closed"),
        "{text}"
    );
    assert!(
        ssh_peers(&ec2, &account.app_group)
            .await
            .contains(&"0.0.0.0/0".to_owned()),
        "world SSH is kept until a bastion exists"
    );

    let config_path = config_file(dir.path());
    let output = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--unsafe", "--config"])
        .arg(&config_path)
        .arg("--journal")
        .arg(dir.path().join("journal.json"))
        .output()
        .unwrap();
    let err = assert_exit(&output, 0);
    assert!(err.contains(" 0 refused or failed"), "{err}");
    let text = stdout(&output);
    assert!(
        text.contains(&format!("+ hacheck-bastion-{} (bastion host)", account.vpc)),
        "{text}"
    );
    assert_eq!(moto.failing_findings(), Vec::<String>::new());

    let bastion = running_bastions(&ec2).await;
    assert_eq!(bastion.len(), 1);
    assert_eq!(bastion[0].subnet_id(), Some(public.as_str()));
    let tag = |key: &str| {
        bastion[0]
            .tags()
            .iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value())
            .map(str::to_owned)
    };
    assert_eq!(tag("hacheck:managed").as_deref(), Some("true"));
    let bastion_group = interface_group(&bastion[0]);
    assert_eq!(ssh_peers(&ec2, &bastion_group).await, ["203.0.113.0/24"]);
    assert_eq!(
        ssh_peers(&ec2, &account.app_group).await,
        std::slice::from_ref(&bastion_group)
    );

    let again = moto
        .hacheck()
        .args(["fix", "--config"])
        .arg(&config_path)
        .args(IGNORE_PLACEMENT)
        .output()
        .unwrap();
    assert_exit(&again, 0);
    assert_eq!(stdout(&again), "No changes: nothing to fix.\n");
}

/// Groups in public subnets (HA007), one of them in one zone (HA003): one apply builds a
/// private subnet per zone with a NAT gateway in that zone's public subnet, moves both
/// groups there (one move each, shared by both rules), and a second plan is empty.
#[tokio::test]
async fn groups_in_public_subnets_move_to_private_subnets_with_a_nat_per_zone() {
    let moto = Moto::start();
    let account = seed_fixable_account(&moto).await;
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    route_to_new_internet_gateway(&ec2, &account.vpc, &account.subnets).await;
    let before = moto.failing_findings();
    for expected in ["HA007 app", "HA007 legacy", "HA003 app"] {
        assert!(
            before.iter().any(|f| f == expected),
            "{expected}: {before:?}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let config_path = config_file(dir.path());
    let plan = moto
        .hacheck()
        .args(["fix", "--config"])
        .arg(&config_path)
        .output()
        .unwrap();
    let text = stdout(&plan);
    let vpc = &account.vpc;
    for line in [
        format!("+ hacheck-{vpc}-private-us-east-1a (subnet)"),
        format!("+ hacheck-{vpc}-nat-us-east-1b (nat gateway (with an elastic ip))"),
        format!(
            "subnets: {} → hacheck-{vpc}-private-us-east-1a (new), hacheck-{vpc}-private-us-east-1b (new)",
            account.subnets[0]
        ),
    ] {
        assert!(text.contains(&line), "{line}\n{text}");
    }
    let output = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--unsafe", "--config"])
        .arg(&config_path)
        .arg("--journal")
        .arg(dir.path().join("journal.json"))
        .output()
        .unwrap();
    let err = assert_exit(&output, 0);
    assert!(err.contains(" 0 refused or failed"), "{err}");
    assert_eq!(moto.failing_findings(), Vec::<String>::new());

    // Each new private subnet routes out through the NAT gateway of its own zone.
    let subnets = ec2
        .describe_subnets()
        .filters(ec2t::Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .unwrap();
    let zone_of = |id: &str| {
        subnets
            .subnets()
            .iter()
            .find(|s| s.subnet_id() == Some(id))
            .and_then(|s| s.availability_zone())
            .unwrap()
            .to_owned()
    };
    let groups = aws_sdk_autoscaling::Client::new(&config)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names("app")
        .send()
        .await
        .unwrap();
    let moved: Vec<String> = groups.auto_scaling_groups()[0]
        .vpc_zone_identifier()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    assert_eq!(moved.len(), 2, "{moved:?}");
    let nats = ec2.describe_nat_gateways().send().await.unwrap();
    let tables = ec2.describe_route_tables().send().await.unwrap();
    for subnet in &moved {
        assert!(!account.subnets.contains(subnet));
        let table = tables
            .route_tables()
            .iter()
            .find(|t| {
                t.associations()
                    .iter()
                    .any(|a| a.subnet_id() == Some(subnet.as_str()))
            })
            .unwrap();
        let nat_id = table
            .routes()
            .iter()
            .find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
            .and_then(|r| r.nat_gateway_id())
            .unwrap();
        let nat = nats
            .nat_gateways()
            .iter()
            .find(|n| n.nat_gateway_id() == Some(nat_id))
            .unwrap();
        assert_eq!(zone_of(nat.subnet_id().unwrap()), zone_of(subnet));
    }

    let again = moto
        .hacheck()
        .args(["fix", "--config"])
        .arg(&config_path)
        .args(IGNORE_PLACEMENT)
        .output()
        .unwrap();
    assert_exit(&again, 0);
    assert_eq!(stdout(&again), "No changes: nothing to fix.\n");
}

/// An internet-facing load balancer in one zone with no listener (HA008) and a group it
/// does not serve (HA006): one apply puts the load balancer in a public subnet of the other
/// zone, creates the group's target group on the port its security group admits from the
/// load balancer, a listener on 80 and the attachment; a second plan is empty.
#[tokio::test]
async fn a_one_zone_load_balancer_without_listener_gets_a_zone_and_serves_the_group() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let (vpc, subnets) = vpc_with_private_subnets(
        &ec2,
        "10.40.0.0/16",
        &[
            ("10.40.1.0/24", "us-east-1a"),
            ("10.40.2.0/24", "us-east-1b"),
            ("10.40.3.0/24", "us-east-1a"),
            ("10.40.4.0/24", "us-east-1b"),
        ],
    )
    .await;
    route_to_new_internet_gateway(&ec2, &vpc, &subnets[..2]).await;
    let lb_group = security_group(&ec2, &vpc, "lb", &[(80, "0.0.0.0/0")]).await;
    let app_group = security_group(&ec2, &vpc, "app", &[(8080, lb_group.as_str())]).await;
    private_launch_template(&ec2, "web", "IyEvYmluL3No", &app_group).await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    elb.create_load_balancer()
        .name("edge")
        .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::InternetFacing)
        .subnets(&subnets[0])
        .security_groups(&lb_group)
        .send()
        .await
        .unwrap();
    aws_sdk_autoscaling::Client::new(&config)
        .create_auto_scaling_group()
        .auto_scaling_group_name("web")
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_name("web")
                .version("$Latest")
                .build(),
        )
        .min_size(2)
        .max_size(4)
        .desired_capacity(2)
        .vpc_zone_identifier(format!("{},{}", subnets[2], subnets[3]))
        .tags(
            aws_sdk_autoscaling::types::Tag::builder()
                .key("hacheck:app")
                .value("edge")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let before = moto.failing_findings();
    for expected in ["HA008 edge", "HA006 web"] {
        assert!(
            before.iter().any(|f| f == expected),
            "{expected}: {before:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let config_path = config_file(dir.path());
    let output = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--unsafe", "--config"])
        .arg(&config_path)
        .arg("--journal")
        .arg(dir.path().join("journal.json"))
        .output()
        .unwrap();
    let err = assert_exit(&output, 0);
    assert!(err.contains(" 0 refused or failed"), "{err}");
    let after = moto.failing_findings();
    for fixed in ["HA008 edge", "HA006 web"] {
        assert!(!after.iter().any(|f| f == fixed), "{fixed}: {after:?}");
    }
    let lb = elb
        .describe_load_balancers()
        .names("edge")
        .send()
        .await
        .unwrap();
    let mut zones: Vec<&str> = lb.load_balancers()[0]
        .availability_zones()
        .iter()
        .filter_map(|z| z.zone_name())
        .collect();
    zones.sort();
    assert_eq!(zones, ["us-east-1a", "us-east-1b"]);
    let target_groups = elb
        .describe_target_groups()
        .names("web-tg")
        .send()
        .await
        .unwrap();
    assert_eq!(target_groups.target_groups()[0].port(), Some(8080));
    let listeners = elb
        .describe_listeners()
        .load_balancer_arn(lb.load_balancers()[0].load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();
    // Everything created is marked as hacheck's.
    let tags = elb
        .describe_tags()
        .resource_arns(listeners.listeners()[0].listener_arn().unwrap())
        .resource_arns(target_groups.target_groups()[0].target_group_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_descriptions().len(), 2);
    for description in tags.tag_descriptions() {
        assert!(
            description
                .tags()
                .iter()
                .any(|t| t.key() == Some("hacheck:managed") && t.value() == Some("true")),
            "{description:?}"
        );
    }

    let again = moto
        .hacheck()
        .args(["fix", "--config"])
        .arg(&config_path)
        .args(IGNORE_PLACEMENT)
        .output()
        .unwrap();
    let text = stdout(&again);
    assert!(
        !text.contains("edge (load balancer") && !text.contains("web-tg"),
        "nothing for the load balancer or its target group again: {text}"
    );
}

/// Every call an apply makes is among the permissions its plan's actions declare (what
/// `hacheck permissions --plan` prints): a role given exactly those can apply the plan.
#[tokio::test]
async fn an_apply_calls_only_what_its_actions_declare() {
    let moto = Moto::start();
    seed_fixable_account(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let (_, plan) = saved_plan(&moto, dir.path());

    let sdk = moto.sdk_config().await;
    let context = hacheck::collect::AwsContext {
        base: sdk.clone(),
        regions: vec![crate::support::moto::REGION.to_owned()],
        calls: hacheck::collect::CallCounter::default(),
        account: None,
    };
    let clients = hacheck::collect::RegionClients::new(&context, crate::support::moto::REGION);
    let route53 = aws_sdk_route53::Client::from_conf(
        aws_sdk_route53::config::Builder::from(&sdk)
            .interceptor(context.calls.clone())
            .build(),
    );
    let executor = Executor::new(vec![clients], route53, true);
    let mut journal = Journal::open(&dir.path().join("journal.json"), &plan).unwrap();
    let outcome = executor.apply(&plan, &mut journal, &|_, _| {}).await;
    assert!(outcome.complete(), "{outcome:?}");

    let declared: std::collections::BTreeSet<&str> = plan
        .executable()
        .flat_map(|step| step.action.permissions().iter().copied())
        .collect();
    let called = context.calls.operations();
    for write in [
        "autoscaling:UpdateAutoScalingGroup",
        "cloudwatch:PutMetricAlarm",
        "rds:ModifyDBInstance",
    ] {
        assert!(called.iter().any(|c| c == write), "{write} in {called:?}");
    }
    let undeclared: Vec<String> = called
        .into_iter()
        .filter(|call| !declared.contains(call.as_str()))
        .collect();
    assert!(
        undeclared.is_empty(),
        "called without being declared: {undeclared:?} (declared {declared:?})"
    );
}

/// Ctrl-C during an apply, as a real SIGINT to the process: the steps in flight finish and
/// are journaled one by one, none starts after them, and the output says what was applied
/// and how to resume; applying the saved plan again completes it, with nothing refused as
/// drift and nothing made twice.
#[tokio::test]
async fn a_signal_stops_an_apply_after_the_steps_in_flight_and_the_plan_resumes() {
    use std::io::BufRead as _;
    let moto = Moto::start();
    seed_fixable_account(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let (plan_path, _) = saved_plan(&moto, dir.path());
    let mut child = moto
        .hacheck()
        .args(["apply", "--yes", "--unsafe"])
        .arg(&plan_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let applied = line.ends_with(": applied");
        seen.push(line);
        if applied {
            break;
        }
    }
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    seen.extend(lines.map(Result::unwrap));
    let status = child.wait().unwrap();
    let text = seen.join("\n");
    assert_eq!(status.code(), Some(2), "{text}");
    assert!(
        text.contains("stopping after the steps in flight"),
        "{text}"
    );
    assert!(
        text.contains("not started: the apply was stopped"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Next: `hacheck apply --yes --unsafe {}` resumes where this one stopped.",
            plan_path.display()
        )),
        "{text}"
    );
    let applied_first = seen.iter().filter(|l| l.ends_with(": applied")).count();
    let journal: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("plan.json.journal")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        journal["done"].as_object().unwrap().len(),
        applied_first,
        "every step applied is journaled: {journal}"
    );
    assert_eq!(journal["in_flight"], serde_json::json!([]), "{journal}");

    let again = moto
        .hacheck()
        .args(["apply", "--yes", "--unsafe"])
        .arg(&plan_path)
        .output()
        .unwrap();
    let err = assert_exit(&again, 0);
    assert!(err.contains("done by an earlier apply (journal)"), "{err}");
    assert!(err.contains(" 0 refused or failed"), "{err}");
    assert!(!err.contains("refused, drifted"), "{err}");
    assert_eq!(moto.failing_findings(), Vec::<String>::new());
}
