//! One application built breadth-first from its entry points: listeners, target groups,
//! compute, security groups, launch settings, alarms, topics; then its databases and bastions.

use super::*;

/// The roles of compute and its security groups on the serving side of an application, or
/// on the bastion side.
pub(super) struct Side {
    pub(super) instance: Role,
    pub(super) group: Role,
    pub(super) security_group: Role,
}

impl Side {
    pub(super) fn of(serving: bool) -> Side {
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
pub(super) struct Builder<'g, 'a> {
    pub(super) graph: &'g Graph<'a>,
    pub(super) name: String,
    pub(super) members: Vec<Member>,
    pub(super) seen: HashSet<(String, Role)>,
    /// ARNs of `members`, for membership tests.
    pub(super) arns: HashSet<String>,
    /// ARNs explicitly given to another application (skipped here).
    pub(super) claimed_elsewhere: &'g HashMap<String, String>,
    pub(super) excluded: Vec<Matcher>,
    /// Explicit roots of this application: not left out as managed.
    pub(super) explicit: HashSet<String>,
    /// What discovery left out while building, by ARN.
    pub(super) left_out: BTreeMap<String, String>,
    pub(super) queue: VecDeque<(Node<'a>, Role, String)>,
    /// When false (account scope), nothing is left out or claimed.
    pub(super) selective: bool,
}

impl<'g, 'a> Builder<'g, 'a> {
    pub(super) fn push(&mut self, node: Node<'a>, role: Role, via: impl Into<String>) {
        self.queue.push_back((node, role, via.into()));
    }

    pub(super) fn has(&self, arn: &str) -> bool {
        self.arns.contains(arn)
    }

    /// Visits queued nodes until none is left, following the edges of each.
    pub(super) fn run(&mut self) {
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

    pub(super) fn follow(&mut self, from: &Node<'a>, role: Role) {
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

    pub(super) fn push_db_groups(&mut self, region: &str, ids: &[String], db: &str) {
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
    pub(super) fn push_front(
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

    pub(super) fn push_vpc(&mut self, region: &str, vpc_id: &str, via: &str) {
        if let Some(vpc) = self.graph.index.find::<Vpc>(region, vpc_id) {
            let node = node(vpc, self.graph.account(), None, Some(&vpc.tags), Item::Vpc);
            self.push(node, Role::Vpc, via);
        }
    }

    /// The security groups of the members in `role`, looked up by ARN.
    pub(super) fn groups_in(&self, role: Role) -> Vec<&'a SecurityGroup> {
        self.members
            .iter()
            .filter(|m| m.role == role)
            .filter_map(|m| self.graph.index.by_arn::<SecurityGroup>(&m.arn))
            .collect()
    }

    pub(super) fn ids_in(&self, role: Role) -> BTreeSet<String> {
        self.members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.id.clone())
            .collect()
    }

    /// What the application reaches beyond its serving path, until nothing new is found:
    /// groups launching into its serving security groups, its databases, its bastions.
    pub(super) fn complete(&mut self) {
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
    pub(super) fn serving_security_groups(&self) -> BTreeSet<String> {
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
    pub(super) fn add_groups_sharing_serving_groups(&mut self) {
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
    pub(super) fn add_instances_sharing_serving_groups(&mut self) {
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
    pub(super) fn add_databases(&mut self) {
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
    pub(super) fn app_networks(&self) -> Vec<String> {
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
    pub(super) fn add_bastions(&mut self) {
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
