//! Rolling replacement of a group's instances: an Auto Scaling instance refresh.
//!
//! The step starts a refresh that keeps the given share of the group healthy (or launches each
//! replacement before terminating, when the plan found room for it) and replaces
//! only instances whose launch settings differ from the group's (`SkipMatching`), or joins
//! the refresh an interrupted apply started (its id is in the journal) or one already under
//! way, then waits for it to end, reporting its progress. A refresh that fails, is cancelled
//! or is rolled back (by an alarm, by hand) fails the step with AWS's reason; running the
//! apply again starts a new one, which skips the instances already replaced.

use std::time::Duration;

use aws_sdk_autoscaling::types::{InstanceRefresh, InstanceRefreshStatus, RefreshPreferences};

use super::step::{Done, Patience, StepError, StepResult, poll, sdk_fail};
use super::{Apply, Context};
use crate::change::StartInstanceRefresh;

/// Seconds a new instance is given to warm up before the next is replaced.
const INSTANCE_WARMUP_SECONDS: i32 = 300;

/// How the executor waits for a refresh.
#[derive(Clone)]
pub struct Watch {
    /// Between two reads of the refresh's status.
    pub poll: Duration,
    /// Give up waiting (the refresh goes on; applying again resumes waiting).
    pub timeout: Duration,
    /// Hears a line per change of status or progress.
    pub report: std::sync::Arc<dyn Fn(String) + Send + Sync>,
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            poll: Duration::from_secs(15),
            timeout: Duration::from_secs(4 * 3600),
            report: std::sync::Arc::new(|line| tracing::info!("{line}")),
        }
    }
}

/// Starts (or joins) the refresh of `group` and waits for it. `journaled` is the id an
/// earlier apply started; `started` is told the id as soon as there is one.
pub async fn run(
    autoscaling: &aws_sdk_autoscaling::Client,
    group: &str,
    (min_healthy_percentage, max_healthy_percentage): (i32, Option<i32>),
    journaled: Option<&str>,
    started: &(dyn Fn(&str) + Sync),
    watch: &Watch,
) -> Result<Done, StepError> {
    let joined = match journaled {
        Some(id) => describe(autoscaling, group, Some(id)).await?,
        None => None,
    };
    let joined = match joined {
        Some(refresh) => Some(refresh),
        None => describe(autoscaling, group, None)
            .await?
            .filter(|r| is_running(r.status())),
    };
    let id = match joined {
        Some(refresh) => {
            let id = refresh.instance_refresh_id().unwrap_or_default().to_owned();
            (watch.report)(format!(
                "instance refresh {id} of {group}: joined, {}",
                describe_state(&refresh)
            ));
            id
        }
        None => {
            let output = autoscaling
                .start_instance_refresh()
                .auto_scaling_group_name(group)
                .preferences(
                    RefreshPreferences::builder()
                        .min_healthy_percentage(min_healthy_percentage)
                        .set_max_healthy_percentage(max_healthy_percentage)
                        .instance_warmup(INSTANCE_WARMUP_SECONDS)
                        .skip_matching(true)
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_fail("StartInstanceRefresh"))?;
            let id = output.instance_refresh_id().unwrap_or_default().to_owned();
            (watch.report)(match max_healthy_percentage {
                Some(max) => format!(
                    "instance refresh {id} of {group}: started, launching before terminating (up to {max} % of the group)"
                ),
                None => format!(
                    "instance refresh {id} of {group}: started, keeping {min_healthy_percentage} % healthy"
                ),
            });
            id
        }
    };
    started(&id);
    wait(autoscaling, group, &id, watch).await
}

fn is_running(status: Option<&InstanceRefreshStatus>) -> bool {
    matches!(
        status,
        Some(
            InstanceRefreshStatus::Pending
                | InstanceRefreshStatus::InProgress
                | InstanceRefreshStatus::Baking
                | InstanceRefreshStatus::Cancelling
                | InstanceRefreshStatus::RollbackInProgress
        )
    )
}

/// The refresh `id` of `group`, or its latest one.
async fn describe(
    autoscaling: &aws_sdk_autoscaling::Client,
    group: &str,
    id: Option<&str>,
) -> Result<Option<InstanceRefresh>, StepError> {
    let mut request = autoscaling
        .describe_instance_refreshes()
        .auto_scaling_group_name(group);
    request = match id {
        Some(id) => request.instance_refresh_ids(id),
        None => request.max_records(1),
    };
    let output = request
        .send()
        .await
        .map_err(sdk_fail("DescribeInstanceRefreshes"))?;
    Ok(output.instance_refreshes().first().cloned())
}

fn describe_state(refresh: &InstanceRefresh) -> String {
    let status = refresh.status().map(|s| s.as_str()).unwrap_or("unknown");
    let left = refresh
        .instances_to_update()
        .map(|n| format!(", {n} instances to go"))
        .unwrap_or_default();
    format!(
        "{status}, {} % done{left}",
        refresh.percentage_complete().unwrap_or(0)
    )
}

async fn wait(
    autoscaling: &aws_sdk_autoscaling::Client,
    group: &str,
    id: &str,
    watch: &Watch,
) -> Result<Done, StepError> {
    // Shared with each read's future; a mutex keeps those futures `Send`.
    let last = std::sync::Mutex::new(String::new());
    let status = std::sync::Mutex::new(String::from("running"));
    let patience = Patience {
        every: watch.poll,
        within: watch.timeout,
    };
    let ended = poll(patience, || async {
        let refresh = describe(autoscaling, group, Some(id))
            .await?
            .ok_or_else(|| {
                StepError::Failed(format!("instance refresh {id} of {group} is gone"))
            })?;
        let state = describe_state(&refresh);
        let mut last = last.lock().expect("refresh state lock");
        if state != *last {
            (watch.report)(format!("instance refresh {id} of {group}: {state}"));
            *last = state;
        }
        drop(last);
        if let Some(current) = refresh.status() {
            *status.lock().expect("refresh status lock") = current.as_str().to_owned();
        }
        let reason = || {
            refresh
                .status_reason()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        };
        match refresh.status() {
            Some(InstanceRefreshStatus::Successful) => Ok(Some(Done::Applied(Some(id.to_owned())))),
            Some(InstanceRefreshStatus::RollbackSuccessful) => Err(StepError::Failed(format!(
                "instance refresh {id} of {group} was rolled back; the group runs its previous launch settings again{}",
                reason()
            ))),
            Some(InstanceRefreshStatus::RollbackFailed) => Err(StepError::Failed(format!(
                "instance refresh {id} of {group} failed and so did its rollback{}",
                reason()
            ))),
            Some(InstanceRefreshStatus::Failed) | Some(InstanceRefreshStatus::Cancelled) => {
                Err(StepError::Failed(format!(
                    "instance refresh {id} of {group} ended {} after replacing {} % of the instances{}; applying again starts a new one that skips the instances already replaced",
                    refresh.status().map(|s| s.as_str()).unwrap_or_default(),
                    refresh.percentage_complete().unwrap_or(0),
                    reason()
                )))
            }
            _ => Ok(None),
        }
    })
    .await?;
    ended.ok_or_else(|| {
        StepError::Failed(format!(
            "instance refresh {id} of {group} is still {} after {} s; it goes on, and applying again resumes waiting for it",
            status.lock().expect("refresh status lock"),
            watch.timeout.as_secs()
        ))
    })
}

impl Apply for StartInstanceRefresh {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult {
        let StartInstanceRefresh {
            group,
            min_healthy_percentage,
            max_healthy_percentage,
        } = self;
        run(
            &ctx.regional()?.autoscaling,
            group,
            (*min_healthy_percentage, *max_healthy_percentage),
            ctx.journaled.started,
            &|id| (ctx.journaled.record_started)(&ctx.step.id, id),
            ctx.watch(),
        )
        .await
    }
}
