//! Auto Scaling: a group's capacity, health checks, target groups, subnets, launch
//! settings and scaling policies, and new groups. Instance refreshes are in `refresh`.

use super::step::{Done, StepError, StepResult, sdk_fail};
use super::{Apply, Context};
use crate::change::MANAGED_TAG;
use crate::change::{
    AttachClassicLoadBalancers, AttachTargetGroups, CreateAutoScalingGroup, PutScalingPolicy,
    SetCapacity, SetHealthCheck, SetMaintenancePolicy, SetSubnets,
};
use crate::collect::RegionClients;
use crate::collect::autoscaling::attachments;

/// Raises the group's minimum and maximum to the plan's (desired at least the new minimum);
/// satisfied when already there, refused when min or max changed since the plan.
pub(super) async fn set_capacity(
    c: &RegionClients,
    group: &str,
    min_size: &i32,
    max_size: &i32,
    before: &[i32; 3],
) -> StepResult {
    let live = live_group(c, group).await?;
    let (min, max, desired) = (
        live.min_size().unwrap_or(0),
        live.max_size().unwrap_or(0),
        live.desired_capacity().unwrap_or(0),
    );
    if min >= *min_size && max >= *max_size {
        return Ok(Done::Satisfied(None));
    }
    if min != before[0] || max != before[2] {
        return Err(StepError::Drift(format!(
            "`{group}` now has min {min} and max {max}; the plan expected min {} and max {}",
            before[0], before[2]
        )));
    }
    c.autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .min_size(*min_size)
        .max_size(*max_size.max(&max))
        .desired_capacity(desired.max(*min_size))
        .send()
        .await
        .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
    Ok(Done::Applied(None))
}

/// Switches the group's health checks; satisfied when already that type, refused when the
/// type changed since the plan.
pub(super) async fn set_health_check(
    c: &RegionClients,
    group: &str,
    health_check_type: &str,
    grace_period: &i32,
    before: &str,
) -> StepResult {
    let live = live_group(c, group).await?;
    let current = live.health_check_type().unwrap_or("EC2");
    if current == health_check_type {
        return Ok(Done::Satisfied(None));
    }
    if current != before {
        return Err(StepError::Drift(format!(
            "`{group}` now uses {current} health checks; the plan expected {before}"
        )));
    }
    c.autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .health_check_type(health_check_type)
        .health_check_grace_period(*grace_period)
        .send()
        .await
        .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
    Ok(Done::Applied(None))
}

/// What of `wanted` the group does not have yet (`present`), in the plan's order.
fn not_yet(wanted: &[String], present: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|item| !present.contains(item))
        .cloned()
        .collect()
}

/// Attaches the target groups the group is not in yet; satisfied when it is in all of them.
pub(super) async fn attach_target_groups(
    c: &RegionClients,
    group: &str,
    target_group_arns: &[String],
) -> StepResult {
    let live = live_group(c, group).await?;
    let missing = not_yet(target_group_arns, &attachments(&live).target_group_arns);
    if missing.is_empty() {
        return Ok(Done::Satisfied(None));
    }
    c.autoscaling
        .attach_load_balancer_target_groups()
        .auto_scaling_group_name(group)
        .set_target_group_arns(Some(missing))
        .send()
        .await
        .map_err(sdk_fail("AttachLoadBalancerTargetGroups"))?;
    Ok(Done::Applied(None))
}

/// Moves the group to the plan's subnets; satisfied when already there, refused when its
/// subnets changed since the plan.
pub(super) async fn set_subnets(
    c: &RegionClients,
    group: &str,
    subnet_ids: &[String],
    before: &[String],
) -> StepResult {
    let live = live_group(c, group).await?;
    let mut current: Vec<String> = live
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    current.sort();
    if current == subnet_ids {
        return Ok(Done::Satisfied(None));
    }
    let mut expected = before.to_vec();
    expected.sort();
    if current != expected {
        return Err(StepError::Drift(format!(
            "`{group}` now has subnets {}; the plan expected {}",
            current.join(","),
            expected.join(",")
        )));
    }
    c.autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .vpc_zone_identifier(subnet_ids.join(","))
        .send()
        .await
        .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
    Ok(Done::Applied(None))
}

/// Creates or updates the simple scaling policy `name`; satisfied when it exists with that
/// adjustment. Outputs its ARN.
pub(super) async fn put_scaling_policy(
    c: &RegionClients,
    group: &str,
    name: &str,
    adjustment: &i32,
) -> StepResult {
    if let Some((arn, live)) = scaling_policy(c, group, name).await?
        && live == Some(*adjustment)
    {
        return Ok(Done::Satisfied(Some(arn)));
    }
    c.autoscaling
        .put_scaling_policy()
        .auto_scaling_group_name(group)
        .policy_name(name)
        .policy_type("SimpleScaling")
        .adjustment_type("ChangeInCapacity")
        .scaling_adjustment(*adjustment)
        .cooldown(300)
        .send()
        .await
        .map_err(sdk_fail("PutScalingPolicy"))?;
    // moto answers PutScalingPolicy without the ARN; read it back.
    let (arn, _) = scaling_policy(c, group, name).await?.ok_or_else(|| {
        StepError::Failed(format!(
            "scaling policy `{name}` not found after creating it"
        ))
    })?;
    Ok(Done::Applied(Some(arn)))
}

/// Creates the stack's group (ELB health checks, the managed tag propagated to instances);
/// satisfied when a group of that name exists.
#[allow(clippy::too_many_arguments)] // one parameter per field of its action
pub(super) async fn create_group(
    c: &RegionClients,
    name: &str,
    launch_template_id: &str,
    subnet_ids: &[String],
    min_size: &i32,
    desired_capacity: &i32,
    max_size: &i32,
    target_group_arn: &str,
) -> StepResult {
    use aws_sdk_autoscaling::types::{LaunchTemplateSpecification, Tag};
    let found = c
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(sdk_fail("DescribeAutoScalingGroups"))?;
    if !found.auto_scaling_groups().is_empty() {
        return Ok(Done::Satisfied(Some(name.to_owned())));
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
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
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
    Ok(Done::Applied(Some(name.to_owned())))
}

/// The group as AWS has it now; refused (drift) when it no longer exists.
pub(super) async fn live_group(
    c: &RegionClients,
    name: &str,
) -> Result<aws_sdk_autoscaling::types::AutoScalingGroup, StepError> {
    let answer = c
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(sdk_fail("DescribeAutoScalingGroups"))?;
    answer
        .auto_scaling_groups()
        .first()
        .cloned()
        .ok_or_else(|| StepError::Drift(format!("Auto Scaling group `{name}` no longer exists")))
}

/// Makes the group launch the template's `$Latest` version.
pub(super) async fn point_at_template(
    c: &RegionClients,
    group: &str,
    template_id: &str,
) -> Result<(), StepError> {
    c.autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_id(template_id)
                .version("$Latest")
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
    Ok(())
}

/// (ARN, simple adjustment) of the group's policy named `name`.
async fn scaling_policy(
    c: &RegionClients,
    group: &str,
    name: &str,
) -> Result<Option<(String, Option<i32>)>, StepError> {
    let answer = c
        .autoscaling
        .describe_policies()
        .auto_scaling_group_name(group)
        .policy_names(name)
        .send()
        .await
        .map_err(sdk_fail("DescribePolicies"))?;
    Ok(answer
        .scaling_policies()
        .iter()
        .find(|p| p.policy_name() == Some(name))
        .map(|p| {
            (
                p.policy_arn().unwrap_or_default().to_owned(),
                p.scaling_adjustment(),
            )
        }))
}

/// Attaches, by name, the Classic Load Balancers the group does not attach yet; satisfied
/// when it attaches all of them.
pub(super) async fn attach_classic_load_balancers(
    c: &RegionClients,
    group: &str,
    load_balancer_names: &[String],
) -> StepResult {
    let live = live_group(c, group).await?;
    let missing = not_yet(load_balancer_names, &attachments(&live).load_balancer_names);
    if missing.is_empty() {
        return Ok(Done::Satisfied(None));
    }
    c.autoscaling
        .attach_load_balancers()
        .auto_scaling_group_name(group)
        .set_load_balancer_names(Some(missing))
        .send()
        .await
        .map_err(sdk_fail("AttachLoadBalancers"))?;
    Ok(Done::Applied(None))
}

impl Apply for AttachClassicLoadBalancers {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let AttachClassicLoadBalancers {
            group,
            load_balancer_names,
        } = self;
        attach_classic_load_balancers(ctx.regional()?, group, load_balancer_names).await
    }
}

impl Apply for SetCapacity {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let SetCapacity {
            group,
            min_size,
            max_size,
            before,
            ..
        } = self;
        set_capacity(ctx.regional()?, group, min_size, max_size, before).await
    }
}

impl Apply for SetHealthCheck {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let SetHealthCheck {
            group,
            health_check_type,
            grace_period,
            before,
        } = self;
        set_health_check(
            ctx.regional()?,
            group,
            health_check_type,
            grace_period,
            before,
        )
        .await
    }
}

impl Apply for SetMaintenancePolicy {
    /// Satisfied when the group already keeps at least the minimum; refused when its policy
    /// changed since the plan.
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let c = ctx.regional()?;
        let group = &self.group;
        let live = crate::collect::autoscaling::maintenance_policy(&live_group(c, group).await?);
        if live
            .min_healthy_percentage
            .is_some_and(|min| min >= self.min_healthy_percentage)
        {
            return Ok(Done::Satisfied(None));
        }
        if live != self.before {
            return Err(StepError::Drift(format!(
                "`{group}` now has instance maintenance policy {live}; the plan expected {}",
                self.before
            )));
        }
        c.autoscaling
            .update_auto_scaling_group()
            .auto_scaling_group_name(group)
            .instance_maintenance_policy(
                aws_sdk_autoscaling::types::InstanceMaintenancePolicy::builder()
                    .min_healthy_percentage(self.min_healthy_percentage)
                    .max_healthy_percentage(self.max_healthy_percentage)
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
        Ok(Done::Applied(None))
    }
}

impl Apply for AttachTargetGroups {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let AttachTargetGroups {
            group,
            target_group_arns,
        } = self;
        attach_target_groups(ctx.regional()?, group, target_group_arns).await
    }
}

impl Apply for SetSubnets {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let SetSubnets {
            group,
            subnet_ids,
            before,
        } = self;
        set_subnets(ctx.regional()?, group, subnet_ids, before).await
    }
}

impl Apply for PutScalingPolicy {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let PutScalingPolicy {
            group,
            name,
            adjustment,
        } = self;
        put_scaling_policy(ctx.regional()?, group, name, adjustment).await
    }
}

impl Apply for CreateAutoScalingGroup {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateAutoScalingGroup {
            name,
            launch_template_id,
            subnet_ids,
            min_size,
            desired_capacity,
            max_size,
            target_group_arn,
        } = self;
        create_group(
            ctx.regional()?,
            name,
            launch_template_id,
            subnet_ids,
            min_size,
            desired_capacity,
            max_size,
            target_group_arn,
        )
        .await
    }
}
