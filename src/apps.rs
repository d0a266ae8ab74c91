//! The application model: which resources of an account make up its web applications.
//!
//! Rules are about the web application, not about everything an account runs. This module
//! finds the applications in an [`Inventory`] (pure, offline) and says, for every resource
//! that belongs to one, which application and in which *role* (an app instance, the load
//! balancer's security group, the database, a bastion, …) and why it was included. Policies
//! ask the model (`inv.members(role)`, `inv.app_of(r)`) instead of re-deriving it.
//!
//! Discovery starts from **entry points**: internet-facing load balancers, Route 53 records
//! that resolve to an instance's public IP, and instances that serve 80/443 to the internet.
//! From there it follows listeners → target groups → Auto Scaling groups / instances → launch
//! templates, security groups, scaling policies, alarms → topics; then adds the databases
//! whose security groups admit the application's groups, and the bastions of its VPCs.
//! Entry points that share compute are one application.
//!
//! Left out by default, because other systems manage them: EKS, ECS, Karpenter, Batch and EMR
//! capacity (their documented tags) and routing appliances (NAT, VPN: source/destination
//! check off). Explicit scoping wins over all of that: the tag `hacheck:app=<name>` and
//! `[[apps]]` in `hacheck.toml` (include / exclude by tag or by id/name glob).
//!
//! With [`Scope::Account`], the whole account is one application named `account` and nothing
//! is left out: every rule judges every resource, as before the model existed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::inventory::{
    AutoScalingGroup, ClassicLoadBalancer, DbCluster, DbInstance, DbSubnetGroup, Index, Instance,
    Inventory, Listener, LoadBalancer, MetricAlarm, RecordSet, Resource, SecurityGroup, SnsTopic,
    Subnet, Tags, TargetGroup, Vpc,
};

/// The tag that puts any resource into a named application.
pub const APP_TAG: &str = "hacheck:app";
/// The bastion tag unless `[scope] bastion_tag` says otherwise.
pub const DEFAULT_BASTION_TAG: &str = "hacheck:role=bastion";
/// The name of the one application of [`Scope::Account`].
pub const ACCOUNT_APP: &str = "account";

/// What the rules judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The resources of the web applications found (default).
    #[default]
    Apps,
    /// Every resource of the account, as one application.
    Account,
}

/// The part a resource plays in an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    LoadBalancer,
    /// A Classic Load Balancer (`elasticloadbalancing`): listeners and instances in one.
    ClassicLoadBalancer,
    Listener,
    TargetGroup,
    DnsRecord,
    AutoScalingGroup,
    Instance,
    LaunchTemplate,
    LaunchConfiguration,
    AppSecurityGroup,
    LbSecurityGroup,
    ScalingPolicy,
    Alarm,
    Topic,
    /// A standalone DB instance or a DB cluster.
    Database,
    /// An instance of a DB cluster: judged through its cluster.
    ClusterMember,
    DbSecurityGroup,
    /// A bastion host: an instance or an Auto Scaling group.
    Bastion,
    BastionSecurityGroup,
    Vpc,
}

impl Role {
    pub const ALL: [Role; 20] = [
        Role::LoadBalancer,
        Role::ClassicLoadBalancer,
        Role::Listener,
        Role::TargetGroup,
        Role::DnsRecord,
        Role::AutoScalingGroup,
        Role::Instance,
        Role::LaunchTemplate,
        Role::LaunchConfiguration,
        Role::AppSecurityGroup,
        Role::LbSecurityGroup,
        Role::ScalingPolicy,
        Role::Alarm,
        Role::Topic,
        Role::Database,
        Role::ClusterMember,
        Role::DbSecurityGroup,
        Role::Bastion,
        Role::BastionSecurityGroup,
        Role::Vpc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::LoadBalancer => "load_balancer",
            Role::ClassicLoadBalancer => "classic_load_balancer",
            Role::Listener => "listener",
            Role::TargetGroup => "target_group",
            Role::DnsRecord => "dns_record",
            Role::AutoScalingGroup => "auto_scaling_group",
            Role::Instance => "instance",
            Role::LaunchTemplate => "launch_template",
            Role::LaunchConfiguration => "launch_configuration",
            Role::AppSecurityGroup => "app_security_group",
            Role::LbSecurityGroup => "lb_security_group",
            Role::ScalingPolicy => "scaling_policy",
            Role::Alarm => "alarm",
            Role::Topic => "topic",
            Role::Database => "database",
            Role::ClusterMember => "cluster_member",
            Role::DbSecurityGroup => "db_security_group",
            Role::Bastion => "bastion",
            Role::BastionSecurityGroup => "bastion_security_group",
            Role::Vpc => "vpc",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One resource of an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Inventory kind, e.g. `auto_scaling_group`.
    pub kind: String,
    pub id: String,
    pub arn: String,
    pub role: Role,
    /// Why it belongs: the relation to the member it was reached from.
    pub via: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub name: String,
    /// `discovered`, `tag` (`hacheck:app`), `config` (`[[apps]]`) or `account`.
    pub origin: String,
    /// Ids of the members it was found from.
    pub entry_points: Vec<String>,
    pub members: Vec<Member>,
}

/// A workload (instance, Auto Scaling group, load balancer, database) in no application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfScope {
    pub kind: String,
    pub id: String,
    pub arn: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AppModel {
    pub scope: Scope,
    pub applications: Vec<Application>,
    pub out_of_scope: Vec<OutOfScope>,
    /// ARN → (application index, role) of every membership.
    #[serde(skip)]
    index: HashMap<String, Vec<(usize, Role)>>,
}

impl AppModel {
    /// Names of the applications `arn` belongs to, in model order.
    pub fn apps_of(&self, arn: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .index
            .get(arn)
            .into_iter()
            .flatten()
            .map(|(app, _)| self.applications[*app].name.as_str())
            .collect();
        names.dedup();
        names
    }

    /// The first application `arn` belongs to (in model order), without listing the others.
    pub fn first_app_of(&self, arn: &str) -> Option<&str> {
        let (app, _) = self.index.get(arn)?.first()?;
        Some(self.applications[*app].name.as_str())
    }

    /// Names of the applications in which `arn` plays `role`, in model order.
    pub fn apps_of_in_role(&self, arn: &str, role: Role) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .index
            .get(arn)
            .into_iter()
            .flatten()
            .filter(|(_, played)| *played == role)
            .map(|(app, _)| self.applications[*app].name.as_str())
            .collect();
        names.dedup();
        names
    }

    /// The roles `arn` plays, in any application.
    pub fn roles_of(&self, arn: &str) -> BTreeSet<Role> {
        self.index
            .get(arn)
            .into_iter()
            .flatten()
            .map(|(_, role)| *role)
            .collect()
    }

    fn reindex(&mut self) {
        self.index.clear();
        for (position, app) in self.applications.iter().enumerate() {
            for member in &app.members {
                self.index
                    .entry(member.arn.clone())
                    .or_default()
                    .push((position, member.role));
            }
        }
    }
}

/// `[[apps]]` in `hacheck.toml`: an application declared by hand.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppDeclaration {
    pub name: String,
    /// Resources that belong to it (and what serves them, found as discovery would).
    #[serde(default)]
    pub include: Vec<Selector>,
    /// Resources that never belong to it, even when discovery reaches them.
    #[serde(default)]
    pub exclude: Vec<Selector>,
}

/// Picks resources by tag (`key=value`, `key=*`, or just `key`) or by a glob over id, name and
/// ARN. Exactly one of the two.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

/// `[scope]` in `hacheck.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSettings {
    /// `key=value` marking bastion hosts (on an instance, or on its Auto Scaling group).
    #[serde(default = "default_bastion_tag")]
    pub bastion_tag: String,
}

fn default_bastion_tag() -> String {
    DEFAULT_BASTION_TAG.to_owned()
}

impl Default for ScopeSettings {
    fn default() -> Self {
        ScopeSettings {
            bastion_tag: default_bastion_tag(),
        }
    }
}

/// A compiled [`Selector`].
struct Matcher {
    tag_key: Option<globset::GlobMatcher>,
    tag_value: Option<globset::GlobMatcher>,
    id: Option<globset::GlobMatcher>,
}

fn glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|error| format!("bad glob `{pattern}`: {}", error.kind()))
}

impl Selector {
    fn compile(&self) -> Result<Matcher, String> {
        match (&self.tag, &self.id) {
            (Some(tag), None) => {
                let (key, value) = match tag.split_once('=') {
                    Some((key, value)) => (key, Some(value)),
                    None => (tag.as_str(), None),
                };
                Ok(Matcher {
                    tag_key: Some(glob(key)?),
                    tag_value: value.map(glob).transpose()?,
                    id: None,
                })
            }
            (None, Some(id)) => Ok(Matcher {
                tag_key: None,
                tag_value: None,
                id: Some(glob(id)?),
            }),
            _ => Err("a selector needs exactly one of `tag` or `id`".into()),
        }
    }
}

impl AppDeclaration {
    /// Checks the declaration; the message names the application and the problem.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("[[apps]] needs a `name`".into());
        }
        if self.include.is_empty() && self.exclude.is_empty() {
            return Err(format!(
                "[[apps]] `{}` includes and excludes nothing",
                self.name
            ));
        }
        for selector in self.include.iter().chain(&self.exclude) {
            selector
                .compile()
                .map_err(|message| format!("[[apps]] `{}`: {message}", self.name))?;
        }
        Ok(())
    }
}

impl Matcher {
    fn matches(&self, node: &Node) -> bool {
        if let Some(id) = &self.id {
            return id.is_match(&node.id)
                || id.is_match(&node.arn)
                || node.name.as_deref().is_some_and(|n| id.is_match(n));
        }
        let Some(key) = &self.tag_key else {
            return false;
        };
        node.tags.is_some_and(|tags| {
            tags.iter().any(|(k, v)| {
                key.is_match(k)
                    && self
                        .tag_value
                        .as_ref()
                        .is_none_or(|value| value.is_match(v))
            })
        })
    }
}

/// Why a workload is left to the system that manages it: the first matching tag.
fn managed_by(tags: &Tags) -> Option<String> {
    const EXACT: [(&str, &str); 10] = [
        ("eks:cluster-name", "EKS"),
        ("eks:nodegroup-name", "EKS"),
        ("aws:eks:cluster-name", "EKS"),
        ("karpenter.sh/nodepool", "Karpenter"),
        ("karpenter.sh/provisioner-name", "Karpenter"),
        ("karpenter.k8s.aws/ec2nodeclass", "Karpenter"),
        ("AmazonECSManaged", "ECS"),
        (
            "elbv2.k8s.aws/cluster",
            "the AWS Load Balancer Controller (Kubernetes)",
        ),
        ("AWSBatchServiceTag", "AWS Batch"),
        ("aws:elasticmapreduce:job-flow-id", "EMR"),
    ];
    for (key, system) in EXACT {
        if tags.contains_key(key) {
            return Some(format!("managed by {system} (tag `{key}`)"));
        }
    }
    tags.keys()
        .find(|k| k.starts_with("kubernetes.io/cluster/"))
        .map(|key| format!("managed by Kubernetes (tag `{key}`)"))
}

/// A resource as discovery handles it: identity, tags, and what it is.
#[derive(Clone)]
struct Node<'a> {
    kind: &'static str,
    id: String,
    arn: String,
    name: Option<String>,
    tags: Option<&'a Tags>,
    item: Item<'a>,
}

#[derive(Clone, Copy)]
enum Item<'a> {
    LoadBalancer(&'a LoadBalancer),
    ClassicLoadBalancer(&'a ClassicLoadBalancer),
    Listener(&'a Listener),
    TargetGroup(&'a TargetGroup),
    Record(&'a RecordSet),
    Group(&'a AutoScalingGroup),
    Instance(&'a Instance),
    Template,
    Configuration,
    SecurityGroup,
    Policy,
    Alarm(&'a MetricAlarm),
    Topic,
    DbInstance(&'a DbInstance),
    DbCluster(&'a DbCluster),
    Vpc,
}

/// Discovery's view of the inventory: its one index, and the bastion tag to look for.
struct Graph<'a> {
    inv: &'a Inventory,
    index: &'a Index,
    bastion_tag: (String, String),
}

fn node<'a, R: Resource>(
    resource: &'a R,
    account: &str,
    name: Option<&str>,
    tags: Option<&'a Tags>,
    item: Item<'a>,
) -> Node<'a> {
    Node {
        kind: R::KIND,
        id: resource.display_id(),
        arn: resource.arn(account),
        name: name.map(str::to_owned),
        tags,
        item,
    }
}

impl<'a> Graph<'a> {
    fn new(index: &'a Index, settings: &ScopeSettings) -> Self {
        let bastion_tag = match settings.bastion_tag.split_once('=') {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None => (settings.bastion_tag.clone(), String::new()),
        };
        Graph {
            inv: index.inventory(),
            index,
            bastion_tag,
        }
    }

    fn security_group_in(&self, region: &str, id: &str) -> Option<&'a SecurityGroup> {
        self.index.find::<SecurityGroup>(region, id)
    }

    fn account(&self) -> &'a str {
        &self.inv.account_id
    }

    fn lb(&self, lb: &'a LoadBalancer) -> Node<'a> {
        node(
            lb,
            self.account(),
            None,
            Some(&lb.tags),
            Item::LoadBalancer(lb),
        )
    }
    fn classic(&self, lb: &'a ClassicLoadBalancer) -> Node<'a> {
        node(
            lb,
            self.account(),
            None,
            Some(&lb.tags),
            Item::ClassicLoadBalancer(lb),
        )
    }
    fn group(&self, group: &'a AutoScalingGroup) -> Node<'a> {
        node(
            group,
            self.account(),
            None,
            Some(&group.tags),
            Item::Group(group),
        )
    }
    fn instance(&self, instance: &'a Instance) -> Node<'a> {
        node(
            instance,
            self.account(),
            instance.tags.get("Name").map(String::as_str),
            Some(&instance.tags),
            Item::Instance(instance),
        )
    }
    fn security_group(&self, group: &'a SecurityGroup) -> Node<'a> {
        node(
            group,
            self.account(),
            Some(&group.name),
            Some(&group.tags),
            Item::SecurityGroup,
        )
    }
    fn record(&self, record: &'a RecordSet) -> Node<'a> {
        node(
            record,
            self.account(),
            Some(&record.name),
            None,
            Item::Record(record),
        )
    }
    fn db_instance(&self, db: &'a DbInstance) -> Node<'a> {
        node(db, self.account(), None, None, Item::DbInstance(db))
    }
    fn db_cluster(&self, cluster: &'a DbCluster) -> Node<'a> {
        node(
            cluster,
            self.account(),
            None,
            None,
            Item::DbCluster(cluster),
        )
    }
    fn alarm(&self, alarm: &'a MetricAlarm) -> Node<'a> {
        node(alarm, self.account(), None, None, Item::Alarm(alarm))
    }

    /// Every node of the inventory that explicit scoping may select.
    fn selectable(&self) -> Vec<Node<'a>> {
        let account = self.account();
        let inv = self.inv;
        let mut nodes: Vec<Node<'a>> = Vec::new();
        nodes.extend(inv.load_balancers.iter().map(|l| self.lb(l)));
        nodes.extend(inv.classic_load_balancers.iter().map(|l| self.classic(l)));
        nodes.extend(inv.auto_scaling_groups.iter().map(|g| self.group(g)));
        nodes.extend(
            inv.instances
                .iter()
                .filter(|i| i.state != "terminated")
                .map(|i| self.instance(i)),
        );
        nodes.extend(inv.db_instances.iter().map(|d| self.db_instance(d)));
        nodes.extend(inv.db_clusters.iter().map(|c| self.db_cluster(c)));
        nodes.extend(inv.security_groups.iter().map(|g| self.security_group(g)));
        nodes.extend(inv.record_sets.iter().map(|r| self.record(r)));
        nodes.extend(
            inv.target_groups
                .iter()
                .map(|t| node(t, account, None, None, Item::TargetGroup(t))),
        );
        nodes.extend(
            inv.vpcs
                .iter()
                .map(|v| node(v, account, None, Some(&v.tags), Item::Vpc)),
        );
        nodes
    }

    fn is_bastion_tagged(&self, tags: &Tags) -> bool {
        let (key, value) = &self.bastion_tag;
        tags.get(key)
            .is_some_and(|v| value.is_empty() || v == value)
    }

    /// A bastion instance: tagged, or launched by a tagged group.
    fn instance_is_bastion(&self, instance: &Instance) -> bool {
        self.is_bastion_tagged(&instance.tags)
            || instance
                .auto_scaling_group
                .as_deref()
                .and_then(|g| self.index.find_near::<AutoScalingGroup>(instance, g))
                .is_some_and(|g| self.is_bastion_tagged(&g.tags))
    }

    /// The security groups a group's instances launch with (its template version or
    /// launch configuration).
    fn launch_security_groups(&self, group: &'a AutoScalingGroup) -> Vec<&'a str> {
        self.index.launch_security_groups(group)
    }

    fn group_vpc(&self, group: &'a AutoScalingGroup) -> Option<&'a str> {
        self.index.vpc_of_group(group)
    }

    /// The first rule by which `instance` serves the whole internet from its public address
    /// (its own or an Elastic IP), as `tcp 8080`: any TCP or UDP port but SSH and RDP.
    /// Routing appliances (source/destination check off) serve nobody.
    fn serves_internet(&self, instance: &Instance) -> Option<String> {
        if instance.public_ip.is_none() || !instance.source_dest_check {
            return None;
        }
        instance.security_group_ids.iter().find_map(|id| {
            let group = self.security_group_in(&instance.region, id)?;
            group
                .ingress
                .iter()
                .find(|rule| serves_world(rule))
                .map(|rule| rule.ports_text())
        })
    }

    /// Why discovery leaves a workload alone, unless it is scoped explicitly.
    fn left_out(&self, node: &Node) -> Option<String> {
        if let Some(reason) = node.tags.and_then(managed_by) {
            return Some(reason);
        }
        match node.item {
            Item::Instance(instance) if !instance.source_dest_check => {
                Some("network appliance: source/destination check is off (NAT or VPN)".into())
            }
            Item::Group(group) if self.index.launches_ecs_container_instances(group) => Some(
                "managed by ECS (its instances join a cluster: `ECS_CLUSTER` in user data)".into(),
            ),
            Item::Group(group) => group
                .instance_ids
                .iter()
                .filter_map(|id| self.index.find_near::<Instance>(group, id))
                .find_map(|i| managed_by(&i.tags)),
            _ => None,
        }
    }

    fn db_vpc(&self, region: &str, subnet_group: Option<&str>) -> Option<&'a str> {
        subnet_group
            .and_then(|name| self.index.find::<DbSubnetGroup>(region, name))
            .map(|g| g.vpc_id.as_str())
    }
}

/// The roles of compute and its security groups on the serving side of an application, or
/// on the bastion side.
struct Side {
    instance: Role,
    group: Role,
    security_group: Role,
}

impl Side {
    fn of(serving: bool) -> Side {
        if serving {
            Side {
                instance: Role::Instance,
                group: Role::AutoScalingGroup,
                security_group: Role::AppSecurityGroup,
            }
        } else {
            Side {
                instance: Role::Bastion,
                group: Role::Bastion,
                security_group: Role::BastionSecurityGroup,
            }
        }
    }
}

/// One application being built: its members, keyed by (ARN, role).
struct Builder<'g, 'a> {
    graph: &'g Graph<'a>,
    name: String,
    members: Vec<Member>,
    seen: HashSet<(String, Role)>,
    /// ARNs of `members`, for membership tests.
    arns: HashSet<String>,
    /// ARNs explicitly given to another application (skipped here).
    claimed_elsewhere: &'g HashMap<String, String>,
    excluded: Vec<Matcher>,
    /// Explicit roots of this application: not left out as managed.
    explicit: HashSet<String>,
    /// What discovery left out while building, by ARN.
    left_out: BTreeMap<String, String>,
    queue: VecDeque<(Node<'a>, Role, String)>,
    /// When false (account scope), nothing is left out or claimed.
    selective: bool,
}

impl<'g, 'a> Builder<'g, 'a> {
    fn push(&mut self, node: Node<'a>, role: Role, via: impl Into<String>) {
        self.queue.push_back((node, role, via.into()));
    }

    fn has(&self, arn: &str) -> bool {
        self.arns.contains(arn)
    }

    /// Visits queued nodes until none is left, following the edges of each.
    fn run(&mut self) {
        while let Some((node, role, via)) = self.queue.pop_front() {
            if self.seen.contains(&(node.arn.clone(), role)) {
                continue;
            }
            if self.selective {
                if self
                    .claimed_elsewhere
                    .get(&node.arn)
                    .is_some_and(|owner| *owner != self.name)
                {
                    continue;
                }
                if self.excluded.iter().any(|m| m.matches(&node)) {
                    self.left_out.insert(
                        node.arn.clone(),
                        format!("excluded from application `{}` by `[[apps]]`", self.name),
                    );
                    continue;
                }
                if !self.explicit.contains(&node.arn)
                    && let Some(reason) = self.graph.left_out(&node)
                {
                    self.left_out.insert(node.arn.clone(), reason);
                    continue;
                }
            }
            // A bastion reached as compute is a bastion, not an app instance.
            let role = match (role, node.item) {
                (Role::Instance, Item::Instance(i)) if self.graph.instance_is_bastion(i) => {
                    Role::Bastion
                }
                (Role::AutoScalingGroup, Item::Group(g))
                    if self.graph.is_bastion_tagged(&g.tags) =>
                {
                    Role::Bastion
                }
                _ => role,
            };
            if !self.seen.insert((node.arn.clone(), role)) {
                continue;
            }
            self.arns.insert(node.arn.clone());
            self.members.push(Member {
                kind: node.kind.to_owned(),
                id: node.id.clone(),
                arn: node.arn.clone(),
                role,
                via,
            });
            self.follow(&node, role);
        }
    }

    fn follow(&mut self, from: &Node<'a>, role: Role) {
        let graph = self.graph;
        let account = graph.account();
        match from.item {
            Item::LoadBalancer(lb) => {
                for listener in graph.index.listeners_of(lb) {
                    self.push(
                        node(listener, account, None, None, Item::Listener(listener)),
                        Role::Listener,
                        format!("listener {} of load balancer {}", listener.port, lb.name),
                    );
                }
                self.push_front(
                    &lb.region,
                    &lb.security_group_ids,
                    &lb.dns_name,
                    &format!("load balancer {}", lb.name),
                );
                self.push_vpc(
                    &lb.region,
                    &lb.vpc_id,
                    &format!("network of load balancer {}", lb.name),
                );
            }
            Item::ClassicLoadBalancer(lb) => {
                self.push_front(
                    &lb.region,
                    &lb.security_group_ids,
                    &lb.dns_name,
                    &format!("Classic Load Balancer {}", lb.name),
                );
                for group in graph.index.groups_of_classic(lb) {
                    self.push(
                        graph.group(group),
                        Role::AutoScalingGroup,
                        format!("attaches Classic Load Balancer {} by name", lb.name),
                    );
                }
                for id in &lb.instance_ids {
                    if let Some(instance) = graph.index.find_near::<Instance>(lb, id) {
                        self.push(
                            graph.instance(instance),
                            Role::Instance,
                            format!("registered with Classic Load Balancer {}", lb.name),
                        );
                    }
                }
                self.push_vpc(
                    &lb.region,
                    &lb.vpc_id,
                    &format!("network of Classic Load Balancer {}", lb.name),
                );
            }
            Item::Listener(listener) => {
                for arn in listener.forwarded_target_groups() {
                    if let Some(target_group) = graph.index.by_arn::<TargetGroup>(arn) {
                        self.push(
                            node(
                                target_group,
                                account,
                                None,
                                None,
                                Item::TargetGroup(target_group),
                            ),
                            Role::TargetGroup,
                            format!("forwarded to by listener {}", listener.port),
                        );
                    }
                }
            }
            Item::TargetGroup(target_group) => {
                for group in graph.index.groups_of_target_group(target_group) {
                    self.push(
                        graph.group(group),
                        Role::AutoScalingGroup,
                        format!("attached to target group {}", target_group.name),
                    );
                }
                for target in &target_group.targets {
                    // An address's network interface (a container service's task): its
                    // security groups are the application's, as its instances' would be.
                    for id in &target.security_group_ids {
                        if let Some(sg) = graph.security_group_in(&target_group.region, id) {
                            self.push(
                                graph.security_group(sg),
                                Role::AppSecurityGroup,
                                format!(
                                    "security group of address {} in target group {}",
                                    target.id, target_group.name
                                ),
                            );
                        }
                    }
                    if let Some(instance) =
                        graph.index.find_near::<Instance>(target_group, &target.id)
                    {
                        self.push(
                            graph.instance(instance),
                            Role::Instance,
                            format!("registered in target group {}", target_group.name),
                        );
                    }
                }
            }
            Item::Record(record) => {
                for value in &record.values {
                    if let Some(instance) = graph.index.instance_at_public_ip(value) {
                        self.push(
                            graph.instance(instance),
                            Role::Instance,
                            format!("public IP {value} of record {}", record.name),
                        );
                    }
                }
            }
            Item::Group(group) => {
                let serving = role == Role::AutoScalingGroup;
                let side = Side::of(serving);
                for id in &group.instance_ids {
                    if let Some(instance) = graph.index.find_near::<Instance>(group, id) {
                        self.push(
                            graph.instance(instance),
                            side.instance,
                            format!("launched by Auto Scaling group {}", group.name),
                        );
                    }
                }
                let security_role = side.security_group;
                for id in graph.launch_security_groups(group) {
                    if let Some(sg) = graph.security_group_in(&group.region, id) {
                        self.push(
                            graph.security_group(sg),
                            security_role,
                            format!(
                                "security group Auto Scaling group {} launches with",
                                group.name
                            ),
                        );
                    }
                }
                if let Some(vpc) = graph.group_vpc(group) {
                    self.push_vpc(
                        &group.region,
                        vpc,
                        &format!("network of Auto Scaling group {}", group.name),
                    );
                }
                if !serving {
                    return;
                }
                if let Some((template, _)) = graph.index.launch_template_of(group) {
                    self.push(
                        node(
                            template,
                            account,
                            Some(&template.name),
                            Some(&template.tags),
                            Item::Template,
                        ),
                        Role::LaunchTemplate,
                        format!("launch template of Auto Scaling group {}", group.name),
                    );
                }
                if let Some(config) = graph.index.launch_configuration_of(group) {
                    self.push(
                        node(config, account, None, None, Item::Configuration),
                        Role::LaunchConfiguration,
                        format!("launch configuration of Auto Scaling group {}", group.name),
                    );
                }
                for policy in graph.index.scaling_policies_of(group) {
                    self.push(
                        node(policy, account, None, None, Item::Policy),
                        Role::ScalingPolicy,
                        format!("scaling policy of Auto Scaling group {}", group.name),
                    );
                }
                for alarm in graph.index.alarms_on(group) {
                    self.push(
                        graph.alarm(alarm),
                        Role::Alarm,
                        format!("alarm on Auto Scaling group {}", group.name),
                    );
                }
            }
            Item::Instance(instance) => {
                let serving = role == Role::Instance;
                if let Some(group) = graph.index.group_of_instance(instance) {
                    self.push(
                        graph.group(group),
                        Side::of(serving).group,
                        format!("owns instance {}", instance.id),
                    );
                }
                let security_role = Side::of(serving).security_group;
                for id in &instance.security_group_ids {
                    if let Some(sg) = graph.security_group_in(&instance.region, id) {
                        self.push(
                            graph.security_group(sg),
                            security_role,
                            format!("security group of instance {}", instance.id),
                        );
                    }
                }
                self.push_vpc(
                    &instance.region,
                    &instance.vpc_id,
                    &format!("network of instance {}", instance.id),
                );
            }
            Item::Alarm(alarm) => {
                let mut topics: Vec<&String> = alarm
                    .alarm_actions
                    .iter()
                    .chain(&alarm.ok_actions)
                    .collect();
                topics.sort();
                topics.dedup();
                for arn in topics {
                    if let Some(topic) = graph.index.by_arn::<SnsTopic>(arn) {
                        self.push(
                            node(topic, account, None, None, Item::Topic),
                            Role::Topic,
                            format!("notified by alarm {}", alarm.name),
                        );
                    }
                }
            }
            Item::DbCluster(cluster) => {
                for member in &cluster.members {
                    if let Some(db) = graph
                        .index
                        .find_near::<DbInstance>(cluster, &member.instance_id)
                    {
                        self.push(
                            graph.db_instance(db),
                            Role::ClusterMember,
                            format!("instance of DB cluster {}", cluster.id),
                        );
                    }
                }
                self.push_db_groups(&cluster.region, &cluster.security_group_ids, &cluster.id);
            }
            Item::DbInstance(db) if role == Role::Database => {
                self.push_db_groups(&db.region, &db.security_group_ids, &db.id);
            }
            _ => {}
        }
    }

    fn push_db_groups(&mut self, region: &str, ids: &[String], db: &str) {
        for id in ids {
            if let Some(sg) = self.graph.security_group_in(region, id) {
                let node = self.graph.security_group(sg);
                self.push(
                    node,
                    Role::DbSecurityGroup,
                    format!("security group of database {db}"),
                );
            }
        }
    }

    /// What stands in front of a load balancer's targets, of either API: its security groups
    /// and the records aliasing its DNS name. `what` names it in the reasons.
    fn push_front(
        &mut self,
        region: &str,
        security_group_ids: &[String],
        dns_name: &str,
        what: &str,
    ) {
        let graph = self.graph;
        for id in security_group_ids {
            if let Some(group) = graph.security_group_in(region, id) {
                self.push(
                    graph.security_group(group),
                    Role::LbSecurityGroup,
                    format!("security group of {what}"),
                );
            }
        }
        for record in graph.index.records_aliasing(dns_name) {
            self.push(
                graph.record(record),
                Role::DnsRecord,
                format!("alias to {what}"),
            );
        }
    }

    fn push_vpc(&mut self, region: &str, vpc_id: &str, via: &str) {
        if let Some(vpc) = self.graph.index.find::<Vpc>(region, vpc_id) {
            let node = node(vpc, self.graph.account(), None, Some(&vpc.tags), Item::Vpc);
            self.push(node, Role::Vpc, via);
        }
    }

    /// The security groups of the members in `role`, looked up by ARN.
    fn groups_in(&self, role: Role) -> Vec<&'a SecurityGroup> {
        self.members
            .iter()
            .filter(|m| m.role == role)
            .filter_map(|m| self.graph.index.by_arn::<SecurityGroup>(&m.arn))
            .collect()
    }

    fn ids_in(&self, role: Role) -> BTreeSet<String> {
        self.members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.id.clone())
            .collect()
    }

    /// What the application reaches beyond its serving path, until nothing new is found:
    /// groups launching into its serving security groups, its databases, its bastions.
    fn complete(&mut self) {
        loop {
            let before = self.members.len();
            self.add_groups_sharing_serving_groups();
            self.add_instances_sharing_serving_groups();
            self.add_databases();
            self.add_bastions();
            self.run();
            if self.members.len() == before {
                break;
            }
        }
    }

    /// App security groups that take the application's traffic: from the internet on a port
    /// other than SSH and RDP, or from one of the application's load-balancer groups.
    fn serving_security_groups(&self) -> BTreeSet<String> {
        let lb_groups = self.ids_in(Role::LbSecurityGroup);
        self.groups_in(Role::AppSecurityGroup)
            .into_iter()
            .filter(|g| {
                g.ingress.iter().any(|rule| {
                    serves_world(rule)
                        || rule
                            .source_group_id
                            .as_ref()
                            .is_some_and(|source| lb_groups.contains(source))
                })
            })
            .map(|g| g.id.clone())
            .collect()
    }

    /// Auto Scaling groups that serve the application without being wired to it (yet):
    /// they launch into one of its serving security groups, or into a group that admits
    /// its load balancer's security group.
    fn add_groups_sharing_serving_groups(&mut self) {
        let serving = self.serving_security_groups();
        let lb_groups = self.ids_in(Role::LbSecurityGroup);
        if serving.is_empty() && lb_groups.is_empty() {
            return;
        }
        let graph = self.graph;
        let admits_lb = |region: &str, id: &str| {
            graph.security_group_in(region, id).and_then(|g| {
                g.ingress.iter().find_map(|rule| {
                    rule.source_group_id
                        .as_ref()
                        .filter(|s| lb_groups.contains(*s))
                })
            })
        };
        for group in &graph.inv.auto_scaling_groups {
            if self.has(&group.arn) {
                continue;
            }
            let launch_groups = graph.launch_security_groups(group);
            if let Some(shared) = launch_groups.iter().find(|id| serving.contains(**id)) {
                self.push(
                    graph.group(group),
                    Role::AutoScalingGroup,
                    format!("launches into security group {shared}, which takes the application's web traffic"),
                );
            } else if let Some((id, lb_group)) = launch_groups
                .iter()
                .find_map(|id| admits_lb(&group.region, id).map(|lb_group| (*id, lb_group)))
            {
                self.push(
                    graph.group(group),
                    Role::AutoScalingGroup,
                    format!("launches into security group {id}, which admits the load balancer's group {lb_group}"),
                );
            }
        }
    }

    /// Running instances in one of its serving security groups, in the same VPC: they take
    /// the same traffic (two legacy web servers behind one group, one of them in DNS).
    fn add_instances_sharing_serving_groups(&mut self) {
        let serving = self.serving_security_groups();
        if serving.is_empty() {
            return;
        }
        let graph = self.graph;
        for group in self.groups_in(Role::AppSecurityGroup) {
            if !serving.contains(&group.id) {
                continue;
            }
            for instance in graph.index.instances_in(group) {
                if instance.state != "running"
                    || instance.vpc_id != group.vpc_id
                    || self.has(&instance_arn(graph, instance))
                    || graph.instance_is_bastion(instance)
                {
                    continue;
                }
                self.push(
                    graph.instance(instance),
                    Role::Instance,
                    format!(
                        "in security group {}, which takes the application's traffic",
                        group.id
                    ),
                );
            }
        }
    }

    /// Databases whose security groups admit an app security group; failing any, those in
    /// the application's VPCs whose rules admit its instances' networks (a CIDR peer).
    fn add_databases(&mut self) {
        let graph = self.graph;
        let app_groups = self.ids_in(Role::AppSecurityGroup);
        if app_groups.is_empty() {
            return;
        }
        let admitting_group = |region: &str, ids: &[String]| -> Option<String> {
            ids.iter().find_map(|id| {
                graph
                    .security_group_in(region, id)?
                    .ingress
                    .iter()
                    .find_map(|rule| {
                        rule.source_group_id
                            .as_ref()
                            .filter(|source| app_groups.contains(*source))
                            .map(|source| format!("admits application security group {source}"))
                    })
            })
        };
        let mut found: Vec<(Node<'a>, String)> = Vec::new();
        for db in graph
            .inv
            .db_instances
            .iter()
            .filter(|d| d.cluster_id.is_none())
        {
            if let Some(via) = admitting_group(&db.region, &db.security_group_ids) {
                found.push((graph.db_instance(db), via));
            }
        }
        for cluster in &graph.inv.db_clusters {
            if let Some(via) = admitting_group(&cluster.region, &cluster.security_group_ids) {
                found.push((graph.db_cluster(cluster), via));
            }
        }
        if found.is_empty() && !self.members.iter().any(|m| m.role == Role::Database) {
            let networks = self.app_networks();
            let vpcs = self.ids_in(Role::Vpc);
            let admitting_network = |region: &str, ids: &[String]| -> Option<String> {
                ids.iter().find_map(|id| {
                    graph
                        .security_group_in(region, id)?
                        .ingress
                        .iter()
                        .find_map(|rule| {
                            let cidr = rule.cidr_ipv4.as_deref()?;
                            networks
                                .iter()
                                .any(|network| ipv4_cidr_contains(cidr, network))
                                .then(|| format!("admits the application's network from {cidr}"))
                        })
                })
            };
            for db in graph
                .inv
                .db_instances
                .iter()
                .filter(|d| d.cluster_id.is_none())
            {
                let vpc = db
                    .vpc_id
                    .as_deref()
                    .or(graph.db_vpc(&db.region, db.subnet_group.as_deref()));
                if vpc.is_some_and(|v| !vpcs.contains(v)) {
                    continue;
                }
                if let Some(via) = admitting_network(&db.region, &db.security_group_ids) {
                    found.push((graph.db_instance(db), via));
                }
            }
            for cluster in &graph.inv.db_clusters {
                let vpc = graph.db_vpc(&cluster.region, cluster.subnet_group.as_deref());
                if vpc.is_some_and(|v| !vpcs.contains(v)) {
                    continue;
                }
                if let Some(via) = admitting_network(&cluster.region, &cluster.security_group_ids) {
                    found.push((graph.db_cluster(cluster), via));
                }
            }
        }
        for (node, via) in found {
            if !self.has(&node.arn) {
                self.push(node, Role::Database, via);
            }
        }
    }

    /// The subnets (CIDRs) and private addresses of the application's instances.
    fn app_networks(&self) -> Vec<String> {
        let graph = self.graph;
        let mut networks = Vec::new();
        for member in &self.members {
            match member.role {
                Role::Instance => {
                    if let Some(instance) = graph.index.by_arn::<Instance>(&member.arn) {
                        if let Some(ip) = &instance.private_ip {
                            networks.push(format!("{ip}/32"));
                        }
                        if let Some(subnet) = graph
                            .index
                            .find_near::<Subnet>(instance, &instance.subnet_id)
                        {
                            networks.push(subnet.cidr_block.clone());
                        }
                    }
                }
                Role::AutoScalingGroup => {
                    if let Some(group) = graph.index.by_arn::<AutoScalingGroup>(&member.arn) {
                        for id in &group.subnet_ids {
                            if let Some(subnet) = graph.index.find_near::<Subnet>(group, id) {
                                networks.push(subnet.cidr_block.clone());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        networks
    }

    /// Bastions of the application's VPCs: tagged instances and groups (the tag on the group
    /// counts for its instances), and, when the application's security groups name exactly
    /// one group as their port-22 source, that group and the instances and groups in it.
    fn add_bastions(&mut self) {
        let graph = self.graph;
        let vpcs = self.ids_in(Role::Vpc);
        let app_groups = self.ids_in(Role::AppSecurityGroup);
        // A load balancer's group admitted on every port (ECS's samples do) is no bastion.
        let lb_groups = self.ids_in(Role::LbSecurityGroup);
        let ssh_sources: BTreeSet<(&str, &str)> = self
            .groups_in(Role::AppSecurityGroup)
            .into_iter()
            .flat_map(|g| g.ingress.iter().map(move |rule| (g, rule)))
            .filter(|(_, rule)| rule.covers_tcp_port(22))
            .filter_map(|(g, rule)| Some((g.region.as_str(), rule.source_group_id.as_deref()?)))
            .filter(|(_, source)| !app_groups.contains(*source) && !lb_groups.contains(*source))
            .collect();
        let named_in = if ssh_sources.len() == 1 {
            ssh_sources.first().copied()
        } else {
            None
        };
        let named = named_in.map(|(_, id)| id);
        if let Some(sg) = named_in.and_then(|(region, id)| graph.security_group_in(region, id)) {
            self.push(
                graph.security_group(sg),
                Role::BastionSecurityGroup,
                "the only port-22 source of the application's security groups",
            );
        }
        for instance in &graph.inv.instances {
            if instance.state == "terminated"
                || !vpcs.contains(&instance.vpc_id)
                || self.has(&instance_arn(graph, instance))
            {
                continue;
            }
            if graph.instance_is_bastion(instance) {
                self.push(
                    graph.instance(instance),
                    Role::Bastion,
                    format!("bastion host in VPC {}", instance.vpc_id),
                );
            } else if let Some(source) =
                named.filter(|n| instance.security_group_ids.iter().any(|g| g == n))
            {
                self.push(
                    graph.instance(instance),
                    Role::Bastion,
                    format!("in security group {source}, the application's only port-22 source"),
                );
            }
        }
        for group in &graph.inv.auto_scaling_groups {
            if self.has(&group.arn) || !graph.group_vpc(group).is_some_and(|v| vpcs.contains(v)) {
                continue;
            }
            if graph.is_bastion_tagged(&group.tags) {
                self.push(
                    graph.group(group),
                    Role::Bastion,
                    "bastion Auto Scaling group in the application's VPC",
                );
            } else if let Some(source) =
                named.filter(|n| graph.launch_security_groups(group).contains(n))
            {
                self.push(
                    graph.group(group),
                    Role::Bastion,
                    format!("launches into security group {source}, the application's only port-22 source"),
                );
            }
        }
    }
}

/// Whether `rule` opens a TCP or UDP port other than SSH and RDP to the whole internet.
fn serves_world(rule: &crate::inventory::SgRule) -> bool {
    const ADMIN: [i32; 2] = [22, 3389];
    rule.is_world_open()
        && matches!(rule.protocol.as_str(), "tcp" | "udp" | "all" | "-1")
        && (rule.from_port..=rule.to_port).any(|port| !ADMIN.contains(&port))
}

fn instance_arn(graph: &Graph, instance: &Instance) -> String {
    instance.arn(graph.account())
}

/// Whether IPv4 network `outer` (a.b.c.d/n) contains `inner`.
pub fn ipv4_cidr_contains(outer: &str, inner: &str) -> bool {
    fn parse(cidr: &str) -> Option<(u32, u32)> {
        let (address, prefix) = cidr.split_once('/')?;
        let address: std::net::Ipv4Addr = address.parse().ok()?;
        let prefix: u32 = prefix.parse().ok().filter(|p| *p <= 32)?;
        Some((u32::from(address), prefix))
    }
    let (Some((outer, outer_prefix)), Some((inner, inner_prefix))) = (parse(outer), parse(inner))
    else {
        return false;
    };
    let mask = if outer_prefix == 0 {
        0
    } else {
        u32::MAX << (32 - outer_prefix)
    };
    inner_prefix >= outer_prefix && (outer & mask) == (inner & mask)
}

/// An entry point and the name it gives its application.
struct Seed<'a> {
    node: Node<'a>,
    role: Role,
    via: String,
    /// Set for explicit scoping (tag or `[[apps]]`).
    forced_name: Option<(String, &'static str)>,
}

/// Finds the applications of the inventory behind `index`.
pub fn discover(
    index: &Index,
    scope: Scope,
    settings: &ScopeSettings,
    declared: &[AppDeclaration],
) -> AppModel {
    let graph = Graph::new(index, settings);
    let (applications, left_out) = match scope {
        Scope::Account => (whole_account(&graph), BTreeMap::new()),
        Scope::Apps => applications(&graph, declared),
    };
    let mut model = AppModel {
        scope,
        applications,
        ..Default::default()
    };
    model.reindex();
    model.out_of_scope = out_of_scope(&graph, &model, &left_out);
    model
}

fn role_of_root(node: &Node) -> Role {
    match node.item {
        Item::LoadBalancer(_) => Role::LoadBalancer,
        Item::ClassicLoadBalancer(_) => Role::ClassicLoadBalancer,
        Item::Listener(_) => Role::Listener,
        Item::TargetGroup(_) => Role::TargetGroup,
        Item::Record(_) => Role::DnsRecord,
        Item::Group(_) => Role::AutoScalingGroup,
        Item::Instance(_) => Role::Instance,
        Item::Template => Role::LaunchTemplate,
        Item::Configuration => Role::LaunchConfiguration,
        Item::SecurityGroup => Role::AppSecurityGroup,
        Item::Policy => Role::ScalingPolicy,
        Item::Alarm(_) => Role::Alarm,
        Item::Topic => Role::Topic,
        Item::DbInstance(_) | Item::DbCluster(_) => Role::Database,
        Item::Vpc => Role::Vpc,
    }
}

fn seeds<'a>(graph: &Graph<'a>, declared: &[AppDeclaration]) -> Vec<Seed<'a>> {
    let mut seeds = Vec::new();
    // Explicit scoping first: it wins over discovery.
    for node in graph.selectable() {
        if let Some(name) = node.tags.and_then(|t| t.get(APP_TAG)) {
            seeds.push(Seed {
                role: role_of_root(&node),
                via: format!("tag `{APP_TAG}={name}`"),
                forced_name: Some((name.clone(), "tag")),
                node,
            });
        }
    }
    for declaration in declared {
        let matchers: Vec<Matcher> = declaration
            .include
            .iter()
            .filter_map(|s| s.compile().ok())
            .collect();
        for node in graph.selectable() {
            if matchers.iter().any(|m| m.matches(&node)) {
                seeds.push(Seed {
                    role: role_of_root(&node),
                    via: format!("included by `[[apps]]` `{}`", declaration.name),
                    forced_name: Some((declaration.name.clone(), "config")),
                    node,
                });
            }
        }
    }
    for lb in &graph.inv.load_balancers {
        if lb.scheme == "internet-facing" && lb.lb_type != "gateway" {
            seeds.push(Seed {
                node: graph.lb(lb),
                role: Role::LoadBalancer,
                via: "entry point: internet-facing load balancer".into(),
                forced_name: None,
            });
        }
    }
    for lb in &graph.inv.classic_load_balancers {
        if lb.scheme == "internet-facing" {
            seeds.push(Seed {
                node: graph.classic(lb),
                role: Role::ClassicLoadBalancer,
                via: "entry point: internet-facing Classic Load Balancer".into(),
                forced_name: None,
            });
        }
    }
    for record in &graph.inv.record_sets {
        if record.alias_target.is_none()
            && (record.record_type == "A" || record.record_type == "AAAA")
            && record
                .values
                .iter()
                .any(|v| graph.index.instance_at_public_ip(v).is_some())
        {
            seeds.push(Seed {
                node: graph.record(record),
                role: Role::DnsRecord,
                via: "entry point: record resolving to an instance's public IP".into(),
                forced_name: None,
            });
        }
    }
    for instance in &graph.inv.instances {
        if instance.state == "running"
            && let Some(ports) = graph.serves_internet(instance)
        {
            seeds.push(Seed {
                node: graph.instance(instance),
                role: Role::Instance,
                via: format!(
                    "entry point: serves {ports} to the internet from public address {}",
                    instance.public_ip.as_deref().unwrap_or_default()
                ),
                forced_name: None,
            });
        }
    }
    seeds
}

/// A name for a discovered application: its load balancer, else its record, else its
/// instance's `Name` tag or id.
fn discovered_name(seeds: &[&Seed]) -> String {
    let rank = |seed: &&&Seed| match seed.node.item {
        Item::LoadBalancer(_) | Item::ClassicLoadBalancer(_) => 0,
        Item::Record(_) => 1,
        _ => 2,
    };
    let best = seeds.iter().min_by_key(rank).expect("a group has a seed");
    match best.node.item {
        Item::LoadBalancer(lb) => lb.name.clone(),
        Item::ClassicLoadBalancer(lb) => lb.name.clone(),
        Item::Record(record) => record.name.trim_end_matches('.').to_owned(),
        _ => best
            .node
            .name
            .clone()
            .unwrap_or_else(|| best.node.id.clone()),
    }
}

/// The applications found from entry points and explicit scoping, and what discovery left
/// out on the way (ARN → reason).
fn applications(
    graph: &Graph,
    declared: &[AppDeclaration],
) -> (Vec<Application>, BTreeMap<String, String>) {
    let seeds = seeds(graph, declared);
    let no_claims = HashMap::new();
    let mut claims: HashMap<String, String> = HashMap::new();
    for seed in &seeds {
        if let Some((name, _)) = &seed.forced_name {
            claims
                .entry(seed.node.arn.clone())
                .or_insert_with(|| name.clone());
        }
    }

    // The compute each seed reaches alone decides which seeds are one application.
    let reach: Vec<BTreeSet<String>> = seeds
        .iter()
        .map(|seed| {
            let mut builder = new_builder(graph, "", &no_claims, Vec::new(), true);
            if seed.forced_name.is_some() {
                builder.explicit.insert(seed.node.arn.clone());
            }
            builder.push(seed.node.clone(), seed.role, seed.via.clone());
            builder.run();
            // Instances behind one serving group are one application's, whichever is the
            // entry point (the DNS name may name only one of them).
            builder.add_instances_sharing_serving_groups();
            builder.run();
            builder
                .members
                .iter()
                .filter(|m| {
                    matches!(
                        m.role,
                        Role::AutoScalingGroup
                            | Role::Instance
                            | Role::LoadBalancer
                            | Role::ClassicLoadBalancer
                    )
                })
                .map(|m| m.arn.clone())
                .collect()
        })
        .collect();
    let mut parent: Vec<usize> = (0..seeds.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Seeds of one explicit name are one application; other seeds join the application
    // whose compute they reach, unless two different explicit names would be merged.
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_compute: HashMap<&str, usize> = HashMap::new();
    for (index, seed) in seeds.iter().enumerate() {
        if let Some((name, _)) = &seed.forced_name {
            let first = *by_name.entry(name.as_str()).or_insert(index);
            let (a, b) = (root(&mut parent, first), root(&mut parent, index));
            parent[b] = a;
        }
        for arn in &reach[index] {
            let first = *by_compute.entry(arn.as_str()).or_insert(index);
            let (a, b) = (root(&mut parent, first), root(&mut parent, index));
            let names = (&seeds[a].forced_name, &seeds[b].forced_name);
            let conflicting = matches!(names, (Some((x, _)), Some((y, _))) if x != y);
            if a != b && !conflicting {
                // Keep a named seed as the root, so the group's name stays reachable.
                if seeds[b].forced_name.is_some() {
                    parent[a] = b;
                } else {
                    parent[b] = a;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..seeds.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }

    let mut applications = Vec::new();
    let mut used_names: HashMap<String, usize> = HashMap::new();
    let mut left_out: BTreeMap<String, String> = BTreeMap::new();
    for members in groups.values() {
        let group_seeds: Vec<&Seed> = members.iter().map(|i| &seeds[*i]).collect();
        let (name, origin) = group_seeds
            .iter()
            .find_map(|s| s.forced_name.clone())
            .map(|(name, origin)| (name, origin.to_owned()))
            .unwrap_or_else(|| (discovered_name(&group_seeds), "discovered".to_owned()));
        let count = used_names.entry(name.clone()).or_default();
        *count += 1;
        let name = if *count > 1 {
            format!("{name}-{count}")
        } else {
            name
        };
        let excluded = declared
            .iter()
            .filter(|d| d.name == name)
            .flat_map(|d| &d.exclude)
            .filter_map(|s| s.compile().ok())
            .collect();
        let mut builder = new_builder(graph, &name, &claims, excluded, true);
        for seed in &group_seeds {
            if seed.forced_name.is_some() {
                builder.explicit.insert(seed.node.arn.clone());
            }
            builder.push(seed.node.clone(), seed.role, seed.via.clone());
        }
        builder.run();
        builder.complete();
        left_out.extend(std::mem::take(&mut builder.left_out));
        if builder.members.is_empty() {
            continue;
        }
        let entry_points = group_seeds
            .iter()
            .filter(|s| builder.has(&s.node.arn))
            .map(|s| s.node.id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        applications.push(Application {
            name,
            origin,
            entry_points,
            members: builder.members,
        });
    }
    applications.sort_by(|a, b| a.name.cmp(&b.name));
    (applications, left_out)
}

fn new_builder<'g, 'a>(
    graph: &'g Graph<'a>,
    name: &str,
    claims: &'g HashMap<String, String>,
    excluded: Vec<Matcher>,
    selective: bool,
) -> Builder<'g, 'a> {
    Builder {
        graph,
        name: name.to_owned(),
        members: Vec::new(),
        seen: HashSet::new(),
        arns: HashSet::new(),
        claimed_elsewhere: claims,
        excluded,
        explicit: HashSet::new(),
        left_out: BTreeMap::new(),
        queue: VecDeque::new(),
        selective,
    }
}

/// The whole account as one application: every workload is a root, nothing is left out.
fn whole_account(graph: &Graph) -> Vec<Application> {
    let no_claims = HashMap::new();
    let mut builder = new_builder(graph, ACCOUNT_APP, &no_claims, Vec::new(), false);
    let inv = graph.inv;
    for lb in &inv.load_balancers {
        builder.push(
            graph.lb(lb),
            Role::LoadBalancer,
            "load balancer of the account",
        );
    }
    for lb in &inv.classic_load_balancers {
        builder.push(
            graph.classic(lb),
            Role::ClassicLoadBalancer,
            "Classic Load Balancer of the account",
        );
    }
    for group in &inv.auto_scaling_groups {
        builder.push(
            graph.group(group),
            Role::AutoScalingGroup,
            "Auto Scaling group of the account",
        );
    }
    for instance in inv.instances.iter().filter(|i| i.state != "terminated") {
        builder.push(
            graph.instance(instance),
            Role::Instance,
            "instance of the account",
        );
    }
    for record in &inv.record_sets {
        if record.alias_target.is_none()
            && record
                .values
                .iter()
                .any(|v| graph.index.instance_at_public_ip(v).is_some())
        {
            builder.push(
                graph.record(record),
                Role::DnsRecord,
                "record of the account",
            );
        }
    }
    for db in inv.db_instances.iter().filter(|d| d.cluster_id.is_none()) {
        builder.push(
            graph.db_instance(db),
            Role::Database,
            "database of the account",
        );
    }
    for cluster in &inv.db_clusters {
        builder.push(
            graph.db_cluster(cluster),
            Role::Database,
            "database of the account",
        );
    }
    for alarm in &inv.metric_alarms {
        builder.push(graph.alarm(alarm), Role::Alarm, "alarm of the account");
    }
    builder.run();
    builder.complete();
    vec![Application {
        name: ACCOUNT_APP.to_owned(),
        origin: "account".to_owned(),
        entry_points: Vec::new(),
        members: builder.members,
    }]
}

/// Workloads in no application, each with the reason.
fn out_of_scope(
    graph: &Graph,
    model: &AppModel,
    left_out: &BTreeMap<String, String>,
) -> Vec<OutOfScope> {
    let mut out = Vec::new();
    let mut consider = |node: Node, default_reason: &str| {
        if model.index.contains_key(&node.arn) {
            return;
        }
        let reason = left_out
            .get(&node.arn)
            .cloned()
            .or_else(|| graph.left_out(&node))
            .unwrap_or_else(|| default_reason.to_owned());
        out.push(OutOfScope {
            kind: node.kind.to_owned(),
            id: node.id,
            arn: node.arn,
            reason,
        });
    };
    let unreached = "serves no application: reached from no internet-facing entry point";
    for lb in &graph.inv.load_balancers {
        let reason = if lb.scheme == "internet-facing" {
            unreached
        } else {
            "internal load balancer: not an entry point, and serves no application"
        };
        consider(graph.lb(lb), reason);
    }
    for lb in &graph.inv.classic_load_balancers {
        let reason = if lb.scheme == "internet-facing" {
            unreached
        } else {
            "internal Classic Load Balancer: not an entry point, and serves no application"
        };
        consider(graph.classic(lb), reason);
    }
    for group in &graph.inv.auto_scaling_groups {
        consider(graph.group(group), unreached);
    }
    for instance in graph
        .inv
        .instances
        .iter()
        .filter(|i| i.state != "terminated")
    {
        consider(graph.instance(instance), unreached);
    }
    let unused_db = "serves no application: admits none of an application's security groups";
    for db in &graph.inv.db_instances {
        if db.cluster_id.is_none() {
            consider(graph.db_instance(db), unused_db);
        }
    }
    for cluster in &graph.inv.db_clusters {
        consider(graph.db_cluster(cluster), unused_db);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_containment() {
        assert!(ipv4_cidr_contains("0.0.0.0/0", "10.0.1.0/24"));
        assert!(ipv4_cidr_contains("10.0.0.0/16", "10.0.1.0/24"));
        assert!(ipv4_cidr_contains("10.0.1.0/24", "10.0.1.7/32"));
        assert!(!ipv4_cidr_contains("10.0.1.0/24", "10.0.0.0/16"));
        assert!(!ipv4_cidr_contains("10.1.0.0/16", "10.0.1.0/24"));
        assert!(!ipv4_cidr_contains("not-a-cidr", "10.0.1.0/24"));
    }

    #[test]
    fn managed_tags_name_their_system() {
        let mut tags = Tags::new();
        assert_eq!(managed_by(&tags), None);
        tags.insert("kubernetes.io/cluster/prod".into(), "owned".into());
        assert_eq!(
            managed_by(&tags).as_deref(),
            Some("managed by Kubernetes (tag `kubernetes.io/cluster/prod`)")
        );
        tags.insert("eks:cluster-name".into(), "prod".into());
        assert_eq!(
            managed_by(&tags).as_deref(),
            Some("managed by EKS (tag `eks:cluster-name`)")
        );
    }

    #[test]
    fn selectors_need_exactly_one_matcher() {
        let both = Selector {
            tag: Some("a=b".into()),
            id: Some("x".into()),
        };
        assert!(both.compile().is_err());
        assert!(Selector::default().compile().is_err());
        let declaration = AppDeclaration {
            name: "shop".into(),
            include: vec![Selector {
                tag: None,
                id: Some("shop-[".into()),
            }],
            exclude: vec![],
        };
        assert!(declaration.validate().unwrap_err().contains("`shop`"));
    }
}
