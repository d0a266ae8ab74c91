//! `hacheck scan`: collect (or read) the inventory, evaluate the policies, apply
//! suppressions and report. Exit 0 clean, 1 open failures at or above `--fail-on`, 2 when a
//! policy failed or the collection was incomplete (unless `--allow-partial`).

use std::io::{IsTerminal, Write};

use crate::cli::{GlobalOptions, ReportFormat, ScanArgs};
use crate::report::{self, ScanReport};

pub async fn run(global: &GlobalOptions, args: &ScanArgs) -> anyhow::Result<u8> {
    let (config, policies) = super::load_policies(&args.policy)?;
    let suppressions = super::load_suppressions(args.suppressions.as_deref(), &policies)?;
    let accounts = args.accounts.options()?;
    let directory = args.source.inventory.as_deref().filter(|p| p.is_dir());
    let mut report = if accounts.any() {
        scan_accounts(global, args, &accounts, &config, &policies, &suppressions).await?
    } else if let Some(dir) = directory {
        scan_snapshots(dir, args, &config, &policies, &suppressions)?
    } else {
        let index = super::index(super::load_inventory(global, &args.source).await?);
        judge(&index, args, &config, &policies, &suppressions)
    };
    if args.format != ReportFormat::Table || args.output.is_some() {
        super::print_warnings(&report.warnings);
        for error in &report.policy_errors {
            eprintln!("error: {error}");
        }
        for missing in report.missing_accounts() {
            eprintln!("error: {missing}");
        }
    }
    if args.format != ReportFormat::Markdown {
        report.diagrams.clear();
    }
    relative_to_source_root(&mut report, args.source_root.as_deref())?;

    let mut rendered = Vec::new();
    render(&report, args.format, args.output.is_none(), &mut rendered)?;
    super::emit_bytes(&rendered, args.output.as_deref())?;

    let status = exit_status(&report, args.fail_on, args.allow_partial);
    if status == super::EXIT_CLEAN && args.fail_on_unknown && report.summary().unknown > 0 {
        return Ok(super::EXIT_FINDINGS);
    }
    Ok(status)
}

/// Names each template a finding points at by its path under `root` (default: the current
/// directory), as code scanning expects of a SARIF artifact's URI; paths outside it stay.
fn relative_to_source_root(
    report: &mut ScanReport,
    root: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    if !report.results.iter().any(|r| r.finding.location.is_some()) {
        return Ok(());
    }
    let root = match root {
        Some(root) => std::fs::canonicalize(root)
            .map_err(|e| anyhow::anyhow!("cannot read source root `{}`: {e}", root.display()))?,
        None => std::env::current_dir()?,
    };
    for result in &mut report.results {
        if let Some(location) = &mut result.finding.location
            && let Ok(path) = std::fs::canonicalize(&location.file)
            && let Ok(relative) = path.strip_prefix(&root)
        {
            location.file = relative.to_string_lossy().replace('\\', "/");
        }
    }
    Ok(())
}

/// 2 when a policy failed, the collection was incomplete (unless `allow_partial`) or an
/// account could not be scanned; else 1 with open failures at or above `fail_on`; else 0.
pub(crate) fn exit_status(
    report: &ScanReport,
    fail_on: crate::finding::Severity,
    allow_partial: bool,
) -> u8 {
    let incomplete = (!report.warnings.is_empty() && !allow_partial)
        || report.accounts.iter().any(|a| a.failed());
    if !report.policy_errors.is_empty() || incomplete {
        super::EXIT_ERROR
    } else if report.failures_at_or_above(fail_on) > 0 {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    }
}

/// The report of one account's inventory: model, policies, suppressions (and the diagrams
/// a Markdown report shows).
fn judge(
    index: &std::sync::Arc<crate::inventory::Index>,
    args: &ScanArgs,
    config: &crate::config::Config,
    policies: &crate::policy::PolicySet,
    suppressions: &crate::suppress::Suppressions,
) -> ScanReport {
    let inventory = index.inventory();
    let model = config.app_model(index, args.scope.into());
    let evaluation = policies.evaluate(index, &model, &config.param_overrides());
    let today = chrono::Utc::now().date_naive();
    let (results, notes) =
        suppressions.apply(evaluation.findings, today, |id| policies.get(id).is_some());
    let mut report = ScanReport::new(inventory, &model, policies, results);
    report.policy_errors = evaluation.errors.iter().map(|e| e.to_string()).collect();
    report.suppression_notes = notes;
    if args.format == ReportFormat::Markdown {
        let open = report
            .results
            .iter()
            .filter(|r| r.is_open_failure())
            .map(|r| &r.finding);
        let failures = crate::diagram::failures(open);
        report.diagrams = crate::diagram::build_all(
            &crate::whatif::Topology::new(index),
            &model,
            &failures,
            None,
        );
    }
    report
}

/// Every account `accounts` selects, each collected through its role, judged as it comes
/// and dropped; an account that cannot be entered or read is reported with its reason.
async fn scan_accounts(
    global: &GlobalOptions,
    args: &ScanArgs,
    accounts: &crate::collect::accounts::AccountOptions,
    config: &crate::config::Config,
    policies: &crate::policy::PolicySet,
    suppressions: &crate::suppress::Suppressions,
) -> anyhow::Result<ScanReport> {
    let mut scanned = Vec::new();
    let failures = super::for_each_account(global, accounts, |target, inventory| {
        let index = super::index(inventory);
        scanned.push((target, judge(&index, args, config, policies, suppressions)));
        Ok(())
    })
    .await?;
    scanned.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    Ok(ScanReport::merge(
        policies,
        args.scope.into(),
        scanned,
        failures,
    ))
}

/// The snapshots of a directory (`inventory --organization --output DIR`), judged as the
/// accounts they are.
fn scan_snapshots(
    dir: &std::path::Path,
    args: &ScanArgs,
    config: &crate::config::Config,
    policies: &crate::policy::PolicySet,
    suppressions: &crate::suppress::Suppressions,
) -> anyhow::Result<ScanReport> {
    let mut scanned = Vec::new();
    for path in super::snapshots_in(dir)? {
        let index = super::index(crate::snapshot::read(&path)?);
        let target = crate::collect::accounts::Target {
            id: index.inventory().account_id.clone(),
            name: None,
        };
        scanned.push((target, judge(&index, args, config, policies, suppressions)));
    }
    Ok(ScanReport::merge(
        policies,
        args.scope.into(),
        scanned,
        Vec::new(),
    ))
}

pub(crate) fn render(
    report: &ScanReport,
    format: ReportFormat,
    to_terminal: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Table => {
            let tty = to_terminal && std::io::stdout().is_terminal();
            let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let width = table_width(tty);
            report::table::write(report, report::table::TableStyle { color, width }, out)
        }
        ReportFormat::Compact => report::table::write_compact(report, out),
        ReportFormat::Json => report::json::write(report, out),
        ReportFormat::Sarif => report::sarif::write(report, out),
        ReportFormat::Markdown => report::markdown::write(report, out),
    }
}

/// The table's width: `COLUMNS` when set (by the shell, or by hand for a file), else the
/// terminal's, else 100 (a file or a pipe). Never under 40: a cell needs room for an id.
fn table_width(tty: bool) -> u16 {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| tty.then(terminal_columns).flatten())
        .unwrap_or(100);
    width.max(40)
}

/// The width of the terminal on stdout.
fn terminal_columns() -> Option<u16> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes a winsize into the struct it is given, nothing else.
    let answered = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (answered && size.ws_col > 0).then_some(size.ws_col)
}
