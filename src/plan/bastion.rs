//! The bastion host, as the stack builder (`hacheck fix --spec`) and the remediations (HA010
//! and HA011, through `remediations/lib/fixes.rhai` and `inv.bastion_host`) both build it:
//! SSH into its security group from each admin network the group does not admit yet, and
//! one instance in a public subnet unless one of its name is there already (a stopped one
//! is a manual step to start it). Where it goes
//! is the caller's choice (the stack's first public subnet, or the VPC's); what it is, is
//! decided here once, so that the two cannot build different bastions.

use crate::change::{Action, AuthorizeIngress, Manual, RunBastion, admits_tcp, rule_from_peer};
use crate::inventory::Inventory;

const SSH: i32 = 22;

/// A bastion host and where it goes.
pub struct BastionHost<'a> {
    pub region: &'a str,
    /// Its `Name` tag: a bastion of that name that is not terminating counts as built.
    pub name: &'a str,
    pub image_id: &'a str,
    pub instance_type: &'a str,
    /// A public subnet (an id, or a `ref:` to a planned one).
    pub subnet_id: &'a str,
    /// Its security group (an id, or a `ref:` to a planned one).
    pub security_group: &'a str,
    /// The only networks SSH reaches it from.
    pub admin_cidrs: &'a [String],
}

/// The actions that build `host`, in order (none when it is built and admits its networks).
pub fn bastion_host(inventory: &Inventory, host: &BastionHost) -> Vec<Action> {
    let mut actions: Vec<Action> = host
        .admin_cidrs
        .iter()
        .filter(|cidr| !admits_tcp(inventory, host.region, host.security_group, SSH, cidr))
        .map(|cidr| {
            Action::AuthorizeIngress(AuthorizeIngress {
                group_id: host.security_group.to_owned(),
                rule: rule_from_peer("tcp", SSH, SSH, cidr),
            })
        })
        .collect();
    let existing = inventory.instances.iter().find(|instance| {
        instance.region == host.region
            && instance.tags.get("Name").map(String::as_str) == Some(host.name)
            && !matches!(instance.state.as_str(), "terminated" | "shutting-down")
    });
    if let Some(stopped) = existing.filter(|i| !matches!(i.state.as_str(), "pending" | "running")) {
        // Started, it is the bastion again; a second one beside it would be a stray.
        actions.push(Action::Manual(Manual {
            resource: host.name.to_owned(),
            instruction: format!(
                "bastion `{}` (`{}`) is {}: start it (`aws ec2 start-instances --instance-ids {}`)",
                host.name, stopped.id, stopped.state, stopped.id
            ),
            following: Vec::new(),
        }));
    } else if existing.is_none() {
        actions.push(Action::RunBastion(RunBastion {
            name: host.name.to_owned(),
            image_id: host.image_id.to_owned(),
            instance_type: host.instance_type.to_owned(),
            subnet_id: host.subnet_id.to_owned(),
            security_group_id: host.security_group.to_owned(),
        }));
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compliant example: `shop-bastion` runs, its group admits SSH from 203.0.113.0/24.
    fn compliant() -> Inventory {
        crate::snapshot::example_inventory("compliant")
    }

    fn host(admin_cidrs: &[String]) -> BastionHost<'_> {
        BastionHost {
            region: "us-east-1",
            name: "shop-bastion",
            image_id: "ami-0base",
            instance_type: "t3.micro",
            subnet_id: "subnet-0pub0a",
            security_group: "sg-0bastion",
            admin_cidrs,
        }
    }

    fn keys(actions: &[Action]) -> Vec<String> {
        actions.iter().map(Action::key).collect()
    }

    #[test]
    fn only_what_is_missing_is_built() {
        let cidrs = ["203.0.113.0/24".to_owned(), "2001:db8::/32".to_owned()];
        let mut inventory = compliant();
        assert_eq!(
            keys(&bastion_host(&inventory, &host(&cidrs))),
            ["authorize-ingress:sg-0bastion:tcp 22 from 2001:db8::/32"]
        );
        inventory.instances.retain(|i| i.id != "i-0bastion");
        assert_eq!(
            keys(&bastion_host(&inventory, &host(&cidrs[..1]))),
            ["bastion:shop-bastion"]
        );
    }

    #[test]
    fn a_bastion_terminating_or_of_another_region_is_not_this_one() {
        let cidrs = ["203.0.113.0/24".to_owned()];
        let mut inventory = compliant();
        let mut instance = inventory
            .instances
            .iter()
            .find(|i| i.id == "i-0bastion")
            .unwrap()
            .clone();
        inventory.instances.retain(|i| i.id != "i-0bastion");
        instance.state = "shutting-down".to_owned();
        inventory.instances.push(instance.clone());
        assert_eq!(
            keys(&bastion_host(&inventory, &host(&cidrs))),
            ["bastion:shop-bastion"]
        );
        instance.state = "stopped".to_owned();
        inventory.instances = vec![instance.clone()];
        let actions = bastion_host(&inventory, &host(&cidrs));
        let [Action::Manual(start)] = &actions[..] else {
            panic!("a stopped bastion is started, not doubled: {actions:?}");
        };
        assert!(
            start
                .instruction
                .contains("start-instances --instance-ids i-0bastion")
        );
        instance.state = "running".to_owned();
        instance.region = "eu-west-1".to_owned();
        inventory.instances = vec![instance];
        assert_eq!(
            keys(&bastion_host(&inventory, &host(&cidrs))),
            ["bastion:shop-bastion"]
        );
    }
}
