//! `hacheck scan`: collect (or read) the inventory, evaluate the policies, apply
//! suppressions and report. Exit 0 clean, 1 open failures at or above `--fail-on`, 2 when a
//! policy failed or the collection was incomplete (unless `--allow-partial`).

use std::io::{IsTerminal, Write};

use crate::cli::{GlobalOptions, ReportFormat, ScanArgs};
use crate::report::{self, ScanReport};

pub async fn run(global: &GlobalOptions, args: &ScanArgs) -> anyhow::Result<u8> {
    let (config, policies) = super::load_policies(&args.policy)?;
    let suppressions = super::load_suppressions(args.suppressions.as_deref(), &policies)?;
    let index = super::index(super::load_inventory(global, &args.source).await?);
    let inventory = index.inventory();
    let model = config.app_model(&index, args.scope.into());
    let evaluation = policies.evaluate(&index, &model, &config.param_overrides());
    if args.format != ReportFormat::Table || args.output.is_some() {
        super::print_warnings(inventory);
        for error in &evaluation.errors {
            eprintln!("error: {error}");
        }
    }
    let today = chrono::Utc::now().date_naive();
    let (results, notes) = suppressions.apply(evaluation.findings, today);
    let mut report = ScanReport::new(inventory, &model, &policies, results);
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
            &crate::whatif::Topology::new(&index),
            &model,
            &failures,
            None,
        );
    }

    let mut rendered = Vec::new();
    render(&report, args.format, args.output.is_none(), &mut rendered)?;
    super::emit_bytes(&rendered, args.output.as_deref())?;

    let incomplete = !report.warnings.is_empty() && !args.allow_partial;
    Ok(if !report.policy_errors.is_empty() || incomplete {
        super::EXIT_ERROR
    } else if report.failures_at_or_above(args.fail_on) > 0 {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    })
}

fn render(
    report: &ScanReport,
    format: ReportFormat,
    to_terminal: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Table => {
            let tty = to_terminal && std::io::stdout().is_terminal();
            let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let width = if tty {
                terminal_width().unwrap_or(80)
            } else {
                80
            };
            report::table::write(report, report::table::TableStyle { color, width }, out)
        }
        ReportFormat::Json => report::json::write(report, out),
        ReportFormat::Sarif => report::sarif::write(report, out),
        ReportFormat::Markdown => report::markdown::write(report, out),
    }
}

/// `COLUMNS` when the shell exports it; the table otherwise assumes 80.
fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS").ok()?.parse().ok()
}
