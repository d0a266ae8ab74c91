//! `hacheck fix` (plan, optionally apply) and `hacheck apply PLAN` (apply a saved plan).
//!
//! Exit status: without `--apply`, 0 when there is nothing to do and 1 when the plan has
//! steps. With it, 0 when every step is applied or already satisfied (manual steps aside),
//! 1 when unsafe steps wait for `--unsafe`, 2 when a step drifted or failed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::{ApplyArgs, ApplyOptions, FixArgs, GlobalOptions, PlanFormat};
use crate::collect::RegionClients;
use crate::execute::{Executor, Journal, Outcome};
use crate::plan::{self, Plan};

pub async fn run(global: &GlobalOptions, args: &FixArgs) -> anyhow::Result<u8> {
    if args.write && args.source.templates.is_empty() && args.source.terraform_plan.is_none() {
        anyhow::bail!("`--write` writes edits of code: give `--template` or `--terraform-plan`");
    }
    let (config, policies) = super::load_policies(&args.policy)?;
    let spec = args
        .spec
        .as_deref()
        .map(plan::spec::Spec::load)
        .transpose()?;
    // A spec names its region; collect that one unless regions were given.
    let global_for_spec;
    let global = match &spec {
        Some(spec) if global.regions.is_empty() => {
            global_for_spec = GlobalOptions {
                regions: vec![spec.region.clone()],
                ..global.clone()
            };
            &global_for_spec
        }
        _ => global,
    };
    let suppressions = super::load_suppressions(args.suppressions.as_deref(), &policies)?;
    // Another account of the organisation: entered once, for collecting and applying alike.
    let entered = match &args.account {
        Some(account) => {
            let options = crate::collect::accounts::AccountOptions {
                role: args.role.clone(),
                external_id: args.external_id.clone(),
                ..Default::default()
            };
            let target = crate::collect::accounts::Target {
                id: account.clone(),
                name: None,
            };
            let base = super::aws_context(global).await?;
            Some(crate::collect::accounts::enter(&base, &target, &options).await)
        }
        None => None,
    };
    let inventory = match &entered {
        Some(context) => super::collect_account(global, context).await?,
        None => super::load_inventory(global, &args.source).await?,
    };
    if let Some(account) = &args.account
        && &inventory.account_id != account
    {
        anyhow::bail!(
            "the role entered account `{}`, not `{account}`: nothing is planned",
            inventory.account_id
        );
    }
    let index = super::index(inventory);
    let inventory = index.inventory();
    super::print_warnings(&inventory.warnings);
    let model = config.app_model(&index, args.scope.into());
    let evaluation = policies.evaluate(&index, &model, &config.param_overrides());
    if let Some(error) = evaluation.errors.first() {
        anyhow::bail!("{error} (no plan is made from an incomplete evaluation)");
    }
    let judged = evaluation.findings.clone();
    let (results, _) =
        suppressions.apply(evaluation.findings, chrono::Utc::now().date_naive(), |id| {
            policies.get(id).is_some()
        });
    let open: Vec<_> = results
        .into_iter()
        .filter(|r| r.is_open_failure())
        .map(|r| r.finding)
        .collect();
    let plan = match &spec {
        Some(spec) => plan::plan_with_spec(&index, &model, &policies, &open, spec, &config.fix)?,
        None => plan::plan(&index, &model, &policies, &open, &config.fix)?,
    };
    // The plan judged on the account it would leave: no step may break what passes.
    let evaluate = |predicted: &std::sync::Arc<crate::inventory::Index>,
                    only: Option<&std::collections::BTreeSet<String>>| {
        let model = config.app_model(predicted, args.scope.into());
        let subset = only.map(|ids| policies.only(|id| ids.contains(id)));
        subset
            .as_ref()
            .unwrap_or(&policies)
            .evaluate(predicted, &model, &config.param_overrides())
            .findings
    };
    let guarded = plan::predict::guard(plan, &index, &model, &judged, &evaluate);
    for regression in &guarded.unexplained {
        eprintln!("warning: the plan's steps together would make {regression}");
    }
    let mut plan = guarded.plan;
    plan.refused = guarded.refused;
    if !args.source.templates.is_empty() {
        return write_code(
            &crate::template::edit::plan_edits(&plan, &index),
            &plan,
            args.write,
        );
    }
    if args.source.terraform_plan.is_some() {
        return write_code(
            &crate::terraform::edit::plan_edits(&plan, &index),
            &plan,
            args.write,
        );
    }
    if !args.override_iac {
        let terraform = args
            .terraform_state
            .as_deref()
            .map(crate::terraform::state::Managed::read)
            .transpose()?;
        plan = plan::ownership::hand_to_owners(
            plan,
            &index,
            terraform
                .as_ref()
                .map(|state| state as &dyn crate::change::OwnerRecords),
        );
    }

    let shown = match args.format {
        PlanFormat::Text => plan::render::text(&plan),
        PlanFormat::Json => serde_json::to_string_pretty(&plan)? + "\n",
    };
    super::emit(&shown, None)?;
    if let Some(path) = &args.out {
        super::emit(&(serde_json::to_string_pretty(&plan)? + "\n"), Some(path))?;
        eprintln!(
            "Plan saved to `{}`: review it, then `hacheck apply {}`.",
            path.display(),
            path.display()
        );
    }
    if !args.apply {
        if !plan.is_empty() && args.out.is_none() {
            eprintln!(
                "Nothing was changed. Next: `hacheck fix --out plan.json` to save this plan for review, or `hacheck fix --apply` to apply it."
            );
        }
        return Ok(if plan.is_empty() {
            super::EXIT_CLEAN
        } else {
            super::EXIT_FINDINGS
        });
    }
    let journal = args.apply_options.journal.clone().unwrap_or_else(|| {
        PathBuf::from(".hacheck").join(format!("journal-{}.json", &plan.fingerprint()[..16]))
    });
    execute(
        global,
        entered.as_ref(),
        &plan,
        &args.apply_options,
        &journal,
        None,
    )
    .await
}

/// `fix --template` and `fix --terraform-plan`: the plan as a unified diff of the code
/// (written with `--write`); the steps no edit of code expresses are named on stderr. Exit
/// 1 when there is a change.
fn write_code(
    fix: &crate::template::edit::TemplateFix,
    plan: &Plan,
    write: bool,
) -> anyhow::Result<u8> {
    let mut diff = String::new();
    for change in &fix.changes {
        // As git names them: relative to here where it can, never with a doubled slash.
        let here = std::env::current_dir().unwrap_or_default();
        let path = change.path.strip_prefix(&here).unwrap_or(&change.path);
        let name = path.display().to_string();
        let name = name.trim_start_matches("./").trim_start_matches('/');
        diff.push_str(
            &similar::TextDiff::from_lines(&change.before, &change.after)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string(),
        );
    }
    super::emit(&diff, None)?;
    for step in &plan.steps {
        if step.safety == crate::change::Safety::Manual {
            eprintln!("{}", step.action.summary());
        }
    }
    for reason in &fix.not_written {
        eprintln!("not written: {reason}");
    }
    if write {
        for change in &fix.changes {
            crate::snapshot::write_atomically(&change.path, change.after.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", change.path.display()))?;
        }
    }
    Ok(if fix.changes.is_empty() {
        super::EXIT_CLEAN
    } else {
        super::EXIT_FINDINGS
    })
}

pub async fn apply_saved(global: &GlobalOptions, args: &ApplyArgs) -> anyhow::Result<u8> {
    let plan = Plan::read(&args.plan)?;
    super::emit(&plan::render::text(&plan), None)?;
    let journal = args
        .apply_options
        .journal
        .clone()
        .unwrap_or_else(|| journal_beside(&args.plan));
    execute(
        global,
        None,
        &plan,
        &args.apply_options,
        &journal,
        Some(&args.plan),
    )
    .await
}

fn journal_beside(plan: &Path) -> PathBuf {
    let mut name = plan.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    plan.with_file_name(name)
}

fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "refusing to apply without `--yes`: standard input is not a terminal to confirm on"
        );
    }
    eprint!("Apply these changes to the account? Only `yes` is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

async fn execute(
    global: &GlobalOptions,
    entered: Option<&crate::collect::AwsContext>,
    plan: &Plan,
    options: &ApplyOptions,
    journal_path: &Path,
    saved: Option<&Path>,
) -> anyhow::Result<u8> {
    if plan.is_empty() {
        return Ok(super::EXIT_CLEAN);
    }
    if !options.yes && !confirm()? {
        eprintln!("apply cancelled: nothing was changed");
        return Ok(super::EXIT_FINDINGS);
    }
    let context = match entered {
        Some(context) => context.clone(),
        None => super::aws_context(global).await?,
    };
    let mut regions: Vec<String> = plan
        .steps
        .iter()
        .map(|s| s.region.clone())
        .filter(|r| r != crate::inventory::GLOBAL_REGION)
        .collect();
    regions.extend(context.regions.iter().cloned());
    regions.sort();
    regions.dedup();
    let clients: Vec<RegionClients> = regions
        .iter()
        .map(|r| RegionClients::new(&context, r))
        .collect();
    let route53 = aws_sdk_route53::Client::new(&context.config_for("us-east-1"));
    let executor =
        Executor::new(clients, route53, options.allow_unsafe).with_watch(crate::execute::Watch {
            report: std::sync::Arc::new(|line| eprintln!("  {line}")),
            ..crate::execute::Watch::default()
        });
    let mut journal = Journal::open(journal_path, plan)
        .map_err(|e| anyhow::anyhow!("cannot open journal `{}`: {e}", journal_path.display()))?;
    let stop = super::stop_on_signal();
    let executor = executor.with_stop(stop.clone());
    let labels: std::collections::HashMap<&str, String> = plan
        .steps
        .iter()
        .map(|s| (s.id.as_str(), crate::plan::render::label(s)))
        .collect();
    let report = executor
        .apply(plan, &mut journal, &|step, outcome| {
            let line = match outcome {
                Outcome::Applied { .. } => "applied".to_owned(),
                Outcome::Satisfied { .. } => "already satisfied, skipped".to_owned(),
                Outcome::Journaled { .. } => "done by an earlier apply (journal)".to_owned(),
                Outcome::Refused { reason } => format!("refused, drifted: {reason}"),
                Outcome::Failed { error } => format!("failed: {error}"),
                Outcome::NeedsUnsafe => "not applied: unsafe, needs --unsafe".to_owned(),
                Outcome::Blocked { by } => format!(
                    "not applied: waits for {}",
                    labels.get(by.as_str()).map_or(by.as_str(), String::as_str)
                ),
                Outcome::Stopped => "not started: the apply was stopped".to_owned(),
                // Listed in the plan already: a person's to do, not an outcome.
                Outcome::Manual => return,
            };
            eprintln!(
                "{} {}: {line}",
                step.action.symbol(),
                labels[step.id.as_str()]
            );
        })
        .await;
    let refused = report.count(|o| matches!(o, Outcome::Refused { .. } | Outcome::Failed { .. }));
    let waiting = report.count(|o| matches!(o, Outcome::NeedsUnsafe | Outcome::Blocked { .. }));
    let stopped = report.count(|o| *o == Outcome::Stopped);
    let manual = report.count(|o| *o == Outcome::Manual);
    let applied = report.count(|o| matches!(o, Outcome::Applied { .. }));
    let satisfied =
        report.count(|o| matches!(o, Outcome::Satisfied { .. } | Outcome::Journaled { .. }));
    let mut summary = format!(
        "Apply: {applied} applied, {satisfied} already satisfied, {waiting} not applied, {refused} refused or failed"
    );
    if stopped > 0 {
        summary += &format!(", {stopped} not started (stopped)");
    }
    eprintln!("{summary}; progress in `{}`.", journal_path.display());
    let again = if options.allow_unsafe {
        "--unsafe "
    } else {
        ""
    };
    let next = if stopped > 0 {
        match saved {
            // The same plan and journal: it resumes exactly where this one stopped.
            Some(path) => format!(
                "Next: `hacheck apply --yes {again}{}` resumes where this one stopped.",
                path.display()
            ),
            // A new plan from the account as it is now: what was applied is not planned again.
            None => format!(
                "Next: `hacheck fix --apply --yes {}` plans again from the account as it is now and applies the rest.",
                again.trim_end()
            ),
        }
    } else if refused > 0 {
        "Next: read the refusals above, then `hacheck fix` to plan again from the account as it is now.".to_owned()
    } else if waiting > 0 {
        "Next: `--unsafe` applies the unsafe steps (read what they do in the plan first)."
            .to_owned()
    } else if manual > 0 {
        format!("Next: {manual} manual step(s) of the plan are yours to do; then `hacheck scan`.")
    } else {
        "Next: `hacheck scan` shows what is left.".to_owned()
    };
    eprintln!("{next}");
    Ok(if refused > 0 || stopped > 0 {
        super::EXIT_ERROR
    } else if waiting > 0 {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    })
}
