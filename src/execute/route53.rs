//! Route 53 (global): the alias record of the application's name.

use super::step::{Done, StepError, StepResult, sdk_fail};
use super::{Apply, Context};
use crate::change::{AliasToLoadBalancer, UpsertAliasRecord};
use crate::inventory::normalize_dns;

/// Creates or updates the A alias `name` in `zone_id` to `dns_name` (in `target_zone_id`);
/// satisfied when the record already aliases that name, in whatever form Route 53 stores it.
pub(super) async fn upsert_alias(
    route53: &aws_sdk_route53::Client,
    zone_id: &str,
    name: &str,
    dns_name: &str,
    target_zone_id: &str,
) -> StepResult {
    use aws_sdk_route53::types::{
        AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
    };
    let existing = route53
        .list_resource_record_sets()
        .hosted_zone_id(zone_id)
        .start_record_name(name)
        .start_record_type(RrType::A)
        .max_items(1)
        .send()
        .await
        .map_err(sdk_fail("ListResourceRecordSets"))?;
    let current = existing
        .resource_record_sets()
        .iter()
        .find(|r| r.name() == name && r.r#type() == &RrType::A);
    if current
        .and_then(|r| r.alias_target())
        .is_some_and(|a| normalize_dns(a.dns_name()) == normalize_dns(dns_name))
    {
        return Ok(Done::Satisfied(None));
    }
    let build = |e: aws_sdk_route53::error::BuildError| {
        StepError::Failed(format!("building the change: {e}"))
    };
    let record = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .alias_target(
            AliasTarget::builder()
                .dns_name(dns_name)
                .hosted_zone_id(target_zone_id)
                .evaluate_target_health(true)
                .build()
                .map_err(build)?,
        )
        .build()
        .map_err(build)?;
    let change = Change::builder()
        .action(ChangeAction::Upsert)
        .resource_record_set(record)
        .build()
        .map_err(build)?;
    route53
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .changes(change)
                .comment("hacheck: alias to the load balancer")
                .build()
                .map_err(build)?,
        )
        .send()
        .await
        .map_err(sdk_fail("ChangeResourceRecordSets"))?;
    Ok(Done::Applied(None))
}

impl Apply for UpsertAliasRecord {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let UpsertAliasRecord {
            zone_id,
            name,
            dns_name,
            target_zone_id,
        } = self;
        upsert_alias(ctx.route53(), zone_id, name, dns_name, target_zone_id).await
    }
}

impl Apply for AliasToLoadBalancer {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let AliasToLoadBalancer {
            zone_id,
            name,
            load_balancer_arn,
        } = self;
        let (dns_name, target_zone_id) =
            super::elbv2::load_balancer_dns(ctx.regional()?, load_balancer_arn).await?;
        upsert_alias(ctx.route53(), zone_id, name, &dns_name, &target_zone_id).await
    }
}
