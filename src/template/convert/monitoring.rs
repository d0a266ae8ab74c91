//! CloudWatch alarms, SNS topics and their subscriptions.

use super::*;

/// Converts one resource of a type of this service; other types are left alone.
pub(super) fn one(inv: &mut Inventory, joins: &mut Joins, r: &mut Recorder, kind: &str) -> Step {
    let region = inv.regions[0].clone();
    match kind {
        "AWS::CloudWatch::Alarm" => {
            let mut dimensions = BTreeMap::new();
            for item in &r.items("Dimensions", "dimensions")? {
                let d = r.eval(item)?;
                match (d.get("Name"), d.get("Value")) {
                    (Some(Value::Text(name)), Some(Value::Text(value))) => {
                        dimensions.insert(name.clone(), value.clone());
                    }
                    (_, Some(Value::Unknown(reason))) => r.unknown("dimensions", reason.clone()),
                    _ => {}
                }
            }
            if let Some(entry) = r.properties_entry("Dimensions") {
                r.at("dimensions", entry);
            }
            let name = r.name(kind)?;
            let alarm = MetricAlarm {
                arn: format!(
                    "arn:aws:cloudwatch:{region}:{}:alarm:{name}",
                    inv.account_id
                ),
                name,
                region,
                namespace: r.text("Namespace", "namespace")?,
                metric_name: r.text("MetricName", "metric_name")?,
                statistic: r.text("Statistic", "statistic")?,
                period: r.int("Period", "period")?,
                evaluation_periods: r
                    .int("EvaluationPeriods", "evaluation_periods")?
                    .unwrap_or(1),
                threshold: r.number("Threshold", "threshold")?,
                comparison_operator: r
                    .text("ComparisonOperator", "comparison_operator")?
                    .unwrap_or_default(),
                dimensions,
                actions_enabled: r.flag("ActionsEnabled", "actions_enabled")?.unwrap_or(true),
                alarm_actions: r.list("AlarmActions", "alarm_actions")?,
                ok_actions: r.list("OKActions", "ok_actions")?,
                insufficient_data_actions: r
                    .list("InsufficientDataActions", "insufficient_data_actions")?,
            };
            push_source(inv, r, &alarm);
            inv.metric_alarms.push(alarm);
        }
        "AWS::SNS::Topic" => {
            let mut subscriptions = Vec::new();
            for (n, item) in r.items("Subscription", "subscriptions")?.iter().enumerate() {
                let s = r.eval(item)?;
                let protocol = s
                    .get("Protocol")
                    .and_then(Value::text)
                    .unwrap_or_default()
                    .to_owned();
                subscriptions.push(subscription(
                    &protocol,
                    s.get("Endpoint").and_then(Value::text).unwrap_or_default(),
                    format!("{}:{}", r.logical, n),
                ));
            }
            if subscriptions.iter().any(|s| !s.confirmed) {
                r.unknown("subscriptions", super::UNCONFIRMED);
            }
            if let Some(entry) = r.properties_entry("Subscription") {
                r.at("subscriptions", entry);
            }
            let topic = SnsTopic {
                arn: r.id(kind)?,
                region,
                name: r.name(kind)?,
                subscriptions,
            };
            push_source(inv, r, &topic);
            inv.sns_topics.push(topic);
        }
        "AWS::SNS::Subscription" => {
            let topic = r.text("TopicArn", "topic")?.unwrap_or_default();
            let protocol = r.text("Protocol", "protocol")?.unwrap_or_default();
            let endpoint = r.text("Endpoint", "endpoint")?.unwrap_or_default();
            joins.subscriptions.push((
                topic,
                subscription(&protocol, &endpoint, r.logical.to_owned()),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Email and HTTP(S) subscriptions wait for their recipient's confirmation; the others
/// AWS confirms itself.
fn subscription(protocol: &str, endpoint: &str, name: String) -> SnsSubscription {
    let confirmed = !matches!(protocol, "email" | "email-json" | "http" | "https");
    SnsSubscription {
        arn: if confirmed {
            format!("arn:aws:sns:subscription:{name}")
        } else {
            "PendingConfirmation".into()
        },
        protocol: protocol.to_owned(),
        endpoint: endpoint.to_owned(),
        confirmed,
    }
}
