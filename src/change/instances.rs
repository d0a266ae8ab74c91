//! Lone instances: a bastion host launched, a server stopped.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::iac::managed_tags;
use super::predicted::build;
use super::{ActionType, Change, Declared, IacEdit, IacValue, MANAGED_TAG, Safety, change};
use crate::inventory::{Image, Index, Instance, Inventory, Resource, SecurityGroup, Subnet, Tags};

/// A bastion host with a public IP, tagged `hacheck:role=bastion`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunBastion {
    pub name: String,
    pub image_id: String,
    pub instance_type: String,
    pub subnet_id: String,
    pub security_group_id: String,
}

impl ActionType for RunBastion {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Declare {
            kind: Instance::KIND,
            name: self.name.clone(),
            beside: Some(Declared::new(Subnet::KIND, &self.subnet_id)),
            fields: vec![
                ("image_id", IacValue::resource(Image::KIND, &self.image_id)),
                ("instance_type", IacValue::text(&self.instance_type)),
                (
                    "subnet_id",
                    IacValue::resource(Subnet::KIND, &self.subnet_id),
                ),
                // A bastion is reached from the administrators' networks.
                ("public_ip", IacValue::Bool(true)),
                (
                    "security_group_ids",
                    IacValue::List(vec![IacValue::resource(
                        SecurityGroup::KIND,
                        &self.security_group_id,
                    )]),
                ),
                (
                    "tags",
                    managed_tags(&self.name, &[("hacheck:role", "bastion")]),
                ),
            ],
            keep: &[],
        }])
    }

    fn key(&self) -> String {
        let RunBastion { name, .. } = self;
        format!("bastion:{name}")
    }
    fn cost(&self) -> Option<&'static str> {
        Some("billed hourly (an EC2 instance)")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let RunBastion { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "bastion host".into()
    }
    fn changes(&self) -> Vec<Change> {
        let RunBastion {
            image_id,
            instance_type,
            subnet_id,
            ..
        } = self;
        vec![change(
            "instance",
            "",
            format!("{instance_type} from {image_id} in {subnet_id}, public IP"),
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeInstances",
            "ec2:RunInstances",
            "ec2:CreateTags",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let RunBastion {
            name,
            image_id,
            instance_type,
            subnet_id,
            security_group_id,
        } = self;
        let subnet = inv
            .subnets
            .iter()
            .find(|s| s.region == region && &s.id == subnet_id);
        let (vpc, zone) = subnet
            .map(|s| (s.vpc_id.clone(), s.availability_zone.clone()))
            .unwrap_or_default();
        inv.instances.extend(build(json!({
            "id": created, "region": region, "state": "running",
            "instance_type": instance_type, "image_id": image_id, "vpc_id": vpc,
            "subnet_id": subnet_id, "availability_zone": zone, "public_ip": "0.0.0.0",
            "security_group_ids": [security_group_id],
            "tags": { "Name": name, "hacheck:role": "bastion", (MANAGED_TAG.0): MANAGED_TAG.1 },
        })));
    }
}

/// Stops an instance (its volumes and data are kept). Unsafe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopInstance {
    pub instance_id: String,
}

impl ActionType for StopInstance {
    fn key(&self) -> String {
        let StopInstance { instance_id } = self;
        format!("stop:{instance_id}")
    }
    fn safety(&self) -> Safety {
        Safety::Unsafe
    }
    fn target(&self) -> String {
        let StopInstance { instance_id } = self;
        instance_id.clone()
    }
    fn summary(&self) -> String {
        "instance: stop (kept, not terminated)".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("state", "running", "stopped")]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["ec2:DescribeInstances", "ec2:StopInstances"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let StopInstance { instance_id } = self;
        if let Some(instance) = inv
            .instances
            .iter_mut()
            .find(|i| i.region == region && &i.id == instance_id)
        {
            instance.state = "stopped".to_owned();
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let StopInstance { instance_id } = self;
        Some(&index.find::<Instance>(region, instance_id)?.tags)
    }
    fn template_change(&self) -> String {
        "remove the instance from the template once its replacement serves".to_owned()
    }
}
