//! SNS: the topic alarms notify, and an email subscription to it.

use super::step::{Done, StepResult, fail, sdk_fail};
use super::{Apply, Context};
use crate::change::MANAGED_TAG;
use crate::change::{CreateTopic, SubscribeEmail};
use crate::collect::RegionClients;

pub(super) async fn create_topic(c: &RegionClients, name: &str) -> StepResult {
    let mut pages = c.sns.list_topics().into_paginator().send();
    while let Some(page) = pages.next().await {
        for topic in page.map_err(sdk_fail("ListTopics"))?.topics() {
            let arn = topic.topic_arn().unwrap_or_default();
            if arn.rsplit(':').next() == Some(name) {
                return Ok(Done::Satisfied(Some(arn.to_owned())));
            }
        }
    }
    let created = c
        .sns
        .create_topic()
        .name(name)
        .tags(
            aws_sdk_sns::types::Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
                .build()
                .map_err(fail("Tag"))?,
        )
        .send()
        .await
        .map_err(sdk_fail("CreateTopic"))?;
    Ok(Done::Applied(created.topic_arn().map(str::to_owned)))
}

pub(super) async fn subscribe_email(c: &RegionClients, topic_arn: &str, email: &str) -> StepResult {
    let mut pages = c
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(topic_arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(sdk_fail("ListSubscriptionsByTopic"))?;
        if page
            .subscriptions()
            .iter()
            .any(|s| s.protocol() == Some("email") && s.endpoint() == Some(email))
        {
            return Ok(Done::Satisfied(None));
        }
    }
    c.sns
        .subscribe()
        .topic_arn(topic_arn)
        .protocol("email")
        .endpoint(email)
        .send()
        .await
        .map_err(sdk_fail("Subscribe"))?;
    Ok(Done::Applied(None))
}

impl Apply for CreateTopic {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let CreateTopic { name } = self;
        create_topic(ctx.regional()?, name).await
    }
}

impl Apply for SubscribeEmail {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let SubscribeEmail { topic_arn, email } = self;
        subscribe_email(ctx.regional()?, topic_arn, email).await
    }
}
