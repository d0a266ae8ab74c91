//! `hacheck inventory` against a live moto server, seeded through the SDK: every resource
//! type and pagination past one page.

use aws_sdk_ec2::types as ec2t;
use hacheck::inventory::Inventory;

use crate::support::moto::{ACCOUNT, Moto, REGION};
use crate::support::seed::{route_to_new_internet_gateway, subnet};
use crate::support::{assert_exit, stdout};

fn collect(moto: &Moto) -> Inventory {
    let output = moto.hacheck().arg("inventory").output().unwrap();
    assert_exit(&output, 0);
    serde_json::from_str(&stdout(&output)).expect("inventory JSON")
}

fn az(suffix: &str) -> String {
    format!("{REGION}{suffix}")
}

#[tokio::test]
async fn ec2_network_instances_and_launch_templates() {
    let moto = Moto::start();
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config().await);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let mut subnets = Vec::new();
    for (cidr, zone) in [("10.1.0.0/24", "a"), ("10.1.1.0/24", "b")] {
        subnets.push(subnet(&ec2, &vpc_id, cidr, &az(zone)).await);
    }
    let (igw_id, table_id) =
        route_to_new_internet_gateway(&ec2, &vpc_id, std::slice::from_ref(&subnets[0])).await;

    let lb_group = ec2
        .create_security_group()
        .group_name("lb")
        .description("lb")
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    let app_group = ec2
        .create_security_group()
        .group_name("app")
        .description("app")
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(&app_group)
        .ip_permissions(
            ec2t::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(ec2t::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .ipv6_ranges(ec2t::Ipv6Range::builder().cidr_ipv6("::/0").build())
                .user_id_group_pairs(ec2t::UserIdGroupPair::builder().group_id(&lb_group).build())
                .build(),
        )
        .send()
        .await
        .unwrap();

    let run = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .instance_type(ec2t::InstanceType::T3Micro)
        .network_interfaces(
            ec2t::InstanceNetworkInterfaceSpecification::builder()
                .device_index(0)
                .subnet_id(&subnets[0])
                .associate_public_ip_address(true)
                .groups(&app_group)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let instance_id = run.instances()[0].instance_id().unwrap().to_owned();

    // 20 templates: more than moto's (and a naive client's) default page of 15.
    for n in 0..20 {
        ec2.create_launch_template()
            .launch_template_name(format!("tpl-{n:02}"))
            .launch_template_data(
                ec2t::RequestLaunchTemplateData::builder()
                    .image_id("ami-12c6146b")
                    .instance_type(ec2t::InstanceType::T3Small)
                    .user_data("IyEvYmluL3NoCmVjaG8gaGk=")
                    .network_interfaces(
                        ec2t::LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                            .device_index(0)
                            .associate_public_ip_address(n % 2 == 0)
                            .groups(&app_group)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let address = ec2
        .allocate_address()
        .domain(ec2t::DomainType::Vpc)
        .send()
        .await
        .unwrap();
    let nat = ec2
        .create_nat_gateway()
        .subnet_id(&subnets[0])
        .set_allocation_id(address.allocation_id().map(str::to_owned))
        .send()
        .await
        .unwrap();
    let nat_id = nat
        .nat_gateway()
        .unwrap()
        .nat_gateway_id()
        .unwrap()
        .to_owned();

    let inventory = collect(&moto);
    assert_eq!(inventory.account_id, ACCOUNT);
    let gateway = inventory
        .nat_gateways
        .iter()
        .find(|g| g.id == nat_id)
        .expect("NAT gateway collected");
    assert_eq!(
        (gateway.vpc_id.as_str(), gateway.subnet_id.as_str()),
        (vpc_id.as_str(), subnets[0].as_str())
    );
    assert_eq!(inventory.regions, vec![REGION.to_owned()]);
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    assert!(
        inventory
            .vpcs
            .iter()
            .any(|v| v.id == vpc_id && v.cidr_block == "10.1.0.0/16")
    );
    let subnet = |id: &str| inventory.subnets.iter().find(|s| s.id == id).unwrap();
    assert!(
        subnet(&subnets[0]).public,
        "routes 0.0.0.0/0 to the internet gateway"
    );
    assert!(
        !subnet(&subnets[1]).public,
        "falls back to the main table, which has no IGW route"
    );
    assert_eq!(subnet(&subnets[1]).availability_zone, az("b"));
    assert!(
        inventory
            .internet_gateways
            .iter()
            .any(|g| g.id == igw_id && g.vpc_ids == [vpc_id.clone()])
    );
    let table = inventory
        .route_tables
        .iter()
        .find(|t| t.id == table_id)
        .unwrap();
    assert_eq!(table.subnet_ids, [subnets[0].clone()]);
    assert!(
        table
            .routes
            .iter()
            .any(|r| r.destination == "0.0.0.0/0" && r.target == igw_id)
    );

    let app = inventory
        .security_groups
        .iter()
        .find(|g| g.id == app_group)
        .unwrap();
    assert_eq!(app.ingress.len(), 3, "one rule per peer: {:?}", app.ingress);
    assert!(
        app.ingress
            .iter()
            .all(|r| r.protocol == "tcp" && r.from_port == 22 && r.to_port == 22)
    );
    assert!(
        app.ingress
            .iter()
            .any(|r| r.cidr_ipv4.as_deref() == Some("0.0.0.0/0"))
    );
    assert!(
        app.ingress
            .iter()
            .any(|r| r.cidr_ipv6.as_deref() == Some("::/0"))
    );
    assert!(
        app.ingress
            .iter()
            .any(|r| r.source_group_id.as_deref() == Some(lb_group.as_str()))
    );
    assert!(
        app.egress
            .iter()
            .any(|r| r.protocol == "all" && r.is_world_open())
    );

    let instance = inventory
        .instances
        .iter()
        .find(|i| i.id == instance_id)
        .unwrap();
    assert_eq!(instance.state, "running");
    assert_eq!(instance.subnet_id, subnets[0]);
    assert_eq!(instance.availability_zone, az("a"));
    assert!(instance.public_ip.is_some());
    assert_eq!(
        instance.security_group_ids,
        std::slice::from_ref(&app_group),
        "groups of the network interface"
    );
    assert_eq!(instance.auto_scaling_group, None);
    assert!(
        inventory.images.iter().any(|i| i.id == "ami-12c6146b"),
        "the AMI in use is described"
    );

    assert_eq!(
        inventory.launch_templates.len(),
        20,
        "every template, past one page"
    );
    let first = &inventory.launch_templates[0];
    let version = first
        .version(first.latest_version)
        .expect("latest version collected");
    assert!(version.has_user_data);
    assert_eq!(version.image_id.as_deref(), Some("ami-12c6146b"));
    assert_eq!(version.instance_type.as_deref(), Some("t3.small"));
    let public_flags: Vec<_> = inventory
        .launch_templates
        .iter()
        .map(|t| t.version(t.default_version).unwrap().associate_public_ip)
        .collect();
    assert_eq!(
        public_flags.iter().filter(|f| **f == Some(true)).count(),
        10
    );
    assert_eq!(
        public_flags.iter().filter(|f| **f == Some(false)).count(),
        10
    );
    assert!(
        !snapshot_mentions_user_data(&inventory),
        "user data content is never collected"
    );
}

fn snapshot_mentions_user_data(inventory: &Inventory) -> bool {
    hacheck::snapshot::to_json(inventory).contains("IyEvYmluL3NoCmVjaG8gaGk=")
}

async fn default_subnets(ec2: &aws_sdk_ec2::Client) -> Vec<(String, String, String)> {
    let subnets = ec2.describe_subnets().send().await.unwrap();
    let mut out: Vec<_> = subnets
        .subnets()
        .iter()
        .map(|s| {
            (
                s.subnet_id().unwrap().to_owned(),
                s.availability_zone().unwrap().to_owned(),
                s.vpc_id().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

#[tokio::test]
async fn autoscaling_groups_policies_and_launch_configurations_past_one_page() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let asg = aws_sdk_autoscaling::Client::new(&config);
    let subnets = default_subnets(&ec2).await;
    asg.create_launch_configuration()
        .launch_configuration_name("legacy")
        .image_id("ami-12c6146b")
        .instance_type("t3.micro")
        .associate_public_ip_address(true)
        .user_data("IyEvYmluL3No")
        .send()
        .await
        .unwrap();
    // 105 groups: more than one page of 100 (AWS's and moto's maximum).
    for n in 0..105 {
        asg.create_auto_scaling_group()
            .auto_scaling_group_name(format!("group-{n:03}"))
            .launch_configuration_name("legacy")
            .min_size(0)
            .max_size(2)
            .desired_capacity(0)
            .vpc_zone_identifier(format!("{},{}", subnets[0].0, subnets[1].0))
            .send()
            .await
            .unwrap();
    }
    asg.update_auto_scaling_group()
        .auto_scaling_group_name("group-000")
        .health_check_type("ELB")
        .health_check_grace_period(120)
        .send()
        .await
        .unwrap();
    asg.put_scaling_policy()
        .auto_scaling_group_name("group-000")
        .policy_name("out")
        .policy_type("SimpleScaling")
        .adjustment_type("ChangeInCapacity")
        .scaling_adjustment(1)
        .send()
        .await
        .unwrap();
    asg.put_scaling_policy()
        .auto_scaling_group_name("group-000")
        .policy_name("in-steps")
        .policy_type("StepScaling")
        .adjustment_type("ChangeInCapacity")
        .step_adjustments(
            aws_sdk_autoscaling::types::StepAdjustment::builder()
                .metric_interval_upper_bound(0.0)
                .scaling_adjustment(-1)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let inventory = collect(&moto);
    assert_eq!(inventory.auto_scaling_groups.len(), 105);
    let group = &inventory.auto_scaling_groups[0];
    assert_eq!(group.name, "group-000");
    assert_eq!(group.health_check_type, "ELB");
    assert_eq!(group.health_check_grace_period, 120);
    assert_eq!(group.launch_configuration_name.as_deref(), Some("legacy"));
    assert_eq!(group.launch_template, None);
    let mut expected_subnets = vec![subnets[0].0.clone(), subnets[1].0.clone()];
    expected_subnets.sort();
    assert_eq!(group.subnet_ids, expected_subnets);
    assert_eq!(
        (group.min_size, group.max_size, group.desired_capacity),
        (0, 2, 0)
    );
    let configuration = &inventory.launch_configurations[0];
    assert_eq!(configuration.associate_public_ip, Some(true));
    assert!(configuration.has_user_data);
    let policy = |name: &str| {
        inventory
            .scaling_policies
            .iter()
            .find(|p| p.name == name)
            .unwrap()
    };
    assert_eq!(policy("out").direction(), 1);
    assert_eq!(policy("in-steps").direction(), -1);
    assert_eq!(policy("in-steps").policy_type, "StepScaling");
    assert!(policy("out").arn.starts_with("arn:aws:autoscaling:"));
}

#[tokio::test]
async fn load_balancers_listeners_target_groups_and_health() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let subnets = default_subnets(&ec2).await;
    let vpc_id = subnets[0].2.clone();
    let run = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .subnet_id(&subnets[0].0)
        .send()
        .await
        .unwrap();
    let instance_id = run.instances()[0].instance_id().unwrap().to_owned();
    let lb = elb
        .create_load_balancer()
        .name("web")
        .subnets(&subnets[0].0)
        .subnets(&subnets[1].0)
        .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::InternetFacing)
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    // 55 target groups: more than moto's default page of 50.
    let mut first_group = String::new();
    for n in 0..55 {
        let group = elb
            .create_target_group()
            .name(format!("tg-{n:02}"))
            .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
            .port(8080)
            .vpc_id(&vpc_id)
            .health_check_path("/health")
            .send()
            .await
            .unwrap();
        if n == 0 {
            first_group = group.target_groups()[0]
                .target_group_arn()
                .unwrap()
                .to_owned();
        }
    }
    elb.register_targets()
        .target_group_arn(&first_group)
        .targets(
            aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                .id(&instance_id)
                .port(8080)
                .build(),
        )
        .send()
        .await
        .unwrap();
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum,
    };
    let listener = elb
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .port(8080)
        .protocol(ProtocolEnum::Http)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&first_group)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // Host and path routing: rules created out of priority order, read back in it.
    let listener_arn = listener.listeners()[0].listener_arn().unwrap().to_owned();
    use aws_sdk_elasticloadbalancingv2::types::{
        FixedResponseActionConfig, HostHeaderConditionConfig, PathPatternConditionConfig,
        RuleCondition,
    };
    elb.create_rule()
        .listener_arn(&listener_arn)
        .priority(20)
        .conditions(
            RuleCondition::builder()
                .field("path-pattern")
                .path_pattern_config(
                    PathPatternConditionConfig::builder()
                        .values("/old/*")
                        .build(),
                )
                .build(),
        )
        .actions(
            Action::builder()
                .r#type(ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    FixedResponseActionConfig::builder()
                        .status_code("410")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    elb.create_rule()
        .listener_arn(&listener_arn)
        .priority(10)
        .conditions(
            RuleCondition::builder()
                .field("host-header")
                .host_header_config(
                    HostHeaderConditionConfig::builder()
                        .values("api.example.com")
                        .build(),
                )
                .build(),
        )
        .actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&first_group)
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
                .r#type(ActionTypeEnum::Redirect)
                .redirect_config(
                    RedirectActionConfig::builder()
                        .protocol("HTTPS")
                        .port("443")
                        .status_code(RedirectActionStatusCodeEnum::Http301)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    // Attributes set, and left at AWS's defaults on the other target groups.
    use aws_sdk_elasticloadbalancingv2::types::TargetGroupAttribute;
    crate::support::moto::protect_from_deletion(&elb, &lb_arn).await;
    elb.add_tags()
        .resource_arns(&first_group)
        .tags(
            aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                .key("team")
                .value("web")
                .build(),
        )
        .send()
        .await
        .unwrap();
    elb.modify_target_group_attributes()
        .target_group_arn(&first_group)
        .attributes(
            TargetGroupAttribute::builder()
                .key("deregistration_delay.timeout_seconds")
                .value("30")
                .build(),
        )
        .attributes(
            TargetGroupAttribute::builder()
                .key("load_balancing.cross_zone.enabled")
                .value("false")
                .build(),
        )
        .send()
        .await
        .unwrap();

    let inventory = collect(&moto);
    assert_eq!(
        inventory.target_groups.len(),
        55,
        "every target group, past one page"
    );
    let balancer = &inventory.load_balancers[0];
    assert_eq!(
        (balancer.name.as_str(), balancer.scheme.as_str()),
        ("web", "internet-facing")
    );
    assert_eq!(balancer.lb_type, "application");
    // An Application Load Balancer balances across zones whatever its attribute says.
    assert_eq!(
        (balancer.deletion_protection, balancer.cross_zone),
        (Some(true), Some(true))
    );
    assert_eq!(balancer.availability_zones.len(), 2);
    assert!(!balancer.dns_name.is_empty() && !balancer.canonical_hosted_zone_id.is_empty());
    let forward = inventory.listeners.iter().find(|l| l.port == 8080).unwrap();
    assert_eq!(forward.default_actions[0].action_type, "forward");
    assert_eq!(
        forward.default_actions[0].target_group_arns,
        [first_group.clone()]
    );
    let rules: Vec<(i64, &[String], &str)> = forward
        .rules
        .iter()
        .map(|r| {
            (
                r.priority,
                r.conditions.as_slice(),
                r.actions[0].action_type.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            (
                10,
                &["host-header api.example.com".to_owned()][..],
                "forward"
            ),
            (
                20,
                &["path-pattern /old/*".to_owned()][..],
                "fixed-response"
            ),
        ],
        "the default rule is the listener's default actions, not one of its rules"
    );
    assert_eq!(
        forward.rules[0].actions[0].target_group_arns,
        [first_group.clone()]
    );
    let redirect = inventory.listeners.iter().find(|l| l.port == 80).unwrap();
    assert!(redirect.rules.is_empty());
    assert_eq!(
        redirect.default_actions[0].redirect_port.as_deref(),
        Some("443")
    );
    let group = inventory
        .target_groups
        .iter()
        .find(|g| g.arn == first_group)
        .unwrap();
    assert_eq!(group.health_check.path.as_deref(), Some("/health"));
    assert_eq!(
        (group.deregistration_delay, group.cross_zone.as_deref()),
        (Some(30), Some("false"))
    );
    // Its tags say who owns it, as a load balancer's do.
    assert_eq!(group.tags.get("team").map(String::as_str), Some("web"));
    let untouched = inventory
        .target_groups
        .iter()
        .find(|g| g.arn != first_group)
        .unwrap();
    assert_eq!(
        (
            untouched.deregistration_delay,
            untouched.cross_zone.as_deref()
        ),
        (Some(300), Some("use_load_balancer_configuration"))
    );
    assert_eq!(group.load_balancer_arns, std::slice::from_ref(&lb_arn));
    assert_eq!(group.targets.len(), 1);
    assert_eq!(group.targets[0].id, instance_id);
}

#[tokio::test]
async fn rds_route53_cloudwatch_and_sns() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let rds = aws_sdk_rds::Client::new(&config);
    let route53 = aws_sdk_route53::Client::new(&config);
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    let sns = aws_sdk_sns::Client::new(&config);
    let subnets = default_subnets(&ec2).await;

    rds.create_db_subnet_group()
        .db_subnet_group_name("db-subnets")
        .db_subnet_group_description("db")
        .subnet_ids(&subnets[0].0)
        .subnet_ids(&subnets[1].0)
        .send()
        .await
        .unwrap();
    // 100 more: past one DescribeDBInstances page of 100.
    for n in 0..100 {
        rds.create_db_instance()
            .db_instance_identifier(format!("filler-{n:03}"))
            .engine("mysql")
            .db_instance_class("db.t3.micro")
            .allocated_storage(20)
            .master_username("admin")
            .master_user_password("correct-horse-battery")
            .send()
            .await
            .unwrap();
    }
    rds.create_db_instance()
        .db_instance_identifier("app-db")
        .engine("postgres")
        .db_instance_class("db.t3.micro")
        .allocated_storage(20)
        .master_username("admin")
        .master_user_password("correct-horse-battery")
        .db_subnet_group_name("db-subnets")
        .multi_az(true)
        .publicly_accessible(false)
        .storage_encrypted(true)
        .backup_retention_period(7)
        .send()
        .await
        .unwrap();

    let zone = route53
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("hacheck-test")
        .send()
        .await
        .unwrap();
    let zone_id = zone
        .hosted_zone()
        .unwrap()
        .id()
        .trim_start_matches("/hostedzone/")
        .to_owned();
    use aws_sdk_route53::types::{
        AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    let mut batch = ChangeBatch::builder();
    // 305 records (plus SOA and NS): more than one page of 300.
    for n in 0..305 {
        batch = batch.changes(
            Change::builder()
                .action(ChangeAction::Create)
                .resource_record_set(
                    ResourceRecordSet::builder()
                        .name(format!("host{n:03}.example.com"))
                        .r#type(RrType::A)
                        .ttl(60)
                        .resource_records(
                            ResourceRecord::builder()
                                .value("192.0.2.1")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        );
    }
    batch = batch.changes(
        Change::builder()
            .action(ChangeAction::Create)
            .resource_record_set(
                ResourceRecordSet::builder()
                    .name("www.example.com")
                    .r#type(RrType::A)
                    .alias_target(
                        AliasTarget::builder()
                            .dns_name("web-1.us-east-1.elb.amazonaws.com")
                            .hosted_zone_id("Z35SXDOTRQ7X7K")
                            .evaluate_target_health(true)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap(),
    );
    route53
        .change_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .change_batch(batch.build().unwrap())
        .send()
        .await
        .unwrap();

    // 105 topics: more than one ListTopics page of 100.
    let mut alerts_topic = String::new();
    for n in 0..105 {
        let topic = sns
            .create_topic()
            .name(format!("topic-{n:03}"))
            .send()
            .await
            .unwrap();
        if n == 0 {
            alerts_topic = topic.topic_arn().unwrap().to_owned();
        }
    }
    sns.subscribe()
        .topic_arn(&alerts_topic)
        .protocol("email")
        .endpoint("oncall@example.com")
        .send()
        .await
        .unwrap();

    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    cloudwatch
        .put_metric_alarm()
        .alarm_name("cpu-high")
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .statistic(Statistic::Average)
        .period(300)
        .evaluation_periods(2)
        .threshold(75.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .dimensions(
            Dimension::builder()
                .name("AutoScalingGroupName")
                .value("web")
                .build(),
        )
        .alarm_actions(&alerts_topic)
        .send()
        .await
        .unwrap();

    let inventory = collect(&moto);
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    assert_eq!(
        inventory.db_instances.len(),
        101,
        "every DB instance, past one page"
    );
    let db = &inventory.db_instances[0];
    assert_eq!((db.id.as_str(), db.engine.as_str()), ("app-db", "postgres"));
    assert!(db.multi_az && !db.publicly_accessible && db.storage_encrypted);
    assert_eq!(db.backup_retention_period, 7);
    assert_eq!(db.subnet_group.as_deref(), Some("db-subnets"));
    let group = inventory
        .db_subnet_groups
        .iter()
        .find(|g| g.name == "db-subnets")
        .unwrap();
    assert_eq!(group.subnet_ids.len(), 2);
    assert_eq!(group.availability_zones.len(), 2);

    assert_eq!(inventory.hosted_zones.len(), 1);
    assert_eq!(inventory.hosted_zones[0].name, "example.com.");
    let a_records = inventory
        .record_sets
        .iter()
        .filter(|r| r.record_type == "A")
        .count();
    assert_eq!(a_records, 306, "every record, past one page");
    let alias = inventory
        .record_sets
        .iter()
        .find(|r| r.name == "www.example.com.")
        .unwrap();
    let target = alias.alias_target.as_ref().unwrap();
    assert_eq!(target.hosted_zone_id, "Z35SXDOTRQ7X7K");
    assert!(
        target
            .dns_name
            .starts_with("web-1.us-east-1.elb.amazonaws.com")
    );

    assert_eq!(
        inventory.sns_topics.len(),
        105,
        "every topic, past one page"
    );
    let topic = inventory
        .sns_topics
        .iter()
        .find(|t| t.arn == alerts_topic)
        .unwrap();
    assert_eq!(topic.name, "topic-000");
    assert_eq!(topic.subscriptions.len(), 1);
    assert_eq!(topic.subscriptions[0].endpoint, "oncall@example.com");
    assert!(
        topic.subscriptions[0].confirmed,
        "moto confirms email subscriptions at once"
    );

    let alarm = &inventory.metric_alarms[0];
    assert_eq!(alarm.name, "cpu-high");
    assert_eq!(alarm.metric_name.as_deref(), Some("CPUUtilization"));
    assert_eq!(alarm.statistic.as_deref(), Some("Average"));
    assert_eq!(alarm.threshold, Some(75.0));
    assert_eq!(alarm.comparison_operator, "GreaterThanThreshold");
    assert_eq!(
        alarm
            .dimensions
            .get("AutoScalingGroupName")
            .map(String::as_str),
        Some("web")
    );
    assert_eq!(alarm.alarm_actions, [alerts_topic.clone()]);
}

/// A group pinned to a launch-template version that is neither the default nor the latest
/// gets that version collected (one call for it after the groups are known); a version no
/// group launches is not read.
#[tokio::test]
async fn a_pinned_launch_template_version_and_a_mixed_groups_instance_types_are_collected() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let data = |instance_type: ec2t::InstanceType| {
        ec2t::RequestLaunchTemplateData::builder()
            .image_id("ami-12c6146b")
            .instance_type(instance_type)
            .build()
    };
    ec2.create_launch_template()
        .launch_template_name("pinned")
        .launch_template_data(data(ec2t::InstanceType::T3Micro))
        .send()
        .await
        .unwrap();
    for instance_type in [
        ec2t::InstanceType::T3Small,
        ec2t::InstanceType::T3Medium,
        ec2t::InstanceType::T3Large,
    ] {
        ec2.create_launch_template_version()
            .launch_template_name("pinned")
            .launch_template_data(data(instance_type))
            .send()
            .await
            .unwrap();
    }
    let zones = default_subnets(&ec2).await;
    aws_sdk_autoscaling::Client::new(&config)
        .create_auto_scaling_group()
        .auto_scaling_group_name("pinned-asg")
        .min_size(0)
        .max_size(2)
        .desired_capacity(0)
        .vpc_zone_identifier(zones[0].0.clone())
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_name("pinned")
                .version("2")
                .build(),
        )
        .send()
        .await
        .unwrap();

    // A group of two instance types, through a mixed-instances policy's overrides (HA026).
    aws_sdk_autoscaling::Client::new(&config)
        .create_auto_scaling_group()
        .auto_scaling_group_name("mixed-asg")
        .min_size(0)
        .max_size(2)
        .desired_capacity(0)
        .vpc_zone_identifier(zones[0].0.clone())
        .mixed_instances_policy(
            aws_sdk_autoscaling::types::MixedInstancesPolicy::builder()
                .launch_template(
                    aws_sdk_autoscaling::types::LaunchTemplate::builder()
                        .launch_template_specification(
                            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                                .launch_template_name("pinned")
                                .version("1")
                                .build(),
                        )
                        .overrides(
                            aws_sdk_autoscaling::types::LaunchTemplateOverrides::builder()
                                .instance_type("t3.micro")
                                .build(),
                        )
                        .overrides(
                            aws_sdk_autoscaling::types::LaunchTemplateOverrides::builder()
                                .instance_type("t3a.micro")
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    let inventory = collect(&moto);
    let group = |name: &str| {
        inventory
            .auto_scaling_groups
            .iter()
            .find(|g| g.name == name)
            .unwrap()
    };
    assert_eq!(
        group("mixed-asg").override_instance_types,
        ["t3.micro", "t3a.micro"]
    );
    assert_eq!(
        group("mixed-asg").launch_template.as_ref().unwrap().name,
        "pinned"
    );
    assert!(group("pinned-asg").override_instance_types.is_empty());
    let template = inventory
        .launch_templates
        .iter()
        .find(|t| t.name == "pinned")
        .unwrap();
    let mut read: Vec<(i64, Option<&str>)> = template
        .versions
        .iter()
        .map(|v| (v.version_number, v.instance_type.as_deref()))
        .collect();
    read.sort();
    read.dedup();
    // Default 1, latest 4, and the pinned 2; version 3 is launched by nothing.
    assert_eq!(
        read,
        vec![
            (1, Some("t3.micro")),
            (2, Some("t3.small")),
            (4, Some("t3.large"))
        ]
    );
}

/// A rule whose peer is a customer-managed prefix list is judged by the list's entries: a
/// bastion admitting SSH from a list that holds `0.0.0.0/0` admits the whole internet.
#[tokio::test]
async fn a_prefix_lists_entries_are_read_and_judged() {
    let moto = Moto::start();
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config().await);
    let (vpc, _) = crate::support::seed::vpc_with_private_subnets(&ec2, "10.60.0.0/16", &[]).await;
    let list = ec2
        .create_managed_prefix_list()
        .prefix_list_name("admins")
        .max_entries(5)
        .address_family("IPv4")
        .entries(
            ec2t::AddPrefixListEntry::builder()
                .cidr("203.0.113.0/24")
                .build(),
        )
        .entries(
            ec2t::AddPrefixListEntry::builder()
                .cidr("0.0.0.0/0")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .prefix_list()
        .unwrap()
        .prefix_list_id()
        .unwrap()
        .to_owned();
    let group = crate::support::seed::security_group(&ec2, &vpc, "anyone-ssh", &[]).await;
    ec2.authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(
            ec2t::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .prefix_list_ids(ec2t::PrefixListId::builder().prefix_list_id(&list).build())
                .build(),
        )
        .send()
        .await
        .unwrap();

    let output = moto.hacheck().arg("inventory").output().unwrap();
    let inventory: Inventory = serde_json::from_str(&stdout(&output)).unwrap();
    let rule = inventory
        .security_groups
        .iter()
        .find(|g| g.id == group)
        .unwrap()
        .ingress
        .iter()
        .find(|r| r.prefix_list_id.as_deref() == Some(list.as_str()))
        .unwrap()
        .clone();
    assert_eq!(rule.prefix_list_cidrs, ["203.0.113.0/24", "0.0.0.0/0"]);
    assert!(rule.is_world_open());

    let output = moto
        .hacheck()
        .args([
            "scan", "--scope", "account", "--select", "HA010", "--format", "json",
        ])
        .output()
        .unwrap();
    let report = crate::support::json_of_judged(&output);
    let failing = crate::support::moto::failing_results(&report);
    assert!(failing.contains(&format!("HA010 {group}")), "{failing:?}");
}
