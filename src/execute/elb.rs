//! Elastic Load Balancing (Classic): cross-zone load balancing and connection draining on a
//! load balancer.

use aws_sdk_elasticloadbalancing::types::{
    ConnectionDraining, CrossZoneLoadBalancing, LoadBalancerAttributes,
};

use super::step::{Done, StepError, StepResult, gone_or_fail, sdk_fail};
use super::{Apply, Context};
use crate::change::{EnableConnectionDraining, EnableCrossZone};
use crate::collect::RegionClients;

/// The load balancer's attributes, re-read; refused when it is gone.
async fn attributes_of(
    c: &RegionClients,
    name: &str,
) -> Result<Option<LoadBalancerAttributes>, StepError> {
    let answer = c
        .elb
        .describe_load_balancer_attributes()
        .load_balancer_name(name)
        .send()
        .await
        .map_err(gone_or_fail(
            "DescribeLoadBalancerAttributes",
            "LoadBalancerNotFound",
            || format!("Classic Load Balancer `{name}`"),
        ))?;
    Ok(answer.load_balancer_attributes().cloned())
}

/// Sets the attributes `changed` holds, leaving the others as they are.
async fn modify(c: &RegionClients, name: &str, changed: LoadBalancerAttributes) -> StepResult {
    c.elb
        .modify_load_balancer_attributes()
        .load_balancer_name(name)
        .load_balancer_attributes(changed)
        .send()
        .await
        .map_err(sdk_fail("ModifyLoadBalancerAttributes"))?;
    Ok(Done::Applied(None))
}

/// Turns cross-zone balancing on; satisfied when it is on, refused when the load balancer
/// is gone.
pub(super) async fn enable_cross_zone(c: &RegionClients, name: &str) -> StepResult {
    let attributes = attributes_of(c, name).await?;
    if attributes
        .as_ref()
        .and_then(|a| a.cross_zone_load_balancing())
        .is_some_and(|c| c.enabled())
    {
        return Ok(Done::Satisfied(None));
    }
    let changed = LoadBalancerAttributes::builder()
        .cross_zone_load_balancing(CrossZoneLoadBalancing::builder().enabled(true).build())
        .build();
    modify(c, name, changed).await
}

impl Apply for EnableCrossZone {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let EnableCrossZone { load_balancer } = self;
        enable_cross_zone(ctx.regional()?, load_balancer).await
    }
}

impl Apply for EnableConnectionDraining {
    /// Satisfied when draining is on for at least `seconds`; refused when the load balancer
    /// is gone.
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let c = ctx.regional()?;
        let attributes = attributes_of(c, &self.load_balancer).await?;
        let draining = attributes.as_ref().and_then(|a| a.connection_draining());
        if draining.is_some_and(|d| d.enabled() && d.timeout().unwrap_or(300) >= self.seconds) {
            return Ok(Done::Satisfied(None));
        }
        let changed = LoadBalancerAttributes::builder()
            .connection_draining(
                ConnectionDraining::builder()
                    .enabled(true)
                    .timeout(self.seconds)
                    .build(),
            )
            .build();
        modify(c, &self.load_balancer, changed).await
    }
}
