//! EC2 collectors: network (VPCs, subnets, route tables, gateways, security groups),
//! instances with the AMIs they use, and launch templates.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{Filter, IpPermission};

use super::{UnitResult, ec2_tags, failed};
use crate::inventory::{
    Image, Instance, InternetGateway, Inventory, LaunchTemplate, LaunchTemplateVersion, NatGateway,
    Route, RouteTable, SecurityGroup, SgRule, Subnet, Vpc,
};

/// EC2's largest page for the describe calls that accept `MaxResults`.
const EC2_PAGE: i32 = 1000;
/// DescribeLaunchTemplates/Versions allow at most 200 per page. moto returns no NextToken
/// at all, so asking for the largest page is what makes it return everything.
const LAUNCH_TEMPLATE_PAGE: i32 = 200;

fn part() -> Inventory {
    Inventory::default()
}

pub async fn vpcs(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_vpcs()
        .max_results(EC2_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for vpc in page.map_err(failed("DescribeVpcs"))?.vpcs() {
            out.vpcs.push(Vpc {
                id: vpc.vpc_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                cidr_block: vpc.cidr_block().unwrap_or_default().to_owned(),
                is_default: vpc.is_default().unwrap_or(false),
                tags: ec2_tags(vpc.tags()),
                owner_id: vpc.owner_id().map(str::to_owned),
            });
        }
    }
    Ok(out)
}

pub async fn subnets(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_subnets()
        .max_results(EC2_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for subnet in page.map_err(failed("DescribeSubnets"))?.subnets() {
            out.subnets.push(Subnet {
                id: subnet.subnet_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                vpc_id: subnet.vpc_id().unwrap_or_default().to_owned(),
                availability_zone: subnet.availability_zone().unwrap_or_default().to_owned(),
                cidr_block: subnet.cidr_block().unwrap_or_default().to_owned(),
                map_public_ip_on_launch: subnet.map_public_ip_on_launch().unwrap_or(false),
                public: false, // derived once route tables are known
                tags: ec2_tags(subnet.tags()),
            });
        }
    }
    Ok(out)
}

pub async fn route_tables(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_route_tables()
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for table in page.map_err(failed("DescribeRouteTables"))?.route_tables() {
            let associations = table.associations();
            out.route_tables.push(RouteTable {
                id: table.route_table_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                vpc_id: table.vpc_id().unwrap_or_default().to_owned(),
                main: associations.iter().any(|a| a.main().unwrap_or(false)),
                subnet_ids: associations
                    .iter()
                    .filter_map(|a| a.subnet_id().map(str::to_owned))
                    .collect(),
                routes: table
                    .routes()
                    .iter()
                    // A blackhole route's target is gone, a filtered one is not installed:
                    // neither routes anything (egress, a subnet's publicity), so only active
                    // routes are kept.
                    .filter(|route| {
                        route
                            .state()
                            .is_none_or(|s| *s == aws_sdk_ec2::types::RouteState::Active)
                    })
                    .map(|route| Route {
                        destination: route
                            .destination_cidr_block()
                            .or(route.destination_ipv6_cidr_block())
                            .or(route.destination_prefix_list_id())
                            .unwrap_or_default()
                            .to_owned(),
                        target: route
                            .gateway_id()
                            .or(route.nat_gateway_id())
                            .or(route.transit_gateway_id())
                            .or(route.vpc_peering_connection_id())
                            .or(route.network_interface_id())
                            .or(route.instance_id())
                            .or(route.egress_only_internet_gateway_id())
                            .unwrap_or_default()
                            .to_owned(),
                    })
                    .collect(),
                tags: ec2_tags(table.tags()),
            });
        }
    }
    Ok(out)
}

pub async fn internet_gateways(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_internet_gateways()
        .max_results(EC2_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for gateway in page
            .map_err(failed("DescribeInternetGateways"))?
            .internet_gateways()
        {
            out.internet_gateways.push(InternetGateway {
                id: gateway.internet_gateway_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                vpc_ids: gateway
                    .attachments()
                    .iter()
                    .filter_map(|a| a.vpc_id().map(str::to_owned))
                    .collect(),
                tags: ec2_tags(gateway.tags()),
            });
        }
    }
    Ok(out)
}

pub async fn nat_gateways(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_nat_gateways()
        .max_results(EC2_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for gateway in page.map_err(failed("DescribeNatGateways"))?.nat_gateways() {
            out.nat_gateways.push(NatGateway {
                id: gateway.nat_gateway_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                vpc_id: gateway.vpc_id().unwrap_or_default().to_owned(),
                subnet_id: gateway.subnet_id().unwrap_or_default().to_owned(),
                state: gateway
                    .state()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                private: gateway.connectivity_type()
                    == Some(&aws_sdk_ec2::types::ConnectivityType::Private),
                tags: ec2_tags(gateway.tags()),
            });
        }
    }
    Ok(out)
}

pub async fn security_groups(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_security_groups()
        .max_results(EC2_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for group in page
            .map_err(failed("DescribeSecurityGroups"))?
            .security_groups()
        {
            out.security_groups.push(SecurityGroup {
                id: group.group_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                name: group.group_name().unwrap_or_default().to_owned(),
                vpc_id: group.vpc_id().unwrap_or_default().to_owned(),
                description: group.description().unwrap_or_default().to_owned(),
                ingress: group
                    .ip_permissions()
                    .iter()
                    .flat_map(split_permission)
                    .collect(),
                egress: group
                    .ip_permissions_egress()
                    .iter()
                    .flat_map(split_permission)
                    .collect(),
                tags: ec2_tags(group.tags()),
            });
        }
    }
    if let Err(failure) = prefix_list_entries(&client, &mut out.security_groups).await {
        // Only what the lists hold is missing: a warning, the groups kept.
        super::warn(&mut out, "ec2", region.clone(), failure);
    }
    Ok(out)
}

/// Fills each rule's `prefix_list_cidrs` from its list's entries: one
/// GetManagedPrefixListEntries per list the groups name (none when no rule names one).
async fn prefix_list_entries(
    client: &Client,
    groups: &mut [SecurityGroup],
) -> Result<(), super::CallFailure> {
    let lists: std::collections::BTreeSet<String> = groups
        .iter()
        .flat_map(|g| g.ingress.iter().chain(&g.egress))
        .filter_map(|rule| rule.prefix_list_id.clone())
        .collect();
    let mut entries: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut first_failure = None;
    for list in lists {
        let mut pages = client
            .get_managed_prefix_list_entries()
            .prefix_list_id(&list)
            .max_results(100)
            .into_paginator()
            .send();
        let mut cidrs = Vec::new();
        let mut read = true;
        while let Some(page) = pages.next().await {
            match page.map_err(failed("GetManagedPrefixListEntries")) {
                Ok(page) => cidrs.extend(
                    page.entries()
                        .iter()
                        .filter_map(|e| e.cidr().map(str::to_owned)),
                ),
                Err(failure) => {
                    // This list stays unread (its rules are judged `unknown`); the others
                    // are filled.
                    first_failure.get_or_insert(failure);
                    read = false;
                    break;
                }
            }
        }
        if read {
            entries.insert(list, cidrs);
        }
    }
    for rule in groups
        .iter_mut()
        .flat_map(|g| g.ingress.iter_mut().chain(g.egress.iter_mut()))
    {
        if let Some(cidrs) = rule.prefix_list_id.as_ref().and_then(|l| entries.get(l)) {
            rule.prefix_list_cidrs = cidrs.clone();
        }
    }
    first_failure.map_or(Ok(()), Err)
}

/// Splits one AWS permission (several peers) into one [`SgRule`] per peer.
pub(crate) fn split_permission(permission: &IpPermission) -> Vec<SgRule> {
    let raw_protocol = permission.ip_protocol().unwrap_or("-1");
    let (protocol, from_port, to_port) = match raw_protocol {
        "-1" | "all" => ("all".to_owned(), 0, 65535),
        "6" => (
            "tcp".to_owned(),
            permission.from_port().unwrap_or(0),
            permission.to_port().unwrap_or(65535),
        ),
        "17" => (
            "udp".to_owned(),
            permission.from_port().unwrap_or(0),
            permission.to_port().unwrap_or(65535),
        ),
        other => (
            other.to_owned(),
            permission.from_port().unwrap_or(-1),
            permission.to_port().unwrap_or(-1),
        ),
    };
    let rule = |description: Option<&str>| SgRule {
        protocol: protocol.clone(),
        from_port,
        to_port,
        cidr_ipv4: None,
        cidr_ipv6: None,
        source_group_id: None,
        prefix_list_id: None,
        prefix_list_cidrs: Vec::new(),
        description: description.unwrap_or_default().to_owned(),
    };
    let mut rules = Vec::new();
    for range in permission.ip_ranges() {
        rules.push(SgRule {
            cidr_ipv4: range.cidr_ip().map(str::to_owned),
            ..rule(range.description())
        });
    }
    for range in permission.ipv6_ranges() {
        rules.push(SgRule {
            cidr_ipv6: range.cidr_ipv6().map(str::to_owned),
            ..rule(range.description())
        });
    }
    for pair in permission.user_id_group_pairs() {
        rules.push(SgRule {
            source_group_id: pair.group_id().map(str::to_owned),
            ..rule(pair.description())
        });
    }
    for list in permission.prefix_list_ids() {
        rules.push(SgRule {
            prefix_list_id: list.prefix_list_id().map(str::to_owned),
            ..rule(list.description())
        });
    }
    rules
}

/// Instances, then the AMIs they run and the account's own AMIs (a second call, because only
/// now are the image ids known).
pub async fn instances_and_images(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_instances()
        .max_results(EC2_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("DescribeInstances"))?;
        for instance in page.reservations().iter().flat_map(|r| r.instances()) {
            let tags = ec2_tags(instance.tags());
            // moto (and launches with explicit network interfaces) may leave the
            // instance-level list empty; the interfaces carry the groups too.
            let security_group_ids = instance
                .security_groups()
                .iter()
                .filter_map(|g| g.group_id())
                .chain(
                    instance
                        .network_interfaces()
                        .iter()
                        .flat_map(|eni| eni.groups())
                        .filter_map(|g| g.group_id()),
                )
                .map(str::to_owned)
                .collect();
            out.instances.push(Instance {
                id: instance.instance_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                state: instance
                    .state()
                    .and_then(|s| s.name())
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default(),
                instance_type: instance
                    .instance_type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                image_id: instance.image_id().unwrap_or_default().to_owned(),
                vpc_id: instance.vpc_id().unwrap_or_default().to_owned(),
                subnet_id: instance.subnet_id().unwrap_or_default().to_owned(),
                availability_zone: instance
                    .placement()
                    .and_then(|p| p.availability_zone())
                    .unwrap_or_default()
                    .to_owned(),
                private_ip: instance.private_ip_address().map(str::to_owned),
                public_ip: instance.public_ip_address().map(str::to_owned),
                security_group_ids,
                auto_scaling_group: tags.get("aws:autoscaling:groupName").cloned(),
                key_name: instance.key_name().map(str::to_owned),
                source_dest_check: instance.source_dest_check().unwrap_or(true),
                tags,
            });
        }
    }
    let mut used: Vec<String> = out.instances.iter().map(|i| i.image_id.clone()).collect();
    used.sort();
    used.dedup();
    out.images = images(&client, &region, &used).await?;
    Ok(out)
}

/// The account's own AMIs and the (possibly public) AMIs in `used`.
async fn images(
    client: &Client,
    region: &str,
    used: &[String],
) -> Result<Vec<Image>, super::CallFailure> {
    let mut images = images_answering(region, client.describe_images().owners("self")).await?;
    images.extend(images_by_id(client, region, used).await?);
    images.sort_by(|a, b| a.id.cmp(&b.id));
    images.dedup_by(|a, b| a.id == b.id);
    Ok(images)
}

/// The AMIs of `ids` that DescribeImages returns. A filter, not `ImageIds`, because a
/// deregistered id in `ImageIds` fails the whole call; a deregistered, disabled or unshared
/// AMI is simply not returned. Deprecated AMIs are asked for: they still launch, and
/// without `ImageIds` DescribeImages leaves them out unless told to include them.
async fn images_by_id(
    client: &Client,
    region: &str,
    ids: &[String],
) -> Result<Vec<Image>, super::CallFailure> {
    let mut images = Vec::new();
    for chunk in ids.chunks(200) {
        let filter = Filter::builder()
            .name("image-id")
            .set_values(Some(chunk.to_vec()))
            .build();
        let request = client
            .describe_images()
            .filters(filter)
            .include_deprecated(true);
        images.extend(images_answering(region, request).await?);
    }
    Ok(images)
}

/// Every page of one DescribeImages request, as the inventory holds images.
async fn images_answering(
    region: &str,
    request: aws_sdk_ec2::operation::describe_images::builders::DescribeImagesFluentBuilder,
) -> Result<Vec<Image>, super::CallFailure> {
    let mut images = Vec::new();
    let mut pages = request.max_results(EC2_PAGE).into_paginator().send();
    while let Some(page) = pages.next().await {
        for image in page.map_err(failed("DescribeImages"))?.images() {
            images.push(Image {
                id: image.image_id().unwrap_or_default().to_owned(),
                region: region.to_owned(),
                name: image.name().unwrap_or_default().to_owned(),
                state: image
                    .state()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                owner_id: image.owner_id().unwrap_or_default().to_owned(),
                creation_date: image.creation_date().unwrap_or_default().to_owned(),
                tags: ec2_tags(image.tags()),
            });
        }
    }
    Ok(images)
}

/// The AMIs that `region`'s launch template versions and launch configurations name and
/// that the inventory does not hold yet (the instances' lookup read those they run): those
/// AWS returns join the images, the others are recorded missing. Run after the launch
/// settings are known, pinned versions included.
pub async fn launch_images(
    client: &Client,
    inventory: &mut Inventory,
    region: &str,
) -> Result<(), super::CallFailure> {
    let known: std::collections::BTreeSet<&str> = inventory
        .images
        .iter()
        .filter(|i| i.region == region)
        .map(|i| i.id.as_str())
        .collect();
    let wanted: Vec<String> = named_by_launch_settings(
        inventory,
        region,
        |v| v.image_id.as_deref().into_iter().collect(),
        |c| vec![c.image_id.as_str()],
    )
    .into_iter()
    .filter(|id| id.starts_with("ami-") && !known.contains(id))
    .map(str::to_owned)
    .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let found = images_by_id(client, region, &wanted).await?;
    for id in &wanted {
        if !found.iter().any(|image| &image.id == id) {
            inventory.missing_images.push(crate::inventory::NotFound {
                id: id.clone(),
                region: region.to_owned(),
            });
        }
    }
    inventory.images.extend(found);
    Ok(())
}

/// What `region`'s launch template versions and launch configurations name through
/// `named`, once each.
fn named_by_launch_settings<'i>(
    inventory: &'i Inventory,
    region: &str,
    of_version: impl Fn(&'i crate::inventory::LaunchTemplateVersion) -> Vec<&'i str>,
    of_configuration: impl Fn(&'i crate::inventory::LaunchConfiguration) -> Vec<&'i str>,
) -> std::collections::BTreeSet<&'i str> {
    inventory
        .launch_templates
        .iter()
        .filter(|t| t.region == region)
        .flat_map(|t| t.versions.iter().flat_map(&of_version))
        .chain(
            inventory
                .launch_configurations
                .iter()
                .filter(|c| c.region == region)
                .flat_map(&of_configuration),
        )
        .collect()
}

/// The security groups `region`'s launch settings name and the inventory does not hold,
/// asked for one at a time: those AWS answers `InvalidGroup.NotFound` for are recorded
/// missing. The region's groups are all collected, so this asks for none in most accounts.
pub async fn launch_security_groups(
    client: &Client,
    inventory: &mut Inventory,
    region: &str,
) -> Result<(), super::CallFailure> {
    let held: std::collections::BTreeSet<&str> = inventory
        .security_groups
        .iter()
        .filter(|g| g.region == region)
        .map(|g| g.id.as_str())
        .collect();
    let wanted: Vec<String> = named_by_launch_settings(
        inventory,
        region,
        |v| v.security_group_ids.iter().map(String::as_str).collect(),
        |c| c.security_group_ids.iter().map(String::as_str).collect(),
    )
    .into_iter()
    // A launch configuration of EC2-Classic days names groups by name: not looked up.
    .filter(|id| crate::inventory::is_security_group_id(id) && !held.contains(id))
    .map(str::to_owned)
    .collect();
    super::record_not_found(
        wanted,
        region,
        &mut inventory.missing_security_groups,
        |id| async move {
            match client.describe_security_groups().group_ids(id).send().await {
                Ok(_) => Ok(true),
                Err(error) if error.code() == Some("InvalidGroup.NotFound") => Ok(false),
                Err(error) => Err(super::failed("DescribeSecurityGroups")(error)),
            }
        },
    )
    .await
}

/// The key pairs `region`'s launch settings name and DescribeKeyPairs does not list (one
/// call lists them all; key pairs are not collected otherwise): recorded missing. No call
/// when no launch setting names one.
pub async fn launch_key_pairs(
    client: &Client,
    inventory: &mut Inventory,
    region: &str,
) -> Result<(), super::CallFailure> {
    let wanted: Vec<String> = named_by_launch_settings(
        inventory,
        region,
        |v| v.key_name.as_deref().into_iter().collect(),
        |c| c.key_name.as_deref().into_iter().collect(),
    )
    .into_iter()
    .map(str::to_owned)
    .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let answer = client
        .describe_key_pairs()
        .send()
        .await
        .map_err(super::failed("DescribeKeyPairs"))?;
    let held: std::collections::BTreeSet<&str> = answer
        .key_pairs()
        .iter()
        .filter_map(|k| k.key_name())
        .collect();
    for name in wanted {
        if !held.contains(name.as_str()) {
            inventory
                .missing_key_pairs
                .push(crate::inventory::NotFound {
                    id: name,
                    region: region.to_owned(),
                });
        }
    }
    Ok(())
}

/// Launch templates with their default and latest versions: two paginated calls in all,
/// because DescribeLaunchTemplateVersions without a template id covers every template.
pub async fn launch_templates(client: Client, region: String) -> UnitResult {
    let mut out = part();
    let mut pages = client
        .describe_launch_templates()
        .max_results(LAUNCH_TEMPLATE_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for template in page
            .map_err(failed("DescribeLaunchTemplates"))?
            .launch_templates()
        {
            out.launch_templates.push(LaunchTemplate {
                id: template.launch_template_id().unwrap_or_default().to_owned(),
                region: region.clone(),
                name: template
                    .launch_template_name()
                    .unwrap_or_default()
                    .to_owned(),
                default_version: template.default_version_number().unwrap_or(1),
                latest_version: template.latest_version_number().unwrap_or(1),
                versions: Vec::new(),
                tags: ec2_tags(template.tags()),
            });
        }
    }
    if out.launch_templates.is_empty() {
        return Ok(out);
    }
    let mut pages = client
        .describe_launch_template_versions()
        .versions("$Latest")
        .versions("$Default")
        .max_results(LAUNCH_TEMPLATE_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("DescribeLaunchTemplateVersions"))?;
        for version in page.launch_template_versions() {
            let Some(template) = out
                .launch_templates
                .iter_mut()
                .find(|t| Some(t.id.as_str()) == version.launch_template_id())
            else {
                continue; // created between the two calls; the next scan sees it
            };
            template.versions.push(template_version(version));
        }
    }
    Ok(out)
}

/// A launch template version as the inventory holds it.
fn template_version(version: &aws_sdk_ec2::types::LaunchTemplateVersion) -> LaunchTemplateVersion {
    let data = version.launch_template_data();
    let interfaces = data.map(|d| d.network_interfaces()).unwrap_or_default();
    LaunchTemplateVersion {
        version_number: version.version_number().unwrap_or(0),
        image_id: data.and_then(|d| d.image_id()).map(str::to_owned),
        instance_type: data
            .and_then(|d| d.instance_type())
            .map(|t| t.as_str().to_owned()),
        associate_public_ip: interfaces
            .first()
            .and_then(|eni| eni.associate_public_ip_address()),
        security_group_ids: data
            .map(|d| d.security_group_ids())
            .unwrap_or_default()
            .iter()
            .cloned()
            .chain(interfaces.iter().flat_map(|eni| eni.groups()).cloned())
            .collect(),
        has_user_data: data
            .and_then(|d| d.user_data())
            .is_some_and(|u| !u.is_empty()),
        joins_ecs_cluster: data
            .and_then(|d| d.user_data())
            .is_some_and(crate::inventory::user_data_joins_ecs_cluster),
        key_name: data.and_then(|d| d.key_name()).map(str::to_owned),
        security_group_names: data
            .map(|d| d.security_groups().to_vec())
            .unwrap_or_default(),
    }
}

/// The versions that groups of `region` pin by number (`"2"`) and that are neither the
/// default nor the latest, so [`launch_templates`] did not read them: one call per such
/// template, after the groups are known. Without them a group launching a pinned version
/// would be judged on a version nobody read.
pub async fn pinned_launch_template_versions(
    client: &Client,
    inventory: &mut Inventory,
    region: &str,
) -> Result<(), super::CallFailure> {
    let mut wanted: std::collections::BTreeMap<String, std::collections::BTreeSet<i64>> =
        Default::default();
    for group in inventory
        .auto_scaling_groups
        .iter()
        .filter(|g| g.region == region)
    {
        let Some(reference) = &group.launch_template else {
            continue;
        };
        let Ok(number) = reference.version.parse::<i64>() else {
            continue; // `$Latest` or `$Default`: read already
        };
        let template = inventory
            .launch_templates
            .iter()
            .find(|t| t.region == region && t.id == reference.id);
        let unread =
            template.is_some_and(|t| t.versions.iter().all(|v| v.version_number != number));
        if unread {
            wanted
                .entry(reference.id.clone())
                .or_default()
                .insert(number);
        }
    }
    for (template_id, numbers) in wanted {
        let answer = client
            .describe_launch_template_versions()
            .launch_template_id(&template_id)
            .set_versions(Some(numbers.iter().map(i64::to_string).collect()))
            .send()
            .await
            .map_err(failed("DescribeLaunchTemplateVersions"))?;
        let template = inventory
            .launch_templates
            .iter_mut()
            .find(|t| t.region == region && t.id == template_id)
            .expect("wanted only for known templates");
        for version in answer.launch_template_versions() {
            template.versions.push(template_version(version));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::operation::describe_route_tables::DescribeRouteTablesOutput;
    use aws_sdk_ec2::types::{Route as SdkRoute, RouteState, RouteTable as SdkRouteTable};
    use aws_smithy_mocks::{Rule, mock};

    fn answering(rule: &Rule) -> aws_sdk_ec2::Client {
        answering!(aws_sdk_ec2, rule)
    }

    /// moto never reports a route's state: the answer AWS gives after a NAT gateway is
    /// deleted is injected.
    #[tokio::test]
    async fn only_active_routes_are_kept() {
        let route = |destination: &str, target: &str, state: Option<RouteState>| {
            SdkRoute::builder()
                .destination_cidr_block(destination)
                .gateway_id(target)
                .set_state(state)
                .build()
        };
        let answer = mock!(aws_sdk_ec2::Client::describe_route_tables).then_output(move || {
            DescribeRouteTablesOutput::builder()
                .route_tables(
                    SdkRouteTable::builder()
                        .route_table_id("rtb-1")
                        .vpc_id("vpc-1")
                        .routes(route("10.0.0.0/16", "local", None))
                        .routes(route("0.0.0.0/0", "nat-gone", Some(RouteState::Blackhole)))
                        .routes(route("192.168.0.0/16", "pcx-1", Some(RouteState::Filtered)))
                        .routes(route("172.16.0.0/12", "tgw-1", Some(RouteState::Active)))
                        .build(),
                )
                .build()
        });
        let inventory = super::route_tables(answering(&answer), "us-east-1".into())
            .await
            .unwrap();
        let targets: Vec<&str> = inventory.route_tables[0]
            .routes
            .iter()
            .map(|r| r.target.as_str())
            .collect();
        assert_eq!(targets, ["local", "tgw-1"]);
    }

    /// A deprecated AMI still launches, and DescribeImages returns it to a filter only when
    /// asked to include deprecated AMIs: that AWS behaviour is injected (moto ignores the
    /// flag). A gone AMI is recorded missing, in its region.
    #[tokio::test]
    async fn a_deprecated_ami_is_found_and_a_gone_one_is_missing() {
        use aws_sdk_ec2::operation::describe_images::DescribeImagesOutput;
        use aws_sdk_ec2::types::{Image as SdkImage, ImageState};
        let answer = mock!(aws_sdk_ec2::Client::describe_images)
            .match_requests(|request| request.include_deprecated() == Some(true))
            .then_output(|| {
                DescribeImagesOutput::builder()
                    .images(
                        SdkImage::builder()
                            .image_id("ami-old")
                            .state(ImageState::Available)
                            .deprecation_time("2025-01-01T00:00:00.000Z")
                            .build(),
                    )
                    .build()
            });
        let mut inventory = crate::inventory::Inventory::default();
        for (id, image) in [("lt-1", "ami-old"), ("lt-2", "ami-gone")] {
            inventory
                .launch_templates
                .push(crate::inventory::LaunchTemplate {
                    id: id.into(),
                    region: "us-east-1".into(),
                    name: id.into(),
                    default_version: 1,
                    latest_version: 1,
                    versions: vec![crate::inventory::LaunchTemplateVersion {
                        version_number: 1,
                        image_id: Some(image.into()),
                        instance_type: None,
                        associate_public_ip: None,
                        security_group_ids: Vec::new(),
                        has_user_data: true,
                        joins_ecs_cluster: false,
                        key_name: None,
                        security_group_names: Vec::new(),
                    }],
                    tags: Default::default(),
                });
        }
        super::launch_images(&answering(&answer), &mut inventory, "us-east-1")
            .await
            .unwrap();
        let found: Vec<&str> = inventory.images.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(found, ["ami-old"]);
        assert_eq!(
            inventory.missing_images,
            [crate::inventory::NotFound {
                id: "ami-gone".into(),
                region: "us-east-1".into()
            }]
        );
    }

    /// A key pair launch settings name is recorded missing when DescribeKeyPairs does not
    /// list it; a failed call records nothing and becomes the inventory's warning
    /// (`DescribeKeyPairs`), which HA035 reads as not looked up.
    #[tokio::test]
    async fn a_key_pair_not_listed_is_recorded_missing() {
        use aws_sdk_ec2::operation::describe_key_pairs::{
            DescribeKeyPairsError, DescribeKeyPairsOutput,
        };
        use aws_sdk_ec2::types::KeyPairInfo;
        use aws_smithy_types::error::ErrorMetadata;

        let inventory = || {
            let mut inventory = crate::inventory::Inventory::default();
            for (id, key) in [("lt-1", "ops-2019"), ("lt-2", "ops")] {
                let document = serde_json::json!({"id": id, "region": "us-east-1", "name": id,
                    "default_version": 1, "latest_version": 1, "tags": {},
                    "versions": [{"version_number": 1, "has_user_data": true, "key_name": key}]});
                inventory
                    .launch_templates
                    .push(serde_json::from_value(document).unwrap());
            }
            inventory
        };
        let listed = mock!(aws_sdk_ec2::Client::describe_key_pairs).then_output(|| {
            DescribeKeyPairsOutput::builder()
                .key_pairs(KeyPairInfo::builder().key_name("ops").build())
                .build()
        });
        let mut found = inventory();
        super::launch_key_pairs(&answering(&listed), &mut found, "us-east-1")
            .await
            .unwrap();
        assert_eq!(
            found.missing_key_pairs,
            [crate::inventory::NotFound {
                id: "ops-2019".into(),
                region: "us-east-1".into()
            }]
        );
        assert_eq!(listed.num_calls(), 1);
        // Another region's launch settings are not this one's: no call at all.
        let mut elsewhere = inventory();
        super::launch_key_pairs(&answering(&listed), &mut elsewhere, "eu-west-1")
            .await
            .unwrap();
        assert!(elsewhere.missing_key_pairs.is_empty());
        assert_eq!(listed.num_calls(), 1);

        let refused = mock!(aws_sdk_ec2::Client::describe_key_pairs).then_error(|| {
            DescribeKeyPairsError::generic(
                ErrorMetadata::builder()
                    .code("UnauthorizedOperation")
                    .build(),
            )
        });
        let mut found = inventory();
        let failure = super::launch_key_pairs(&answering(&refused), &mut found, "us-east-1")
            .await
            .unwrap_err();
        assert_eq!(
            (failure.operation, failure.code.as_str()),
            ("DescribeKeyPairs", "UnauthorizedOperation")
        );
        assert!(found.missing_key_pairs.is_empty());
    }
}
