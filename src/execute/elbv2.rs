//! Elastic Load Balancing (v2): a load balancer's subnets and deletion protection, a target
//! group's cross-zone balancing, and new target groups, load
//! balancers and listeners.

use super::step::{Done, StepError, StepResult, gone_or_fail, sdk_fail};
use super::{Apply, Context};
use crate::change::MANAGED_TAG;
use crate::change::{
    CreateListener, CreateLoadBalancer, CreateTargetGroup, EnableDeletionProtection,
    EnableTargetGroupCrossZone, SetDeregistrationDelay, SetLoadBalancerSubnets,
};
use crate::collect::RegionClients;

/// Sets the load balancer's subnets; satisfied when already those, refused when they changed
/// since the plan.
pub(super) async fn set_subnets(
    c: &RegionClients,
    load_balancer_arn: &str,
    name: &str,
    subnet_ids: &[String],
    before: &[String],
) -> StepResult {
    let found = c
        .elbv2
        .describe_load_balancers()
        .load_balancer_arns(load_balancer_arn)
        .send()
        .await
        .map_err(sdk_fail("DescribeLoadBalancers"))?;
    let live = found
        .load_balancers()
        .first()
        .ok_or_else(|| StepError::Drift(format!("load balancer `{name}` no longer exists")))?;
    let mut current: Vec<String> = live
        .availability_zones()
        .iter()
        .filter_map(|z| z.subnet_id().map(str::to_owned))
        .collect();
    current.sort();
    let mut wanted = subnet_ids.to_vec();
    wanted.sort();
    if current == wanted {
        return Ok(Done::Satisfied(None));
    }
    let mut expected = before.to_vec();
    expected.sort();
    if current != expected {
        return Err(StepError::Drift(format!(
            "`{name}` now has subnets {}; the plan expected {}",
            current.join(","),
            expected.join(",")
        )));
    }
    c.elbv2
        .set_subnets()
        .load_balancer_arn(load_balancer_arn)
        .set_subnets(Some(wanted))
        .send()
        .await
        .map_err(sdk_fail("SetSubnets"))?;
    Ok(Done::Applied(None))
}

/// The target group of that name, else a new HTTP instance target group.
pub(super) async fn create_target_group(
    c: &RegionClients,
    name: &str,
    vpc_id: &str,
    port: &i32,
    health_check_path: &str,
) -> StepResult {
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
        .tags(
            Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
                .build(),
        )
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

/// The load balancer of that name, else a new internet-facing Application Load Balancer.
pub(super) async fn create_load_balancer(
    c: &RegionClients,
    name: &str,
    subnet_ids: &[String],
    security_group_id: &str,
) -> StepResult {
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
        .set_subnets(Some(subnet_ids.to_vec()))
        .security_groups(security_group_id)
        .tags(
            Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("CreateLoadBalancer"))?;
    let arn = created
        .load_balancers()
        .first()
        .and_then(|l| l.load_balancer_arn())
        .map(str::to_owned);
    // What hacheck builds passes its own rules: protected from deletion (HA022).
    if let Some(arn) = &arn {
        protect_from_deletion(c, arn).await?;
    }
    Ok(Done::Applied(arn))
}

/// Turns a load balancer's deletion protection on.
async fn protect_from_deletion(c: &RegionClients, arn: &str) -> Result<(), StepError> {
    c.elbv2
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder()
                .key(DELETION_PROTECTION)
                .value("true")
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("ModifyLoadBalancerAttributes"))?;
    Ok(())
}

const DELETION_PROTECTION: &str = "deletion_protection.enabled";

/// Turns deletion protection on; satisfied when it is on, refused when the load balancer is
/// gone.
async fn enable_deletion_protection(c: &RegionClients, arn: &str) -> StepResult {
    let answer = c
        .elbv2
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(gone_or_fail(
            "DescribeLoadBalancerAttributes",
            "LoadBalancerNotFound",
            || format!("load balancer `{arn}`"),
        ))?;
    if answer
        .attributes()
        .iter()
        .any(|a| a.key() == Some(DELETION_PROTECTION) && a.value() == Some("true"))
    {
        return Ok(Done::Satisfied(None));
    }
    protect_from_deletion(c, arn).await?;
    Ok(Done::Applied(None))
}

impl Apply for EnableDeletionProtection {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        enable_deletion_protection(ctx.regional()?, &self.load_balancer_arn).await
    }
}

/// The load balancer's listener on that port, else a new one forwarding to the target group
/// (or, without one, redirecting to HTTPS on 443).
pub(super) async fn create_listener(
    c: &RegionClients,
    load_balancer_arn: &str,
    port: &i32,
    certificate_arn: &Option<String>,
    forward_to: &Option<String>,
) -> StepResult {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action as LbAction, ActionTypeEnum, Certificate, ProtocolEnum, RedirectActionConfig,
        RedirectActionStatusCodeEnum,
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
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
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

/// Sets target-group attribute `key` to `value`; satisfied when it is so already, refused
/// when the target group is gone.
async fn set_target_group_attribute(
    c: &RegionClients,
    arn: &str,
    key: &str,
    value: &str,
) -> StepResult {
    let answer = c
        .elbv2
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(gone_or_fail(
            "DescribeTargetGroupAttributes",
            "TargetGroupNotFound",
            || format!("target group `{arn}`"),
        ))?;
    if answer
        .attributes()
        .iter()
        .any(|a| a.key() == Some(key) && a.value() == Some(value))
    {
        return Ok(Done::Satisfied(None));
    }
    c.elbv2
        .modify_target_group_attributes()
        .target_group_arn(arn)
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::TargetGroupAttribute::builder()
                .key(key)
                .value(value)
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("ModifyTargetGroupAttributes"))?;
    Ok(Done::Applied(None))
}

impl Apply for EnableTargetGroupCrossZone {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let key = "load_balancing.cross_zone.enabled";
        set_target_group_attribute(ctx.regional()?, &self.target_group_arn, key, "true").await
    }
}

impl Apply for SetDeregistrationDelay {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let key = "deregistration_delay.timeout_seconds";
        let seconds = self.seconds.to_string();
        set_target_group_attribute(ctx.regional()?, &self.target_group_arn, key, &seconds).await
    }
}

impl Apply for SetLoadBalancerSubnets {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let SetLoadBalancerSubnets {
            load_balancer_arn,
            name,
            subnet_ids,
            before,
        } = self;
        set_subnets(ctx.regional()?, load_balancer_arn, name, subnet_ids, before).await
    }
}

impl Apply for CreateTargetGroup {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateTargetGroup {
            name,
            vpc_id,
            port,
            health_check_path,
        } = self;
        create_target_group(ctx.regional()?, name, vpc_id, port, health_check_path).await
    }
}

impl Apply for CreateLoadBalancer {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateLoadBalancer {
            name,
            subnet_ids,
            security_group_id,
        } = self;
        create_load_balancer(ctx.regional()?, name, subnet_ids, security_group_id).await
    }
}

impl Apply for CreateListener {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateListener {
            load_balancer_arn,
            port,
            certificate_arn,
            forward_to,
        } = self;
        create_listener(
            ctx.regional()?,
            load_balancer_arn,
            port,
            certificate_arn,
            forward_to,
        )
        .await
    }
}
