//! Classic Load Balancer collector (API `elasticloadbalancing`, 2012-06-01): each load
//! balancer with its listeners, health check, registered instances and cross-zone attribute.

use aws_sdk_elasticloadbalancing::Client;
use futures::{StreamExt, TryStreamExt};

use super::{CallFailure, UnitResult, failed};
use crate::inventory::{ClassicHealthCheck, ClassicListener, ClassicLoadBalancer, Inventory};

/// AWS's largest page for DescribeLoadBalancers.
const PAGE: i32 = 400;
/// Attribute reads in flight at once within a unit.
const FOLLOW_UPS: usize = 8;

/// The Classic Load Balancers `region`'s Auto Scaling groups name and the inventory does not
/// hold, asked for by name one at a time: those AWS answers `LoadBalancerNotFound` for are
/// recorded missing. Run after the units (see `elbv2::named_target_groups`).
pub async fn named_load_balancers(
    client: &Client,
    inventory: &mut Inventory,
    region: &str,
) -> Result<(), CallFailure> {
    let held = inventory
        .classic_load_balancers
        .iter()
        .filter(|lb| lb.region == region)
        .map(|lb| lb.name.as_str())
        .collect();
    let wanted =
        super::named_by_groups_not_held(inventory, region, |g| &g.load_balancer_names, &held);
    super::record_not_found(
        wanted,
        region,
        &mut inventory.missing_classic_load_balancers,
        |name| async move {
            match client
                .describe_load_balancers()
                .load_balancer_names(name)
                .send()
                .await
            {
                Ok(_) => Ok(true),
                // `LoadBalancerNotFound`, as the API names it.
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(|e| e.is_access_point_not_found_exception()) =>
                {
                    Ok(false)
                }
                Err(error) => Err(failed("DescribeLoadBalancers")(error)),
            }
        },
    )
    .await
}

pub async fn classic_load_balancers(
    client: Client,
    region: String,
    account_id: String,
) -> UnitResult {
    let mut found = Vec::new();
    let mut pages = client
        .describe_load_balancers()
        .page_size(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for lb in page
            .map_err(failed("DescribeLoadBalancers"))?
            .load_balancer_descriptions()
        {
            let name = lb.load_balancer_name().unwrap_or_default().to_owned();
            found.push(ClassicLoadBalancer {
                arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{account_id}:loadbalancer/{name}"
                ),
                name,
                region: region.clone(),
                scheme: lb.scheme().unwrap_or("internet-facing").to_owned(),
                vpc_id: lb.vpc_id().unwrap_or_default().to_owned(),
                availability_zones: lb.availability_zones().to_vec(),
                subnet_ids: lb.subnets().to_vec(),
                security_group_ids: lb.security_groups().to_vec(),
                dns_name: lb.dns_name().unwrap_or_default().to_owned(),
                canonical_hosted_zone_id: lb
                    .canonical_hosted_zone_name_id()
                    .unwrap_or_default()
                    .to_owned(),
                listeners: lb
                    .listener_descriptions()
                    .iter()
                    .filter_map(|d| d.listener())
                    .map(|l| ClassicListener {
                        protocol: l.protocol().to_uppercase(),
                        port: l.load_balancer_port(),
                        instance_protocol: l
                            .instance_protocol()
                            .unwrap_or(l.protocol())
                            .to_uppercase(),
                        instance_port: l.instance_port(),
                    })
                    .collect(),
                health_check: lb.health_check().map(|h| ClassicHealthCheck {
                    target: h.target().to_owned(),
                    interval_seconds: h.interval(),
                    timeout_seconds: h.timeout(),
                    healthy_threshold: h.healthy_threshold(),
                    unhealthy_threshold: h.unhealthy_threshold(),
                }),
                instance_ids: lb
                    .instances()
                    .iter()
                    .filter_map(|i| i.instance_id().map(str::to_owned))
                    .collect(),
                cross_zone: false,
                connection_draining: None,
                tags: Default::default(),
                tags_unread: false,
            });
        }
    }
    let names: Vec<String> = found.iter().map(|lb| lb.name.clone()).collect();
    let attributes: Vec<(bool, Option<i32>)> = futures::stream::iter(names)
        .map(|name| attributes_of(&client, name))
        .buffered(FOLLOW_UPS)
        .try_collect()
        .await?;
    for (lb, (cross_zone, connection_draining)) in found.iter_mut().zip(attributes) {
        lb.cross_zone = cross_zone;
        lb.connection_draining = connection_draining;
    }
    let mut out = Inventory::default();
    if let Err(failure) = tags_of(&client, &mut found).await {
        // Only who owns them is missing: a warning, the load balancers kept.
        super::warn(&mut out, "elasticloadbalancing", region.clone(), failure);
    }
    out.classic_load_balancers = found;
    Ok(out)
}

/// Fills each load balancer's tags (one DescribeTags per 20 names).
async fn tags_of(
    client: &Client,
    load_balancers: &mut [ClassicLoadBalancer],
) -> Result<(), CallFailure> {
    super::tags_in_batches(
        load_balancers,
        |lb| lb.name.clone(),
        |names| {
            let call = client.describe_tags().set_load_balancer_names(Some(names));
            async move {
                let answer = call.send().await.map_err(failed("DescribeTags"))?;
                Ok(answer
                    .tag_descriptions()
                    .iter()
                    .map(|d| {
                        let tags = super::tag_map(d.tags(), |t| (Some(t.key()), t.value()));
                        (d.load_balancer_name().unwrap_or_default().to_owned(), tags)
                    })
                    .collect())
            }
        },
        |lb, tags| lb.tags = tags,
        |lb| lb.tags_unread = true,
    )
    .await
}

/// Whether it balances across zones, and how long it drains a leaving instance (0: off).
async fn attributes_of(client: &Client, name: String) -> Result<(bool, Option<i32>), CallFailure> {
    let answer = client
        .describe_load_balancer_attributes()
        .load_balancer_name(name)
        .send()
        .await
        .map_err(failed("DescribeLoadBalancerAttributes"))?;
    let attributes = answer.load_balancer_attributes();
    let cross_zone = attributes
        .and_then(|a| a.cross_zone_load_balancing())
        .is_some_and(|c| c.enabled());
    let draining = attributes.and_then(|a| a.connection_draining()).map(|d| {
        if d.enabled() {
            d.timeout().unwrap_or(300)
        } else {
            0
        }
    });
    Ok((cross_zone, draining))
}
