//! Elastic Load Balancing (Classic): cross-zone load balancing and connection draining on a
//! load balancer.

use aws_sdk_elasticloadbalancing::types::{
    ConnectionDraining, CrossZoneLoadBalancing, LoadBalancerAttributes,
};

use super::step::{Done, StepResult, gone_or_fail, sdk_fail};
use super::{Apply, Context};
use crate::change::{EnableConnectionDraining, EnableCrossZone};
use crate::collect::RegionClients;

/// Turns cross-zone balancing on; satisfied when it is on, refused when the load balancer
/// is gone.
pub(super) async fn enable_cross_zone(c: &RegionClients, name: &str) -> StepResult {
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
    if answer
        .load_balancer_attributes()
        .and_then(|a| a.cross_zone_load_balancing())
        .is_some_and(|c| c.enabled())
    {
        return Ok(Done::Satisfied(None));
    }
    c.elb
        .modify_load_balancer_attributes()
        .load_balancer_name(name)
        .load_balancer_attributes(
            LoadBalancerAttributes::builder()
                .cross_zone_load_balancing(CrossZoneLoadBalancing::builder().enabled(true).build())
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("ModifyLoadBalancerAttributes"))?;
    Ok(Done::Applied(None))
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
        let name = &self.load_balancer;
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
        let draining = answer
            .load_balancer_attributes()
            .and_then(|a| a.connection_draining());
        if draining.is_some_and(|d| d.enabled() && d.timeout().unwrap_or(300) >= self.seconds) {
            return Ok(Done::Satisfied(None));
        }
        c.elb
            .modify_load_balancer_attributes()
            .load_balancer_name(name)
            .load_balancer_attributes(
                LoadBalancerAttributes::builder()
                    .connection_draining(
                        ConnectionDraining::builder()
                            .enabled(true)
                            .timeout(self.seconds)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_fail("ModifyLoadBalancerAttributes"))?;
        Ok(Done::Applied(None))
    }
}
