//! Reachability: the paths by which each application's users reach its serving capacity.
//!
//! A path starts on the internet and ends at what serves: through an internet-facing load
//! balancer's listener (whose security groups must admit the listener's port from the world)
//! to a target group and its targets (whose security groups must admit the target port from
//! the load balancer: its security groups, the networks of its subnets, or — for a Network
//! Load Balancer without security groups, which passes the client's own address — the
//! world), or straight to the public address of an instance whose security groups admit a
//! port from the world. Pure, offline, over the inventory's index and the application model.
//!
//! The plan predictor compares the paths of the account before and after a plan: a step that
//! removes one is refused, whatever rule asked for it (see [`crate::plan::predict`]). A path
//! is a value, so "the same path" means the same entry, port and target after as before.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::apps::{AppModel, Application, Role, ipv4_cidr_contains};
use crate::inventory::{
    AutoScalingGroup, ClassicLoadBalancer, Index, Instance, Listener, LoadBalancer, Resource,
    SecurityGroup, SgRule, Subnet, TargetGroup,
};

/// Administrative ports: a world-open rule on them is not a way users reach an application.
const ADMIN_PORTS: [i32; 2] = [22, 3389];

/// One way in. Ordered and compared as a whole.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Path {
    pub application: String,
    /// `load balancer web-lb :443/tcp` or `instance i-… 54.1.2.3 :8080/tcp`.
    pub entry: String,
    /// The hops after the entry, as people read them (`target group web-tg`, …).
    pub through: Vec<String>,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "internet → {}", self.entry)?;
        for hop in &self.through {
            write!(f, " → {hop}")?;
        }
        Ok(())
    }
}

/// The transport a listener or target group speaks: `udp` for UDP (and TCP_UDP's UDP side is
/// not modelled), `tcp` otherwise.
fn transport(protocol: Option<&str>) -> &'static str {
    match protocol {
        Some(p) if p.eq_ignore_ascii_case("udp") => "udp",
        _ => "tcp",
    }
}

fn covers(rule: &SgRule, transport: &str, port: i32) -> bool {
    (rule.protocol == transport || rule.protocol == "all" || rule.protocol == "-1")
        && rule.from_port <= port
        && port <= rule.to_port
}

/// Whether any of `groups` admits `port` over `transport` from a peer that `from` accepts.
fn admits<'g>(
    groups: impl IntoIterator<Item = &'g SecurityGroup>,
    transport: &str,
    port: i32,
    from: impl Fn(&SgRule) -> bool,
) -> bool {
    groups
        .into_iter()
        .flat_map(|g| &g.ingress)
        .any(|rule| covers(rule, transport, port) && from(rule))
}

/// Where a target group's targets are reached from.
struct Source<'a> {
    /// The load balancer's security groups; empty for an NLB without security groups.
    groups: &'a [String],
    /// The networks of the load balancer's subnets (its nodes' addresses).
    networks: Vec<&'a str>,
}

impl Source<'_> {
    fn accepts(&self, rule: &SgRule) -> bool {
        if rule.is_world_open() {
            return true;
        }
        if self.groups.is_empty() {
            // The client's own address arrives: only the world reaches every user.
            return false;
        }
        if let Some(source) = &rule.source_group_id {
            return self.groups.contains(source);
        }
        rule.cidr_ipv4.as_deref().is_some_and(|cidr| {
            !self.networks.is_empty()
                && self
                    .networks
                    .iter()
                    .all(|network| ipv4_cidr_contains(cidr, network))
        })
    }
}

/// Every path users have into the applications of `model`, in order.
pub fn paths(index: &Index, model: &AppModel) -> Vec<Path> {
    let mut found = BTreeSet::new();
    for app in &model.applications {
        app_paths(index, app, &mut found);
    }
    found.into_iter().collect()
}

/// The paths into one application: what `whatif` (and through it HA018) and `apps` both
/// read, so that they cannot disagree on whether users reach it.
pub fn paths_of(index: &Index, app: &Application) -> Vec<Path> {
    let mut found = BTreeSet::new();
    app_paths(index, app, &mut found);
    found.into_iter().collect()
}

/// The names of `app`'s entry load balancers, of either API: the internet-facing ones (a
/// Gateway Load Balancer is an appliance on a path, not a way in). The paths start there.
pub fn entry_load_balancers<'i>(index: &'i Index, app: &Application) -> Vec<&'i str> {
    app.members
        .iter()
        .filter_map(|member| match member.role {
            Role::LoadBalancer => index
                .by_arn::<LoadBalancer>(&member.arn)
                .filter(|lb| is_entry(lb))
                .map(|lb| lb.name.as_str()),
            Role::ClassicLoadBalancer => index
                .by_arn::<ClassicLoadBalancer>(&member.arn)
                .filter(|lb| is_classic_entry(lb))
                .map(|lb| lb.name.as_str()),
            _ => None,
        })
        .collect()
}

fn is_entry(lb: &LoadBalancer) -> bool {
    lb.scheme == "internet-facing" && lb.lb_type != "gateway"
}

fn is_classic_entry(lb: &ClassicLoadBalancer) -> bool {
    lb.scheme == "internet-facing"
}

fn app_paths(index: &Index, app: &Application, found: &mut BTreeSet<Path>) {
    for member in &app.members {
        match member.role {
            Role::LoadBalancer => {
                if let Some(lb) = index.by_arn::<LoadBalancer>(&member.arn) {
                    load_balancer_paths(index, &app.name, lb, found);
                }
            }
            Role::ClassicLoadBalancer => {
                if let Some(lb) = index.by_arn::<ClassicLoadBalancer>(&member.arn) {
                    classic_paths(index, &app.name, lb, found);
                }
            }
            Role::Instance => {
                if let Some(instance) = index.by_arn::<Instance>(&member.arn) {
                    public_instance_paths(index, &app.name, instance, found);
                }
            }
            _ => {}
        }
    }
}

/// The last hop of a path to a target group with no target known yet.
const RUN_TIME_TARGETS: &str = "targets registered at run time";

/// The last hop of a path a listener answers itself.
const FIXED_RESPONSE: &str = "fixed response";
const REDIRECT: &str = "redirect to";

impl Path {
    /// It ends at what serves the application, not at a listener answering itself: one
    /// such path is what "users reach it" means to `apps`, `whatif` and HA018 alike.
    pub fn serves(&self) -> bool {
        !self.answered_by_listener()
    }

    /// The listener answers itself (a redirect or a fixed response, by default or by one of
    /// its rules): nothing serves behind it.
    fn answered_by_listener(&self) -> bool {
        match self.through.as_slice() {
            [hop] => hop == FIXED_RESPONSE || hop.starts_with(REDIRECT),
            [rule, hop] => {
                rule.starts_with("rule ") && (hop == FIXED_RESPONSE || hop.starts_with(REDIRECT))
            }
            _ => false,
        }
    }
}

/// The paths of `before` that `after` no longer has. A listener that answered itself and now
/// leads somewhere else still lets its users in: that is not a lost path.
pub fn lost<'p>(before: &'p [Path], after: &[Path]) -> Vec<&'p Path> {
    let entries: BTreeSet<(&str, &str)> = after
        .iter()
        .map(|p| (p.application.as_str(), p.entry.as_str()))
        .collect();
    let first_hops: BTreeSet<(&str, &str, Option<&String>)> = after
        .iter()
        .map(|p| (p.application.as_str(), p.entry.as_str(), p.through.first()))
        .collect();
    let after: BTreeSet<&Path> = after.iter().collect();
    before
        .iter()
        .filter(|p| {
            let still_answered = p.answered_by_listener()
                && entries.contains(&(p.application.as_str(), p.entry.as_str()));
            // A target group that gets targets still takes the users in.
            let still_forwarded = p.through.last().is_some_and(|hop| hop == RUN_TIME_TARGETS)
                && first_hops.contains(&(
                    p.application.as_str(),
                    p.entry.as_str(),
                    p.through.first(),
                ));
            !(after.contains(p) || still_answered || still_forwarded)
        })
        .collect()
}

fn load_balancer_paths(index: &Index, app: &str, lb: &LoadBalancer, found: &mut BTreeSet<Path>) {
    if !is_entry(lb) {
        return;
    }
    let (lb_groups, source) = front(index, lb, &lb.security_group_ids, &lb.subnet_ids);
    for listener in index.listeners_of(lb) {
        let transport = transport(Some(&listener.protocol));
        let open = lb.security_group_ids.is_empty()
            || admits(lb_groups.iter().copied(), transport, listener.port, |r| {
                r.is_world_open()
            });
        if !open {
            continue;
        }
        let entry = format!("load balancer {} :{}/{transport}", lb.name, listener.port);
        listener_paths(index, app, &entry, listener, &source, found);
    }
}

/// A load balancer's own security groups, and where its targets see its requests come from.
fn front<'i>(
    index: &'i Index,
    lb: &'i impl Resource,
    security_group_ids: &'i [String],
    subnet_ids: &'i [String],
) -> (Vec<&'i SecurityGroup>, Source<'i>) {
    let groups = index.security_groups_near(lb, security_group_ids).collect();
    let source = Source {
        groups: security_group_ids,
        networks: subnet_ids
            .iter()
            .filter_map(|id| index.find_near::<Subnet>(lb, id))
            .map(|s| s.cidr_block.as_str())
            .collect(),
    };
    (groups, source)
}

/// A Classic Load Balancer's listeners go straight to its registered instances and to the
/// groups that attach it by name, on each listener's instance port.
fn classic_paths(index: &Index, app: &str, lb: &ClassicLoadBalancer, found: &mut BTreeSet<Path>) {
    if !is_classic_entry(lb) {
        return;
    }
    let (lb_groups, source) = front(index, lb, &lb.security_group_ids, &lb.subnet_ids);
    let instances: Vec<(String, Vec<&SecurityGroup>)> = lb
        .instance_ids
        .iter()
        .filter_map(|id| index.find_near::<Instance>(lb, id))
        .filter(|i| i.state == "running")
        .map(|i| {
            (
                format!("instance {}", i.id),
                index
                    .security_groups_near(i, &i.security_group_ids)
                    .collect(),
            )
        })
        .chain(
            index
                .groups_of_classic(lb)
                .filter(|g| g.desired_capacity > 0)
                .map(|g| {
                    (
                        format!("Auto Scaling group {}", g.name),
                        launch_groups(index, g),
                    )
                }),
        )
        .collect();
    for listener in &lb.listeners {
        let open = lb.security_group_ids.is_empty()
            || admits(lb_groups.iter().copied(), "tcp", listener.port, |r| {
                r.is_world_open()
            });
        if !open {
            continue;
        }
        let entry = format!("Classic Load Balancer {} :{}/tcp", lb.name, listener.port);
        for (target, groups) in &instances {
            if admits(groups.iter().copied(), "tcp", listener.instance_port, |r| {
                source.accepts(r)
            }) {
                found.insert(Path {
                    application: app.to_owned(),
                    entry: entry.clone(),
                    through: vec![format!("{target} :{}/tcp", listener.instance_port)],
                });
            }
        }
    }
}

fn listener_paths(
    index: &Index,
    app: &str,
    entry: &str,
    listener: &Listener,
    source: &Source,
    found: &mut BTreeSet<Path>,
) {
    let path = |through: Vec<String>| Path {
        application: app.to_owned(),
        entry: entry.to_owned(),
        through,
    };
    // A rule's answer is a path of its own: the requests its conditions match get it.
    let defaults = listener.default_actions.iter().map(|a| (None, a));
    let ruled = listener.rules.iter().flat_map(|rule| {
        let name = format!("rule {} ({})", rule.priority, rule.conditions.join(", "));
        rule.actions.iter().map(move |a| (Some(name.clone()), a))
    });
    for (rule, action) in defaults.chain(ruled) {
        let answer = match action.action_type.as_str() {
            "redirect" => format!(
                "{REDIRECT} :{}",
                action.redirect_port.as_deref().unwrap_or("same port")
            ),
            "fixed-response" => FIXED_RESPONSE.to_owned(),
            _ => continue,
        };
        found.insert(path(rule.into_iter().chain([answer]).collect()));
    }
    for arn in listener.forwarded_target_groups() {
        let Some(tg) = index.by_arn::<TargetGroup>(arn) else {
            continue;
        };
        let known = targets(index, tg);
        if known.is_empty() {
            // Targets a service registers at run time (ECS, a template's): the listener
            // is still the users' way in.
            found.insert(path(vec![
                format!("target group {}", tg.name),
                RUN_TIME_TARGETS.to_owned(),
            ]));
        }
        for (target, port, groups) in known {
            let transport = transport(tg.protocol.as_deref());
            let reached = match groups {
                // Not an instance (an IP, a Lambda function, another load balancer): its
                // admission is not in the inventory, so the hop holds.
                None => true,
                Some(groups) => admits(groups, transport, port, |r| source.accepts(r)),
            };
            if reached {
                // A Lambda function is invoked, not connected to: it has no port.
                let hop = if tg.target_type == "lambda" {
                    target.clone()
                } else {
                    format!("{target} :{port}/{transport}")
                };
                found.insert(path(vec![format!("target group {}", tg.name), hop]));
            }
        }
    }
}

/// A target group's targets: (name, port, security groups when it is an instance or a group).
fn targets<'i>(
    index: &'i Index,
    tg: &'i TargetGroup,
) -> Vec<(String, i32, Option<Vec<&'i SecurityGroup>>)> {
    let mut out = Vec::new();
    let default_port = tg.port.unwrap_or(0);
    for target in &tg.targets {
        let port = target.port.unwrap_or(default_port);
        let instance = (tg.target_type == "instance")
            .then(|| index.find_near::<Instance>(tg, &target.id))
            .flatten();
        // A registered instance that is not running serves no one.
        if instance.is_some_and(|i| i.state != "running") {
            continue;
        }
        let groups = match instance {
            Some(instance) => Some(
                index
                    .security_groups_near(instance, &instance.security_group_ids)
                    .collect(),
            ),
            // An address whose network interface is known: its groups admit or refuse.
            None if !target.security_group_ids.is_empty() => Some(
                index
                    .security_groups_near(tg, &target.security_group_ids)
                    .collect(),
            ),
            None => None,
        };
        let name = if tg.target_type == "instance" {
            format!("instance {}", target.id)
        } else {
            format!("{} {}", tg.target_type, target.id)
        };
        out.push((name, port, groups));
    }
    for group in index.groups_of_target_group(tg) {
        if group.desired_capacity > 0 {
            out.push((
                format!("Auto Scaling group {}", group.name),
                default_port,
                Some(launch_groups(index, group)),
            ));
        }
    }
    out
}

/// The security groups a group's instances are in: its running instances', else what it
/// launches with.
fn launch_groups<'i>(index: &'i Index, group: &'i AutoScalingGroup) -> Vec<&'i SecurityGroup> {
    let running: Vec<&SecurityGroup> = index
        .instances_of(group)
        .filter(|i| i.state == "running")
        .flat_map(|i| index.security_groups_near(i, &i.security_group_ids))
        .collect();
    if !running.is_empty() {
        return running;
    }
    index
        .launch_security_groups(group)
        .into_iter()
        .filter_map(|id| index.find_near::<SecurityGroup>(group, id))
        .collect()
}

fn public_instance_paths(
    index: &Index,
    app: &str,
    instance: &Instance,
    found: &mut BTreeSet<Path>,
) {
    let Some(ip) = &instance.public_ip else {
        return;
    };
    if instance.state != "running" {
        return;
    }
    let groups: Vec<&SecurityGroup> = index
        .security_groups_near(instance, &instance.security_group_ids)
        .collect();
    let mut ports: BTreeSet<(String, i32)> = BTreeSet::new();
    for rule in groups.iter().flat_map(|g| &g.ingress) {
        if !rule.is_world_open() {
            continue;
        }
        let transports: &[&str] = match rule.protocol.as_str() {
            "tcp" => &["tcp"],
            "udp" => &["udp"],
            "all" | "-1" => &["tcp", "udp"],
            _ => &[],
        };
        // A wide range is one path per listed port users are likely to use, so that
        // narrowing `0-65535` to the ports in use does not count as cutting anything.
        let candidates: Vec<i32> = if rule.to_port - rule.from_port <= 64 {
            (rule.from_port..=rule.to_port).collect()
        } else {
            [80, 443, 8000, 8080, 8443, 9000]
                .into_iter()
                .filter(|p| rule.from_port <= *p && *p <= rule.to_port)
                .collect()
        };
        for transport in transports {
            for port in &candidates {
                if !ADMIN_PORTS.contains(port) {
                    ports.insert(((*transport).to_owned(), *port));
                }
            }
        }
    }
    for (transport, port) in ports {
        if admits(groups.iter().copied(), &transport, port, |r| {
            r.is_world_open()
        }) {
            found.insert(Path {
                application: app.to_owned(),
                entry: format!(
                    "instance {} {ip} :{port}/{transport}",
                    instance.display_id()
                ),
                through: Vec::new(),
            });
        }
    }
}

/// How administrators reach one server of an application on an administrative port (SSH,
/// RDP): the ways in its security groups admit. A server whose ways all go is locked away
/// from the people who patch it, so the plan predictor guards these as it guards users'
/// paths — with one difference: a way may change (the world's SSH replaced by a bastion's)
/// so long as one is left.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AdminAccess {
    pub application: String,
    /// `instance i-…` or `auto scaling group web-asg`.
    pub target: String,
    /// `tcp 22 from 203.0.113.0/24`, `tcp 22 from bastion group sg-…`; empty: none.
    pub ways: Vec<String>,
}

/// Every application server (lone instances, the groups that launch them, bastions) with the
/// ways administrators have into it today, in order. A stopped instance is not a server.
pub fn admin_access(index: &Index, model: &AppModel) -> Vec<AdminAccess> {
    let mut found = BTreeSet::new();
    for app in &model.applications {
        for member in &app.members {
            let server: Option<(String, Vec<&SecurityGroup>)> = match member.role {
                Role::Instance | Role::Bastion => {
                    if let Some(instance) = index.by_arn::<Instance>(&member.arn) {
                        (instance.state == "running").then(|| {
                            (
                                format!("instance {}", instance.display_id()),
                                index
                                    .security_groups_near(instance, &instance.security_group_ids)
                                    .collect(),
                            )
                        })
                    } else {
                        index.by_arn::<AutoScalingGroup>(&member.arn).map(|group| {
                            (
                                format!("auto scaling group {}", group.name),
                                launch_groups(index, group),
                            )
                        })
                    }
                }
                Role::AutoScalingGroup => {
                    index.by_arn::<AutoScalingGroup>(&member.arn).map(|group| {
                        (
                            format!("auto scaling group {}", group.name),
                            launch_groups(index, group),
                        )
                    })
                }
                _ => None,
            };
            if let Some((target, groups)) = server {
                found.insert(AdminAccess {
                    application: app.name.clone(),
                    target,
                    ways: admin_ways(index, &groups),
                });
            }
        }
    }
    found.into_iter().collect()
}

/// The ways `groups` admit an administrative port: from a network (the world, an office, a
/// VPN's range, a prefix list) or from a security group one of whose running instances is
/// itself reachable from a network (a bastion).
fn admin_ways(index: &Index, groups: &[&SecurityGroup]) -> Vec<String> {
    let mut ways = BTreeSet::new();
    for group in groups {
        for rule in &group.ingress {
            let Some(port) = ADMIN_PORTS
                .into_iter()
                .find(|port| covers(rule, "tcp", *port))
            else {
                continue;
            };
            let from = match (&rule.source_group_id, network_of(rule)) {
                (_, Some(network)) => network.to_owned(),
                (Some(source), None) if hop_reachable(index, group, source) => {
                    format!("bastion group {source}")
                }
                _ => continue,
            };
            ways.insert(format!("tcp {port} from {from}"));
        }
    }
    ways.into_iter().collect()
}

fn network_of(rule: &SgRule) -> Option<&str> {
    rule.cidr_ipv4
        .as_deref()
        .or(rule.cidr_ipv6.as_deref())
        .or(rule.prefix_list_id.as_deref())
}

/// Whether a running instance of security group `source` (in `near`'s region) is reachable
/// on an administrative port from a network: a host administrators can hop through.
fn hop_reachable(index: &Index, near: &SecurityGroup, source: &str) -> bool {
    let Some(source) = index.find_near::<SecurityGroup>(near, source) else {
        return false;
    };
    index
        .instances_in(source)
        .filter(|i| i.state == "running")
        .any(|host| {
            index
                .security_groups_near(host, &host.security_group_ids)
                .flat_map(|g| &g.ingress)
                .any(|rule| {
                    network_of(rule).is_some()
                        && ADMIN_PORTS
                            .into_iter()
                            .any(|port| covers(rule, "tcp", port))
                })
        })
}

/// The servers of `before` administrators could reach and, in `after`, still exist but can
/// no longer be reached any way.
pub fn locked_out<'a>(before: &'a [AdminAccess], after: &[AdminAccess]) -> Vec<&'a AdminAccess> {
    before
        .iter()
        .filter(|b| !b.ways.is_empty())
        .filter(|b| {
            after.iter().any(|a| {
                a.application == b.application && a.target == b.target && a.ways.is_empty()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::{Scope, ScopeSettings, discover};

    use crate::snapshot::example_inventory as example;

    fn texts_of(inventory: crate::inventory::Inventory) -> Vec<String> {
        let index = Index::new(inventory);
        let model = discover(&index, Scope::Apps, &ScopeSettings::default(), &[]);
        paths(&index, &model)
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn the_compliant_stack_is_reached_through_its_load_balancer_only() {
        let found = texts_of(example("compliant"));
        assert!(!found.is_empty());
        assert!(
            found
                .iter()
                .all(|p| p.starts_with("internet → load balancer shop-alb")),
            "{found:#?}"
        );
        assert!(
            found.iter().any(|p| p.contains(
                ":443/tcp → target group shop-tg → Auto Scaling group shop-asg :8080/tcp"
            )),
            "{found:#?}"
        );
    }

    #[test]
    fn the_seeds_instance_is_reached_on_its_public_address() {
        let found = texts_of(example("single-server"));
        assert!(
            found.iter().any(|p| p.starts_with("internet → instance ")),
            "{found:#?}"
        );
        assert!(
            !found.iter().any(|p| p.contains(":22/")),
            "SSH is administration, not a way users come in: {found:#?}"
        );
    }

    /// The compliant stack's application group stops admitting its load balancer.
    fn revoke_load_balancer_source(inventory: &mut crate::inventory::Inventory) {
        let app = inventory
            .security_groups
            .iter_mut()
            .find(|g| g.id == "sg-0app")
            .unwrap();
        app.ingress
            .retain(|r| r.source_group_id.as_deref() != Some("sg-0lb"));
    }

    #[test]
    fn revoking_the_load_balancers_source_cuts_the_path() {
        let mut inventory = example("compliant");
        let before = texts_of(inventory.clone());
        revoke_load_balancer_source(&mut inventory);
        let after = texts_of(inventory);
        assert!(after.len() < before.len(), "{before:#?} {after:#?}");
        assert!(!after.iter().any(|p| p.contains("shop-asg")), "{after:#?}");
    }

    #[test]
    fn a_redirect_left_alone_does_not_serve_and_one_application_has_its_own_paths() {
        let mut inventory = example("compliant");
        revoke_load_balancer_source(&mut inventory);
        let index = Index::new(inventory);
        let model = discover(&index, Scope::Apps, &ScopeSettings::default(), &[]);
        let all = paths(&index, &model);
        let own = paths_of(&index, &model.applications[0]);
        assert_eq!(own, all, "one application: its paths are the account's");
        // The 80 → 443 redirect is still a way in, but nothing behind it serves.
        assert!(!own.is_empty(), "{own:#?}");
        assert!(!own.iter().any(Path::serves), "{own:#?}");
    }

    fn path(entry: &str, through: &[&str]) -> Path {
        Path {
            application: "shop".to_owned(),
            entry: entry.to_owned(),
            through: through.iter().map(|h| h.to_string()).collect(),
        }
    }

    #[test]
    fn a_listener_that_answered_itself_and_now_forwards_loses_nothing() {
        let answered = path("load balancer web :80/tcp", &[FIXED_RESPONSE]);
        let redirect = path("load balancer web :8080/tcp", &["redirect to :443"]);
        let served = path(
            "load balancer web :80/tcp",
            &["target group web-tg", "Auto Scaling group web :8080/tcp"],
        );
        let before = [answered.clone(), redirect.clone()];
        assert_eq!(
            lost(&before, std::slice::from_ref(&served)),
            vec![&redirect]
        );
        // Gone with nothing in its place: lost, whatever it ended at.
        assert_eq!(lost(&before, &[]), vec![&answered, &redirect]);
        // A served path is lost even when its entry still answers.
        assert_eq!(
            lost(std::slice::from_ref(&served), &[answered]),
            vec![&served]
        );
    }

    #[test]
    fn a_registered_instance_that_is_stopped_serves_no_one() {
        let mut inventory = example("compliant");
        // Only the registered instance serves: no group fills the target group.
        inventory.auto_scaling_groups.clear();
        inventory.target_groups[0].targets.truncate(1);
        let registered = inventory.target_groups[0].targets[0].id.clone();
        let running = texts_of(inventory.clone());
        assert!(
            running
                .iter()
                .any(|p| p.contains(&format!("instance {registered} :"))),
            "{running:#?}"
        );
        inventory
            .instances
            .iter_mut()
            .find(|i| i.id == registered)
            .unwrap()
            .state = "stopped".to_owned();
        let stopped = texts_of(inventory);
        assert!(
            !stopped.iter().any(|p| p.contains(&registered)),
            "{stopped:#?}"
        );
    }

    #[test]
    fn administrators_reach_servers_from_networks_and_through_bastions_they_reach() {
        let inventory = example("compliant");
        let index = Index::new(inventory);
        let model = discover(&index, Scope::Apps, &ScopeSettings::default(), &[]);
        let access: Vec<String> = admin_access(&index, &model)
            .iter()
            .map(|a| format!("{}: {}", a.target, a.ways.join(", ")))
            .collect();
        insta::assert_debug_snapshot!(access);
    }

    #[test]
    fn a_target_group_that_gets_targets_keeps_its_users_way_in() {
        let path = |through: &[&str]| Path {
            application: "shop".into(),
            entry: "load balancer web :80/tcp".into(),
            through: through.iter().map(|h| (*h).to_owned()).collect(),
        };
        let before = [path(&["target group web-tg", RUN_TIME_TARGETS])];
        let attached = [path(&[
            "target group web-tg",
            "Auto Scaling group web :80/tcp",
        ])];
        assert!(lost(&before, &attached).is_empty());
        let elsewhere = [path(&[
            "target group other-tg",
            "Auto Scaling group web :80/tcp",
        ])];
        assert_eq!(lost(&before, &elsewhere).len(), 1);
        assert_eq!(lost(&before, &[]).len(), 1);
    }
}
