//! Scaling on load and notifications: topics, subscriptions, scaling policies, alarms.

use serde::{Deserialize, Serialize};

use super::iac::SUBSCRIPTION;
use super::{ActionType, Change, Declared, IacEdit, IacValue, change};
use crate::inventory::{
    AutoScalingGroup, DbCluster, DbInstance, EventSubscription, Inventory, MetricAlarm, Resource,
    ScalingPolicy, SnsTopic,
};

/// Creates an SNS topic (idempotent by name); outputs its ARN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTopic {
    pub name: String,
}

impl ActionType for CreateTopic {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Declare {
            kind: SnsTopic::KIND,
            name: self.name.clone(),
            beside: None,
            fields: vec![("name", IacValue::text(&self.name))],
            keep: &[],
        }])
    }

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
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Declare {
            kind: SUBSCRIPTION,
            name: self.email.clone(),
            beside: None,
            fields: vec![
                (
                    "topic_arn",
                    IacValue::resource(SnsTopic::KIND, &self.topic_arn),
                ),
                ("protocol", IacValue::text("email")),
                ("endpoint", IacValue::text(&self.email)),
            ],
            keep: &[],
        }])
    }

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
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Declare {
            kind: ScalingPolicy::KIND,
            name: self.name.clone(),
            beside: Some(Declared::new(AutoScalingGroup::KIND, &self.group)),
            fields: vec![
                (
                    "auto_scaling_group",
                    IacValue::resource(AutoScalingGroup::KIND, &self.group),
                ),
                ("policy_type", IacValue::text("SimpleScaling")),
                ("adjustment_type", IacValue::text("ChangeInCapacity")),
                (
                    "scaling_adjustment",
                    IacValue::Number(self.adjustment.into()),
                ),
            ],
            keep: &[],
        }])
    }

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
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Declare {
            kind: MetricAlarm::KIND,
            name: self.name.clone(),
            beside: Some(Declared::new(AutoScalingGroup::KIND, &self.group)),
            fields: vec![
                ("namespace", IacValue::text("AWS/EC2")),
                ("metric_name", IacValue::text("CPUUtilization")),
                ("statistic", IacValue::text("Average")),
                ("period", IacValue::Number(300.0)),
                ("evaluation_periods", IacValue::Number(2.0)),
                ("threshold", IacValue::Number(self.threshold)),
                (
                    "comparison_operator",
                    IacValue::text(&self.comparison_operator),
                ),
                (
                    "dimensions",
                    IacValue::Map(vec![(
                        "AutoScalingGroupName".to_owned(),
                        IacValue::resource(AutoScalingGroup::KIND, &self.group),
                    )]),
                ),
                ("actions_enabled", IacValue::Bool(true)),
                ("alarm_actions", IacValue::resources(None, &self.actions)),
            ],
            // A declared alarm of that name is mended in place (a twin beside it would
            // leave the wrong one firing); how often it looks, and at what, stays.
            keep: &[
                "namespace",
                "metric_name",
                "period",
                "evaluation_periods",
                "dimensions",
            ],
        }])
    }

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

/// Enables an alarm's actions (it kept changing state without scaling or notifying).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableAlarmActions {
    pub alarm_name: String,
    pub alarm_arn: String,
}

impl ActionType for EnableAlarmActions {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(MetricAlarm::KIND, &self.alarm_arn),
            field: "actions_enabled",
            value: IacValue::Bool(true),
        }])
    }

    fn key(&self) -> String {
        format!("alarm-actions:{}", self.alarm_name)
    }
    fn target(&self) -> String {
        self.alarm_name.clone()
    }
    fn summary(&self) -> String {
        "cloudwatch alarm: enable actions".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("actions_enabled", false, true)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &["cloudwatch:DescribeAlarms", "cloudwatch:EnableAlarmActions"]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(alarm) = inv
            .metric_alarms
            .iter_mut()
            .find(|a| a.region == region && a.arn == self.alarm_arn)
        {
            alarm.actions_enabled = true;
        }
    }
    fn template_change(&self) -> String {
        "set `ActionsEnabled: true`".into()
    }
}

/// Creates an RDS event subscription: the `categories` events of `source_type` sources
/// `source_ids`, posted to `topic_arn` (which may be a `ref:`). Only adds a notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEventSubscription {
    pub name: String,
    pub topic_arn: String,
    /// `db-instance` or `db-cluster`.
    pub source_type: String,
    pub source_ids: Vec<String>,
    pub categories: Vec<String>,
}

impl CreateEventSubscription {
    /// The inventory kind of its sources.
    fn source_kind(&self) -> &'static str {
        if self.source_type == "db-cluster" {
            DbCluster::KIND
        } else {
            DbInstance::KIND
        }
    }
}

impl ActionType for CreateEventSubscription {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        let kind = self.source_kind();
        Some(vec![IacEdit::Declare {
            kind: EventSubscription::KIND,
            name: self.name.clone(),
            beside: self.source_ids.first().map(|id| Declared::new(kind, id)),
            fields: vec![
                ("name", IacValue::text(&self.name)),
                (
                    "sns_topic_arn",
                    IacValue::resource(SnsTopic::KIND, &self.topic_arn),
                ),
                ("source_type", IacValue::text(&self.source_type)),
                (
                    "source_ids",
                    IacValue::resources(Some(kind), &self.source_ids),
                ),
                (
                    "event_categories",
                    IacValue::List(self.categories.iter().map(|c| IacValue::text(c)).collect()),
                ),
                ("enabled", IacValue::Bool(true)),
            ],
            keep: &[],
        }])
    }

    fn key(&self) -> String {
        format!("rds-events:{}", self.name)
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        self.name.clone()
    }
    fn summary(&self) -> String {
        "rds event subscription".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateEventSubscription {
            topic_arn,
            source_type,
            source_ids,
            categories,
            ..
        } = self;
        vec![change(
            "events",
            "(none)",
            format!(
                "{} of {source_type} {} → {topic_arn}",
                categories.join(", "),
                source_ids.join(", ")
            ),
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "rds:DescribeEventSubscriptions",
            "rds:CreateEventSubscription",
            "rds:AddTagsToResource",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        inv.event_subscriptions.push(EventSubscription {
            name: self.name.clone(),
            arn: created.to_owned(),
            region: region.to_owned(),
            sns_topic_arn: self.topic_arn.clone(),
            status: "active".into(),
            enabled: true,
            source_type: Some(self.source_type.clone()),
            source_ids: self.source_ids.clone(),
            event_categories: self.categories.clone(),
        });
    }
    fn template_change(&self) -> String {
        format!(
            "declare an `AWS::RDS::EventSubscription` of {} to the topic",
            self.categories.join(", ")
        )
    }
}

/// Creates alarm `name` on a load balancer's unhealthy-target count (`UnHealthyHostCount`
/// in `namespace`: its maximum above 0 for 3 minutes) of target group `target_group_arn`
/// behind `load_balancer` (its ARN), or of Classic Load Balancer `load_balancer` (its name),
/// notifying `actions`. ARNs may be `ref:`s: the metric's names derive from them when the
/// step runs. Only adds an alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutHealthAlarm {
    pub name: String,
    pub namespace: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<String>,
    pub load_balancer: String,
    pub actions: Vec<String>,
}

impl PutHealthAlarm {
    pub const METRIC: &'static str = "UnHealthyHostCount";
    pub const STATISTIC: &'static str = "Maximum";
    pub const PERIOD: i32 = 60;
    pub const EVALUATION_PERIODS: i32 = 3;
    pub const OPERATOR: &'static str = "GreaterThanThreshold";

    /// The metric's dimensions: the target group and its load balancer as CloudWatch names
    /// them ([`crate::inventory::metric_dimension`]), or the Classic Load Balancer.
    pub fn dimensions(&self) -> std::collections::BTreeMap<String, String> {
        use crate::inventory::metric_dimension;
        match &self.target_group_arn {
            Some(target_group) => [
                ("TargetGroup".to_owned(), metric_dimension(target_group)),
                (
                    "LoadBalancer".to_owned(),
                    metric_dimension(&self.load_balancer),
                ),
            ]
            .into(),
            None => [("LoadBalancerName".to_owned(), self.load_balancer.clone())].into(),
        }
    }
}

/// No edit of code: its dimensions are names AWS gives the target group and load balancer
/// at deploy (`!GetAtt …FullName`, `arn_suffix`), which edits do not express yet.
impl ActionType for PutHealthAlarm {
    fn key(&self) -> String {
        format!("health-alarm:{}", self.name)
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        self.name.clone()
    }
    fn summary(&self) -> String {
        "cloudwatch alarm".into()
    }
    fn changes(&self) -> Vec<Change> {
        let watched = match &self.target_group_arn {
            Some(target_group) => format!("{target_group} behind {}", self.load_balancer),
            None => self.load_balancer.clone(),
        };
        vec![
            change(
                "metric",
                "",
                format!(
                    "{} {} {} of {watched}",
                    self.namespace,
                    Self::METRIC,
                    Self::STATISTIC
                ),
            ),
            change(
                "condition",
                "",
                format!(
                    "{} 0 for {} periods of {} s",
                    Self::OPERATOR,
                    Self::EVALUATION_PERIODS,
                    Self::PERIOD
                ),
            ),
            change("actions", "", self.actions.join(", ")),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "cloudwatch:DescribeAlarms",
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:TagResource",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        inv.metric_alarms.push(MetricAlarm {
            name: self.name.clone(),
            arn: created.to_owned(),
            region: region.to_owned(),
            namespace: Some(self.namespace.clone()),
            metric_name: Some(Self::METRIC.into()),
            statistic: Some(Self::STATISTIC.into()),
            period: Some(Self::PERIOD),
            evaluation_periods: Self::EVALUATION_PERIODS,
            threshold: Some(0.0),
            comparison_operator: Self::OPERATOR.into(),
            dimensions: self.dimensions(),
            actions_enabled: true,
            alarm_actions: self.actions.clone(),
            ok_actions: Vec::new(),
            insufficient_data_actions: Vec::new(),
        });
    }
    fn template_change(&self) -> String {
        format!(
            "declare an `AWS::CloudWatch::Alarm` on `{}` `{}` notifying the topic",
            self.namespace,
            Self::METRIC
        )
    }
}
