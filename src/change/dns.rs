//! Route 53 alias records.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::predicted::build;
use super::{ActionType, Change, IacEdit, change};
use crate::inventory::Inventory;

/// Points a record at a load balancer with a Route 53 alias (UPSERT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpsertAliasRecord {
    pub zone_id: String,
    pub name: String,
    pub dns_name: String,
    pub target_zone_id: String,
}

impl ActionType for UpsertAliasRecord {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::AliasRecord {
            zone_id: self.zone_id.clone(),
            name: self.name.clone(),
            load_balancer_dns: self.dns_name.clone(),
        }])
    }

    fn key(&self) -> String {
        let UpsertAliasRecord { zone_id, name, .. } = self;
        format!("alias:{zone_id}:{name}")
    }
    fn target(&self) -> String {
        let UpsertAliasRecord { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "route 53 alias record".into()
    }
    fn changes(&self) -> Vec<Change> {
        let UpsertAliasRecord { dns_name, .. } = self;
        vec![change("alias", "", dns_name)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "route53:ListResourceRecordSets",
            "route53:ChangeResourceRecordSets",
        ]
    }
    fn predict(&self, inv: &mut Inventory, _region: &str, _created: &str) {
        let UpsertAliasRecord {
            zone_id,
            name,
            dns_name,
            target_zone_id,
        } = self;
        inv.record_sets
            .retain(|r| !(&r.zone_id == zone_id && &r.name == name && r.record_type == "A"));
        inv.record_sets.extend(build(json!({
            "zone_id": zone_id, "name": name, "record_type": "A",
            "alias_target": { "dns_name": dns_name, "hosted_zone_id": target_zone_id,
                              "evaluate_target_health": true },
        })));
    }
}

/// An alias record to a load balancer, whose DNS name is read when applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasToLoadBalancer {
    pub zone_id: String,
    pub name: String,
    pub load_balancer_arn: String,
}

impl ActionType for AliasToLoadBalancer {
    fn key(&self) -> String {
        let AliasToLoadBalancer { zone_id, name, .. } = self;
        format!("alias:{zone_id}:{name}")
    }
    fn target(&self) -> String {
        let AliasToLoadBalancer { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "route 53 alias record".into()
    }
    fn changes(&self) -> Vec<Change> {
        let AliasToLoadBalancer {
            load_balancer_arn, ..
        } = self;
        vec![change("alias", "", load_balancer_arn)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "route53:ListResourceRecordSets",
            "route53:ChangeResourceRecordSets",
        ]
    }
}
