//! The loaded stacks' resources into one inventory: each type's converter, then what AWS
//! joins at deploy (separate ingress resources into their group, routes and associations
//! into their table, subscriptions into their topic, listeners into their target groups).

use std::collections::{BTreeMap, BTreeSet};

use super::eval::deploy::{default_port, distribution_domain};
use super::eval::{EvalError, Value, World, texts};
use super::recorder::{Recorder, json, peer_pos, sg_rule};
use super::yaml::Spanned;
use crate::inventory::*;

type Result<T> = std::result::Result<T, (usize, EvalError)>;

/// An `AWS::EC2::SecurityGroupIngress` or `…Egress` resource, for its group.
struct SeparateRule {
    group: String,
    egress: bool,
    rule: std::result::Result<SgRule, String>,
    pos: SourcePos,
}

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
    let region = inv.regions[0].clone();
    match kind {
        "AWS::EC2::VPC" => {
            let vpc = Vpc {
                id: r.id(kind)?,
                region,
                cidr_block: r.text("CidrBlock", "cidr_block")?.unwrap_or_default(),
                is_default: false,
                tags: r.tags()?,
            };
            push_source(inv, r, &vpc);
            // Every VPC has a main route table, with the local route only.
            inv.route_tables.push(RouteTable {
                id: format!("rtb-main-{}", r.logical),
                region: vpc.region.clone(),
                vpc_id: vpc.id.clone(),
                main: true,
                subnet_ids: Vec::new(),
                routes: vec![Route {
                    destination: vpc.cidr_block.clone(),
                    target: "local".into(),
                }],
                tags: Tags::new(),
            });
            inv.vpcs.push(vpc);
        }
        "AWS::EC2::Subnet" => {
            let subnet = Subnet {
                id: r.id(kind)?,
                region,
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                availability_zone: match r.text("AvailabilityZone", "availability_zone")? {
                    Some(zone) => zone,
                    None => {
                        if !r.source.unknowns.contains_key("availability_zone") {
                            r.unknown("availability_zone", format!("the zone of subnet `{}` (no `AvailabilityZone`: AWS picks one)", r.logical));
                        }
                        String::new()
                    }
                },
                cidr_block: r.text("CidrBlock", "cidr_block")?.unwrap_or_default(),
                map_public_ip_on_launch: r
                    .flag("MapPublicIpOnLaunch", "map_public_ip_on_launch")?
                    .unwrap_or(false),
                public: false,
                tags: r.tags()?,
            };
            push_source(inv, r, &subnet);
            inv.subnets.push(subnet);
        }
        "AWS::EC2::RouteTable" => {
            let table = RouteTable {
                id: r.id(kind)?,
                region,
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                main: false,
                subnet_ids: Vec::new(),
                routes: Vec::new(),
                tags: r.tags()?,
            };
            push_source(inv, r, &table);
            inv.route_tables.push(table);
        }
        "AWS::EC2::Route" => {
            let table = r.text("RouteTableId", "route_table")?.unwrap_or_default();
            let destination = match r.text("DestinationCidrBlock", "destination")? {
                Some(d) => d,
                None => r
                    .text("DestinationIpv6CidrBlock", "destination")?
                    .unwrap_or_default(),
            };
            let mut target = String::new();
            for property in [
                "GatewayId",
                "NatGatewayId",
                "InstanceId",
                "NetworkInterfaceId",
                "TransitGatewayId",
                "VpcPeeringConnectionId",
                "EgressOnlyInternetGatewayId",
                "VpcEndpointId",
            ] {
                if let Some(t) = r.text(property, "target")? {
                    target = t;
                    break;
                }
            }
            joins.routes.push((
                table,
                Route {
                    destination,
                    target,
                },
            ));
        }
        "AWS::EC2::SubnetRouteTableAssociation" => {
            let table = r.text("RouteTableId", "route_table")?.unwrap_or_default();
            let subnet = r.text("SubnetId", "subnet")?.unwrap_or_default();
            joins.associations.push((table, subnet));
        }
        "AWS::EC2::InternetGateway" => {
            let gateway = InternetGateway {
                id: r.id(kind)?,
                region,
                vpc_ids: Vec::new(),
                tags: r.tags()?,
            };
            push_source(inv, r, &gateway);
            inv.internet_gateways.push(gateway);
        }
        "AWS::EC2::VPCGatewayAttachment" => {
            if let (Some(gateway), Some(vpc)) = (
                r.text("InternetGatewayId", "gateway")?,
                r.text("VpcId", "vpc")?,
            ) {
                joins.attachments.push((gateway, vpc));
            }
        }
        "AWS::EC2::NatGateway" => {
            let gateway = NatGateway {
                id: r.id(kind)?,
                region,
                vpc_id: String::new(),
                subnet_id: r.text("SubnetId", "subnet_id")?.unwrap_or_default(),
                state: "available".into(),
                private: r
                    .text("ConnectivityType", "private")?
                    .is_some_and(|t| t == "private"),
                tags: r.tags()?,
            };
            push_source(inv, r, &gateway);
            inv.nat_gateways.push(gateway);
        }
        "AWS::EC2::SecurityGroup" => {
            let id = r.id(kind)?;
            let mut group = SecurityGroup {
                id: id.clone(),
                region,
                name: r
                    .text("GroupName", "name")?
                    .unwrap_or_else(|| format!("{}-{}", r.logical, "sg")),
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                description: r
                    .text("GroupDescription", "description")?
                    .unwrap_or_default(),
                ingress: Vec::new(),
                egress: Vec::new(),
                tags: r.tags()?,
            };
            for (property, field, egress) in [
                ("SecurityGroupIngress", "ingress", false),
                ("SecurityGroupEgress", "egress", true),
            ] {
                if let Some(entry) = r.properties_entry(property) {
                    r.at(field, entry);
                }
                for item in &r.items(property, field)? {
                    let value = r.eval(item)?;
                    match sg_rule(&value, egress).map(|rule| vec![rule]) {
                        Ok(rules) => {
                            for rule in rules {
                                r.element(field, json(&rule), peer_pos(item));
                                if egress {
                                    group.egress.push(rule)
                                } else {
                                    group.ingress.push(rule)
                                }
                            }
                        }
                        Err(reason) => r.unknown(field, reason),
                    }
                }
            }
            if r.properties_entry("SecurityGroupEgress").is_none() {
                // AWS gives a new group one rule: all traffic out.
                group.egress.push(SgRule {
                    protocol: "all".into(),
                    from_port: 0,
                    to_port: 65535,
                    cidr_ipv4: Some("0.0.0.0/0".into()),
                    cidr_ipv6: None,
                    source_group_id: None,
                    prefix_list_id: None,
                    prefix_list_cidrs: Vec::new(),
                    description: String::new(),
                });
            }
            push_source(inv, r, &group);
            inv.security_groups.push(group);
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let egress = kind.ends_with("Egress");
            let group = r.text("GroupId", "group")?.unwrap_or_default();
            let Some(properties) = r.properties() else {
                return Ok(());
            };
            let value = r.eval(properties)?;
            let pos = peer_pos(properties);
            joins.rules.push(SeparateRule {
                group,
                egress,
                rule: sg_rule(&value, egress),
                pos: SourcePos {
                    line: pos.line,
                    column: pos.column,
                },
            });
        }
        "AWS::EC2::Instance" => {
            let interface = r.items("NetworkInterfaces", "public_ip")?.first().cloned();
            let interface = match interface {
                Some(node) => Some(r.eval(&node)?),
                None => None,
            };
            let mut subnet_id = r.text("SubnetId", "subnet_id")?;
            let mut groups = r.list("SecurityGroupIds", "security_group_ids")?;
            let mut public = None;
            if let Some(interface) = &interface {
                if subnet_id.is_none() {
                    subnet_id = interface
                        .get("SubnetId")
                        .and_then(Value::text)
                        .map(str::to_owned);
                }
                if let Some(set) = interface.get("GroupSet") {
                    groups.extend(texts(set).unwrap_or_default());
                }
                match interface.get("AssociatePublicIpAddress") {
                    Some(Value::Text(t)) => public = Some(t.eq_ignore_ascii_case("true")),
                    Some(Value::Unknown(reason)) => r.unknown("public_ip", reason.clone()),
                    _ => {}
                }
                if let Some(node) = r.items("NetworkInterfaces", "public_ip")?.first()
                    && let Some(entry) = node.entry("AssociatePublicIpAddress")
                {
                    r.at("public_ip", entry.key_pos);
                }
            }
            groups.extend(r.list("SecurityGroups", "security_group_ids")?);
            let zone = match r.text("AvailabilityZone", "availability_zone")? {
                Some(zone) => Some(zone),
                None => r
                    .attribute(kind, "AvailabilityZone")?
                    .text()
                    .map(str::to_owned),
            };
            let instance = Instance {
                id: r.id(kind)?,
                region,
                state: "running".into(),
                instance_type: r
                    .text("InstanceType", "instance_type")?
                    .unwrap_or_else(|| "m1.small".into()),
                image_id: r.text("ImageId", "image_id")?.unwrap_or_default(),
                vpc_id: String::new(),
                subnet_id: subnet_id.unwrap_or_default(),
                availability_zone: zone.unwrap_or_default(),
                private_ip: r.attribute(kind, "PrivateIp")?.text().map(str::to_owned),
                public_ip: if public == Some(true) {
                    r.attribute(kind, "PublicIp")?.text().map(str::to_owned)
                } else {
                    None
                },
                security_group_ids: groups,
                auto_scaling_group: None,
                key_name: r.text("KeyName", "key_name")?,
                source_dest_check: r
                    .flag("SourceDestCheck", "source_dest_check")?
                    .unwrap_or(true),
                tags: r.tags()?,
            };
            if public.is_none()
                && let Some(pos) = r.source.fields.get("subnet_id").copied()
            {
                // The address follows the subnet's `MapPublicIpOnLaunch`: choosing the
                // subnet is what gave it.
                r.source.fields.entry("public_ip".into()).or_insert(pos);
            }
            let public_ip_unknown = r.source.unknowns.contains_key("public_ip");
            push_source(inv, r, &instance);
            if public.is_none() && !public_ip_unknown {
                joins.subnet_public_ip.push((
                    inv.instances.len(),
                    r.attribute(kind, "PublicIp")?
                        .text()
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
            inv.instances.push(instance);
        }
        "AWS::EC2::LaunchTemplate" => {
            let interface = r
                .items("LaunchTemplateData.NetworkInterfaces", "versions")?
                .first()
                .cloned();
            let interface = match interface {
                Some(node) => Some(r.eval(&node)?),
                None => None,
            };
            let mut groups = r.list("LaunchTemplateData.SecurityGroupIds", "security_group_ids")?;
            let mut public = None;
            if let Some(interface) = &interface {
                if let Some(set) = interface.get("Groups") {
                    groups.extend(texts(set).unwrap_or_default());
                }
                match interface.get("AssociatePublicIpAddress") {
                    Some(Value::Text(t)) => public = Some(t.eq_ignore_ascii_case("true")),
                    Some(Value::Unknown(reason)) => r.unknown("versions", reason.clone()),
                    _ => {}
                }
                if let Some(node) = r
                    .items("LaunchTemplateData.NetworkInterfaces", "versions")?
                    .first()
                    && let Some(entry) = node.entry("AssociatePublicIpAddress")
                {
                    r.at("associate_public_ip", entry.key_pos);
                }
            }
            groups.extend(r.list("LaunchTemplateData.SecurityGroups", "security_group_ids")?);
            let image_id = r.text("LaunchTemplateData.ImageId", "image_id")?;
            let instance_type = r.text("LaunchTemplateData.InstanceType", "instance_type")?;
            let has_user_data = r
                .value("LaunchTemplateData.UserData", "has_user_data")?
                .is_some()
                || r.source.unknowns.contains_key("has_user_data");
            let template = LaunchTemplate {
                id: r.id(kind)?,
                region,
                name: r.name(kind)?,
                default_version: 1,
                latest_version: 1,
                versions: vec![LaunchTemplateVersion {
                    version_number: 1,
                    image_id,
                    instance_type,
                    associate_public_ip: public,
                    security_group_ids: groups,
                    has_user_data,
                    joins_ecs_cluster: r.mentions("LaunchTemplateData.UserData", "ECS_CLUSTER"),
                }],
                tags: Tags::new(),
            };
            // The version's fields are one field of the template: their lines and unknowns
            // are its `versions`'.
            for field in [
                "image_id",
                "instance_type",
                "associate_public_ip",
                "security_group_ids",
                "has_user_data",
            ] {
                if let Some(pos) = r.source.fields.get(field).copied() {
                    r.source.fields.entry("versions".into()).or_insert(pos);
                }
                if let Some(reason) = r.source.unknowns.get(field).cloned() {
                    r.unknown("versions", reason);
                }
            }
            push_source(inv, r, &template);
            inv.launch_templates.push(template);
        }
        "AWS::AutoScaling::LaunchConfiguration" => {
            let name = r.name(kind)?;
            let config = LaunchConfiguration {
                arn: format!(
                    "arn:aws:autoscaling:{region}:{}:launchConfiguration:{}:launchConfigurationName/{name}",
                    inv.account_id, r.logical
                ),
                name,
                region,
                image_id: r.text("ImageId", "image_id")?.unwrap_or_default(),
                instance_type: r.text("InstanceType", "instance_type")?.unwrap_or_default(),
                associate_public_ip: r.flag("AssociatePublicIpAddress", "associate_public_ip")?,
                security_group_ids: r.list("SecurityGroups", "security_group_ids")?,
                has_user_data: r.value("UserData", "has_user_data")?.is_some()
                    || r.source.unknowns.contains_key("has_user_data"),
                joins_ecs_cluster: r.mentions("UserData", "ECS_CLUSTER"),
            };
            push_source(inv, r, &config);
            inv.launch_configurations.push(config);
        }
        "AWS::AutoScaling::AutoScalingGroup" => {
            let name = r.name(kind)?;
            let template_path = if r.properties_entry("LaunchTemplate").is_some() {
                "LaunchTemplate"
            } else {
                "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification"
            };
            let launch_template = match r.value(template_path, "launch_template")? {
                Some(spec) => {
                    if let Some(reason) = spec.unknown() {
                        r.unknown("launch_template", reason.to_owned());
                    }
                    Some(launch_template_ref(&spec))
                }
                None => None,
            };
            let mut override_launch_templates = Vec::new();
            let mut weighted_overrides = false;
            for item in r.items(
                "MixedInstancesPolicy.LaunchTemplate.Overrides",
                "override_launch_templates",
            )? {
                let item = r.eval(&item)?;
                weighted_overrides |= item.get("WeightedCapacity").is_some();
                if let Some(spec) = item.get("LaunchTemplateSpecification") {
                    if let Some(reason) = spec.unknown() {
                        r.unknown("override_launch_templates", reason.to_owned());
                    }
                    override_launch_templates.push(launch_template_ref(spec));
                }
            }
            let mut other_traffic_sources = Vec::new();
            let mut target_group_arns = r.list("TargetGroupARNs", "target_group_arns")?;
            let mut load_balancer_names = r.list("LoadBalancerNames", "load_balancer_names")?;
            for item in r.items("TrafficSources", "target_group_arns")? {
                let item = r.eval(&item)?;
                let id = item
                    .get("Identifier")
                    .and_then(Value::text)
                    .unwrap_or_default();
                match item.get("Type").and_then(Value::text) {
                    Some("elbv2") => target_group_arns.push(id.to_owned()),
                    Some("elb") => load_balancer_names.push(id.to_owned()),
                    kind => {
                        other_traffic_sources.push(format!("{}:{id}", kind.unwrap_or("unknown")))
                    }
                }
                if let Some(reason) = item.unknown() {
                    r.unknown("target_group_arns", reason.to_owned());
                }
            }
            let min_size = r.int("MinSize", "min_size")?.unwrap_or(0);
            let group = AutoScalingGroup {
                arn: format!(
                    "arn:aws:autoscaling:{region}:{}:autoScalingGroup:{}:autoScalingGroupName/{name}",
                    inv.account_id, r.logical
                ),
                name,
                region,
                availability_zones: r.list("AvailabilityZones", "availability_zones")?,
                subnet_ids: r.list("VPCZoneIdentifier", "subnet_ids")?,
                min_size,
                max_size: r.int("MaxSize", "max_size")?.unwrap_or(min_size),
                desired_capacity: r
                    .int("DesiredCapacity", "desired_capacity")?
                    .unwrap_or(min_size),
                health_check_type: r
                    .text("HealthCheckType", "health_check_type")?
                    .unwrap_or_else(|| "EC2".into()),
                health_check_grace_period: r
                    .int("HealthCheckGracePeriod", "health_check_grace_period")?
                    .unwrap_or(0),
                target_group_arns,
                load_balancer_names,
                launch_template,
                launch_configuration_name: r
                    .text("LaunchConfigurationName", "launch_configuration_name")?,
                instance_ids: Vec::new(),
                tags: r.tags()?,
                // A template suspends no process (a stack update's policy may, for a while).
                suspended_processes: Vec::new(),
                desired_capacity_type: r.text("DesiredCapacityType", "desired_capacity_type")?,
                weighted_overrides,
                override_launch_templates,
                other_traffic_sources,
            };
            r.zones_follow_subnets();
            push_source(inv, r, &group);
            inv.auto_scaling_groups.push(group);
        }
        "AWS::AutoScaling::ScalingPolicy" => {
            let mut steps = Vec::new();
            for item in &r.items("StepAdjustments", "step_adjustments")? {
                let step = r.eval(item)?;
                let number = |key: &str| {
                    step.get(key)
                        .and_then(Value::text)
                        .and_then(|t| t.parse::<f64>().ok())
                };
                steps.push(StepAdjustment {
                    lower_bound: number("MetricIntervalLowerBound"),
                    upper_bound: number("MetricIntervalUpperBound"),
                    scaling_adjustment: number("ScalingAdjustment").unwrap_or(0.0) as i32,
                });
            }
            let target_tracking = r
                .value("TargetTrackingConfiguration", "target_tracking")?
                .map(|config| TargetTracking {
                    predefined_metric: config
                        .get("PredefinedMetricSpecification")
                        .and_then(|m| m.get("PredefinedMetricType"))
                        .and_then(Value::text)
                        .map(str::to_owned),
                    target_value: config
                        .get("TargetValue")
                        .and_then(Value::text)
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0.0),
                    disable_scale_in: config
                        .get("DisableScaleIn")
                        .and_then(Value::text)
                        .is_some_and(|t| t.eq_ignore_ascii_case("true")),
                });
            let policy = ScalingPolicy {
                name: r.logical.to_owned(),
                arn: r.id(kind)?,
                region,
                auto_scaling_group: r
                    .text("AutoScalingGroupName", "auto_scaling_group")?
                    .unwrap_or_default(),
                policy_type: r
                    .text("PolicyType", "policy_type")?
                    .unwrap_or_else(|| "SimpleScaling".into()),
                adjustment_type: r.text("AdjustmentType", "adjustment_type")?,
                scaling_adjustment: r.int("ScalingAdjustment", "scaling_adjustment")?,
                step_adjustments: steps,
                target_tracking,
                // CloudFormation's scaling policies have no `Enabled`: always on.
                disabled: false,
            };
            push_source(inv, r, &policy);
            inv.scaling_policies.push(policy);
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let mut subnets = r.list("Subnets", "subnet_ids")?;
            for mapping in &r.items("SubnetMappings", "subnet_ids")? {
                if let Some(subnet) = r.eval(mapping)?.get("SubnetId").and_then(Value::text) {
                    subnets.push(subnet.to_owned());
                }
            }
            let lb_type = r
                .text("Type", "lb_type")?
                .unwrap_or_else(|| "application".into());
            let lb = LoadBalancer {
                arn: r.id(kind)?,
                name: r.name(kind)?,
                region,
                canonical_hosted_zone_id: r
                    .attribute(kind, "CanonicalHostedZoneID")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                lb_type,
                scheme: r
                    .text("Scheme", "scheme")?
                    .unwrap_or_else(|| "internet-facing".into()),
                vpc_id: String::new(),
                availability_zones: Vec::new(),
                subnet_ids: subnets,
                security_group_ids: r.list("SecurityGroups", "security_group_ids")?,
                dns_name: r
                    .attribute(kind, "DNSName")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                state: "active".into(),
                tags: r.tags()?,
                tags_unread: false,
            };
            r.zones_follow_subnets();
            push_source(inv, r, &lb);
            inv.load_balancers.push(lb);
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            let mut actions = Vec::new();
            if let Some(entry) = r.properties_entry("DefaultActions") {
                r.at("default_actions", entry);
            }
            for item in &r.items("DefaultActions", "default_actions")? {
                let value = r.eval(item)?;
                if let Some(reason) = value.unknown() {
                    r.unknown("default_actions", reason.to_owned());
                }
                let action = listener_action(&value);
                r.element("default_actions", json(&action), item.pos);
                actions.push(action);
            }
            let mut certificates = Vec::new();
            for item in &r.items("Certificates", "certificate_arns")? {
                if let Some(arn) = r.eval(item)?.get("CertificateArn").and_then(Value::text) {
                    certificates.push(arn.to_owned());
                }
            }
            let listener = Listener {
                arn: r.id(kind)?,
                load_balancer_arn: r
                    .text("LoadBalancerArn", "load_balancer_arn")?
                    .unwrap_or_default(),
                region,
                port: r.int("Port", "port")?.unwrap_or(0),
                protocol: r
                    .text("Protocol", "protocol")?
                    .unwrap_or_else(|| "HTTP".into()),
                certificate_arns: certificates,
                default_actions: actions,
                rules: Vec::new(),
            };
            push_source(inv, r, &listener);
            inv.listeners.push(listener);
        }
        "AWS::ElasticLoadBalancingV2::ListenerRule" => {
            // Joined to its listener once every listener is read.
            let listener = r.text("ListenerArn", "rules")?.unwrap_or_default();
            let mut unknown = None;
            let mut actions = Vec::new();
            for item in &r.items("Actions", "rules")? {
                let value = r.eval(item)?;
                unknown = unknown.or(value.unknown().map(str::to_owned));
                actions.push(listener_action(&value));
            }
            let mut conditions = Vec::new();
            for item in &r.items("Conditions", "rules")? {
                let value = r.eval(item)?;
                unknown = unknown.or(value.unknown().map(str::to_owned));
                conditions.push(rule_condition(&value));
            }
            let rule = ListenerRule {
                arn: r.id(kind)?,
                priority: r.int("Priority", "rules")?.unwrap_or(0).into(),
                conditions,
                actions,
            };
            joins.listener_rules.push((listener, rule, unknown));
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            let mut targets = Vec::new();
            for item in &r.items("Targets", "targets")? {
                let target = r.eval(item)?;
                if let Some(id) = target.get("Id").and_then(Value::text) {
                    targets.push(Target {
                        id: id.to_owned(),
                        port: target
                            .get("Port")
                            .and_then(Value::text)
                            .and_then(|p| p.parse().ok()),
                        health: "initial".into(),
                        security_group_ids: Vec::new(),
                    });
                }
            }
            let group = TargetGroup {
                arn: r.id(kind)?,
                name: r.name(kind)?,
                region,
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                port: r.int("Port", "port")?,
                protocol: r.text("Protocol", "protocol")?,
                target_type: r
                    .text("TargetType", "target_type")?
                    .unwrap_or_else(|| "instance".into()),
                health_check: HealthCheck {
                    enabled: r
                        .flag("HealthCheckEnabled", "health_check")?
                        .unwrap_or(true),
                    protocol: r.text("HealthCheckProtocol", "health_check")?,
                    port: r.text("HealthCheckPort", "health_check")?,
                    path: r.text("HealthCheckPath", "health_check")?,
                    interval_seconds: r
                        .int("HealthCheckIntervalSeconds", "health_check")?
                        .unwrap_or(30),
                    healthy_threshold: r.int("HealthyThresholdCount", "health_check")?.unwrap_or(5),
                    unhealthy_threshold: r
                        .int("UnhealthyThresholdCount", "health_check")?
                        .unwrap_or(2),
                },
                load_balancer_arns: Vec::new(),
                targets,
            };
            push_source(inv, r, &group);
            inv.target_groups.push(group);
        }
        "AWS::ElasticLoadBalancing::LoadBalancer" => {
            let mut listeners = Vec::new();
            for item in &r.items("Listeners", "listeners")? {
                let l = r.eval(item)?;
                let text = |k: &str| {
                    l.get(k)
                        .and_then(Value::text)
                        .unwrap_or_default()
                        .to_owned()
                };
                let protocol = text("Protocol").to_uppercase();
                let instance_protocol = match text("InstanceProtocol") {
                    p if p.is_empty() => protocol.clone(),
                    p => p.to_uppercase(),
                };
                listeners.push(ClassicListener {
                    protocol,
                    port: text("LoadBalancerPort").parse().unwrap_or(0),
                    instance_protocol,
                    instance_port: text("InstancePort").parse().unwrap_or(0),
                });
            }
            let health_check = match r.value("HealthCheck", "health_check")? {
                Some(h) => {
                    let number = |k: &str| {
                        h.get(k)
                            .and_then(Value::text)
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(0)
                    };
                    Some(ClassicHealthCheck {
                        target: h
                            .get("Target")
                            .and_then(Value::text)
                            .unwrap_or_default()
                            .to_owned(),
                        interval_seconds: number("Interval"),
                        timeout_seconds: number("Timeout"),
                        healthy_threshold: number("HealthyThreshold"),
                        unhealthy_threshold: number("UnhealthyThreshold"),
                    })
                }
                None => None,
            };
            let name = r.name(kind)?;
            let lb = ClassicLoadBalancer {
                arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{}:loadbalancer/{name}",
                    inv.account_id
                ),
                name,
                region,
                scheme: r
                    .text("Scheme", "scheme")?
                    .unwrap_or_else(|| "internet-facing".into()),
                vpc_id: String::new(),
                availability_zones: r.list("AvailabilityZones", "availability_zones")?,
                subnet_ids: r.list("Subnets", "subnet_ids")?,
                security_group_ids: match r.list("SecurityGroups", "security_group_ids")? {
                    groups
                        if groups.is_empty()
                            && !r.source.unknowns.contains_key("security_group_ids") =>
                    {
                        vec![r.classic_source_group()]
                    }
                    groups => groups,
                },
                dns_name: r
                    .attribute(kind, "DNSName")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                canonical_hosted_zone_id: r
                    .attribute(kind, "CanonicalHostedZoneNameID")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                listeners,
                health_check,
                instance_ids: r.list("Instances", "instance_ids")?,
                cross_zone: r.flag("CrossZone", "cross_zone")?.unwrap_or(false),
                tags: r.tags()?,
                tags_unread: false,
            };
            r.zones_follow_subnets();
            push_source(inv, r, &lb);
            inv.classic_load_balancers.push(lb);
        }
        "AWS::RDS::DBInstance" => {
            let id = r.name(kind)?;
            let engine = r.text("Engine", "engine")?.unwrap_or_default();
            let publicly_accessible = r.flag("PubliclyAccessible", "publicly_accessible")?;
            let db = DbInstance {
                arn: format!("arn:aws:rds:{region}:{}:db:{id}", inv.account_id),
                id,
                region,
                endpoint_port: Some(
                    r.int("Port", "endpoint_port")?
                        .unwrap_or_else(|| default_port(&engine)),
                ),
                engine,
                engine_version: r
                    .text("EngineVersion", "engine_version")?
                    .unwrap_or_default(),
                instance_class: r
                    .text("DBInstanceClass", "instance_class")?
                    .unwrap_or_default(),
                status: "available".into(),
                multi_az: r.flag("MultiAZ", "multi_az")?.unwrap_or(false),
                publicly_accessible: publicly_accessible.unwrap_or(false),
                storage_encrypted: r
                    .flag("StorageEncrypted", "storage_encrypted")?
                    .unwrap_or(false),
                backup_retention_period: r
                    .int("BackupRetentionPeriod", "backup_retention_period")?
                    .unwrap_or(1),
                security_group_ids: r.list("VPCSecurityGroups", "security_group_ids")?,
                subnet_group: r
                    .text("DBSubnetGroupName", "subnet_group")?
                    .map(|s| s.to_lowercase()),
                vpc_id: None,
                tags: r.tags()?,
                availability_zone: r.text("AvailabilityZone", "availability_zone")?,
                endpoint_address: r
                    .attribute(kind, "Endpoint.Address")?
                    .text()
                    .map(str::to_owned),
                cluster_id: r
                    .text("DBClusterIdentifier", "cluster_id")?
                    .map(|s| s.to_lowercase()),
                replica_source: r.text("SourceDBInstanceIdentifier", "replica_source")?,
            };
            if publicly_accessible.is_none()
                && !r.source.unknowns.contains_key("publicly_accessible")
            {
                joins.default_public_db.push(inv.db_instances.len());
            }
            push_source(inv, r, &db);
            inv.db_instances.push(db);
        }
        "AWS::RDS::DBCluster" => {
            let id = r.name(kind)?;
            let engine = r.text("Engine", "engine")?.unwrap_or_default();
            let cluster = DbCluster {
                arn: format!("arn:aws:rds:{region}:{}:cluster:{id}", inv.account_id),
                id,
                region,
                endpoint_port: Some(
                    r.int("Port", "endpoint_port")?
                        .unwrap_or_else(|| default_port(&engine)),
                ),
                engine,
                engine_version: r
                    .text("EngineVersion", "engine_version")?
                    .unwrap_or_default(),
                engine_mode: r
                    .text("EngineMode", "engine_mode")?
                    .unwrap_or_else(|| "provisioned".into()),
                status: "available".into(),
                multi_az: false,
                instance_class: r.text("DBClusterInstanceClass", "instance_class")?,
                storage_encrypted: r
                    .flag("StorageEncrypted", "storage_encrypted")?
                    .unwrap_or(false),
                security_group_ids: r.list("VpcSecurityGroupIds", "security_group_ids")?,
                subnet_group: r
                    .text("DBSubnetGroupName", "subnet_group")?
                    .map(|s| s.to_lowercase()),
                availability_zones: r.list("AvailabilityZones", "availability_zones")?,
                members: Vec::new(),
                endpoint_address: r
                    .attribute(kind, "Endpoint.Address")?
                    .text()
                    .map(str::to_owned),
                replica_source: r.text("ReplicationSourceIdentifier", "replica_source")?,
            };
            push_source(inv, r, &cluster);
            inv.db_clusters.push(cluster);
        }
        "AWS::RDS::DBSubnetGroup" => {
            let name = r.name(kind)?;
            let group = DbSubnetGroup {
                arn: format!("arn:aws:rds:{region}:{}:subgrp:{name}", inv.account_id),
                name,
                region,
                vpc_id: String::new(),
                subnet_ids: r.list("SubnetIds", "subnet_ids")?,
                availability_zones: Vec::new(),
            };
            push_source(inv, r, &group);
            inv.db_subnet_groups.push(group);
        }
        "AWS::CloudWatch::Alarm" => {
            let mut dimensions = BTreeMap::new();
            for item in &r.items("Dimensions", "dimensions")? {
                let d = r.eval(item)?;
                match (d.get("Name"), d.get("Value")) {
                    (Some(Value::Text(name)), Some(Value::Text(value))) => {
                        dimensions.insert(name.clone(), value.clone());
                    }
                    (_, Some(Value::Unknown(reason))) => r.unknown("dimensions", reason.clone()),
                    _ => {}
                }
            }
            if let Some(entry) = r.properties_entry("Dimensions") {
                r.at("dimensions", entry);
            }
            let name = r.name(kind)?;
            let alarm = MetricAlarm {
                arn: format!(
                    "arn:aws:cloudwatch:{region}:{}:alarm:{name}",
                    inv.account_id
                ),
                name,
                region,
                namespace: r.text("Namespace", "namespace")?,
                metric_name: r.text("MetricName", "metric_name")?,
                statistic: r.text("Statistic", "statistic")?,
                period: r.int("Period", "period")?,
                evaluation_periods: r
                    .int("EvaluationPeriods", "evaluation_periods")?
                    .unwrap_or(1),
                threshold: r.number("Threshold", "threshold")?,
                comparison_operator: r
                    .text("ComparisonOperator", "comparison_operator")?
                    .unwrap_or_default(),
                dimensions,
                actions_enabled: r.flag("ActionsEnabled", "actions_enabled")?.unwrap_or(true),
                alarm_actions: r.list("AlarmActions", "alarm_actions")?,
                ok_actions: r.list("OKActions", "ok_actions")?,
                insufficient_data_actions: r
                    .list("InsufficientDataActions", "insufficient_data_actions")?,
            };
            push_source(inv, r, &alarm);
            inv.metric_alarms.push(alarm);
        }
        "AWS::SNS::Topic" => {
            let mut subscriptions = Vec::new();
            for (n, item) in r.items("Subscription", "subscriptions")?.iter().enumerate() {
                let s = r.eval(item)?;
                let protocol = s
                    .get("Protocol")
                    .and_then(Value::text)
                    .unwrap_or_default()
                    .to_owned();
                subscriptions.push(subscription(
                    &protocol,
                    s.get("Endpoint").and_then(Value::text).unwrap_or_default(),
                    format!("{}:{}", r.logical, n),
                ));
            }
            if subscriptions.iter().any(|s| !s.confirmed) {
                r.unknown(
                    "subscriptions",
                    "confirmation of the topic's subscriptions (by their recipients, after deploy)",
                );
            }
            if let Some(entry) = r.properties_entry("Subscription") {
                r.at("subscriptions", entry);
            }
            let topic = SnsTopic {
                arn: r.id(kind)?,
                region,
                name: r.name(kind)?,
                subscriptions,
            };
            push_source(inv, r, &topic);
            inv.sns_topics.push(topic);
        }
        "AWS::SNS::Subscription" => {
            let topic = r.text("TopicArn", "topic")?.unwrap_or_default();
            let protocol = r.text("Protocol", "protocol")?.unwrap_or_default();
            let endpoint = r.text("Endpoint", "endpoint")?.unwrap_or_default();
            joins.subscriptions.push((
                topic,
                subscription(&protocol, &endpoint, r.logical.to_owned()),
            ));
        }
        "AWS::Route53::HostedZone" => {
            let name = r.text("Name", "name")?.unwrap_or_default();
            let zone = HostedZone {
                id: r.id(kind)?,
                name: dotted(&name),
                private: !r.items("VPCs", "private")?.is_empty(),
            };
            push_source(inv, r, &zone);
            inv.hosted_zones.push(zone);
        }
        "AWS::Route53::RecordSet" => {
            let properties = r.properties().cloned();
            if let Some(properties) = properties {
                let value = r.eval(&properties)?;
                record_set(inv, r, &value)?;
            }
        }
        "AWS::CloudFront::Distribution" => {
            let id = r.id(kind)?;
            let origins = r
                .items("DistributionConfig.Origins", "origins")?
                .iter()
                .map(|item| r.eval(item))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let mut origin_names = Vec::new();
            for origin in &origins {
                match origin.get("DomainName") {
                    Some(Value::Text(name)) => origin_names.push(name.clone()),
                    Some(value) => r.unknown(
                        "origins",
                        value
                            .unknown()
                            .unwrap_or("an origin's domain name")
                            .to_owned(),
                    ),
                    None => {}
                }
            }
            let distribution = Distribution {
                arn: format!("arn:aws:cloudfront::{}:distribution/{id}", inv.account_id),
                domain_name: distribution_domain(&id),
                aliases: r.list("DistributionConfig.Aliases", "aliases")?,
                origins: origin_names,
                // Required by CloudFront; an unknown value counts as enabled.
                enabled: r.flag("DistributionConfig.Enabled", "enabled")? != Some(false),
                id,
            };
            push_source(inv, r, &distribution);
            inv.distributions.push(distribution);
        }
        "AWS::Route53::RecordSetGroup" => {
            let group = r.properties().cloned();
            if let Some(group) = group {
                let value = r.eval(&group)?;
                let zone = value.clone();
                for record in value
                    .get("RecordSets")
                    .map(Value::items)
                    .unwrap_or_default()
                {
                    let mut record = record.clone();
                    if let Value::Map(entries) = &mut record {
                        for key in ["HostedZoneId", "HostedZoneName"] {
                            if let Some(v) = zone.get(key)
                                && record_get(entries, key).is_none()
                            {
                                entries.push((key.to_owned(), v.clone()));
                            }
                        }
                    }
                    let source = r.source.clone();
                    record_set(inv, r, &record)?;
                    r.source = source;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn record_get<'v>(entries: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn dotted(name: &str) -> String {
    if name.ends_with('.') || name.is_empty() {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// Email and HTTP(S) subscriptions wait for their recipient's confirmation; the others
/// AWS confirms itself.
fn subscription(protocol: &str, endpoint: &str, name: String) -> SnsSubscription {
    let confirmed = !matches!(protocol, "email" | "email-json" | "http" | "https");
    SnsSubscription {
        arn: if confirmed {
            format!("arn:aws:sns:subscription:{name}")
        } else {
            "PendingConfirmation".into()
        },
        protocol: protocol.to_owned(),
        endpoint: endpoint.to_owned(),
        confirmed,
    }
}

/// A rule's condition as the inventory writes it: `field value…`, from the field's own
/// configuration (`HostHeaderConfig`, …) or the legacy `Values`.
fn rule_condition(value: &Value) -> String {
    let values_of = |v: Option<&Value>| -> Vec<String> {
        v.map(Value::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.text().map(str::to_owned))
            .collect()
    };
    let field = value.get("Field").and_then(Value::text).unwrap_or_default();
    let mut values = values_of(value.get("Values"));
    for config in [
        "HostHeaderConfig",
        "PathPatternConfig",
        "HttpRequestMethodConfig",
        "SourceIpConfig",
    ] {
        values.extend(values_of(value.get(config).and_then(|c| c.get("Values"))));
    }
    if let Some(header) = value.get("HttpHeaderConfig") {
        let name = header
            .get("HttpHeaderName")
            .and_then(Value::text)
            .unwrap_or_default();
        values.extend(
            values_of(header.get("Values"))
                .into_iter()
                .map(|v| format!("{name}={v}")),
        );
    }
    if let Some(query) = value.get("QueryStringConfig") {
        for pair in query.get("Values").map(Value::items).unwrap_or_default() {
            let text = |k: &str| pair.get(k).and_then(Value::text).unwrap_or_default();
            values.push(format!("{}={}", text("Key"), text("Value")));
        }
    }
    ListenerRule::condition(field, values)
}

fn listener_action(value: &Value) -> ListenerAction {
    let text = |v: Option<&Value>| v.and_then(Value::text).map(str::to_owned);
    let mut target_group_arns: Vec<String> =
        text(value.get("TargetGroupArn")).into_iter().collect();
    if let Some(groups) = value
        .get("ForwardConfig")
        .and_then(|f| f.get("TargetGroups"))
    {
        // A target group of weight 0 gets no request (unless every one has weight 0).
        let zero = |group: &Value| text(group.get("Weight")).is_some_and(|w| w.trim() == "0");
        let all_zero = groups.items().iter().all(zero);
        for group in groups.items() {
            if all_zero || !zero(group) {
                target_group_arns.extend(text(group.get("TargetGroupArn")));
            }
        }
    }
    target_group_arns.sort();
    target_group_arns.dedup();
    let redirect = value.get("RedirectConfig");
    ListenerAction {
        action_type: text(value.get("Type")).unwrap_or_default(),
        target_group_arns,
        redirect_protocol: text(redirect.and_then(|r| r.get("Protocol"))),
        redirect_port: text(redirect.and_then(|r| r.get("Port"))),
        redirect_host: text(redirect.and_then(|r| r.get("Host"))),
    }
}

fn record_set(inv: &mut Inventory, r: &mut Recorder, value: &Value) -> Step {
    let text = |k: &str| value.get(k).and_then(Value::text).map(str::to_owned);
    let zone_id = match text("HostedZoneId") {
        Some(id) => id,
        None => {
            let name = dotted(&text("HostedZoneName").unwrap_or_default());
            inv.hosted_zones
                .iter()
                .find(|z| z.name == name)
                .map(|z| z.id.clone())
                .unwrap_or_else(|| format!("zone:{name}"))
        }
    };
    if let Some(reason) = value.unknown() {
        r.unknown("values", reason.to_owned());
        r.unknown("alias_target", reason.to_owned());
    }
    let alias_target = value.get("AliasTarget").map(|a| AliasTarget {
        dns_name: a
            .get("DNSName")
            .and_then(Value::text)
            .unwrap_or_default()
            .to_owned(),
        hosted_zone_id: a
            .get("HostedZoneId")
            .and_then(Value::text)
            .unwrap_or_default()
            .to_owned(),
        evaluate_target_health: a
            .get("EvaluateTargetHealth")
            .and_then(Value::text)
            .is_some_and(|t| t.eq_ignore_ascii_case("true")),
    });
    let record = RecordSet {
        zone_id,
        name: dotted(&text("Name").unwrap_or_default()),
        record_type: text("Type").unwrap_or_default(),
        ttl: text("TTL").and_then(|t| t.parse().ok()),
        values: value
            .get("ResourceRecords")
            .map(|v| texts(v).unwrap_or_default())
            .unwrap_or_default(),
        alias_target,
        set_identifier: text("SetIdentifier"),
    };
    push_source(inv, r, &record);
    inv.record_sets.push(record);
    Ok(())
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
            Err(reason) => {
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

/// A `LaunchTemplateSpecification` (the group's, or an override's) as written; an unknown
/// id or name is left empty (the caller records why).
fn launch_template_ref(spec: &Value) -> LaunchTemplateRef {
    let text = |key: &str| spec.get(key).and_then(Value::text).map(str::to_owned);
    LaunchTemplateRef {
        id: text("LaunchTemplateId").unwrap_or_default(),
        name: text("LaunchTemplateName").unwrap_or_default(),
        version: text("Version").unwrap_or_else(|| "$Default".into()),
    }
}
