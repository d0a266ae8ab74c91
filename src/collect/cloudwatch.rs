//! CloudWatch collector: metric alarms (composite alarms are not part of the architecture).

use aws_sdk_cloudwatch::Client;

use super::{UnitResult, failed};
use crate::inventory::{Inventory, MetricAlarm};

/// AWS's maximum page for DescribeAlarms (moto ignores it and returns everything).
const PAGE: i32 = 100;

pub async fn metric_alarms(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_alarms()
        .max_records(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for alarm in page.map_err(failed("DescribeAlarms"))?.metric_alarms() {
            out.metric_alarms.push(MetricAlarm {
                name: alarm.alarm_name().unwrap_or_default().to_owned(),
                arn: alarm.alarm_arn().unwrap_or_default().to_owned(),
                region: region.clone(),
                namespace: alarm.namespace().map(str::to_owned),
                metric_name: alarm.metric_name().map(str::to_owned),
                statistic: alarm
                    .statistic()
                    .map(|s| s.as_str().to_owned())
                    .or_else(|| alarm.extended_statistic().map(str::to_owned)),
                period: alarm.period(),
                evaluation_periods: alarm.evaluation_periods().unwrap_or(1),
                threshold: alarm.threshold(),
                comparison_operator: alarm
                    .comparison_operator()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
                dimensions: alarm
                    .dimensions()
                    .iter()
                    .filter_map(|d| Some((d.name()?.to_owned(), d.value()?.to_owned())))
                    .collect(),
                actions_enabled: alarm.actions_enabled().unwrap_or(true),
                alarm_actions: alarm.alarm_actions().to_vec(),
                ok_actions: alarm.ok_actions().to_vec(),
                insufficient_data_actions: alarm.insufficient_data_actions().to_vec(),
            });
        }
    }
    Ok(out)
}
