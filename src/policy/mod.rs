//! Policy-as-code: loading Rhai rules, checking their metadata, and evaluating them against
//! an inventory to produce findings.
//!
//! A policy is one file, `<id>.rhai`, defining `metadata()` (a map, validated when loaded)
//! and `check(inv, params)` (an array of `pass(...)`/`fail(...)` verdicts). Its leading `//!`
//! comment is its user documentation, printed by `hacheck explain`. Files in
//! sub-directories (e.g. `lib/ha.rhai`) are libraries for `import`. The built-in pack is
//! embedded in the binary; `--policies DIR` adds user policies and replaces a built-in one
//! with the same id.

pub mod engine;
pub(crate) mod field;
pub mod frameworks;
mod view;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rhai::{AST, Dynamic, Engine, EvalAltResult};
use serde::{Deserialize, Serialize};

use crate::apps::AppModel;
use crate::finding::{Finding, Severity, Status};
use std::sync::Arc;

use crate::inventory::Index;
use crate::memory;
pub use view::{InventoryView, Res};

use crate::builtin;

/// Where the built-in pack's files appear to come from in messages and SARIF locations.
pub const BUILTIN_DIR: &str = "policies";

/// The tag of a rule that runs only when a `--select` (or the config's `select`) names it:
/// a control many teams leave off, which on by default would flag most accounts.
pub const OPT_IN: &str = "opt-in";

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Loading the file failed at a position: a syntax error, or its top level failing
    /// (a refused `import`).
    #[error("{file}:{line}:{column}: {message}")]
    Load {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: invalid policy metadata: {message}")]
    Metadata { file: String, message: String },
    #[error("cannot read policies from `{path}`: {message}")]
    Read { path: PathBuf, message: String },
    #[error("policy `{id}` failed at {}: {message}", location(file, *line, *column))]
    Runtime {
        id: String,
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("policy `{id}` returned a bad verdict: {message}")]
    Verdict { id: String, message: String },
    #[error("config: {message}")]
    Config { message: String },
    #[error("{message}")]
    Selection { message: String },
}

/// `file:line:column`, or `file` alone when Rhai gives no position (it drops the position of
/// a run stopped by a limit).
fn location(file: &str, line: usize, column: usize) -> String {
    if line == 0 {
        file.to_owned()
    } else {
        format!("{file}:{line}:{column}")
    }
}

/// A rule's metadata: what `metadata()` returns, checked field by field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMeta {
    /// Stable forever; equals the file stem.
    pub id: String,
    /// Short kebab-case name, e.g. `asg-spans-two-azs`.
    pub name: String,
    /// Describes the passing state ("Auto Scaling groups span at least two AZs").
    pub title: String,
    pub severity: Severity,
    /// CloudFormation type of the resources examined.
    pub resource_type: String,
    pub rationale: String,
    /// Parameters with their defaults; overridable from the config file.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    /// AWS documentation and the matching Security Hub control or Config rule.
    pub references: Vec<String>,
    /// The remediation script that fixes it (`remediations/<id>.rhai`), if any.
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The framework controls it answers (`SH:RDS.5`, `CONFIG:rds-multi-az-support`,
    /// `TA:Amazon RDS Multi-AZ`, `WA:REL10-BP01`), each one `frameworks.rs` lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<String>,
}

/// Resource types a policy may declare.
const RESOURCE_TYPES: &[&str] = &[
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::VPC",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::SNS::Topic",
    "AWS::Route53::RecordSet",
    "AWS::CloudWatch::Alarm",
];

#[derive(Clone)]
pub struct Policy {
    pub meta: PolicyMeta,
    /// Markdown from the file's leading `//!` lines.
    pub docs: String,
    /// Where the file came from: `policies/<id>.rhai` for built-ins, else its path.
    pub origin: String,
    pub builtin: bool,
    ast: AST,
}

/// All loaded policies plus the library files scripts may import.
pub struct PolicySet {
    pub policies: Vec<Policy>,
    /// Built-in ids replaced by a user policy, with the replacing file.
    pub replaced: Vec<(String, String)>,
    /// Ids of loaded policies this set leaves out (a selection's, an `only`'s): rules still,
    /// which a suppression may name.
    left_out: Vec<String>,
    dirs: Vec<PathBuf>,
}

/// Parameter overrides from the config file: policy id → parameter → value.
pub type ParamOverrides = BTreeMap<String, BTreeMap<String, serde_json::Value>>;

/// The outcome of evaluating a set: findings of every policy that ran, and the errors of
/// those that did not (the others still ran).
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub errors: Vec<PolicyError>,
    /// Per policy id, the most heap its run held (what its memory budget is measured against).
    pub peak_memory: BTreeMap<String, u64>,
}

/// One policy's run in an evaluation: its place in the set, what it returned, and the most
/// heap it held.
struct PolicyRun {
    index: usize,
    outcome: Result<Vec<Finding>, PolicyError>,
    peak: u64,
}

fn docs_of(text: &str) -> String {
    text.lines()
        .take_while(|line| line.starts_with("//!") || line.trim().is_empty())
        .filter_map(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

fn syntax_error(origin: &str, error: rhai::ParseError) -> PolicyError {
    PolicyError::Load {
        file: origin.to_owned(),
        line: error.1.line().unwrap_or(0),
        column: error.1.position().unwrap_or(0),
        message: format!(
            "syntax error: {}",
            engine::lowercase_message(&error.0.to_string())
        ),
    }
}

/// Reads a library/policy directory: every `.rhai` and `.tests.json` file, relative paths.
fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, PolicyError> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, base, out)?;
            } else if path.extension().is_some_and(|e| e == "rhai" || e == "json") {
                let relative = path
                    .strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, std::fs::read_to_string(&path)?));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files).map_err(|error| PolicyError::Read {
        path: dir.to_owned(),
        message: error.to_string(),
    })?;
    Ok(files)
}

impl PolicySet {
    /// The built-in pack plus the policies of `user_dirs` (later ones win on equal ids).
    pub fn load(user_dirs: &[PathBuf]) -> Result<PolicySet, PolicyError> {
        let compile_engine = engine::build(engine::POLICY_LIBRARY, 0);
        let mut set = PolicySet {
            policies: Vec::new(),
            replaced: Vec::new(),
            left_out: Vec::new(),
            dirs: Vec::new(),
        };
        for (file, text) in builtin::POLICIES {
            if is_policy_file(file) {
                let origin = format!("{BUILTIN_DIR}/{file}");
                set.add(compile_policy(&compile_engine, &origin, file, text, true)?);
            }
        }
        for dir in user_dirs {
            for (file, text) in read_dir_files(dir)? {
                if is_policy_file(&file) {
                    let origin = dir.join(&file).display().to_string();
                    set.add(compile_policy(
                        &compile_engine,
                        &origin,
                        &file,
                        &text,
                        false,
                    )?);
                }
            }
            set.dirs.push(dir.clone());
        }
        set.policies.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        Ok(set)
    }

    fn add(&mut self, policy: Policy) {
        if let Some(existing) = self
            .policies
            .iter_mut()
            .find(|p| p.meta.id == policy.meta.id)
        {
            tracing::info!(
                "policy `{}` from {} replaces {}",
                policy.meta.id,
                policy.origin,
                existing.origin
            );
            self.replaced
                .push((policy.meta.id.clone(), policy.origin.clone()));
            *existing = policy;
        } else {
            self.policies.push(policy);
        }
    }

    /// The set `--select` / `--ignore` leave: only the policies some `select` entry names
    /// (all when there is none, but the opt-in ones unless `with_opt_in`), without those an
    /// `ignore` entry names. An entry is a rule
    /// id, a glob over ids (`HA01*`) or a tag (`database`); one that names no rule is an
    /// error naming the option it came from, so that a typo never silently runs nothing.
    pub fn selected(
        &self,
        select: &[(String, &str)],
        ignore: &[(String, &str)],
        with_opt_in: bool,
    ) -> Result<PolicySet, PolicyError> {
        let matcher = |(entry, origin): &(String, &str)| -> Result<Selector, PolicyError> {
            // Rule ids in any letter case (`ha01*`), as `explain` takes them.
            let glob = globset::GlobBuilder::new(entry)
                .case_insensitive(true)
                .build()
                .map_err(|e| PolicyError::Selection {
                    message: format!("{origin} `{entry}` is not a valid glob: {e}"),
                })?
                .compile_matcher();
            let selector = Selector {
                entry: entry.clone(),
                glob,
            };
            if !self.policies.iter().any(|p| selector.names(&p.meta)) {
                let mut tags: Vec<&str> = self
                    .policies
                    .iter()
                    .flat_map(|p| p.meta.tags.iter().map(String::as_str))
                    .collect();
                tags.sort();
                tags.dedup();
                return Err(PolicyError::Selection {
                    message: format!(
                        "{origin} `{entry}` names no rule: give a rule id, a glob such as `HA01*`, a framework control a rule answers (`SH:RDS.5`, `hacheck explain` lists them), or a tag ({})",
                        tags.join(", ")
                    ),
                });
            }
            Ok(selector)
        };
        let select = select.iter().map(matcher).collect::<Result<Vec<_>, _>>()?;
        let ignore = ignore.iter().map(matcher).collect::<Result<Vec<_>, _>>()?;
        let keep: BTreeMap<&str, bool> = self
            .policies
            .iter()
            .map(|p| {
                // An opt-in rule runs only when asked for (its id, a glob, a tag of it, a
                // control it answers).
                let chosen = if select.is_empty() {
                    with_opt_in || !p.meta.tags.iter().any(|t| t == OPT_IN)
                } else {
                    select.iter().any(|m| m.names(&p.meta))
                };
                (
                    p.meta.id.as_str(),
                    chosen && !ignore.iter().any(|m| m.names(&p.meta)),
                )
            })
            .collect();
        let mut set = self.only(|id| keep.get(id).copied().unwrap_or(false));
        set.replaced = self.replaced.clone();
        Ok(set)
    }

    /// The same set restricted to the policies whose ids `keep` accepts (to time one policy,
    /// run one's cases, or judge a plan again by the rules it would break).
    pub fn only(&self, keep: impl Fn(&str) -> bool) -> PolicySet {
        let (kept, dropped): (Vec<&Policy>, Vec<&Policy>) =
            self.policies.iter().partition(|p| keep(&p.meta.id));
        PolicySet {
            policies: kept.into_iter().cloned().collect(),
            replaced: Vec::new(),
            left_out: (self.left_out.iter().cloned())
                .chain(dropped.into_iter().map(|p| p.meta.id.clone()))
                .collect(),
            dirs: self.dirs.clone(),
        }
    }

    /// Whether `id` (any letter case) is a loaded rule, in this set or left out of it.
    pub fn is_rule(&self, id: &str) -> bool {
        self.get(id).is_some() || self.left_out.iter().any(|l| l.eq_ignore_ascii_case(id))
    }

    /// The policy with rule id `id`, in any letter case (`ha012` is HA012).
    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.policies
            .iter()
            .find(|p| p.meta.id.eq_ignore_ascii_case(id))
    }

    /// The engine for one run over `view`, importing from the embedded library first and
    /// then the user directories.
    fn engine_for(&self, view: &InventoryView) -> Engine {
        engine::build_with_library(engine::POLICY_LIBRARY, &self.dirs, view.resource_count())
    }

    /// Evaluates every policy against `inventory` and its application model, on all cores.
    /// Each finding names the application of its resource.
    pub fn evaluate(
        &self,
        index: &Arc<Index>,
        model: &AppModel,
        overrides: &ParamOverrides,
    ) -> Evaluation {
        let view = InventoryView::new(index.clone(), model);
        self.evaluate_view(&view, model, overrides)
    }

    /// [`evaluate`](Self::evaluate) on a view already built for `model` (the benchmark
    /// times rules apart from the view this way).
    pub fn evaluate_view(
        &self,
        view: &InventoryView,
        model: &AppModel,
        overrides: &ParamOverrides,
    ) -> Evaluation {
        let view = view.clone();
        let engine = self.engine_for(&view);
        let run_budget = engine::run_memory_budget(view.resource_count());
        let ledger = memory::Ledger::new(engine::evaluation_memory_budget(view.resource_count()));
        let next = Mutex::new(0usize);
        let results: Mutex<Vec<PolicyRun>> = Mutex::new(Vec::new());
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(self.policies.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    ledger.enter(|| {
                        loop {
                            let index = {
                                let mut next = next.lock().expect("work index");
                                let index = *next;
                                *next += 1;
                                index
                            };
                            let Some(policy) = self.policies.get(index) else {
                                break;
                            };
                            let started = std::time::Instant::now();
                            let (outcome, peak) = memory::with_budget(run_budget, || {
                                let mut findings = run_policy(
                                    &engine,
                                    policy,
                                    &view,
                                    overrides.get(&policy.meta.id),
                                )?;
                                // Here, not after the join: on the workers, in parallel.
                                for finding in &mut findings {
                                    finding.application = model
                                        .first_app_of(&finding.resource.arn)
                                        .map(str::to_owned);
                                }
                                Ok(findings)
                            });
                            tracing::debug!(
                                "policy `{}` took {:?} and held at most {}",
                                policy.meta.id,
                                started.elapsed(),
                                memory::mebibytes(peak)
                            );
                            results.lock().expect("results").push(PolicyRun {
                                index,
                                outcome,
                                peak,
                            });
                        }
                    })
                });
            }
        });
        let mut results = results.into_inner().expect("results");
        results.sort_by_key(|run| run.index);
        let mut evaluation = Evaluation::default();
        evaluation.findings.reserve(
            results
                .iter()
                .filter_map(|run| run.outcome.as_ref().ok())
                .map(Vec::len)
                .sum(),
        );
        for PolicyRun {
            index,
            outcome,
            peak,
        } in results
        {
            let id = self.policies[index].meta.id.clone();
            evaluation.peak_memory.insert(id, peak);
            match outcome {
                Ok(findings) => evaluation.findings.extend(findings),
                Err(error) => evaluation.errors.push(error),
            }
        }
        evaluation
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        evaluation
    }
}

fn is_policy_file(relative: &str) -> bool {
    !relative.contains('/') && relative.ends_with(".rhai")
}

fn compile_policy(
    engine: &Engine,
    origin: &str,
    file: &str,
    text: &str,
    builtin: bool,
) -> Result<Policy, PolicyError> {
    let stem = file.trim_end_matches(".rhai");
    let invalid = |message: String| PolicyError::Metadata {
        file: origin.to_owned(),
        message,
    };
    let mut ast = engine
        .compile(text)
        .map_err(|error| syntax_error(origin, error))?;
    ast.set_source(origin);
    for required in ["metadata", "check"] {
        let arity = if required == "check" { 2 } else { 0 };
        if !ast
            .iter_functions()
            .any(|f| f.name == required && f.params.len() == arity)
        {
            return Err(invalid(format!(
                "missing function `{required}` with {arity} parameter{}",
                if arity == 1 { "" } else { "s" }
            )));
        }
    }
    let value: Dynamic = engine
        .call_fn(&mut rhai::Scope::new(), &ast, "metadata", ())
        .map_err(|error| {
            let (position, message) = engine::describe(&error);
            match position.line() {
                // The script's top level (an `import`) failed: a load error at that line.
                Some(line) => PolicyError::Load {
                    file: origin.to_owned(),
                    line,
                    column: position.position().unwrap_or(0),
                    message,
                },
                None => invalid(format!("`metadata()` failed: {message}")),
            }
        })?;
    let meta: PolicyMeta = rhai::serde::from_dynamic(&value).map_err(|error| {
        let message = error.to_string();
        let message = message.strip_prefix("Syntax error: ").unwrap_or(&message);
        invalid(crate::one_line(message))
    })?;
    validate_meta(&meta, stem).map_err(|problem| invalid(problem.to_string()))?;
    Ok(Policy {
        meta,
        docs: docs_of(text),
        origin: origin.to_owned(),
        builtin,
        ast,
    })
}

/// One `--select` / `--ignore` entry: a rule id, a glob over ids, or a tag.
struct Selector {
    entry: String,
    glob: globset::GlobMatcher,
}

impl Selector {
    fn names(&self, meta: &PolicyMeta) -> bool {
        meta.id == self.entry
            || self.glob.is_match(&meta.id)
            || meta.tags.contains(&self.entry)
            || meta
                .frameworks
                .iter()
                .any(|id| id.eq_ignore_ascii_case(&self.entry))
    }
}

/// The remediation script `name` (`remediations/<name>.rhai`): (file, text).
pub fn remediation_script(name: &str) -> Option<(&'static str, &'static str)> {
    builtin::REMEDIATIONS
        .iter()
        .find(|(file, _)| file.strip_suffix(".rhai") == Some(name))
        .copied()
}

/// What is wrong with a rule's metadata (one problem: the first found).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataProblem {
    #[error("id `{id}` differs from the file name `{stem}`")]
    IdNotFileName { id: String, stem: String },
    #[error("id `{0}` must be letters, digits, `-` or `_`")]
    IdCharacters(String),
    #[error("name `{0}` must be kebab-case")]
    NameNotKebabCase(String),
    #[error("`{0}` is empty")]
    Empty(&'static str),
    #[error("`title` is a heading, not a sentence: drop the final period")]
    TitleIsASentence,
    #[error("remediation `{0}` names no script in remediations/")]
    NoSuchRemediation(String),
    #[error("unknown resource_type `{0}`")]
    UnknownResourceType(String),
    #[error("`references` needs at least one link")]
    NoReference,
    #[error("framework control `{0}` is not one hacheck knows (src/policy/frameworks.rs)")]
    UnknownFrameworkControl(String),
    #[error("reference `{0}` is not an https link")]
    ReferenceNotHttps(String),
    #[error("parameter `{0}` must default to a number, string, boolean or list of strings")]
    ParameterType(String),
}

fn validate_meta(meta: &PolicyMeta, stem: &str) -> Result<(), MetadataProblem> {
    if meta.id != stem {
        return Err(MetadataProblem::IdNotFileName {
            id: meta.id.clone(),
            stem: stem.to_owned(),
        });
    }
    let id_ok = meta
        .id
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && meta
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !id_ok {
        return Err(MetadataProblem::IdCharacters(meta.id.clone()));
    }
    if meta.name.is_empty()
        || !meta
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(MetadataProblem::NameNotKebabCase(meta.name.clone()));
    }
    for (field, value) in [("title", &meta.title), ("rationale", &meta.rationale)] {
        if value.trim().is_empty() {
            return Err(MetadataProblem::Empty(field));
        }
    }
    if meta.title.ends_with('.') {
        return Err(MetadataProblem::TitleIsASentence);
    }
    if let Some(remediation) = &meta.remediation
        && remediation_script(remediation).is_none()
    {
        return Err(MetadataProblem::NoSuchRemediation(remediation.clone()));
    }
    if !RESOURCE_TYPES.contains(&meta.resource_type.as_str()) {
        return Err(MetadataProblem::UnknownResourceType(
            meta.resource_type.clone(),
        ));
    }
    if meta.references.is_empty() {
        return Err(MetadataProblem::NoReference);
    }
    if let Some(unknown) = meta
        .frameworks
        .iter()
        .find(|id| frameworks::title(id).is_none())
    {
        return Err(MetadataProblem::UnknownFrameworkControl(unknown.clone()));
    }
    if let Some(bad) = meta.references.iter().find(|r| !r.starts_with("https://")) {
        return Err(MetadataProblem::ReferenceNotHttps(bad.clone()));
    }
    if let Some((name, _)) = meta.params.iter().find(|(_, v)| param_kind(v).is_none()) {
        return Err(MetadataProblem::ParameterType(name.clone()));
    }
    Ok(())
}

/// What a parameter holds: a number, a string, a boolean, or a list of strings (event
/// categories); `None` for anything else. A setting must hold what the default does.
fn param_kind(value: &serde_json::Value) -> Option<&'static str> {
    match value {
        serde_json::Value::Number(_) => Some("number"),
        serde_json::Value::String(_) => Some("string"),
        serde_json::Value::Bool(_) => Some("boolean"),
        serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => {
            Some("list of strings")
        }
        _ => None,
    }
}

/// The parameters a run uses: the defaults, with the config file's values on top. An
/// override must name a known parameter and keep its type.
pub fn effective_params(
    meta: &PolicyMeta,
    overrides: Option<&BTreeMap<String, serde_json::Value>>,
) -> Result<BTreeMap<String, serde_json::Value>, PolicyError> {
    let mut params = meta.params.clone();
    for (name, value) in overrides.into_iter().flatten() {
        let Some(default) = params.get(name) else {
            return Err(PolicyError::Config {
                message: format!("policy `{}` has no parameter `{name}`", meta.id),
            });
        };
        if param_kind(value) != param_kind(default) {
            return Err(PolicyError::Config {
                message: format!(
                    "parameter `{name}` of policy `{}` must be like `{default}`, got `{value}`",
                    meta.id
                ),
            });
        }
        params.insert(name.clone(), value.clone());
    }
    Ok(params)
}

fn run_policy(
    engine: &Engine,
    policy: &Policy,
    view: &InventoryView,
    overrides: Option<&BTreeMap<String, serde_json::Value>>,
) -> Result<Vec<Finding>, PolicyError> {
    let id = &policy.meta.id;
    let params = effective_params(&policy.meta, overrides)?;
    let params: Dynamic = rhai::serde::to_dynamic(&params).expect("parameters convert");
    let returned: Dynamic = engine
        .call_fn(
            &mut rhai::Scope::new(),
            &policy.ast,
            "check",
            (view.clone(), params),
        )
        .map_err(|error| runtime_error(policy, *error))?;
    let verdicts = returned
        .try_cast::<rhai::Array>()
        .ok_or_else(|| PolicyError::Verdict {
            id: id.clone(),
            message: "`check` must return an array of pass(...)/fail(...) verdicts".into(),
        })?;
    let reads = view::take_reads();
    // Sized once: a pack's largest rules give tens of thousands of verdicts.
    let mut findings = Vec::with_capacity(verdicts.len());
    for verdict in verdicts {
        findings.push(to_finding(&policy.meta, verdict)?);
    }
    if view.index().has_sources() {
        locate(&mut findings, &reads, view.index());
    }
    Ok(findings.into_iter().map(|(finding, _)| finding).collect())
}

/// What a verdict leaves for [`locate`] besides its finding.
struct VerdictTrace {
    key: (usize, usize),
    /// The resource of the deciding field, when not the verdict's own.
    at_key: Option<(usize, usize)>,
    at: Option<(String, Option<serde_json::Value>)>,
    reads_end: usize,
}

/// For an inventory read from templates: where each finding points (the field its rule
/// named with `at`, else the first field of its resource it read, else the resource), and
/// which findings wait for an unknown input — one its own reads met, or any read of its
/// resource's unknown fields in the run. Such a verdict is `unknown`, pass or fail.
fn locate(findings: &mut [(Finding, VerdictTrace)], reads: &[view::FieldRead], index: &Index) {
    let mut start = 0;
    for (finding, trace) in findings.iter_mut() {
        let end = trace.reads_end.min(reads.len()).max(start);
        let own = &reads[start..end];
        start = end;
        let (slot, position) = trace.key;
        let Some(source) = index.source_of(slot, position) else {
            continue;
        };
        let is_self =
            |read: &&view::FieldRead| read.0 as usize == slot && read.1 as usize == position;
        let field = trace.at.clone().or_else(|| {
            own.iter()
                .filter(is_self)
                .find(|read| source.fields.contains_key(&read.2))
                .map(|read| (read.2.clone(), None))
        });
        // A field of another resource decides: point there (its file may differ).
        let deciding = trace
            .at_key
            .and_then(|(slot, position)| index.source_of(slot, position));
        let source_at = deciding.unwrap_or(source);
        let at = source_at.position_of(
            field.as_ref().map(|(f, _)| f.as_str()),
            field.as_ref().and_then(|(_, e)| e.as_ref()),
        );
        finding.location = Some(crate::finding::Location {
            file: source_at.file.clone(),
            line: at.line,
            column: at.column,
            logical_id: source.logical_id.clone(),
        });
        let mut inputs = std::collections::BTreeSet::new();
        let unknown_of = |read: &view::FieldRead| {
            index
                .source_of(read.0 as usize, read.1 as usize)?
                .unknown(&read.2)
        };
        for read in own {
            inputs.extend(unknown_of(read).map(str::to_owned));
        }
        for read in reads
            .iter()
            .filter(|read| read.0 as usize == slot && read.1 as usize == position)
        {
            inputs.extend(unknown_of(read).map(str::to_owned));
        }
        if !inputs.is_empty() {
            finding.status = Status::Unknown;
            finding.unknown_inputs = inputs.into_iter().collect();
            finding.message = format!(
                "{} cannot be judged before deploy: the verdict waits for {}.",
                finding.resource.id,
                finding.unknown_inputs.join(", ")
            );
        }
    }
}

fn runtime_error(policy: &Policy, error: EvalAltResult) -> PolicyError {
    let (position, message) = engine::describe(&error);
    PolicyError::Runtime {
        id: policy.meta.id.clone(),
        file: policy.origin.clone(),
        line: position.line().unwrap_or(0),
        column: position.position().unwrap_or(0),
        message,
    }
}

/// Evidence of plain values (unit, booleans, numbers, strings, arrays and maps of them) as
/// JSON, without serde's detour through a deserializer per value; `None` for anything else,
/// which serde then converts or names in its error.
fn plain_json_map(map: &rhai::Map) -> Option<BTreeMap<String, serde_json::Value>> {
    map.iter()
        .map(|(key, value)| Some((key.to_string(), plain_json(value)?)))
        .collect()
}

fn plain_json(value: &Dynamic) -> Option<serde_json::Value> {
    use serde_json::Value;
    if value.is_unit() {
        return Some(Value::Null);
    }
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return Some(Value::String(text.to_string()));
    }
    if let Ok(flag) = value.as_bool() {
        return Some(Value::Bool(flag));
    }
    if let Ok(number) = value.as_int() {
        return Some(Value::from(number));
    }
    if let Ok(number) = value.as_float() {
        return serde_json::Number::from_f64(number).map(Value::Number);
    }
    if let Some(items) = value.read_lock::<rhai::Array>() {
        return items
            .iter()
            .map(plain_json)
            .collect::<Option<_>>()
            .map(Value::Array);
    }
    if let Some(map) = value.read_lock::<rhai::Map>() {
        return plain_json_map(&map).map(|map| Value::Object(map.into_iter().collect()));
    }
    None
}

fn to_finding(meta: &PolicyMeta, verdict: Dynamic) -> Result<(Finding, VerdictTrace), PolicyError> {
    let bad = |message: String| PolicyError::Verdict {
        id: meta.id.clone(),
        message,
    };
    let verdict = verdict
        .try_cast::<engine::Verdict>()
        .ok_or_else(|| bad("a verdict is not pass(...), fail(...) or unknown(...)".into()))?;
    let verdict = std::sync::Arc::unwrap_or_clone(verdict.0);
    let resource = verdict.resource.try_cast::<Res>().ok_or_else(|| {
        bad("the first argument of pass/fail/unknown must be an inventory resource".into())
    })?;
    let trace = VerdictTrace {
        key: resource.key(),
        at_key: verdict.at_resource.as_ref().map(|r| r.key()),
        at: verdict
            .at
            .as_ref()
            .map(|(field, element)| (field.to_string(), element.as_ref().and_then(plain_json))),
        reads_end: verdict.reads_end,
    };
    let resource = resource.reference();
    if resource.id.is_empty() {
        return Err(bad(
            "the first argument of pass/fail/unknown must be an inventory resource".into(),
        ));
    }
    let message = verdict.message.to_string();
    if !message.contains(&resource.id) || !message.ends_with('.') {
        return Err(bad(format!(
            "the message `{message}` must be a sentence naming `{}` and ending with a period",
            resource.id
        )));
    }
    let evidence = match plain_json_map(&verdict.evidence) {
        Some(evidence) => evidence,
        None => rhai::serde::from_dynamic(&verdict.evidence.into())
            .map_err(|error| bad(format!("evidence: {error}")))?,
    };
    let finding = Finding {
        rule_id: meta.id.clone(),
        severity: meta.severity,
        status: verdict.status,
        resource,
        message,
        evidence,
        application: None,
        account: None,
        location: None,
        unknown_inputs: Vec::new(),
    };
    Ok((finding, trace))
}
