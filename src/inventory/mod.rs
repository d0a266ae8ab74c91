//! The typed inventory of an AWS account: everything the high-availability rules look at.
//!
//! The inventory is plain data. The collectors (`crate::collect`) fill it from a live account;
//! a snapshot file holds the same data as versioned JSON (`crate::snapshot`). Policies, the
//! planner and the reporters read only this model, never the AWS SDK, so they test offline.
//!
//! The resource types live one file per service, as their collectors in `collect/` do; this
//! file holds the inventory itself, its one list of collections and what every resource is
//! (`Resource`).
//!
//! Every list is kept in a deterministic order (see [`Inventory::normalize`]) so that two
//! collections of the same account serialise byte for byte alike.

use std::collections::BTreeMap;

mod autoscaling;
mod cloudfront;
mod cloudwatch;
pub mod dns;
mod ec2;
mod elb;
pub mod index;
mod rds;
mod route53;
mod sns;
pub mod source;

pub use autoscaling::*;
pub use cloudfront::*;
pub use cloudwatch::*;
pub use dns::normalize_dns;
pub use ec2::*;
pub use elb::*;
pub use index::{Collection, Index};
pub use rds::*;
pub use route53::*;
pub use sns::*;
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
        $visit!("event_subscriptions", &$inventory.event_subscriptions);
    };
}

/// A resource that another one names (an Auto Scaling group its load balancers, a launch
/// template its AMI), that the inventory did not hold, and that AWS said does not exist when
/// the collector asked for it by id. Such a reference fails only once AWS has said so: one
/// neither collected nor recorded here was not looked up, and rules call it `unknown`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotFound {
    pub id: String,
    pub region: String,
}

impl NotFound {
    /// Whether `list` records `id` in `region` as not found.
    pub fn listed(list: &[NotFound], region: &str, id: &str) -> bool {
        list.iter().any(|m| m.region == region && m.id == id)
    }
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
    /// AMIs that launch settings name and that DescribeImages did not return when asked by
    /// id: deregistered (AWS shows one only for a short while after), disabled, not allowed
    /// by the account's Allowed AMIs settings, or no longer shared with it. An AMI neither
    /// here nor in `images` was not looked up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_images: Vec<NotFound>,
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
    /// Classic Load Balancers that Auto Scaling groups name and that DescribeLoadBalancers
    /// answered `LoadBalancerNotFound` for (deleted); one neither here nor in
    /// `classic_load_balancers` was not looked up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_classic_load_balancers: Vec<NotFound>,
    #[serde(default)]
    pub listeners: Vec<Listener>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    /// Target groups that Auto Scaling groups name and that DescribeTargetGroups answered
    /// `TargetGroupNotFound` for (deleted); one neither here nor in `target_groups` was not
    /// looked up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_target_groups: Vec<NotFound>,
    /// Security groups that launch settings name, that the inventory does not hold and that
    /// DescribeSecurityGroups answered `InvalidGroup.NotFound` for (deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_security_groups: Vec<NotFound>,
    /// Key pairs that launch settings name and that DescribeKeyPairs answered
    /// `InvalidKeyPair.NotFound` for (deleted); the others are not collected: a name in
    /// neither was not looked up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_key_pairs: Vec<NotFound>,
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
    /// RDS event notification subscriptions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_subscriptions: Vec<EventSubscription>,
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
            missing_images,
            launch_templates,
            launch_configurations,
            auto_scaling_groups,
            scaling_policies,
            load_balancers,
            classic_load_balancers,
            missing_classic_load_balancers,
            listeners,
            target_groups,
            missing_target_groups,
            missing_security_groups,
            missing_key_pairs,
            db_instances,
            db_clusters,
            db_subnet_groups,
            hosted_zones,
            record_sets,
            metric_alarms,
            sns_topics,
            distributions,
            event_subscriptions,
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
        self.missing_images.sort();
        self.missing_target_groups.sort();
        self.missing_security_groups.sort();
        self.missing_key_pairs.sort();
        self.missing_classic_load_balancers.sort();
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
        for subscription in &mut self.event_subscriptions {
            subscription.source_ids.sort();
            subscription.event_categories.sort();
        }
        by(&mut self.event_subscriptions, |s| {
            (s.region.clone(), s.name.clone())
        });
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
arn_resource!(
    EventSubscription,
    "event_subscription",
    "AWS::RDS::EventSubscription",
    name
);

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
