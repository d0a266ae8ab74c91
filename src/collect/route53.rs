//! Route 53 collector: hosted zones and their record sets (a global service).

use aws_sdk_route53::Client;

use super::{UnitResult, failed};
use crate::inventory::{AliasTarget, HostedZone, Inventory, RecordSet};

/// AWS's maximum page for ListResourceRecordSets.
const RECORD_PAGE: i32 = 300;

pub async fn zones_and_records(client: Client) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client.list_hosted_zones().into_paginator().send();
    while let Some(page) = pages.next().await {
        for zone in page.map_err(failed("ListHostedZones"))?.hosted_zones() {
            out.hosted_zones.push(HostedZone {
                id: zone.id().trim_start_matches("/hostedzone/").to_owned(),
                name: zone.name().to_owned(),
                private: zone.config().map(|c| c.private_zone()).unwrap_or(false),
            });
        }
    }
    for zone_index in 0..out.hosted_zones.len() {
        let zone_id = out.hosted_zones[zone_index].id.clone();
        records_of(&client, &zone_id, &mut out.record_sets).await?;
    }
    Ok(out)
}

/// ListResourceRecordSets has no generated paginator: it continues from the next record's
/// name, type and set identifier.
async fn records_of(
    client: &Client,
    zone_id: &str,
    records: &mut Vec<RecordSet>,
) -> Result<(), super::CallFailure> {
    let mut request = client
        .list_resource_record_sets()
        .hosted_zone_id(zone_id)
        .max_items(RECORD_PAGE);
    loop {
        let page = request
            .clone()
            .send()
            .await
            .map_err(failed("ListResourceRecordSets"))?;
        for record in page.resource_record_sets() {
            records.push(RecordSet {
                zone_id: zone_id.to_owned(),
                name: record.name().to_owned(),
                record_type: record.r#type().as_str().to_owned(),
                ttl: record.ttl(),
                values: record
                    .resource_records()
                    .iter()
                    .map(|r| r.value().to_owned())
                    .collect(),
                alias_target: record.alias_target().map(|alias| AliasTarget {
                    dns_name: alias.dns_name().to_owned(),
                    hosted_zone_id: alias.hosted_zone_id().to_owned(),
                    evaluate_target_health: alias.evaluate_target_health(),
                }),
                set_identifier: record.set_identifier().map(str::to_owned),
            });
        }
        if !page.is_truncated() {
            return Ok(());
        }
        request = request
            .set_start_record_name(page.next_record_name().map(str::to_owned))
            .set_start_record_type(page.next_record_type().cloned())
            .set_start_record_identifier(page.next_record_identifier().map(str::to_owned));
    }
}
