//! Editing a predicted inventory: what the actions' `predict` share (`plan::predict` runs
//! them on a copy of the inventory, never on AWS).

use serde_json::json;

use crate::change::{Advice, REF_PREFIX};
use crate::inventory::{AutoScalingGroup, Inventory, SgRule};

/// A resource built from JSON with the inventory's own defaults for what is left out.
pub(super) fn build<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

/// A route target as the inventory spells it: a new internet gateway is still an `igw-`.
pub(super) fn route_target(target: &str) -> String {
    match target.strip_prefix(REF_PREFIX) {
        Some(key) if key.starts_with("internet-gateway:") => format!("igw-{key}"),
        _ => target.to_owned(),
    }
}

/// Auto Scaling group `name` of `region` in the predicted inventory.
pub(super) fn group_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
    name: &str,
) -> Option<&'a mut AutoScalingGroup> {
    inv.auto_scaling_groups
        .iter_mut()
        .find(|g| g.region == region && g.name == name)
}

/// The target group with `arn` (in `region`) in the predicted inventory.
pub(super) fn target_group_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
    arn: &str,
) -> Option<&'a mut crate::inventory::TargetGroup> {
    inv.target_groups
        .iter_mut()
        .find(|g| g.region == region && g.arn == arn)
}

/// DB instance `id` of `region` in the predicted inventory.
pub(super) fn db_instance_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
    id: &str,
) -> Option<&'a mut crate::inventory::DbInstance> {
    inv.db_instances
        .iter_mut()
        .find(|d| d.region == region && d.id == id)
}

/// Appends to `list` what of `items` it lacks, in order.
pub(super) fn add_missing(list: &mut Vec<String>, items: &[String]) {
    for item in items {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
}

pub(super) fn follow(inv: &mut Inventory, advice: &Advice) {
    let (listener_arn, action) = match advice {
        Advice::ForwardListener {
            listener_arn,
            target_group_arn,
        } => (
            listener_arn,
            json!({ "action_type": "forward", "target_group_arns": [target_group_arn] }),
        ),
        Advice::RedirectListenerToHttps { listener_arn } => (
            listener_arn,
            json!({ "action_type": "redirect", "redirect_protocol": "HTTPS", "redirect_port": "443" }),
        ),
    };
    if let Some(listener) = inv.listeners.iter_mut().find(|l| &l.arn == listener_arn) {
        listener.default_actions = build(json!([action])).unwrap_or_default();
    }
}

/// Same protocol, ports and peer: what AWS identifies a permission by.
pub(super) fn same_permission(a: &SgRule, b: &SgRule) -> bool {
    a.protocol == b.protocol
        && a.from_port == b.from_port
        && a.to_port == b.to_port
        && a.cidr_ipv4 == b.cidr_ipv4
        && a.cidr_ipv6 == b.cidr_ipv6
        && a.source_group_id == b.source_group_id
        && a.prefix_list_id == b.prefix_list_id
}

/// The zone of subnet `subnet` of `region`, in the predicted inventory.
pub(super) fn zone_of(inv: &Inventory, region: &str, subnet: &str) -> Option<String> {
    inv.subnets
        .iter()
        .find(|s| s.region == region && s.id == subnet)
        .map(|s| s.availability_zone.clone())
}
