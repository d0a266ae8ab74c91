//! Steps hacheck prints and never applies.

use serde::{Deserialize, Serialize};

use super::predicted::follow;
use super::{ActionType, Advice, Change, Safety, arn_tail, change};
use crate::inventory::Inventory;

/// A change hacheck does not make itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manual {
    pub resource: String,
    pub instruction: String,
    /// What a person following the instruction changes, where it can be stated: the
    /// predictor judges it like an action, so advice that would cut a path users have
    /// is refused rather than printed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub following: Vec<Advice>,
}

impl ActionType for Manual {
    fn key(&self) -> String {
        let Manual {
            resource,
            instruction,
            ..
        } = self;
        format!("manual:{resource}:{instruction}")
    }
    fn safety(&self) -> Safety {
        Safety::Manual
    }
    fn symbol(&self) -> char {
        '!'
    }
    fn target(&self) -> String {
        let Manual { resource, .. } = self;
        resource.clone()
    }
    fn summary(&self) -> String {
        let Manual { instruction, .. } = self;
        format!("manual step: {instruction}")
    }
    fn changes(&self) -> Vec<Change> {
        let Manual { following, .. } = self;
        following
            .iter()
            .map(|advice| match advice {
                Advice::ForwardListener {
                    listener_arn,
                    target_group_arn,
                } => change(
                    &format!(
                        "following it: listener {}",
                        arn_tail(listener_arn, "listener/")
                    ),
                    "",
                    format!("forward to {}", arn_tail(target_group_arn, "targetgroup/")),
                ),
                Advice::RedirectListenerToHttps { listener_arn } => change(
                    &format!(
                        "following it: listener {}",
                        arn_tail(listener_arn, "listener/")
                    ),
                    "",
                    "redirect to HTTPS :443",
                ),
            })
            .collect()
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[]
    }
    // What a person following a manual step changes, where the step states it.
    fn predict(&self, inv: &mut Inventory, _region: &str, _created: &str) {
        let Manual { following, .. } = self;
        for advice in following {
            follow(inv, advice);
        }
    }
}
