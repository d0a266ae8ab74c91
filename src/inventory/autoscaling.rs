//! Auto Scaling: launch configurations, groups and their scaling policies.

use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchConfiguration {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub image_id: String,
    pub instance_type: String,
    #[serde(default)]
    pub associate_public_ip: Option<bool>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    pub has_user_data: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub joins_ecs_cluster: bool,
    /// The EC2 key pair instances launch with, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
}

/// Whether user data (as the API returns it, base64) configures the ECS agent's cluster:
/// such instances are an ECS cluster's capacity, whose tasks ECS registers with target
/// groups itself.
pub fn user_data_joins_ecs_cluster(base64: &str) -> bool {
    aws_smithy_types::base64::decode(base64.trim())
        .is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains("ECS_CLUSTER"))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoScalingGroup {
    pub name: String,
    pub arn: String,
    pub region: String,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    pub min_size: i32,
    pub max_size: i32,
    pub desired_capacity: i32,
    /// `EC2` or `ELB` (also `VPC_LATTICE`, `EBS` where used).
    pub health_check_type: String,
    pub health_check_grace_period: i32,
    #[serde(default)]
    pub target_group_arns: Vec<String>,
    /// Classic Load Balancers the group registers its instances with, by name.
    #[serde(default)]
    pub load_balancer_names: Vec<String>,
    #[serde(default)]
    pub launch_template: Option<LaunchTemplateRef>,
    #[serde(default)]
    pub launch_configuration_name: Option<String>,
    #[serde(default)]
    pub instance_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
    /// Processes suspended on the group (`Launch`, `HealthCheck`, `ReplaceUnhealthy`, …):
    /// with `Launch` or the health processes suspended it replaces nothing that fails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspended_processes: Vec<String>,
    /// What the sizes count: `units` (instances, also when absent), `vcpu` or `memory-mib`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_capacity_type: Option<String>,
    /// Whether a mixed-instances override weighs an instance type (`WeightedCapacity`): the
    /// sizes are then capacity units, not instances.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub weighted_overrides: bool,
    /// Launch templates other than the group's own that a mixed-instances override launches
    /// some instance types from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub override_launch_templates: Vec<LaunchTemplateRef>,
    /// The instance types a mixed-instances policy's overrides name (`InstanceType`); none:
    /// the group launches its launch template's (or configuration's) one type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub override_instance_types: Vec<String>,
    /// Whether an override selects instance types by attributes (`InstanceRequirements`):
    /// every type that qualifies, several by construction.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attribute_based_types: bool,
    /// AMIs a mixed-instances override launches some instance types from (`ImageId`), in
    /// place of its launch template's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub override_image_ids: Vec<String>,
    /// Traffic sources that are not load balancers (a VPC Lattice target group), as
    /// `type:identifier`; load balancers attached as traffic sources join
    /// `target_group_arns` and `load_balancer_names`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_traffic_sources: Vec<String>,
    /// Members that serve nothing now, by instance id: not `InService` (pending, in
    /// standby, detaching, terminating, warmed) or `Unhealthy` (about to be replaced).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_service: Vec<String>,
    /// Of those, the members put in `Standby` on purpose (troubleshooting, an update): out
    /// of service for as long as someone keeps them there, not on their way in or out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standby: Vec<String>,
    /// How far below (and above) desired the group goes while it replaces instances: its
    /// instance maintenance policy, empty when it has none (AWS's default behaviours);
    /// absent from an inventory of a hacheck that did not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_maintenance_policy: Option<MaintenancePolicy>,
}

/// An instance maintenance policy's bounds, as percentages of desired capacity; both unset
/// (AWS's `-1` or absent): no policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenancePolicy {
    /// The share of desired capacity kept healthy while instances are replaced: 100
    /// launches each replacement, and waits for it, before terminating what it replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_healthy_percentage: Option<i32>,
    /// The share of desired capacity the group may run while replacing (100 to 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_healthy_percentage: Option<i32>,
}

/// `min 100 %, max 110 %`, or `none`.
impl std::fmt::Display for MaintenancePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bound = |v: Option<i32>| v.map_or_else(|| "unset".to_owned(), |v| format!("{v} %"));
        match (self.min_healthy_percentage, self.max_healthy_percentage) {
            (None, None) => f.write_str("none"),
            (min, max) => write!(f, "min {}, max {}", bound(min), bound(max)),
        }
    }
}

impl MaintenancePolicy {
    /// The policy from the values AWS returns (`-1` clears a bound).
    pub fn from_bounds(min: Option<i32>, max: Option<i32>) -> MaintenancePolicy {
        let set = |v: Option<i32>| v.filter(|v| *v >= 0);
        MaintenancePolicy {
            min_healthy_percentage: set(min),
            max_healthy_percentage: set(max),
        }
    }
}

/// How a group names its launch template. `version` is `$Default`, `$Latest` or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplateRef {
    pub id: String,
    pub name: String,
    pub version: String,
}

impl LaunchTemplateRef {
    /// Whether both name the same template (by id where both have one, else by name).
    pub fn is(&self, other: &LaunchTemplateRef) -> bool {
        if !self.id.is_empty() && !other.id.is_empty() {
            self.id == other.id
        } else {
            !self.name.is_empty() && self.name == other.name
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingPolicy {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub auto_scaling_group: String,
    /// `SimpleScaling`, `StepScaling`, `TargetTrackingScaling`, `PredictiveScaling`.
    pub policy_type: String,
    #[serde(default)]
    pub adjustment_type: Option<String>,
    #[serde(default)]
    pub scaling_adjustment: Option<i32>,
    /// Step adjustments of a step-scaling policy.
    #[serde(default)]
    pub step_adjustments: Vec<StepAdjustment>,
    /// The target of a target-tracking policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_tracking: Option<TargetTracking>,
    /// `Enabled: false`: the policy scales nothing, whatever triggers it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTracking {
    /// The predefined metric (`ASGAverageCPUUtilization`, …); `None` for a customized one.
    #[serde(default)]
    pub predefined_metric: Option<String>,
    pub target_value: f64,
    /// When set, the policy only ever scales out.
    #[serde(default)]
    pub disable_scale_in: bool,
}

impl AutoScalingGroup {
    /// What the group's sizes count when it is not instances: `vCPUs`, `MiB of memory`,
    /// `weighted capacity units` (an override weighs an instance type), or a capacity type
    /// AWS adds later as given. `None`: min, max and desired count instances.
    pub fn size_unit(&self) -> Option<&str> {
        match self.desired_capacity_type.as_deref() {
            None | Some("units") if self.weighted_overrides => Some("weighted capacity units"),
            None | Some("units") => None,
            Some("vcpu") => Some("vCPUs"),
            Some("memory-mib") => Some("MiB of memory"),
            Some(other) => Some(other),
        }
    }

    /// The field a traffic source of `kind` (`AttachTrafficSources`' `Type`) is kept in: a
    /// target group (`elbv2`) joins `target_group_arns`, a Classic Load Balancer (`elb`)
    /// `load_balancer_names`, anything else (`vpc-lattice`, a kind AWS adds)
    /// `other_traffic_sources`.
    pub fn traffic_source_field(kind: Option<&str>) -> &'static str {
        match kind {
            Some("elbv2") => "target_group_arns",
            Some("elb") => "load_balancer_names",
            _ => "other_traffic_sources",
        }
    }

    /// Records a traffic source of `kind` with identifier `id` in its field
    /// ([`Self::traffic_source_field`]; others as `type:identifier`), once.
    pub fn add_traffic_source(&mut self, kind: Option<&str>, id: &str) {
        let (list, entry) = match Self::traffic_source_field(kind) {
            "target_group_arns" => (&mut self.target_group_arns, id.to_owned()),
            "load_balancer_names" => (&mut self.load_balancer_names, id.to_owned()),
            _ => (
                &mut self.other_traffic_sources,
                format!("{}:{id}", kind.unwrap_or("unknown")),
            ),
        };
        if !list.contains(&entry) {
            list.push(entry);
        }
    }

    /// Launch templates an override names that are not the group's own (by id where both
    /// name one, else by name; a version of the group's own template is its template).
    pub fn other_launch_templates(&self) -> impl Iterator<Item = &LaunchTemplateRef> {
        self.override_launch_templates
            .iter()
            .filter(move |t| !self.launch_template.as_ref().is_some_and(|own| own.is(t)))
    }
}

impl ScalingPolicy {
    /// The signed capacity change this policy makes: positive scales out, negative scales in.
    /// For step scaling, the first step's adjustment decides (all steps share a sign in practice).
    pub fn direction(&self) -> i32 {
        if self.disabled {
            return 0;
        }
        self.scaling_adjustment
            .or_else(|| self.step_adjustments.first().map(|s| s.scaling_adjustment))
            .unwrap_or(0)
            .signum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepAdjustment {
    #[serde(default)]
    pub lower_bound: Option<f64>,
    #[serde(default)]
    pub upper_bound: Option<f64>,
    pub scaling_adjustment: i32,
}
