//! The typed inventory of an AWS account: everything the high-availability rules look at.
//!
//! The inventory is plain data. The collectors (`crate::collect`) fill it from a live account;
//! a snapshot file holds the same data as versioned JSON (`crate::snapshot`). Policies, the
//! planner and the reporters read only this model, never the AWS SDK, so they test offline.
//!
//! Every list is kept in a deterministic order (see [`Inventory::normalize`]) so that two
//! collections of the same account serialise byte for byte alike.

use std::collections::BTreeMap;

pub mod dns;
pub mod index;
pub mod source;

pub use dns::normalize_dns;
pub use index::{Collection, Index};
pub use source::{Source, SourceElement, SourcePos};

use serde::{Deserialize, Serialize};

/// Version of the snapshot format. Bump it whenever a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest snapshot format this hacheck reads: version 1 had no Classic Load Balancers
/// (and no `load_balancer_names` on groups), which version 2 adds; nothing else changed.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// Route 53 is a global service: its resources carry this pseudo-region.
pub const GLOBAL_REGION: &str = "global";

pub type Tags = BTreeMap<String, String>;

/// Calls `$visit!(field_name, items)` for every resource collection of an inventory, in the
/// order of their index slots (`index::collections!`): the one list of collections, so that
/// a new kind cannot be forgotten.
#[macro_export]
macro_rules! for_each_collection {
    ($inventory:expr, $visit:ident) => {
        $visit!("vpcs", &$inventory.vpcs);
        $visit!("subnets", &$inventory.subnets);
        $visit!("route_tables", &$inventory.route_tables);
        $visit!("internet_gateways", &$inventory.internet_gateways);
        $visit!("nat_gateways", &$inventory.nat_gateways);
        $visit!("security_groups", &$inventory.security_groups);
        $visit!("instances", &$inventory.instances);
        $visit!("images", &$inventory.images);
        $visit!("launch_templates", &$inventory.launch_templates);
        $visit!("launch_configurations", &$inventory.launch_configurations);
        $visit!("auto_scaling_groups", &$inventory.auto_scaling_groups);
        $visit!("scaling_policies", &$inventory.scaling_policies);
        $visit!("load_balancers", &$inventory.load_balancers);
        $visit!("listeners", &$inventory.listeners);
        $visit!("target_groups", &$inventory.target_groups);
        $visit!("db_instances", &$inventory.db_instances);
        $visit!("db_clusters", &$inventory.db_clusters);
        $visit!("db_subnet_groups", &$inventory.db_subnet_groups);
        $visit!("hosted_zones", &$inventory.hosted_zones);
        $visit!("record_sets", &$inventory.record_sets);
        $visit!("metric_alarms", &$inventory.metric_alarms);
        $visit!("sns_topics", &$inventory.sns_topics);
        // Last: their index slots (22, 23) came after the others'.
        $visit!("classic_load_balancers", &$inventory.classic_load_balancers);
        $visit!("distributions", &$inventory.distributions);
    };
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub schema_version: u32,
    pub account_id: String,
    pub regions: Vec<String>,
    /// RFC 3339 time at which collection finished.
    pub collected_at: String,
    #[serde(default)]
    pub warnings: Vec<CollectorWarning>,
    #[serde(default)]
    pub vpcs: Vec<Vpc>,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default)]
    pub route_tables: Vec<RouteTable>,
    #[serde(default)]
    pub internet_gateways: Vec<InternetGateway>,
    #[serde(default)]
    pub nat_gateways: Vec<NatGateway>,
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    #[serde(default)]
    pub instances: Vec<Instance>,
    #[serde(default)]
    pub images: Vec<Image>,
    #[serde(default)]
    pub launch_templates: Vec<LaunchTemplate>,
    #[serde(default)]
    pub launch_configurations: Vec<LaunchConfiguration>,
    #[serde(default)]
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
    #[serde(default)]
    pub scaling_policies: Vec<ScalingPolicy>,
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    #[serde(default)]
    pub classic_load_balancers: Vec<ClassicLoadBalancer>,
    #[serde(default)]
    pub listeners: Vec<Listener>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    #[serde(default)]
    pub db_instances: Vec<DbInstance>,
    #[serde(default)]
    pub db_clusters: Vec<DbCluster>,
    #[serde(default)]
    pub db_subnet_groups: Vec<DbSubnetGroup>,
    #[serde(default)]
    pub hosted_zones: Vec<HostedZone>,
    #[serde(default)]
    pub record_sets: Vec<RecordSet>,
    #[serde(default)]
    pub metric_alarms: Vec<MetricAlarm>,
    #[serde(default)]
    pub sns_topics: Vec<SnsTopic>,
    /// CloudFront distributions (a global service), fronts of load balancers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distributions: Vec<Distribution>,
    /// Where each resource was declared, for an inventory read from templates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// A part of the account that could not be read; the rest of the collection went on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectorWarning {
    pub service: String,
    pub region: String,
    /// The AWS operation that failed, e.g. `DescribeDBInstances`.
    pub operation: String,
    /// The AWS error code where there is one (`AccessDenied`), else the error kind.
    pub code: String,
    pub message: String,
}

/// `ec2 in us-east-1: DescribeVpcs failed (AccessDenied): …`, as every report says it.
impl std::fmt::Display for CollectorWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} in {}: {} failed ({}): {}",
            self.service, self.region, self.operation, self.code, self.message
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub id: String,
    pub region: String,
    pub cidr_block: String,
    pub is_default: bool,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub cidr_block: String,
    pub map_public_ip_on_launch: bool,
    /// Derived: its route table (explicit association, else the VPC's main table) sends
    /// 0.0.0.0/0 or ::/0 to an internet gateway. See [`Inventory::derive_subnet_publicity`].
    pub public: bool,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub main: bool,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// IPv4 or IPv6 destination CIDR (prefix-list destinations use the list id).
    pub destination: String,
    /// `igw-…`, `nat-…`, `local`, or another target id; empty when unknown.
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternetGateway {
    pub id: String,
    pub region: String,
    #[serde(default)]
    pub vpc_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatGateway {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub state: String,
    /// `ConnectivityType: private`: it translates to other networks, never to the internet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
    #[serde(default)]
    pub tags: Tags,
}

impl NatGateway {
    /// Whether a default route to it reaches the internet: a public gateway that is
    /// available (or pending, soon available). A failed or deleted one, or a private one,
    /// gives no egress.
    pub fn reaches_internet(&self) -> bool {
        !self.private && self.is_usable()
    }

    /// Available, or pending (it becomes available, and the executor waits for it): a
    /// gateway to reuse rather than create another. The stack builder and the remediations
    /// both ask this.
    pub fn is_usable(&self) -> bool {
        self.state == "available" || self.state == "pending"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub region: String,
    pub name: String,
    pub vpc_id: String,
    pub description: String,
    #[serde(default)]
    pub ingress: Vec<SgRule>,
    #[serde(default)]
    pub egress: Vec<SgRule>,
    #[serde(default)]
    pub tags: Tags,
}

/// One security-group permission with exactly one peer. AWS groups several peers under one
/// permission; the collector splits them so that each rule can be judged (and revoked) alone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SgRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `all`.
    pub protocol: String,
    /// For `all`, 0..=65535. ICMP keeps AWS's type/code values.
    pub from_port: i32,
    pub to_port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_ipv4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_ipv6: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<String>,
    /// The CIDRs of the prefix list's entries, where they were read (`ec2:
    /// GetManagedPrefixListEntries`): a list holding `0.0.0.0/0` admits the whole internet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_list_cidrs: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl SgRule {
    /// Whether the rule lets in `port` over TCP.
    pub fn covers_tcp_port(&self, port: i32) -> bool {
        (self.protocol == "tcp" || self.protocol == "all")
            && self.from_port <= port
            && port <= self.to_port
    }

    /// Protocol and ports as people write them: `tcp 8080`, `udp 500-510`, `tcp all ports`,
    /// `all traffic`.
    pub fn ports_text(&self) -> String {
        if self.protocol == "all" || self.protocol == "-1" {
            "all traffic".to_owned()
        } else if self.from_port == self.to_port {
            format!("{} {}", self.protocol, self.from_port)
        } else if self.from_port <= 0 && self.to_port >= 65535 {
            format!("{} all ports", self.protocol)
        } else {
            format!("{} {}-{}", self.protocol, self.from_port, self.to_port)
        }
    }

    /// The rule as people write it: `tcp 22 from 0.0.0.0/0` (for rules and plans alike).
    pub fn text(&self) -> String {
        let peer = self
            .cidr_ipv4
            .as_deref()
            .or(self.cidr_ipv6.as_deref())
            .or(self.source_group_id.as_deref())
            .or(self.prefix_list_id.as_deref())
            .unwrap_or("a peer not known before deploy");
        format!("{} from {peer}", self.ports_text())
    }

    /// Whether the peer is the whole internet (0.0.0.0/0 or ::/0, itself or as an entry of
    /// its prefix list).
    pub fn is_world_open(&self) -> bool {
        let world = |cidr: &str| cidr == "0.0.0.0/0" || cidr == "::/0";
        self.cidr_ipv4.as_deref().is_some_and(world)
            || self.cidr_ipv6.as_deref().is_some_and(world)
            || self.prefix_list_cidrs.iter().any(|c| world(c))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    pub region: String,
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`.
    pub state: String,
    pub instance_type: String,
    pub image_id: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub subnet_id: String,
    #[serde(default)]
    pub availability_zone: String,
    #[serde(default)]
    pub private_ip: Option<String>,
    #[serde(default)]
    pub public_ip: Option<String>,
    /// Union of the instance's groups and those of its network interfaces.
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// The Auto Scaling group that owns the instance, from its `aws:autoscaling:groupName` tag.
    #[serde(default)]
    pub auto_scaling_group: Option<String>,
    #[serde(default)]
    pub key_name: Option<String>,
    /// Off on NAT instances, VPN and other routing appliances: they forward traffic that is
    /// not addressed to them.
    #[serde(default = "enabled")]
    pub source_dest_check: bool,
    #[serde(default)]
    pub tags: Tags,
}

fn enabled() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub id: String,
    pub region: String,
    pub name: String,
    pub state: String,
    pub owner_id: String,
    #[serde(default)]
    pub creation_date: String,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplate {
    pub id: String,
    pub region: String,
    pub name: String,
    pub default_version: i64,
    pub latest_version: i64,
    /// The default and the latest version (one entry when they are the same).
    #[serde(default)]
    pub versions: Vec<LaunchTemplateVersion>,
    #[serde(default)]
    pub tags: Tags,
}

impl LaunchTemplate {
    pub fn version(&self, number: i64) -> Option<&LaunchTemplateVersion> {
        self.versions.iter().find(|v| v.version_number == number)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplateVersion {
    pub version_number: i64,
    #[serde(default)]
    pub image_id: Option<String>,
    #[serde(default)]
    pub instance_type: Option<String>,
    /// `AssociatePublicIpAddress` of the first network interface; `None` when not set, in
    /// which case the subnet's map-public-IP-on-launch decides.
    #[serde(default)]
    pub associate_public_ip: Option<bool>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// Whether user data is present. Its content is never collected: it may hold secrets.
    pub has_user_data: bool,
    /// Whether the user data joins the instance to an ECS cluster (`ECS_CLUSTER=`): the
    /// only thing read from it ([`user_data_joins_ecs_cluster`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub joins_ecs_cluster: bool,
}

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
    /// Traffic sources that are not load balancers (a VPC Lattice target group), as
    /// `type:identifier`; load balancers attached as traffic sources join
    /// `target_group_arns` and `load_balancer_names`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_traffic_sources: Vec<String>,
}

/// How a group names its launch template. `version` is `$Default`, `$Latest` or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplateRef {
    pub id: String,
    pub name: String,
    pub version: String,
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

    /// Launch templates an override names that are not the group's own.
    pub fn other_launch_templates(&self) -> impl Iterator<Item = &LaunchTemplateRef> {
        self.override_launch_templates
            .iter()
            .filter(move |t| self.launch_template.as_ref() != Some(*t))
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub region: String,
    /// `application`, `network`, `gateway`.
    pub lb_type: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    pub vpc_id: String,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    pub dns_name: String,
    pub canonical_hosted_zone_id: String,
    pub state: String,
    /// Its tags (who owns it: a CloudFormation stack's are `aws:cloudformation:…`).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Its tags could not be read (`DescribeTags` refused): who owns it is not known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tags_unread: bool,
}

/// A Classic Load Balancer (API `elasticloadbalancing`, 2012-06-01). Its listeners, health
/// check and registered instances are part of it; Auto Scaling groups attach it by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassicLoadBalancer {
    /// `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/<name>`, as IAM names
    /// it (the API gives none).
    pub arn: String,
    pub name: String,
    pub region: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    pub dns_name: String,
    #[serde(default)]
    pub canonical_hosted_zone_id: String,
    #[serde(default)]
    pub listeners: Vec<ClassicListener>,
    #[serde(default)]
    pub health_check: Option<ClassicHealthCheck>,
    /// Instances registered with it (a group's included).
    #[serde(default)]
    pub instance_ids: Vec<String>,
    /// Cross-zone load balancing (off unless turned on, for the API).
    #[serde(default)]
    pub cross_zone: bool,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Its tags could not be read (`DescribeTags` refused): who owns it is not known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tags_unread: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassicListener {
    /// `HTTP`, `HTTPS`, `TCP` or `SSL`.
    pub protocol: String,
    pub port: i32,
    pub instance_protocol: String,
    pub instance_port: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassicHealthCheck {
    /// `HTTP:80/health`, `TCP:8080`, …
    pub target: String,
    pub interval_seconds: i32,
    pub timeout_seconds: i32,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    pub arn: String,
    pub load_balancer_arn: String,
    pub region: String,
    pub port: i32,
    pub protocol: String,
    #[serde(default)]
    pub certificate_arns: Vec<String>,
    #[serde(default)]
    pub default_actions: Vec<ListenerAction>,
    /// Its rules but the default one, by priority: what a request matching a rule's
    /// conditions gets instead of the default actions (an application load balancer's
    /// host and path routing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ListenerRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerRule {
    pub arn: String,
    /// 1 to 50,000: the lowest whose conditions match decides.
    pub priority: i64,
    /// Each `field value…`: `host-header shop.example.com`, `path-pattern /api/*`.
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub actions: Vec<ListenerAction>,
}

impl ListenerRule {
    /// A condition as [`ListenerRule::conditions`] writes it: `field value…`, each value
    /// once (AWS's legacy `Values` repeat the field's own configuration).
    pub fn condition(field: &str, mut values: Vec<String>) -> String {
        values.dedup();
        format!("{field} {}", values.join(" ")).trim().to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerAction {
    /// `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, `authenticate-cognito`.
    pub action_type: String,
    /// Target groups of a forward action (single or weighted).
    #[serde(default)]
    pub target_group_arns: Vec<String>,
    #[serde(default)]
    pub redirect_protocol: Option<String>,
    #[serde(default)]
    pub redirect_port: Option<String>,
    /// The host a redirect sends to; `None` or `#{host}`: the same host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_host: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub region: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub port: Option<i32>,
    #[serde(default)]
    pub protocol: Option<String>,
    pub target_type: String,
    pub health_check: HealthCheck,
    #[serde(default)]
    pub load_balancer_arns: Vec<String>,
    #[serde(default)]
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub enabled: bool,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub port: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub interval_seconds: i32,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    #[serde(default)]
    pub port: Option<i32>,
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
    pub health: String,
    /// For an `ip` target (a container service's task, say): the security groups of the
    /// network interface that holds its address in the target group's VPC, which admit
    /// the load balancer's traffic and are admitted by the application's database.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbInstance {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub engine: String,
    #[serde(default)]
    pub engine_version: String,
    pub instance_class: String,
    pub status: String,
    pub multi_az: bool,
    pub publicly_accessible: bool,
    pub storage_encrypted: bool,
    pub backup_retention_period: i32,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub subnet_group: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub endpoint_address: Option<String>,
    #[serde(default)]
    pub endpoint_port: Option<i32>,
    /// The DB cluster (Aurora, or a Multi-AZ DB cluster) this instance is a member of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// For a read replica, its source (an identifier in the same region, an ARN across
    /// regions): a replica is its source's copy and is judged with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_source: Option<String>,
    /// Its tags (which tell a CloudFormation stack's or Elastic Beanstalk's resources).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An Aurora cluster or a Multi-AZ DB cluster: its zone redundancy comes from its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbCluster {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub engine: String,
    #[serde(default)]
    pub engine_version: String,
    /// `provisioned`, `serverless`, … (Aurora); empty when AWS gives none.
    #[serde(default)]
    pub engine_mode: String,
    pub status: String,
    /// AWS's own flag: true when the cluster has instances in more than one zone.
    pub multi_az: bool,
    /// Set only for Multi-AZ DB clusters (non-Aurora, one writer and two readers).
    #[serde(default)]
    pub instance_class: Option<String>,
    pub storage_encrypted: bool,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub subnet_group: Option<String>,
    /// Zones the cluster's storage spans (not where its instances run).
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub members: Vec<DbClusterMember>,
    /// For a replica cluster (cross-region, or a global database's secondary), its source
    /// cluster's ARN or the global database's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_source: Option<String>,
    #[serde(default)]
    pub endpoint_address: Option<String>,
    #[serde(default)]
    pub endpoint_port: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbClusterMember {
    pub instance_id: String,
    pub writer: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbSubnetGroup {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub vpc_id: String,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub availability_zones: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostedZone {
    /// Without the `/hostedzone/` prefix.
    pub id: String,
    /// Fully qualified, with the trailing dot.
    pub name: String,
    pub private: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSet {
    pub zone_id: String,
    /// Fully qualified, with the trailing dot.
    pub name: String,
    pub record_type: String,
    #[serde(default)]
    pub ttl: Option<i64>,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub alias_target: Option<AliasTarget>,
    /// Routing-policy identifier of weighted/latency/failover records.
    #[serde(default)]
    pub set_identifier: Option<String>,
}

/// A CloudFront distribution: users reach its domain (or its aliases), and it reaches its
/// origins, a load balancer among them when it fronts one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    /// The domain CloudFront gives it: `d111111abcdef8.cloudfront.net`.
    pub domain_name: String,
    /// Alternate domain names (CNAMEs) it answers for.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Its origins' domain names (a load balancer's DNS name, a bucket's endpoint).
    #[serde(default)]
    pub origins: Vec<String>,
    /// A disabled distribution serves nothing.
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasTarget {
    pub dns_name: String,
    pub hosted_zone_id: String,
    pub evaluate_target_health: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: String,
    pub region: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub metric_name: Option<String>,
    /// `Average`, `Maximum`, … (or an extended statistic such as `p90`).
    #[serde(default)]
    pub statistic: Option<String>,
    #[serde(default)]
    pub period: Option<i32>,
    pub evaluation_periods: i32,
    #[serde(default)]
    pub threshold: Option<f64>,
    pub comparison_operator: String,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    #[serde(default)]
    pub ok_actions: Vec<String>,
    #[serde(default)]
    pub insufficient_data_actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    pub arn: String,
    pub region: String,
    pub name: String,
    #[serde(default)]
    pub subscriptions: Vec<SnsSubscription>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsSubscription {
    /// `PendingConfirmation` while the subscription is unconfirmed (AWS's own marker).
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
    pub confirmed: bool,
}

impl Inventory {
    /// An empty inventory of the current schema version.
    pub fn new(account_id: impl Into<String>, regions: Vec<String>) -> Self {
        Inventory {
            schema_version: SCHEMA_VERSION,
            account_id: account_id.into(),
            regions,
            ..Default::default()
        }
    }

    /// Moves every resource and warning of `other` into `self`.
    pub fn absorb(&mut self, other: Inventory) {
        // Destructured whole: a collection added to the inventory and not absorbed here
        // does not compile.
        macro_rules! absorb {
            ($($field:ident),*) => {
                let Inventory {
                    schema_version: _,
                    account_id: _,
                    regions: _,
                    collected_at: _,
                    $($field),*
                } = other;
                $( self.$field.extend($field); )*
            };
        }
        absorb!(
            warnings,
            vpcs,
            subnets,
            route_tables,
            internet_gateways,
            nat_gateways,
            security_groups,
            instances,
            images,
            launch_templates,
            launch_configurations,
            auto_scaling_groups,
            scaling_policies,
            load_balancers,
            classic_load_balancers,
            listeners,
            target_groups,
            db_instances,
            db_clusters,
            db_subnet_groups,
            hosted_zones,
            record_sets,
            metric_alarms,
            sns_topics,
            distributions,
            sources
        );
    }

    /// Puts every list (and every list inside a resource) in a stable order, so that two
    /// collections of the same account are identical whatever order AWS answered in.
    pub fn normalize(&mut self) {
        fn by<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
            items.sort_by_key(|item| key(item));
        }
        self.regions.sort();
        self.regions.dedup();
        self.warnings.sort();
        self.warnings.dedup();
        by(&mut self.vpcs, |v| (v.region.clone(), v.id.clone()));
        by(&mut self.subnets, |s| (s.region.clone(), s.id.clone()));
        for table in &mut self.route_tables {
            table.subnet_ids.sort();
            table.routes.sort();
        }
        by(&mut self.route_tables, |t| (t.region.clone(), t.id.clone()));
        for gateway in &mut self.internet_gateways {
            gateway.vpc_ids.sort();
        }
        by(&mut self.internet_gateways, |g| {
            (g.region.clone(), g.id.clone())
        });
        by(&mut self.nat_gateways, |g| (g.region.clone(), g.id.clone()));
        for group in &mut self.security_groups {
            group.ingress.sort();
            group.ingress.dedup();
            group.egress.sort();
            group.egress.dedup();
        }
        by(&mut self.security_groups, |g| {
            (g.region.clone(), g.id.clone())
        });
        for instance in &mut self.instances {
            instance.security_group_ids.sort();
            instance.security_group_ids.dedup();
        }
        by(&mut self.instances, |i| (i.region.clone(), i.id.clone()));
        by(&mut self.images, |i| (i.region.clone(), i.id.clone()));
        for template in &mut self.launch_templates {
            template.versions.sort_by_key(|v| v.version_number);
            template.versions.dedup_by_key(|v| v.version_number);
            for version in &mut template.versions {
                version.security_group_ids.sort();
            }
        }
        by(&mut self.launch_templates, |t| {
            (t.region.clone(), t.id.clone())
        });
        for config in &mut self.launch_configurations {
            config.security_group_ids.sort();
        }
        by(&mut self.launch_configurations, |c| {
            (c.region.clone(), c.name.clone())
        });
        for group in &mut self.auto_scaling_groups {
            group.availability_zones.sort();
            group.subnet_ids.sort();
            group.target_group_arns.sort();
            group.load_balancer_names.sort();
            group.instance_ids.sort();
        }
        by(&mut self.auto_scaling_groups, |g| {
            (g.region.clone(), g.name.clone())
        });
        by(&mut self.scaling_policies, |p| {
            (p.region.clone(), p.arn.clone())
        });
        for balancer in &mut self.load_balancers {
            balancer.availability_zones.sort();
            balancer.subnet_ids.sort();
            balancer.security_group_ids.sort();
        }
        by(&mut self.load_balancers, |b| {
            (b.region.clone(), b.arn.clone())
        });
        for balancer in &mut self.classic_load_balancers {
            balancer.availability_zones.sort();
            balancer.subnet_ids.sort();
            balancer.security_group_ids.sort();
            balancer.instance_ids.sort();
            balancer.listeners.sort_by_key(|l| l.port);
        }
        by(&mut self.classic_load_balancers, |b| {
            (b.region.clone(), b.arn.clone())
        });
        for listener in &mut self.listeners {
            listener.certificate_arns.sort();
        }
        by(&mut self.listeners, |l| (l.region.clone(), l.arn.clone()));
        for group in &mut self.target_groups {
            group.load_balancer_arns.sort();
            group
                .targets
                .sort_by(|a, b| (&a.id, a.port).cmp(&(&b.id, b.port)));
        }
        by(&mut self.target_groups, |g| {
            (g.region.clone(), g.arn.clone())
        });
        for db in &mut self.db_instances {
            db.security_group_ids.sort();
        }
        by(&mut self.db_instances, |d| (d.region.clone(), d.id.clone()));
        for cluster in &mut self.db_clusters {
            cluster.security_group_ids.sort();
            cluster.availability_zones.sort();
            cluster.members.sort();
        }
        by(&mut self.db_clusters, |c| (c.region.clone(), c.id.clone()));
        for group in &mut self.db_subnet_groups {
            group.subnet_ids.sort();
            group.availability_zones.sort();
            group.availability_zones.dedup();
        }
        by(&mut self.db_subnet_groups, |g| {
            (g.region.clone(), g.name.clone())
        });
        by(&mut self.hosted_zones, |z| z.id.clone());
        for distribution in &mut self.distributions {
            distribution.aliases.sort();
            distribution.origins.sort();
        }
        by(&mut self.distributions, |d| d.id.clone());
        by(&mut self.record_sets, |r| {
            (
                r.zone_id.clone(),
                r.name.clone(),
                r.record_type.clone(),
                r.set_identifier.clone(),
            )
        });
        for alarm in &mut self.metric_alarms {
            alarm.alarm_actions.sort();
            alarm.ok_actions.sort();
            alarm.insufficient_data_actions.sort();
        }
        by(&mut self.metric_alarms, |a| {
            (a.region.clone(), a.name.clone())
        });
        for topic in &mut self.sns_topics {
            topic.subscriptions.sort();
        }
        by(&mut self.sns_topics, |t| t.arn.clone());
    }

    /// Sets [`Subnet::public`]: a subnet is public when the route table that governs it (its
    /// explicit association, else its VPC's main table) routes a default route to an
    /// internet gateway.
    pub fn derive_subnet_publicity(&mut self) {
        let routes_to_igw = |table: &RouteTable| {
            table.routes.iter().any(|r| {
                (r.destination == "0.0.0.0/0" || r.destination == "::/0")
                    && r.target.starts_with("igw-")
            })
        };
        for subnet in &mut self.subnets {
            let explicit = self
                .route_tables
                .iter()
                .find(|t| t.region == subnet.region && t.subnet_ids.contains(&subnet.id));
            let governing = explicit.or_else(|| {
                self.route_tables
                    .iter()
                    .find(|t| t.region == subnet.region && t.vpc_id == subnet.vpc_id && t.main)
            });
            subnet.public = governing.is_some_and(routes_to_igw);
        }
    }

    /// Counts of each resource kind, in a fixed order (for summaries and reports).
    pub fn resource_counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts = Vec::new();
        macro_rules! count {
            ($name:literal, $items:expr) => {
                counts.push(($name, $items.len()))
            };
        }
        for_each_collection!(self, count);
        counts
    }
}

/// What every inventory resource can say about itself, for findings and lookups.
pub trait Resource: Serialize {
    /// Singular snake-case kind used by policies, e.g. `security_group`.
    const KIND: &'static str;
    /// CloudFormation-style type, e.g. `AWS::EC2::SecurityGroup`.
    const TYPE: &'static str;
    /// The id a person would use to name it.
    fn display_id(&self) -> String;
    /// Its ARN, synthesised from the account for EC2 resources, which have none in the API.
    fn arn(&self, account_id: &str) -> String;
    /// Its region (`global` for Route 53).
    fn region(&self) -> &str;
}

macro_rules! ec2_resource {
    ($ty:ty, $kind:literal, $cfn:literal, $arn_kind:literal) => {
        impl Resource for $ty {
            const KIND: &'static str = $kind;
            const TYPE: &'static str = $cfn;
            fn display_id(&self) -> String {
                self.id.clone()
            }
            fn arn(&self, account_id: &str) -> String {
                format!(
                    "arn:aws:ec2:{}:{}:{}/{}",
                    self.region, account_id, $arn_kind, self.id
                )
            }
            fn region(&self) -> &str {
                &self.region
            }
        }
    };
}

ec2_resource!(Vpc, "vpc", "AWS::EC2::VPC", "vpc");
ec2_resource!(Subnet, "subnet", "AWS::EC2::Subnet", "subnet");
ec2_resource!(
    RouteTable,
    "route_table",
    "AWS::EC2::RouteTable",
    "route-table"
);
ec2_resource!(
    InternetGateway,
    "internet_gateway",
    "AWS::EC2::InternetGateway",
    "internet-gateway"
);
ec2_resource!(
    NatGateway,
    "nat_gateway",
    "AWS::EC2::NatGateway",
    "natgateway"
);
ec2_resource!(
    SecurityGroup,
    "security_group",
    "AWS::EC2::SecurityGroup",
    "security-group"
);
ec2_resource!(Instance, "instance", "AWS::EC2::Instance", "instance");
ec2_resource!(Image, "image", "AWS::EC2::Image", "image");
ec2_resource!(
    LaunchTemplate,
    "launch_template",
    "AWS::EC2::LaunchTemplate",
    "launch-template"
);

/// Resources whose API gives an ARN; `$id` names the field people use.
macro_rules! arn_resource {
    ($ty:ty, $kind:literal, $cfn:literal, $id:ident) => {
        impl Resource for $ty {
            const KIND: &'static str = $kind;
            const TYPE: &'static str = $cfn;
            fn display_id(&self) -> String {
                self.$id.clone()
            }
            fn arn(&self, _account_id: &str) -> String {
                self.arn.clone()
            }
            fn region(&self) -> &str {
                &self.region
            }
        }
    };
}

arn_resource!(
    LaunchConfiguration,
    "launch_configuration",
    "AWS::AutoScaling::LaunchConfiguration",
    name
);
arn_resource!(
    AutoScalingGroup,
    "auto_scaling_group",
    "AWS::AutoScaling::AutoScalingGroup",
    name
);
arn_resource!(
    ScalingPolicy,
    "scaling_policy",
    "AWS::AutoScaling::ScalingPolicy",
    name
);
arn_resource!(
    LoadBalancer,
    "load_balancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    name
);
arn_resource!(
    ClassicLoadBalancer,
    "classic_load_balancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    name
);
arn_resource!(
    Listener,
    "listener",
    "AWS::ElasticLoadBalancingV2::Listener",
    arn
);
arn_resource!(
    TargetGroup,
    "target_group",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    name
);
arn_resource!(DbInstance, "db_instance", "AWS::RDS::DBInstance", id);
arn_resource!(DbCluster, "db_cluster", "AWS::RDS::DBCluster", id);
arn_resource!(
    DbSubnetGroup,
    "db_subnet_group",
    "AWS::RDS::DBSubnetGroup",
    name
);
arn_resource!(MetricAlarm, "metric_alarm", "AWS::CloudWatch::Alarm", name);
arn_resource!(SnsTopic, "sns_topic", "AWS::SNS::Topic", name);

impl Resource for HostedZone {
    const KIND: &'static str = "hosted_zone";
    const TYPE: &'static str = "AWS::Route53::HostedZone";
    fn display_id(&self) -> String {
        self.id.clone()
    }
    fn arn(&self, _account_id: &str) -> String {
        format!("arn:aws:route53:::hostedzone/{}", self.id)
    }
    fn region(&self) -> &str {
        GLOBAL_REGION
    }
}

impl Resource for Distribution {
    const KIND: &'static str = "distribution";
    const TYPE: &'static str = "AWS::CloudFront::Distribution";
    fn display_id(&self) -> String {
        self.id.clone()
    }
    fn arn(&self, _account_id: &str) -> String {
        self.arn.clone()
    }
    fn region(&self) -> &str {
        GLOBAL_REGION
    }
}

impl Resource for RecordSet {
    const KIND: &'static str = "record_set";
    const TYPE: &'static str = "AWS::Route53::RecordSet";
    fn display_id(&self) -> String {
        format!("{} {}", self.name, self.record_type)
    }
    /// Record sets have no ARN; this path names the zone, record and type uniquely.
    fn arn(&self, _account_id: &str) -> String {
        format!(
            "arn:aws:route53:::hostedzone/{}/recordset/{}/{}",
            self.zone_id, self.name, self.record_type
        )
    }
    fn region(&self) -> &str {
        GLOBAL_REGION
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, vpc: &str) -> Subnet {
        Subnet {
            id: id.into(),
            region: "us-east-1".into(),
            vpc_id: vpc.into(),
            availability_zone: "us-east-1a".into(),
            cidr_block: "10.0.0.0/24".into(),
            map_public_ip_on_launch: false,
            public: false,
            tags: Tags::new(),
        }
    }

    fn table(id: &str, main: bool, subnets: &[&str], default_target: &str) -> RouteTable {
        RouteTable {
            id: id.into(),
            region: "us-east-1".into(),
            vpc_id: "vpc-1".into(),
            main,
            subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
            routes: vec![
                Route {
                    destination: "10.0.0.0/16".into(),
                    target: "local".into(),
                },
                Route {
                    destination: "0.0.0.0/0".into(),
                    target: default_target.into(),
                },
            ],
            tags: Tags::new(),
        }
    }

    #[test]
    fn explicit_association_wins_over_the_main_table() {
        let mut inventory = Inventory::new("1", vec![]);
        inventory.subnets = vec![subnet("subnet-a", "vpc-1"), subnet("subnet-b", "vpc-1")];
        inventory.route_tables = vec![
            table("rtb-main", true, &[], "igw-1"),
            table("rtb-private", false, &["subnet-b"], "nat-1"),
        ];
        inventory.derive_subnet_publicity();
        assert!(inventory.subnets[0].public, "main table routes to an IGW");
        assert!(
            !inventory.subnets[1].public,
            "explicit table routes to a NAT gateway"
        );
    }

    #[test]
    fn a_subnet_without_any_table_is_private() {
        let mut inventory = Inventory::new("1", vec![]);
        inventory.subnets = vec![subnet("subnet-a", "vpc-2")];
        inventory.route_tables = vec![table("rtb-main", true, &[], "igw-1")];
        inventory.derive_subnet_publicity();
        assert!(!inventory.subnets[0].public);
    }

    #[test]
    fn only_an_available_public_nat_gateway_reaches_the_internet() {
        let gateway = |state: &str, private: bool| NatGateway {
            id: "nat-1".into(),
            region: "us-east-1".into(),
            vpc_id: "vpc-1".into(),
            subnet_id: "subnet-1".into(),
            state: state.into(),
            private,
            tags: Tags::new(),
        };
        assert!(gateway("available", false).reaches_internet());
        assert!(gateway("pending", false).reaches_internet());
        assert!(!gateway("available", true).reaches_internet());
        for gone in ["failed", "deleting", "deleted"] {
            assert!(!gateway(gone, false).reaches_internet(), "{gone}");
        }
    }

    #[test]
    fn scaling_direction_comes_from_simple_or_step_adjustment() {
        let mut policy = ScalingPolicy {
            name: "p".into(),
            arn: "arn".into(),
            region: "r".into(),
            auto_scaling_group: "g".into(),
            policy_type: "SimpleScaling".into(),
            adjustment_type: Some("ChangeInCapacity".into()),
            scaling_adjustment: Some(-1),
            step_adjustments: vec![],
            target_tracking: None,
            disabled: false,
        };
        assert_eq!(policy.direction(), -1);
        policy.scaling_adjustment = None;
        policy.step_adjustments = vec![StepAdjustment {
            lower_bound: Some(0.0),
            upper_bound: None,
            scaling_adjustment: 2,
        }];
        assert_eq!(policy.direction(), 1);
        policy.disabled = true;
        assert_eq!(policy.direction(), 0, "a disabled policy scales nothing");
    }
}
