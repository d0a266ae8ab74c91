//! What the loss of one Availability Zone does to each application: a pure computation over
//! the inventory and the application model, used by `hacheck whatif`, by rule HA018 and by
//! the topology diagrams.
//!
//! For every application it follows what serves a request and what keeps it running —
//! serving capacity (instances left, and whether their groups can launch replacements in the
//! zones left), load balancer nodes and healthy targets, egress through NAT gateways, the
//! database, the bastion and the scaling alarms, DNS — and gives each a [`Reason`] with its
//! [`Impact`]. The worst impact is the application's [`Verdict`]:
//!
//! - **down**: it stops serving, even for the minutes replacements take to launch and pass
//!   health checks (all instances in the lost zone), or for good (a single-AZ database there);
//! - **degraded**: it keeps serving with less than it needs and cannot recover by itself
//!   (a group that cannot launch in the zones left, egress lost through another zone's NAT);
//! - **survives**: it keeps serving, and whatever it lost is replaced automatically.
//!
//! Notes (a Multi-AZ failover's 60–120 s, SSH lost with the bastion) do not change the
//! verdict: they are facts the operator should know, not outages of the application.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::apps::{AppModel, Application, Role};
use crate::inventory::{
    AutoScalingGroup, ClassicLoadBalancer, DbCluster, DbInstance, Index, Instance, Inventory,
    LoadBalancer, RecordSet, Resource, Subnet, TargetGroup,
};

/// What losing the zone does to the application as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Survives,
    Degraded,
    Down,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Survives => "survives",
            Verdict::Degraded => "degraded",
            Verdict::Down => "down",
        }
    }
}

/// What losing the zone does to one part of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Unaffected, or replaced automatically.
    Ok,
    /// Worth knowing; the application keeps serving.
    Note,
    Degraded,
    Down,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Ok => "ok",
            Impact::Note => "note",
            Impact::Degraded => "degraded",
            Impact::Down => "down",
        }
    }
}

/// The part of the application a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Capacity,
    LoadBalancer,
    Egress,
    Database,
    Operations,
    Dns,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Capacity => "capacity",
            Area::LoadBalancer => "load balancer",
            Area::Egress => "egress",
            Area::Database => "database",
            Area::Operations => "operations",
            Area::Dns => "dns",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub area: Area,
    pub impact: Impact,
    /// The resource the reason is about (its display id).
    pub resource: String,
    /// A sentence naming the resource.
    pub message: String,
}

/// One application after the loss of one zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub application: String,
    pub lost_zone: String,
    pub verdict: Verdict,
    /// Serving capacity, once the groups have done what they can, is below a group's minimum.
    pub below_min: bool,
    pub reasons: Vec<Reason>,
}

impl Outcome {
    /// Down, or below a group's minimum capacity: what makes `whatif` exit 1.
    pub fn is_failure(&self) -> bool {
        self.verdict == Verdict::Down || self.below_min
    }
}

/// Zone-loss questions over the inventory's one index, for any number of applications and
/// zones.
pub struct Topology<'a> {
    pub(crate) index: &'a Index,
    pub(crate) inventory: &'a Inventory,
}

/// What losing any zone asks of one application, found once for all the zones tried: its
/// serving instances, its groups with theirs, and whether any path reaches it at all.
struct Serving<'a> {
    instances: Vec<&'a Instance>,
    groups: Vec<(&'a AutoScalingGroup, Vec<&'a Instance>)>,
    unreached: Option<Reason>,
}

fn is_running(instance: &Instance) -> bool {
    instance.state == "running" || instance.state == "pending"
}

/// `us-east-1a, us-east-1b`, or `no zone`.
fn zone_list<'z>(zones: impl IntoIterator<Item = &'z str>) -> String {
    let zones: Vec<&str> = zones.into_iter().collect();
    if zones.is_empty() {
        "no zone".to_owned()
    } else {
        zones.join(", ")
    }
}

/// `1 zone`, `2 zones`: a count with its noun.
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

impl<'a> Topology<'a> {
    pub fn new(index: &'a Index) -> Self {
        Topology {
            index,
            inventory: index.inventory(),
        }
    }

    /// The zones a group launches into: its subnets' zones, else its own list.
    pub fn launch_zones(&self, group: &'a AutoScalingGroup) -> BTreeSet<&'a str> {
        self.index.launch_zones(group)
    }

    /// The instances of a group that serve: running, and in service for the group (not in
    /// standby, detaching, terminating or unhealthy).
    fn group_instances(&self, group: &AutoScalingGroup) -> Vec<&'a Instance> {
        self.index
            .instances_of(group)
            .filter(|i| is_running(i) && !self.out_of_service(i))
            .collect()
    }

    /// Zones of a load balancer: as reported, else from its subnets.
    fn lb_zones(&self, lb: &'a LoadBalancer) -> BTreeSet<&'a str> {
        self.node_zones(lb, &lb.availability_zones, &lb.subnet_ids)
    }

    fn classic_zones(&self, lb: &'a ClassicLoadBalancer) -> BTreeSet<&'a str> {
        self.node_zones(lb, &lb.availability_zones, &lb.subnet_ids)
    }

    fn node_zones(
        &self,
        lb: &impl crate::inventory::Resource,
        listed: &'a [String],
        subnets: &'a [String],
    ) -> BTreeSet<&'a str> {
        let listed: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
        if !listed.is_empty() {
            return listed;
        }
        subnets
            .iter()
            .filter_map(|id| self.index.zone_of_subnet(lb, id))
            .collect()
    }

    fn app_classic_load_balancers(&self, app: &Application) -> Vec<&'a ClassicLoadBalancer> {
        self.members(app, Role::ClassicLoadBalancer)
            .filter_map(|m| self.index.by_arn::<ClassicLoadBalancer>(&m.arn))
            .collect()
    }

    fn members<'m>(
        &self,
        app: &'m Application,
        role: Role,
    ) -> impl Iterator<Item = &'m crate::apps::Member> {
        app.members.iter().filter(move |m| m.role == role)
    }

    fn app_groups(&self, app: &Application) -> Vec<&'a AutoScalingGroup> {
        self.members(app, Role::AutoScalingGroup)
            .filter_map(|m| self.index.by_arn::<AutoScalingGroup>(&m.arn))
            .collect()
    }

    fn app_instances(&self, app: &Application) -> Vec<&'a Instance> {
        self.members(app, Role::Instance)
            .filter_map(|m| self.index.by_arn::<Instance>(&m.arn))
            .filter(|i| is_running(i) && !self.out_of_service(i))
            .collect()
    }

    fn serving(&self, app: &Application) -> Serving<'a> {
        Serving {
            instances: self.app_instances(app),
            groups: self
                .app_groups(app)
                .into_iter()
                .map(|group| (group, self.group_instances(group)))
                .collect(),
            unreached: self.unreached(app),
        }
    }

    /// Whether the group that owns `instance` has it out of service.
    fn out_of_service(&self, instance: &Instance) -> bool {
        self.index
            .group_of_instance(instance)
            .is_some_and(|g| g.out_of_service.contains(&instance.id))
    }

    fn app_load_balancers(&self, app: &Application) -> Vec<&'a LoadBalancer> {
        self.members(app, Role::LoadBalancer)
            .filter_map(|m| self.index.by_arn::<LoadBalancer>(&m.arn))
            .collect()
    }

    /// Every zone the application has something in: what `--lose-az each` tries.
    pub fn app_zones(&self, app: &Application) -> BTreeSet<String> {
        let mut zones: BTreeSet<&str> = BTreeSet::new();
        for group in self.app_groups(app) {
            zones.extend(self.launch_zones(group));
        }
        for instance in self.app_instances(app) {
            zones.insert(&instance.availability_zone);
        }
        for lb in self.app_load_balancers(app) {
            zones.extend(self.lb_zones(lb));
        }
        for lb in self.app_classic_load_balancers(app) {
            zones.extend(self.classic_zones(lb));
        }
        for member in self.members(app, Role::Database) {
            if let Some(db) = self.index.by_arn::<DbInstance>(&member.arn) {
                zones.extend(db.availability_zone.as_deref());
            }
            if let Some(cluster) = self.index.by_arn::<DbCluster>(&member.arn) {
                for m in &cluster.members {
                    if let Some(db) = self.index.find_near::<DbInstance>(cluster, &m.instance_id) {
                        zones.extend(db.availability_zone.as_deref());
                    }
                }
            }
        }
        for member in self.members(app, Role::Bastion) {
            if let Some(instance) = self.index.by_arn::<Instance>(&member.arn) {
                zones.insert(&instance.availability_zone);
            }
        }
        zones.into_iter().map(str::to_owned).collect()
    }

    /// Every zone any subnet of the inventory is in: the zones one may name.
    pub fn known_zones(&self) -> BTreeSet<&'a str> {
        self.inventory
            .subnets
            .iter()
            .map(|s| s.availability_zone.as_str())
            .collect()
    }

    /// What losing `zone` does to `app`.
    pub fn lose_zone(&self, app: &Application, zone: &str) -> Outcome {
        self.outcome(app, &self.serving(app), zone)
    }

    /// What losing each of `zones` does to `app`.
    pub fn lose_zones(&self, app: &Application, zones: &[String]) -> Vec<Outcome> {
        let parts = self.serving(app);
        zones
            .iter()
            .map(|zone| self.outcome(app, &parts, zone))
            .collect()
    }

    /// What losing `zone` does to `app`, whose serving `parts` were found beforehand.
    fn outcome(&self, app: &Application, parts: &Serving<'a>, zone: &str) -> Outcome {
        let mut outcome = Outcome {
            application: app.name.clone(),
            lost_zone: zone.to_owned(),
            verdict: Verdict::Survives,
            below_min: false,
            reasons: parts.unreached.iter().cloned().collect(),
        };
        self.capacity(app, parts, zone, &mut outcome);
        self.load_balancing(app, zone, &mut outcome);
        self.egress(app, parts, zone, &mut outcome);
        self.database(app, zone, &mut outcome);
        self.operations(app, zone, &mut outcome);
        self.dns(app, zone, &mut outcome);
        outcome.verdict = match outcome.reasons.iter().map(|r| r.impact).max() {
            Some(Impact::Down) => Verdict::Down,
            Some(Impact::Degraded) => Verdict::Degraded,
            _ if outcome.below_min => Verdict::Degraded,
            _ => Verdict::Survives,
        };
        outcome
    }

    /// An application behind an internet-facing load balancer that no path reaches even
    /// before a zone is lost (its security groups let no request through to what serves
    /// it) is down whatever zone is lost: `apps` shows the same paths (`reach`). The same
    /// for every zone, so asked once per application.
    fn unreached(&self, app: &Application) -> Option<Reason> {
        let entries = crate::reach::entry_load_balancers(self.index, app);
        let entry = entries.first()?;
        if crate::reach::paths_of(self.index, app)
            .iter()
            .any(crate::reach::Path::serves)
        {
            return None;
        }
        Some(Reason {
            area: Area::LoadBalancer,
            impact: Impact::Down,
            resource: (*entry).to_owned(),
            message: format!(
                "Application {} is reached by no path from the internet even before a zone is lost: no security group on the way through load balancer {entry} lets the users' requests reach what serves it (`hacheck apps` shows its paths).",
                app.name
            ),
        })
    }

    fn capacity(&self, app: &Application, parts: &Serving<'a>, zone: &str, outcome: &mut Outcome) {
        let serving = &parts.instances;
        let serving_left = serving
            .iter()
            .filter(|i| i.availability_zone != zone)
            .count();
        let mut reasons = Vec::new();
        for (group, instances) in &parts.groups {
            let group = *group;
            let before = instances.len();
            let left = instances
                .iter()
                .filter(|i| i.availability_zone != zone)
                .count();
            let lost = before - left;
            let launch_zones = self.launch_zones(group);
            // A group whose launches or health checks are suspended replaces nothing.
            let stuck = group.suspended_processes.iter().find(|p| {
                matches!(
                    p.as_str(),
                    "Launch" | "Terminate" | "HealthCheck" | "ReplaceUnhealthy"
                )
            });
            let zones_left: Vec<&str> = launch_zones
                .iter()
                .copied()
                .filter(|z| *z != zone && stuck.is_none())
                .collect();
            let name = &group.name;
            // Sizes in vCPUs, memory or weights are not instance counts: each instance supplies
            // at least one unit, so only none left is surely below a positive minimum.
            let below_min = |left: usize| match group.size_unit() {
                None => (left as i32) < group.min_size,
                Some(_) => left == 0 && group.min_size > 0,
            };
            let (impact, message) = if lost == 0 && !launch_zones.contains(zone) {
                (
                    Impact::Ok,
                    format!("Auto Scaling group {name} has no instance or subnet in {zone}."),
                )
            } else if lost == 0 {
                (
                    Impact::Ok,
                    format!(
                        "Auto Scaling group {name} keeps its {} outside {zone} and launches in {}.",
                        plural(before, "instance", "instances"),
                        zone_list(launch_zones.iter().copied().filter(|z| *z != zone))
                    ),
                )
            } else if !zones_left.is_empty() && left > 0 {
                let dip = if below_min(left) {
                    format!(
                        " (below its minimum of {} until {} in service)",
                        group.min_size,
                        if lost == 1 {
                            "the replacement is"
                        } else {
                            "the replacements are"
                        }
                    )
                } else {
                    String::new()
                };
                (
                    Impact::Ok,
                    format!(
                        "Auto Scaling group {name} loses {lost} of {before} instances; {left} {} serving{dip} while it launches {} in {}.",
                        if left == 1 { "keeps" } else { "keep" },
                        plural(lost, "replacement", "replacements"),
                        zone_list(zones_left.iter().copied())
                    ),
                )
            } else if !zones_left.is_empty() {
                (
                    Impact::Down,
                    format!(
                        "All {} of Auto Scaling group {name} run in {zone}: nothing serves until the group's replacements in {} launch and pass their health checks.",
                        plural(before, "instance", "instances"),
                        zone_list(zones_left.iter().copied())
                    ),
                )
            } else {
                if below_min(left) {
                    outcome.below_min = true;
                }
                let impact = if left == 0 {
                    Impact::Down
                } else {
                    Impact::Degraded
                };
                let why = match stuck {
                    Some(process) => format!("has its {process} process suspended"),
                    None => format!("launches only into {zone}"),
                };
                let keeps = match group.size_unit() {
                    None => format!("{left} of a minimum of {}", group.min_size),
                    Some(unit) => format!(
                        "{} (its minimum is {} {unit})",
                        plural(left, "instance", "instances"),
                        group.min_size
                    ),
                };
                (
                    impact,
                    format!(
                        "Auto Scaling group {name} {why}: it cannot replace its {lost} lost {} and keeps {keeps}.",
                        if lost == 1 { "instance" } else { "instances" },
                    ),
                )
            };
            reasons.push(Reason {
                area: Area::Capacity,
                impact,
                resource: name.clone(),
                message,
            });
        }
        for instance in serving
            .iter()
            .filter(|i| i.auto_scaling_group.is_none() && i.availability_zone == zone)
        {
            let impact = if serving_left == 0 {
                Impact::Down
            } else {
                Impact::Degraded
            };
            reasons.push(Reason {
                area: Area::Capacity,
                impact,
                resource: instance.id.clone(),
                message: format!(
                    "Instance {} runs in {zone} outside any Auto Scaling group: nothing replaces it.",
                    instance.id
                ),
            });
        }
        if !serving.is_empty()
            && serving_left == 0
            && !reasons.iter().any(|r| r.impact == Impact::Down)
        {
            reasons.push(Reason {
                area: Area::Capacity,
                impact: Impact::Down,
                resource: app.name.clone(),
                message: format!(
                    "No instance of application {} runs outside {zone}.",
                    app.name
                ),
            });
        }
        outcome.reasons.extend(reasons);
    }

    fn load_balancing(&self, app: &Application, zone: &str, outcome: &mut Outcome) {
        let nodes = self
            .app_load_balancers(app)
            .into_iter()
            .map(|lb| ("Load balancer", &lb.name, self.lb_zones(lb), None))
            .chain(self.app_classic_load_balancers(app).into_iter().map(|lb| {
                let zones = self.classic_zones(lb);
                (
                    "Classic Load Balancer",
                    &lb.name,
                    zones,
                    Some(lb.cross_zone),
                )
            }));
        for (kind, name, zones, cross_zone) in nodes.collect::<Vec<_>>() {
            if !zones.contains(zone) {
                continue;
            }
            let left = zone_list(zones.iter().copied().filter(|z| *z != zone));
            let (impact, message) = match (zones.len(), cross_zone) {
                (1, _) => (
                    Impact::Down,
                    format!(
                        "{kind} {name} has nodes only in {zone}: no node is left to take requests."
                    ),
                ),
                (_, None) => (
                    Impact::Ok,
                    format!(
                        "{kind} {name} keeps its nodes in {left}; DNS stops answering with the node in {zone}."
                    ),
                ),
                (_, Some(true)) => (
                    Impact::Ok,
                    format!(
                        "{kind} {name} keeps its nodes in {left}, each sending to the instances of every zone left."
                    ),
                ),
                (_, Some(false)) => (
                    Impact::Note,
                    format!(
                        "{kind} {name} keeps its nodes in {left}, but cross-zone balancing is off: each node sends only to the instances of its own zone."
                    ),
                ),
            };
            outcome.reasons.push(Reason {
                area: Area::LoadBalancer,
                impact,
                resource: name.clone(),
                message,
            });
        }
        for member in self.members(app, Role::TargetGroup) {
            let Some(target_group) = self.index.by_arn::<TargetGroup>(&member.arn) else {
                continue;
            };
            let zone_of = |id: &str| {
                self.index
                    .find_near::<Instance>(target_group, id)
                    .map(|i| i.availability_zone.as_str())
            };
            let healthy: Vec<&str> = target_group
                .targets
                .iter()
                .filter(|t| t.health == "healthy")
                .map(|t| t.id.as_str())
                .collect();
            let lost = healthy
                .iter()
                .filter(|id| zone_of(id) == Some(zone))
                .count();
            if lost == 0 {
                continue;
            }
            let left = healthy.len() - lost;
            // The groups attached to it refill it when they can launch elsewhere; that is
            // told under capacity. Here: what the load balancer can send requests to now.
            let (impact, message) = if left == 0 {
                (
                    Impact::Down,
                    format!(
                        "Target group {} loses all {} healthy targets, which run in {zone}.",
                        target_group.name,
                        healthy.len()
                    ),
                )
            } else {
                (
                    Impact::Ok,
                    format!(
                        "Target group {} keeps {left} of {} healthy targets.",
                        target_group.name,
                        healthy.len()
                    ),
                )
            };
            outcome.reasons.push(Reason {
                area: Area::LoadBalancer,
                impact,
                resource: target_group.name.clone(),
                message,
            });
        }
    }

    fn egress(&self, app: &Application, parts: &Serving<'a>, zone: &str, outcome: &mut Outcome) {
        let mut subnets: BTreeSet<(&str, &str)> = BTreeSet::new();
        for (group, _) in &parts.groups {
            subnets.extend(
                group
                    .subnet_ids
                    .iter()
                    .map(|s| (group.region.as_str(), s.as_str())),
            );
        }
        for instance in &parts.instances {
            subnets.insert((&instance.region, &instance.subnet_id));
        }
        let mut through_nat = 0;
        for (region, id) in subnets {
            let Some(subnet) = self.index.find::<Subnet>(region, id) else {
                continue;
            };
            // A failed, deleted or private gateway gives no egress to lose.
            let Some(nat) = self
                .index
                .nat_gateway_of(subnet)
                .filter(|nat| nat.reaches_internet())
            else {
                continue;
            };
            through_nat += 1;
            let nat_zone = self.index.zone_of_subnet(nat, &nat.subnet_id);
            if subnet.availability_zone == zone || nat_zone != Some(zone) {
                continue;
            }
            outcome.reasons.push(Reason {
                area: Area::Egress,
                impact: Impact::Degraded,
                resource: subnet.id.clone(),
                message: format!(
                    "Subnet {} in {} reaches the internet only through NAT gateway {} in {zone}: its instances lose outbound access, and replacements that download at start-up fail.",
                    subnet.id, subnet.availability_zone, nat.id
                ),
            });
        }
        if through_nat > 0 && !outcome.reasons.iter().any(|r| r.area == Area::Egress) {
            outcome.reasons.push(Reason {
                area: Area::Egress,
                impact: Impact::Ok,
                resource: app.name.clone(),
                message: format!(
                    "Every private subnet of application {} outside {zone} has a NAT gateway outside {zone}.",
                    app.name
                ),
            });
        }
    }

    fn database(&self, app: &Application, zone: &str, outcome: &mut Outcome) {
        for member in self.members(app, Role::Database) {
            if let Some(db) = self.index.by_arn::<DbInstance>(&member.arn) {
                if db.availability_zone.as_deref() != Some(zone) {
                    continue;
                }
                let (impact, message) = if let Some(source) = &db.replica_source {
                    (
                        Impact::Note,
                        format!(
                            "DB instance {} is a replica of {source}: losing it loses a copy, not the database.",
                            db.id
                        ),
                    )
                } else if db.multi_az {
                    (
                        Impact::Note,
                        format!(
                            "DB instance {} fails over to its standby in another zone: about 60–120 s of failed connections.",
                            db.id
                        ),
                    )
                } else {
                    (
                        Impact::Down,
                        format!(
                            "DB instance {} is single-AZ in {zone}: it is down until restored from a backup or snapshot in another zone.",
                            db.id
                        ),
                    )
                };
                outcome.reasons.push(Reason {
                    area: Area::Database,
                    impact,
                    resource: db.id.clone(),
                    message,
                });
            }
            if let Some(cluster) = self.index.by_arn::<DbCluster>(&member.arn) {
                self.cluster(cluster, zone, outcome);
            }
        }
    }

    fn cluster(&self, cluster: &DbCluster, zone: &str, outcome: &mut Outcome) {
        let zone_of = |id: &str| {
            self.index
                .find_near::<DbInstance>(cluster, id)
                .and_then(|db| db.availability_zone.as_deref())
        };
        let writer_lost = cluster
            .members
            .iter()
            .any(|m| m.writer && zone_of(&m.instance_id) == Some(zone));
        if !writer_lost {
            return;
        }
        let reader = cluster
            .members
            .iter()
            .find(|m| !m.writer && zone_of(&m.instance_id).is_some_and(|z| z != zone));
        let (impact, message) = match reader {
            Some(reader) => (
                Impact::Note,
                format!(
                    "DB cluster {} promotes reader {} in {}: about 30–60 s of failed writes.",
                    cluster.id,
                    reader.instance_id,
                    zone_of(&reader.instance_id).unwrap_or_default()
                ),
            ),
            None => (
                Impact::Down,
                format!(
                    "DB cluster {} has its writer in {zone} and no reader in another zone: it is down until a new instance is created.",
                    cluster.id
                ),
            ),
        };
        outcome.reasons.push(Reason {
            area: Area::Database,
            impact,
            resource: cluster.id.clone(),
            message,
        });
    }

    fn operations(&self, app: &Application, zone: &str, outcome: &mut Outcome) {
        let mut bastion_zones: Vec<(String, BTreeSet<&str>)> = Vec::new();
        for member in self.members(app, Role::Bastion) {
            if let Some(instance) = self.index.by_arn::<Instance>(&member.arn) {
                if is_running(instance) {
                    bastion_zones.push((
                        instance.id.clone(),
                        BTreeSet::from([instance.availability_zone.as_str()]),
                    ));
                }
            } else if let Some(group) = self.index.by_arn::<AutoScalingGroup>(&member.arn)
                && group.desired_capacity > 0
            {
                bastion_zones.push((group.name.clone(), self.launch_zones(group)));
            }
        }
        let reachable = bastion_zones
            .iter()
            .any(|(_, zones)| zones.iter().any(|z| *z != zone));
        for (bastion, zones) in &bastion_zones {
            if !zones.contains(zone) {
                continue;
            }
            let (impact, message) = if reachable {
                (
                    Impact::Ok,
                    format!(
                        "Bastion {bastion} still reaches the instances from another zone (or is relaunched there)."
                    ),
                )
            } else {
                (
                    Impact::Note,
                    format!(
                        "Bastion {bastion} runs only in {zone}: SSH access to the instances is lost until a bastion is launched in another zone."
                    ),
                )
            };
            outcome.reasons.push(Reason {
                area: Area::Operations,
                impact,
                resource: bastion.clone(),
                message,
            });
        }
        let alarms = self.members(app, Role::Alarm).count();
        let can_launch = self
            .app_groups(app)
            .iter()
            .any(|g| self.launch_zones(g).iter().any(|z| *z != zone));
        if alarms > 0 && can_launch {
            outcome.reasons.push(Reason {
                area: Area::Operations,
                impact: Impact::Ok,
                resource: app.name.clone(),
                message: format!(
                    "The {} of application {} are regional and keep scaling its groups in the zones left.",
                    plural(alarms, "alarm", "alarms"),
                    app.name
                ),
            });
        }
    }

    fn dns(&self, app: &Application, zone: &str, outcome: &mut Outcome) {
        for member in self.members(app, Role::DnsRecord) {
            let Some(record) = self.index.by_arn::<RecordSet>(&member.arn) else {
                continue;
            };
            let name = record.display_id();
            if let Some(alias) = &record.alias_target {
                let (impact, message) = if alias.evaluate_target_health {
                    (
                        Impact::Ok,
                        format!(
                            "Alias {name} evaluates its target's health: Route 53 answers with the load balancer's nodes that have healthy targets."
                        ),
                    )
                } else if record.set_identifier.is_some() {
                    (
                        Impact::Note,
                        format!(
                            "Alias {name} does not evaluate its target's health: its routing policy keeps sending users here even when no healthy target is left."
                        ),
                    )
                } else {
                    continue;
                };
                outcome.reasons.push(Reason {
                    area: Area::Dns,
                    impact,
                    resource: name.clone(),
                    message,
                });
                continue;
            }
            let dead: Vec<&str> = record
                .values
                .iter()
                .filter_map(|ip| self.index.instance_at_public_ip(ip))
                .filter(|i| i.availability_zone == zone)
                .map(|i| i.id.as_str())
                .collect();
            if dead.is_empty() {
                continue;
            }
            let impact = if dead.len() == record.values.len() {
                Impact::Down
            } else {
                Impact::Degraded
            };
            outcome.reasons.push(Reason {
                area: Area::Dns,
                impact,
                resource: name.clone(),
                message: format!(
                    "Record {name} answers with the public IP of {} in {zone}, and nothing moves it elsewhere.",
                    dead.join(", ")
                ),
            });
        }
    }
}

impl Topology<'_> {
    /// The outcomes of losing each zone in `zones`, for every application: zone-major order.
    pub fn assess(&self, model: &AppModel, zones: &[String]) -> Vec<Outcome> {
        let parts: Vec<Serving> = model
            .applications
            .iter()
            .map(|app| self.serving(app))
            .collect();
        zones
            .iter()
            .flat_map(|zone| {
                model
                    .applications
                    .iter()
                    .zip(&parts)
                    .map(|(app, parts)| self.outcome(app, parts, zone))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Every zone the applications use, in order.
    pub fn zones_in_use(&self, model: &AppModel) -> Vec<String> {
        let zones: BTreeSet<String> = model
            .applications
            .iter()
            .flat_map(|app| self.app_zones(app))
            .collect();
        zones.into_iter().collect()
    }
}

#[cfg(test)]
mod tests;
