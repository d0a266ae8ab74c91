//! The executor: the only code that changes AWS.
//!
//! For each step of a plan it re-reads the live target, skips the step when it is already
//! satisfied, refuses it when the target drifted from what the plan expected (saying how),
//! and otherwise applies it and waits for the change to settle. Steps whose dependencies
//! are done run concurrently. Progress goes to a journal after every step, so that an
//! interrupted apply resumes where it stopped; since satisfied steps are skipped, applying
//! the same plan twice is harmless. Nothing here deletes a DB instance, volume, snapshot or
//! AMI: no such call exists in this module.

mod refresh;
mod stack;
mod steps;

pub use refresh::Watch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures::future::join_all;
use serde::{Deserialize, Serialize};

use crate::collect::RegionClients;
use crate::plan::action::REF_PREFIX;
use crate::plan::{Action, Plan, Safety, Step};

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied {
        output: Option<String>,
    },
    /// Live state already matched; nothing was changed.
    Satisfied {
        output: Option<String>,
    },
    /// Done by an earlier, interrupted apply (from the journal).
    Journaled {
        output: Option<String>,
    },
    /// The live target is not what the plan expected.
    Refused {
        reason: String,
    },
    Failed {
        error: String,
    },
    /// Unsafe and `--unsafe` was not given.
    NeedsUnsafe,
    /// A step it depends on did not complete.
    Blocked {
        by: String,
    },
    /// A manual step: printed, never applied.
    Manual,
}

impl Outcome {
    fn done(&self) -> bool {
        matches!(
            self,
            Outcome::Applied { .. } | Outcome::Satisfied { .. } | Outcome::Journaled { .. }
        )
    }

    fn output(&self) -> Option<&String> {
        match self {
            Outcome::Applied { output }
            | Outcome::Satisfied { output }
            | Outcome::Journaled { output } => output.as_ref(),
            _ => None,
        }
    }
}

/// Applied steps and their outputs, saved after every step; and what long steps started
/// (an instance refresh's id), saved as soon as it starts, so that a resumed apply waits for
/// it instead of starting another.
#[derive(Debug, Default, Serialize, Deserialize)]
struct JournalData {
    plan_fingerprint: String,
    done: BTreeMap<String, Option<String>>,
    #[serde(default)]
    started: BTreeMap<String, String>,
}

pub struct Journal {
    path: PathBuf,
    data: JournalData,
}

impl Journal {
    /// Opens the journal at `path` for `plan`; a journal of another plan is started afresh.
    pub fn open(path: &Path, plan: &Plan) -> std::io::Result<Journal> {
        let fingerprint = plan.fingerprint();
        let data = match std::fs::read_to_string(path) {
            Ok(text) => match serde_json::from_str::<JournalData>(&text) {
                Ok(data) if data.plan_fingerprint == fingerprint => data,
                _ => JournalData {
                    plan_fingerprint: fingerprint,
                    ..JournalData::default()
                },
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => JournalData {
                plan_fingerprint: fingerprint,
                ..JournalData::default()
            },
            Err(error) => return Err(error),
        };
        Ok(Journal {
            path: path.to_owned(),
            data,
        })
    }

    fn record(&mut self, step: &str, output: Option<String>) -> std::io::Result<()> {
        self.data.done.insert(step.to_owned(), output);
        self.save()
    }

    fn record_started(&mut self, step: &str, id: &str) -> std::io::Result<()> {
        self.data.started.insert(step.to_owned(), id.to_owned());
        self.save()
    }

    fn save(&self) -> std::io::Result<()> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let text = serde_json::to_string_pretty(&self.data).expect("journal serialises");
        crate::snapshot::write_atomically(&self.path, text.as_bytes())
    }
}

/// Seconds to wait for a DB modification to settle before giving up on a step.
pub const DB_WAIT_SECONDS: u64 = 3600;

pub struct Executor {
    clients: BTreeMap<String, RegionClients>,
    route53: aws_sdk_route53::Client,
    allow_unsafe: bool,
    watch: Watch,
}

/// The outcome of an apply, step by step in plan order.
#[derive(Debug, Default, Serialize)]
pub struct ApplyReport {
    pub steps: Vec<(String, Outcome)>,
}

impl ApplyReport {
    pub fn count(&self, matches: impl Fn(&Outcome) -> bool) -> usize {
        self.steps.iter().filter(|(_, o)| matches(o)).count()
    }

    /// Everything executable was applied or already satisfied.
    pub fn complete(&self) -> bool {
        self.steps
            .iter()
            .all(|(_, o)| o.done() || *o == Outcome::Manual)
    }
}

impl Executor {
    pub fn new(
        clients: Vec<RegionClients>,
        route53: aws_sdk_route53::Client,
        allow_unsafe: bool,
    ) -> Self {
        Executor {
            clients: clients.into_iter().map(|c| (c.region.clone(), c)).collect(),
            route53,
            allow_unsafe,
            watch: Watch::default(),
        }
    }

    /// How instance refreshes are waited for and reported.
    pub fn with_watch(mut self, watch: Watch) -> Self {
        self.watch = watch;
        self
    }

    /// Applies `plan`, recording progress in `journal`. `on_step` hears each outcome.
    pub async fn apply(
        &self,
        plan: &Plan,
        journal: &mut Journal,
        on_step: &(dyn Fn(&Step, &Outcome) + Sync),
    ) -> ApplyReport {
        let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
        let mut pending: Vec<&Step> = plan.steps.iter().collect();
        while !pending.is_empty() {
            let (ready, waiting): (Vec<&Step>, Vec<&Step>) = pending
                .into_iter()
                .partition(|step| step.depends_on.iter().all(|d| outcomes.contains_key(d)));
            pending = waiting;
            if ready.is_empty() {
                // Unreachable for plans the planner made (dependencies always resolve).
                for step in pending.drain(..) {
                    outcomes.insert(
                        step.id.clone(),
                        Outcome::Blocked {
                            by: step.depends_on.join(", "),
                        },
                    );
                }
                break;
            }
            let outputs: BTreeMap<String, String> = outcomes
                .iter()
                .filter_map(|(id, o)| o.output().map(|out| (id.clone(), out.clone())))
                .collect();
            let done = journal.data.done.clone();
            let started = journal.data.started.clone();
            let shared = std::sync::Mutex::new(&mut *journal);
            let record_started = |step: &str, id: &str| {
                let mut journal = shared.lock().expect("journal lock");
                if let Err(error) = journal.record_started(step, id) {
                    tracing::warn!("cannot write journal `{}`: {error}", journal.path.display());
                }
            };
            // Boxed: a step's future is large, and a wave holds many.
            let wave = join_all(ready.iter().map(|step| {
                Box::pin(self.run_step(
                    step,
                    &outcomes,
                    &outputs,
                    Journaled {
                        done: done.get(&step.id),
                        started: started.get(&step.id).map(String::as_str),
                        record_started: &record_started,
                    },
                ))
            }))
            .await;
            for (step, outcome) in ready.iter().zip(wave) {
                if matches!(outcome, Outcome::Applied { .. } | Outcome::Satisfied { .. })
                    && let Err(error) = journal.record(&step.id, outcome.output().cloned())
                {
                    tracing::warn!("cannot write journal `{}`: {error}", journal.path.display());
                }
                on_step(step, &outcome);
                outcomes.insert(step.id.clone(), outcome);
            }
        }
        ApplyReport {
            steps: plan
                .steps
                .iter()
                .map(|s| (s.id.clone(), outcomes[&s.id].clone()))
                .collect(),
        }
    }

    async fn run_step(
        &self,
        step: &Step,
        outcomes: &BTreeMap<String, Outcome>,
        outputs: &BTreeMap<String, String>,
        journaled: Journaled<'_>,
    ) -> Outcome {
        if step.safety == Safety::Manual {
            return Outcome::Manual;
        }
        if let Some(blocker) = step.depends_on.iter().find(|d| !outcomes[*d].done()) {
            return Outcome::Blocked {
                by: blocker.clone(),
            };
        }
        if let Some(output) = journaled.done {
            return Outcome::Journaled {
                output: output.clone(),
            };
        }
        if step.safety == Safety::Unsafe && !self.allow_unsafe {
            return Outcome::NeedsUnsafe;
        }
        let action = match resolve(&step.action, outputs) {
            Ok(action) => action,
            Err(reference) => return Outcome::Blocked { by: reference },
        };
        let result = if let Action::StartInstanceRefresh {
            group,
            min_healthy_percentage,
            max_healthy_percentage,
        } = &action
        {
            match self.clients.get(&step.region) {
                Some(clients) => {
                    refresh::run(
                        &clients.autoscaling,
                        group,
                        (*min_healthy_percentage, *max_healthy_percentage),
                        journaled.started,
                        &|id| (journaled.record_started)(&step.id, id),
                        &self.watch,
                    )
                    .await
                }
                None => Err(steps::StepError::Failed(format!(
                    "no clients for region `{}`",
                    step.region
                ))),
            }
        } else if matches!(action, Action::UpsertAliasRecord { .. }) {
            steps::apply_global(&self.route53, &action).await
        } else if let Action::AliasToLoadBalancer {
            zone_id,
            name,
            load_balancer_arn,
        } = &action
        {
            match self.clients.get(&step.region) {
                Some(clients) => match stack::load_balancer_dns(clients, load_balancer_arn).await {
                    Ok((dns_name, target_zone_id)) => {
                        let alias = Action::UpsertAliasRecord {
                            zone_id: zone_id.clone(),
                            name: name.clone(),
                            dns_name,
                            target_zone_id,
                        };
                        steps::apply_global(&self.route53, &alias).await
                    }
                    Err(error) => Err(error),
                },
                None => Err(steps::StepError::Failed(format!(
                    "no clients for region `{}`",
                    step.region
                ))),
            }
        } else {
            match self.clients.get(&step.region) {
                Some(clients) => Box::pin(steps::apply(clients, &action)).await,
                None => Err(steps::StepError::Failed(format!(
                    "no clients for region `{}`",
                    step.region
                ))),
            }
        };
        match result {
            Ok(steps::Done::Applied(output)) => Outcome::Applied { output },
            Ok(steps::Done::Satisfied(output)) => Outcome::Satisfied { output },
            Err(steps::StepError::Drift(reason)) => Outcome::Refused { reason },
            Err(steps::StepError::Failed(error)) => Outcome::Failed { error },
        }
    }
}

/// What the journal holds for one step.
struct Journaled<'j> {
    /// Its output, if an earlier apply finished it.
    done: Option<&'j Option<String>>,
    /// What an earlier apply started for it and did not see finish.
    started: Option<&'j str>,
    /// Records what this apply starts for it.
    record_started: &'j (dyn Fn(&str, &str) + Sync),
}

/// Replaces `ref:<step>` strings by the outputs of those steps.
fn resolve(action: &Action, outputs: &BTreeMap<String, String>) -> Result<Action, String> {
    let mut value = serde_json::to_value(action).expect("action serialises");
    fn walk(
        value: &mut serde_json::Value,
        outputs: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        match value {
            serde_json::Value::String(text) => {
                if let Some(reference) = text.strip_prefix(REF_PREFIX) {
                    *text = outputs
                        .get(reference)
                        .cloned()
                        .ok_or_else(|| reference.to_owned())?;
                }
                Ok(())
            }
            serde_json::Value::Array(items) => items.iter_mut().try_for_each(|v| walk(v, outputs)),
            serde_json::Value::Object(map) => map.values_mut().try_for_each(|v| walk(v, outputs)),
            _ => Ok(()),
        }
    }
    walk(&mut value, outputs)?;
    Ok(serde_json::from_value(value).expect("resolved action deserialises"))
}
