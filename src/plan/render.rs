//! A plan as people read it, in the manner of `terraform plan`: a symbol per step (`+`
//! create, `~` update, `-` remove, `!` manual), before → after per field, the findings it
//! fixes, unsafe steps marked, and a count at the end.

use std::fmt::Write;

use super::Plan;
use crate::change::Safety;

/// How a step is named to people: its target and what it does (`shop-asg-cpu-high
/// (cloudwatch alarm)`), references to other steps' outputs by their names.
pub fn label(step: &super::Step) -> String {
    format!(
        "{} ({})",
        readable(&step.action.target()),
        readable(&step.action.summary())
    )
}

pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.steps.is_empty() && plan.refused.is_empty() && plan.deferred.is_empty() {
        out.push_str("No changes: nothing to fix.\n");
        return out;
    }
    let short = |s: &str| s.chars().take(12).collect::<String>();
    let _ = writeln!(
        out,
        "hacheck plan for account {} (inventory {}):\n",
        plan.account_id,
        short(&plan.inventory_fingerprint)
    );
    for (applications, steps) in by_application(plan) {
        let _ = match applications {
            [] => writeln!(out, "Not part of an application:"),
            [one] => writeln!(out, "Application {one}:"),
            several => writeln!(out, "Applications {} (shared):", several.join(", ")),
        };
        for step in steps {
            write_step(&mut out, plan, step);
        }
        out.push('\n');
    }
    let count = |symbol: char| {
        plan.executable()
            .filter(|s| s.action.symbol() == symbol)
            .count()
    };
    let unsafe_steps = plan
        .steps
        .iter()
        .filter(|s| s.safety == Safety::Unsafe)
        .count();
    let manual = plan
        .steps
        .iter()
        .filter(|s| s.safety == Safety::Manual)
        .count();
    if !plan.refused.is_empty() {
        let _ = writeln!(out, "Refused: they would break what passes now.");
        for refusal in &plan.refused {
            let action = &refusal.step.action;
            let _ = writeln!(
                out,
                "  x {} ({}): {}",
                readable(&action.target()),
                readable(&action.summary()),
                refusal.reason
            );
        }
        out.push('\n');
    }
    if !plan.deferred.is_empty() {
        let _ = writeln!(
            out,
            "Deferred: another remediation changes the same resource; run `hacheck fix` again after this plan."
        );
        for deferral in &plan.deferred {
            let action = &deferral.step.action;
            let _ = writeln!(
                out,
                "  > {} ({}): {}",
                readable(&action.target()),
                readable(&action.summary()),
                deferral.reason
            );
        }
        out.push('\n');
    }
    let mut tail = String::new();
    if !plan.refused.is_empty() {
        tail += &format!("; {} refused", plan.refused.len());
    }
    if !plan.deferred.is_empty() {
        tail += &format!("; {} deferred", plan.deferred.len());
    }
    let _ = writeln!(
        out,
        "Plan: {} to add, {} to change, {} to remove; {unsafe_steps} unsafe, {manual} manual{tail}.",
        count('+'),
        count('~'),
        count('-'),
    );
    let settings = settings_asked(plan);
    if !settings.is_empty() {
        let _ = writeln!(
            out,
            "Settings that turn manual steps into changes (hacheck.toml, `[fix]`): {}.",
            settings.join(", ")
        );
    }
    out
}

/// The plan's steps grouped by the applications they fix, applications by name and the
/// steps of no application last; within a group by resource, then in the plan's order.
fn by_application(plan: &Plan) -> Vec<(&[String], Vec<&super::Step>)> {
    let mut groups: Vec<(&[String], Vec<&super::Step>)> = Vec::new();
    for step in &plan.steps {
        let applications = step.applications.as_slice();
        match groups.iter_mut().find(|(a, _)| *a == applications) {
            Some((_, steps)) => steps.push(step),
            None => groups.push((applications, vec![step])),
        }
    }
    groups.sort_by(|(a, _), (b, _)| (a.is_empty(), a).cmp(&(b.is_empty(), b)));
    for (_, steps) in &mut groups {
        steps.sort_by_key(|step| readable(&step.action.target()));
    }
    groups
}

/// One step: its symbol and label, before → after per field, cost, findings, what it waits for.
fn write_step(out: &mut String, plan: &Plan, step: &super::Step) {
    let action = &step.action;
    let marker = match step.safety {
        Safety::Unsafe => "  [unsafe: needs --unsafe]",
        _ => "",
    };
    let _ = writeln!(out, "  {} {}{marker}", action.symbol(), label(step));
    for change in action.changes() {
        if change.before.is_empty() {
            let _ = writeln!(out, "      {}: {}", change.field, readable(&change.after));
        } else {
            let _ = writeln!(
                out,
                "      {}: {} → {}",
                change.field,
                readable(&change.before),
                readable(&change.after)
            );
        }
    }
    if let Some(cost) = action.cost() {
        let _ = writeln!(out, "      cost: {cost}");
    }
    let _ = writeln!(out, "      fixes: {}", step.fixes.join(", "));
    if !step.depends_on.is_empty() {
        let after: Vec<String> = step
            .depends_on
            .iter()
            .map(|id| {
                plan.steps
                    .iter()
                    .find(|s| &s.id == id)
                    .map_or_else(|| id.clone(), label)
            })
            .collect();
        let _ = writeln!(out, "      after: {}", after.join(", "));
    }
}

/// The `fix.*` settings the plan's manual steps ask for, each once, so that a first plan
/// asks for all of them at once.
fn settings_asked(plan: &Plan) -> Vec<String> {
    let mut asked: Vec<String> = Vec::new();
    for step in plan.steps.iter().filter(|s| s.safety == Safety::Manual) {
        let text = step.action.summary();
        for piece in text.split("`fix.").skip(1) {
            let name: String = piece
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !asked.contains(&name) {
                asked.push(name);
            }
        }
    }
    asked.sort();
    asked
}

/// A reference to what another step creates, as people read it: `ref:security-group:x`
/// becomes `x (new)`.
fn readable(text: &str) -> String {
    let mut out = String::new();
    for (position, word) in text.split(' ').enumerate() {
        if position > 0 {
            out.push(' ');
        }
        let (bare, comma) = match word.strip_suffix(',') {
            Some(bare) => (bare, ","),
            None => (word, ""),
        };
        match bare
            .strip_prefix(crate::change::REF_PREFIX)
            .and_then(|key| key.split_once(':'))
        {
            Some((_, name)) => {
                out.push_str(name);
                out.push_str(" (new)");
                out.push_str(comma);
            }
            None => out.push_str(word),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Action;
    use crate::change::Manual;
    use crate::plan::Step;

    fn manual(resource: &str, applications: &[&str]) -> Step {
        let action = Action::Manual(Manual {
            resource: resource.into(),
            instruction: "do it".into(),
            following: Default::default(),
        });
        Step {
            fixes: vec![format!("HA000 {resource}")],
            applications: applications.iter().map(|a| (*a).to_owned()).collect(),
            ..Step::of(action)
        }
    }

    #[test]
    fn steps_are_shown_by_application_then_resource_and_steps_of_none_last() {
        let plan = Plan::of(vec![
            manual("vpc-1", &[]),
            manual("sg-b", &["shop"]),
            manual("sg-shared", &["blog", "shop"]),
            manual("db-1", &["shop"]),
            manual("sg-a", &["blog"]),
        ]);
        let shown = text(&plan);
        let order: Vec<String> = shown
            .lines()
            .filter(|l| !l.starts_with("      ") && !l.is_empty())
            .skip(1)
            .take_while(|l| !l.starts_with("Plan:"))
            .map(|l| {
                l.trim_start()
                    .split(' ')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            order,
            [
                "Application blog:",
                "! sg-a",
                "Applications blog,",
                "! sg-shared",
                "Application shop:",
                "! db-1",
                "! sg-b",
                "Not part",
                "! vpc-1",
            ]
        );
    }
}
