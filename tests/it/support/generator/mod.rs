//! The account generator of `generated.rs`: seeded compositions of the building blocks real
//! accounts are made of, each account with its truth (which rules fail on what, which paths
//! its users have), written from the rules' documentation, not computed by hacheck.

mod builders;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

pub(crate) use builders::*;

pub(crate) const REGION: &str = "us-east-1";
pub(crate) const ACCOUNT: &str = "123456789012";
pub(crate) const ZONES: [&str; 2] = ["us-east-1a", "us-east-1b"];
pub(crate) const VPC: &str = "vpc-0gen";
pub(crate) const VPC_CIDR: &str = "10.0.0.0/16";
pub(crate) const OFFICE: &str = "203.0.113.0/24";
pub(crate) const HOSTED_ZONE: &str = "Z0GEN";
/// The canonical hosted zone of load balancers in us-east-1 (ALB and NLB differ on AWS; the
/// rules compare names, so one value serves both).
pub(crate) const ELB_ZONE: &str = "Z35SXDOTRQ7X7K";

/// Every enumerated value of a field the rules read that the generator composes, named as
/// the field audit (`docs/fields.toml`) names it, with where it lands in a snapshot: the
/// collection, the field (dotted; lists are walked) and the value there. `field_audit`
/// holds this list equal to the audit's `generated` values, and checks that generated
/// accounts hold each of them.
pub(crate) const COMPOSED_ENUM_VALUES: &[(&str, &str, &str, &str)] = &[
    (
        "autoscaling.DescribePolicies:ScalingPolicies.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType=ASGAverageCPUUtilization",
        "scaling_policies",
        "target_tracking.predefined_metric",
        "ASGAverageCPUUtilization",
    ),
    (
        "autoscaling.DescribePolicies:ScalingPolicies.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType=ASGAverageCPUUtilizationHighResolution",
        "scaling_policies",
        "target_tracking.predefined_metric",
        "ASGAverageCPUUtilizationHighResolution",
    ),
    (
        "autoscaling.DescribePolicies:ScalingPolicies.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType=ASGAverageNetworkIn",
        "scaling_policies",
        "target_tracking.predefined_metric",
        "ASGAverageNetworkIn",
    ),
    (
        "autoscaling.DescribePolicies:ScalingPolicies.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType=ASGAverageNetworkOut",
        "scaling_policies",
        "target_tracking.predefined_metric",
        "ASGAverageNetworkOut",
    ),
    (
        "autoscaling.DescribePolicies:ScalingPolicies.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType=ALBRequestCountPerTarget",
        "scaling_policies",
        "target_tracking.predefined_metric",
        "ALBRequestCountPerTarget",
    ),
    (
        "cloudwatch.DescribeAlarms:MetricAlarms.Statistic=Average",
        "metric_alarms",
        "statistic",
        "Average",
    ),
    (
        "cloudwatch.DescribeAlarms:MetricAlarms.Statistic=Sum",
        "metric_alarms",
        "statistic",
        "Sum",
    ),
    (
        "cloudwatch.DescribeAlarms:MetricAlarms.ComparisonOperator=GreaterThanThreshold",
        "metric_alarms",
        "comparison_operator",
        "GreaterThanThreshold",
    ),
    (
        "cloudwatch.DescribeAlarms:MetricAlarms.ComparisonOperator=LessThanThreshold",
        "metric_alarms",
        "comparison_operator",
        "LessThanThreshold",
    ),
    (
        "cloudwatch.DescribeAlarms:MetricAlarms.ComparisonOperator=GreaterThanOrEqualToThreshold",
        "metric_alarms",
        "comparison_operator",
        "GreaterThanOrEqualToThreshold",
    ),
    (
        "cloudwatch.DescribeAlarms:MetricAlarms.ComparisonOperator=LessThanOrEqualToThreshold",
        "metric_alarms",
        "comparison_operator",
        "LessThanOrEqualToThreshold",
    ),
    (
        "ec2.DescribeImages:Images.State=available",
        "images",
        "state",
        "available",
    ),
    (
        "ec2.DescribeInstances:Reservations.Instances.State.Name=running",
        "instances",
        "state",
        "running",
    ),
    (
        "ec2.DescribeNatGateways:NatGateways.State=available",
        "nat_gateways",
        "state",
        "available",
    ),
    (
        "elbv2.DescribeListeners:Listeners.Protocol=HTTP",
        "listeners",
        "protocol",
        "HTTP",
    ),
    (
        "elbv2.DescribeListeners:Listeners.Protocol=HTTPS",
        "listeners",
        "protocol",
        "HTTPS",
    ),
    (
        "elbv2.DescribeListeners:Listeners.Protocol=TCP",
        "listeners",
        "protocol",
        "TCP",
    ),
    (
        "elbv2.DescribeListeners:Listeners.Protocol=TLS",
        "listeners",
        "protocol",
        "TLS",
    ),
    (
        "elbv2.DescribeListeners:Listeners.DefaultActions.Type=forward",
        "listeners",
        "default_actions.action_type",
        "forward",
    ),
    (
        "elbv2.DescribeListeners:Listeners.DefaultActions.Type=redirect",
        "listeners",
        "default_actions.action_type",
        "redirect",
    ),
    (
        "elbv2.DescribeListeners:Listeners.DefaultActions.Type=fixed-response",
        "listeners",
        "default_actions.action_type",
        "fixed-response",
    ),
    (
        "elbv2.DescribeLoadBalancers:LoadBalancers.Scheme=internet-facing",
        "load_balancers",
        "scheme",
        "internet-facing",
    ),
    (
        "elbv2.DescribeLoadBalancers:LoadBalancers.Scheme=internal",
        "load_balancers",
        "scheme",
        "internal",
    ),
    (
        "elbv2.DescribeLoadBalancers:LoadBalancers.Type=application",
        "load_balancers",
        "lb_type",
        "application",
    ),
    (
        "elbv2.DescribeLoadBalancers:LoadBalancers.Type=network",
        "load_balancers",
        "lb_type",
        "network",
    ),
    (
        "elbv2.DescribeRules:Rules.Actions.Type=forward",
        "listeners",
        "rules.actions.action_type",
        "forward",
    ),
    (
        "elbv2.DescribeTargetGroups:TargetGroups.Protocol=HTTP",
        "target_groups",
        "protocol",
        "HTTP",
    ),
    (
        "elbv2.DescribeTargetGroups:TargetGroups.Protocol=TCP",
        "target_groups",
        "protocol",
        "TCP",
    ),
    (
        "elbv2.DescribeTargetGroups:TargetGroups.TargetType=instance",
        "target_groups",
        "target_type",
        "instance",
    ),
    (
        "elbv2.DescribeTargetGroups:TargetGroups.TargetType=ip",
        "target_groups",
        "target_type",
        "ip",
    ),
    (
        "elbv2.DescribeTargetGroups:TargetGroups.TargetType=lambda",
        "target_groups",
        "target_type",
        "lambda",
    ),
    (
        "elbv2.DescribeTargetHealth:TargetHealthDescriptions.TargetHealth.State=healthy",
        "target_groups",
        "targets.health",
        "healthy",
    ),
    (
        "route53.ListResourceRecordSets:ResourceRecordSets.Type=A",
        "record_sets",
        "record_type",
        "A",
    ),
    (
        "route53.ListResourceRecordSets:ResourceRecordSets.Type=AAAA",
        "record_sets",
        "record_type",
        "AAAA",
    ),
];

/// The values at dotted `field` of `item`, walking lists.
pub(crate) fn values_at<'v>(item: &'v Value, field: &str) -> Vec<&'v Value> {
    let mut found = vec![item];
    for part in field.split('.') {
        found = found
            .into_iter()
            .flat_map(|value| match value {
                Value::Array(items) => items.iter().filter_map(|i| i.get(part)).collect(),
                other => other.get(part).into_iter().collect::<Vec<_>>(),
            })
            .flat_map(|value| match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            })
            .collect();
    }
    found
}

/// The audit names of the composed enum values that `accounts` generated accounts (from the
/// CI seed) hold.
pub(crate) fn composed_enum_values_found(accounts: u64) -> BTreeSet<&'static str> {
    let mut found = BTreeSet::new();
    for n in 0..accounts {
        let (_, account) = generate(&mut Rng(20_261_202 + n));
        for (name, collection, field, value) in COMPOSED_ENUM_VALUES {
            let held = account.collections.get(collection).is_some_and(|items| {
                items.iter().any(|item| {
                    values_at(item, field)
                        .iter()
                        .any(|v| v.as_str() == Some(value))
                })
            });
            if held {
                found.insert(*name);
            }
        }
    }
    found
}

/// splitmix64: small, seedable and the same on every machine.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LbKind {
    Alb,
    NlbWithGroups,
    NlbWithoutGroups,
    /// A Classic Load Balancer (80 and 443 to 8080) the group attaches by name.
    Classic,
}

#[derive(Debug, Clone, Copy, PartialEq)]
/// Which launch-template version the group launches.
pub(crate) enum Capacity {
    Latest,
    Default,
    Pinned,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scaling {
    /// A scale-out and a scale-in alarm, each triggering a simple scaling policy.
    Alarms,
    TargetTracking,
}

/// What the group scales on (the reference architecture: "based on the number of requests
/// coming in", CPU in its example).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Signal {
    Cpu,
    /// Target tracking only: AWS's high-resolution CPU metric.
    CpuHighResolution,
    /// The load balancer's requests per target (application load balancers only).
    RequestCount,
    /// Target tracking only.
    NetworkIn,
    /// Target tracking only.
    NetworkOut,
    /// The CloudWatch agent's memory metric (a customized metric for target tracking).
    Memory,
}

/// What an application load balancer's target group holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Backend {
    /// The Auto Scaling group's instances (or instances registered by hand).
    Group,
    /// A container service's tasks: addresses in the private subnets of both zones.
    IpTargets,
    Lambda,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Database {
    MultiAzInstance,
    Aurora,
    MultiAzCluster,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Violation {
    OneZoneGroup,
    SmallGroup,
    Ec2HealthCheck,
    PublicLaunch,
    LaunchConfiguration,
    SingleZoneDatabase,
    PublicDatabase,
    NoScaleOut,
    NoScaleIn,
    UnconfirmedTopic,
    WorldIngress,
    SshFromWorld,
    NoAliasRecord,
    /// A Classic Load Balancer's cross-zone balancing off (Classic applications only).
    CrossZoneOff,
}

pub(crate) const VIOLATIONS: [Violation; 14] = [
    Violation::OneZoneGroup,
    Violation::SmallGroup,
    Violation::Ec2HealthCheck,
    Violation::PublicLaunch,
    Violation::LaunchConfiguration,
    Violation::SingleZoneDatabase,
    Violation::PublicDatabase,
    Violation::NoScaleOut,
    Violation::NoScaleIn,
    Violation::UnconfirmedTopic,
    Violation::WorldIngress,
    Violation::SshFromWorld,
    Violation::NoAliasRecord,
    Violation::CrossZoneOff,
];

#[derive(Debug)]
pub(crate) struct AppPlan {
    pub(crate) name: String,
    pub(crate) lb: LbKind,
    pub(crate) capacity: Capacity,
    pub(crate) scaling: Scaling,
    /// Index into the account's databases.
    pub(crate) database: usize,
    pub(crate) violations: Vec<Violation>,
    /// Targets registered by hand (two instances, one per zone) instead of a group.
    pub(crate) registered: bool,
    pub(crate) backend: Backend,
    pub(crate) signal: Signal,
    /// Alarms compare with `…OrEqualToThreshold`.
    pub(crate) inclusive: bool,
    /// An alarm on the group's failed status checks notifying the topic (alarm scaling
    /// only): `Some(false)` leaves its actions disabled (HA025).
    pub(crate) status_alarm: Option<bool>,
    /// A Classic Load Balancer's connection draining off (HA027).
    pub(crate) draining_off: bool,
    /// The group's AMI is gone: AWS no longer returns it (HA029).
    pub(crate) image_gone: bool,
    /// A Network Load Balancer in one zone's subnet only (HA028; losing that zone takes
    /// every node: HA018).
    pub(crate) lb_one_zone: bool,
    /// The group also names a target group (a Classic Load Balancer, for a Classic
    /// application) that was deleted since (HA030).
    pub(crate) stale_load_balancer: bool,
    /// The group's two zones, and both its instances in the first (HA033; losing that zone
    /// leaves nothing serving until replacements launch: HA018).
    pub(crate) unbalanced: bool,
    /// The key pair its launch template names was deleted since (HA035); the others name
    /// one that exists.
    pub(crate) key_gone: bool,
}

#[derive(Debug)]
pub(crate) struct Composition {
    pub(crate) apps: Vec<AppPlan>,
    pub(crate) databases: Vec<(
        Database,
        bool, /* single zone */
        bool, /* public */
    )>,
    pub(crate) bastion_tagged: bool,
    /// The bastion runs in a one-instance Auto Scaling group of its own.
    pub(crate) bastion_in_group: bool,
    pub(crate) no_bastion: bool,
    pub(crate) public_instance_port: Option<(&'static str, i32)>,
    pub(crate) public_instance_record: bool,
    /// A second public server in the first one's security group, in the other zone.
    pub(crate) public_instance_pair: bool,
    pub(crate) eks_nodes: bool,
    pub(crate) worker: bool,
    pub(crate) nat_instance: bool,
    /// Per database: a standalone instance keeping no automated backups (HA020).
    pub(crate) without_backups: Vec<bool>,
    /// Per database: an RDS event subscription covers it (else HA031 fails, as it does
    /// at AWS's default of none).
    pub(crate) events_subscribed: Vec<bool>,
}

impl Composition {
    pub(crate) fn generate(rng: &mut Rng) -> Composition {
        let mut composition = Self::draw(rng);
        // Drawn last, so that the shapes above stay those of earlier seeds.
        composition.bastion_in_group = rng.chance(30);
        for app in &mut composition.apps {
            app.registered = app.lb != LbKind::Classic && rng.chance(15);
            if app.registered {
                // No group: only what the load balancer, the instances and the name can get
                // wrong.
                app.violations.retain(|v| {
                    matches!(
                        v,
                        Violation::WorldIngress
                            | Violation::SshFromWorld
                            | Violation::NoAliasRecord
                    )
                });
            }
        }
        for app in &mut composition.apps {
            app.backend = if app.lb == LbKind::Alb && !app.registered {
                match rng.below(10) {
                    0 => Backend::IpTargets,
                    1 => Backend::Lambda,
                    _ => Backend::Group,
                }
            } else {
                Backend::Group
            };
            if app.backend != Backend::Group {
                // No group and no instances: only the load balancer and the name.
                app.violations.retain(|v| *v == Violation::NoAliasRecord);
            }
            let alb = app.lb == LbKind::Alb;
            app.signal = match (app.scaling, rng.below(10)) {
                (_, 0..=4) => Signal::Cpu,
                (_, 5 | 6) if alb => Signal::RequestCount,
                (_, 5 | 6) => Signal::Memory,
                (Scaling::Alarms, _) => Signal::Memory,
                (Scaling::TargetTracking, 7) => Signal::CpuHighResolution,
                (Scaling::TargetTracking, 8) => Signal::NetworkIn,
                (Scaling::TargetTracking, _) => rng.pick(&[Signal::NetworkOut, Signal::Memory]),
            };
            app.inclusive = rng.chance(20);
        }
        composition.without_backups = composition
            .databases
            .iter()
            .map(|(kind, ..)| *kind == Database::MultiAzInstance && rng.chance(20))
            .collect();
        for app in &mut composition.apps {
            let grouped = app.backend == Backend::Group && !app.registered;
            app.status_alarm = (grouped && app.scaling == Scaling::Alarms && rng.chance(30))
                .then(|| !rng.chance(50));
            app.draining_off = app.lb == LbKind::Classic && rng.chance(30);
        }
        for app in &mut composition.apps {
            let grouped = app.backend == Backend::Group && !app.registered;
            app.image_gone = grouped && rng.chance(10);
            let nlb = matches!(app.lb, LbKind::NlbWithGroups | LbKind::NlbWithoutGroups);
            app.lb_one_zone = nlb && rng.chance(15);
        }
        for app in &mut composition.apps {
            let grouped = app.backend == Backend::Group && !app.registered;
            app.stale_load_balancer = grouped && rng.chance(10);
            app.unbalanced = grouped
                && !app.violations.contains(&Violation::SmallGroup)
                && !app.violations.contains(&Violation::OneZoneGroup)
                && rng.chance(15);
            app.key_gone = grouped && rng.chance(10);
        }
        composition.events_subscribed = composition
            .databases
            .iter()
            .map(|_| rng.chance(50))
            .collect();
        composition
    }

    pub(crate) fn draw(rng: &mut Rng) -> Composition {
        let app_count = 1 + rng.below(3);
        let database_count = 1 + rng.below(app_count);
        let databases = (0..database_count)
            .map(|_| {
                let kind = rng.pick(&[
                    Database::MultiAzInstance,
                    Database::Aurora,
                    Database::MultiAzCluster,
                ]);
                // A Multi-AZ DB cluster has three zones by construction; a public cluster is
                // not generated (its members carry the flag).
                let single = kind != Database::MultiAzCluster && rng.chance(15);
                let public = kind == Database::MultiAzInstance && rng.chance(15);
                (kind, single, public)
            })
            .collect();
        let apps = (0..app_count)
            .map(|k| {
                let lb = rng.pick(&[
                    LbKind::Alb,
                    LbKind::NlbWithGroups,
                    LbKind::NlbWithoutGroups,
                    LbKind::Classic,
                ]);
                let scaling = rng.pick(&[Scaling::Alarms, Scaling::TargetTracking]);
                let mut violations: Vec<Violation> = VIOLATIONS
                    .iter()
                    .copied()
                    .filter(|v| {
                        !matches!(v, Violation::SingleZoneDatabase | Violation::PublicDatabase)
                    })
                    .filter(|_| rng.chance(12))
                    .collect();
                if lb != LbKind::Classic {
                    violations.retain(|v| *v != Violation::CrossZoneOff);
                }
                if scaling == Scaling::TargetTracking {
                    // Without alarms there is no topic to leave unconfirmed.
                    violations.retain(|v| *v != Violation::UnconfirmedTopic);
                }
                if violations.contains(&Violation::SmallGroup) {
                    violations.retain(|v| *v != Violation::OneZoneGroup);
                }
                AppPlan {
                    name: format!("app{k}"),
                    lb,
                    capacity: rng.pick(&[Capacity::Latest, Capacity::Default, Capacity::Pinned]),
                    scaling,
                    database: rng.below(database_count),
                    violations,
                    registered: false,
                    backend: Backend::Group,
                    signal: Signal::Cpu,
                    inclusive: false,
                    status_alarm: None,
                    draining_off: false,
                    image_gone: false,
                    lb_one_zone: false,
                    stale_load_balancer: false,
                    unbalanced: false,
                    key_gone: false,
                }
            })
            .collect();
        Composition {
            apps,
            databases,
            bastion_tagged: rng.chance(50),
            bastion_in_group: false,
            no_bastion: rng.chance(10),
            public_instance_port: rng.chance(20).then(|| {
                rng.pick(&[
                    ("tcp", 80),
                    ("tcp", 443),
                    ("tcp", 8080),
                    ("tcp", 3000),
                    ("udp", 5000),
                ])
            }),
            public_instance_record: rng.chance(50),
            public_instance_pair: rng.chance(50),
            eks_nodes: rng.chance(30),
            worker: rng.chance(30),
            nat_instance: rng.chance(20),
            without_backups: Vec::new(),
            events_subscribed: Vec::new(),
        }
    }
}

/// A generated account: the snapshot document and its truth.
#[derive(Default)]
pub(crate) struct Account {
    pub(crate) collections: BTreeMap<&'static str, Vec<Value>>,
    /// `RULE resource` of every failure the injected violations cause.
    pub(crate) expected: BTreeSet<String>,
    /// Every path by which users reach the applications built, as `hacheck apps` says it,
    /// up to the serving group (or the public instance).
    pub(crate) paths: BTreeSet<String>,
}

impl Account {
    pub(crate) fn add(&mut self, collection: &'static str, value: Value) {
        self.collections.entry(collection).or_default().push(value);
    }

    pub(crate) fn expect(&mut self, rule: &str, resource: &str) {
        self.expected.insert(format!("{rule} {resource}"));
    }

    pub(crate) fn snapshot(&self) -> Value {
        let mut document = json!({
            "schema_version": 2,
            "account_id": ACCOUNT,
            "regions": [REGION],
            "collected_at": "2026-12-01T00:00:00Z",
            "warnings": [],
        });
        // Every collection the generator filled; the others default to empty.
        for (name, values) in &self.collections {
            document[*name] = Value::Array(values.clone());
        }
        document
    }
}
