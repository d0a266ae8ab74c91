//! The stack builder's steps. Each looks its resource up by name (the `Name` tag, or the
//! service's own name) before creating it, so re-running completes a half-built stack
//! instead of duplicating it; the found or created id is the step's output.

use std::time::{Duration, Instant};

use aws_sdk_ec2::types as ec2t;

use super::steps::{Done, StepError, sdk_fail};
use crate::collect::RegionClients;
use crate::plan::Action;

type StepResult = Result<Done, StepError>;

/// How long to wait for instances, AMIs, NAT gateways and databases to settle.
const SETTLE_SECONDS: u64 = 1800;

fn tags(
    resource: ec2t::ResourceType,
    name: &str,
    extra: &[(&str, &str)],
) -> ec2t::TagSpecification {
    let mut spec = ec2t::TagSpecification::builder()
        .resource_type(resource)
        .tags(ec2t::Tag::builder().key("Name").value(name).build())
        .tags(
            ec2t::Tag::builder()
                .key("hacheck:managed")
                .value("true")
                .build(),
        );
    for (key, value) in extra {
        spec = spec.tags(ec2t::Tag::builder().key(*key).value(*value).build());
    }
    spec.build()
}

fn filter(name: &str, value: &str) -> ec2t::Filter {
    ec2t::Filter::builder().name(name).values(value).build()
}

/// Polls `check` until it returns `Some`, or fails after [`SETTLE_SECONDS`].
async fn settle<T, F, Fut>(what: &str, mut check: F) -> Result<T, StepError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, StepError>>,
{
    let deadline = Instant::now() + Duration::from_secs(SETTLE_SECONDS);
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if Instant::now() > deadline {
            return Err(StepError::Failed(format!(
                "{what} did not settle within {SETTLE_SECONDS} s"
            )));
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

pub async fn apply(c: &RegionClients, action: &Action) -> StepResult {
    match action {
        Action::CreateVpc { name, cidr } => {
            let found = c
                .ec2
                .describe_vpcs()
                .filters(filter("tag:Name", name))
                .send()
                .await
                .map_err(sdk_fail("DescribeVpcs"))?;
            if let Some(vpc) = found.vpcs().first() {
                return Ok(Done::Satisfied(vpc.vpc_id().map(str::to_owned)));
            }
            let created = c
                .ec2
                .create_vpc()
                .cidr_block(cidr)
                .tag_specifications(tags(ec2t::ResourceType::Vpc, name, &[]))
                .send()
                .await
                .map_err(sdk_fail("CreateVpc"))?;
            Ok(Done::Applied(
                created.vpc().and_then(|v| v.vpc_id()).map(str::to_owned),
            ))
        }
        Action::CreateSubnet {
            name,
            vpc_id,
            cidr,
            zone,
        } => {
            let found = c
                .ec2
                .describe_subnets()
                .filters(filter("tag:Name", name))
                .filters(filter("vpc-id", vpc_id))
                .send()
                .await
                .map_err(sdk_fail("DescribeSubnets"))?;
            if let Some(subnet) = found.subnets().first() {
                return Ok(Done::Satisfied(subnet.subnet_id().map(str::to_owned)));
            }
            let created = c
                .ec2
                .create_subnet()
                .vpc_id(vpc_id)
                .cidr_block(cidr)
                .availability_zone(zone)
                .tag_specifications(tags(ec2t::ResourceType::Subnet, name, &[]))
                .send()
                .await
                .map_err(sdk_fail("CreateSubnet"))?;
            Ok(Done::Applied(
                created
                    .subnet()
                    .and_then(|s| s.subnet_id())
                    .map(str::to_owned),
            ))
        }
        Action::CreateInternetGateway { name, vpc_id } => {
            let found = c
                .ec2
                .describe_internet_gateways()
                .filters(filter("attachment.vpc-id", vpc_id))
                .send()
                .await
                .map_err(sdk_fail("DescribeInternetGateways"))?;
            if let Some(gateway) = found.internet_gateways().first() {
                return Ok(Done::Satisfied(
                    gateway.internet_gateway_id().map(str::to_owned),
                ));
            }
            let created = c
                .ec2
                .create_internet_gateway()
                .tag_specifications(tags(ec2t::ResourceType::InternetGateway, name, &[]))
                .send()
                .await
                .map_err(sdk_fail("CreateInternetGateway"))?;
            let id = created
                .internet_gateway()
                .and_then(|g| g.internet_gateway_id())
                .unwrap_or_default()
                .to_owned();
            c.ec2
                .attach_internet_gateway()
                .internet_gateway_id(&id)
                .vpc_id(vpc_id)
                .send()
                .await
                .map_err(sdk_fail("AttachInternetGateway"))?;
            Ok(Done::Applied(Some(id)))
        }
        Action::CreateNatGateway { name, subnet_id } => {
            let found = c
                .ec2
                .describe_nat_gateways()
                .filter(filter("tag:Name", name))
                .filter(
                    ec2t::Filter::builder()
                        .name("state")
                        .values("pending")
                        .values("available")
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_fail("DescribeNatGateways"))?;
            if let Some(gateway) = found.nat_gateways().first() {
                return Ok(Done::Satisfied(gateway.nat_gateway_id().map(str::to_owned)));
            }
            let address = c
                .ec2
                .allocate_address()
                .domain(ec2t::DomainType::Vpc)
                .tag_specifications(tags(ec2t::ResourceType::ElasticIp, name, &[]))
                .send()
                .await
                .map_err(sdk_fail("AllocateAddress"))?;
            let created = c
                .ec2
                .create_nat_gateway()
                .subnet_id(subnet_id)
                .set_allocation_id(address.allocation_id().map(str::to_owned))
                .tag_specifications(tags(ec2t::ResourceType::Natgateway, name, &[]))
                .send()
                .await
                .map_err(sdk_fail("CreateNatGateway"))?;
            let id = created
                .nat_gateway()
                .and_then(|g| g.nat_gateway_id())
                .unwrap_or_default()
                .to_owned();
            settle("NAT gateway", || async {
                let answer = c
                    .ec2
                    .describe_nat_gateways()
                    .nat_gateway_ids(&id)
                    .send()
                    .await
                    .map_err(sdk_fail("DescribeNatGateways"))?;
                Ok(answer
                    .nat_gateways()
                    .first()
                    .filter(|g| g.state() == Some(&ec2t::NatGatewayState::Available))
                    .map(|_| ()))
            })
            .await?;
            Ok(Done::Applied(Some(id)))
        }
        Action::CreateRouteTable {
            name,
            vpc_id,
            default_target,
            subnet_ids,
        } => {
            let found = c
                .ec2
                .describe_route_tables()
                .filters(filter("tag:Name", name))
                .send()
                .await
                .map_err(sdk_fail("DescribeRouteTables"))?;
            let (id, created) = match found.route_tables().first() {
                Some(table) => (table.route_table_id().unwrap_or_default().to_owned(), false),
                None => {
                    let table = c
                        .ec2
                        .create_route_table()
                        .vpc_id(vpc_id)
                        .tag_specifications(tags(ec2t::ResourceType::RouteTable, name, &[]))
                        .send()
                        .await
                        .map_err(sdk_fail("CreateRouteTable"))?;
                    (
                        table
                            .route_table()
                            .and_then(|t| t.route_table_id())
                            .unwrap_or_default()
                            .to_owned(),
                        true,
                    )
                }
            };
            let table = c
                .ec2
                .describe_route_tables()
                .route_table_ids(&id)
                .send()
                .await
                .map_err(sdk_fail("DescribeRouteTables"))?;
            let table = table
                .route_tables()
                .first()
                .cloned()
                .unwrap_or_else(|| ec2t::RouteTable::builder().build());
            let mut changed = created;
            if !table
                .routes()
                .iter()
                .any(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
            {
                let route = c
                    .ec2
                    .create_route()
                    .route_table_id(&id)
                    .destination_cidr_block("0.0.0.0/0");
                let route = if default_target.starts_with("nat-") {
                    route.nat_gateway_id(default_target)
                } else {
                    route.gateway_id(default_target)
                };
                route.send().await.map_err(sdk_fail("CreateRoute"))?;
                changed = true;
            }
            for subnet in subnet_ids {
                if !table
                    .associations()
                    .iter()
                    .any(|a| a.subnet_id() == Some(subnet.as_str()))
                {
                    c.ec2
                        .associate_route_table()
                        .route_table_id(&id)
                        .subnet_id(subnet)
                        .send()
                        .await
                        .map_err(sdk_fail("AssociateRouteTable"))?;
                    changed = true;
                }
            }
            Ok(if changed {
                Done::Applied(Some(id))
            } else {
                Done::Satisfied(Some(id))
            })
        }
        Action::CreateSecurityGroup {
            name,
            vpc_id,
            description,
        } => {
            let found = c
                .ec2
                .describe_security_groups()
                .filters(filter("group-name", name))
                .filters(filter("vpc-id", vpc_id))
                .send()
                .await
                .map_err(sdk_fail("DescribeSecurityGroups"))?;
            if let Some(group) = found.security_groups().first() {
                return Ok(Done::Satisfied(group.group_id().map(str::to_owned)));
            }
            let created = c
                .ec2
                .create_security_group()
                .group_name(name)
                .description(description)
                .vpc_id(vpc_id)
                .tag_specifications(tags(ec2t::ResourceType::SecurityGroup, name, &[]))
                .send()
                .await
                .map_err(sdk_fail("CreateSecurityGroup"))?;
            Ok(Done::Applied(created.group_id().map(str::to_owned)))
        }
        Action::RunBastion {
            name,
            image_id,
            instance_type,
            subnet_id,
            security_group_id,
        } => {
            let found = c
                .ec2
                .describe_instances()
                .filters(filter("tag:Name", name))
                .filters(
                    ec2t::Filter::builder()
                        .name("instance-state-name")
                        .values("pending")
                        .values("running")
                        .values("stopping")
                        .values("stopped")
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_fail("DescribeInstances"))?;
            if let Some(instance) = found
                .reservations()
                .iter()
                .flat_map(|r| r.instances())
                .next()
            {
                return Ok(Done::Satisfied(instance.instance_id().map(str::to_owned)));
            }
            let run = c
                .ec2
                .run_instances()
                .image_id(image_id)
                .instance_type(ec2t::InstanceType::from(instance_type.as_str()))
                .min_count(1)
                .max_count(1)
                .network_interfaces(
                    ec2t::InstanceNetworkInterfaceSpecification::builder()
                        .device_index(0)
                        .subnet_id(subnet_id)
                        .associate_public_ip_address(true)
                        .groups(security_group_id)
                        .build(),
                )
                .tag_specifications(tags(
                    ec2t::ResourceType::Instance,
                    name,
                    &[("hacheck:role", "bastion")],
                ))
                .send()
                .await
                .map_err(sdk_fail("RunInstances"))?;
            Ok(Done::Applied(
                run.instances()
                    .first()
                    .and_then(|i| i.instance_id())
                    .map(str::to_owned),
            ))
        }
        Action::StopInstance { instance_id } => {
            let state = |c: &RegionClients| {
                let c = c.clone();
                let id = instance_id.clone();
                async move {
                    let answer = c
                        .ec2
                        .describe_instances()
                        .instance_ids(&id)
                        .send()
                        .await
                        .map_err(sdk_fail("DescribeInstances"))?;
                    let instance = answer
                        .reservations()
                        .iter()
                        .flat_map(|r| r.instances())
                        .next()
                        .cloned()
                        .ok_or_else(|| {
                            StepError::Drift(format!("instance `{id}` no longer exists"))
                        })?;
                    Ok::<_, StepError>(instance.state().and_then(|s| s.name()).cloned())
                }
            };
            match state(c).await? {
                Some(ec2t::InstanceStateName::Stopped) => {
                    return Ok(Done::Satisfied(Some(instance_id.clone())));
                }
                Some(ec2t::InstanceStateName::Terminated)
                | Some(ec2t::InstanceStateName::ShuttingDown) => {
                    return Err(StepError::Drift(format!(
                        "instance `{instance_id}` is terminated; its AMI can no longer be made"
                    )));
                }
                _ => {}
            }
            c.ec2
                .stop_instances()
                .instance_ids(instance_id)
                .send()
                .await
                .map_err(sdk_fail("StopInstances"))?;
            settle("stopping the instance", || async {
                Ok((state(c).await? == Some(ec2t::InstanceStateName::Stopped)).then_some(()))
            })
            .await?;
            Ok(Done::Applied(Some(instance_id.clone())))
        }
        Action::CreateImage { name, instance_id } => {
            let found = c
                .ec2
                .describe_images()
                .owners("self")
                .filters(filter("name", name))
                .send()
                .await
                .map_err(sdk_fail("DescribeImages"))?;
            if let Some(image) = found.images().first() {
                return Ok(Done::Satisfied(image.image_id().map(str::to_owned)));
            }
            let created = c
                .ec2
                .create_image()
                .instance_id(instance_id)
                .name(name)
                .description("hacheck: the application instance, for its Auto Scaling group")
                .tag_specifications(tags(ec2t::ResourceType::Image, name, &[]))
                .send()
                .await
                .map_err(sdk_fail("CreateImage"))?;
            let id = created.image_id().unwrap_or_default().to_owned();
            settle("the AMI", || async {
                let answer = c
                    .ec2
                    .describe_images()
                    .image_ids(&id)
                    .send()
                    .await
                    .map_err(sdk_fail("DescribeImages"))?;
                Ok(answer
                    .images()
                    .first()
                    .filter(|i| i.state() == Some(&ec2t::ImageState::Available))
                    .map(|_| ()))
            })
            .await?;
            Ok(Done::Applied(Some(id)))
        }
        Action::CreateLaunchTemplate {
            name,
            image_id,
            instance_type,
            security_group_id,
            user_data,
        } => {
            let user_data = user_data.as_deref().map(aws_smithy_types::base64::encode);
            let spec = TemplateSpec {
                name,
                image_id,
                instance_type,
                security_group_ids: std::slice::from_ref(security_group_id),
                user_data,
            };
            let (id, created) = ensure_launch_template(c, &spec).await?;
            Ok(if created {
                Done::Applied(Some(id))
            } else {
                Done::Satisfied(Some(id))
            })
        }
        Action::NewTemplateVersion {
            template_id,
            image_id,
            before,
        } => {
            let answer = c
                .ec2
                .describe_launch_template_versions()
                .launch_template_id(template_id)
                .versions("$Default")
                .send()
                .await
                .map_err(sdk_fail("DescribeLaunchTemplateVersions"))?;
            let current = answer
                .launch_template_versions()
                .first()
                .and_then(|v| v.launch_template_data())
                .and_then(|d| d.image_id());
            if current == Some(image_id.as_str()) {
                return Ok(Done::Satisfied(None));
            }
            if current != Some(before.as_str()) {
                return Err(StepError::Drift(format!(
                    "`{template_id}` now launches {current:?}; the plan expected `{before}`"
                )));
            }
            let created = c
                .ec2
                .create_launch_template_version()
                .launch_template_id(template_id)
                .source_version("$Default")
                .version_description(format!("hacheck: roll out {image_id}"))
                .launch_template_data(
                    ec2t::RequestLaunchTemplateData::builder()
                        .image_id(image_id)
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_fail("CreateLaunchTemplateVersion"))?;
            let number = created
                .launch_template_version()
                .and_then(|v| v.version_number())
                .unwrap_or_default()
                .to_string();
            c.ec2
                .modify_launch_template()
                .launch_template_id(template_id)
                .default_version(&number)
                .send()
                .await
                .map_err(sdk_fail("ModifyLaunchTemplate"))?;
            Ok(Done::Applied(Some(number)))
        }
        Action::CreateTargetGroup {
            name,
            vpc_id,
            port,
            health_check_path,
        } => {
            use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, Tag, TargetTypeEnum};
            if let Ok(found) = c.elbv2.describe_target_groups().names(name).send().await
                && let Some(group) = found.target_groups().first()
            {
                return Ok(Done::Satisfied(group.target_group_arn().map(str::to_owned)));
            }
            let created = c
                .elbv2
                .create_target_group()
                .name(name)
                .protocol(ProtocolEnum::Http)
                .port(*port)
                .vpc_id(vpc_id)
                .target_type(TargetTypeEnum::Instance)
                .health_check_path(health_check_path)
                .tags(Tag::builder().key("hacheck:managed").value("true").build())
                .send()
                .await
                .map_err(sdk_fail("CreateTargetGroup"))?;
            Ok(Done::Applied(
                created
                    .target_groups()
                    .first()
                    .and_then(|g| g.target_group_arn())
                    .map(str::to_owned),
            ))
        }
        Action::CreateLoadBalancer {
            name,
            subnet_ids,
            security_group_id,
        } => {
            use aws_sdk_elasticloadbalancingv2::types::{
                LoadBalancerSchemeEnum, LoadBalancerTypeEnum, Tag,
            };
            if let Ok(found) = c.elbv2.describe_load_balancers().names(name).send().await
                && let Some(lb) = found.load_balancers().first()
            {
                return Ok(Done::Satisfied(lb.load_balancer_arn().map(str::to_owned)));
            }
            let created = c
                .elbv2
                .create_load_balancer()
                .name(name)
                .r#type(LoadBalancerTypeEnum::Application)
                .scheme(LoadBalancerSchemeEnum::InternetFacing)
                .set_subnets(Some(subnet_ids.clone()))
                .security_groups(security_group_id)
                .tags(Tag::builder().key("hacheck:managed").value("true").build())
                .send()
                .await
                .map_err(sdk_fail("CreateLoadBalancer"))?;
            Ok(Done::Applied(
                created
                    .load_balancers()
                    .first()
                    .and_then(|l| l.load_balancer_arn())
                    .map(str::to_owned),
            ))
        }
        Action::CreateListener {
            load_balancer_arn,
            port,
            certificate_arn,
            forward_to,
        } => {
            use aws_sdk_elasticloadbalancingv2::types::{
                Action as LbAction, ActionTypeEnum, Certificate, ProtocolEnum,
                RedirectActionConfig, RedirectActionStatusCodeEnum,
            };
            let found = c
                .elbv2
                .describe_listeners()
                .load_balancer_arn(load_balancer_arn)
                .send()
                .await
                .map_err(sdk_fail("DescribeListeners"))?;
            if let Some(listener) = found.listeners().iter().find(|l| l.port() == Some(*port)) {
                return Ok(Done::Satisfied(listener.listener_arn().map(str::to_owned)));
            }
            let action = match forward_to {
                Some(target_group) => LbAction::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(target_group)
                    .build(),
                None => LbAction::builder()
                    .r#type(ActionTypeEnum::Redirect)
                    .redirect_config(
                        RedirectActionConfig::builder()
                            .protocol("HTTPS")
                            .port("443")
                            .status_code(RedirectActionStatusCodeEnum::Http301)
                            .build(),
                    )
                    .build(),
            };
            let mut request = c
                .elbv2
                .create_listener()
                .load_balancer_arn(load_balancer_arn)
                .port(*port)
                .default_actions(action)
                .tags(
                    aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                        .key("hacheck:managed")
                        .value("true")
                        .build(),
                );
            request = match certificate_arn {
                Some(arn) => request
                    .protocol(ProtocolEnum::Https)
                    .certificates(Certificate::builder().certificate_arn(arn).build()),
                None => request.protocol(ProtocolEnum::Http),
            };
            let created = request.send().await.map_err(sdk_fail("CreateListener"))?;
            Ok(Done::Applied(
                created
                    .listeners()
                    .first()
                    .and_then(|l| l.listener_arn())
                    .map(str::to_owned),
            ))
        }
        Action::CreateAutoScalingGroup {
            name,
            launch_template_id,
            subnet_ids,
            min_size,
            desired_capacity,
            max_size,
            target_group_arn,
        } => {
            use aws_sdk_autoscaling::types::{LaunchTemplateSpecification, Tag};
            let found = c
                .autoscaling
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(name)
                .send()
                .await
                .map_err(sdk_fail("DescribeAutoScalingGroups"))?;
            if !found.auto_scaling_groups().is_empty() {
                return Ok(Done::Satisfied(Some(name.clone())));
            }
            c.autoscaling
                .create_auto_scaling_group()
                .auto_scaling_group_name(name)
                .launch_template(
                    LaunchTemplateSpecification::builder()
                        .launch_template_id(launch_template_id)
                        .version("$Default")
                        .build(),
                )
                .vpc_zone_identifier(subnet_ids.join(","))
                .min_size(*min_size)
                .desired_capacity(*desired_capacity)
                .max_size(*max_size)
                .target_group_arns(target_group_arn)
                .health_check_type("ELB")
                .health_check_grace_period(300)
                .tags(
                    Tag::builder()
                        .key("hacheck:managed")
                        .value("true")
                        .propagate_at_launch(true)
                        .build(),
                )
                .tags(
                    Tag::builder()
                        .key("Name")
                        .value(name)
                        .propagate_at_launch(true)
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_fail("CreateAutoScalingGroup"))?;
            Ok(Done::Applied(Some(name.clone())))
        }
        Action::CreateDbSubnetGroup { name, subnet_ids } => {
            if let Ok(found) = c
                .rds
                .describe_db_subnet_groups()
                .db_subnet_group_name(name)
                .send()
                .await
                && !found.db_subnet_groups().is_empty()
            {
                return Ok(Done::Satisfied(Some(name.clone())));
            }
            c.rds
                .create_db_subnet_group()
                .db_subnet_group_name(name)
                .db_subnet_group_description("hacheck: private subnets of the stack")
                .set_subnet_ids(Some(subnet_ids.clone()))
                .send()
                .await
                .map_err(sdk_fail("CreateDBSubnetGroup"))?;
            Ok(Done::Applied(Some(name.clone())))
        }
        Action::CreateDbInstance {
            id,
            engine,
            instance_class,
            allocated_storage,
            subnet_group,
            security_group_id,
            multi_az,
            master_username,
        } => {
            if let Ok(found) = c
                .rds
                .describe_db_instances()
                .db_instance_identifier(id)
                .send()
                .await
                && !found.db_instances().is_empty()
            {
                return Ok(Done::Satisfied(Some(id.clone())));
            }
            c.rds
                .create_db_instance()
                .db_instance_identifier(id)
                .engine(engine)
                .db_instance_class(instance_class)
                .allocated_storage(*allocated_storage)
                .db_subnet_group_name(subnet_group)
                .vpc_security_group_ids(security_group_id)
                .multi_az(*multi_az)
                .publicly_accessible(false)
                .storage_encrypted(true)
                .backup_retention_period(7)
                .master_username(master_username)
                // The password is created and kept in Secrets Manager by RDS; hacheck never sees it.
                .manage_master_user_password(true)
                .tags(
                    aws_sdk_rds::types::Tag::builder()
                        .key("hacheck:managed")
                        .value("true")
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_fail("CreateDBInstance"))?;
            settle("the DB instance", || async {
                let answer = c
                    .rds
                    .describe_db_instances()
                    .db_instance_identifier(id)
                    .send()
                    .await
                    .map_err(sdk_fail("DescribeDBInstances"))?;
                Ok(answer
                    .db_instances()
                    .first()
                    .filter(|d| d.db_instance_status() == Some("available"))
                    .map(|_| ()))
            })
            .await?;
            Ok(Done::Applied(Some(id.clone())))
        }
        _ => Err(StepError::Failed("not a stack action".into())),
    }
}

/// What a launch template made by hacheck holds: one network interface without a public
/// IP in the given groups.
pub(super) struct TemplateSpec<'a> {
    pub name: &'a str,
    pub image_id: &'a str,
    pub instance_type: &'a str,
    pub security_group_ids: &'a [String],
    /// Already base64, as EC2 takes it.
    pub user_data: Option<String>,
}

/// The launch template named `spec.name`: found (id, false) or created (id, true).
pub(super) async fn ensure_launch_template(
    c: &RegionClients,
    spec: &TemplateSpec<'_>,
) -> Result<(String, bool), StepError> {
    let found = c
        .ec2
        .describe_launch_templates()
        .launch_template_names(spec.name)
        .send()
        .await;
    if let Some(id) = found.ok().and_then(|a| {
        a.launch_templates()
            .first()
            .and_then(|t| t.launch_template_id().map(str::to_owned))
    }) {
        return Ok((id, false));
    }
    let data = ec2t::RequestLaunchTemplateData::builder()
        .image_id(spec.image_id)
        .instance_type(ec2t::InstanceType::from(spec.instance_type))
        .set_user_data(spec.user_data.clone())
        .network_interfaces(
            ec2t::LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                .device_index(0)
                .associate_public_ip_address(false)
                .set_groups(Some(spec.security_group_ids.to_vec()))
                .build(),
        )
        .build();
    let created = c
        .ec2
        .create_launch_template()
        .launch_template_name(spec.name)
        .launch_template_data(data)
        .tag_specifications(tags(ec2t::ResourceType::LaunchTemplate, spec.name, &[]))
        .send()
        .await
        .map_err(sdk_fail("CreateLaunchTemplate"))?;
    let id = created
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .unwrap_or_default()
        .to_owned();
    Ok((id, true))
}

/// The load balancer's DNS name and canonical zone, for an alias to it.
pub async fn load_balancer_dns(
    c: &RegionClients,
    arn: &str,
) -> Result<(String, String), StepError> {
    let answer = c
        .elbv2
        .describe_load_balancers()
        .load_balancer_arns(arn)
        .send()
        .await
        .map_err(sdk_fail("DescribeLoadBalancers"))?;
    let lb = answer
        .load_balancers()
        .first()
        .ok_or_else(|| StepError::Drift(format!("load balancer `{arn}` no longer exists")))?;
    Ok((
        lb.dns_name().unwrap_or_default().to_owned(),
        lb.canonical_hosted_zone_id().unwrap_or_default().to_owned(),
    ))
}
