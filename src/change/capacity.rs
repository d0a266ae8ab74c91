//! Auto Scaling groups: sizes, health checks, subnets, rolling replacement, new groups.

use serde::{Deserialize, Serialize};

use super::predicted::{group_mut, zone_of};
use super::{ActionType, Change, Declared, IacEdit, IacValue, Safety, change};
use crate::inventory::{
    AutoScalingGroup, Index, Inventory, MaintenancePolicy, Resource, Subnet, Tags,
};

/// Sets an Auto Scaling group's minimum (raising desired and maximum when below it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCapacity {
    pub group: String,
    pub min_size: i32,
    pub desired_capacity: i32,
    pub max_size: i32,
    pub before: [i32; 3],
}

impl ActionType for SetCapacity {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        let group = Declared::new(AutoScalingGroup::KIND, &self.group);
        let set = |field, value: i32| IacEdit::Set {
            resource: group.clone(),
            field,
            value: IacValue::Number(value.into()),
        };
        let mut edits = vec![set("min_size", self.min_size)];
        if self.desired_capacity != self.before[1] {
            edits.push(set("desired_capacity", self.desired_capacity));
        }
        if self.max_size != self.before[2] {
            edits.push(set("max_size", self.max_size));
        }
        Some(edits)
    }

    fn key(&self) -> String {
        let SetCapacity { group, .. } = self;
        format!("set-capacity:{group}")
    }
    fn target(&self) -> String {
        let SetCapacity { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: capacity".into()
    }
    fn changes(&self) -> Vec<Change> {
        let SetCapacity {
            min_size,
            desired_capacity,
            max_size,
            before,
            ..
        } = self;
        vec![
            change("min_size", before[0], min_size),
            change("desired_capacity", before[1], desired_capacity),
            change("max_size", before[2], max_size),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:UpdateAutoScalingGroup",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let SetCapacity {
            group,
            min_size,
            desired_capacity,
            max_size,
            ..
        } = self;
        if let Some(g) = group_mut(inv, region, group) {
            (g.min_size, g.desired_capacity, g.max_size) =
                (*min_size, *desired_capacity, *max_size);
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let SetCapacity { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        let SetCapacity {
            min_size,
            desired_capacity,
            max_size,
            ..
        } = self;
        format!(
            "set `MinSize: {min_size}` (with `DesiredCapacity` ≥ {desired_capacity}, `MaxSize` ≥ {max_size})"
        )
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:autoscaling:asg` `MinSize`"
    }
}

/// Switches a group to load-balancer health checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetHealthCheck {
    pub group: String,
    pub health_check_type: String,
    pub grace_period: i32,
    pub before: String,
}

impl ActionType for SetHealthCheck {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        let group = Declared::new(AutoScalingGroup::KIND, &self.group);
        Some(vec![
            IacEdit::Set {
                resource: group.clone(),
                field: "health_check_type",
                value: IacValue::text(&self.health_check_type),
            },
            IacEdit::Set {
                resource: group,
                field: "health_check_grace_period",
                value: IacValue::Number(self.grace_period.into()),
            },
        ])
    }

    fn key(&self) -> String {
        let SetHealthCheck { group, .. } = self;
        format!("set-health-check:{group}")
    }
    fn target(&self) -> String {
        let SetHealthCheck { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: health check".into()
    }
    fn changes(&self) -> Vec<Change> {
        let SetHealthCheck {
            health_check_type,
            grace_period,
            before,
            ..
        } = self;
        vec![
            change("health_check_type", before, health_check_type),
            change("health_check_grace_period", "", grace_period),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:UpdateAutoScalingGroup",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let SetHealthCheck {
            group,
            health_check_type,
            grace_period,
            ..
        } = self;
        if let Some(g) = group_mut(inv, region, group) {
            g.health_check_type = health_check_type.clone();
            g.health_check_grace_period = *grace_period;
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let SetHealthCheck { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        let SetHealthCheck {
            health_check_type,
            grace_period,
            ..
        } = self;
        format!(
            "set `HealthCheckType: {health_check_type}` and `HealthCheckGracePeriod: {grace_period}`"
        )
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:elasticbeanstalk:environment` `LoadBalancerType` with an ELB health check (`aws:autoscaling:asg`)"
    }
}

/// Gives a group an instance maintenance policy that launches a replacement before it
/// terminates the instance it replaces (`min_healthy_percentage` 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetMaintenancePolicy {
    pub group: String,
    pub min_healthy_percentage: i32,
    pub max_healthy_percentage: i32,
    /// The group's policy when planned (empty: none, AWS's default behaviours).
    pub before: MaintenancePolicy,
}

impl SetMaintenancePolicy {
    /// The policy the step sets.
    pub fn policy(&self) -> MaintenancePolicy {
        MaintenancePolicy {
            min_healthy_percentage: Some(self.min_healthy_percentage),
            max_healthy_percentage: Some(self.max_healthy_percentage),
        }
    }
}

impl ActionType for SetMaintenancePolicy {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        let percent = |value: i32| IacValue::Number(value.into());
        Some(vec![IacEdit::Set {
            resource: Declared::new(AutoScalingGroup::KIND, &self.group),
            field: "instance_maintenance_policy",
            value: IacValue::Object(vec![
                (
                    "min_healthy_percentage",
                    percent(self.min_healthy_percentage),
                ),
                (
                    "max_healthy_percentage",
                    percent(self.max_healthy_percentage),
                ),
            ]),
        }])
    }

    fn key(&self) -> String {
        let SetMaintenancePolicy { group, .. } = self;
        format!("maintenance-policy:{group}")
    }
    fn cost(&self) -> Option<&'static str> {
        Some("an extra instance while one is replaced")
    }
    fn target(&self) -> String {
        let SetMaintenancePolicy { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: launch before terminating".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change(
            "instance_maintenance_policy",
            self.before.to_string(),
            self.policy(),
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:UpdateAutoScalingGroup",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(g) = group_mut(inv, region, &self.group) {
            g.instance_maintenance_policy = Some(self.policy());
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let SetMaintenancePolicy { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        let SetMaintenancePolicy {
            min_healthy_percentage,
            max_healthy_percentage,
            ..
        } = self;
        format!(
            "set `InstanceMaintenancePolicy` with `MinHealthyPercentage: {min_healthy_percentage}` and `MaxHealthyPercentage: {max_healthy_percentage}`"
        )
    }
}

/// Replaces a group's subnets (instances move: unsafe).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetSubnets {
    pub group: String,
    pub subnet_ids: Vec<String>,
    pub before: Vec<String>,
}

impl ActionType for SetSubnets {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(AutoScalingGroup::KIND, &self.group),
            field: "subnet_ids",
            value: IacValue::resources(Some(Subnet::KIND), &self.subnet_ids),
        }])
    }

    fn key(&self) -> String {
        let SetSubnets { group, .. } = self;
        format!("set-subnets:{group}")
    }
    fn safety(&self) -> Safety {
        Safety::Unsafe
    }
    fn target(&self) -> String {
        let SetSubnets { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: subnets (instances are replaced)".into()
    }
    fn changes(&self) -> Vec<Change> {
        let SetSubnets {
            subnet_ids, before, ..
        } = self;
        vec![change("subnets", before.join(", "), subnet_ids.join(", "))]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:UpdateAutoScalingGroup",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let SetSubnets {
            group, subnet_ids, ..
        } = self;
        let mut zones: Vec<String> = subnet_ids
            .iter()
            .filter_map(|s| zone_of(inv, region, s))
            .collect();
        zones.sort();
        zones.dedup();
        if let Some(g) = group_mut(inv, region, group) {
            g.subnet_ids = subnet_ids.clone();
            g.availability_zones = zones;
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let SetSubnets { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        let SetSubnets { subnet_ids, .. } = self;
        format!("set `VPCZoneIdentifier` to {}", subnet_ids.join(", "))
    }
    fn beanstalk_option(&self) -> &'static str {
        "`aws:ec2:vpc` `Subnets`"
    }
}

/// Replaces a group's instances in rolling fashion, keeping `min_healthy_percentage`;
/// with `max_healthy_percentage` above 100 it launches each replacement before it
/// terminates the instance it replaces, so capacity never drops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartInstanceRefresh {
    pub group: String,
    pub min_healthy_percentage: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_healthy_percentage: Option<i32>,
}

impl ActionType for StartInstanceRefresh {
    fn key(&self) -> String {
        let StartInstanceRefresh { group, .. } = self;
        format!("instance-refresh:{group}")
    }
    fn safety(&self) -> Safety {
        let StartInstanceRefresh {
            min_healthy_percentage,
            max_healthy_percentage,
            ..
        } = self;
        if *min_healthy_percentage < 100 || max_healthy_percentage.is_none_or(|max| max <= 100) {
            Safety::Unsafe
        } else {
            Safety::Safe
        }
    }
    fn target(&self) -> String {
        let StartInstanceRefresh { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: rolling replacement (instance refresh)".into()
    }
    fn changes(&self) -> Vec<Change> {
        let StartInstanceRefresh {
            min_healthy_percentage,
            max_healthy_percentage,
            ..
        } = self;
        vec![change(
            "instances",
            "",
            match max_healthy_percentage {
                Some(max) if *max > 100 && *min_healthy_percentage >= 100 => format!(
                    "replaced, each new one launched before the old one goes (up to {max}% of the group)"
                ),
                _ => format!("replaced, at least {min_healthy_percentage}% healthy throughout"),
            },
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeInstanceRefreshes",
            "autoscaling:StartInstanceRefresh",
        ]
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let StartInstanceRefresh { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        "deploy the stack (its update replaces the instances)".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAutoScalingGroup {
    pub name: String,
    pub launch_template_id: String,
    pub subnet_ids: Vec<String>,
    pub min_size: i32,
    pub desired_capacity: i32,
    pub max_size: i32,
    pub target_group_arn: String,
}

impl ActionType for CreateAutoScalingGroup {
    fn key(&self) -> String {
        let CreateAutoScalingGroup { name, .. } = self;
        format!("auto-scaling-group:{name}")
    }
    fn cost(&self) -> Option<&'static str> {
        Some("its instances are billed hourly")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateAutoScalingGroup { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateAutoScalingGroup {
            launch_template_id,
            subnet_ids,
            min_size,
            desired_capacity,
            max_size,
            target_group_arn,
            ..
        } = self;
        vec![
            change("launch_template", "", launch_template_id),
            change("subnets", "", subnet_ids.join(", ")),
            change(
                "capacity",
                "",
                format!("min {min_size}, desired {desired_capacity}, max {max_size}"),
            ),
            change(
                "target_group",
                "",
                format!("{target_group_arn} (ELB health checks)"),
            ),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:CreateAutoScalingGroup",
            "iam:CreateServiceLinkedRole",
        ]
    }
}
