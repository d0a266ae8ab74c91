//! CloudFront collector: distributions (a global service), the fronts that reach a load
//! balancer when a public name aliases them rather than the load balancer itself.

use aws_sdk_cloudfront::Client;

use super::{UnitResult, failed};
use crate::inventory::{Distribution, Inventory};

pub async fn distributions(client: Client) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client.list_distributions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("ListDistributions"))?;
        let Some(list) = page.distribution_list() else {
            continue;
        };
        for summary in list.items() {
            out.distributions.push(Distribution {
                id: summary.id().to_owned(),
                arn: summary.arn().to_owned(),
                domain_name: summary.domain_name().to_owned(),
                aliases: summary
                    .aliases()
                    .map(|a| a.items().to_vec())
                    .unwrap_or_default(),
                origins: summary
                    .origins()
                    .map(|o| {
                        o.items()
                            .iter()
                            .map(|o| o.domain_name().to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
                enabled: summary.enabled(),
            });
        }
    }
    Ok(out)
}
