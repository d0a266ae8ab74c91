//! Scaling on load and notifications: topics, subscriptions, scaling policies, alarms.

use serde::{Deserialize, Serialize};

use super::{ActionType, Change, change};

/// Creates an SNS topic (idempotent by name); outputs its ARN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTopic {
    pub name: String,
}

impl ActionType for CreateTopic {
    fn key(&self) -> String {
        let CreateTopic { name } = self;
        format!("topic:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateTopic { name } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "sns topic".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateTopic { name } = self;
        vec![change("name", "", name)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["sns:ListTopics", "sns:CreateTopic", "sns:TagResource"]
    }
}

/// Subscribes an email address to a topic (which may be a `ref:`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeEmail {
    pub topic_arn: String,
    pub email: String,
}

impl ActionType for SubscribeEmail {
    fn key(&self) -> String {
        let SubscribeEmail { topic_arn, email } = self;
        format!("subscribe:{topic_arn}:{email}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let SubscribeEmail { topic_arn, .. } = self;
        topic_arn.clone()
    }
    fn summary(&self) -> String {
        "sns subscription".into()
    }
    fn changes(&self) -> Vec<Change> {
        let SubscribeEmail { email, .. } = self;
        vec![change("email", "", email)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["sns:ListSubscriptionsByTopic", "sns:Subscribe"]
    }
}

/// Creates or updates a simple scaling policy; outputs its ARN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutScalingPolicy {
    pub group: String,
    pub name: String,
    pub adjustment: i32,
}

impl ActionType for PutScalingPolicy {
    fn key(&self) -> String {
        let PutScalingPolicy { group, name, .. } = self;
        format!("scaling-policy:{group}:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let PutScalingPolicy { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "scaling policy".into()
    }
    fn changes(&self) -> Vec<Change> {
        let PutScalingPolicy {
            group, adjustment, ..
        } = self;
        vec![change(
            "adjustment",
            "",
            format!("{adjustment:+} instance(s) of {group}"),
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribePolicies",
            "autoscaling:PutScalingPolicy",
        ]
    }
}

/// Creates or updates an alarm on the group's average CPU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutCpuAlarm {
    pub group: String,
    pub name: String,
    pub comparison_operator: String,
    pub threshold: f64,
    pub actions: Vec<String>,
}

impl ActionType for PutCpuAlarm {
    fn key(&self) -> String {
        let PutCpuAlarm { name, .. } = self;
        format!("alarm:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let PutCpuAlarm { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "cloudwatch alarm".into()
    }
    fn changes(&self) -> Vec<Change> {
        let PutCpuAlarm {
            group,
            comparison_operator,
            threshold,
            actions,
            ..
        } = self;
        vec![
            change(
                "metric",
                "",
                format!("AWS/EC2 CPUUtilization Average of {group}"),
            ),
            change(
                "condition",
                "",
                format!("{comparison_operator} {threshold}"),
            ),
            change("actions", "", actions.join(", ")),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"]
    }
}
