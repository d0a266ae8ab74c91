//! EC2: security group ingress, the network of a stack (VPC, subnets, gateways, route
//! tables, security groups), instances (the bastion, stopping one for its image), AMIs and
//! launch templates.

use aws_sdk_ec2::types as ec2t;

use super::step::{Done, Patience, StepError, StepResult, sdk_fail, settle};
use super::{Apply, Context};
use crate::change::MANAGED_TAG;
use crate::change::{
    AuthorizeIngress, CreateImage, CreateInternetGateway, CreateNatGateway, CreateRouteTable,
    CreateSecurityGroup, CreateSubnet, CreateVpc, RevokeIngress, RunBastion, StopInstance,
};
use crate::collect::RegionClients;
use crate::inventory::SgRule;

pub(super) fn tags(
    resource: ec2t::ResourceType,
    name: &str,
    extra: &[(&str, &str)],
) -> ec2t::TagSpecification {
    let mut spec = ec2t::TagSpecification::builder()
        .resource_type(resource)
        .tags(ec2t::Tag::builder().key("Name").value(name).build())
        .tags(
            ec2t::Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
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

fn same_rule(a: &SgRule, b: &SgRule) -> bool {
    (
        &a.protocol,
        a.from_port,
        a.to_port,
        &a.cidr_ipv4,
        &a.cidr_ipv6,
        &a.source_group_id,
        &a.prefix_list_id,
    ) == (
        &b.protocol,
        b.from_port,
        b.to_port,
        &b.cidr_ipv4,
        &b.cidr_ipv6,
        &b.source_group_id,
        &b.prefix_list_id,
    )
}

async fn live_ingress(c: &RegionClients, group_id: &str) -> Result<Vec<SgRule>, StepError> {
    let answer = c
        .ec2
        .describe_security_groups()
        .group_ids(group_id)
        .send()
        .await
        .map_err(|error| {
            let failure = crate::collect::failed("DescribeSecurityGroups")(error);
            if failure.code.starts_with("InvalidGroup") {
                StepError::Drift(format!("security group `{group_id}` no longer exists"))
            } else {
                StepError::Failed(failure.to_string())
            }
        })?;
    let group = answer
        .security_groups()
        .first()
        .ok_or_else(|| StepError::Drift(format!("security group `{group_id}` no longer exists")))?;
    Ok(group
        .ip_permissions()
        .iter()
        .flat_map(crate::collect::split_permission)
        .collect())
}

fn permission(rule: &SgRule) -> ec2t::IpPermission {
    let protocol = if rule.protocol == "all" {
        "-1"
    } else {
        rule.protocol.as_str()
    };
    let mut builder = ec2t::IpPermission::builder().ip_protocol(protocol);
    if rule.protocol != "all" {
        builder = builder.from_port(rule.from_port).to_port(rule.to_port);
    }
    if let Some(cidr) = &rule.cidr_ipv4 {
        builder = builder.ip_ranges(
            ec2t::IpRange::builder()
                .cidr_ip(cidr)
                .description(&rule.description)
                .build(),
        );
    }
    if let Some(cidr) = &rule.cidr_ipv6 {
        builder = builder.ipv6_ranges(
            ec2t::Ipv6Range::builder()
                .cidr_ipv6(cidr)
                .description(&rule.description)
                .build(),
        );
    }
    if let Some(group) = &rule.source_group_id {
        builder = builder.user_id_group_pairs(
            ec2t::UserIdGroupPair::builder()
                .group_id(group)
                .description(&rule.description)
                .build(),
        );
    }
    if let Some(list) = &rule.prefix_list_id {
        builder =
            builder.prefix_list_ids(ec2t::PrefixListId::builder().prefix_list_id(list).build());
    }
    builder.build()
}

/// Revokes the rule; satisfied when the group no longer has it (descriptions aside).
pub(super) async fn revoke(c: &RegionClients, group_id: &str, rule: &SgRule) -> StepResult {
    if !live_ingress(c, group_id)
        .await?
        .iter()
        .any(|r| same_rule(r, rule))
    {
        return Ok(Done::Satisfied(None));
    }
    // Descriptions are not part of a rule's identity for AWS; send the rule without one.
    let bare = SgRule {
        description: String::new(),
        ..rule.clone()
    };
    c.ec2
        .revoke_security_group_ingress()
        .group_id(group_id)
        .ip_permissions(permission(&bare))
        .send()
        .await
        .map_err(sdk_fail("RevokeSecurityGroupIngress"))?;
    Ok(Done::Applied(None))
}

/// Adds the rule; satisfied when the group has it already.
pub(super) async fn authorize(c: &RegionClients, group_id: &str, rule: &SgRule) -> StepResult {
    if live_ingress(c, group_id)
        .await?
        .iter()
        .any(|r| same_rule(r, rule))
    {
        return Ok(Done::Satisfied(None));
    }
    c.ec2
        .authorize_security_group_ingress()
        .group_id(group_id)
        .ip_permissions(permission(rule))
        .send()
        .await
        .map_err(sdk_fail("AuthorizeSecurityGroupIngress"))?;
    Ok(Done::Applied(None))
}

/// The VPC with that Name tag, else a new one. Outputs its id.
pub(super) async fn create_vpc(c: &RegionClients, name: &str, cidr: &str) -> StepResult {
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

/// The subnet of the VPC with that Name tag, else a new one. Outputs its id.
pub(super) async fn create_subnet(
    c: &RegionClients,
    name: &str,
    vpc_id: &str,
    cidr: &str,
    zone: &str,
) -> StepResult {
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

/// The VPC's attached internet gateway, else a new one attached to it.
pub(super) async fn create_internet_gateway(
    c: &RegionClients,
    name: &str,
    vpc_id: &str,
) -> StepResult {
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

/// A pending or available NAT gateway of that name, else a new one with a new Elastic IP,
/// waited for until available.
pub(super) async fn create_nat_gateway(
    c: &RegionClients,
    name: &str,
    subnet_id: &str,
) -> StepResult {
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
    settle("NAT gateway", Patience::RESOURCE, || async {
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

/// The route table of that name (else a new one) with a default route to the target and the
/// subnets associated; applied when any of that was missing.
pub(super) async fn create_route_table(
    c: &RegionClients,
    name: &str,
    vpc_id: &str,
    default_target: &str,
    subnet_ids: &[String],
) -> StepResult {
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

/// The VPC's security group of that name, else a new one.
pub(super) async fn create_security_group(
    c: &RegionClients,
    name: &str,
    vpc_id: &str,
    description: &str,
) -> StepResult {
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

/// A bastion of that name that is not terminated, else a new one with a public IP.
pub(super) async fn run_bastion(
    c: &RegionClients,
    name: &str,
    image_id: &str,
    instance_type: &str,
    subnet_id: &str,
    security_group_id: &str,
) -> StepResult {
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
        .instance_type(ec2t::InstanceType::from(instance_type))
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

/// Stops the instance and waits until it is stopped; satisfied when it is, refused when it
/// was terminated (no AMI can be made of it then).
pub(super) async fn stop_instance(c: &RegionClients, instance_id: &str) -> StepResult {
    let state = |c: &RegionClients| {
        let c = c.clone();
        let id = instance_id.to_owned();
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
                .ok_or_else(|| StepError::Drift(format!("instance `{id}` no longer exists")))?;
            Ok::<_, StepError>(instance.state().and_then(|s| s.name()).cloned())
        }
    };
    match state(c).await? {
        Some(ec2t::InstanceStateName::Stopped) => {
            return Ok(Done::Satisfied(Some(instance_id.to_owned())));
        }
        Some(ec2t::InstanceStateName::Terminated) | Some(ec2t::InstanceStateName::ShuttingDown) => {
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
    settle("stopping the instance", Patience::RESOURCE, || async {
        Ok((state(c).await? == Some(ec2t::InstanceStateName::Stopped)).then_some(()))
    })
    .await?;
    Ok(Done::Applied(Some(instance_id.to_owned())))
}

/// The account's AMI of that name, else one made of the instance, waited for until available.
pub(super) async fn create_image(c: &RegionClients, name: &str, instance_id: &str) -> StepResult {
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
    settle("the AMI", Patience::RESOURCE, || async {
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

impl Apply for RevokeIngress {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let RevokeIngress { group_id, rule } = self;
        revoke(ctx.regional()?, group_id, rule).await
    }
}

impl Apply for AuthorizeIngress {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let AuthorizeIngress { group_id, rule } = self;
        authorize(ctx.regional()?, group_id, rule).await
    }
}

impl Apply for CreateVpc {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateVpc { name, cidr } = self;
        create_vpc(ctx.regional()?, name, cidr).await
    }
}

impl Apply for CreateSubnet {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateSubnet {
            name,
            vpc_id,
            cidr,
            zone,
        } = self;
        create_subnet(ctx.regional()?, name, vpc_id, cidr, zone).await
    }
}

impl Apply for CreateInternetGateway {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateInternetGateway { name, vpc_id } = self;
        create_internet_gateway(ctx.regional()?, name, vpc_id).await
    }
}

impl Apply for CreateNatGateway {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateNatGateway { name, subnet_id } = self;
        create_nat_gateway(ctx.regional()?, name, subnet_id).await
    }
}

impl Apply for CreateRouteTable {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateRouteTable {
            name,
            vpc_id,
            default_target,
            subnet_ids,
        } = self;
        create_route_table(ctx.regional()?, name, vpc_id, default_target, subnet_ids).await
    }
}

impl Apply for CreateSecurityGroup {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateSecurityGroup {
            name,
            vpc_id,
            description,
        } = self;
        create_security_group(ctx.regional()?, name, vpc_id, description).await
    }
}

impl Apply for RunBastion {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let RunBastion {
            name,
            image_id,
            instance_type,
            subnet_id,
            security_group_id,
        } = self;
        run_bastion(
            ctx.regional()?,
            name,
            image_id,
            instance_type,
            subnet_id,
            security_group_id,
        )
        .await
    }
}

impl Apply for StopInstance {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let StopInstance { instance_id } = self;
        stop_instance(ctx.regional()?, instance_id).await
    }
}

impl Apply for CreateImage {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateImage { name, instance_id } = self;
        create_image(ctx.regional()?, name, instance_id).await
    }
}
