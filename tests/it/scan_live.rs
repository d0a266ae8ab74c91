//! End to end against moto: seed an account that breaks every rule of the pack, scan it
//! live, and check which resources fail.

use std::collections::BTreeSet;

use aws_sdk_ec2::types as ec2t;

use crate::support::moto::Moto;
use crate::support::{assert_exit, stdout};

async fn security_group(ec2: &aws_sdk_ec2::Client, vpc: &str, name: &str, ports: &[i32]) -> String {
    let id = ec2
        .create_security_group()
        .group_name(name)
        .description(name)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    for port in ports {
        ec2.authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(
                ec2t::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(*port)
                    .to_port(*port)
                    .ip_ranges(ec2t::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    id
}

#[tokio::test]
async fn a_seeded_account_breaking_every_rule_fails_every_rule_on_the_right_resources() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let subnets = ec2.describe_subnets().send().await.unwrap();
    let mut subnets: Vec<_> = subnets.subnets().to_vec();
    subnets.sort_by(|a, b| a.availability_zone().cmp(&b.availability_zone()));
    let vpc = subnets[0].vpc_id().unwrap().to_owned();
    let web = security_group(&ec2, &vpc, "web", &[22, 80]).await;
    let db_group = security_group(&ec2, &vpc, "db", &[3306]).await;

    // The seed's lone instance with a public IP.
    let run = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .network_interfaces(
            ec2t::InstanceNetworkInterfaceSpecification::builder()
                .device_index(0)
                .subnet_id(subnets[0].subnet_id().unwrap())
                .associate_public_ip_address(true)
                .groups(&web)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let lone = run.instances()[0].instance_id().unwrap().to_owned();
    let lone_ip = ec2
        .describe_instances()
        .instance_ids(&lone)
        .send()
        .await
        .unwrap()
        .reservations()[0]
        .instances()[0]
        .public_ip_address()
        .unwrap()
        .to_owned();

    // A single-AZ, minimum-one group from a launch configuration, EC2 health checks.
    let autoscaling = aws_sdk_autoscaling::Client::new(&config);
    autoscaling
        .create_launch_configuration()
        .launch_configuration_name("lc")
        .image_id("ami-12c6146b")
        .instance_type("t3.micro")
        .security_groups(&web)
        .send()
        .await
        .unwrap();
    autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("app")
        .launch_configuration_name("lc")
        .min_size(0)
        .max_size(2)
        .desired_capacity(0)
        .vpc_zone_identifier(subnets[0].subnet_id().unwrap())
        .send()
        .await
        .unwrap();

    // A load balancer with no listener and no DNS alias.
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    elb.create_load_balancer()
        .name("front")
        .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::InternetFacing)
        .subnets(subnets[0].subnet_id().unwrap())
        .subnets(subnets[1].subnet_id().unwrap())
        .send()
        .await
        .unwrap();

    // A single-AZ public database open to the world.
    let rds = aws_sdk_rds::Client::new(&config);
    rds.create_db_instance()
        .db_instance_identifier("db")
        .engine("mysql")
        .db_instance_class("db.t3.micro")
        .allocated_storage(20)
        .master_username("admin")
        .master_user_password("correct-horse-battery")
        .vpc_security_group_ids(&db_group)
        .publicly_accessible(true)
        .send()
        .await
        .unwrap();

    // An alarm on the group above 90 % with no scaling policy, notifying a topic nobody reads.
    let sns = aws_sdk_sns::Client::new(&config);
    let topic = sns
        .create_topic()
        .name("alerts")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    aws_sdk_cloudwatch::Client::new(&config)
        .put_metric_alarm()
        .alarm_name("app-cpu")
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .statistic(Statistic::Average)
        .period(300)
        .evaluation_periods(1)
        .threshold(90.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .dimensions(
            Dimension::builder()
                .name("AutoScalingGroupName")
                .value("app")
                .build(),
        )
        .alarm_actions(&topic)
        .send()
        .await
        .unwrap();

    // The public name on the lone instance's IP.
    let route53 = aws_sdk_route53::Client::new(&config);
    let zone = route53
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("scan-live")
        .send()
        .await
        .unwrap();
    let zone = zone.hosted_zone().unwrap().id();
    crate::support::seed::a_record(&route53, zone, "www.example.com", &lone_ip).await;

    let output = moto
        .hacheck()
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let failing: BTreeSet<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        // moto launches the group's instances in the VPC's default group (no path).
        .filter(|r| r["status"] == "fail" && !crate::support::moto::is_placement_bound(r))
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap().to_owned(),
                r["resource"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("HA001", lone.as_str()),
        ("HA002", lone.as_str()),
        ("HA003", "app"),
        ("HA004", "app"),
        ("HA005", "app"),
        ("HA006", "app"),
        ("HA007", "app"),
        ("HA008", "front"),
        ("HA009", web.as_str()),
        ("HA010", web.as_str()),
        ("HA011", vpc.as_str()),
        ("HA012", "db"),
        ("HA013", "db"),
        ("HA014", "app"),
        ("HA015", "app"),
        ("HA016", "alerts"),
        ("HA017", "front"),
        ("HA022", "front"),
        ("HA023", "db"),
        ("HA031", "db"),
        ("HA017", "www.example.com. A"),
        ("HA018", lone.as_str()),
    ]
    .iter()
    .map(|(rule, id)| (rule.to_string(), id.to_string()))
    .collect();
    assert_eq!(failing, expected);
}
