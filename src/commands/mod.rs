//! One module per command. Each returns the process exit status it wants, or an error that
//! `main` prints on one line with exit status 2.

pub mod apps;
pub mod explain;
pub mod fields;
pub mod fix;
pub mod graph;
pub mod inventory;
pub mod merge;
pub mod permissions;
pub mod policies;
pub mod scan;
pub mod whatif;

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{GlobalOptions, InventorySource, PolicyOptions};
use crate::collect::AwsOptions;
use crate::config::Config;
use crate::inventory::Inventory;
use crate::policy::PolicySet;

/// Exit status: nothing to report.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: failing findings (or a plan with changes, where asked).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: the tool failed or its input was bad.
pub const EXIT_ERROR: u8 = 2;

/// The inventory a command works on: a snapshot file, a bundled example, else the live
/// account.
pub async fn load_inventory(
    global: &GlobalOptions,
    source: &InventorySource,
) -> anyhow::Result<Inventory> {
    if let Some(path) = &source.inventory {
        return Ok(crate::snapshot::read(path)?);
    }
    if !source.templates.is_empty() {
        let options = crate::template::TemplateOptions {
            paths: source.templates.clone(),
            parameters: source.parameters.clone(),
            region: code_region(global),
            account: crate::template::PLACEHOLDER_ACCOUNT.to_owned(),
        };
        return Ok(crate::template::load(&options)?);
    }
    if let Some(plan) = &source.terraform_plan {
        let options = crate::terraform::TerraformOptions {
            plan: plan.clone(),
            dir: source.terraform_dir.clone(),
            region: code_region(global),
            account: crate::template::PLACEHOLDER_ACCOUNT.to_owned(),
        };
        return Ok(crate::terraform::load(&options)?);
    }
    if let Some(name) = &source.example {
        let text = crate::snapshot::example(name).ok_or_else(|| {
            let known: Vec<&str> = crate::snapshot::EXAMPLES.iter().map(|(n, _)| *n).collect();
            anyhow::anyhow!(
                "no bundled example `{name}` (there are: {})",
                known.join(", ")
            )
        })?;
        return Ok(crate::snapshot::parse(
            text,
            Path::new(&format!("example:{name}")),
        )?);
    }
    let context = aws_context(global).await?;
    collect_account(global, &context).await
}

/// The region code (a template, a plan) is judged in: the first `--region`, else us-east-1.
fn code_region(global: &GlobalOptions) -> String {
    global
        .regions
        .first()
        .cloned()
        .unwrap_or_else(|| "us-east-1".to_owned())
}

/// The AWS context of the global options (the credentials' own account).
pub async fn aws_context(global: &GlobalOptions) -> anyhow::Result<crate::collect::AwsContext> {
    let options = AwsOptions {
        regions: global.regions.clone(),
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
    };
    Ok(options.load().await?)
}

/// The inventory of the account `context` acts in, with progress on a terminal.
pub async fn collect_account(
    global: &GlobalOptions,
    context: &crate::collect::AwsContext,
) -> anyhow::Result<Inventory> {
    let show_progress = !global.quiet && std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize, service: &str, region: &str| {
        if show_progress {
            // One line, redrawn: `\r` returns to its start, `\x1b[2K` clears it.
            eprint!("\r\x1b[2Kcollecting {done}/{total}: {service} in {region}");
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    };
    let inventory = crate::collect::collect(context, &progress).await?;
    tracing::info!(calls = context.calls.get(), "collection finished");
    Ok(inventory)
}

/// Hands `take` each inventory a command works on: every account `accounts` selects
/// (entered through its role, a few at once, each dropped once taken), each snapshot of a
/// directory (`--inventory DIR`, as `inventory --organization --output DIR` writes), else
/// the one [`load_inventory`] gives. Returns the accounts that could not be read.
pub async fn for_each_inventory(
    global: &GlobalOptions,
    source: &InventorySource,
    accounts: &crate::collect::accounts::AccountOptions,
    mut take: impl FnMut(Inventory) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<crate::collect::accounts::AccountFailure>> {
    if accounts.any() {
        return for_each_account(global, accounts, |_, inventory| take(inventory)).await;
    }
    match source.inventory.as_deref().filter(|p| p.is_dir()) {
        Some(dir) => {
            for path in snapshots_in(dir)? {
                take(crate::snapshot::read(&path)?)?;
            }
        }
        None => take(load_inventory(global, source).await?)?,
    }
    Ok(Vec::new())
}

/// Says on stderr which accounts were not read; the status a command then exits with.
pub fn report_missing(missing: &[crate::collect::accounts::AccountFailure], status: u8) -> u8 {
    for failure in missing {
        eprintln!(
            "error: account {} not read: {}",
            failure.account_id, failure.reason
        );
    }
    if missing.is_empty() {
        status
    } else {
        EXIT_ERROR
    }
}

/// Renders one output per inventory: as it is for one; for several, a table's under an
/// `account ID:` line each, and JSON as a list of `{"account_id", "report"}`.
pub fn render_per_account(outputs: Vec<(String, Vec<u8>)>, json: bool) -> anyhow::Result<Vec<u8>> {
    if outputs.len() == 1 {
        return Ok(outputs.into_iter().next().expect("one").1);
    }
    if json {
        let mut list = Vec::new();
        for (account, bytes) in outputs {
            let report: serde_json::Value = serde_json::from_slice(&bytes)?;
            list.push(serde_json::json!({ "account_id": account, "report": report }));
        }
        return Ok((serde_json::to_string_pretty(&list)? + "\n").into_bytes());
    }
    let mut out = Vec::new();
    for (account, bytes) in outputs {
        out.extend(format!("account {account}:\n").into_bytes());
        out.extend(bytes);
        out.push(b'\n');
    }
    Ok(out)
}

/// How many accounts are collected at once: AWS throttles per account and region, so
/// accounts in parallel do not slow each other; memory holds this many inventories.
const CONCURRENT_ACCOUNTS: usize = 4;

/// Collects every account `accounts` selects (entered through its role),
/// [`CONCURRENT_ACCOUNTS`] at once, and hands each inventory to `take` as it arrives, so
/// that memory holds the accounts in flight, not the organisation. Returns the accounts
/// that could not be entered or read, with the reason.
pub async fn for_each_account(
    global: &GlobalOptions,
    accounts: &crate::collect::accounts::AccountOptions,
    take: impl FnMut(crate::collect::accounts::Target, Inventory) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<crate::collect::accounts::AccountFailure>> {
    let context = aws_context(global).await?;
    let show_progress = !global.quiet && std::io::stderr().is_terminal();
    for_each_account_in(&context, show_progress, accounts, take).await
}

/// [`for_each_account`] from a context made already (the seam fault tests use).
pub async fn for_each_account_in(
    context: &crate::collect::AwsContext,
    show_progress: bool,
    accounts: &crate::collect::accounts::AccountOptions,
    mut take: impl FnMut(crate::collect::accounts::Target, Inventory) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<crate::collect::accounts::AccountFailure>> {
    use crate::collect::accounts;
    use futures::StreamExt;

    let targets = accounts::targets(context, accounts)
        .await
        .map_err(|failure| anyhow::anyhow!("{}", failure.reason))?;
    let total = targets.len();
    let mut outcomes = futures::stream::iter(targets)
        .map(|target| async move {
            let collected = accounts::collect(context, &target, accounts).await;
            (target, collected)
        })
        .buffer_unordered(CONCURRENT_ACCOUNTS);
    let mut failures = Vec::new();
    let mut done = 0;
    while let Some((target, collected)) = outcomes.next().await {
        done += 1;
        match collected {
            Err(failure) => failures.push(failure),
            Ok(inventory) => take(target, inventory)?,
        }
        if show_progress {
            let not_read = match failures.len() {
                0 => String::new(),
                n => format!(", {n} not read"),
            };
            eprint!("\r\x1b[2Kaccounts {done}/{total}{not_read}");
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    }
    Ok(failures)
}

/// The snapshot files (`*.json`) of `dir`, in name order.
pub fn snapshots_in(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read directory `{}`: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        anyhow::bail!("directory `{}` holds no snapshot (*.json)", dir.display());
    }
    Ok(paths)
}

/// The inventory's one index, built once per command and shared by everything that reads it.
pub fn index(inventory: Inventory) -> std::sync::Arc<crate::inventory::Index> {
    std::sync::Arc::new(crate::inventory::Index::new(inventory))
}

/// Writes `text` to `path`, or to stdout when there is no path.
pub fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    emit_bytes(text.as_bytes(), path)
}

/// Writes `bytes` to `path` (atomically: all or nothing), or to stdout.
pub fn emit_bytes(bytes: &[u8], path: Option<&Path>) -> anyhow::Result<()> {
    match path {
        Some(path) => crate::snapshot::write_atomically(path, bytes)
            .map_err(|error| anyhow::anyhow!("cannot write `{}`: {error}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// The config file and the policy set a command runs with.
/// The policies a run evaluates: the selection, opt-in rules only when it names them.
pub fn load_policies(options: &PolicyOptions) -> anyhow::Result<(Config, PolicySet)> {
    load_selected(options, false)
}

/// The policies to read about (`policies list`, `policies test`, `explain`): the selection,
/// opt-in rules included.
pub fn load_every_policy(options: &PolicyOptions) -> anyhow::Result<(Config, PolicySet)> {
    load_selected(options, true)
}

fn load_selected(
    options: &PolicyOptions,
    with_opt_in: bool,
) -> anyhow::Result<(Config, PolicySet)> {
    let config = Config::load(options.config.as_deref())?;
    let loaded = PolicySet::load(&options.policy_dirs)?;
    let config_origin = |key: &str| match &config.path {
        Some(path) => format!("`[rules] {key}` of `{}`:", path.display()),
        None => format!("`[rules] {key}`:"),
    };
    let (select_origin, ignore_origin) = (config_origin("select"), config_origin("ignore"));
    let select: Vec<(String, &str)> = if options.select.is_empty() {
        config
            .rules
            .select
            .iter()
            .map(|entry| (entry.clone(), select_origin.as_str()))
            .collect()
    } else {
        options
            .select
            .iter()
            .map(|entry| (entry.clone(), "`--select`"))
            .collect()
    };
    let ignore: Vec<(String, &str)> = options
        .ignore
        .iter()
        .map(|entry| (entry.clone(), "`--ignore`"))
        .chain(
            config
                .rules
                .ignore
                .iter()
                .map(|entry| (entry.clone(), ignore_origin.as_str())),
        )
        .collect();
    let set = loaded.selected(&select, &ignore, with_opt_in)?;
    for (id, origin) in &set.replaced {
        eprintln!("note: policy `{id}` is replaced by {origin}");
    }
    for (id, params) in config.param_overrides() {
        let invalid = |message: String| crate::config::ConfigError::Invalid {
            path: config.path.clone().unwrap_or_default(),
            message,
        };
        let policy = loaded
            .get(&id)
            .ok_or_else(|| invalid(format!("`[policies.{id}]` names no policy")))?;
        crate::policy::effective_params(&policy.meta, Some(&params)).map_err(
            |error| match error {
                crate::policy::PolicyError::Config { message } => invalid(message),
                other => invalid(other.to_string()),
            },
        )?;
    }
    Ok((config, set))
}

/// The suppressions file, if one is given, checked against every loaded policy's id: one
/// the selection leaves out this run (an opt-in rule, an ignored or unselected one) is still
/// a rule.
pub fn load_suppressions(
    path: Option<&Path>,
    policies: &PolicySet,
) -> anyhow::Result<crate::suppress::Suppressions> {
    Ok(match path {
        Some(path) => crate::suppress::Suppressions::load(path, |id| policies.is_rule(id))?,
        None => crate::suppress::Suppressions::none(),
    })
}

/// Prints collector warnings on stderr, one line each.
pub fn print_warnings(warnings: &[crate::inventory::CollectorWarning]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// A flag set by the first SIGINT (Ctrl-C) or SIGTERM, so that an apply stops after the
/// steps in flight and says what it did; a second signal ends the process at once (the
/// journal is written step by step, so nothing is lost).
pub fn stop_on_signal() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STOP: std::sync::OnceLock<std::sync::Arc<AtomicBool>> = std::sync::OnceLock::new();
    extern "C" fn on_signal(_: libc::c_int) {
        let Some(stop) = STOP.get() else { return };
        if stop.swap(true, Ordering::SeqCst) {
            // Async-signal-safe: no allocation, no lock.
            unsafe { libc::_exit(130) };
        }
        let message = b"\nstopping after the steps in flight (again to stop at once)\n";
        unsafe { libc::write(2, message.as_ptr().cast(), message.len()) };
    }
    let mut first = false;
    let flag = STOP
        .get_or_init(|| {
            first = true;
            std::sync::Arc::new(AtomicBool::new(false))
        })
        .clone();
    if first {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: the handler only touches an atomic and async-signal-safe calls.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
    }
    flag
}
