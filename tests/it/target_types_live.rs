//! Applications built otherwise than the reference architecture's own, in moto, the way
//! their users build them: an internet-facing load balancer forwarding to a container
//! service's tasks (`ip` targets: network interfaces in two zones), one forwarding to a Lambda
//! function, an Auto Scaling group scaled by target tracking on requests per target ("based
//! on the number of requests coming in"), a load balancer behind CloudFront (it admits only
//! CloudFront's prefix list; the name aliases the distribution), and a read replica in
//! another region of the Multi-AZ database (its recovery copy). Each is right: the scan
//! fails none of them and `fix` plans nothing for them.

use aws_sdk_elasticloadbalancingv2::types as elbt;

use crate::support::moto::{ACCOUNT, IGNORE_PLACEMENT, Moto, REGION, failing_results};
use crate::support::seed::{
    alias_record, private_launch_template, route_to_new_internet_gateway, security_group, subnet,
    vpc_with_private_subnets,
};
use crate::support::{assert_exit, stdout};

const RECOVERY_REGION: &str = "us-west-2";

/// An internet-facing application load balancer in `subnets` whose listener on 80 forwards
/// to a new target group of `kind` holding `targets` (id, port): the load balancer's DNS
/// name and the target group's ARN.
async fn load_balancer(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    name: &str,
    vpc: &str,
    subnets: &[String],
    group: &str,
    kind: elbt::TargetTypeEnum,
    targets: &[(&str, Option<i32>)],
) -> (String, String) {
    let lb = elb
        .create_load_balancer()
        .name(name)
        .r#type(elbt::LoadBalancerTypeEnum::Application)
        .scheme(elbt::LoadBalancerSchemeEnum::InternetFacing)
        .set_subnets(Some(subnets.to_vec()))
        .security_groups(group)
        .send()
        .await
        .unwrap();
    let lb = &lb.load_balancers()[0];
    crate::support::moto::protect_from_deletion(elb, lb.load_balancer_arn().unwrap()).await;
    let mut request = elb
        .create_target_group()
        .name(format!("{name}-tg"))
        .target_type(kind.clone());
    if kind != elbt::TargetTypeEnum::Lambda {
        request = request
            .protocol(elbt::ProtocolEnum::Http)
            .port(8080)
            .vpc_id(vpc);
    }
    let tg_arn = request.send().await.unwrap().target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned();
    if !targets.is_empty() {
        let mut register = elb.register_targets().target_group_arn(&tg_arn);
        for (id, port) in targets {
            register = register.targets(
                elbt::TargetDescription::builder()
                    .id(*id)
                    .set_port(*port)
                    .build(),
            );
        }
        register.send().await.unwrap();
    }
    elb.create_listener()
        .load_balancer_arn(lb.load_balancer_arn().unwrap())
        .protocol(elbt::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            elbt::Action::builder()
                .r#type(elbt::ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();
    (lb.dns_name().unwrap().to_owned(), tg_arn)
}

/// A CloudFront distribution answering for `cdn.example.com` whose one origin is `origin` (a
/// load balancer's DNS name): its domain name.
async fn cloudfront_distribution(config: &aws_config::SdkConfig, origin: &str) -> String {
    use aws_sdk_cloudfront::types as cft;
    let cloudfront = aws_sdk_cloudfront::Client::new(config);
    let origin_config = cft::CustomOriginConfig::builder()
        .http_port(80)
        .https_port(443)
        .origin_protocol_policy(cft::OriginProtocolPolicy::HttpOnly)
        .build()
        .unwrap();
    let config = cft::DistributionConfig::builder()
        .caller_reference("target-types")
        .comment("front of the origin load balancer")
        .enabled(true)
        .aliases(
            cft::Aliases::builder()
                .quantity(1)
                .items("cdn.example.com")
                .build()
                .unwrap(),
        )
        .origins(
            cft::Origins::builder()
                .quantity(1)
                .items(
                    cft::Origin::builder()
                        .id("alb")
                        .domain_name(origin)
                        .custom_origin_config(origin_config)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .default_cache_behavior(
            cft::DefaultCacheBehavior::builder()
                .target_origin_id("alb")
                .viewer_protocol_policy(cft::ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    cloudfront
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .unwrap()
        .distribution()
        .unwrap()
        .domain_name()
        .to_owned()
}

#[tokio::test]
async fn containers_lambda_request_scaling_a_front_and_a_recovery_replica_scan_clean_and_fix_plans_nothing()
 {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let route53 = aws_sdk_route53::Client::new(&config);
    let autoscaling = aws_sdk_autoscaling::Client::new(&config);
    let rds = aws_sdk_rds::Client::new(&config);

    let zones = [
        ("10.0.10.0/24", "us-east-1a"),
        ("10.0.11.0/24", "us-east-1b"),
    ];
    let (vpc, private) = vpc_with_private_subnets(&ec2, "10.0.0.0/16", &zones).await;
    let public = vec![
        subnet(&ec2, &vpc, "10.0.0.0/24", "us-east-1a").await,
        subnet(&ec2, &vpc, "10.0.1.0/24", "us-east-1b").await,
    ];
    route_to_new_internet_gateway(&ec2, &vpc, &public).await;
    let lb_group = security_group(&ec2, &vpc, "web-lb", &[(80, "0.0.0.0/0")]).await;
    let tasks = security_group(&ec2, &vpc, "tasks", &[(8080, &lb_group)]).await;
    let bastion_group = security_group(&ec2, &vpc, "bastion", &[(22, "203.0.113.0/24")]).await;
    let app = security_group(
        &ec2,
        &vpc,
        "app",
        &[(8080, &lb_group), (22, &bastion_group)],
    )
    .await;

    // A container service's tasks: one network interface per zone, in the tasks' group.
    for (subnet, address) in private.iter().zip(["10.0.10.50", "10.0.11.50"]) {
        ec2.create_network_interface()
            .subnet_id(subnet)
            .private_ip_address(address)
            .groups(&tasks)
            .send()
            .await
            .unwrap();
    }
    let (containers, _) = load_balancer(
        &elb,
        "containers",
        &vpc,
        &public,
        &lb_group,
        elbt::TargetTypeEnum::Ip,
        &[("10.0.10.50", Some(8080)), ("10.0.11.50", Some(8080))],
    )
    .await;
    let function = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:shop-api");
    let (api, _) = load_balancer(
        &elb,
        "api",
        &vpc,
        &public,
        &lb_group,
        elbt::TargetTypeEnum::Lambda,
        &[(&function, None)],
    )
    .await;

    // A group of instances scaled on requests per target, with a bastion to reach them.
    let (shop, shop_tg) = load_balancer(
        &elb,
        "shop",
        &vpc,
        &public,
        &lb_group,
        elbt::TargetTypeEnum::Instance,
        &[],
    )
    .await;
    private_launch_template(&ec2, "shop-app", "IyEvYmluL3NoCg==", &app).await;
    autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("shop-asg")
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_name("shop-app")
                .version("$Latest")
                .build(),
        )
        .min_size(2)
        .max_size(6)
        .desired_capacity(2)
        .vpc_zone_identifier(private.join(","))
        .target_group_arns(&shop_tg)
        .health_check_type("ELB")
        .send()
        .await
        .unwrap();
    autoscaling
        .put_scaling_policy()
        .auto_scaling_group_name("shop-asg")
        .policy_name("requests-per-target")
        .policy_type("TargetTrackingScaling")
        .target_tracking_configuration(
            aws_sdk_autoscaling::types::TargetTrackingConfiguration::builder()
                .predefined_metric_specification(
                    aws_sdk_autoscaling::types::PredefinedMetricSpecification::builder()
                        .predefined_metric_type(
                            aws_sdk_autoscaling::types::MetricType::AlbRequestCountPerTarget,
                        )
                        .resource_label("app/shop/1/targetgroup/shop-tg/1")
                        .build(),
                )
                .target_value(1000.0)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let bastion = crate::support::seed::instance(
        &ec2,
        "ami-12c6146b",
        &public[0],
        &bastion_group,
        true,
        "bastion",
    )
    .await;
    ec2.create_tags()
        .resources(&bastion)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("hacheck:role")
                .value("bastion")
                .build(),
        )
        .send()
        .await
        .unwrap();

    // A load balancer behind CloudFront: it admits only CloudFront's origin-facing prefix
    // list, and the public name aliases the distribution.
    let front_group = ec2
        .create_security_group()
        .group_name("cdn-origin")
        .description("from CloudFront only")
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(&front_group)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(80)
                .to_port(80)
                .prefix_list_ids(
                    aws_sdk_ec2::types::PrefixListId::builder()
                        .prefix_list_id("pl-3b927c52")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (origin, _) = load_balancer(
        &elb,
        "origin",
        &vpc,
        &public,
        &front_group,
        elbt::TargetTypeEnum::Lambda,
        &[(&function, None)],
    )
    .await;
    let distribution = cloudfront_distribution(&config, &origin).await;

    let zone = route53
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("target-types")
        .send()
        .await
        .unwrap()
        .hosted_zone()
        .unwrap()
        .id()
        .to_owned();
    for (name, dns) in [
        ("www.example.com", &containers),
        ("api.example.com", &api),
        ("shop.example.com", &shop),
        ("cdn.example.com", &distribution),
    ] {
        alias_record(&route53, &zone, name, dns).await;
    }

    // The database of the tasks and the group, Multi-AZ, and its copy in another region.
    let db_group = security_group(&ec2, &vpc, "db", &[(5432, &tasks), (5432, &app)]).await;
    rds.create_db_subnet_group()
        .db_subnet_group_name("shop-db")
        .db_subnet_group_description("shop")
        .set_subnet_ids(Some(private.clone()))
        .send()
        .await
        .unwrap();
    let primary = rds
        .create_db_instance()
        .deletion_protection(true)
        .db_instance_identifier("shop-db")
        .engine("postgres")
        .db_instance_class("db.t3.medium")
        .allocated_storage(20)
        .master_username("shop")
        .master_user_password("not-a-secret-1")
        .multi_az(true)
        .publicly_accessible(false)
        .db_subnet_group_name("shop-db")
        .vpc_security_group_ids(&db_group)
        .send()
        .await
        .unwrap()
        .db_instance()
        .unwrap()
        .db_instance_arn()
        .unwrap()
        .to_owned();
    let recovery = aws_sdk_rds::Client::from_conf(
        aws_sdk_rds::config::Builder::from(&config)
            .region(aws_sdk_rds::config::Region::new(RECOVERY_REGION))
            .build(),
    );
    recovery
        .create_db_instance_read_replica()
        .deletion_protection(true)
        .db_instance_identifier("shop-db-recovery")
        .source_db_instance_identifier(&primary)
        .send()
        .await
        .unwrap();
    // A recovery copy runs in one zone; AWS would not convert it, and neither may hacheck.
    recovery
        .modify_db_instance()
        .db_instance_identifier("shop-db-recovery")
        .multi_az(false)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    // In each region, RDS posts its instances' failovers and failures to a topic (moto
    // leaves a subscription disabled unless told).
    for (region, client) in [(REGION, &rds), (RECOVERY_REGION, &recovery)] {
        let sns = aws_sdk_sns::Client::from_conf(
            aws_sdk_sns::config::Builder::from(&config)
                .region(aws_sdk_sns::config::Region::new(region))
                .build(),
        );
        let topic = sns.create_topic().name("db-events").send().await.unwrap();
        client
            .create_event_subscription()
            .subscription_name("db-events")
            .sns_topic_arn(topic.topic_arn().unwrap())
            .source_type("db-instance")
            .event_categories("failover")
            .event_categories("failure")
            .enabled(true)
            .send()
            .await
            .unwrap();
        // The same topic hears of the load balancers' unhealthy targets.
        if region == REGION {
            crate::support::seed::alarm_on_unhealthy_targets(&config, topic.topic_arn().unwrap())
                .await;
        }
    }

    let regions = [REGION, RECOVERY_REGION];
    let scan = moto
        .hacheck_in(&regions)
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&scan)).unwrap();
    assert_eq!(failing_results(&report), Vec::<String>::new(), "{report:#}");
    let verdict = |rule: &str, id: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule && r["resource"]["id"] == id)
            .map(|r| {
                (
                    r["status"].as_str().unwrap().to_owned(),
                    r["message"].as_str().unwrap().to_owned(),
                )
            })
    };
    let (status, message) =
        verdict("HA008", "containers").expect("the tasks' application is judged");
    assert_eq!(status, "pass", "{message}");
    assert!(message.contains("addresses in 2 zones"), "{message}");
    let (status, message) = verdict("HA008", "api").expect("the function's application is judged");
    assert_eq!(status, "pass", "{message}");
    assert!(message.contains("a Lambda function"), "{message}");
    let (status, message) = verdict("HA014", "shop-asg").expect("the group is judged");
    assert_eq!(status, "pass", "{message}");
    assert!(message.contains("requests per target"), "{message}");
    // Behind CloudFront: the name aliasing the distribution reaches its origin.
    let (status, message) = verdict("HA017", "origin").expect("the origin is judged");
    assert_eq!(status, "pass", "{message}");
    assert!(
        message.contains(&format!(
            "alias cdn.example.com, via CloudFront distribution {distribution}"
        )),
        "{message}"
    );
    // The tasks' security group makes the database theirs (it admits them): judged.
    assert_eq!(
        verdict("HA012", "shop-db").map(|v| v.0).as_deref(),
        Some("pass")
    );

    // Judged as the whole account, the copy passes as its source's recovery copy.
    let account = moto
        .hacheck_in(&regions)
        .args(["scan", "--format", "json", "--scope", "account"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&account)).unwrap();
    let copy = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == "HA012" && r["resource"]["id"] == "shop-db-recovery")
        .expect("the copy is judged with --scope account");
    assert_eq!(copy["status"], "pass", "{copy}");
    assert!(
        copy["message"].as_str().unwrap().contains("recovery copy"),
        "{copy}"
    );

    let plan = moto
        .hacheck_in(&regions)
        .arg("fix")
        .args(IGNORE_PLACEMENT)
        .output()
        .unwrap();
    assert_exit(&plan, 0);
    assert_eq!(stdout(&plan), "No changes: nothing to fix.\n");
}
