//! Benchmark: the whole built-in pack over a synthetic inventory of ~100,000 resources
//! (instances and security-group rules, plus groups, subnets and ASGs). Prints figures;
//! asserts nothing (timings belong here, not in tests).
//!
//! cargo bench --bench policy_eval

use std::time::Instant;

use hacheck::apps::{Scope, ScopeSettings};
use hacheck::inventory::{
    AutoScalingGroup, Index, Instance, Inventory, SecurityGroup, SgRule, Subnet, Tags,
};
use hacheck::policy::{InventoryView, ParamOverrides, PolicySet};

fn synthetic(instances: usize, groups: usize, rules_per_group: usize) -> Inventory {
    let mut inventory = Inventory::new("123456789012", vec!["us-east-1".into()]);
    for n in 0..4 {
        inventory.subnets.push(Subnet {
            id: format!("subnet-{n}"),
            region: "us-east-1".into(),
            vpc_id: "vpc-1".into(),
            availability_zone: format!("us-east-1{}", (b'a' + n as u8) as char),
            cidr_block: format!("10.0.{n}.0/24"),
            map_public_ip_on_launch: false,
            public: n < 2,
            tags: Tags::new(),
        });
    }
    for g in 0..groups {
        let ingress = (0..rules_per_group)
            .map(|r| SgRule {
                protocol: "tcp".into(),
                from_port: 1000 + r as i32,
                to_port: 1000 + r as i32,
                cidr_ipv4: if r % 3 == 0 {
                    Some("0.0.0.0/0".into())
                } else {
                    None
                },
                cidr_ipv6: None,
                source_group_id: if r % 3 == 0 {
                    None
                } else {
                    Some(format!("sg-{}", (g + 1) % groups))
                },
                prefix_list_id: None,
                prefix_list_cidrs: Vec::new(),
                description: String::new(),
            })
            .collect();
        inventory.security_groups.push(SecurityGroup {
            id: format!("sg-{g}"),
            region: "us-east-1".into(),
            name: format!("group-{g}"),
            vpc_id: "vpc-1".into(),
            description: String::new(),
            ingress,
            egress: Vec::new(),
            tags: Tags::new(),
        });
    }
    let asgs = instances / 100;
    for a in 0..asgs {
        inventory.auto_scaling_groups.push(AutoScalingGroup {
            name: format!("asg-{a}"),
            arn: format!("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x:autoScalingGroupName/asg-{a}"),
            region: "us-east-1".into(),
            availability_zones: vec![],
            subnet_ids: vec!["subnet-2".into(), "subnet-3".into()],
            min_size: 2,
            max_size: 10,
            desired_capacity: 2,
            health_check_type: "ELB".into(),
            health_check_grace_period: 300,
            target_group_arns: vec![],
            load_balancer_names: vec![],
            launch_template: None,
            launch_configuration_name: Some("lc".into()),
            instance_ids: vec![],
            tags: Tags::new(),
            ..AutoScalingGroup::default()
        });
    }
    for i in 0..instances {
        let group = if asgs > 0 {
            Some(format!("asg-{}", i % asgs))
        } else {
            None
        };
        inventory.instances.push(Instance {
            id: format!("i-{i:08}"),
            region: "us-east-1".into(),
            state: "running".into(),
            instance_type: "t3.small".into(),
            image_id: "ami-1".into(),
            vpc_id: "vpc-1".into(),
            subnet_id: format!("subnet-{}", i % 4),
            availability_zone: "us-east-1a".into(),
            private_ip: Some("10.0.0.1".into()),
            public_ip: if i % 10 == 0 {
                Some(format!("54.0.{}.{}", i / 256 % 256, i % 256))
            } else {
                None
            },
            security_group_ids: vec![format!("sg-{}", i % groups)],
            auto_scaling_group: group,
            key_name: None,
            source_dest_check: true,
            tags: Tags::new(),
        });
    }
    inventory
}

fn main() {
    let set = PolicySet::load(&[]).expect("pack loads");
    let inventory = synthetic(55_000, 4_500, 10);
    let rules: usize = inventory
        .security_groups
        .iter()
        .map(|g| g.ingress.len())
        .sum();
    let resources: usize = inventory
        .resource_counts()
        .iter()
        .map(|(_, n)| n)
        .sum::<usize>()
        + rules;
    println!(
        "synthetic inventory: {} instances, {} security groups, {rules} rules: {resources} resources",
        inventory.instances.len(),
        inventory.security_groups.len()
    );

    // The synthetic account has no internet entry point: discovery finds no application, so
    // the pack is timed with `--scope account`, where every resource is judged.
    let start = Instant::now();
    let index = std::sync::Arc::new(Index::new(inventory));
    let index_time = start.elapsed();
    let start = Instant::now();
    let discovered = hacheck::apps::discover(&index, Scope::Apps, &ScopeSettings::default(), &[]);
    let discovery_time = start.elapsed();
    let start = Instant::now();
    let model = hacheck::apps::discover(&index, Scope::Account, &ScopeSettings::default(), &[]);
    let model_time = start.elapsed();
    let start = Instant::now();
    let view = InventoryView::new(index.clone(), &model);
    let view_time = start.elapsed();
    let view_resources = view.resource_count();

    // The whole pack as a scan runs it (view included), several times: the median is the
    // figure, the machines being shared and noisy.
    let runs: usize = std::env::var("POLICY_EVAL_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let mut times = Vec::new();
    let mut evaluation = None;
    for _ in 0..runs.max(1) {
        drop(evaluation.take()); // the previous run's results are freed outside the timing
        let start = Instant::now();
        let this = set.evaluate(&index, &model, &ParamOverrides::new());
        times.push(start.elapsed());
        evaluation = Some(this);
    }
    let evaluation = evaluation.expect("one run at least");
    times.sort();
    let total = times[times.len() / 2];
    assert!(evaluation.errors.is_empty(), "{:?}", evaluation.errors);
    let failed = evaluation.findings.iter().filter(|f| f.failed()).count();
    println!(
        "the inventory's index:              {:>8.1} ms",
        index_time.as_secs_f64() * 1e3
    );
    println!(
        "application discovery (--scope apps): {:>8.1} ms ({} applications, {} workloads out of scope)",
        discovery_time.as_secs_f64() * 1e3,
        discovered.applications.len(),
        discovered.out_of_scope.len()
    );
    println!(
        "account model (--scope account):      {:>8.1} ms ({} members)",
        model_time.as_secs_f64() * 1e3,
        model.applications[0].members.len()
    );
    println!(
        "building the view:  {:>8.1} ms",
        view_time.as_secs_f64() * 1e3
    );
    // What `hacheck whatif --lose-az each --scope account` computes (the view does it too,
    // for HA018).
    let start = Instant::now();
    let topology = hacheck::whatif::Topology::new(&index);
    let zones = topology.zones_in_use(&model);
    let outcomes = topology.assess(&model, &zones);
    println!(
        "zone loss, each of {} zones:  {:>8.1} ms ({} outcomes)",
        zones.len(),
        start.elapsed().as_secs_f64() * 1e3,
        outcomes.len()
    );
    println!(
        "whole pack (view included): {:>8.1} ms, median of {} runs ({:.1}-{:.1} ms), for {} results ({failed} failing) on {} threads",
        total.as_secs_f64() * 1e3,
        times.len(),
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        evaluation.findings.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("each rule alone, on the view built once (its engine included):");
    // `POLICY_EVAL_ONLY=HA001` times that rule alone (for a profiler).
    let only = std::env::var("POLICY_EVAL_ONLY").ok();
    for policy in &set.policies {
        if only.as_ref().is_some_and(|id| *id != policy.meta.id) {
            continue;
        }
        let one = set.only(|id| id == policy.meta.id);
        // On the view built once above: the rule's own cost (and its engine's), not the view's.
        let start = Instant::now();
        let evaluation = one.evaluate_view(&view, &model, &ParamOverrides::new());
        println!(
            "  {} {:>8.1} ms ({} results, held at most {})",
            policy.meta.id,
            start.elapsed().as_secs_f64() * 1e3,
            evaluation.findings.len(),
            hacheck::memory::mebibytes(evaluation.peak_memory[&policy.meta.id]),
        );
    }
    let (heaviest, peak) = evaluation
        .peak_memory
        .iter()
        .max_by_key(|(_, peak)| **peak)
        .expect("policies ran");
    println!(
        "memory: the heaviest policy ({heaviest}) held {} of its {} budget",
        hacheck::memory::mebibytes(*peak),
        hacheck::memory::mebibytes(hacheck::policy::engine::run_memory_budget(view_resources)),
    );
    let rules = evaluation.peak_memory.len();
    println!(
        "throughput: {:.0} resource-evaluations/s ({rules} rules x {resources} resources / wall)",
        (rules * resources) as f64 / total.as_secs_f64()
    );
}
