//! Planning a whole stack from a [`Spec`]: every piece of the reference architecture that
//! the inventory lacks becomes a step, in dependency order (VPC → subnets → gateways →
//! route tables → security groups → AMI → launch template → target group → load balancer
//! → listeners → Auto Scaling group → scaling and alarms → database → DNS). Pieces are found
//! by the names hacheck gives them (`<stack>-alb`, the `Name` tag `<stack>-vpc`, …), so a
//! half-built stack is completed, not duplicated. Existing pieces that do not comply are
//! left to the rule pack's remediations, which `fix --spec` plans alongside.
//!
//! From a lone instance (`app.source_instance`), the reference architecture's procedure: stop the instance
//! (unsafe; it is kept, never terminated), make an AMI of it, and build around that AMI.
//! Changing `app.ami` later plans a new launch-template version and a rolling instance
//! refresh that keeps 90 % of the group healthy.

use std::collections::BTreeMap;

use super::spec::Spec;
use super::{PlanError, Step, add_step, conflicting, proposed_step};
use crate::change::{
    Action, AliasToLoadBalancer, AuthorizeIngress, CreateAutoScalingGroup, CreateDbInstance,
    CreateDbSubnetGroup, CreateEventSubscription, CreateImage, CreateInternetGateway,
    CreateLaunchTemplate, CreateListener, CreateLoadBalancer, CreateRouteTable,
    CreateSecurityGroup, CreateSubnet, CreateTargetGroup, CreateTopic, CreateVpc,
    DisablePublicAccess, EnableMultiAz, Manual, NewTemplateVersion, PutCpuAlarm, PutHealthAlarm,
    PutScalingPolicy, REF_PREFIX, StartInstanceRefresh, StopInstance, SubscribeEmail, admits_tcp,
    rule_from_peer,
};
use crate::inventory::{Inventory, Tags};

/// Share of the group kept in service during a rolling replacement.
pub(crate) const MIN_HEALTHY_PERCENTAGE: i32 = 90;

/// The topic the rule pack's remediations also use, so both plans agree.
pub const ALERTS_TOPIC: &str = "hacheck-alerts";

struct Builder<'a> {
    spec: &'a Spec,
    steps: BTreeMap<String, Step>,
}

fn named(tags: &Tags, name: &str) -> bool {
    tags.get("Name").map(String::as_str) == Some(name)
}

impl Builder<'_> {
    fn fixes(&self) -> String {
        format!("stack {}", self.spec.name)
    }

    /// Adds `action`; returns the `ref:` to what it creates.
    fn add(&mut self, action: Action) -> Result<String, PlanError> {
        let reference = action.reference();
        let proposed = proposed_step(action, &self.spec.region, self.fixes());
        if let Some(existing) = conflicting(&self.steps, &proposed) {
            return Err(PlanError::Conflict {
                target: proposed.action.target(),
                first: existing.action.summary(),
                second: proposed.action.summary(),
            });
        }
        add_step(&mut self.steps, proposed);
        Ok(reference)
    }

    /// The existing id, or a reference to the step that creates it.
    fn existing_or(
        &mut self,
        existing: Option<String>,
        create: impl FnOnce() -> Action,
    ) -> Result<String, PlanError> {
        match existing {
            Some(id) => Ok(id),
            None => self.add(create()),
        }
    }

    fn name(&self, part: &str) -> String {
        format!("{}-{part}", self.spec.name)
    }
}

pub fn plan_stack(spec: &Spec, inventory: &Inventory) -> Result<BTreeMap<String, Step>, PlanError> {
    let mut b = Builder {
        spec,
        steps: BTreeMap::new(),
    };
    let inv = inventory;
    let zones = &spec.network.availability_zones;
    let suffix = |zone: &str| zone.trim_start_matches(spec.region.as_str()).to_owned();

    // Network.
    let vpc_name = b.name("vpc");
    let invalid = |message: String| PlanError::Remediation {
        rule: "spec".into(),
        resource: spec.name.clone(),
        message,
    };
    let vpc_existing = match &spec.network.vpc_id {
        Some(id) => {
            let vpc = inv
                .vpcs
                .iter()
                .find(|v| &v.id == id && v.region == spec.region)
                .ok_or_else(|| {
                    invalid(format!(
                        "`network.vpc_id` `{id}` is not a VPC in {}",
                        spec.region
                    ))
                })?;
            let range = super::spec::parse_cidr(&vpc.cidr_block);
            let outside = spec
                .network
                .public_subnet_cidrs
                .iter()
                .chain(&spec.network.private_subnet_cidrs)
                .find(|c| match (range, super::spec::parse_cidr(c)) {
                    (Some(range), Some(subnet)) => !super::spec::contains(range, subnet),
                    _ => true,
                });
            if let Some(cidr) = outside {
                return Err(invalid(format!(
                    "subnet `{cidr}` is outside VPC `{id}` ({})",
                    vpc.cidr_block
                )));
            }
            Some(id.clone())
        }
        None => inv
            .vpcs
            .iter()
            .find(|v| v.region == spec.region && named(&v.tags, &vpc_name))
            .map(|v| v.id.clone()),
    };
    let vpc = b.existing_or(vpc_existing.clone(), || {
        Action::CreateVpc(CreateVpc {
            name: vpc_name.clone(),
            cidr: spec.network.vpc_cidr.clone().unwrap_or_default(),
        })
    })?;
    let subnet = |b: &mut Builder, name: String, cidr: &str, zone: &str| {
        let existing = inv
            .subnets
            .iter()
            .find(|s| s.region == spec.region && named(&s.tags, &name))
            .map(|s| s.id.clone());
        let vpc = vpc.clone();
        b.existing_or(existing, || {
            Action::CreateSubnet(CreateSubnet {
                name,
                vpc_id: vpc,
                cidr: cidr.to_owned(),
                zone: zone.to_owned(),
            })
        })
    };
    let mut public = Vec::new();
    let mut private = Vec::new();
    for (i, zone) in zones.iter().enumerate() {
        let (public_name, private_name) = (
            b.name(&format!("public-{}", suffix(zone))),
            b.name(&format!("private-{}", suffix(zone))),
        );
        public.push(subnet(
            &mut b,
            public_name,
            &spec.network.public_subnet_cidrs[i],
            zone,
        )?);
        private.push(subnet(
            &mut b,
            private_name,
            &spec.network.private_subnet_cidrs[i],
            zone,
        )?);
    }
    let igw_existing = vpc_existing.as_ref().and_then(|id| {
        inv.internet_gateways
            .iter()
            .find(|g| g.vpc_ids.contains(id))
            .map(|g| g.id.clone())
    });
    let igw = b.existing_or(igw_existing, || {
        Action::CreateInternetGateway(CreateInternetGateway {
            name: format!("{}-igw", spec.name),
            vpc_id: vpc.clone(),
        })
    })?;
    let table_done = |name: &str, subnets: &[String]| {
        inv.route_tables.iter().any(|t| {
            named(&t.tags, name)
                && t.routes.iter().any(|r| r.destination == "0.0.0.0/0")
                && subnets.iter().all(|s| t.subnet_ids.contains(s))
        })
    };
    let public_table = b.name("public");
    if !table_done(&public_table, &public) {
        b.add(Action::CreateRouteTable(CreateRouteTable {
            name: public_table,
            vpc_id: vpc.clone(),
            default_target: igw.clone(),
            subnet_ids: public.clone(),
        }))?;
    }
    for (i, zone) in zones.iter().enumerate() {
        let egress = super::network::zone_egress(
            inv,
            &super::network::ZoneEgress {
                region: &spec.region,
                vpc_id: &vpc,
                public_subnet: &public[i],
                private_subnet: &private[i],
                nat_name: b.name(&format!("nat-{}", suffix(zone))),
                table_name: b.name(&format!("private-{}", suffix(zone))),
            },
        );
        for action in egress {
            b.add(action)?;
        }
    }

    // Security groups and their rules.
    let security_group = |b: &mut Builder, part: &str, description: &str| {
        let name = b.name(part);
        let existing = vpc_existing.as_ref().and_then(|v| {
            inv.security_groups
                .iter()
                .find(|g| g.name == name && &g.vpc_id == v)
                .map(|g| g.id.clone())
        });
        b.existing_or(existing, || {
            Action::CreateSecurityGroup(CreateSecurityGroup {
                name,
                vpc_id: vpc.clone(),
                description: description.to_owned(),
            })
        })
    };
    let lb_group = security_group(&mut b, "lb", "load balancer: web traffic from the internet")?;
    let app_group = security_group(
        &mut b,
        "app",
        "app instances: from the load balancer and the bastion",
    )?;
    let bastion_group = security_group(&mut b, "bastion", "bastion: SSH from the admin networks")?;
    let database = spec.database.as_ref();
    let db_port = database.map(|d| {
        let engine = d.engine.clone().or_else(|| {
            d.existing.as_ref().and_then(|id| {
                inv.db_instances
                    .iter()
                    .find(|db| &db.id == id)
                    .map(|db| db.engine.clone())
            })
        });
        Spec::database_port(engine.as_deref().unwrap_or("mysql"))
    });
    let db_group = match db_port {
        Some(_) => Some(security_group(
            &mut b,
            "db",
            "database: from the app instances",
        )?),
        None => None,
    };
    let mut rules = vec![(lb_group.clone(), 80, "0.0.0.0/0".to_owned())];
    if spec.load_balancer.certificate_arn.is_some() {
        rules.push((lb_group.clone(), 443, "0.0.0.0/0".to_owned()));
    }
    rules.push((app_group.clone(), spec.app.port, lb_group.clone()));
    rules.push((app_group.clone(), 22, bastion_group.clone()));
    if let (Some(group), Some(port)) = (&db_group, db_port) {
        rules.push((group.clone(), port, app_group.clone()));
    }
    for (group_id, port, peer) in rules {
        if !admits_tcp(inv, &spec.region, &group_id, port, &peer) {
            b.add(Action::AuthorizeIngress(AuthorizeIngress {
                rule: rule_from_peer("tcp", port, port, &peer),
                group_id,
            }))?;
        }
    }

    // The AMI: given, or made from the lone instance (stopped first, kept afterwards).
    let (image, base_image) = match (&spec.app.ami, &spec.app.source_instance) {
        (Some(ami), _) => (ami.clone(), ami.clone()),
        (None, Some(instance_id)) => {
            let instance = inv
                .instances
                .iter()
                .find(|i| &i.id == instance_id)
                .ok_or_else(|| {
                    invalid(format!(
                        "`app.source_instance` `{instance_id}` is not in the inventory"
                    ))
                })?;
            let image_name = b.name(&format!("app-{instance_id}"));
            let existing = inv
                .images
                .iter()
                .find(|i| i.name == image_name && i.state != "deregistered")
                .map(|i| i.id.clone());
            let image = match existing {
                Some(id) => id,
                None => {
                    let stopped = b.add(Action::StopInstance(StopInstance {
                        instance_id: instance_id.clone(),
                    }))?;
                    b.add(Action::CreateImage(CreateImage {
                        name: image_name,
                        instance_id: stopped,
                    }))?
                }
            };
            (image, instance.image_id.clone())
        }
        (None, None) => unreachable!("validated: one of ami and source_instance"),
    };

    // Bastion in the first public subnet.
    let bastion_image = spec.bastion.ami.clone().unwrap_or(base_image);
    for action in super::bastion::bastion_host(
        inv,
        &super::bastion::BastionHost {
            region: &spec.region,
            name: &b.name("bastion"),
            image_id: &bastion_image,
            instance_type: &spec.bastion.instance_type,
            subnet_id: &public[0],
            security_group: &bastion_group,
            admin_cidrs: &spec.bastion.admin_cidrs,
        },
    ) {
        b.add(action)?;
    }

    // Launch template; a changed AMI rolls out as a new version and an instance refresh.
    let template_name = b.name("app");
    let asg_name = b.name("asg");
    let asg_exists = inv
        .auto_scaling_groups
        .iter()
        .any(|g| g.name == asg_name && g.region == spec.region);
    let template = match inv
        .launch_templates
        .iter()
        .find(|t| t.name == template_name && t.region == spec.region)
    {
        Some(existing) => {
            let current = existing
                .version(existing.default_version)
                .and_then(|v| v.image_id.clone())
                .unwrap_or_default();
            if current != image && !image.starts_with(REF_PREFIX) {
                b.add(Action::NewTemplateVersion(NewTemplateVersion {
                    template_id: existing.id.clone(),
                    image_id: image.clone(),
                    before: current,
                }))?;
                if asg_exists {
                    b.add(Action::StartInstanceRefresh(StartInstanceRefresh {
                        group: asg_name.clone(),
                        min_healthy_percentage: MIN_HEALTHY_PERCENTAGE,
                        max_healthy_percentage: None,
                    }))?;
                }
            }
            existing.id.clone()
        }
        None => b.add(Action::CreateLaunchTemplate(CreateLaunchTemplate {
            name: template_name,
            image_id: image,
            instance_type: spec.app.instance_type.clone(),
            security_group_id: app_group.clone(),
            user_data: spec.app.user_data.clone(),
        }))?,
    };

    // Load balancing.
    let tg_name = b.name("tg");
    let tg_existing = inv
        .target_groups
        .iter()
        .find(|g| g.name == tg_name && g.region == spec.region)
        .map(|g| g.arn.clone());
    let target_group = b.existing_or(tg_existing, || {
        Action::CreateTargetGroup(CreateTargetGroup {
            name: tg_name.clone(),
            vpc_id: vpc.clone(),
            port: spec.app.port,
            health_check_path: spec.app.health_check_path.clone(),
        })
    })?;
    let lb_name = b.name("alb");
    let lb_existing = inv
        .load_balancers
        .iter()
        .find(|l| l.name == lb_name && l.region == spec.region)
        .map(|l| l.arn.clone());
    let load_balancer = b.existing_or(lb_existing.clone(), || {
        Action::CreateLoadBalancer(CreateLoadBalancer {
            name: lb_name.clone(),
            subnet_ids: public.clone(),
            security_group_id: lb_group.clone(),
        })
    })?;
    let listener_exists = |port: i32| {
        lb_existing.as_ref().is_some_and(|arn| {
            inv.listeners
                .iter()
                .any(|l| &l.load_balancer_arn == arn && l.port == port)
        })
    };
    let certificate = spec.load_balancer.certificate_arn.clone();
    let listeners: Vec<(i32, Option<String>, Option<String>)> = match &certificate {
        Some(arn) => vec![
            (443, Some(arn.clone()), Some(target_group.clone())),
            (80, None, None),
        ],
        None => vec![(80, None, Some(target_group.clone()))],
    };
    for (port, certificate_arn, forward_to) in listeners {
        if !listener_exists(port) {
            b.add(Action::CreateListener(CreateListener {
                load_balancer_arn: load_balancer.clone(),
                port,
                certificate_arn,
                forward_to,
            }))?;
        }
    }

    // The Auto Scaling group over the private subnets. Policies and alarms name it plainly
    // (as the rule pack's remediations do); the planner orders them after its creation.
    let group = asg_name.clone();
    if !asg_exists {
        b.add(Action::CreateAutoScalingGroup(CreateAutoScalingGroup {
            name: asg_name.clone(),
            launch_template_id: template.clone(),
            subnet_ids: private.clone(),
            min_size: spec.app.min_size,
            desired_capacity: spec.app.desired_capacity,
            max_size: spec.app.max_size,
            target_group_arn: target_group.clone(),
        }))?;
    }

    let alarm_exists = |name: &str| {
        inv.metric_alarms
            .iter()
            .any(|a| a.name == name && a.region == spec.region)
    };
    // Scaling policies, CPU alarms, notifications (named as the HA014/HA015 remediations name them).
    let topic_existing = inv
        .sns_topics
        .iter()
        .find(|t| t.name == ALERTS_TOPIC && t.region == spec.region)
        .map(|t| t.arn.clone());
    let topic = b.existing_or(topic_existing.clone(), || {
        Action::CreateTopic(CreateTopic {
            name: ALERTS_TOPIC.into(),
        })
    })?;
    for email in &spec.scaling.alarm_emails {
        let subscribed = inv.sns_topics.iter().any(|t| {
            Some(&t.arn) == topic_existing.as_ref()
                && t.subscriptions.iter().any(|s| &s.endpoint == email)
        });
        if !subscribed {
            b.add(Action::SubscribeEmail(SubscribeEmail {
                topic_arn: topic.clone(),
                email: email.clone(),
            }))?;
        }
    }
    for (direction, adjustment, operator, threshold, level) in [
        (
            "out",
            1,
            "GreaterThanThreshold",
            spec.scaling.scale_out_cpu,
            "high",
        ),
        (
            "in",
            -1,
            "LessThanThreshold",
            spec.scaling.scale_in_cpu,
            "low",
        ),
    ] {
        let policy_name = format!("{asg_name}-scale-{direction}");
        let policy_existing = inv
            .scaling_policies
            .iter()
            .find(|p| p.auto_scaling_group == asg_name && p.name == policy_name)
            .map(|p| p.arn.clone());
        let policy = match policy_existing {
            Some(arn) => arn,
            None => b.add(Action::PutScalingPolicy(PutScalingPolicy {
                group: group.clone(),
                name: policy_name,
                adjustment,
            }))?,
        };
        let alarm_name = format!("{asg_name}-cpu-{level}");
        if !alarm_exists(&alarm_name) {
            b.add(Action::PutCpuAlarm(PutCpuAlarm {
                group: group.clone(),
                name: alarm_name,
                comparison_operator: operator.into(),
                threshold,
                actions: vec![policy, topic.clone()],
            }))?;
        }
    }

    // An alarm on the load balancer's unhealthy targets (named as HA032's remediation
    // names it).
    let health_alarm = format!("{tg_name}-unhealthy-targets");
    if !alarm_exists(&health_alarm) {
        b.add(Action::PutHealthAlarm(PutHealthAlarm {
            name: health_alarm,
            namespace: crate::inventory::metric_namespace("application")
                .expect("a known type")
                .into(),
            target_group_arn: Some(target_group.clone()),
            load_balancer: load_balancer.clone(),
            actions: vec![topic.clone()],
        }))?;
    }

    // The database: adopted (never recreated) or created Multi-AZ in the private subnets,
    // and its failures and failovers notified to the alerts topic.
    if let Some(db) = database {
        // The database's id, or a reference to its creation (the subscription waits for it).
        let mut db_id = db.existing.clone().unwrap_or_else(|| b.name("db"));
        let events = format!("rds-events-{db_id}");
        match &db.existing {
            Some(id) => {
                let live = inv
                    .db_instances
                    .iter()
                    .find(|d| &d.id == id)
                    .ok_or_else(|| {
                        invalid(format!(
                            "`database.existing` `{id}` is not in the inventory"
                        ))
                    })?;
                if db.multi_az && !live.multi_az {
                    b.add(Action::EnableMultiAz(EnableMultiAz {
                        db_instance: id.clone(),
                    }))?;
                }
                if live.publicly_accessible {
                    b.add(Action::DisablePublicAccess(DisablePublicAccess {
                        db_instance: id.clone(),
                    }))?;
                }
            }
            None => {
                let id = b.name("db");
                if !inv.db_instances.iter().any(|d| d.id == id) {
                    let subnet_group_name = b.name("db");
                    let subnet_group = if inv
                        .db_subnet_groups
                        .iter()
                        .any(|g| g.name == subnet_group_name)
                    {
                        subnet_group_name
                    } else {
                        b.add(Action::CreateDbSubnetGroup(CreateDbSubnetGroup {
                            name: subnet_group_name,
                            subnet_ids: private.clone(),
                        }))?
                    };
                    db_id = b.add(Action::CreateDbInstance(CreateDbInstance {
                        id,
                        engine: db.engine.clone().unwrap_or_default(),
                        instance_class: db.instance_class.clone().unwrap_or_default(),
                        allocated_storage: db.allocated_storage,
                        subnet_group,
                        security_group_id: db_group.clone().expect("a database has a group"),
                        multi_az: db.multi_az,
                        master_username: db.master_username.clone(),
                    }))?;
                }
            }
        }
        if !inv
            .event_subscriptions
            .iter()
            .any(|e| e.name == events && e.region == spec.region)
        {
            b.add(Action::CreateEventSubscription(CreateEventSubscription {
                name: events,
                topic_arn: topic.clone(),
                source_type: "db-instance".into(),
                source_ids: vec![db_id],
                // HA031's default categories.
                categories: vec!["failover".into(), "failure".into()],
            }))?;
        }
    }

    // DNS.
    if let Some(dns) = &spec.dns {
        let zone_name = format!("{}.", dns.hosted_zone.trim_end_matches('.'));
        let record = format!("{}.", dns.record_name.trim_end_matches('.'));
        match inv
            .hosted_zones
            .iter()
            .find(|z| z.name == zone_name && !z.private)
        {
            None => {
                b.add(Action::Manual(Manual {
                    resource: zone_name.clone(),
                    instruction: format!(
                        "create the public hosted zone `{zone_name}` for `{record}`"
                    ),
                    following: Vec::new(),
                }))?;
            }
            Some(zone) => {
                let dns_name = lb_existing
                    .as_ref()
                    .and_then(|arn| inv.load_balancers.iter().find(|l| &l.arn == arn))
                    .map(|l| l.dns_name.clone());
                let aliased = dns_name.is_some_and(|dns| {
                    inv.record_sets.iter().any(|r| {
                        r.zone_id == zone.id
                            && r.name == record
                            && r.alias_target.as_ref().is_some_and(|a| {
                                crate::inventory::normalize_dns(&a.dns_name)
                                    == crate::inventory::normalize_dns(&dns)
                            })
                    })
                });
                if !aliased {
                    b.add(Action::AliasToLoadBalancer(AliasToLoadBalancer {
                        zone_id: zone.id.clone(),
                        name: record,
                        load_balancer_arn: load_balancer.clone(),
                    }))?;
                }
            }
        }
    }
    Ok(b.steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::spec::Spec;

    fn compliant() -> Inventory {
        crate::snapshot::example_inventory("compliant")
    }

    fn spec_in_existing_vpc(public: [&str; 2]) -> Spec {
        let text = include_str!("../../examples/stack.toml")
            .replace("name = \"shop\"", "name = \"web\"")
            .replace(
                "vpc_cidr = \"10.42.0.0/16\"",
                "vpc_id = \"vpc-0a1b2c3d4e5f60001\"",
            )
            .replace(
                "# public_subnet_cidrs = [\"10.42.0.0/24\", \"10.42.1.0/24\"]",
                &format!(
                    "public_subnet_cidrs = [\"{}\", \"{}\"]",
                    public[0], public[1]
                ),
            )
            .replace(
                "# private_subnet_cidrs = [\"10.42.128.0/24\", \"10.42.129.0/24\"]",
                "private_subnet_cidrs = [\"10.0.40.0/24\", \"10.0.41.0/24\"]",
            );
        let mut spec: Spec = toml::from_str(&text).unwrap();
        spec.complete().unwrap();
        spec
    }

    #[test]
    fn an_existing_vpc_is_built_in_and_its_internet_gateway_reused() {
        let steps = plan_stack(
            &spec_in_existing_vpc(["10.0.30.0/24", "10.0.31.0/24"]),
            &compliant(),
        )
        .unwrap();
        assert!(
            !steps
                .keys()
                .any(|k| k.starts_with("vpc:") || k.starts_with("internet-gateway:")),
            "{:?}",
            steps.keys()
        );
        let subnet = &steps
            .get("subnet:web-public-a")
            .unwrap_or_else(|| panic!("{:?}", steps.keys()))
            .action;
        assert_eq!(
            subnet,
            &Action::CreateSubnet(CreateSubnet {
                name: "web-public-a".into(),
                vpc_id: "vpc-0a1b2c3d4e5f60001".into(),
                cidr: "10.0.30.0/24".into(),
                zone: "us-east-1a".into(),
            })
        );
        let Action::CreateRouteTable(CreateRouteTable { default_target, .. }) =
            &steps["route-table:web-public"].action
        else {
            panic!()
        };
        assert_eq!(default_target, "igw-0shop");
    }

    #[test]
    fn subnets_outside_the_existing_vpc_are_refused() {
        let error = plan_stack(
            &spec_in_existing_vpc(["10.9.0.0/24", "10.0.31.0/24"]),
            &compliant(),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains(
                "subnet `10.9.0.0/24` is outside VPC `vpc-0a1b2c3d4e5f60001` (10.0.0.0/16)"
            ),
            "{error}"
        );
    }

    #[test]
    fn an_existing_vpc_needs_its_subnet_cidrs() {
        let text = include_str!("../../examples/stack.toml")
            .replace("vpc_cidr = \"10.42.0.0/16\"", "vpc_id = \"vpc-1\"");
        let mut spec: Spec = toml::from_str(&text).unwrap();
        let error = spec.complete().unwrap_err();
        assert_eq!(error.field, "network.public_subnet_cidrs");
        let error = error.to_string();
        assert!(
            error.starts_with(
                "`network.public_subnet_cidrs` must be given when building in an existing VPC"
            ),
            "{error}"
        );
    }
}
