//! The generator's builders: each piece of a snapshot document (networks, security groups,
//! load balancers, groups, databases, alarms, records) composed for an application plan.

use serde_json::{Value, json};

use super::*;

pub(crate) fn all_traffic_out() -> Value {
    json!([{"protocol": "all", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"}])
}

pub(crate) fn security_group(id: &str, ingress: Vec<Value>) -> Value {
    json!({"id": id, "region": REGION, "name": id, "vpc_id": VPC, "description": "generated",
           "ingress": ingress, "egress": all_traffic_out(), "tags": {}})
}

pub(crate) fn from_group(protocol: &str, port: i32, group: &str) -> Value {
    json!({"protocol": protocol, "from_port": port, "to_port": port, "source_group_id": group})
}

pub(crate) fn from_cidr(protocol: &str, port: i32, cidr: &str) -> Value {
    json!({"protocol": protocol, "from_port": port, "to_port": port, "cidr_ipv4": cidr})
}

pub(crate) fn instance(
    id: &str,
    subnet: &str,
    zone: usize,
    ip: &str,
    groups: &[&str],
    asg: Option<&str>,
) -> Value {
    let mut tags = json!({"Name": id});
    if let Some(asg) = asg {
        tags["aws:autoscaling:groupName"] = json!(asg);
    }
    json!({"id": id, "region": REGION, "state": "running", "instance_type": "t3.small",
           "image_id": "ami-0gen", "vpc_id": VPC, "subnet_id": subnet,
           "availability_zone": ZONES[zone], "private_ip": ip, "public_ip": null,
           "security_group_ids": groups, "auto_scaling_group": asg, "key_name": "ops",
           "source_dest_check": true, "tags": tags})
}

pub(crate) fn group_arn(name: &str) -> String {
    format!(
        "arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:0000:autoScalingGroupName/{name}"
    )
}

pub(crate) fn policy_arn(group: &str, policy: &str) -> String {
    format!(
        "arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:0000:autoScalingGroupName/{group}:policyName/{policy}"
    )
}

/// The network every account has: a VPC, a public and a private subnet per zone, a NAT
/// gateway per zone, and an internet gateway.
pub(crate) fn network(account: &mut Account) {
    account.add("vpcs", json!({"id": VPC, "region": REGION, "cidr_block": VPC_CIDR, "is_default": false, "tags": {}}));
    account.add(
        "internet_gateways",
        json!({"id": "igw-0gen", "region": REGION, "vpc_ids": [VPC], "tags": {}}),
    );
    account.add(
        "route_tables",
        json!({"id": "rtb-0main", "region": REGION, "vpc_id": VPC, "main": true, "subnet_ids": [],
        "routes": [{"destination": VPC_CIDR, "target": "local"}], "tags": {}}),
    );
    account.add("route_tables", json!({"id": "rtb-0public", "region": REGION, "vpc_id": VPC, "main": false,
        "subnet_ids": ["subnet-pub0", "subnet-pub1"],
        "routes": [{"destination": "0.0.0.0/0", "target": "igw-0gen"}, {"destination": VPC_CIDR, "target": "local"}], "tags": {}}));
    for (z, zone) in ZONES.iter().enumerate() {
        account.add("subnets", json!({"id": format!("subnet-pub{z}"), "region": REGION, "vpc_id": VPC,
            "availability_zone": zone, "cidr_block": format!("10.0.{z}.0/24"), "map_public_ip_on_launch": true, "public": true, "tags": {}}));
        account.add("subnets", json!({"id": format!("subnet-prv{z}"), "region": REGION, "vpc_id": VPC,
            "availability_zone": zone, "cidr_block": format!("10.0.1{z}.0/24"), "map_public_ip_on_launch": false, "public": false, "tags": {}}));
        account.add(
            "nat_gateways",
            json!({"id": format!("nat-{z}"), "region": REGION, "vpc_id": VPC,
            "subnet_id": format!("subnet-pub{z}"), "state": "available", "tags": {}}),
        );
        account.add("route_tables", json!({"id": format!("rtb-prv{z}"), "region": REGION, "vpc_id": VPC, "main": false,
            "subnet_ids": [format!("subnet-prv{z}")],
            "routes": [{"destination": "0.0.0.0/0", "target": format!("nat-{z}")}, {"destination": VPC_CIDR, "target": "local"}], "tags": {}}));
    }
    account.add(
        "images",
        json!({"id": "ami-0gen", "region": REGION, "name": "app", "state": "available",
        "owner_id": ACCOUNT, "creation_date": "2026-11-01T00:00:00.000Z", "tags": {}}),
    );
    account.add(
        "hosted_zones",
        json!({"id": HOSTED_ZONE, "name": "example.com.", "private": false}),
    );
}

pub(crate) fn bastion(account: &mut Account, tagged: bool, in_group: bool) {
    account.add(
        "security_groups",
        security_group("sg-bastion", vec![from_cidr("tcp", 22, OFFICE)]),
    );
    let group = in_group.then_some("bastion-asg");
    let mut host = instance(
        "i-bastion",
        "subnet-pub0",
        0,
        "10.0.0.5",
        &["sg-bastion"],
        group,
    );
    host["public_ip"] = json!("198.51.100.5");
    if tagged {
        host["tags"]["hacheck:role"] = json!("bastion");
    }
    account.add("instances", host);
    if let Some(name) = group {
        // A one-instance group that relaunches the bastion, public, from its own template.
        account.add("launch_templates", json!({"id": "lt-bastion", "region": REGION, "name": "lt-bastion",
            "default_version": 1, "latest_version": 1, "tags": {},
            "versions": [{"version_number": 1, "image_id": "ami-0gen", "instance_type": "t3.micro",
                "associate_public_ip": true, "security_group_ids": ["sg-bastion"], "has_user_data": false}]}));
        let tags = if tagged {
            json!({"hacheck:role": "bastion"})
        } else {
            json!({})
        };
        account.add("auto_scaling_groups", json!({"name": name, "arn": group_arn(name), "region": REGION,
            "availability_zones": [ZONES[0]], "subnet_ids": ["subnet-pub0"], "min_size": 1, "max_size": 1,
            "desired_capacity": 1, "health_check_type": "EC2", "health_check_grace_period": 300,
            "target_group_arns": [], "load_balancer_names": [],
            "launch_template": {"id": "lt-bastion", "name": "lt-bastion", "version": "$Latest"},
            "launch_configuration_name": null, "instance_ids": ["i-bastion"], "tags": tags,
            "instance_maintenance_policy": {}}));
    }
}

pub(crate) fn databases(account: &mut Account, composition: &Composition) {
    account.add("db_subnet_groups", json!({"name": "gen-db", "arn": format!("arn:aws:rds:{REGION}:{ACCOUNT}:subgrp:gen-db"),
        "region": REGION, "vpc_id": VPC, "subnet_ids": ["subnet-prv0", "subnet-prv1"], "availability_zones": ZONES}));
    for (d, &(kind, single_zone, public)) in composition.databases.iter().enumerate() {
        let id = format!("db{d}");
        let group = format!("sg-db{d}");
        // Every application using it is admitted on 5432. A Lambda function's security
        // groups are not collected (no Lambda read call yet): a Lambda application uses no
        // database here.
        let users = |d: usize| {
            composition
                .apps
                .iter()
                .filter(move |app| app.database == d && app.backend != Backend::Lambda)
        };
        let ingress = users(d)
            .map(|app| from_group("tcp", 5432, &format!("sg-{}", app.name)))
            .collect();
        account.add("security_groups", security_group(&group, ingress));
        let backups = if composition.without_backups.get(d) == Some(&true) {
            0
        } else {
            7
        };
        let member = |name: &str, zone: usize, cluster: Option<&str>| {
            json!({"id": name, "arn": format!("arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}"), "region": REGION,
                "engine": if cluster.is_some() && kind == Database::Aurora { "aurora-postgresql" } else { "postgres" },
                "engine_version": "16.4", "instance_class": "db.r6g.large", "status": "available",
                "multi_az": kind == Database::MultiAzInstance && !single_zone, "publicly_accessible": public,
                "storage_encrypted": true, "backup_retention_period": backups, "security_group_ids": [group],
                "subnet_group": "gen-db", "vpc_id": VPC, "availability_zone": ZONES[zone],
                "endpoint_address": format!("{name}.gen.{REGION}.rds.amazonaws.com"), "endpoint_port": 5432,
                "cluster_id": cluster, "deletion_protection": false})
        };
        match kind {
            Database::MultiAzInstance => account.add("db_instances", member(&id, 0, None)),
            Database::Aurora | Database::MultiAzCluster => {
                let zones: Vec<usize> = match (kind, single_zone) {
                    (Database::Aurora, true) => vec![0],
                    (Database::Aurora, false) => vec![0, 1],
                    _ => vec![0, 1, 0],
                };
                let members: Vec<Value> = zones
                    .iter()
                    .enumerate()
                    .map(|(m, _)| json!({"instance_id": format!("{id}-{m}"), "writer": m == 0}))
                    .collect();
                for (m, &zone) in zones.iter().enumerate() {
                    account.add(
                        "db_instances",
                        member(&format!("{id}-{m}"), zone, Some(&id)),
                    );
                }
                // A Multi-AZ DB cluster spreads over three zones; the third is the region's.
                let cluster_zones: Vec<&str> = if kind == Database::MultiAzCluster {
                    vec![ZONES[0], ZONES[1], "us-east-1c"]
                } else {
                    zones.iter().map(|&z| ZONES[z]).collect()
                };
                account.add("db_clusters", json!({"id": id, "arn": format!("arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{id}"),
                    "region": REGION, "engine": if kind == Database::Aurora { "aurora-postgresql" } else { "postgres" },
                    "engine_version": "16.4", "engine_mode": "provisioned", "status": "available",
                    "multi_az": kind == Database::MultiAzCluster || !single_zone,
                    "instance_class": if kind == Database::MultiAzCluster { json!("db.r6gd.large") } else { Value::Null },
                    "storage_encrypted": true, "security_group_ids": [group], "subnet_group": "gen-db",
                    "availability_zones": cluster_zones, "members": members,
                    "endpoint_address": format!("{id}.cluster.gen.{REGION}.rds.amazonaws.com"), "endpoint_port": 5432,
                    "deletion_protection": false, "backup_retention_period": backups.max(1)}));
            }
        }
        // A database no application uses is out of scope: judged by nothing.
        let used = users(d).next().is_some();
        // Subscribed to its failures and failovers (in one of the forms RDS stores: its own
        // id or every source of its type, those categories or every one), else left at
        // AWS's default of no subscription: HA031.
        let source_type = if kind == Database::MultiAzInstance {
            "db-instance"
        } else {
            "db-cluster"
        };
        if composition.events_subscribed.get(d) == Some(&true) {
            let topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:{id}-events");
            account.add("sns_topics", json!({"arn": topic, "region": REGION, "name": format!("{id}-events"), "subscriptions": []}));
            let (source_ids, categories) = match subscription_form(d) {
                0 => (json!([id]), json!(["failover", "failure"])),
                1 => (json!([]), json!([])),
                _ => (
                    json!([id]),
                    json!(["availability", "failover", "failure", "maintenance"]),
                ),
            };
            account.add("event_subscriptions", json!({"name": format!("{id}-events"),
                "arn": format!("arn:aws:rds:{REGION}:{ACCOUNT}:es:{id}-events"), "region": REGION,
                "sns_topic_arn": topic, "status": "active", "enabled": true, "source_type": source_type,
                "source_ids": source_ids, "event_categories": categories}));
        } else if used && !every_source_subscribed(composition, source_type) {
            account.expect("HA031", &id);
        }
        // Left at AWS's default, deletion protection off: HA023 (a cluster's instances are
        // judged through it).
        if used {
            account.expect("HA023", &id);
        }
        if single_zone && used {
            account.expect("HA012", &id);
            // Losing the database's zone takes down every application using it.
            for app in users(d) {
                account.expect("HA018", &format!("{}-lb", app.name));
            }
        }
        // A standalone instance an application uses keeps no backups: HA020 (a cluster
        // keeps one day at least, which `min_days` 1 passes).
        if backups == 0 && used && kind == Database::MultiAzInstance {
            account.expect("HA020", &id);
        }
        // Public access is wrong for any database, used or not (HA013's documentation).
        if public {
            account.expect("HA013", &id);
        }
    }
}

/// Which form database `d`'s subscription takes: 0 its own id for failover and failure,
/// 1 every source of its type and every category, 2 its own id for those among others.
fn subscription_form(d: usize) -> usize {
    d % 3
}

/// Whether some database's subscription covers every source of `source_type` (form 1).
fn every_source_subscribed(composition: &Composition, source_type: &str) -> bool {
    composition
        .databases
        .iter()
        .enumerate()
        .any(|(d, (kind, ..))| {
            let its_type = if *kind == Database::MultiAzInstance {
                "db-instance"
            } else {
                "db-cluster"
            };
            composition.events_subscribed.get(d) == Some(&true)
                && subscription_form(d) == 1
                && its_type == source_type
        })
}

pub(crate) fn application(
    account: &mut Account,
    rng: &mut Rng,
    app: &AppPlan,
    composition: &Composition,
    k: usize,
) {
    let name = &app.name;
    let has = |v: Violation| app.violations.contains(&v);
    let lb_name = format!("{name}-lb");
    let asg = format!("{name}-asg");
    let app_group = format!("sg-{name}");
    let lb_group = format!("sg-{name}-lb");
    let nlb = matches!(app.lb, LbKind::NlbWithGroups | LbKind::NlbWithoutGroups);
    let classic = app.lb == LbKind::Classic;
    let lb_arn = format!(
        "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{}/{lb_name}/000{k}",
        if nlb { "net" } else { "app" }
    );
    let tg_name = format!("{name}-tg");
    let tg_arn =
        format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{tg_name}/000{k}");
    let dns = format!("{lb_name}-{k}.elb.{REGION}.amazonaws.com");
    // An NLB forwards 443 to 443; an ALB terminates TLS and forwards to 8080.
    let (target_port, target_protocol) = if nlb { (443, "TCP") } else { (8080, "HTTP") };

    // Security groups.
    let lb_groups: Vec<String> = if app.lb == LbKind::NlbWithoutGroups {
        vec![]
    } else {
        vec![lb_group.clone()]
    };
    if !lb_groups.is_empty() {
        let mut ingress = vec![from_cidr("tcp", 443, "0.0.0.0/0")];
        // An ALB and a Classic Load Balancer take 80 too (an NLB here takes 443 only).
        if !nlb {
            ingress.push(from_cidr("tcp", 80, "0.0.0.0/0"));
        }
        account.add("security_groups", security_group(&lb_group, ingress));
    }
    let mut ingress = vec![if lb_groups.is_empty() {
        // The client's own address arrives: the world on the target port is the correct rule.
        from_cidr("tcp", target_port, "0.0.0.0/0")
    } else {
        from_group("tcp", target_port, &lb_group)
    }];
    // Nobody logs into a Lambda function.
    if !composition.no_bastion && app.backend != Backend::Lambda {
        ingress.push(from_group("tcp", 22, "sg-bastion"));
    }
    if has(Violation::WorldIngress) {
        let port = if lb_groups.is_empty() {
            9000
        } else {
            target_port
        };
        ingress.push(from_cidr("tcp", port, "0.0.0.0/0"));
        account.expect("HA009", &app_group);
    }
    if has(Violation::SshFromWorld) {
        ingress.push(from_cidr("tcp", 22, "0.0.0.0/0"));
        account.expect("HA010", &app_group);
    }
    account.add("security_groups", security_group(&app_group, ingress));

    // Load balancer, listeners, target group.
    if classic {
        let listeners: Vec<Value> = [("HTTP", 80), ("HTTPS", 443)]
            .iter()
            .map(|(protocol, port)| json!({"protocol": protocol, "port": port, "instance_protocol": "HTTP", "instance_port": target_port}))
            .collect();
        account.add("classic_load_balancers", json!({"arn": format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{lb_name}"),
            "name": lb_name, "region": REGION, "scheme": "internet-facing", "vpc_id": VPC,
            "availability_zones": ZONES, "subnet_ids": ["subnet-pub0", "subnet-pub1"], "security_group_ids": lb_groups,
            "dns_name": dns, "canonical_hosted_zone_id": ELB_ZONE, "listeners": listeners,
            "health_check": {"target": format!("HTTP:{target_port}/health"), "interval_seconds": 30, "timeout_seconds": 5,
                "healthy_threshold": 3, "unhealthy_threshold": 2},
            "instance_ids": [], "cross_zone": !has(Violation::CrossZoneOff),
            "connection_draining": if app.draining_off { 0 } else { 300 }}));
        if has(Violation::CrossZoneOff) {
            account.expect("HA019", &lb_name);
        }
        // Left at AWS's default, no alarm on its unhealthy instances (HA032).
        account.expect("HA032", &lb_name);
        if app.draining_off {
            account.expect("HA027", &lb_name);
        }
        for port in [80, 443] {
            account.paths.insert(format!(
                "internet → Classic Load Balancer {lb_name} :{port}/tcp → Auto Scaling group {asg} :{target_port}/tcp"
            ));
        }
    } else {
        let (lb_zones, lb_subnets) = if app.lb_one_zone {
            account.expect("HA028", &lb_name);
            account.expect("HA018", &lb_name);
            (json!([ZONES[0]]), json!(["subnet-pub0"]))
        } else {
            (json!(ZONES), json!(["subnet-pub0", "subnet-pub1"]))
        };
        account.add("load_balancers", json!({"arn": lb_arn, "name": lb_name, "region": REGION,
        "lb_type": if nlb { "network" } else { "application" }, "scheme": "internet-facing", "vpc_id": VPC,
        "availability_zones": lb_zones, "subnet_ids": lb_subnets, "security_group_ids": lb_groups,
        "dns_name": dns, "canonical_hosted_zone_id": ELB_ZONE, "state": "active",
        // AWS's defaults, as the replay leaves them: a Network Load Balancer does not
        // balance across zones, an Application one always does.
        "deletion_protection": false, "cross_zone": !nlb}));
        // Left at AWS's default: not protected from deletion.
        account.expect("HA022", &lb_name);
        let forward = json!([{"action_type": "forward", "target_group_arns": [tg_arn], "redirect_protocol": null, "redirect_port": null}]);
        let listener_protocol = if nlb {
            rng.pick(&["TCP", "TLS"])
        } else {
            "HTTPS"
        };
        // An application load balancer may route by host instead: a 404 by default and a
        // host rule forwarding (the 404 is a path of its own, not a way to the group).
        let by_host = !nlb && rng.chance(30);
        let (default_actions, rules) = if by_host {
            (
                json!([{"action_type": "fixed-response", "target_group_arns": [], "redirect_protocol": null, "redirect_port": null}]),
                json!([{"arn": format!("{lb_arn}/443/rule/1"), "priority": 10,
                    "conditions": [format!("host-header {name}.example.com")], "actions": forward}]),
            )
        } else {
            (forward, json!([]))
        };
        account.add("listeners", json!({"arn": format!("{lb_arn}/443"), "load_balancer_arn": lb_arn, "region": REGION,
        "port": 443, "protocol": listener_protocol, "certificate_arns": [], "default_actions": default_actions,
        "rules": rules}));
        let transport_hop = format!(
            "internet → load balancer {lb_name} :443/tcp → target group {tg_name} → Auto Scaling group {asg} :{target_port}/tcp"
        );
        // Paths are compared up to the serving group: hand-registered targets have none;
        // other backends' paths end at their targets (above).
        if !app.registered && app.backend == Backend::Group {
            account.paths.insert(transport_hop);
        }
        if !nlb {
            account.add("listeners", json!({"arn": format!("{lb_arn}/80"), "load_balancer_arn": lb_arn, "region": REGION,
            "port": 80, "protocol": "HTTP", "certificate_arns": [],
            "default_actions": [{"action_type": "redirect", "target_group_arns": [], "redirect_protocol": "HTTPS", "redirect_port": "443"}]}));
            account.paths.insert(format!(
                "internet → load balancer {lb_name} :80/tcp → redirect to :443"
            ));
        }
    }

    // The group and its instances.
    let small = has(Violation::SmallGroup);
    let one_zone = has(Violation::OneZoneGroup);
    let zones: Vec<usize> = if one_zone { vec![0] } else { vec![0, 1] };
    let instance_zones: Vec<usize> = if small {
        vec![0]
    } else if one_zone || app.unbalanced {
        vec![0, 0]
    } else {
        vec![0, 1]
    };
    let grouped = app.backend == Backend::Group;
    let instance_ids: Vec<String> = (0..instance_zones.len())
        .filter(|_| grouped)
        .map(|i| format!("i-{name}-{i}"))
        .collect();
    for (i, (&zone, id)) in instance_zones.iter().zip(&instance_ids).enumerate() {
        account.add(
            "instances",
            instance(
                id,
                &format!("subnet-prv{zone}"),
                zone,
                &format!("10.0.1{zone}.{}", 10 + 10 * k + i),
                &[&app_group],
                (!app.registered).then_some(asg.as_str()),
            ),
        );
        if app.registered {
            account.expect("HA002", id);
        }
    }
    if app.registered {
        // Nothing replaces an instance of a lost zone (HA018: degraded without recovery),
        // and an application load balancer must serve 80/443 from a group (HA008).
        account.expect("HA018", &lb_name);
        if !nlb {
            account.expect("HA008", &lb_name);
        }
    }
    let lambda = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}");
    let targets: Vec<Value> = match app.backend {
        Backend::Group => instance_ids
            .iter()
            .map(|id| json!({"id": id, "port": target_port, "health": "healthy"}))
            .collect(),
        // A task per zone, in the private subnets.
        Backend::IpTargets => (0..2)
            .map(|zone| json!({"id": format!("10.0.1{zone}.{}", 100 + k), "port": target_port, "health": "healthy",
                "security_group_ids": [app_group]}))
            .collect(),
        Backend::Lambda => vec![json!({"id": lambda, "port": null, "health": "healthy"})],
    };
    for target in &targets {
        let hop = match app.backend {
            Backend::Group => continue,
            Backend::IpTargets => {
                format!("ip {} :{target_port}/tcp", target["id"].as_str().unwrap())
            }
            Backend::Lambda => format!("lambda {lambda}"),
        };
        account.paths.insert(format!(
            "internet → load balancer {lb_name} :443/tcp → target group {tg_name} → {hop}"
        ));
    }
    if classic {
        // AWS registers a group's instances with the load balancers it attaches.
        let last = account
            .collections
            .get_mut("classic_load_balancers")
            .unwrap()
            .last_mut()
            .unwrap();
        last["instance_ids"] = json!(instance_ids);
    } else {
        let (target_type, port, protocol) = match app.backend {
            Backend::Group => ("instance", json!(target_port), json!(target_protocol)),
            Backend::IpTargets => ("ip", json!(target_port), json!(target_protocol)),
            // A Lambda function's target group has neither port nor protocol.
            Backend::Lambda => ("lambda", Value::Null, Value::Null),
        };
        account.add("target_groups", json!({"arn": tg_arn, "name": tg_name, "region": REGION, "vpc_id": VPC,
        "port": port, "protocol": protocol, "target_type": target_type,
        "health_check": {"enabled": true, "protocol": if nlb { "TCP" } else { "HTTP" }, "port": "traffic-port",
            "path": if nlb { Value::Null } else { json!("/health") }, "interval_seconds": 30, "healthy_threshold": 5, "unhealthy_threshold": 2},
        "load_balancer_arns": [lb_arn], "targets": targets,
        "deregistration_delay": if target_type == "lambda" { Value::Null } else { json!(300) },
        "cross_zone": "use_load_balancer_configuration"}));
        // It follows its Network Load Balancer, which does not balance across zones (a
        // Lambda function is in no zone).
        if nlb && target_type != "lambda" {
            account.expect("HA021", &tg_name);
        }
        // Left at AWS's default, no alarm on its unhealthy targets (HA032; a Lambda
        // function's target group is not judged).
        if target_type != "lambda" {
            account.expect("HA032", &tg_name);
        }
    }

    // A group launches them; hand-registered targets have none (HA002 fails for each).
    if !app.registered && grouped {
        let template = format!("lt-{name}");
        let (version, latest, default) = match app.capacity {
            Capacity::Latest => ("$Latest", 3, 2),
            Capacity::Default => ("$Default", 3, 2),
            Capacity::Pinned => ("2", 3, 3),
        };
        // The version the group launches is the compliant one; the others are bare drafts a
        // rule must not read.
        let used = match version {
            "$Latest" => latest,
            "$Default" => default,
            pinned => pinned.parse().unwrap(),
        };
        // An AMI of the application's own that a clean-up deregistered, or the shared one.
        let image = if app.image_gone {
            let gone = format!("ami-0gone{name}");
            account.add("missing_images", json!({"id": gone, "region": REGION}));
            account.expect("HA029", &asg);
            gone
        } else {
            "ami-0gen".to_owned()
        };
        let launch_configuration = has(Violation::LaunchConfiguration);
        // The key pair its instances launch with: one a clean-up deleted, or the shared one.
        let key = if app.key_gone && !launch_configuration {
            let gone = format!("{name}-key");
            account.add("missing_key_pairs", json!({"id": gone, "region": REGION}));
            account.expect("HA035", &asg);
            gone
        } else {
            "gen-key".to_owned()
        };
        let versions: Vec<Value> = (1..=3)
            .map(|number| {
                let launched = number == used;
                json!({"version_number": number, "image_id": image, "instance_type": "t3.small",
                "associate_public_ip": !launched || has(Violation::PublicLaunch),
                "security_group_ids": [app_group], "has_user_data": launched, "key_name": key})
            })
            .collect();
        if launch_configuration {
            account.add("launch_configurations", json!({"name": format!("{name}-lc"),
            "arn": format!("arn:aws:autoscaling:{REGION}:{ACCOUNT}:launchConfiguration:0000:launchConfigurationName/{name}-lc"),
            "region": REGION, "image_id": image, "instance_type": "t3.small",
            "associate_public_ip": has(Violation::PublicLaunch), "security_group_ids": [app_group], "has_user_data": true}));
        } else {
            account.add("launch_templates", json!({"id": template, "region": REGION, "name": template,
            "default_version": default, "latest_version": latest, "versions": versions, "tags": {}}));
        }
        if launch_configuration || has(Violation::PublicLaunch) {
            account.expect("HA005", &asg);
        }
        let (min, desired) = if small { (1, 1) } else { (2, 2) };
        let (mut target_group_arns, mut load_balancer_names) = if classic {
            (vec![], vec![lb_name.clone()])
        } else {
            (vec![tg_arn.clone()], vec![])
        };
        // A load balancer of the application's that a clean-up deleted and left in the group.
        if app.stale_load_balancer {
            if classic {
                let stale = format!("{name}-old-lb");
                account.add(
                    "missing_classic_load_balancers",
                    json!({"id": stale, "region": REGION}),
                );
                load_balancer_names.push(stale);
            } else {
                let stale = format!(
                    "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}-old-tg/0000000000000000"
                );
                account.add(
                    "missing_target_groups",
                    json!({"id": stale, "region": REGION}),
                );
                target_group_arns.push(stale);
            }
            account.expect("HA030", &asg);
        }
        account.add("auto_scaling_groups", json!({"name": asg, "arn": group_arn(&asg), "region": REGION,
        "availability_zones": zones.iter().map(|&z| ZONES[z]).collect::<Vec<_>>(),
        "subnet_ids": zones.iter().map(|z| format!("subnet-prv{z}")).collect::<Vec<_>>(),
        "min_size": min, "max_size": 6, "desired_capacity": desired,
        "health_check_type": if has(Violation::Ec2HealthCheck) { "EC2" } else { "ELB" },
        "health_check_grace_period": 300,
        "target_group_arns": target_group_arns, "load_balancer_names": load_balancer_names,
        "launch_template": if launch_configuration { Value::Null } else { json!({"id": template, "name": template, "version": version}) },
        "launch_configuration_name": if launch_configuration { json!(format!("{name}-lc")) } else { Value::Null },
        "instance_ids": instance_ids, "tags": {}, "instance_maintenance_policy": {}}));
        // No mixed-instances policy: one instance type (HA026, opt-in); no instance
        // maintenance policy: AWS's default replacements (HA034, opt-in).
        account.expect("HA026", &asg);
        account.expect("HA034", &asg);
        if one_zone {
            account.expect("HA003", &asg);
            account.expect("HA018", &lb_name);
        }
        if small {
            account.expect("HA004", &asg);
            account.expect("HA018", &lb_name);
        }
        if app.unbalanced {
            account.expect("HA033", &asg);
            account.expect("HA018", &lb_name);
        }
        if has(Violation::Ec2HealthCheck) {
            account.expect("HA006", &asg);
        }

        // Scaling.
        match app.scaling {
            Scaling::TargetTracking => {
                if has(Violation::NoScaleOut) {
                    // No policy at all: the group neither grows nor shrinks on load.
                    account.expect("HA014", &asg);
                    account.expect("HA015", &asg);
                } else {
                    account.add("scaling_policies", json!({"name": format!("{name}-cpu"), "arn": policy_arn(&asg, &format!("{name}-cpu")),
                    "region": REGION, "auto_scaling_group": asg, "policy_type": "TargetTrackingScaling",
                    "adjustment_type": null, "scaling_adjustment": null, "step_adjustments": [],
                    "target_tracking": {"predefined_metric": tracked_metric(app.signal), "target_value": 50.0,
                        "disable_scale_in": has(Violation::NoScaleIn)}}));
                    if has(Violation::NoScaleIn) {
                        account.expect("HA015", &asg);
                    }
                }
            }
            Scaling::Alarms => {
                let topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}-alerts");
                account.add("sns_topics", json!({"arn": topic, "region": REGION, "name": format!("{name}-alerts"),
                "subscriptions": [{"arn": format!("{topic}:0000"), "protocol": "email", "endpoint": "oncall@example.com",
                    "confirmed": !has(Violation::UnconfirmedTopic)}]}));
                // A topic no alarm notifies is no alarm notification topic (HA016's subject).
                let notified = !(has(Violation::NoScaleOut) && has(Violation::NoScaleIn))
                    || app.status_alarm.is_some();
                if has(Violation::UnconfirmedTopic) && notified {
                    account.expect("HA016", &format!("{name}-alerts"));
                }
                let (namespace, metric, statistic, dimensions, [high, low]) = match app.signal {
                    Signal::RequestCount => (
                        "AWS/ApplicationELB",
                        "RequestCountPerTarget",
                        "Sum",
                        json!({"TargetGroup": format!("targetgroup/{tg_name}/000{k}")}),
                        [1000.0, 100.0],
                    ),
                    Signal::Memory => (
                        "CWAgent",
                        "mem_used_percent",
                        "Average",
                        json!({"AutoScalingGroupName": asg}),
                        [80.0, 20.0],
                    ),
                    _ => (
                        "AWS/EC2",
                        "CPUUtilization",
                        "Average",
                        json!({"AutoScalingGroupName": asg}),
                        [75.0, 10.0],
                    ),
                };
                let or_equal = if app.inclusive { "OrEqualTo" } else { "" };
                for (direction, adjustment, threshold, comparison, violation, rule) in [
                    ("out", 1, high, "Greater", Violation::NoScaleOut, "HA014"),
                    ("in", -1, low, "Less", Violation::NoScaleIn, "HA015"),
                ] {
                    let operator = format!("{comparison}Than{or_equal}Threshold");
                    let policy = format!("{name}-scale-{direction}");
                    account.add("scaling_policies", json!({"name": policy, "arn": policy_arn(&asg, &policy), "region": REGION,
                    "auto_scaling_group": asg, "policy_type": "SimpleScaling", "adjustment_type": "ChangeInCapacity",
                    "scaling_adjustment": adjustment, "step_adjustments": []}));
                    if has(violation) {
                        account.expect(rule, &asg);
                        continue;
                    }
                    let alarm = format!("{name}-load-{direction}");
                    account.add("metric_alarms", json!({"name": alarm, "arn": format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm}"),
                    "region": REGION, "namespace": namespace, "metric_name": metric, "statistic": statistic,
                    "period": 300, "evaluation_periods": 2, "threshold": threshold, "comparison_operator": operator,
                    "dimensions": dimensions, "actions_enabled": true,
                    "alarm_actions": [policy_arn(&asg, &policy), topic], "ok_actions": [], "insufficient_data_actions": []}));
                }
                if let Some(enabled) = app.status_alarm {
                    let alarm = format!("{name}-status");
                    account.add("metric_alarms", json!({"name": alarm, "arn": format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm}"),
                    "region": REGION, "namespace": "AWS/EC2", "metric_name": "StatusCheckFailed", "statistic": "Maximum",
                    "period": 60, "evaluation_periods": 2, "threshold": 1.0, "comparison_operator": "GreaterThanOrEqualToThreshold",
                    "dimensions": {"AutoScalingGroupName": asg}, "actions_enabled": enabled,
                    "alarm_actions": [topic], "ok_actions": [], "insufficient_data_actions": []}));
                    if !enabled {
                        account.expect("HA025", &alarm);
                    }
                }
            }
        }
    }

    // The public name, in one of the forms Route 53 stores an alias.
    if has(Violation::NoAliasRecord) {
        account.expect("HA017", &lb_name);
    } else {
        let mut target = dns.clone();
        if rng.chance(50) {
            target = format!("dualstack.{target}");
        }
        if rng.chance(30) {
            target = target.to_uppercase();
        }
        if rng.chance(50) {
            target.push('.');
        }
        let types: &[&str] = if rng.chance(30) {
            &["A", "AAAA"]
        } else {
            &["A"]
        };
        for record_type in types {
            account.add("record_sets", json!({"zone_id": HOSTED_ZONE, "name": format!("{name}.example.com."), "record_type": record_type,
                "ttl": null, "values": [], "alias_target": {"dns_name": target, "hosted_zone_id": ELB_ZONE, "evaluate_target_health": true},
                "set_identifier": null}));
        }
    }
}

/// The predefined metric a target-tracking policy tracks for `signal` (`null`: a customized
/// metric, the CloudWatch agent's memory).
pub(crate) fn tracked_metric(signal: Signal) -> Value {
    match signal {
        Signal::Cpu => json!("ASGAverageCPUUtilization"),
        Signal::CpuHighResolution => json!("ASGAverageCPUUtilizationHighResolution"),
        Signal::RequestCount => json!("ALBRequestCountPerTarget"),
        Signal::NetworkIn => json!("ASGAverageNetworkIn"),
        Signal::NetworkOut => json!("ASGAverageNetworkOut"),
        Signal::Memory => Value::Null,
    }
}

/// Workloads of other systems: nothing in them is a web application.
pub(crate) fn others(account: &mut Account, composition: &Composition) {
    if composition.eks_nodes || composition.worker {
        account.add("security_groups", security_group("sg-internal", vec![json!({"protocol": "tcp", "from_port": 0, "to_port": 65535, "cidr_ipv4": VPC_CIDR})]));
    }
    for (present, name, ip, tags) in [
        (
            composition.eks_nodes,
            "eks-nodes",
            "10.0.10.200",
            json!({"eks:cluster-name": "platform", "kubernetes.io/cluster/platform": "owned"}),
        ),
        (
            composition.worker,
            "queue-worker",
            "10.0.10.201",
            json!({"role": "worker"}),
        ),
    ] {
        if !present {
            continue;
        }
        let id = format!("i-{name}");
        let mut host = instance(&id, "subnet-prv0", 0, ip, &["sg-internal"], Some(name));
        host["tags"] = tags.clone();
        host["tags"]["aws:autoscaling:groupName"] = json!(name);
        account.add("instances", host);
        account.add("auto_scaling_groups", json!({"name": name, "arn": group_arn(name), "region": REGION,
            "availability_zones": [ZONES[0]], "subnet_ids": ["subnet-prv0"], "min_size": 1, "max_size": 3, "desired_capacity": 1,
            "health_check_type": "EC2", "health_check_grace_period": 300, "target_group_arns": [],
            "launch_template": null, "launch_configuration_name": null, "instance_ids": [id], "tags": tags,
            "instance_maintenance_policy": {}}));
    }
    if composition.worker {
        // An internal load balancer in front of the worker: not an entry point from the internet.
        let arn = format!(
            "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/internal-lb/0009"
        );
        let tg =
            format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/internal-tg/0009");
        account.add("load_balancers", json!({"arn": arn, "name": "internal-lb", "region": REGION, "lb_type": "application",
            "scheme": "internal", "vpc_id": VPC, "availability_zones": ZONES, "subnet_ids": ["subnet-prv0", "subnet-prv1"],
            "security_group_ids": ["sg-internal"], "dns_name": format!("internal-internal-lb.{REGION}.elb.amazonaws.com"),
            "canonical_hosted_zone_id": ELB_ZONE, "state": "active", "deletion_protection": false, "cross_zone": true}));
        account.add("listeners", json!({"arn": format!("{arn}/80"), "load_balancer_arn": arn, "region": REGION, "port": 80,
            "protocol": "HTTP", "certificate_arns": [],
            "default_actions": [{"action_type": "forward", "target_group_arns": [tg], "redirect_protocol": null, "redirect_port": null}]}));
        account.add("target_groups", json!({"arn": tg, "name": "internal-tg", "region": REGION, "vpc_id": VPC, "port": 8080,
            "protocol": "HTTP", "target_type": "instance",
            "health_check": {"enabled": true, "protocol": "HTTP", "port": "traffic-port", "path": "/", "interval_seconds": 30,
                "healthy_threshold": 5, "unhealthy_threshold": 2},
            "load_balancer_arns": [arn], "targets": [{"id": "i-queue-worker", "port": 8080, "health": "healthy"}],
            "deregistration_delay": 300, "cross_zone": "use_load_balancer_configuration"}));
        let worker = account
            .collections
            .get_mut("auto_scaling_groups")
            .unwrap()
            .last_mut()
            .unwrap();
        worker["target_group_arns"] = json!([tg]);
    }
    if composition.nat_instance {
        account.add("security_groups", security_group("sg-nat", vec![
            json!({"protocol": "all", "from_port": 0, "to_port": 65535, "cidr_ipv4": VPC_CIDR}),
            from_cidr("tcp", 443, "0.0.0.0/0"),
        ]));
        let mut host = instance("i-nat", "subnet-pub1", 1, "10.0.1.9", &["sg-nat"], None);
        host["public_ip"] = json!("198.51.100.9");
        host["source_dest_check"] = json!(false);
        account.add("instances", host);
    }
}

/// A lone public server: an application of one instance.
pub(crate) fn public_instance(account: &mut Account, composition: &Composition) {
    let Some((protocol, port)) = composition.public_instance_port else {
        return;
    };
    account.add(
        "security_groups",
        security_group("sg-pub", vec![from_cidr(protocol, port, "0.0.0.0/0")]),
    );
    let mut host = instance("i-pub", "subnet-pub0", 0, "10.0.0.77", &["sg-pub"], None);
    host["public_ip"] = json!("198.51.100.77");
    account.add("instances", host);
    account.paths.insert(format!(
        "internet → instance i-pub 198.51.100.77 :{port}/{protocol}"
    ));
    for rule in ["HA001", "HA002", "HA018"] {
        account.expect(rule, "i-pub");
    }
    account.expect("HA009", "sg-pub");
    if composition.public_instance_pair {
        let mut twin = instance("i-pub2", "subnet-pub1", 1, "10.0.1.77", &["sg-pub"], None);
        twin["public_ip"] = json!("198.51.100.78");
        account.add("instances", twin);
        account.paths.insert(format!(
            "internet → instance i-pub2 198.51.100.78 :{port}/{protocol}"
        ));
        // One application with the first server: HA018 judges it once, on that entry point.
        for rule in ["HA001", "HA002"] {
            account.expect(rule, "i-pub2");
        }
    }
    if composition.public_instance_record {
        account.add(
            "record_sets",
            json!({"zone_id": HOSTED_ZONE, "name": "legacy.example.com.", "record_type": "A",
            "ttl": 300, "values": ["198.51.100.77"], "alias_target": null, "set_identifier": null}),
        );
        account.expect("HA017", "legacy.example.com. A");
    }
}

pub(crate) fn generate(rng: &mut Rng) -> (Composition, Account) {
    let composition = Composition::generate(rng);
    let account = build(rng, &composition);
    (composition, account)
}

/// The account a composition describes (the generator's draws for names and addresses
/// continue from `rng`).
pub(crate) fn build(rng: &mut Rng, composition: &Composition) -> Account {
    let mut account = Account::default();
    network(&mut account);
    // HA011 asks a bastion of a VPC that hosts application instances (tasks and Lambda
    // functions are not logged into). An untagged bastion is one by reference only: when
    // no application's group admits SSH from it, it is not recognisable as one.
    let instances = composition.public_instance_port.is_some()
        || composition
            .apps
            .iter()
            .any(|app| app.backend == Backend::Group);
    let recognisable = composition.bastion_tagged
        || composition
            .apps
            .iter()
            .any(|app| app.backend != Backend::Lambda);
    if instances && (composition.no_bastion || !recognisable) {
        account.expect("HA011", VPC);
    }
    if !composition.no_bastion {
        bastion(
            &mut account,
            composition.bastion_tagged,
            composition.bastion_in_group,
        );
    }
    databases(&mut account, composition);
    for (k, app) in composition.apps.iter().enumerate() {
        application(&mut account, rng, app, composition, k);
    }
    others(&mut account, composition);
    public_instance(&mut account, composition);
    account
}
