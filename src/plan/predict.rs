//! What the account would look like after a plan, and which steps would break what passes.
//!
//! [`predict`] applies each step's effect to a copy of the inventory — pure, no AWS — so that
//! the rule pack can judge the plan before anything changes. A resource a step creates gets
//! the step's reference (`ref:<step>`) as its id, which is what the other steps of the plan
//! already call it. Steps whose effect is not modelled here (alarms, scaling policies,
//! topics, launch-template conversions, instance refreshes, the stack builder's AMIs and
//! groups) leave the copy as it is: they can only add what the rules ask for.
//!
//! [`guard`] compares the findings before and after: a finding that passed and would fail is
//! a regression, and every step that causes one on its own is refused with the reason, with
//! the steps that depend on it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Plan, Step};
use crate::apps::AppModel;
use crate::change::{Action, Manual, REF_PREFIX, StopInstance};
use crate::finding::{Finding, Status};
use crate::inventory::{Index, Inventory};
use crate::reach;

/// A step taken out of the plan, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    pub step: Step,
    pub reason: String,
}

/// The inventory after `steps` (in plan order).
pub fn predict<'s>(inventory: &Inventory, steps: impl IntoIterator<Item = &'s Step>) -> Inventory {
    let mut predicted = inventory.clone();
    for step in steps {
        let created = format!("{REF_PREFIX}{}", step.id);
        step.action
            .kind()
            .predict(&mut predicted, &step.region, &created);
    }
    predicted.derive_subnet_publicity();
    predicted
}
/// (rule, resource ARN) of every passing finding.
fn passing(findings: &[Finding]) -> BTreeSet<(String, String)> {
    findings
        .iter()
        .filter(|f| f.status == Status::Pass)
        .map(|f| (f.rule_id.clone(), f.resource.arn.clone()))
        .collect()
}

/// The findings that passed in `before` and fail in `after`.
fn regressions<'a>(before: &BTreeSet<(String, String)>, after: &'a [Finding]) -> Vec<&'a Finding> {
    after
        .iter()
        .filter(|f| f.failed() && before.contains(&(f.rule_id.clone(), f.resource.arn.clone())))
        .collect()
}

/// Judges the inventory behind an index with the rule pack, or with only the rules named.
pub type Judge<'a> = dyn Fn(&Arc<Index>, Option<&BTreeSet<String>>) -> Vec<Finding> + 'a;

/// What [`guard`] decided.
pub struct Guarded {
    /// The plan without the refused steps.
    pub plan: Plan,
    pub refused: Vec<Refusal>,
    /// Regressions of the whole plan that no step causes on its own (steps together): not
    /// refused, since no step is to blame, but said.
    pub unexplained: Vec<String>,
}

/// What a prediction breaks: findings that passed and would fail, paths users would lose,
/// servers administrators would no longer reach.
struct Damage<'a> {
    regressions: Vec<Finding>,
    cut: Vec<&'a reach::Path>,
    locked_out: Vec<&'a reach::AdminAccess>,
}

impl Damage<'_> {
    fn none() -> Self {
        Damage {
            regressions: Vec::new(),
            cut: Vec::new(),
            locked_out: Vec::new(),
        }
    }

    fn is_none(&self) -> bool {
        self.regressions.is_empty() && self.cut.is_empty() && self.locked_out.is_empty()
    }

    /// Why a step causing it is refused.
    fn reason(&self) -> String {
        if let Some(path) = self.cut.first() {
            return format!(
                "it would cut application `{}`'s path {path}: its users would lose that way in; give them another one first (put a load balancer in front: `hacheck fix --spec`)",
                path.application
            );
        }
        if let Some(server) = self.locked_out.first() {
            return format!(
                "it would leave administrators no way into {} of application `{}` (today: {}); give them one first (a bastion: set `fix.admin_cidrs`)",
                server.target,
                server.application,
                server.ways.join(", ")
            );
        }
        let broken = &self.regressions[0];
        format!(
            "it would make {} fail on `{}`: {}",
            broken.rule_id, broken.resource.id, broken.message
        )
    }
}

/// Refuses the steps of `plan` that would make a passing finding fail or cut a path by which
/// users reach an application today ([`reach`]). `evaluate` judges an inventory with the rule
/// pack (and its application model), or with only the given rules; `findings` is its
/// judgement of the inventory behind `index`, whose applications `model` describes. Returns
/// the plan without the refused steps (and without what depends on them) and the refusals,
/// each with its reason.
pub fn guard(
    plan: Plan,
    index: &Index,
    model: &AppModel,
    findings: &[Finding],
    evaluate: &Judge<'_>,
) -> Guarded {
    let inventory = index.inventory();
    let before = passing(findings);
    let paths = reach::paths(index, model);
    let admin = reach::admin_access(index, model);
    // A stop is only ever a retirement the user asked for (`app.source_instance`, unsafe,
    // its downtime said): the paths into the retired instance are meant to go.
    let retired: Vec<String> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::StopInstance(StopInstance { instance_id }) => {
                Some(format!("instance {instance_id} "))
            }
            _ => None,
        })
        .collect();
    // Judges a prediction by the rules in `only` (all when `None`), and by reachability.
    let damage = |predicted: Inventory, only: Option<&BTreeSet<String>>, rules: bool| {
        let predicted = Arc::new(Index::new(predicted));
        let regressions = if rules {
            regressions(&before, &evaluate(&predicted, only))
                .into_iter()
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let after = reach::paths(&predicted, model);
        let admin_after = reach::admin_access(&predicted, model);
        Damage {
            regressions,
            cut: reach::lost(&paths, &after)
                .into_iter()
                .filter(|p| !retired.iter().any(|r| p.entry.starts_with(r)))
                .collect(),
            locked_out: reach::locked_out(&admin, &admin_after),
        }
    };
    let executable: Vec<&Step> = plan.executable().collect();
    let whole = if executable.is_empty() {
        Damage::none()
    } else {
        damage(predict(inventory, executable.clone()), None, true)
    };
    // Each step is judged again by the rules that regressed only: a step at a time costs
    // little even on a large account.
    let regressed: BTreeSet<String> = whole
        .regressions
        .iter()
        .map(|f| f.rule_id.clone())
        .collect();
    let judge_rules = !regressed.is_empty();
    let mut unexplained: Vec<String> = whole
        .regressions
        .iter()
        .map(|f| format!("{} fail on `{}`: {}", f.rule_id, f.resource.id, f.message))
        .collect();
    unexplained.extend(
        whole
            .cut
            .iter()
            .map(|p| format!("application `{}` lose its path {p}", p.application)),
    );
    unexplained.extend(whole.locked_out.iter().map(|server| {
        format!(
            "administrators lose every way into {} of application `{}`",
            server.target, server.application
        )
    }));
    // Manual steps are checked like actions, by the paths they would cut (the rules judge
    // what is applied): advice that would take users' way in is refused, not printed.
    let mut reasons: BTreeMap<String, String> = BTreeMap::new();
    for step in plan.steps.iter().filter(
        |s| matches!(&s.action, Action::Manual(Manual { following, .. }) if !following.is_empty()),
    ) {
        let after = damage(predict(inventory, [step]), None, false);
        if let Some(path) = after.cut.first() {
            reasons.insert(
                step.id.clone(),
                format!(
                    "following it would cut application `{}`'s path {path}: its users would lose that way in; move them to the application's target group first",
                    path.application
                ),
            );
        }
    }
    if whole.is_none() && reasons.is_empty() {
        return Guarded {
            plan,
            refused: Vec::new(),
            unexplained: Vec::new(),
        };
    }
    // Which steps break something on their own (with the steps they build on).
    let by_id: BTreeMap<&str, &Step> = plan.steps.iter().map(|s| (s.id.as_str(), s)).collect();
    for step in executable.iter().filter(|_| !whole.is_none()) {
        let mut needed = vec![*step];
        let mut stack: Vec<&str> = step.depends_on.iter().map(String::as_str).collect();
        while let Some(id) = stack.pop() {
            if let Some(dependency) = by_id.get(id)
                && !needed.iter().any(|s| s.id == dependency.id)
            {
                needed.push(dependency);
                stack.extend(dependency.depends_on.iter().map(String::as_str));
            }
        }
        needed.sort_by_key(|s| plan.steps.iter().position(|p| p.id == s.id));
        let after = damage(
            predict(inventory, needed.iter().copied()),
            Some(&regressed),
            judge_rules,
        );
        if after.is_none() {
            continue;
        }
        let own = damage(
            predict(
                inventory,
                needed.iter().copied().filter(|s| s.id != step.id),
            ),
            Some(&regressed),
            judge_rules,
        );
        // Refuse the step itself only when it, not what it builds on, breaks it.
        if own.is_none() {
            reasons.insert(step.id.clone(), after.reason());
        }
    }
    // What depends on a refused step goes with it.
    let mut changed = true;
    while changed {
        changed = false;
        for step in &plan.steps {
            if reasons.contains_key(&step.id) {
                continue;
            }
            if let Some(refused) = step.depends_on.iter().find(|d| reasons.contains_key(*d)) {
                reasons.insert(
                    step.id.clone(),
                    format!("it builds on refused step `{refused}`"),
                );
                changed = true;
            }
        }
    }
    // A refused action explains what the whole plan broke (a refused manual step does not).
    if reasons
        .keys()
        .any(|id| executable.iter().any(|s| &s.id == id))
    {
        unexplained.clear();
    }
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for step in plan.steps {
        match reasons.remove(&step.id) {
            Some(reason) => refused.push(Refusal { step, reason }),
            None => kept.push(step),
        }
    }
    Guarded {
        plan: Plan {
            steps: kept,
            ..plan
        },
        refused,
        unexplained,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{CreateRouteTable, CreateSubnet};

    fn compliant() -> Inventory {
        crate::snapshot::example_inventory("compliant")
    }

    #[test]
    fn created_resources_take_their_steps_reference_and_routes_make_subnets_public() {
        let inventory = compliant();
        let vpc = inventory.vpcs[0].id.clone();
        let subnet = Action::CreateSubnet(CreateSubnet {
            name: "new".into(),
            vpc_id: vpc.clone(),
            cidr: "10.0.200.0/24".into(),
            zone: "us-east-1a".into(),
        });
        let table = Action::CreateRouteTable(CreateRouteTable {
            name: "new".into(),
            vpc_id: vpc,
            default_target: "igw-0shop".into(),
            subnet_ids: vec![format!("{REF_PREFIX}{}", subnet.key())],
        });
        let steps: Vec<Step> = [subnet, table].into_iter().map(Step::of).collect();
        let predicted = predict(&inventory, &steps);
        let new = predicted
            .subnets
            .iter()
            .find(|s| s.id == format!("{REF_PREFIX}subnet:new"))
            .unwrap();
        assert!(new.public);
        assert_eq!(predicted.subnets.len(), inventory.subnets.len() + 1);
    }
}

#[cfg(test)]
mod admin_tests {
    use super::*;
    use crate::apps::{Scope, ScopeSettings, discover};
    use crate::change::{AuthorizeIngress, RevokeIngress};
    use crate::inventory::SgRule;

    fn from_cidr(port: i32, cidr: &str) -> SgRule {
        SgRule {
            protocol: "tcp".into(),
            from_port: port,
            to_port: port,
            cidr_ipv4: Some(cidr.into()),
            cidr_ipv6: None,
            source_group_id: None,
            prefix_list_id: None,
            prefix_list_cidrs: Vec::new(),
            description: String::new(),
        }
    }

    fn step(action: Action, depends_on: &[&Step]) -> Step {
        Step {
            fixes: vec!["HA010 sg-1web".into()],
            depends_on: depends_on.iter().map(|s| s.id.clone()).collect(),
            ..Step::of(action)
        }
    }

    /// The single-server example's lone server (SSH from the world on `sg-1web`), planned
    /// `steps`: the refusals' reasons.
    fn refusals(steps: Vec<Step>) -> Vec<String> {
        let inventory = crate::snapshot::example_inventory("single-server");
        let index = Index::new(inventory);
        let model = discover(&index, Scope::Apps, &ScopeSettings::default(), &[]);
        let plan = Plan::of(steps);
        // Rules are not what this judges: administrators' ways are.
        let no_rules = |_: &Arc<Index>, _: Option<&BTreeSet<String>>| Vec::new();
        guard(plan, &index, &model, &[], &no_rules)
            .refused
            .into_iter()
            .map(|r| r.reason)
            .collect()
    }

    #[test]
    fn a_step_leaving_administrators_no_way_in_is_refused_whatever_rule_asked_for_it() {
        let revoke = step(
            Action::RevokeIngress(RevokeIngress {
                group_id: "sg-1web".into(),
                rule: from_cidr(22, "0.0.0.0/0"),
            }),
            &[],
        );
        let reasons = refusals(vec![revoke]);
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(
            reasons[0].contains("administrators no way into instance i-1swiftcode")
                && reasons[0].contains("tcp 22 from 0.0.0.0/0"),
            "{reasons:?}"
        );
    }

    #[test]
    fn a_way_in_may_change_so_long_as_one_is_left() {
        let office = step(
            Action::AuthorizeIngress(AuthorizeIngress {
                group_id: "sg-1web".into(),
                rule: from_cidr(22, "203.0.113.0/24"),
            }),
            &[],
        );
        let revoke = step(
            Action::RevokeIngress(RevokeIngress {
                group_id: "sg-1web".into(),
                rule: from_cidr(22, "0.0.0.0/0"),
            }),
            &[&office],
        );
        assert_eq!(refusals(vec![office, revoke]), Vec::<String>::new());
    }
}
