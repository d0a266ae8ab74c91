//! SNS: topics and their subscriptions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    pub arn: String,
    pub region: String,
    pub name: String,
    #[serde(default)]
    pub subscriptions: Vec<SnsSubscription>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsSubscription {
    /// `PendingConfirmation` while the subscription is unconfirmed (AWS's own marker).
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
    pub confirmed: bool,
}
