//! The loaded stacks' resources into one inventory: each type's converter (one file per
//! service, as `collect/` is), then what AWS joins at deploy (separate ingress resources into their group, routes and associations
//! into their table, subscriptions into their topic, listeners into their target groups).

mod autoscaling;
mod dns;
mod ec2;
mod elb;
mod monitoring;
mod rds;

use std::collections::{BTreeMap, BTreeSet};

use super::eval::deploy::{default_port, distribution_domain};
use super::eval::{EvalError, NotKnown, Value, World, texts};
use super::recorder::{Recorder, json, peer_pos, sg_rule};
use super::yaml::Spanned;
use crate::inventory::*;

type Result<T> = std::result::Result<T, (usize, EvalError)>;

/// An `AWS::EC2::SecurityGroupIngress` or `…Egress` resource, for its group.
struct SeparateRule {
    group: String,
    egress: bool,
    rule: std::result::Result<SgRule, NotKnown>,
    pos: SourcePos,
}

/// Why a topic's email or HTTP subscriptions are not known to work before deploy.
const UNCONFIRMED: &str =
    "confirmation of the topic's subscriptions (by their recipients, after deploy)";

/// What the converters leave for the joins.
#[derive(Default)]
struct Joins {
    /// Separate ingress and egress resources: their group, and the rule or the input it
    /// waits for.
    rules: Vec<SeparateRule>,
    routes: Vec<(String, Route)>,
    associations: Vec<(String, String)>,
    attachments: Vec<(String, String)>,
    subscriptions: Vec<(String, SnsSubscription)>,
    /// Instances whose public address follows their subnet's `MapPublicIpOnLaunch`.
    subnet_public_ip: Vec<(usize, String)>,
    /// Databases whose public access follows their subnets' internet gateway.
    default_public_db: Vec<usize>,
    /// Listener rules: their listener's ARN, the rule, the input a part of it waits for.
    listener_rules: Vec<(String, ListenerRule, Option<String>)>,
}

pub fn convert(world: &World) -> Result<Inventory> {
    let mut inventory = Inventory::new(world.account.clone(), vec![world.region.clone()]);
    inventory.collected_at = "template".to_owned();
    let mut joins = Joins::default();
    for (stack, here) in world.stacks.iter().enumerate() {
        let file = here.path.display().to_string();
        let Some(resources) = here.doc.get("Resources") else {
            continue;
        };
        for entry in resources.entries() {
            let declaration = &entry.value;
            let Some(kind) = declaration.get("Type").and_then(Spanned::as_str) else {
                return Err((
                    stack,
                    EvalError {
                        pos: entry.key_pos,
                        message: format!("resource `{}` has no `Type`", entry.key),
                    },
                ));
            };
            let mut r = Recorder::new(
                world,
                stack,
                &entry.key,
                declaration,
                entry.key_pos,
                file.clone(),
            );
            if let Some(reason) = &here.opaque {
                r.wholly_unknown(reason.clone());
            }
            if let Some(condition) = declaration.get("Condition") {
                let name = condition.as_str().unwrap_or_default();
                match world.condition(stack, name, condition.pos) {
                    Ok(Value::Text(t)) if t == "true" => {}
                    Ok(Value::Unknown(reason)) => {
                        r.wholly_unknown(format!("condition `{name}`, which depends on {reason}"))
                    }
                    Ok(_) => continue,
                    Err(e) => return Err((stack, e)),
                }
            }
            one(&mut inventory, &mut joins, &mut r, kind).map_err(|e| (stack, e))?;
        }
    }
    join(&mut inventory, joins);
    inventory.derive_subnet_publicity();
    finish_defaults(&mut inventory);
    inventory.normalize();
    Ok(inventory)
}

type Step = std::result::Result<(), EvalError>;

fn push_source<T: Resource>(inventory: &mut Inventory, r: &mut Recorder, item: &T) {
    let mut source = std::mem::take(&mut r.source);
    source.kind = T::KIND.to_owned();
    source.arn = item.arn(&inventory.account_id);
    inventory.sources.push(source);
}

fn one(inv: &mut Inventory, joins: &mut Joins, r: &mut Recorder, kind: &str) -> Step {
    let service = kind.split("::").nth(1).unwrap_or_default();
    match service {
        "EC2" => ec2::one(inv, joins, r, kind),
        "AutoScaling" => autoscaling::one(inv, joins, r, kind),
        "ElasticLoadBalancing" | "ElasticLoadBalancingV2" => elb::one(inv, joins, r, kind),
        "RDS" => rds::one(inv, joins, r, kind),
        "CloudWatch" | "SNS" => monitoring::one(inv, joins, r, kind),
        "Route53" | "CloudFront" => dns::one(inv, joins, r, kind),
        _ => Ok(()),
    }
}

/// What AWS joins at deploy (every group's, load balancer's, subnet group's and NAT
/// gateway's VPC and zones are its subnets').
fn join(inv: &mut Inventory, joins: Joins) {
    // A rule joins its listener (one of a template not loaded is left out).
    for (listener_arn, rule, unknown) in joins.listener_rules {
        if let Some(listener) = inv.listeners.iter_mut().find(|l| l.arn == listener_arn) {
            listener.rules.push(rule);
            listener.rules.sort_by_key(|r| r.priority);
            if let Some(reason) = unknown {
                mark_unknown(inv, &listener_arn, &["rules"], &reason);
            }
        }
    }
    // A record names its zone by name wherever the zone is declared.
    for position in 0..inv.record_sets.len() {
        if let Some(name) = inv.record_sets[position]
            .zone_id
            .strip_prefix("zone:")
            .map(str::to_owned)
            && let Some(zone) = inv.hosted_zones.iter().find(|z| z.name == name)
        {
            inv.record_sets[position].zone_id = zone.id.clone();
        }
    }
    for SeparateRule {
        group,
        egress,
        rule,
        pos,
    } in joins.rules
    {
        let Some(position) = inv.security_groups.iter().position(|g| g.id == group) else {
            continue;
        };
        let arn = inv.security_groups[position].arn(&inv.account_id);
        let field = if egress { "egress" } else { "ingress" };
        let source = inv.sources.iter_mut().find(|s| s.arn == arn);
        let rule = match rule {
            Ok(rule) => rule,
            Err(NotKnown(reason)) => {
                // The group's rules wait for the input: say so on the group.
                if let Some(source) = source {
                    source.unknowns.entry(field.into()).or_insert(reason);
                }
                continue;
            }
        };
        if let Some(source) = source {
            source.elements.push(SourceElement {
                field: field.into(),
                value: json(&rule),
                line: pos.line,
                column: pos.column,
            });
        }
        // Added to the group's own: CloudFormation drops the default allow-all egress rule
        // only for a group that declares egress rules itself.
        let group = &mut inv.security_groups[position];
        if egress {
            group.egress.push(rule);
        } else {
            group.ingress.push(rule);
        }
    }
    for (table, route) in joins.routes {
        if let Some(table) = inv.route_tables.iter_mut().find(|t| t.id == table) {
            table.routes.push(route);
        }
    }
    for (table, subnet) in joins.associations {
        if let Some(table) = inv.route_tables.iter_mut().find(|t| t.id == table) {
            table.subnet_ids.push(subnet);
        }
    }
    for (gateway, vpc) in joins.attachments {
        if let Some(gateway) = inv.internet_gateways.iter_mut().find(|g| g.id == gateway) {
            gateway.vpc_ids.push(vpc);
        }
    }
    for (topic, subscription) in joins.subscriptions {
        if let Some(topic) = inv.sns_topics.iter_mut().find(|t| t.arn == topic) {
            // As for a topic's own: whether its recipient confirms is known after deploy.
            if !subscription.confirmed
                && let Some(source) = inv.sources.iter_mut().find(|s| s.arn == topic.arn)
            {
                source
                    .unknowns
                    .entry("subscriptions".into())
                    .or_insert_with(|| UNCONFIRMED.to_owned());
            }
            topic.subscriptions.push(subscription);
        }
    }
    let subnet = |inv: &Inventory, id: &str| inv.subnets.iter().find(|s| s.id == id).cloned();
    for (position, ip) in joins.subnet_public_ip {
        let subnet_id = inv.instances[position].subnet_id.clone();
        if let Some(subnet) = subnet(inv, &subnet_id)
            && subnet.map_public_ip_on_launch
        {
            inv.instances[position].public_ip = Some(ip);
        }
    }
    for position in 0..inv.instances.len() {
        if let Some(subnet) = subnet(inv, &inv.instances[position].subnet_id.clone()) {
            inv.instances[position].vpc_id = subnet.vpc_id.clone();
            if inv.instances[position].availability_zone.is_empty() {
                inv.instances[position].availability_zone = subnet.availability_zone.clone();
            }
        }
    }
    // The VPC and zones of subnets; a zone that waits for an input (or a subnet of no
    // loaded template) makes the zones unknown rather than fewer.
    let zones_of =
        |inv: &mut Inventory, arn: String, subnets: &[String]| -> (String, Vec<String>) {
            let mut vpc = String::new();
            let mut zones = BTreeSet::new();
            let mut waits = None;
            for id in subnets {
                match inv.subnets.iter().find(|s| &s.id == id) {
                    Some(s) if !s.availability_zone.is_empty() => {
                        vpc = s.vpc_id.clone();
                        zones.insert(s.availability_zone.clone());
                    }
                    Some(s) => {
                        vpc = s.vpc_id.clone();
                        let subnet_arn = s.arn(&inv.account_id);
                        waits = waits.or_else(|| {
                            inv.sources
                                .iter()
                                .find(|x| x.arn == subnet_arn)
                                .and_then(|x| x.unknown("availability_zone"))
                                .map(str::to_owned)
                        });
                    }
                    None => {
                        waits = waits.or_else(|| {
                            Some(format!(
                                "the zone of subnet `{id}` (not in the loaded templates)"
                            ))
                        })
                    }
                }
            }
            if let Some(reason) = waits {
                mark_unknown(inv, &arn, &["availability_zones", "subnet_ids"], &reason);
            }
            (vpc, zones.into_iter().collect())
        };
    for position in 0..inv.auto_scaling_groups.len() {
        let group = &inv.auto_scaling_groups[position];
        let (arn, subnets) = (group.arn.clone(), group.subnet_ids.clone());
        let (_, zones) = zones_of(inv, arn, &subnets);
        if !zones.is_empty() {
            inv.auto_scaling_groups[position].availability_zones = zones;
        }
    }
    for position in 0..inv.load_balancers.len() {
        let lb = &inv.load_balancers[position];
        let (arn, subnets) = (lb.arn.clone(), lb.subnet_ids.clone());
        let (vpc, zones) = zones_of(inv, arn, &subnets);
        inv.load_balancers[position].vpc_id = vpc;
        inv.load_balancers[position].availability_zones = zones;
    }
    for position in 0..inv.classic_load_balancers.len() {
        let lb = &inv.classic_load_balancers[position];
        let (arn, subnets) = (lb.arn.clone(), lb.subnet_ids.clone());
        let (vpc, zones) = zones_of(inv, arn, &subnets);
        inv.classic_load_balancers[position].vpc_id = vpc;
        if !zones.is_empty() {
            inv.classic_load_balancers[position].availability_zones = zones;
        }
    }
    for position in 0..inv.db_subnet_groups.len() {
        let group = &inv.db_subnet_groups[position];
        let (arn, subnets) = (group.arn.clone(), group.subnet_ids.clone());
        let (vpc, zones) = zones_of(inv, arn, &subnets);
        inv.db_subnet_groups[position].vpc_id = vpc;
        inv.db_subnet_groups[position].availability_zones = zones;
    }
    for position in 0..inv.nat_gateways.len() {
        if let Some(subnet) = subnet(inv, &inv.nat_gateways[position].subnet_id.clone()) {
            inv.nat_gateways[position].vpc_id = subnet.vpc_id;
        }
    }
    // A target group serves the load balancers whose listeners forward to it.
    let forwards: Vec<(String, String)> = inv
        .listeners
        .iter()
        .flat_map(|l| {
            l.default_actions.iter().flat_map(move |a| {
                a.target_group_arns
                    .iter()
                    .map(move |t| (t.clone(), l.load_balancer_arn.clone()))
            })
        })
        .collect();
    for (group, lb) in forwards {
        if let Some(group) = inv.target_groups.iter_mut().find(|g| g.arn == group)
            && !group.load_balancer_arns.contains(&lb)
        {
            group.load_balancer_arns.push(lb);
        }
    }
    for position in joins.default_public_db {
        // CloudFormation's default: public when the instance's subnets are in a VPC with an
        // internet gateway attached (without a subnet group: the default VPC, which has one).
        let db = &inv.db_instances[position];
        let arn = db.arn.clone();
        let waits = inv
            .sources
            .iter()
            .find(|s| s.arn == arn)
            .and_then(|s| s.unknown("subnet_group"))
            .map(str::to_owned);
        let public = match (&db.subnet_group, waits) {
            (_, Some(reason)) => Err(reason),
            (None, None) => Ok(true),
            (Some(name), None) => match inv.db_subnet_groups.iter().find(|g| &g.name == name) {
                Some(group) => Ok(inv
                    .internet_gateways
                    .iter()
                    .any(|igw| igw.vpc_ids.contains(&group.vpc_id))),
                None => Err(format!(
                    "whether subnet group `{name}`'s VPC has an internet gateway (it is not in the loaded templates)"
                )),
            },
        };
        match public {
            Ok(public) => inv.db_instances[position].publicly_accessible = public,
            Err(reason) => mark_unknown(inv, &arn, &["publicly_accessible"], &reason),
        }
    }
}

/// Records that `fields` of the resource with `arn` wait for `reason`.
fn mark_unknown(inv: &mut Inventory, arn: &str, fields: &[&str], reason: &str) {
    if let Some(source) = inv.sources.iter_mut().find(|s| s.arn == arn) {
        for field in fields {
            source
                .unknowns
                .entry((*field).to_owned())
                .or_insert_with(|| reason.to_owned());
        }
    }
}

/// What follows from the whole inventory: database VPCs and cluster members.
fn finish_defaults(inv: &mut Inventory) {
    for position in 0..inv.db_instances.len() {
        if let Some(name) = inv.db_instances[position].subnet_group.clone()
            && let Some(group) = inv.db_subnet_groups.iter().find(|g| g.name == name)
        {
            inv.db_instances[position].vpc_id = Some(group.vpc_id.clone());
        }
    }
    for position in 0..inv.db_clusters.len() {
        let id = inv.db_clusters[position].id.clone();
        let members: Vec<DbClusterMember> = inv
            .db_instances
            .iter()
            .filter(|d| d.cluster_id.as_deref() == Some(id.as_str()))
            .enumerate()
            .map(|(n, d)| DbClusterMember {
                instance_id: d.id.clone(),
                writer: n == 0,
            })
            .collect();
        // A cluster's instances take its security groups (the instance cannot name any),
        // as DescribeDBInstances shows them.
        let groups = inv.db_clusters[position].security_group_ids.clone();
        // Groups that wait for an input make the members' wait too.
        let waiting = inv
            .sources
            .iter()
            .find(|s| s.arn == inv.db_clusters[position].arn)
            .and_then(|s| s.unknowns.get("security_group_ids").cloned());
        let mut inheriting = Vec::new();
        for instance in inv
            .db_instances
            .iter_mut()
            .filter(|d| d.cluster_id.as_deref() == Some(id.as_str()))
        {
            if instance.security_group_ids.is_empty() {
                instance.security_group_ids = groups.clone();
                inheriting.push(instance.arn.clone());
            }
        }
        if let Some(reason) = waiting {
            for arn in inheriting {
                mark_unknown(inv, &arn, &["security_group_ids"], &reason);
            }
        }
        let cluster = &mut inv.db_clusters[position];
        // Multi-AZ: a Multi-AZ DB cluster (its own instance class) or an Aurora cluster
        // with a reader, which RDS places in another zone of the subnet group.
        cluster.multi_az = cluster.instance_class.is_some() || members.len() >= 2;
        cluster.members = members;
    }
}

#[cfg(test)]
mod tests {
    use crate::inventory::Inventory;
    use crate::template::{TemplateOptions, load};

    /// A template of a group across two subnets behind a target group, its size from a
    /// parameter, and a database whose Multi-AZ setting waits for one.
    const TEMPLATE: &str = r#"
Parameters:
  Size:
    Type: Number
    Default: 3
  DbMultiAz:
    Type: String
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: us-east-1a
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.2.0/24
      AvailabilityZone: !Select [1, !GetAZs ""]
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: HTTP
      VpcId: !Ref Vpc
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: !Ref Size
      MaxSize: "6"
      VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
      TargetGroupARNs: [!Ref Targets]
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      MultiAZ: !Ref DbMultiAz
"#;

    fn convert(text: &str, parameters: &[&str]) -> Inventory {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stack.yaml");
        std::fs::write(&path, text).unwrap();
        load(&TemplateOptions {
            paths: vec![path],
            parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
            region: "us-east-1".to_owned(),
            account: "123456789012".to_owned(),
        })
        .unwrap()
    }

    fn source<'i>(inventory: &'i Inventory, logical_id: &str) -> &'i crate::inventory::Source {
        inventory
            .sources
            .iter()
            .find(|s| s.logical_id == logical_id)
            .unwrap()
    }

    #[test]
    fn references_resolve_to_the_ids_the_stack_will_have_and_each_field_keeps_its_line() {
        let inventory = convert(TEMPLATE, &[]);
        let group = &inventory.auto_scaling_groups[0];
        assert_eq!(
            (group.min_size, group.max_size),
            (3, 6),
            "the parameter's default"
        );
        let subnets: Vec<&str> = inventory.subnets.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(group.subnet_ids, subnets, "`!Ref` of a subnet is its id");
        let zones: Vec<&str> = inventory
            .subnets
            .iter()
            .map(|s| s.availability_zone.as_str())
            .collect();
        assert_eq!(
            zones,
            ["us-east-1a", "us-east-1b"],
            "`!GetAZs` of the region"
        );
        assert_eq!(
            group.target_group_arns,
            [inventory.target_groups[0].arn.clone()]
        );
        // `MinSize` is written on line 34 of the template (the text starts with a newline).
        let min_size = source(&inventory, "Group").fields["min_size"];
        assert_eq!(min_size.line, 34);
    }

    #[test]
    fn a_value_waiting_for_an_input_is_unknown_and_names_it_until_given() {
        let inventory = convert(TEMPLATE, &[]);
        let reason = &source(&inventory, "Db").unknowns["multi_az"];
        assert!(reason.contains("`DbMultiAz`"), "{reason}");
        let given = convert(TEMPLATE, &["DbMultiAz=true", "Size=2"]);
        assert!(source(&given, "Db").unknowns.is_empty());
        assert!(given.db_instances[0].multi_az);
        assert_eq!(given.auto_scaling_groups[0].min_size, 2);
    }

    #[test]
    fn a_draining_policy_under_a_condition_is_read_whole_or_waits_for_its_input() {
        const CLASSIC: &str = r#"
Parameters:
  Env:
    Type: String
Conditions:
  Prod: !Equals [!Ref Env, prod]
Resources:
  Legacy:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      AvailabilityZones: [us-east-1a, us-east-1b]
      Listeners:
        - {LoadBalancerPort: "80", InstancePort: "80", Protocol: HTTP}
      ConnectionDrainingPolicy: !If [Prod, {Enabled: true, Timeout: 120}, !Ref AWS::NoValue]
"#;
        let drained = |parameters: &[&str]| {
            let inventory = convert(CLASSIC, parameters);
            let waits = source(&inventory, "Legacy")
                .unknowns
                .get("connection_draining")
                .cloned();
            (
                inventory.classic_load_balancers[0].connection_draining,
                waits,
            )
        };
        assert_eq!(drained(&["Env=prod"]), (Some(120), None));
        assert_eq!(drained(&["Env=test"]), (Some(0), None));
        let (_, waits) = drained(&[]);
        assert!(waits.is_some_and(|w| w.contains("`Env`")));
    }
}
