//! Rule test cases: `<id>.tests.json` beside each policy, run through the rule and its
//! remediation (this module sits above both `policy` and `plan`, which know nothing of it).
//!
//! A case starts from a bundled example account (`compliant` or `single-server`), changes it
//! (`modify` merges fields into resources picked by id, name or ARN; `remove` drops
//! resources; `add` appends new ones), finds its applications (`scope`: `apps` by default, or
//! `account`), evaluates the one policy, and compares: the ids of
//! failing resources must be exactly `fail`, every id in `pass` must have passed, and the ids
//! judged `unknown` (a value the rule was not written for) must be exactly `unknown`;
//! `messages` pins what a resource's finding says (resource id → text it contains), and
//! `plan` what the rule's remediation plans for the case's failures (with `settings`, the
//! `[fix]` table of `hacheck.toml`): the ids of the steps it applies, exactly, and a text of
//! each manual step — so that a rule, its cases and its fix's cases stay in one file.
//! Starting from a whole example keeps cases short and always valid inventories.
//!
//! ```json
//! { "cases": [ { "name": "public ip on an app instance", "base": "compliant",
//!     "modify": { "instances": { "i-0app0a": { "public_ip": "54.0.0.1" } } },
//!     "fail": ["i-0app0a"], "pass": ["i-0app0b"] } ] }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::finding::Status;
use crate::policy::{Policy, PolicySet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    base: String,
    #[serde(default)]
    modify: BTreeMap<String, BTreeMap<String, Value>>,
    #[serde(default)]
    remove: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    add: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    params: BTreeMap<String, Value>,
    /// `apps` (default) or `account`: what the policy judges.
    #[serde(default)]
    scope: crate::apps::Scope,
    fail: Vec<String>,
    #[serde(default)]
    pass: Vec<String>,
    #[serde(default)]
    unknown: Vec<String>,
    /// Resource id → text its finding's message must contain: what the user reads, pinned.
    #[serde(default)]
    messages: BTreeMap<String, String>,
    /// What the rule's remediation plans for the case's failures.
    #[serde(default)]
    plan: Option<PlanCase>,
}

/// The plan a case's failures get from the rule's remediation (`remediations/<id>.rhai`),
/// pinned beside the failures themselves: one place per rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanCase {
    /// `[fix]` settings of `hacheck.toml` (none by default).
    #[serde(default)]
    settings: Value,
    /// The ids of the steps it would apply (safe and unsafe), exactly.
    steps: Vec<String>,
    /// Texts its manual steps say, one each (a manual step no text names is an error).
    #[serde(default)]
    manual: Vec<String>,
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub policy: String,
    pub name: String,
    /// `None` when the case passed, else what went wrong.
    pub problem: Option<String>,
    pub expected_failures: usize,
    pub expected_passes: usize,
}

fn identifies(resource: &Value, key: &str) -> bool {
    ["id", "name", "arn"]
        .iter()
        .any(|field| resource.get(field).and_then(Value::as_str) == Some(key))
}

/// RFC 7386 merge patch.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// A case file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CaseFileError {
    #[error("{file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {source}")]
    Parse {
        file: String,
        source: serde_json::Error,
    },
}

/// Why a case's account cannot be made from its base.
#[derive(Debug, thiserror::Error)]
enum BadCase {
    #[error("unknown base `{0}`")]
    UnknownBase(String),
    #[error("no collection `{0}`")]
    NoCollection(String),
    #[error("no `{key}` in `{collection}`")]
    NoItem { collection: String, key: String },
    #[error("no `{key}` in `{collection}` to remove")]
    NothingToRemove { collection: String, key: String },
    #[error("`{0}` is not a collection")]
    NotACollection(String),
    #[error("the case makes `{field}` invalid: {message}")]
    MakesInvalid { field: String, message: String },
    #[error(transparent)]
    Snapshot(crate::snapshot::SnapshotError),
}

fn build_inventory(case: &Case, origin: &str) -> Result<crate::inventory::Inventory, BadCase> {
    let base = crate::snapshot::example(&case.base)
        .ok_or_else(|| BadCase::UnknownBase(case.base.clone()))?;
    let mut account: Value = serde_json::from_str(base).expect("bundled example is JSON");
    for (collection, changes) in &case.modify {
        let items = account
            .get_mut(collection)
            .and_then(Value::as_array_mut)
            .ok_or_else(|| BadCase::NoCollection(collection.clone()))?;
        for (key, patch) in changes {
            let item = items
                .iter_mut()
                .find(|i| identifies(i, key))
                .ok_or_else(|| BadCase::NoItem {
                    collection: collection.clone(),
                    key: key.clone(),
                })?;
            merge(item, patch);
        }
    }
    for (collection, keys) in &case.remove {
        let items = account
            .get_mut(collection)
            .and_then(Value::as_array_mut)
            .ok_or_else(|| BadCase::NoCollection(collection.clone()))?;
        for key in keys {
            let before = items.len();
            items.retain(|i| !identifies(i, key));
            if items.len() == before {
                return Err(BadCase::NothingToRemove {
                    collection: collection.clone(),
                    key: key.clone(),
                });
            }
        }
    }
    for (collection, new) in &case.add {
        // A collection the base example leaves out starts empty (the snapshot parser
        // rejects names that are no collection).
        let items = account
            .as_object_mut()
            .expect("an example is an object")
            .entry(collection.clone())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| BadCase::NotACollection(collection.clone()))?;
        items.extend(new.iter().cloned());
    }
    let text = serde_json::to_string(&account).expect("serialises");
    crate::snapshot::parse(&text, Path::new(origin)).map_err(|error| match error {
        // The document is the base changed by the case: its line and column are nobody's.
        crate::snapshot::SnapshotError::Shape { field, source, .. } => BadCase::MakesInvalid {
            field,
            message: strip_position(&source.to_string()).to_owned(),
        },
        other => BadCase::Snapshot(other),
    })
}

/// serde_json's message without its trailing ` at line L column C`.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    }
}

fn run_case(set: &PolicySet, policy: &Policy, case: &Case, origin: &str) -> Option<String> {
    let mut inventory = match build_inventory(case, origin) {
        Ok(inventory) => inventory,
        Err(error) => return Some(format!("bad case in `{origin}`: {error}")),
    };
    inventory.derive_subnet_publicity();
    let only = set.only(|id| id == policy.meta.id);
    let mut overrides = crate::policy::ParamOverrides::new();
    overrides.insert(policy.meta.id.clone(), case.params.clone());
    let index = std::sync::Arc::new(crate::inventory::Index::new(inventory));
    let model = crate::apps::discover(
        &index,
        case.scope,
        &crate::apps::ScopeSettings::default(),
        &[],
    );
    let evaluation = only.evaluate(&index, &model, &overrides);
    if let Some(error) = evaluation.errors.first() {
        return Some(error.to_string());
    }
    let failed: BTreeSet<&str> = evaluation
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.resource.id.as_str())
        .collect();
    let passed: BTreeSet<&str> = evaluation
        .findings
        .iter()
        .filter(|f| f.status == Status::Pass)
        .map(|f| f.resource.id.as_str())
        .collect();
    let expected: BTreeSet<&str> = case.fail.iter().map(String::as_str).collect();
    if failed != expected {
        return Some(format!("expected failures {expected:?}, got {failed:?}"));
    }
    let unknown: BTreeSet<&str> = evaluation
        .findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
        .map(|f| f.resource.id.as_str())
        .collect();
    let expected: BTreeSet<&str> = case.unknown.iter().map(String::as_str).collect();
    if unknown != expected {
        return Some(format!("expected unknown {expected:?}, got {unknown:?}"));
    }
    if let Some(missing) = case.pass.iter().find(|id| !passed.contains(id.as_str())) {
        return Some(format!(
            "expected `{missing}` to pass, it did not (passed: {passed:?})"
        ));
    }
    if let Some(expected) = &case.plan
        && let Some(problem) = check_plan(&only, &index, &model, &evaluation.findings, expected)
    {
        return Some(problem);
    }
    for (id, text) in &case.messages {
        let said: Vec<&str> = evaluation
            .findings
            .iter()
            .filter(|f| f.resource.id == *id)
            .map(|f| f.message.as_str())
            .collect();
        if !said.iter().any(|m| m.contains(text.as_str())) {
            return Some(format!(
                "expected `{id}`'s message to say `{text}`, got {said:?}"
            ));
        }
    }
    None
}

/// `expected` against the plan the rule's remediation makes for `findings`: `None` when it
/// holds, else what differs.
fn check_plan(
    set: &PolicySet,
    index: &std::sync::Arc<crate::inventory::Index>,
    model: &crate::apps::AppModel,
    findings: &[crate::finding::Finding],
    expected: &PlanCase,
) -> Option<String> {
    let settings: crate::config::FixSettings = match &expected.settings {
        Value::Null => crate::config::FixSettings::default(),
        given => match serde_json::from_value(given.clone()) {
            Ok(settings) => settings,
            Err(error) => return Some(format!("bad case: `plan.settings`: {error}")),
        },
    };
    let plan = match crate::plan::plan(index, model, set, findings, &settings) {
        Ok(plan) => plan,
        Err(error) => return Some(format!("the remediation failed: {error}")),
    };
    let applied: BTreeSet<&str> = plan.executable().map(|s| s.id.as_str()).collect();
    let wanted: BTreeSet<&str> = expected.steps.iter().map(String::as_str).collect();
    if applied != wanted {
        return Some(format!("expected steps {wanted:?}, got {applied:?}"));
    }
    let manual: Vec<String> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            crate::change::Action::Manual(manual) => Some(manual.instruction.clone()),
            _ => None,
        })
        .collect();
    for text in &expected.manual {
        if !manual.iter().any(|m| m.contains(text.as_str())) {
            return Some(format!(
                "expected a manual step saying `{text}`, got {manual:?}"
            ));
        }
    }
    if let Some(unnamed) = manual
        .iter()
        .find(|m| !expected.manual.iter().any(|t| m.contains(t.as_str())))
    {
        return Some(format!("unexpected manual step: {unnamed}"));
    }
    None
}

/// Runs the cases of every policy in `set` that has some: embedded ones for built-ins,
/// `<id>.tests.json` beside user policies.
pub fn run_all(set: &PolicySet) -> Result<Vec<CaseResult>, CaseFileError> {
    let mut results = Vec::new();
    for policy in &set.policies {
        let Some((origin, text)) = case_file_of(policy)? else {
            continue;
        };
        let file: CaseFile =
            serde_json::from_str(&text).map_err(|source| CaseFileError::Parse {
                file: origin.clone(),
                source,
            })?;
        for case in &file.cases {
            results.push(CaseResult {
                policy: policy.meta.id.clone(),
                name: case.name.clone(),
                problem: run_case(set, policy, case, &origin),
                expected_failures: case.fail.len(),
                expected_passes: case.pass.len(),
            });
        }
    }
    Ok(results)
}

fn case_file_of(policy: &Policy) -> Result<Option<(String, String)>, CaseFileError> {
    let name = format!("{}.tests.json", policy.meta.id);
    if policy.builtin {
        return Ok(crate::builtin::POLICIES
            .iter()
            .find(|(file, _)| *file == name)
            .map(|(file, text)| {
                (
                    format!("{}/{file}", crate::policy::BUILTIN_DIR),
                    (*text).to_owned(),
                )
            }));
    }
    let path = Path::new(&policy.origin).with_file_name(&name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path.display().to_string(), text))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CaseFileError::Read {
            file: path.display().to_string(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_policy_has_passing_and_failing_cases_and_they_hold() {
        let set = PolicySet::load(&[]).expect("built-in pack loads");
        assert_eq!(set.policies.len(), 35);
        let results = run_all(&set).expect("case files parse");
        let broken: Vec<String> = results
            .iter()
            .filter_map(|r| {
                r.problem
                    .as_ref()
                    .map(|p| format!("{} `{}`: {p}", r.policy, r.name))
            })
            .collect();
        assert!(broken.is_empty(), "{}", broken.join("\n"));
        for policy in &set.policies {
            let own: Vec<&CaseResult> = results
                .iter()
                .filter(|r| r.policy == policy.meta.id)
                .collect();
            assert!(
                own.iter().any(|r| r.expected_failures > 0),
                "{} has no failing case",
                policy.meta.id
            );
            assert!(
                own.iter().any(|r| r.expected_passes > 0),
                "{} has no passing case",
                policy.meta.id
            );
        }
    }
}
