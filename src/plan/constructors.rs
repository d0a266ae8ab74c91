//! The functions remediation scripts build actions with. Each returns an [`Action`] (an
//! opaque value to the script); scripts cannot make any other kind of change.

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map};

use crate::change::{
    Action, AddClusterReader, Advice, AttachClassicLoadBalancers, AttachTargetGroups,
    AuthorizeIngress, ConvertLaunchConfiguration, CreateEventSubscription, CreateListener,
    CreateNatGateway, CreateRouteTable, CreateSecurityGroup, CreateSubnet, CreateTargetGroup,
    CreateTopic, DisablePublicAccess, EnableAlarmActions, EnableBackups, EnableConnectionDraining,
    EnableCrossZone, EnableDbDeletionProtection, EnableDeletionProtection, EnableMultiAz,
    EnableTargetGroupCrossZone, Manual, PutCpuAlarm, PutHealthAlarm, PutScalingPolicy,
    RevokeIngress, SetCapacity, SetDeregistrationDelay, SetHealthCheck, SetLoadBalancerSubnets,
    SetMaintenancePolicy, SetSubnets, StartInstanceRefresh, SubscribeEmail,
    TemplateVersionWithoutPublicIp, UpsertAliasRecord, rule_from_peer,
};
use crate::inventory::{MaintenancePolicy, SgRule};
use crate::policy::Res;

type Made = Result<Action, Box<EvalAltResult>>;

fn strings(items: Array) -> Vec<String> {
    items.into_iter().map(|item| item.to_string()).collect()
}

fn int(resource: &Res, field: &str) -> i32 {
    resource.field(field).as_int().unwrap_or(0) as i32
}

fn rule_from(map: Map) -> Result<SgRule, Box<EvalAltResult>> {
    rhai::serde::from_dynamic(&Dynamic::from_map(map))
}

/// The most of a group a launch-before-terminate refresh may run: AWS's console preset.
const LAUNCH_BEFORE_TERMINATE_MAX_PERCENTAGE: i32 = 110;

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Action>("Action");
    engine.register_fn("to_string", |action: &mut Action| action.key());
    engine.register_fn("revoke_ingress", |group_id: &str, rule: Map| -> Made {
        Ok(Action::RevokeIngress(RevokeIngress {
            group_id: group_id.to_owned(),
            rule: rule_from(rule)?,
        }))
    });
    engine.register_fn(
        "authorize_ingress",
        |group_id: &str, protocol: &str, from: i64, to: i64, peer: &str| {
            Action::AuthorizeIngress(AuthorizeIngress {
                group_id: group_id.to_owned(),
                rule: rule_from_peer(protocol, from as i32, to as i32, peer),
            })
        },
    );
    engine.register_fn("set_capacity", |asg: Res, min_size: i64| {
        let before = [
            int(&asg, "min_size"),
            int(&asg, "desired_capacity"),
            int(&asg, "max_size"),
        ];
        let min = min_size as i32;
        Action::SetCapacity(SetCapacity {
            group: asg.text("name"),
            min_size: min,
            desired_capacity: before[1].max(min),
            max_size: before[2].max(min),
            before,
        })
    });
    engine.register_fn("set_health_check", |asg: Res, kind: &str, grace: i64| {
        Action::SetHealthCheck(SetHealthCheck {
            group: asg.text("name"),
            health_check_type: kind.to_owned(),
            grace_period: grace as i32,
            before: asg.text("health_check_type"),
        })
    });
    engine.register_fn(
        "set_maintenance_policy",
        |asg: Res, min_healthy: i64, max_healthy: i64| {
            let before = asg.field("instance_maintenance_policy").try_cast::<Map>();
            let bound = |key: &str| {
                before
                    .as_ref()
                    .and_then(|policy| policy.get(key)?.as_int().ok())
                    .map(|v| v as i32)
            };
            Action::SetMaintenancePolicy(SetMaintenancePolicy {
                group: asg.text("name"),
                min_healthy_percentage: min_healthy as i32,
                max_healthy_percentage: max_healthy as i32,
                before: MaintenancePolicy {
                    min_healthy_percentage: bound("min_healthy_percentage"),
                    max_healthy_percentage: bound("max_healthy_percentage"),
                },
            })
        },
    );
    engine.register_fn("attach_target_groups", |asg: Res, arns: Array| {
        Action::AttachTargetGroups(AttachTargetGroups {
            group: asg.text("name"),
            target_group_arns: strings(arns),
        })
    });
    engine.register_fn("attach_classic_load_balancers", |asg: Res, names: Array| {
        Action::AttachClassicLoadBalancers(AttachClassicLoadBalancers {
            group: asg.text("name"),
            load_balancer_names: strings(names),
        })
    });
    engine.register_fn("enable_db_deletion_protection", |db: Res| {
        Action::EnableDbDeletionProtection(EnableDbDeletionProtection {
            db_instance: db.text("id"),
        })
    });
    engine.register_fn(
        "set_deregistration_delay",
        |group: Res, seconds: rhai::INT| {
            Action::SetDeregistrationDelay(SetDeregistrationDelay {
                target_group_arn: group.text("arn"),
                seconds: seconds as i32,
            })
        },
    );
    engine.register_fn("enable_alarm_actions", |alarm: Res| {
        Action::EnableAlarmActions(EnableAlarmActions {
            alarm_name: alarm.text("name"),
            alarm_arn: alarm.text("arn"),
        })
    });
    engine.register_fn("enable_deletion_protection", |lb: Res| {
        Action::EnableDeletionProtection(EnableDeletionProtection {
            load_balancer_arn: lb.text("arn"),
        })
    });
    engine.register_fn("enable_target_group_cross_zone", |group: Res| {
        Action::EnableTargetGroupCrossZone(EnableTargetGroupCrossZone {
            target_group_arn: group.text("arn"),
        })
    });
    engine.register_fn(
        "enable_connection_draining",
        |lb: Res, seconds: rhai::INT| {
            Action::EnableConnectionDraining(EnableConnectionDraining {
                load_balancer: lb.text("name"),
                seconds: seconds as i32,
                before: int(&lb, "connection_draining"),
            })
        },
    );
    engine.register_fn("enable_cross_zone", |lb: Res| {
        Action::EnableCrossZone(EnableCrossZone {
            load_balancer: lb.text("name"),
        })
    });
    engine.register_fn("set_subnets", |asg: Res, subnets: Array| {
        let before = asg
            .field("subnet_ids")
            .try_cast::<Array>()
            .map(strings)
            .unwrap_or_default();
        let mut subnet_ids = strings(subnets);
        subnet_ids.sort();
        Action::SetSubnets(SetSubnets {
            group: asg.text("name"),
            subnet_ids,
            before,
        })
    });
    engine.register_fn("convert_launch_configuration", |asg: Res| {
        let group = asg.text("name");
        Action::ConvertLaunchConfiguration(ConvertLaunchConfiguration {
            launch_configuration: asg.text("launch_configuration_name"),
            template_name: format!("hacheck-{group}"),
            group,
        })
    });
    // Launch before terminate when the group has room above its desired capacity (capacity
    // never drops: a safe step); otherwise replace in batches keeping 90 % healthy (unsafe).
    engine.register_fn("instance_refresh", |asg: Res| {
        let number = |field: &str| asg.field(field).as_int().unwrap_or(0);
        let room = number("max_size") > number("desired_capacity");
        Action::StartInstanceRefresh(StartInstanceRefresh {
            group: asg.text("name"),
            min_healthy_percentage: if room {
                100
            } else {
                super::stack::MIN_HEALTHY_PERCENTAGE
            },
            max_healthy_percentage: room.then_some(LAUNCH_BEFORE_TERMINATE_MAX_PERCENTAGE),
        })
    });
    engine.register_fn(
        "template_version_without_public_ip",
        |asg: Res, version: Map| {
            let template = asg
                .field("launch_template")
                .try_cast::<Map>()
                .unwrap_or_default();
            Action::TemplateVersionWithoutPublicIp(TemplateVersionWithoutPublicIp {
                group: asg.text("name"),
                template_id: template
                    .get("id")
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                source_version: version
                    .get("version_number")
                    .and_then(|v| v.as_int().ok())
                    .unwrap_or(0),
            })
        },
    );
    engine.register_fn("enable_multi_az", |db: &str| {
        Action::EnableMultiAz(EnableMultiAz {
            db_instance: db.to_owned(),
        })
    });
    engine.register_fn(
        "add_cluster_reader",
        |cluster: &str, instance_id: &str, zone: &str, class: &str, engine: &str| {
            Action::AddClusterReader(AddClusterReader {
                cluster: cluster.to_owned(),
                instance_id: instance_id.to_owned(),
                availability_zone: zone.to_owned(),
                instance_class: class.to_owned(),
                engine: engine.to_owned(),
            })
        },
    );
    engine.register_fn("enable_backups", |db: Res, days: i64| {
        Action::EnableBackups(EnableBackups {
            db_instance: db.text("id"),
            retention_days: days as i32,
            before: int(&db, "backup_retention_period"),
        })
    });
    engine.register_fn("disable_public_access", |db: &str| {
        Action::DisablePublicAccess(DisablePublicAccess {
            db_instance: db.to_owned(),
        })
    });
    engine.register_fn(
        "create_event_subscription",
        |name: &str, topic_arn: &str, source_type: &str, source_ids: Array, categories: Array| {
            Action::CreateEventSubscription(CreateEventSubscription {
                name: name.to_owned(),
                topic_arn: topic_arn.to_owned(),
                source_type: source_type.to_owned(),
                source_ids: strings(source_ids),
                categories: strings(categories),
            })
        },
    );
    engine.register_fn(
        "put_health_alarm",
        |name: &str,
         namespace: &str,
         target_group_arn: Dynamic,
         load_balancer: &str,
         actions: Array| {
            Action::PutHealthAlarm(PutHealthAlarm {
                name: name.to_owned(),
                namespace: namespace.to_owned(),
                target_group_arn: target_group_arn
                    .into_immutable_string()
                    .ok()
                    .map(|arn| arn.to_string()),
                load_balancer: load_balancer.to_owned(),
                actions: strings(actions),
            })
        },
    );
    engine.register_fn("create_topic", |name: &str| {
        Action::CreateTopic(CreateTopic {
            name: name.to_owned(),
        })
    });
    engine.register_fn("subscribe_email", |topic_arn: &str, email: &str| {
        Action::SubscribeEmail(SubscribeEmail {
            topic_arn: topic_arn.to_owned(),
            email: email.to_owned(),
        })
    });
    engine.register_fn(
        "put_scaling_policy",
        |group: &str, name: &str, adjustment: i64| {
            Action::PutScalingPolicy(PutScalingPolicy {
                group: group.to_owned(),
                name: name.to_owned(),
                adjustment: adjustment as i32,
            })
        },
    );
    engine.register_fn(
        "put_cpu_alarm",
        |group: &str, name: &str, comparison: &str, threshold: f64, actions: Array| {
            Action::PutCpuAlarm(PutCpuAlarm {
                group: group.to_owned(),
                name: name.to_owned(),
                comparison_operator: comparison.to_owned(),
                threshold,
                actions: strings(actions),
            })
        },
    );
    engine.register_fn(
        "upsert_alias_record",
        |zone_id: &str, name: &str, dns_name: &str, target_zone_id: &str| {
            Action::UpsertAliasRecord(UpsertAliasRecord {
                zone_id: zone_id.to_owned(),
                name: name.to_owned(),
                dns_name: dns_name.to_owned(),
                target_zone_id: target_zone_id.to_owned(),
            })
        },
    );
    engine.register_fn("manual", |resource: &str, instruction: &str| {
        Action::Manual(Manual {
            resource: resource.to_owned(),
            instruction: instruction.to_owned(),
            following: Vec::new(),
        })
    });
    // A manual step whose change can be stated (an array of advice below): the predictor
    // refuses it when following it would cut a path users have.
    engine.register_type_with_name::<Advice>("Advice");
    engine.register_fn(
        "manual",
        |resource: &str, instruction: &str, following: Array| -> Made {
            let following = following
                .into_iter()
                .map(|item| {
                    let type_name = item.type_name();
                    item.try_cast::<Advice>().ok_or_else(|| {
                        format!("manual step advice must be made by `forward_listener` or `redirect_listener_to_https`, not {type_name}").into()
                    })
                })
                .collect::<Result<Vec<Advice>, Box<EvalAltResult>>>()?;
            Ok(Action::Manual(Manual {
                resource: resource.to_owned(),
                instruction: instruction.to_owned(),
                following,
            }))
        },
    );
    engine.register_fn(
        "forward_listener",
        |listener_arn: &str, target_group_arn: &str| Advice::ForwardListener {
            listener_arn: listener_arn.to_owned(),
            target_group_arn: target_group_arn.to_owned(),
        },
    );
    engine.register_fn("redirect_listener_to_https", |listener_arn: &str| {
        Advice::RedirectListenerToHttps {
            listener_arn: listener_arn.to_owned(),
        }
    });
    // `ref:<step id>` of what another action creates, for use before it exists.
    engine.register_fn(
        "create_security_group",
        |name: &str, vpc_id: &str, description: &str| {
            Action::CreateSecurityGroup(CreateSecurityGroup {
                name: name.to_owned(),
                vpc_id: vpc_id.to_owned(),
                description: description.to_owned(),
            })
        },
    );
    // `inv.bastion_host(subnet, name, image, instance_type, group, admin_cidrs)`: the bastion
    // as `hacheck fix --spec` builds it ([`super::bastion`]), in that public subnet.
    engine.register_fn(
        "bastion_host",
        |inv: &mut crate::policy::InventoryView,
         subnet: Res,
         name: &str,
         image_id: &str,
         instance_type: &str,
         group: &str,
         admin_cidrs: Array|
         -> Array {
            super::bastion::bastion_host(
                inv.inventory(),
                &super::bastion::BastionHost {
                    region: &subnet.text("region"),
                    name,
                    image_id,
                    instance_type,
                    subnet_id: &subnet.text("id"),
                    security_group: group,
                    admin_cidrs: &strings(admin_cidrs),
                },
            )
            .into_iter()
            .map(Dynamic::from)
            .collect()
        },
    );
    engine.register_fn(
        "free_subnet_cidrs",
        |vpc_cidr: &str, taken: Array, count: i64| -> Array {
            super::spec::free_blocks(vpc_cidr, &strings(taken), count.max(0) as usize)
                .into_iter()
                .map(Dynamic::from)
                .collect()
        },
    );
    engine.register_fn(
        "create_subnet",
        |name: &str, vpc_id: &str, cidr: &str, zone: &str| {
            Action::CreateSubnet(CreateSubnet {
                name: name.to_owned(),
                vpc_id: vpc_id.to_owned(),
                cidr: cidr.to_owned(),
                zone: zone.to_owned(),
            })
        },
    );
    engine.register_fn("create_nat_gateway", |name: &str, subnet_id: &str| {
        Action::CreateNatGateway(CreateNatGateway {
            name: name.to_owned(),
            subnet_id: subnet_id.to_owned(),
        })
    });
    engine.register_fn(
        "create_route_table",
        |name: &str, vpc_id: &str, default_target: &str, subnets: Array| {
            Action::CreateRouteTable(CreateRouteTable {
                name: name.to_owned(),
                vpc_id: vpc_id.to_owned(),
                default_target: default_target.to_owned(),
                subnet_ids: strings(subnets),
            })
        },
    );
    engine.register_fn("set_load_balancer_subnets", |lb: Res, subnets: Array| {
        let before = lb
            .field("subnet_ids")
            .try_cast::<Array>()
            .map(strings)
            .unwrap_or_default();
        let mut subnet_ids = strings(subnets);
        subnet_ids.sort();
        Action::SetLoadBalancerSubnets(SetLoadBalancerSubnets {
            load_balancer_arn: lb.text("arn"),
            name: lb.text("name"),
            subnet_ids,
            before,
        })
    });
    engine.register_fn(
        "create_target_group",
        |name: &str, vpc_id: &str, port: i64, health_check_path: &str| {
            Action::CreateTargetGroup(CreateTargetGroup {
                name: name.to_owned(),
                vpc_id: vpc_id.to_owned(),
                port: port as i32,
                health_check_path: health_check_path.to_owned(),
            })
        },
    );
    engine.register_fn(
        "create_listener",
        |load_balancer_arn: &str, port: i64, forward_to: &str| {
            Action::CreateListener(CreateListener {
                load_balancer_arn: load_balancer_arn.to_owned(),
                port: port as i32,
                certificate_arn: None,
                forward_to: Some(forward_to.to_owned()),
            })
        },
    );
    // `inv.zone_egress(vpc, zone, public_subnet, private_subnet)`: what routes the private
    // subnet out through a NAT gateway in the public one, built as `hacheck fix --spec`
    // builds it ([`super::network`]).
    engine.register_fn(
        "zone_egress",
        |inv: &mut crate::policy::InventoryView,
         vpc: Res,
         zone: &str,
         public_subnet: &str,
         private_subnet: &str|
         -> Array {
            let vpc_id = vpc.text("id");
            super::network::zone_egress(
                inv.inventory(),
                &super::network::ZoneEgress {
                    region: &vpc.text("region"),
                    vpc_id: &vpc_id,
                    public_subnet,
                    private_subnet,
                    nat_name: format!("hacheck-{vpc_id}-nat-{zone}"),
                    table_name: format!("hacheck-{vpc_id}-private-{zone}"),
                },
            )
            .into_iter()
            .map(Dynamic::from)
            .collect()
        },
    );
    engine.register_fn("output_of", |action: &mut Action| -> ImmutableString {
        action.reference().into()
    });
}
