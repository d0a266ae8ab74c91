//! Planning: open failures → remediation scripts → an ordered, immutable [`Plan`].
//!
//! The planner is a pure function of (inventory, findings, remediations, settings): it calls
//! no AWS API and the same input gives the same plan, byte for byte. Remediations are Rhai
//! scripts, `remediations/<rule id>.rhai`, defining `remediate(finding, inv, settings)`,
//! which returns actions built with the constructors registered here (see `constructors`).
//! Equal actions from different findings merge into one step; different actions on the
//! same step id are a conflict and an error. Steps are ordered by their references to one
//! another, then by id.

mod bastion;
mod constructors;
mod network;
pub mod ownership;
pub mod predict;
pub mod render;
pub mod spec;
mod stack;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rhai::Dynamic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::apps::AppModel;
use crate::change::{
    Action, AuthorizeIngress, ConvertLaunchConfiguration, CreateAutoScalingGroup,
    NewTemplateVersion, PutCpuAlarm, PutScalingPolicy, RevokeIngress, RunBastion, Safety,
    SetSubnets, StartInstanceRefresh, StopInstance, TemplateVersionWithoutPublicIp,
    UpsertAliasRecord,
};
use crate::config::FixSettings;
use crate::finding::Finding;
use crate::inventory::{Index, Inventory};
use crate::policy::{InventoryView, PolicySet, engine};

/// Bump when the plan file changes shape.
pub const PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{file}:{line}:{column}: syntax error: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("remediation `{rule}` failed on `{resource}`: {message}")]
    Remediation {
        rule: String,
        resource: String,
        message: String,
    },
    #[error("the stack spec asks for two different changes to `{target}`: {first}, and {second}")]
    Conflict {
        target: String,
        first: String,
        second: String,
    },
    #[error("step `{step}` refers to `{reference}`, which no step of the plan creates")]
    DanglingReference { step: String, reference: String },
    #[error("cannot read plan `{path}`: {message}")]
    Read { path: String, message: String },
}

/// One change of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable id ([`Action::key`]).
    pub id: String,
    pub region: String,
    pub action: Action,
    pub safety: Safety,
    /// `RULE resource` of every finding this step helps fix.
    pub fixes: Vec<String>,
    /// Steps that must be applied first.
    pub depends_on: Vec<String>,
    /// The applications whose findings the step fixes (none: resources of no application,
    /// such as a VPC's bastion); the plan is shown grouped by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format_version: u32,
    pub account_id: String,
    /// SHA-256 of the inventory the plan was computed from (collection time excluded).
    pub inventory_fingerprint: String,
    pub steps: Vec<Step>,
    /// Steps taken out because they would make a passing finding fail ([`predict::guard`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<predict::Refusal>,
    /// Remediations left for the next run: each wanted a change to a resource that another
    /// remediation of this plan changes differently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<predict::Refusal>,
}

#[cfg(test)]
impl Step {
    /// For tests: a step of `action` in us-east-1 that fixes nothing and waits for nothing.
    pub(crate) fn of(action: Action) -> Step {
        Step {
            id: action.key(),
            region: "us-east-1".into(),
            safety: action.safety(),
            action,
            fixes: Vec::new(),
            depends_on: Vec::new(),
            applications: Vec::new(),
        }
    }
}

#[cfg(test)]
impl Plan {
    /// For tests: a plan of `steps` for the examples' account.
    pub(crate) fn of(steps: Vec<Step>) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            account_id: "123456789012".into(),
            inventory_fingerprint: "f".into(),
            steps,
            refused: Vec::new(),
            deferred: Vec::new(),
        }
    }
}

impl Plan {
    /// Steps hacheck would apply (not manual ones).
    pub fn executable(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.safety != Safety::Manual)
    }

    /// A plan with nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.executable().next().is_none()
    }

    /// SHA-256 of the plan itself: names its journal.
    pub fn fingerprint(&self) -> String {
        hex(&Sha256::digest(
            serde_json::to_vec(self).expect("plan serialises"),
        ))
    }

    pub fn read(path: &std::path::Path) -> Result<Plan, PlanError> {
        let error = |message: String| PlanError::Read {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let plan: Plan = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
        if plan.format_version != PLAN_FORMAT_VERSION {
            return Err(error(format!(
                "format_version {} (this hacheck reads {PLAN_FORMAT_VERSION})",
                plan.format_version
            )));
        }
        Ok(plan)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The inventory's fingerprint: everything but when it was collected.
pub fn inventory_fingerprint(inventory: &Inventory) -> String {
    let mut stable = inventory.clone();
    stable.collected_at.clear();
    hex(&Sha256::digest(
        serde_json::to_vec(&stable).expect("inventory serialises"),
    ))
}

/// Computes the plan for `findings` (open failures) over `inventory`.
pub fn plan(
    index: &Arc<Index>,
    model: &AppModel,
    policies: &PolicySet,
    findings: &[Finding],
    settings: &FixSettings,
) -> Result<Plan, PlanError> {
    let (steps, deferred) = remediation_steps(index, model, policies, findings, settings)?;
    let mut plan = finish(index.inventory(), steps, deferred)?;
    attribute_applications(&mut plan, findings);
    Ok(plan)
}

/// Names on each step the applications of the findings it fixes.
fn attribute_applications(plan: &mut Plan, findings: &[Finding]) {
    let application_of: BTreeMap<String, &str> = findings
        .iter()
        .filter_map(|f| {
            let application = f.application.as_deref()?;
            Some((format!("{} {}", f.rule_id, f.resource.id), application))
        })
        .collect();
    let steps = plan.steps.iter_mut().chain(
        plan.refused
            .iter_mut()
            .chain(plan.deferred.iter_mut())
            .map(|r| &mut r.step),
    );
    for step in steps {
        let mut applications: Vec<String> = step
            .fixes
            .iter()
            .filter_map(|fixed| application_of.get(fixed))
            .map(|a| (*a).to_owned())
            .collect();
        applications.sort();
        applications.dedup();
        step.applications = applications;
    }
}

/// The plan that builds what `spec` describes and the inventory lacks, together with the
/// remediations of the open failures (with the spec's settings). Steps both propose merge.
pub fn plan_with_spec(
    index: &Arc<Index>,
    model: &AppModel,
    policies: &PolicySet,
    findings: &[Finding],
    spec: &spec::Spec,
    settings: &FixSettings,
) -> Result<Plan, PlanError> {
    let mut settings = settings.clone();
    if settings.alarm_email.is_none() {
        settings.alarm_email = spec.scaling.alarm_emails.first().cloned();
    }
    if settings.admin_cidrs.is_empty() {
        settings.admin_cidrs = spec.bastion.admin_cidrs.clone();
    }
    if settings.alias_record.is_none() {
        settings.alias_record = spec.dns.as_ref().map(|d| d.record_name.clone());
    }
    settings.retiring_instances = spec.app.source_instance.iter().cloned().collect();
    let inventory = index.inventory();
    let (mut steps, mut deferred) = remediation_steps(index, model, policies, findings, &settings)?;
    // The remediations' manual steps ask for what the stack provides (a group, a load
    // balancer, a bastion, private subnets); the stack's own manual steps stay.
    steps.retain(|_, step| step.safety != Safety::Manual);
    for (_, step) in stack::plan_stack(spec, inventory)? {
        for fixed in step.fixes {
            let proposed = in_its_region(
                &steps,
                proposed_step(step.action.clone(), &step.region, fixed),
            );
            if let Some(kept) = conflicting(&steps, &proposed) {
                deferred.push(deferral(kept, proposed));
            } else {
                add_step(&mut steps, proposed);
            }
        }
    }
    let mut plan = finish(inventory, steps, deferred)?;
    attribute_applications(&mut plan, findings);
    Ok(plan)
}

fn finish(
    inventory: &Inventory,
    steps: BTreeMap<String, Step>,
    deferred: Vec<predict::Refusal>,
) -> Result<Plan, PlanError> {
    Ok(Plan {
        format_version: PLAN_FORMAT_VERSION,
        account_id: inventory.account_id.clone(),
        inventory_fingerprint: inventory_fingerprint(inventory),
        steps: order(steps)?,
        refused: Vec::new(),
        deferred,
    })
}

/// The remediations of the failing findings, and those left for the next run.
type Remediations = (BTreeMap<String, Step>, Vec<predict::Refusal>);

fn remediation_steps(
    index: &Arc<Index>,
    model: &AppModel,
    policies: &PolicySet,
    findings: &[Finding],
    settings: &FixSettings,
) -> Result<Remediations, PlanError> {
    let view = InventoryView::new(index.clone(), model);
    let mut engine = engine::build(engine::REMEDIATION_LIBRARY, view.resource_count());
    constructors::register(&mut engine);
    let memory_budget = engine::run_memory_budget(view.resource_count());
    let settings_value: Dynamic = rhai::serde::to_dynamic(settings).expect("settings convert");

    let mut proposals: Vec<Vec<Step>> = Vec::new();
    let mut compiled: BTreeMap<&str, rhai::AST> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.failed()) {
        // The script the rule's `remediation:` names (checked when the rule loaded).
        let Some((file, text)) = policies
            .get(&finding.rule_id)
            .and_then(|policy| policy.meta.remediation.as_deref())
            .and_then(crate::policy::remediation_script)
        else {
            continue;
        };
        if !compiled.contains_key(file) {
            let origin = format!("remediations/{file}");
            let mut ast = engine.compile(text).map_err(|e| PlanError::Syntax {
                file: origin.clone(),
                line: e.1.line().unwrap_or(0),
                column: e.1.position().unwrap_or(0),
                message: engine::lowercase_message(&e.0.to_string()),
            })?;
            ast.set_source(origin);
            compiled.insert(file, ast);
        }
        let failure = |message: String| PlanError::Remediation {
            rule: finding.rule_id.clone(),
            resource: finding.resource.id.clone(),
            message: crate::one_line(&message),
        };
        let finding_value: Dynamic = rhai::serde::to_dynamic(finding).expect("finding converts");
        let (returned, _) = crate::memory::with_budget(memory_budget, || {
            engine.call_fn::<Dynamic>(
                &mut rhai::Scope::new(),
                &compiled[file],
                "remediate",
                (finding_value, view.clone(), settings_value.clone()),
            )
        });
        let returned = returned.map_err(|e| failure(engine::describe(&e).1))?;
        let actions = returned
            .try_cast::<rhai::Array>()
            .ok_or_else(|| failure("`remediate` must return an array of actions".into()))?;
        let fixed = format!("{} {}", finding.rule_id, finding.resource.id);
        let mut proposal = Vec::new();
        for item in actions {
            let action = item.try_cast::<Action>().ok_or_else(|| {
                failure("`remediate` returned something that is not an action".into())
            })?;
            proposal.push(proposed_step(
                action,
                &finding.resource.region,
                fixed.clone(),
            ));
        }
        proposals.push(proposal);
    }
    // Remediations that reuse what exists go first: when two want different changes to one
    // resource, the one building on new resources is the one left for the next run.
    proposals.sort_by_key(|proposal| {
        proposal
            .iter()
            .filter(|s| !s.action.references().is_empty())
            .count()
    });
    let mut steps: BTreeMap<String, Step> = BTreeMap::new();
    let mut deferred = Vec::new();
    for proposal in proposals {
        let proposal: Vec<Step> = proposal
            .into_iter()
            .map(|step| in_its_region(&steps, step))
            .collect();
        let conflict = proposal
            .iter()
            .find_map(|step| conflicting(&steps, step).map(|kept| (kept, step.clone())));
        match conflict {
            // The whole remediation waits: half of it could leave what it builds unused.
            Some((kept, proposed)) => deferred.push(deferral(kept, proposed)),
            None => {
                for step in proposal {
                    add_step(&mut steps, step);
                }
            }
        }
    }
    Ok((steps, deferred))
}

/// A step of the plan-to-be for `action`, made to fix `fixed` (`RULE resource`).
fn proposed_step(action: Action, region: &str, fixed: String) -> Step {
    let region = if matches!(action, Action::UpsertAliasRecord(UpsertAliasRecord { .. })) {
        crate::inventory::GLOBAL_REGION
    } else {
        region
    };
    Step {
        id: action.key(),
        region: region.to_owned(),
        safety: action.safety(),
        action,
        fixes: vec![fixed],
        depends_on: Vec::new(),
        applications: Vec::new(),
    }
}

/// `proposed`, its id made to name its region when a planned step of that id is another
/// region's: ids are keys by name, and two regions may each have a resource of that name
/// (without this, the second region's change merged into the first's and never ran).
fn in_its_region(steps: &BTreeMap<String, Step>, mut proposed: Step) -> Step {
    if steps
        .get(&proposed.id)
        .is_some_and(|planned| planned.region != proposed.region)
    {
        proposed.id = format!("{}@{}", proposed.id, proposed.region);
    }
    proposed
}

/// The planned step that `proposed` cannot join: one changing the same resource otherwise.
fn conflicting<'s>(steps: &'s BTreeMap<String, Step>, proposed: &Step) -> Option<&'s Step> {
    let existing = steps.get(&proposed.id)?;
    let agrees = existing.action == proposed.action
        || matches!(
            (&existing.action, &proposed.action),
            (Action::SetSubnets(SetSubnets { before: a, .. }), Action::SetSubnets(SetSubnets { before: b, .. })) if a == b
        );
    (!agrees).then_some(existing)
}

/// Why `proposed` waits for the next run, in a sentence naming both rules and the resource.
fn deferral(kept: &Step, proposed: Step) -> predict::Refusal {
    let target = proposed.action.target();
    let reason = format!(
        "{kept_by} and {proposed_by} want different changes to `{target}`: {kept_by}'s ({}) is planned, as it reuses what exists; {proposed_by}'s is left for the next run, which plans it again on what this one leaves",
        kept.action.summary(),
        kept_by = kept.fixes.join(", "),
        proposed_by = proposed.fixes.join(", "),
    );
    predict::Refusal {
        step: proposed,
        reason,
    }
}

/// Adds `proposed` to the plan, or merges it into the step that already makes its change.
/// The caller has checked that it does not conflict ([`conflicting`]).
fn add_step(steps: &mut BTreeMap<String, Step>, proposed: Step) {
    let key = proposed.id.clone();
    let action = proposed.action;
    let fixed = proposed.fixes.into_iter().next().unwrap_or_default();
    // Two moves of one group to private subnets (HA003 for more zones, HA007 for privacy)
    // agree on the union of their subnets: it satisfies both.
    if let (
        Some(Step {
            action:
                Action::SetSubnets(SetSubnets {
                    subnet_ids: planned,
                    before: planned_before,
                    ..
                }),
            ..
        }),
        Action::SetSubnets(SetSubnets {
            subnet_ids, before, ..
        }),
    ) = (steps.get_mut(&key), &action)
        && planned_before == before
    {
        planned.extend(subnet_ids.iter().cloned());
        planned.sort();
        planned.dedup();
    }
    match steps.get_mut(&key) {
        Some(existing) => {
            if !existing.fixes.contains(&fixed) {
                existing.fixes.push(fixed);
                existing.fixes.sort();
            }
        }
        None => {
            steps.insert(
                key.clone(),
                Step {
                    id: key,
                    region: proposed.region,
                    safety: action.safety(),
                    action,
                    fixes: vec![fixed],
                    depends_on: Vec::new(),
                    applications: Vec::new(),
                },
            );
        }
    }
}

/// Fills `depends_on` (references, and: authorize before revoke on the same group, so that
/// traffic is never cut) and orders steps by depth, then id, manual steps last.
fn order(mut steps: BTreeMap<String, Step>) -> Result<Vec<Step>, PlanError> {
    let ids: BTreeSet<String> = steps.keys().cloned().collect();
    let authorizations: Vec<(String, String)> = steps
        .values()
        .filter_map(|s| match &s.action {
            Action::AuthorizeIngress(AuthorizeIngress { group_id, .. }) => {
                Some((group_id.clone(), s.id.clone()))
            }
            _ => None,
        })
        .collect();
    // (group, source group) of every authorization from a group.
    let admitted_sources: Vec<(String, String)> = steps
        .values()
        .filter_map(|s| match &s.action {
            Action::AuthorizeIngress(AuthorizeIngress { group_id, rule }) => rule
                .source_group_id
                .as_ref()
                .map(|source| (group_id.clone(), source.clone())),
            _ => None,
        })
        .collect();
    // (bastion's security group, step) of every bastion the plan launches.
    let bastions: Vec<(String, String)> = steps
        .values()
        .filter_map(|s| match &s.action {
            Action::RunBastion(RunBastion {
                security_group_id, ..
            }) => Some((security_group_id.clone(), s.id.clone())),
            _ => None,
        })
        .collect();
    let stops: Vec<String> = steps
        .values()
        .filter(|s| matches!(s.action, Action::StopInstance(StopInstance { .. })))
        .map(|s| s.id.clone())
        .collect();
    let created_groups: Vec<(String, String)> = steps
        .values()
        .filter_map(|s| match &s.action {
            Action::CreateAutoScalingGroup(CreateAutoScalingGroup { name, .. }) => {
                Some((name.clone(), s.id.clone()))
            }
            _ => None,
        })
        .collect();
    // (group, step) of every change to launch settings; `None`: a template's, whose groups
    // the plan does not name.
    let launch_changes: Vec<(Option<String>, String)> = steps
        .values()
        .filter_map(|s| match &s.action {
            Action::TemplateVersionWithoutPublicIp(TemplateVersionWithoutPublicIp {
                group,
                ..
            })
            | Action::ConvertLaunchConfiguration(ConvertLaunchConfiguration { group, .. }) => {
                Some((Some(group.clone()), s.id.clone()))
            }
            Action::NewTemplateVersion(NewTemplateVersion { .. }) => Some((None, s.id.clone())),
            _ => None,
        })
        .collect();
    for step in steps.values_mut() {
        let mut depends = step.action.references();
        for reference in &depends {
            if !ids.contains(reference) {
                return Err(PlanError::DanglingReference {
                    step: step.id.clone(),
                    reference: reference.clone(),
                });
            }
        }
        // Scaling policies and alarms of a group wait for the group's creation.
        if let Action::PutScalingPolicy(PutScalingPolicy { group, .. })
        | Action::PutCpuAlarm(PutCpuAlarm { group, .. }) = &step.action
        {
            depends.extend(
                created_groups
                    .iter()
                    .filter(|(g, _)| g == group)
                    .map(|(_, id)| id.clone()),
            );
        }
        // A bastion runs once administrators may reach it: its group's authorizations first
        // (the revocations that wait for the bastion then wait for them too).
        if let Action::RunBastion(RunBastion {
            security_group_id, ..
        }) = &step.action
        {
            depends.extend(
                authorizations
                    .iter()
                    .filter(|(g, _)| g == security_group_id)
                    .map(|(_, id)| id.clone()),
            );
        }
        // A rolling replacement waits for every change of what the group launches.
        if let Action::StartInstanceRefresh(StartInstanceRefresh { group, .. }) = &step.action {
            depends.extend(
                launch_changes
                    .iter()
                    .filter(|(changed, _)| changed.as_ref().is_none_or(|g| g == group))
                    .map(|(_, id)| id.clone()),
            );
        }
        if let Action::RevokeIngress(RevokeIngress { group_id, rule }) = &step.action {
            depends.extend(
                authorizations
                    .iter()
                    .filter(|(g, _)| g == group_id)
                    .map(|(_, id)| id.clone()),
            );
            // Administrators' SSH closes only once the bastion that replaces it runs (an
            // authorization from its group alone is no way in while it is not there).
            if rule.covers_tcp_port(22) {
                depends.extend(
                    bastions
                        .iter()
                        .filter(|(bastion_group, _)| {
                            admitted_sources
                                .iter()
                                .any(|(g, source)| g == group_id && source == bastion_group)
                        })
                        .map(|(_, id)| id.clone()),
                );
                // A server the plan retires keeps its administrators' way until it stops
                // (stops are only retirements, so each is waited for).
                depends.extend(stops.iter().cloned());
            }
        }
        depends.sort();
        depends.dedup();
        step.depends_on = depends;
    }
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    fn depth_of(
        id: &str,
        steps: &BTreeMap<String, Step>,
        depth: &mut BTreeMap<String, usize>,
        seen: &mut Vec<String>,
    ) -> usize {
        if let Some(d) = depth.get(id) {
            return *d;
        }
        if seen.iter().any(|s| s == id) {
            return 0; // a cycle cannot arise from the constructors; stay finite anyway
        }
        seen.push(id.to_owned());
        let d = steps[id]
            .depends_on
            .iter()
            .map(|dep| depth_of(dep, steps, depth, seen) + 1)
            .max()
            .unwrap_or(0);
        depth.insert(id.to_owned(), d);
        d
    }
    for id in steps.keys() {
        depth_of(id, &steps, &mut depth, &mut Vec::new());
    }
    let mut ordered: Vec<Step> = steps.into_values().collect();
    // Manual steps last: they are instructions, not part of the apply.
    let rank = |s: &Step| (s.safety == Safety::Manual, depth[&s.id]);
    ordered.sort_by(|a, b| (rank(a), &a.id).cmp(&(rank(b), &b.id)));
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::EnableConnectionDraining;

    /// A Classic Load Balancer of one name in two regions, both failing: two steps, one per
    /// region, each fixing its own finding.
    #[test]
    fn a_change_of_one_name_in_two_regions_is_two_steps() {
        let drain = || {
            Action::EnableConnectionDraining(EnableConnectionDraining {
                load_balancer: "legacy-elb".into(),
                seconds: 300,
                before: 0,
            })
        };
        let mut steps = BTreeMap::new();
        for region in ["us-east-1", "eu-west-1"] {
            let proposed = in_its_region(
                &steps,
                proposed_step(drain(), region, format!("HA027 legacy-elb in {region}")),
            );
            assert!(conflicting(&steps, &proposed).is_none());
            add_step(&mut steps, proposed);
        }
        let planned: Vec<(&str, &str, &[String])> = steps
            .values()
            .map(|s| (s.id.as_str(), s.region.as_str(), s.fixes.as_slice()))
            .collect();
        assert_eq!(
            planned,
            [
                (
                    "connection-draining:legacy-elb",
                    "us-east-1",
                    &["HA027 legacy-elb in us-east-1".to_owned()][..]
                ),
                (
                    "connection-draining:legacy-elb@eu-west-1",
                    "eu-west-1",
                    &["HA027 legacy-elb in eu-west-1".to_owned()][..]
                ),
            ]
        );
    }
}
