//! Entry points and the applications grown from them: seeding, naming, merging those that
//! share compute, the whole account as one application, and what is left out and why.

use super::*;

/// An entry point and the name it gives its application.
pub(super) struct Seed<'a> {
    pub(super) node: Node<'a>,
    pub(super) role: Role,
    pub(super) via: String,
    /// Set for explicit scoping (tag or `[[apps]]`).
    pub(super) forced_name: Option<(String, &'static str)>,
}

pub(super) fn role_of_root(node: &Node) -> Role {
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

pub(super) fn seeds<'a>(graph: &Graph<'a>, declared: &[AppDeclaration]) -> Vec<Seed<'a>> {
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
            .filter_map(|s| s.compile(&declaration.name).ok())
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
pub(super) fn discovered_name(seeds: &[&Seed]) -> String {
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
pub(super) fn applications(
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
    pub(super) fn root(parent: &mut [usize], mut i: usize) -> usize {
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
            .flat_map(|d| d.exclude.iter().map(move |s| (&d.name, s)))
            .filter_map(|(app, s)| s.compile(app).ok())
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

pub(super) fn new_builder<'g, 'a>(
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
pub(super) fn whole_account(graph: &Graph) -> Vec<Application> {
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
pub(super) fn out_of_scope(
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
