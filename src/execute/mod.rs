//! The executor: the only code that changes AWS.
//!
//! For each step of a plan it re-reads the live target, skips the step when it is already
//! satisfied, refuses it when the target drifted from what the plan expected (saying how),
//! and otherwise applies it and waits for the change to settle. Steps whose dependencies
//! are done run concurrently, one per resource at a time. Progress goes to a journal after every step, so that an
//! interrupted apply resumes where it stopped; since satisfied steps are skipped, applying
//! the same plan twice is harmless. Nothing here deletes a DB instance, volume, snapshot or
//! AMI: no such call exists in this module.

mod autoscaling;
mod cloudwatch;
mod ec2;
mod elb;
mod elbv2;
mod launch_template;
mod rds;
mod refresh;
mod route53;
mod sns;
mod step;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures::future::join_all;
use serde::{Deserialize, Serialize};
use step::{Done, StepError, StepResult};

use crate::change::{Action, Manual, REF_PREFIX, Safety};
use crate::collect::RegionClients;
use crate::plan::{Plan, Step};

pub use refresh::Watch;

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
    /// Not started: the apply was stopped (Ctrl-C, SIGTERM) before it.
    Stopped,
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
    /// Steps whose call was sent and whose answer was not recorded: written before the call
    /// (write-ahead), so that a resumed apply knows the change may be its own.
    #[serde(default)]
    in_flight: std::collections::BTreeSet<String>,
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
        self.data.in_flight.remove(step);
        self.data.done.insert(step.to_owned(), output);
        self.save()
    }

    fn record_in_flight(&mut self, step: &str) -> std::io::Result<()> {
        self.data.in_flight.insert(step.to_owned());
        self.save()
    }

    fn record_answered(&mut self, step: &str) -> std::io::Result<()> {
        if self.data.in_flight.remove(step) {
            self.save()?;
        }
        Ok(())
    }

    /// Writes to the journal; a journal that cannot be written is a warning, not a stop.
    fn note(&mut self, write: impl FnOnce(&mut Journal) -> std::io::Result<()>) {
        if let Err(error) = write(self) {
            tracing::warn!("cannot write journal `{}`: {error}", self.path.display());
        }
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

pub struct Executor {
    clients: BTreeMap<String, RegionClients>,
    route53: aws_sdk_route53::Client,
    allow_unsafe: bool,
    watch: Watch,
    /// Set when the apply must stop: no step starts after it, those in flight finish.
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
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
            stop: std::sync::Arc::default(),
        }
    }

    /// The flag that stops the apply before its next steps (a signal handler sets it).
    pub fn with_stop(mut self, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Self {
        self.stop = stop;
        self
    }

    /// How instance refreshes are waited for and reported.
    pub fn with_watch(mut self, watch: Watch) -> Self {
        self.watch = watch;
        self
    }

    /// Applies `plan`, recording progress in `journal` step by step (before each call and
    /// after its answer). `on_step` hears each outcome as it comes. When the stop flag is
    /// set, the steps in flight finish and no other starts.
    pub async fn apply(
        &self,
        plan: &Plan,
        journal: &mut Journal,
        on_step: &(dyn Fn(&Step, &Outcome) + Sync),
    ) -> ApplyReport {
        let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
        let mut pending: Vec<&Step> = plan.steps.iter().collect();
        while !pending.is_empty() {
            if self.stop.load(std::sync::atomic::Ordering::SeqCst) {
                for step in pending.drain(..) {
                    on_step(step, &Outcome::Stopped);
                    outcomes.insert(step.id.clone(), Outcome::Stopped);
                }
                break;
            }
            let (ready, waiting): (Vec<&Step>, Vec<&Step>) = pending
                .into_iter()
                .partition(|step| step.depends_on.iter().all(|d| outcomes.contains_key(d)));
            // One step per resource at a time: RDS refuses a modification while another is
            // in progress, and two changes of one security group sent at once may cross.
            let mut targets = std::collections::BTreeSet::new();
            let (ready, later): (Vec<&Step>, Vec<&Step>) = ready
                .into_iter()
                .partition(|step| targets.insert(step.action.target()));
            pending = later.into_iter().chain(waiting).collect();
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
            let in_flight = journal.data.in_flight.clone();
            let shared = std::sync::Mutex::new(&mut *journal);
            let write = |change: &dyn Fn(&mut Journal) -> std::io::Result<()>| {
                shared.lock().expect("journal lock").note(change);
            };
            let record_started = |step: &str, id: &str| write(&|j| j.record_started(step, id));
            let record_in_flight = |step: &str| write(&|j| j.record_in_flight(step));
            // Boxed: a step's future is large, and a wave holds many. Each step is journaled
            // and reported as it finishes, not when its wave does.
            let wave = join_all(ready.iter().map(|step| {
                Box::pin(async {
                    let outcome = self
                        .run_step(
                            step,
                            &outcomes,
                            &outputs,
                            Journaled {
                                done: done.get(&step.id),
                                started: started.get(&step.id).map(String::as_str),
                                in_flight: in_flight.contains(&step.id),
                                record_started: &record_started,
                                record_in_flight: &record_in_flight,
                            },
                        )
                        .await;
                    match &outcome {
                        Outcome::Applied { output } | Outcome::Satisfied { output } => {
                            write(&|j| j.record(&step.id, output.clone()));
                        }
                        // A failed call may have been carried out (an answer lost): the
                        // write-ahead mark stays for the next apply to say so.
                        Outcome::Failed { .. } => {}
                        _ => write(&|j| j.record_answered(&step.id)),
                    }
                    on_step(step, &outcome);
                    outcome
                })
            }))
            .await;
            for (step, outcome) in ready.iter().zip(wave) {
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
            Err(Unresolved(reference)) => return Outcome::Blocked { by: reference },
        };
        (journaled.record_in_flight)(&step.id);
        let result = self.dispatch(step, &action, &journaled).await;
        match result {
            Ok(Done::Applied(output)) => Outcome::Applied { output },
            Ok(Done::Satisfied(output)) => Outcome::Satisfied { output },
            // The target may differ from the plan because of this very step, sent by an
            // apply that stopped before its answer: say so rather than call it drift alone.
            Err(StepError::Drift(reason)) if journaled.in_flight => Outcome::Refused {
                reason: format!(
                    "{reason} (an earlier apply sent this step and stopped before its answer: check the target, then plan again)"
                ),
            },
            Err(StepError::Drift(reason)) => Outcome::Refused { reason },
            Err(StepError::Failed(error)) => Outcome::Failed { error },
        }
    }

    /// Every action, applied by its [`Apply`]: the compiler checks that none is forgotten.
    async fn dispatch(
        &self,
        step: &Step,
        action: &Action,
        journaled: &Journaled<'_>,
    ) -> StepResult {
        let ctx = Context {
            step,
            executor: self,
            journaled,
        };
        macro_rules! apply_each {
            ($($variant:ident),*) => {
                match action {
                    $(Action::$variant(action) => action.apply(&ctx).await,)*
                }
            };
        }
        crate::change::each_action!(apply_each)
    }
}

impl Apply for Manual {
    async fn apply(&self, _: &Context<'_>) -> StepResult {
        // `run_step` never gets here: manual steps are printed, not applied.
        Err(StepError::Failed("a manual step is not applied".into()))
    }
}

/// What a step's action is applied with.
struct Context<'c> {
    step: &'c Step,
    executor: &'c Executor,
    journaled: &'c Journaled<'c>,
}

impl Context<'_> {
    /// The clients of the step's region: every service but Route 53 is called there.
    fn regional(&self) -> Result<&RegionClients, StepError> {
        self.executor.clients.get(&self.step.region).ok_or_else(|| {
            StepError::Failed(format!("no clients for region `{}`", self.step.region))
        })
    }

    /// Route 53, which is global.
    fn route53(&self) -> &aws_sdk_route53::Client {
        &self.executor.route53
    }

    fn watch(&self) -> &Watch {
        &self.executor.watch
    }
}

/// How an action is carried out: the service module that calls AWS for it implements it,
/// re-reading live state first.
trait Apply {
    async fn apply(&self, ctx: &Context<'_>) -> StepResult;
}

/// What the journal holds for one step.
struct Journaled<'j> {
    /// Its output, if an earlier apply finished it.
    done: Option<&'j Option<String>>,
    /// What an earlier apply started for it and did not see finish.
    started: Option<&'j str>,
    /// Records what this apply starts for it.
    record_started: &'j (dyn Fn(&str, &str) + Sync),
    /// Whether an earlier apply sent it and stopped before recording its answer.
    in_flight: bool,
    /// Records, before the call, that it is sent.
    record_in_flight: &'j (dyn Fn(&str) + Sync),
}

/// A `ref:<step>` whose step has no output (yet): the step it names.
struct Unresolved(String);

/// Replaces `ref:<step>` strings by the outputs of those steps.
fn resolve(action: &Action, outputs: &BTreeMap<String, String>) -> Result<Action, Unresolved> {
    let mut value = serde_json::to_value(action).expect("action serialises");
    fn walk(
        value: &mut serde_json::Value,
        outputs: &BTreeMap<String, String>,
    ) -> Result<(), Unresolved> {
        match value {
            serde_json::Value::String(text) => {
                if let Some(reference) = text.strip_prefix(REF_PREFIX) {
                    *text = outputs
                        .get(reference)
                        .cloned()
                        .ok_or_else(|| Unresolved(reference.to_owned()))?;
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
