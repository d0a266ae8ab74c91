//! CloudWatch: metric alarms.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: String,
    pub region: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub metric_name: Option<String>,
    /// `Average`, `Maximum`, … (or an extended statistic such as `p90`).
    #[serde(default)]
    pub statistic: Option<String>,
    #[serde(default)]
    pub period: Option<i32>,
    pub evaluation_periods: i32,
    #[serde(default)]
    pub threshold: Option<f64>,
    pub comparison_operator: String,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    #[serde(default)]
    pub ok_actions: Vec<String>,
    #[serde(default)]
    pub insufficient_data_actions: Vec<String>,
}
