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
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(*cidr)
            .availability_zone(*zone)
            .send()
            .await
            .unwrap();
        ids.push(subnet.subnet().unwrap().subnet_id().unwrap().to_owned());
    }
    (vpc, ids)
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
