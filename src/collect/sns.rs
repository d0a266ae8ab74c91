//! SNS collector: topics and their subscriptions.
//!
//! Subscriptions are listed account-wide (one paginated chain) rather than topic by topic,
//! which costs one chain instead of one per topic.

use aws_sdk_sns::Client;

use super::{UnitResult, failed};
use crate::inventory::{Inventory, SnsSubscription, SnsTopic};

/// The subscription ARN AWS reports until the endpoint confirms.
const PENDING: &str = "PendingConfirmation";

pub async fn topics(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client.list_topics().into_paginator().send();
    while let Some(page) = pages.next().await {
        for topic in page.map_err(failed("ListTopics"))?.topics() {
            let arn = topic.topic_arn().unwrap_or_default().to_owned();
            out.sns_topics.push(SnsTopic {
                name: arn.rsplit(':').next().unwrap_or_default().to_owned(),
                arn,
                region: region.clone(),
                subscriptions: Vec::new(),
            });
        }
    }
    if out.sns_topics.is_empty() {
        return Ok(out);
    }
    let mut pages = client.list_subscriptions().into_paginator().send();
    while let Some(page) = pages.next().await {
        for subscription in page.map_err(failed("ListSubscriptions"))?.subscriptions() {
            let topic_arn = subscription.topic_arn().unwrap_or_default();
            let Some(topic) = out.sns_topics.iter_mut().find(|t| t.arn == topic_arn) else {
                continue;
            };
            let arn = subscription
                .subscription_arn()
                .unwrap_or_default()
                .to_owned();
            topic.subscriptions.push(SnsSubscription {
                confirmed: arn != PENDING && arn.starts_with("arn:"),
                arn,
                protocol: subscription.protocol().unwrap_or_default().to_owned(),
                endpoint: subscription.endpoint().unwrap_or_default().to_owned(),
            });
        }
    }
    Ok(out)
}
