//! Discovery's view of the inventory: resources as nodes, and the relations discovery follows
//! (through the inventory's one index).

use super::*;

/// A resource as discovery handles it: identity, tags, and what it is.
#[derive(Clone)]
pub(super) struct Node<'a> {
    pub(super) kind: &'static str,
    pub(super) id: String,
    pub(super) arn: String,
    pub(super) name: Option<String>,
    pub(super) tags: Option<&'a Tags>,
    pub(super) item: Item<'a>,
}

#[derive(Clone, Copy)]
pub(super) enum Item<'a> {
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
pub(super) struct Graph<'a> {
    pub(super) inv: &'a Inventory,
    pub(super) index: &'a Index,
    pub(super) bastion_tag: (String, String),
}

pub(super) fn node<'a, R: Resource>(
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
    pub(super) fn new(index: &'a Index, settings: &ScopeSettings) -> Self {
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

    pub(super) fn security_group_in(&self, region: &str, id: &str) -> Option<&'a SecurityGroup> {
        self.index.find::<SecurityGroup>(region, id)
    }

    pub(super) fn account(&self) -> &'a str {
        &self.inv.account_id
    }

    pub(super) fn lb(&self, lb: &'a LoadBalancer) -> Node<'a> {
        node(
            lb,
            self.account(),
            None,
            Some(&lb.tags),
            Item::LoadBalancer(lb),
        )
    }
    pub(super) fn classic(&self, lb: &'a ClassicLoadBalancer) -> Node<'a> {
        node(
            lb,
            self.account(),
            None,
            Some(&lb.tags),
            Item::ClassicLoadBalancer(lb),
        )
    }
    pub(super) fn group(&self, group: &'a AutoScalingGroup) -> Node<'a> {
        node(
            group,
            self.account(),
            None,
            Some(&group.tags),
            Item::Group(group),
        )
    }
    pub(super) fn instance(&self, instance: &'a Instance) -> Node<'a> {
        node(
            instance,
            self.account(),
            instance.tags.get("Name").map(String::as_str),
            Some(&instance.tags),
            Item::Instance(instance),
        )
    }
    pub(super) fn security_group(&self, group: &'a SecurityGroup) -> Node<'a> {
        node(
            group,
            self.account(),
            Some(&group.name),
            Some(&group.tags),
            Item::SecurityGroup,
        )
    }
    pub(super) fn record(&self, record: &'a RecordSet) -> Node<'a> {
        node(
            record,
            self.account(),
            Some(&record.name),
            None,
            Item::Record(record),
        )
    }
    pub(super) fn db_instance(&self, db: &'a DbInstance) -> Node<'a> {
        node(db, self.account(), None, None, Item::DbInstance(db))
    }
    pub(super) fn db_cluster(&self, cluster: &'a DbCluster) -> Node<'a> {
        node(
            cluster,
            self.account(),
            None,
            None,
            Item::DbCluster(cluster),
        )
    }
    pub(super) fn alarm(&self, alarm: &'a MetricAlarm) -> Node<'a> {
        node(alarm, self.account(), None, None, Item::Alarm(alarm))
    }

    /// Every node of the inventory that explicit scoping may select.
    pub(super) fn selectable(&self) -> Vec<Node<'a>> {
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

    pub(super) fn is_bastion_tagged(&self, tags: &Tags) -> bool {
        let (key, value) = &self.bastion_tag;
        tags.get(key)
            .is_some_and(|v| value.is_empty() || v == value)
    }

    /// A bastion instance: tagged, or launched by a tagged group.
    pub(super) fn instance_is_bastion(&self, instance: &Instance) -> bool {
        self.is_bastion_tagged(&instance.tags)
            || instance
                .auto_scaling_group
                .as_deref()
                .and_then(|g| self.index.find_near::<AutoScalingGroup>(instance, g))
                .is_some_and(|g| self.is_bastion_tagged(&g.tags))
    }

    /// The security groups a group's instances launch with (its template version or
    /// launch configuration).
    pub(super) fn launch_security_groups(&self, group: &'a AutoScalingGroup) -> Vec<&'a str> {
        self.index.launch_security_groups(group)
    }

    pub(super) fn group_vpc(&self, group: &'a AutoScalingGroup) -> Option<&'a str> {
        self.index.vpc_of_group(group)
    }

    /// The first rule by which `instance` serves the whole internet from its public address
    /// (its own or an Elastic IP), as `tcp 8080`: any TCP or UDP port but SSH and RDP.
    /// Routing appliances (source/destination check off) serve nobody.
    pub(super) fn serves_internet(&self, instance: &Instance) -> Option<String> {
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
    pub(super) fn left_out(&self, node: &Node) -> Option<String> {
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

    pub(super) fn db_vpc(&self, region: &str, subnet_group: Option<&str>) -> Option<&'a str> {
        subnet_group
            .and_then(|name| self.index.find::<DbSubnetGroup>(region, name))
            .map(|g| g.vpc_id.as_str())
    }
}

/// Whether `rule` opens a TCP or UDP port other than SSH and RDP to the whole internet.
pub(super) fn serves_world(rule: &crate::inventory::SgRule) -> bool {
    const ADMIN: [i32; 2] = [22, 3389];
    rule.is_world_open()
        && matches!(rule.protocol.as_str(), "tcp" | "udp" | "all" | "-1")
        && (rule.from_port..=rule.to_port).any(|port| !ADMIN.contains(&port))
}

pub(super) fn instance_arn(graph: &Graph, instance: &Instance) -> String {
    instance.arn(graph.account())
}

/// Whether IPv4 network `outer` (a.b.c.d/n) contains `inner`.
pub fn ipv4_cidr_contains(outer: &str, inner: &str) -> bool {
    pub(super) fn parse(cidr: &str) -> Option<(u32, u32)> {
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
