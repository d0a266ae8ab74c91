//! A picture of one application: entry point → load balancer → listeners → target groups →
//! Auto Scaling groups → instances per zone, with the security-group paths between them, the
//! database, the bastion, the NAT gateways the instances leave through, and the alarms.
//!
//! [`build`] turns the inventory and the application model into a [`Diagram`] — plain data,
//! no syntax — and [`mermaid`] and [`dot`] print it. Each node carries the ids of the rules
//! that fail on the resources it stands for; a finding on a resource the picture does not
//! draw (a security group, a launch template, the VPC) is put on the node that uses it, or
//! else on the application's note. With a lost zone, what runs in it is marked `lost`.

pub mod dot;
pub mod mermaid;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::apps::{Application, Role};
use crate::inventory::{
    AutoScalingGroup, ClassicLoadBalancer, DbCluster, DbInstance, Instance, Listener, LoadBalancer,
    MetricAlarm, RecordSet, Resource, SecurityGroup, SnsTopic, Subnet, TargetGroup,
};
use crate::whatif::Topology;

/// At most this many instance ids are named on a node of instances.
const NAMED_INSTANCES: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    pub application: String,
    /// Zones in order, each with the keys of the nodes drawn inside it.
    pub zones: Vec<(String, Vec<String>)>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub lost_zone: Option<String>,
    /// Put before every key (and zone) so that several applications share one picture.
    pub key_prefix: String,
}

impl Diagram {
    /// The same diagram with every key starting with `prefix`.
    fn prefixed(mut self, prefix: &str) -> Diagram {
        let rename = |key: &mut String| *key = format!("{prefix}{key}");
        for node in &mut self.nodes {
            rename(&mut node.key);
        }
        for edge in &mut self.edges {
            rename(&mut edge.from);
            rename(&mut edge.to);
        }
        for (_, keys) in &mut self.zones {
            keys.iter_mut().for_each(rename);
        }
        self.key_prefix = format!("{prefix}{}", self.key_prefix);
        self
    }

    /// The same diagram as that of the `position`-th of several inventories (accounts, or
    /// snapshots) in one picture: keys made distinct, the account named in the title.
    pub fn in_account(self, position: usize, account: &str) -> Diagram {
        let mut diagram = self.prefixed(&format!("x{}_", position + 1));
        diagram.application = format!("{} in account {account}", diagram.application);
        diagram
    }
}

/// The diagrams of every application of `model`, keys made distinct when there are several.
pub fn build_all(
    topology: &Topology,
    model: &crate::apps::AppModel,
    failures: &Failures,
    lost_zone: Option<&str>,
) -> Vec<Diagram> {
    let several = model.applications.len() > 1;
    model
        .applications
        .iter()
        .enumerate()
        .map(|(position, app)| {
            let diagram = build(topology, app, failures, lost_zone);
            if several {
                diagram.prefixed(&format!("a{}_", position + 1))
            } else {
                diagram
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Unique within the diagram: letters, digits and `_` only.
    pub key: String,
    /// What it is, e.g. `load balancer`, `2 instances`.
    pub kind: String,
    /// Its name or id.
    pub name: String,
    /// Extra facts for the label, e.g. `internet-facing`, `min 2 · desired 2 · max 6`.
    pub detail: Option<String>,
    pub zone: Option<String>,
    /// Ids of the rules failing on what it stands for.
    pub failing: BTreeSet<String>,
    /// It runs in the lost zone.
    pub lost: bool,
}

impl Node {
    /// What its label says, a line each: what it is, its name, details, its failing rules.
    pub fn label_lines(&self) -> Vec<String> {
        let mut lines = vec![self.kind.clone()];
        if !self.name.is_empty() {
            lines.push(self.name.clone());
        }
        lines.extend(self.detail.clone());
        if !self.failing.is_empty() {
            let rules: Vec<&str> = self.failing.iter().map(String::as_str).collect();
            lines.push(format!("⚠ {}", rules.join(" ")));
        }
        lines
    }
}

/// A zone as the renderers draw it: its title and its nodes.
pub struct ZoneBox<'d> {
    pub zone: &'d str,
    /// The zone, `(lost)` added when it is the lost one.
    pub title: String,
    pub lost: bool,
    pub nodes: Vec<&'d Node>,
}

impl Diagram {
    /// Nodes drawn outside every zone, in order.
    pub fn unzoned_nodes(&self) -> impl Iterator<Item = &Node> {
        let zoned: std::collections::HashSet<&str> = self
            .zones
            .iter()
            .flat_map(|(_, keys)| keys.iter().map(String::as_str))
            .collect();
        self.nodes
            .iter()
            .filter(move |n| !zoned.contains(n.key.as_str()))
    }

    /// Each zone with its nodes, in order.
    pub fn zone_boxes(&self) -> impl Iterator<Item = ZoneBox<'_>> {
        self.zones.iter().map(|(zone, keys)| {
            let lost = self.lost_zone.as_deref() == Some(zone.as_str());
            ZoneBox {
                zone,
                title: if lost {
                    format!("{zone} (lost)")
                } else {
                    zone.clone()
                },
                lost,
                nodes: keys
                    .iter()
                    .filter_map(|key| self.nodes.iter().find(|n| &n.key == key))
                    .collect(),
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: String,
    /// A permission or a notification rather than a request path (drawn dotted).
    pub dotted: bool,
    /// The rule this way in fails (SSH from the whole internet: HA010; a way around the
    /// load balancer: HA009): drawn as failing, like a failing node.
    pub failing: Option<String>,
}

/// What a picture's marks mean: the rules failing in it, by id with their titles (the
/// node kinds and edge styles are the printers' own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Legend {
    pub rules: BTreeMap<String, String>,
}

impl Legend {
    /// The rules failing on the nodes and edges of `diagrams`, titled by `title`.
    pub fn of(diagrams: &[Diagram], title: impl Fn(&str) -> Option<String>) -> Legend {
        let ids: BTreeSet<&str> = diagrams
            .iter()
            .flat_map(|d| {
                d.nodes
                    .iter()
                    .flat_map(|n| n.failing.iter().map(String::as_str))
                    .chain(d.edges.iter().filter_map(|e| e.failing.as_deref()))
            })
            .collect();
        Legend {
            rules: ids
                .into_iter()
                .map(|id| (id.to_owned(), title(id).unwrap_or_default()))
                .collect(),
        }
    }

    /// The lines both printers show: node kinds, edge styles, then each failing rule.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![
            "box: a resource · cylinder: a database · ellipse: the internet".to_owned(),
            "solid arrow: a request path · dotted: allowed by a security group, or a notification"
                .to_owned(),
            "red: failing (⚠ its rule ids) · grey, dashed: in the lost zone".to_owned(),
        ];
        lines.extend(
            self.rules
                .iter()
                .map(|(id, title)| format!("{id}: {title}")),
        );
        lines
    }
}

/// Open failures of a scan, per resource ARN: the rule ids.
pub type Failures = HashMap<String, BTreeSet<String>>;

/// Failing rule ids per resource ARN, from a scan's findings.
pub fn failures<'f>(findings: impl IntoIterator<Item = &'f crate::finding::Finding>) -> Failures {
    let mut map = Failures::new();
    for finding in findings.into_iter().filter(|f| f.failed()) {
        map.entry(finding.resource.arn.clone())
            .or_default()
            .insert(finding.rule_id.clone());
    }
    map
}

fn key_of(prefix: &str, id: &str) -> String {
    let mut key = String::from(prefix);
    key.push('_');
    key.extend(
        id.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
    );
    key
}

struct Builder<'a> {
    topology: &'a Topology<'a>,
    app: &'a Application,
    failures: &'a Failures,
    lost_zone: Option<&'a str>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// ARN → node key, for placing findings.
    drawn: HashMap<String, String>,
    /// Security group id → node keys of what uses it.
    /// (region, security group id) → the keys of the drawn nodes in it.
    sg_users: BTreeMap<(String, String), Vec<String>>,
}

impl<'a> Builder<'a> {
    fn add(
        &mut self,
        key: String,
        kind: &str,
        name: &str,
        detail: Option<String>,
        zone: Option<&str>,
    ) -> String {
        if !self.nodes.iter().any(|n| n.key == key) {
            self.nodes.push(Node {
                key: key.clone(),
                kind: kind.to_owned(),
                name: name.to_owned(),
                detail,
                zone: zone.map(str::to_owned),
                failing: BTreeSet::new(),
                lost: zone.is_some() && zone == self.lost_zone,
            });
        }
        key
    }

    fn stands_for(&mut self, key: &str, arn: &str) {
        self.drawn.insert(arn.to_owned(), key.to_owned());
    }

    fn uses_groups(&mut self, key: &str, region: &str, groups: &[String]) {
        for group in groups {
            let users = self
                .sg_users
                .entry((region.to_owned(), group.clone()))
                .or_default();
            if !users.iter().any(|k| k == key) {
                users.push(key.to_owned());
            }
        }
    }

    /// What every load balancer node (ELBv2 or Classic) carries: the resource it stands
    /// for, the security groups it uses, and the internet's edge when it faces the internet.
    fn front_door(
        &mut self,
        key: &str,
        internet: &str,
        arn: &str,
        region: &str,
        groups: &[String],
        scheme: &str,
    ) {
        self.stands_for(key, arn);
        self.uses_groups(key, region, groups);
        if scheme == "internet-facing" {
            self.edge(internet, key, "", false);
        }
    }

    fn edge(&mut self, from: &str, to: &str, label: &str, dotted: bool) {
        let edge = Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            label: label.to_owned(),
            dotted,
            failing: None,
        };
        if !self.edges.contains(&edge) {
            self.edges.push(edge);
        }
    }

    fn members(&self, role: Role) -> impl Iterator<Item = &'a crate::apps::Member> + use<'a> {
        self.app.members.iter().filter(move |m| m.role == role)
    }
}

/// The diagram of `app`, with `failures` marked and what runs in `lost_zone` greyed.
pub fn build(
    topology: &Topology,
    app: &Application,
    failures: &Failures,
    lost_zone: Option<&str>,
) -> Diagram {
    let mut b = Builder {
        topology,
        app,
        failures,
        lost_zone,
        nodes: Vec::new(),
        edges: Vec::new(),
        drawn: HashMap::new(),
        sg_users: BTreeMap::new(),
    };
    let entry = draw_entry(&mut b);
    let compute_keys = draw_compute(&mut b, &entry);
    draw_data_and_access(&mut b);
    draw_alarms(&mut b, &compute_keys);
    security_group_edges(&mut b, &entry.internet);
    place_failures(&mut b);
    let mut zones: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in &b.nodes {
        if let Some(zone) = &node.zone {
            zones
                .entry(zone.clone())
                .or_default()
                .push(node.key.clone());
        }
    }
    if let Some(zone) = lost_zone {
        zones.entry(zone.to_owned()).or_default();
    }
    Diagram {
        application: app.name.clone(),
        zones: zones.into_iter().collect(),
        nodes: b.nodes,
        edges: b.edges,
        lost_zone: lost_zone.map(str::to_owned),
        key_prefix: String::new(),
    }
}

/// What the entry points' drawing hands to the rest: the internet's node, the records that
/// point at an instance (record key, instance id), and target group ARN → node key.
struct Entry {
    internet: String,
    record_targets: Vec<(String, String)>,
    target_group_keys: HashMap<String, String>,
    /// (region, name) of a Classic Load Balancer → its node: groups attach it by name.
    classic_keys: HashMap<(String, String), String>,
    /// (Classic Load Balancer node, instance id) of each instance registered with one.
    classic_targets: Vec<(String, String)>,
}

/// The internet, DNS records, load balancers, listeners and target groups.
fn draw_entry(b: &mut Builder) -> Entry {
    let t = b.topology;
    let internet = b.add("internet".into(), "internet", "", None, None);
    let mut lb_keys: HashMap<String, String> = HashMap::new();
    for member in b.members(Role::LoadBalancer).collect::<Vec<_>>() {
        let Some(lb) = t.index.by_arn::<LoadBalancer>(&member.arn) else {
            continue;
        };
        let key = b.add(
            key_of("lb", &lb.name),
            &format!("{} load balancer", lb.lb_type),
            &lb.name,
            Some(format!(
                "{} · {}",
                lb.scheme,
                lb.availability_zones.join(", ")
            )),
            None,
        );
        b.front_door(
            &key,
            &internet,
            &lb.arn,
            &lb.region,
            &lb.security_group_ids,
            &lb.scheme,
        );
        lb_keys.insert(crate::inventory::normalize_dns(&lb.dns_name), key.clone());
        lb_keys.insert(lb.arn.clone(), key.clone());
    }
    let mut classic_keys: HashMap<(String, String), String> = HashMap::new();
    let mut classic_targets: Vec<(String, String)> = Vec::new();
    for member in b.members(Role::ClassicLoadBalancer).collect::<Vec<_>>() {
        let Some(lb) = t.index.by_arn::<ClassicLoadBalancer>(&member.arn) else {
            continue;
        };
        let listeners: Vec<String> = lb
            .listeners
            .iter()
            .map(|l| format!("{} {}→{}", l.protocol, l.port, l.instance_port))
            .collect();
        let key = b.add(
            key_of("clb", &lb.name),
            "Classic Load Balancer",
            &lb.name,
            Some(format!(
                "{} · {} · cross-zone {} · {}",
                lb.scheme,
                lb.availability_zones.join(", "),
                if lb.cross_zone { "on" } else { "off" },
                listeners.join(", ")
            )),
            None,
        );
        b.front_door(
            &key,
            &internet,
            &lb.arn,
            &lb.region,
            &lb.security_group_ids,
            &lb.scheme,
        );
        lb_keys.insert(crate::inventory::normalize_dns(&lb.dns_name), key.clone());
        for id in &lb.instance_ids {
            classic_targets.push((key.clone(), id.clone()));
        }
        classic_keys.insert((lb.region.clone(), lb.name.clone()), key);
    }
    let mut record_targets: Vec<(String, String)> = Vec::new();
    for member in b.members(Role::DnsRecord).collect::<Vec<_>>() {
        let Some(record) = t.index.by_arn::<RecordSet>(&member.arn) else {
            continue;
        };
        let key = b.add(
            key_of("dns", &record.display_id()),
            "DNS record",
            &record.display_id(),
            record
                .alias_target
                .as_ref()
                .map(|_| "alias".to_owned())
                .or_else(|| Some(record.values.join(", "))),
            None,
        );
        b.stands_for(&key, &member.arn);
        b.edge(&internet, &key, "", false);
        if let Some(alias) = &record.alias_target
            && let Some(lb) = lb_keys.get(&crate::inventory::normalize_dns(&alias.dns_name))
        {
            b.edge(&key, lb, "alias", false);
        }
        for value in &record.values {
            if let Some(instance) = t.index.instance_at_public_ip(value) {
                record_targets.push((key.clone(), instance.id.clone()));
            }
        }
    }
    let mut target_group_keys: HashMap<String, String> = HashMap::new();
    for member in b.members(Role::TargetGroup).collect::<Vec<_>>() {
        let Some(tg) = t.index.by_arn::<TargetGroup>(&member.arn) else {
            continue;
        };
        let healthy = tg.targets.iter().filter(|t| t.health == "healthy").count();
        let key = b.add(
            key_of("tg", &tg.name),
            "target group",
            &tg.name,
            Some(format!(
                "{} {} · {healthy}/{} healthy",
                tg.protocol.as_deref().unwrap_or("-"),
                tg.port.map(|p| p.to_string()).unwrap_or_default(),
                tg.targets.len()
            )),
            None,
        );
        b.stands_for(&key, &tg.arn);
        target_group_keys.insert(tg.arn.clone(), key);
    }
    for member in b.members(Role::Listener).collect::<Vec<_>>() {
        let Some(listener) = t.index.by_arn::<Listener>(&member.arn) else {
            continue;
        };
        let Some(lb_key) = lb_keys.get(&listener.load_balancer_arn).cloned() else {
            continue;
        };
        let key = b.add(
            key_of("listener", &format!("{}_{}", lb_key, listener.port)),
            "listener",
            &format!("{} {}", listener.protocol, listener.port),
            None,
            None,
        );
        b.stands_for(&key, &listener.arn);
        b.edge(&lb_key, &key, "", false);
        for action in listener.all_actions() {
            if action.action_type == "redirect" {
                let to = action.redirect_port.as_deref().unwrap_or("?");
                if let Some(target) = b
                    .nodes
                    .iter()
                    .find(|n| n.kind == "listener" && n.name.ends_with(&format!(" {to}")))
                    .map(|n| n.key.clone())
                {
                    b.edge(&key, &target, "redirect", true);
                } else {
                    b.nodes
                        .iter_mut()
                        .find(|n| n.key == key)
                        .expect("just added")
                        .detail = Some(format!("redirect to {to}"));
                }
            }
            for tg in &action.target_group_arns {
                if let Some(tg_key) = target_group_keys.get(tg).cloned() {
                    b.edge(&key, &tg_key, "forward", false);
                }
            }
        }
    }

    Entry {
        internet,
        record_targets,
        target_group_keys,
        classic_keys,
        classic_targets,
    }
}

/// Groups and the instances they run (one node per group and zone, with their NAT gateway);
/// returns group name (or lone instance id) → node key.
fn draw_compute(b: &mut Builder, entry: &Entry) -> HashMap<String, String> {
    let t = b.topology;
    let Entry {
        record_targets,
        target_group_keys,
        classic_keys,
        classic_targets,
        ..
    } = entry;
    let mut compute_keys: HashMap<String, String> = HashMap::new();
    for member in b.members(Role::AutoScalingGroup).collect::<Vec<_>>() {
        let Some(group) = t.index.by_arn::<AutoScalingGroup>(&member.arn) else {
            continue;
        };
        let key = b.add(
            key_of("asg", &group.name),
            "Auto Scaling group",
            &group.name,
            Some(format!(
                "min {} · desired {} · max {}",
                group.min_size, group.desired_capacity, group.max_size
            )),
            None,
        );
        b.stands_for(&key, &group.arn);
        for tg in &group.target_group_arns {
            if let Some(tg_key) = target_group_keys.get(tg).cloned() {
                b.edge(&tg_key, &key, "targets", false);
            }
        }
        for name in &group.load_balancer_names {
            if let Some(lb_key) = classic_keys.get(&(group.region.clone(), name.clone())) {
                b.edge(lb_key, &key, "targets", false);
            }
        }
        if let Some((lt, version)) = t.index.launch_template_of(group) {
            b.stands_for(&key, &lt.arn(&t.inventory.account_id));
            if let Some(version) = version {
                b.uses_groups(&key, &group.region, &version.security_group_ids);
            }
        }
        if let Some(configuration) = t.index.launch_configuration_of(group) {
            b.stands_for(&key, &configuration.arn);
            b.uses_groups(&key, &group.region, &configuration.security_group_ids);
        }
        for policy in t.index.scaling_policies_of(group) {
            b.stands_for(&key, &policy.arn);
        }
        compute_keys.insert(group.name.clone(), key);
    }
    let mut instances_by_place: BTreeMap<(String, String), Vec<&Instance>> = BTreeMap::new();
    for member in b.members(Role::Instance).collect::<Vec<_>>() {
        if let Some(instance) = t.index.by_arn::<Instance>(&member.arn) {
            let owner = instance
                .auto_scaling_group
                .clone()
                .unwrap_or_else(|| instance.id.clone());
            instances_by_place
                .entry((owner, instance.availability_zone.clone()))
                .or_default()
                .push(instance);
        }
    }
    for ((owner, zone), instances) in &instances_by_place {
        let single = instances.len() == 1;
        let ids: Vec<&str> = instances.iter().map(|i| i.id.as_str()).collect();
        let name = if ids.len() <= NAMED_INSTANCES {
            ids.join(", ")
        } else {
            format!(
                "{}, … ({} more)",
                ids[..NAMED_INSTANCES].join(", "),
                ids.len() - NAMED_INSTANCES
            )
        };
        let kind = if single {
            "instance".to_owned()
        } else {
            format!("{} instances", ids.len())
        };
        let public = instances.iter().filter(|i| i.public_ip.is_some()).count();
        let key = b.add(
            key_of("ec2", &format!("{owner}_{zone}")),
            &kind,
            &name,
            (public > 0).then(|| "public IP".to_owned()),
            Some(zone),
        );
        let in_drawn_group = compute_keys.contains_key(owner);
        for instance in instances {
            b.stands_for(&key, &instance.arn(&t.inventory.account_id));
            // A group's instances are reached as the group is: its node carries the edges.
            if !in_drawn_group {
                b.uses_groups(&key, &instance.region, &instance.security_group_ids);
            }
            // Egress through a NAT gateway, drawn in the NAT's own zone.
            if let Some(nat) = t
                .index
                .find_near::<Subnet>(*instance, &instance.subnet_id)
                .and_then(|subnet| t.index.nat_gateway_of(subnet))
            {
                let nat_zone = t.index.zone_of_subnet(nat, &nat.subnet_id);
                let nat_key = b.add(
                    key_of("nat", &nat.id),
                    "NAT gateway",
                    &nat.id,
                    None,
                    nat_zone,
                );
                b.edge(&key, &nat_key, "egress", true);
            }
        }
        match compute_keys.get(owner).cloned() {
            Some(group_key) => b.edge(&group_key, &key, "runs", false),
            None => {
                compute_keys.insert(owner.clone(), key.clone());
                for (record, target) in record_targets {
                    if target == owner {
                        b.edge(record, &key, "A", false);
                    }
                }
                for (lb, target) in classic_targets {
                    if target == owner {
                        b.edge(lb, &key, "targets", false);
                    }
                }
            }
        }
    }

    compute_keys
}

/// Databases (and a cluster's instances) and bastions, in their zones.
fn draw_data_and_access(b: &mut Builder) {
    let t = b.topology;
    for member in b.members(Role::Database).collect::<Vec<_>>() {
        if let Some(db) = t.index.by_arn::<DbInstance>(&member.arn) {
            let key = b.add(
                key_of("db", &db.id),
                "RDS instance",
                &db.id,
                Some(format!(
                    "{} · {}",
                    db.engine,
                    if db.multi_az { "Multi-AZ" } else { "single-AZ" }
                )),
                db.availability_zone.as_deref(),
            );
            b.stands_for(&key, &db.arn);
            b.uses_groups(&key, &db.region, &db.security_group_ids);
        }
        if let Some(cluster) = t.index.by_arn::<DbCluster>(&member.arn) {
            let key = b.add(
                key_of("cluster", &cluster.id),
                "DB cluster",
                &cluster.id,
                Some(cluster.engine.clone()),
                None,
            );
            b.stands_for(&key, &cluster.arn);
            b.uses_groups(&key, &cluster.region, &cluster.security_group_ids);
            for m in &cluster.members {
                if let Some(db) = t.index.find_near::<DbInstance>(cluster, &m.instance_id) {
                    let instance_key = b.add(
                        key_of("db", &db.id),
                        if m.writer { "writer" } else { "reader" },
                        &db.id,
                        None,
                        db.availability_zone.as_deref(),
                    );
                    b.stands_for(&instance_key, &db.arn);
                    b.edge(&key, &instance_key, "", false);
                }
            }
        }
    }
    for member in b.members(Role::Bastion).collect::<Vec<_>>() {
        if let Some(instance) = t.index.by_arn::<Instance>(&member.arn) {
            let key = b.add(
                key_of("bastion", &instance.id),
                "bastion",
                &instance.id,
                None,
                Some(&instance.availability_zone),
            );
            b.stands_for(&key, &member.arn);
            b.uses_groups(&key, &instance.region, &instance.security_group_ids);
        } else if let Some(group) = t.index.by_arn::<AutoScalingGroup>(&member.arn) {
            let key = b.add(
                key_of("bastion", &group.name),
                "bastion group",
                &group.name,
                None,
                None,
            );
            b.stands_for(&key, &member.arn);
        }
    }
}

/// Alarms, the groups they scale and the topics they notify.
fn draw_alarms(b: &mut Builder, compute_keys: &HashMap<String, String>) {
    let t = b.topology;
    for member in b.members(Role::Alarm).collect::<Vec<_>>() {
        let Some(alarm) = t.index.by_arn::<MetricAlarm>(&member.arn) else {
            continue;
        };
        let key = b.add(
            key_of("alarm", &alarm.name),
            "alarm",
            &alarm.name,
            Some(format!(
                "{} {} {}",
                alarm.metric_name.as_deref().unwrap_or("?"),
                comparison(&alarm.comparison_operator),
                alarm.threshold.map(|t| t.to_string()).unwrap_or_default()
            )),
            None,
        );
        b.stands_for(&key, &alarm.arn);
        if let Some(group_key) = alarm
            .dimensions
            .get("AutoScalingGroupName")
            .and_then(|g| compute_keys.get(g))
            .cloned()
        {
            b.edge(&key, &group_key, "scales", true);
        }
        for action in &alarm.alarm_actions {
            if let Some(topic) = t.index.by_arn::<SnsTopic>(action) {
                let topic_key = b.add(
                    key_of("topic", &topic.name),
                    "SNS topic",
                    &topic.name,
                    None,
                    None,
                );
                b.stands_for(&topic_key, &topic.arn);
                b.edge(&key, &topic_key, "notifies", true);
            }
        }
    }
}

fn comparison(operator: &str) -> &str {
    match operator {
        "GreaterThanThreshold" => ">",
        "GreaterThanOrEqualToThreshold" => "≥",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "≤",
        other => other,
    }
}

/// Who may reach whom: for every drawn user of a security group, its ingress rules from
/// another drawn user's group (dotted, labelled with the ports) and from the whole internet.
fn security_group_edges(b: &mut Builder, internet: &str) {
    let index = b.topology.index;
    let account = b.topology.inventory.account_id.clone();
    let users = b.sg_users.clone();
    for ((region, group_id), targets) in &users {
        let Some(group) = index.find::<SecurityGroup>(region, group_id) else {
            continue;
        };
        for target in targets {
            b.stands_for(target, &group.arn(&account));
        }
        for rule in &group.ingress {
            let ports = if rule.protocol == "all" {
                "all".to_owned()
            } else if rule.from_port == rule.to_port {
                format!("{} {}", rule.protocol, rule.from_port)
            } else {
                format!("{} {}-{}", rule.protocol, rule.from_port, rule.to_port)
            };
            let sources: Vec<String> = match &rule.source_group_id {
                Some(source) => users
                    .get(&(region.clone(), source.clone()))
                    .cloned()
                    .unwrap_or_default(),
                None if rule.is_world_open() => vec![internet.to_owned()],
                None => Vec::new(),
            };
            for source in sources {
                for target in targets {
                    let is_lb_path = b
                        .edges
                        .iter()
                        .any(|e| e.from == source && e.to == *target && !e.dotted);
                    if source != *target && !is_lb_path && !(source == internet && is_lb(b, target))
                    {
                        b.edge(&source, target, &ports, true);
                        if source == internet {
                            b.edges.last_mut().expect("just added").failing =
                                world_rule(b, target, rule);
                        }
                    }
                }
            }
        }
    }
}

/// The rule a way in from the whole internet to `target` fails, when the picture's
/// findings say it does: SSH (HA010), a way around the load balancer to what it serves
/// (HA009), a database open to the world (HA013). Which rules fail is the scan's to say, not the picture's.
fn world_rule(b: &Builder, target: &str, rule: &crate::inventory::SgRule) -> Option<String> {
    let arns: Vec<&String> = b
        .drawn
        .iter()
        .filter(|(_, key)| key.as_str() == target)
        .map(|(arn, _)| arn)
        .collect();
    let fails = |id: &str| {
        arns.iter()
            .any(|arn| b.failures.get(*arn).is_some_and(|rules| rules.contains(id)))
    };
    if rule.covers_tcp_port(22) && fails("HA010") {
        Some("HA010".to_owned())
    } else if !(rule.from_port == 22 && rule.to_port == 22) && fails("HA009") {
        Some("HA009".to_owned())
    } else if fails("HA013") {
        // A database the whole internet may connect to.
        Some("HA013".to_owned())
    } else {
        None
    }
}

fn is_lb(b: &Builder, key: &str) -> bool {
    key.starts_with("lb_") && b.nodes.iter().any(|n| n.key == key)
}

/// Puts each failing rule on the node that stands for its resource; a resource not drawn
/// (the VPC, an unused security group) goes on a note node of the application.
fn place_failures(b: &mut Builder) {
    let mut loose: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let arns: Vec<(String, String)> = b
        .app
        .members
        .iter()
        .map(|m| (m.arn.clone(), m.id.clone()))
        .collect();
    for (arn, id) in arns {
        let Some(rules) = b.failures.get(&arn) else {
            continue;
        };
        match b.drawn.get(&arn).cloned() {
            Some(key) => {
                let node = b.nodes.iter_mut().find(|n| n.key == key).expect("drawn");
                node.failing.extend(rules.iter().cloned());
            }
            None => {
                for rule in rules {
                    loose.entry(rule.clone()).or_default().insert(id.clone());
                }
            }
        }
    }
    if !loose.is_empty() {
        let detail: Vec<String> = loose
            .iter()
            .map(|(rule, ids)| {
                format!(
                    "{rule}: {}",
                    ids.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let key = b.add(
            "other_failures".into(),
            "also failing",
            "",
            Some(detail.join(" · ")),
            None,
        );
        let node = b
            .nodes
            .iter_mut()
            .find(|n| n.key == key)
            .expect("just added");
        node.failing = loose.keys().cloned().collect();
    }
}
