//! A private subnet's way out, as the stack builder (`hacheck fix --spec`) and the
//! remediations (`remediations/lib/fixes.rhai`, through `inv.zone_egress`) both build it:
//! a NAT gateway in the zone's public subnet — a usable one there (available or pending,
//! [`NatGateway::is_usable`](crate::inventory::NatGateway::is_usable)) is reused — and a
//! route table sending the private subnet's default route to it, unless a table associated
//! with the subnet has a default route already. One builder, so that the two cannot answer
//! differently whether a NAT gateway exists or a subnet is routed.

use crate::change::{Action, CreateNatGateway, CreateRouteTable};
use crate::inventory::Inventory;

/// Where a zone's egress goes and what its new parts are called.
pub struct ZoneEgress<'a> {
    pub region: &'a str,
    pub vpc_id: &'a str,
    /// The public subnet the NAT gateway sits in (an id, or a `ref:` to a planned one).
    pub public_subnet: &'a str,
    /// The private subnet to route (an id, or a `ref:`).
    pub private_subnet: &'a str,
    pub nat_name: String,
    pub table_name: String,
}

/// The actions that give `zone.private_subnet` its default route through a NAT gateway, in
/// order (none when it has one).
pub fn zone_egress(inventory: &Inventory, zone: &ZoneEgress) -> Vec<Action> {
    let routed = inventory.route_tables.iter().any(|table| {
        table.region == zone.region
            && table.subnet_ids.iter().any(|s| s == zone.private_subnet)
            && table.routes.iter().any(|r| r.destination == "0.0.0.0/0")
    });
    if routed {
        return Vec::new();
    }
    let mut actions = Vec::new();
    let usable = inventory
        .nat_gateways
        .iter()
        .find(|g| g.region == zone.region && g.subnet_id == zone.public_subnet && g.is_usable());
    let nat = match usable {
        Some(gateway) => gateway.id.clone(),
        None => {
            let create = Action::CreateNatGateway(CreateNatGateway {
                name: zone.nat_name.clone(),
                subnet_id: zone.public_subnet.to_owned(),
            });
            let reference = create.reference();
            actions.push(create);
            reference
        }
    };
    actions.push(Action::CreateRouteTable(CreateRouteTable {
        name: zone.table_name.clone(),
        vpc_id: zone.vpc_id.to_owned(),
        default_target: nat,
        subnet_ids: vec![zone.private_subnet.to_owned()],
    }));
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::REF_PREFIX;
    use crate::inventory::{NatGateway, Route, RouteTable};

    fn zone() -> ZoneEgress<'static> {
        ZoneEgress {
            region: "us-east-1",
            vpc_id: "vpc-1",
            public_subnet: "subnet-pub",
            private_subnet: "subnet-prv",
            nat_name: "nat-a".into(),
            table_name: "private-a".into(),
        }
    }

    fn nat(state: &str, region: &str) -> NatGateway {
        NatGateway {
            id: format!("nat-{state}"),
            region: region.into(),
            vpc_id: "vpc-1".into(),
            subnet_id: "subnet-pub".into(),
            state: state.into(),
            private: false,
            tags: Default::default(),
        }
    }

    fn default_target(actions: &[Action]) -> Option<&str> {
        actions.iter().find_map(|a| match a {
            Action::CreateRouteTable(CreateRouteTable { default_target, .. }) => {
                Some(default_target.as_str())
            }
            _ => None,
        })
    }

    #[test]
    fn a_usable_nat_gateway_of_the_public_subnet_is_reused_and_a_failed_one_is_not() {
        let mut inventory = Inventory {
            nat_gateways: vec![nat("failed", "us-east-1"), nat("pending", "us-east-1")],
            ..Inventory::default()
        };
        let actions = zone_egress(&inventory, &zone());
        assert_eq!(actions.len(), 1, "{actions:?}");
        assert_eq!(default_target(&actions), Some("nat-pending"));

        // Another region's gateway in a subnet of the same id serves nothing here.
        inventory.nat_gateways = vec![nat("available", "us-west-2"), nat("failed", "us-east-1")];
        let actions = zone_egress(&inventory, &zone());
        assert!(
            matches!(&actions[0], Action::CreateNatGateway(CreateNatGateway { subnet_id, .. }) if subnet_id == "subnet-pub")
        );
        assert_eq!(
            default_target(&actions).map(|t| t.starts_with(REF_PREFIX)),
            Some(true),
            "the table routes to the gateway it creates"
        );
    }

    #[test]
    fn a_private_subnet_with_a_default_route_gets_nothing() {
        let inventory = Inventory {
            route_tables: vec![RouteTable {
                id: "rtb-1".into(),
                region: "us-east-1".into(),
                vpc_id: "vpc-1".into(),
                main: false,
                subnet_ids: vec!["subnet-prv".into()],
                routes: vec![Route {
                    destination: "0.0.0.0/0".into(),
                    target: "nat-0".into(),
                }],
                tags: Default::default(),
            }],
            ..Inventory::default()
        };
        assert!(zone_egress(&inventory, &zone()).is_empty());
    }
}
