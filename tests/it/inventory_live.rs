//! `hacheck inventory` against a live moto server, seeded through the SDK: every resource
//! type, pagination past one page, and the one-line errors for unreachable endpoints and
//! missing credentials.

use aws_sdk_ec2::types as ec2t;
use hacheck::inventory::Inventory;

use crate::support::moto::{ACCOUNT, Moto, REGION};
use crate::support::{assert_exit, hacheck, stdout};

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
    let vpc = ec2.create_vpc().cidr_block("10.1.0.0/16").send().await.unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let mut subnets = Vec::new();
    for (cidr, zone) in [("10.1.0.0/24", "a"), ("10.1.1.0/24", "b")] {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(cidr)
            .availability_zone(az(zone))
            .send()
            .await
            .unwrap();
        subnets.push(subnet.subnet().unwrap().subnet_id().unwrap().to_owned());
    }
    let igw = ec2.create_internet_gateway().send().await.unwrap();
    let igw_id = igw.internet_gateway().unwrap().internet_gateway_id().unwrap().to_owned();
    ec2.attach_internet_gateway().internet_gateway_id(&igw_id).vpc_id(&vpc_id).send().await.unwrap();
    let table = ec2.create_route_table().vpc_id(&vpc_id).send().await.unwrap();
    let table_id = table.route_table().unwrap().route_table_id().unwrap().to_owned();
    ec2.create_route()
        .route_table_id(&table_id)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw_id)
        .send()
        .await
        .unwrap();
    ec2.associate_route_table().route_table_id(&table_id).subnet_id(&subnets[0]).send().await.unwrap();

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

    let inventory = collect(&moto);
    assert_eq!(inventory.account_id, ACCOUNT);
    assert_eq!(inventory.regions, vec![REGION.to_owned()]);
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    assert!(inventory.vpcs.iter().any(|v| v.id == vpc_id && v.cidr_block == "10.1.0.0/16"));
    let subnet = |id: &str| inventory.subnets.iter().find(|s| s.id == id).unwrap();
    assert!(subnet(&subnets[0]).public, "routes 0.0.0.0/0 to the internet gateway");
    assert!(!subnet(&subnets[1]).public, "falls back to the main table, which has no IGW route");
    assert_eq!(subnet(&subnets[1]).availability_zone, az("b"));
    assert!(inventory.internet_gateways.iter().any(|g| g.id == igw_id && g.vpc_ids == [vpc_id.clone()]));
    let table = inventory.route_tables.iter().find(|t| t.id == table_id).unwrap();
    assert_eq!(table.subnet_ids, [subnets[0].clone()]);
    assert!(table.routes.iter().any(|r| r.destination == "0.0.0.0/0" && r.target == igw_id));

    let app = inventory.security_groups.iter().find(|g| g.id == app_group).unwrap();
    assert_eq!(app.ingress.len(), 3, "one rule per peer: {:?}", app.ingress);
    assert!(app.ingress.iter().all(|r| r.protocol == "tcp" && r.from_port == 22 && r.to_port == 22));
    assert!(app.ingress.iter().any(|r| r.cidr_ipv4.as_deref() == Some("0.0.0.0/0")));
    assert!(app.ingress.iter().any(|r| r.cidr_ipv6.as_deref() == Some("::/0")));
    assert!(app.ingress.iter().any(|r| r.source_group_id.as_deref() == Some(lb_group.as_str())));
    assert!(app.egress.iter().any(|r| r.protocol == "all" && r.is_world_open()));

    let instance = inventory.instances.iter().find(|i| i.id == instance_id).unwrap();
    assert_eq!(instance.state, "running");
    assert_eq!(instance.subnet_id, subnets[0]);
    assert_eq!(instance.availability_zone, az("a"));
    assert!(instance.public_ip.is_some());
    assert_eq!(instance.security_group_ids, [app_group.clone()], "groups of the network interface");
    assert_eq!(instance.auto_scaling_group, None);
    assert!(inventory.images.iter().any(|i| i.id == "ami-12c6146b"), "the AMI in use is described");

    assert_eq!(inventory.launch_templates.len(), 20, "every template, past one page");
    let first = &inventory.launch_templates[0];
    let version = first.version(first.latest_version).expect("latest version collected");
    assert!(version.has_user_data);
    assert_eq!(version.image_id.as_deref(), Some("ami-12c6146b"));
    assert_eq!(version.instance_type.as_deref(), Some("t3.small"));
    let public_flags: Vec<_> = inventory
        .launch_templates
        .iter()
        .map(|t| t.version(t.default_version).unwrap().associate_public_ip)
        .collect();
    assert_eq!(public_flags.iter().filter(|f| **f == Some(true)).count(), 10);
    assert_eq!(public_flags.iter().filter(|f| **f == Some(false)).count(), 10);
    assert!(!snapshot_mentions_user_data(&inventory), "user data content is never collected");
}

fn snapshot_mentions_user_data(inventory: &Inventory) -> bool {
    hacheck::snapshot::to_json(inventory).contains("IyEvYmluL3NoCmVjaG8gaGk=")
}

#[tokio::test]
async fn unreachable_endpoint_is_a_one_line_error() {
    let output = hacheck()
        .args(["--endpoint-url", "http://127.0.0.1:9", "--region", REGION, "inventory"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: cannot identify the AWS account"), "{err}");
}

#[tokio::test]
async fn missing_credentials_is_a_one_line_error() {
    let moto = Moto::start();
    let output = hacheck()
        .args(["--endpoint-url", &moto.endpoint, "--region", REGION, "inventory"])
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("credentials"), "{err}");
}

#[test]
fn missing_region_is_a_one_line_error() {
    let output = hacheck().arg("inventory").output().unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.trim(), "error: no AWS region: pass `--region` or set `AWS_REGION` or a region in your AWS profile");
}
