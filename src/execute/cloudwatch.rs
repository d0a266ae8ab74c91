//! CloudWatch: the alarms on a group's average CPU and on a load balancer's unhealthy
//! targets, and an alarm's actions turned on.

use super::step::{Done, StepError, StepResult, sdk_fail};
use super::{Apply, Context};
use crate::change::MANAGED_TAG;
use crate::change::{EnableAlarmActions, PutCpuAlarm, PutHealthAlarm};
use crate::collect::RegionClients;

/// The tag on the alarms the plan creates.
fn managed_tag() -> aws_sdk_cloudwatch::types::Tag {
    aws_sdk_cloudwatch::types::Tag::builder()
        .key(MANAGED_TAG.0)
        .value(MANAGED_TAG.1)
        .build()
}

/// Creates or updates the CPU alarm `name` on the group; satisfied when it exists with the
/// same threshold, operator, group dimension and actions.
pub(super) async fn put_cpu_alarm(
    c: &RegionClients,
    group: &str,
    name: &str,
    operator: &str,
    threshold: f64,
    actions: &[String],
) -> StepResult {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    let answer = c
        .cloudwatch
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .map_err(sdk_fail("DescribeAlarms"))?;
    let existing = answer.metric_alarms().first();
    if let Some(alarm) = existing {
        let mut live: Vec<&String> = alarm.alarm_actions().iter().collect();
        live.sort();
        let mut wanted: Vec<&String> = actions.iter().collect();
        wanted.sort();
        let same = alarm.threshold() == Some(threshold)
            && alarm.comparison_operator().map(|o| o.as_str()) == Some(operator)
            && alarm.statistic() == Some(&Statistic::Average)
            && alarm.actions_enabled() == Some(true)
            && alarm
                .dimensions()
                .iter()
                .any(|d| d.name() == Some("AutoScalingGroupName") && d.value() == Some(group))
            && live == wanted;
        if same {
            return Ok(Done::Satisfied(alarm.alarm_arn().map(str::to_owned)));
        }
    }
    // PutMetricAlarm replaces the whole alarm: an alarm mended in place keeps what the
    // step does not change (its other actions, periods, missing-data treatment).
    let kept = |f: fn(&aws_sdk_cloudwatch::types::MetricAlarm) -> Option<i32>, default: i32| {
        existing.and_then(f).unwrap_or(default)
    };
    c.cloudwatch
        .put_metric_alarm()
        .set_ok_actions(existing.map(|a| a.ok_actions().to_vec()))
        .set_insufficient_data_actions(existing.map(|a| a.insufficient_data_actions().to_vec()))
        .set_datapoints_to_alarm(existing.and_then(|a| a.datapoints_to_alarm()))
        .set_treat_missing_data(
            existing
                .and_then(|a| a.treat_missing_data())
                .map(str::to_owned),
        )
        .alarm_name(name)
        .alarm_description(format!("hacheck: average CPU of {group}"))
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .statistic(Statistic::Average)
        .period(kept(|a| a.period(), 300))
        .evaluation_periods(kept(|a| a.evaluation_periods(), 2))
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::from(operator))
        .dimensions(
            Dimension::builder()
                .name("AutoScalingGroupName")
                .value(group)
                .build(),
        )
        .actions_enabled(true)
        .set_alarm_actions(Some(actions.to_vec()))
        .tags(managed_tag())
        .send()
        .await
        .map_err(sdk_fail("PutMetricAlarm"))?;
    Ok(Done::Applied(None))
}

impl Apply for PutCpuAlarm {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let PutCpuAlarm {
            group,
            name,
            comparison_operator,
            threshold,
            actions,
        } = self;
        put_cpu_alarm(
            ctx.regional()?,
            group,
            name,
            comparison_operator,
            *threshold,
            actions,
        )
        .await
    }
}

impl Apply for EnableAlarmActions {
    /// Re-reads the alarm: gone is drift, actions on already is done.
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let c = ctx.regional()?;
        let answer = c
            .cloudwatch
            .describe_alarms()
            .alarm_names(&self.alarm_name)
            .send()
            .await
            .map_err(sdk_fail("DescribeAlarms"))?;
        let Some(alarm) = answer
            .metric_alarms()
            .iter()
            .find(|a| a.alarm_arn() == Some(self.alarm_arn.as_str()))
        else {
            return Err(StepError::Drift(format!(
                "alarm {} no longer exists",
                self.alarm_name
            )));
        };
        if alarm.actions_enabled() == Some(true) {
            return Ok(Done::Satisfied(None));
        }
        c.cloudwatch
            .enable_alarm_actions()
            .alarm_names(&self.alarm_name)
            .send()
            .await
            .map_err(sdk_fail("EnableAlarmActions"))?;
        Ok(Done::Applied(None))
    }
}

impl Apply for PutHealthAlarm {
    /// Satisfied when alarm `name` already watches this metric of these dimensions and
    /// notifies at least these actions; an alarm of that name watching something else is
    /// someone's, refused.
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
        let c = ctx.regional()?;
        let answer = c
            .cloudwatch
            .describe_alarms()
            .alarm_names(&self.name)
            .send()
            .await
            .map_err(sdk_fail("DescribeAlarms"))?;
        if let Some(alarm) = answer.metric_alarms().first() {
            let dimensions: std::collections::BTreeMap<String, String> = alarm
                .dimensions()
                .iter()
                .map(|d| {
                    (
                        d.name().unwrap_or_default().to_owned(),
                        d.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            let watches = alarm.namespace() == Some(self.namespace.as_str())
                && alarm.metric_name() == Some(PutHealthAlarm::METRIC)
                && dimensions == self.dimensions();
            if !watches {
                return Err(StepError::Drift(format!(
                    "alarm `{}` exists and watches something else: it is not changed here",
                    self.name
                )));
            }
            if alarm.actions_enabled() == Some(true)
                && self
                    .actions
                    .iter()
                    .all(|a| alarm.alarm_actions().contains(a))
            {
                return Ok(Done::Satisfied(alarm.alarm_arn().map(str::to_owned)));
            }
            return Err(StepError::Drift(format!(
                "alarm `{}` exists with other actions: it is not changed here",
                self.name
            )));
        }
        let mut request = c
            .cloudwatch
            .put_metric_alarm()
            .alarm_name(&self.name)
            .alarm_description("hacheck: the load balancer's unhealthy targets")
            .namespace(&self.namespace)
            .metric_name(PutHealthAlarm::METRIC)
            .statistic(Statistic::from(PutHealthAlarm::STATISTIC))
            .period(PutHealthAlarm::PERIOD)
            .evaluation_periods(PutHealthAlarm::EVALUATION_PERIODS)
            .threshold(0.0)
            .comparison_operator(ComparisonOperator::from(PutHealthAlarm::OPERATOR))
            .actions_enabled(true)
            .set_alarm_actions(Some(self.actions.clone()))
            .tags(managed_tag());
        for (name, value) in &self.dimensions() {
            request = request.dimensions(Dimension::builder().name(name).value(value).build());
        }
        request.send().await.map_err(sdk_fail("PutMetricAlarm"))?;
        Ok(Done::Applied(None))
    }
}
