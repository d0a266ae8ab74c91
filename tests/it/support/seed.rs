//! Seeding moto through the SDK: small builders shared by the live tests.

use aws_sdk_ec2::types as ec2t;

pub async fn vpc_with_private_subnets(
    ec2: &aws_sdk_ec2::Client,
    cidr: &str,
    subnets: &[(&str, &str)],
) -> (String, Vec<String>) {
    let vpc = ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .unwrap()
        .vpc()
        .unwrap()
        .vpc_id()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for (cidr, zone) in subnets {
        ids.push(subnet(ec2, &vpc, cidr, zone).await);
    }
    (vpc, ids)
}

/// A subnet of `vpc` in `zone`: its id.
pub async fn subnet(ec2: &aws_sdk_ec2::Client, vpc: &str, cidr: &str, zone: &str) -> String {
    ec2.create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone(zone)
        .send()
        .await
        .unwrap()
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_owned()
}

/// A security group with `rules`: (port, peer), the peer a CIDR or a group id.
pub async fn security_group(
    ec2: &aws_sdk_ec2::Client,
    vpc: &str,
    name: &str,
    rules: &[(i32, &str)],
) -> String {
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
    add_ingress(ec2, &id, rules).await;
    id
}

pub async fn add_ingress(ec2: &aws_sdk_ec2::Client, group: &str, rules: &[(i32, &str)]) {
    for (port, peer) in rules {
        let mut permission = ec2t::IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(*port)
            .to_port(*port);
        permission = if peer.contains('/') {
            permission.ip_ranges(ec2t::IpRange::builder().cidr_ip(*peer).build())
        } else {
            permission.user_id_group_pairs(ec2t::UserIdGroupPair::builder().group_id(*peer).build())
        };
        ec2.authorize_security_group_ingress()
            .group_id(group)
            .ip_permissions(permission.build())
            .send()
            .await
            .unwrap();
    }
}

/// A new internet gateway attached to `vpc` and a route table sending 0.0.0.0/0 to it,
/// associated with `subnets` (which become public): `(gateway id, route table id)`.
pub async fn route_to_new_internet_gateway(
    ec2: &aws_sdk_ec2::Client,
    vpc: &str,
    subnets: &[String],
) -> (String, String) {
    let igw = ec2
        .create_internet_gateway()
        .send()
        .await
        .unwrap()
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_owned();
    ec2.attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap();
    let table = ec2
        .create_route_table()
        .vpc_id(vpc)
        .send()
        .await
        .unwrap()
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_owned();
    ec2.create_route()
        .route_table_id(&table)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await
        .unwrap();
    for subnet in subnets {
        ec2.associate_route_table()
            .route_table_id(&table)
            .subnet_id(subnet)
            .send()
            .await
            .unwrap();
    }
    (igw, table)
}

/// A launch template of a t3.small from ami-12c6146b with `user_data` (base64), no public
/// IP, in `group`.
pub async fn private_launch_template(
    ec2: &aws_sdk_ec2::Client,
    name: &str,
    user_data: &str,
    group: &str,
) {
    ec2.create_launch_template()
        .launch_template_name(name)
        .launch_template_data(
            ec2t::RequestLaunchTemplateData::builder()
                .image_id("ami-12c6146b")
                .instance_type(ec2t::InstanceType::T3Small)
                .user_data(user_data)
                .network_interfaces(
                    ec2t::LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                        .device_index(0)
                        .associate_public_ip_address(false)
                        .groups(group)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// The running instances tagged `hacheck:role=bastion`.
pub async fn running_bastions(ec2: &aws_sdk_ec2::Client) -> Vec<ec2t::Instance> {
    let found = ec2
        .describe_instances()
        .filters(
            ec2t::Filter::builder()
                .name("tag:hacheck:role")
                .values("bastion")
                .build(),
        )
        .filters(
            ec2t::Filter::builder()
                .name("instance-state-name")
                .values("running")
                .build(),
        )
        .send()
        .await
        .unwrap();
    found
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .cloned()
        .collect()
}

/// The security group of an instance launched with a network interface: moto puts it on the
/// interface only (notes/moto-quirks.md).
pub fn interface_group(instance: &ec2t::Instance) -> String {
    instance.network_interfaces()[0].groups()[0]
        .group_id()
        .unwrap()
        .to_owned()
}

/// The peers (CIDRs, then security groups) a group admits SSH from.
pub async fn ssh_peers(ec2: &aws_sdk_ec2::Client, group: &str) -> Vec<String> {
    let found = ec2
        .describe_security_groups()
        .group_ids(group)
        .send()
        .await
        .unwrap();
    found.security_groups()[0]
        .ip_permissions()
        .iter()
        .filter(|p| p.from_port() == Some(22))
        .flat_map(|p| {
            p.ip_ranges()
                .iter()
                .filter_map(|r| r.cidr_ip().map(str::to_owned))
                .chain(
                    p.user_id_group_pairs()
                        .iter()
                        .filter_map(|g| g.group_id().map(str::to_owned)),
                )
        })
        .collect()
}

/// A lone running instance of `image` in `subnet` and `group`, named `name`; `public` gives
/// it a public IP. Its id.
pub async fn instance(
    ec2: &aws_sdk_ec2::Client,
    image: &str,
    subnet: &str,
    group: &str,
    public: bool,
    name: &str,
) -> String {
    ec2.run_instances()
        .image_id(image)
        .min_count(1)
        .max_count(1)
        .network_interfaces(
            ec2t::InstanceNetworkInterfaceSpecification::builder()
                .device_index(0)
                .subnet_id(subnet)
                .associate_public_ip_address(public)
                .groups(group)
                .build(),
        )
        .tag_specifications(
            ec2t::TagSpecification::builder()
                .resource_type(ec2t::ResourceType::Instance)
                .tags(ec2t::Tag::builder().key("Name").value(name).build())
                .build(),
        )
        .send()
        .await
        .unwrap()
        .instances()[0]
        .instance_id()
        .unwrap()
        .to_owned()
}

/// Creates the record `name A ip` (TTL 300) in hosted zone `zone`.
pub async fn a_record(route53: &aws_sdk_route53::Client, zone: &str, name: &str, ip: &str) {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    let record = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .ttl(300)
        .resource_records(ResourceRecord::builder().value(ip).build().unwrap())
        .build()
        .unwrap();
    let change = Change::builder()
        .action(ChangeAction::Create)
        .resource_record_set(record)
        .build()
        .unwrap();
    route53
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(ChangeBatch::builder().changes(change).build().unwrap())
        .send()
        .await
        .unwrap();
}

/// Creates the alias record `name A` → the load balancer (or front) at `dns` in hosted zone
/// `zone`.
pub async fn alias_record(route53: &aws_sdk_route53::Client, zone: &str, name: &str, dns: &str) {
    use aws_sdk_route53::types::{
        AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
    };
    let record = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .alias_target(
            AliasTarget::builder()
                .dns_name(dns)
                .hosted_zone_id("Z35SXDOTRQ7X7K")
                .evaluate_target_health(true)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    route53
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Create)
                        .resource_record_set(record)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// An alarm on each target group's unhealthy targets (behind its first load balancer),
/// notifying `topic`: what HA032 asks, as a well-run account has it.
pub async fn alarm_on_unhealthy_targets(config: &aws_config::SdkConfig, topic: &str) {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let cloudwatch = aws_sdk_cloudwatch::Client::new(config);
    let after = |arn: &str, marker: &str| arn.split_once(marker).unwrap().1.to_owned();
    let answer = elb.describe_target_groups().send().await.unwrap();
    for group in answer.target_groups() {
        let Some(lb) = group.load_balancer_arns().first() else {
            continue;
        };
        let arn = group.target_group_arn().unwrap();
        let namespace = if lb.contains(":loadbalancer/net/") {
            "AWS/NetworkELB"
        } else {
            "AWS/ApplicationELB"
        };
        cloudwatch
            .put_metric_alarm()
            .alarm_name(format!("{}-unhealthy", group.target_group_name().unwrap()))
            .namespace(namespace)
            .metric_name("UnHealthyHostCount")
            .statistic(Statistic::Maximum)
            .period(60)
            .evaluation_periods(3)
            .threshold(0.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .dimensions(
                Dimension::builder()
                    .name("TargetGroup")
                    .value(format!("targetgroup/{}", after(arn, ":targetgroup/")))
                    .build(),
            )
            .dimensions(
                Dimension::builder()
                    .name("LoadBalancer")
                    .value(after(lb, ":loadbalancer/"))
                    .build(),
            )
            .alarm_actions(topic)
            .send()
            .await
            .unwrap();
    }
}
