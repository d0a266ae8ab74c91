//! The network the stack builder lays: VPC, subnets, gateways, route tables.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::predicted::{build, route_target};
use super::{ActionType, Change, change};
use crate::inventory::Inventory;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVpc {
    pub name: String,
    pub cidr: String,
}

impl ActionType for CreateVpc {
    fn key(&self) -> String {
        let CreateVpc { name, .. } = self;
        format!("vpc:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateVpc { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "vpc".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateVpc { cidr, .. } = self;
        vec![change("cidr", "", cidr)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["ec2:DescribeVpcs", "ec2:CreateVpc", "ec2:CreateTags"]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSubnet {
    pub name: String,
    pub vpc_id: String,
    pub cidr: String,
    pub zone: String,
}

impl ActionType for CreateSubnet {
    fn key(&self) -> String {
        let CreateSubnet { name, .. } = self;
        format!("subnet:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateSubnet { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "subnet".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateSubnet {
            cidr, zone, vpc_id, ..
        } = self;
        vec![change("cidr", "", format!("{cidr} in {zone} of {vpc_id}"))]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["ec2:DescribeSubnets", "ec2:CreateSubnet", "ec2:CreateTags"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let CreateSubnet {
            name,
            vpc_id,
            cidr,
            zone,
        } = self;
        inv.subnets.extend(build(json!({
            "id": created, "region": region, "vpc_id": vpc_id, "availability_zone": zone,
            "cidr_block": cidr, "map_public_ip_on_launch": false, "public": false,
            "tags": { "Name": name },
        })))
    }
}

/// Creates an internet gateway and attaches it to the VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInternetGateway {
    pub name: String,
    pub vpc_id: String,
}

impl ActionType for CreateInternetGateway {
    fn key(&self) -> String {
        let CreateInternetGateway { name, .. } = self;
        format!("internet-gateway:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateInternetGateway { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "internet gateway".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateInternetGateway { vpc_id, .. } = self;
        vec![change("attached to", "", vpc_id)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeInternetGateways",
            "ec2:CreateInternetGateway",
            "ec2:AttachInternetGateway",
        ]
    }
}

/// Allocates an Elastic IP and creates a NAT gateway in a public subnet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateNatGateway {
    pub name: String,
    pub subnet_id: String,
}

impl ActionType for CreateNatGateway {
    fn key(&self) -> String {
        let CreateNatGateway { name, .. } = self;
        format!("nat-gateway:{name}")
    }
    fn cost(&self) -> Option<&'static str> {
        Some("billed hourly and per GB it carries (a NAT gateway and its Elastic IP)")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateNatGateway { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "nat gateway (with an elastic ip)".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateNatGateway { subnet_id, .. } = self;
        vec![change("subnet", "", subnet_id)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeNatGateways",
            "ec2:AllocateAddress",
            "ec2:CreateNatGateway",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let CreateNatGateway { name, subnet_id } = self;
        let vpc = inv
            .subnets
            .iter()
            .find(|s| s.region == region && &s.id == subnet_id)
            .map(|s| s.vpc_id.clone())
            .unwrap_or_default();
        inv.nat_gateways.extend(build(json!({
            "id": created, "region": region, "vpc_id": vpc, "subnet_id": subnet_id,
            "state": "available", "tags": { "Name": name },
        })));
    }
}

/// A route table whose default route goes to `default_target` (igw-… or nat-…),
/// associated with `subnet_ids`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRouteTable {
    pub name: String,
    pub vpc_id: String,
    pub default_target: String,
    pub subnet_ids: Vec<String>,
}

impl ActionType for CreateRouteTable {
    fn key(&self) -> String {
        let CreateRouteTable { name, .. } = self;
        format!("route-table:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateRouteTable { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "route table".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateRouteTable {
            default_target,
            subnet_ids,
            ..
        } = self;
        vec![
            change("0.0.0.0/0", "", default_target),
            change("subnets", "", subnet_ids.join(", ")),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeRouteTables",
            "ec2:CreateRouteTable",
            "ec2:CreateRoute",
            "ec2:AssociateRouteTable",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let CreateRouteTable {
            name,
            vpc_id,
            default_target,
            subnet_ids,
        } = self;
        for table in &mut inv.route_tables {
            table.subnet_ids.retain(|s| !subnet_ids.contains(s));
        }
        inv.route_tables.extend(build(json!({
            "id": created, "region": region, "vpc_id": vpc_id, "main": false,
            "subnet_ids": subnet_ids,
            "routes": [{ "destination": "0.0.0.0/0", "target": route_target(default_target) }],
            "tags": { "Name": name },
        })));
    }
}
