//! The terminal report: failing results grouped by application, then by rule, then a
//! one-line summary (with the workloads in no application, which were not judged).
//!
//! Built with comfy-table and sized to the terminal (80 columns when unknown); words wrap
//! at spaces, never in the middle. Colour only when the caller says so (a TTY without
//! `NO_COLOR`).

use std::io::{self, Write};

use comfy_table::{
    Attribute, Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED,
};

use super::ScanReport;
use crate::finding::Severity;

#[derive(Debug, Clone, Copy)]
pub struct TableStyle {
    pub color: bool,
    pub width: u16,
}

fn severity_color(severity: Severity) -> Color {
    match severity {
        Severity::Critical => Color::Red,
        Severity::High => Color::DarkRed,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Blue,
        Severity::Info => Color::Grey,
    }
}

pub fn write(report: &ScanReport, style: TableStyle, out: &mut dyn Write) -> io::Result<()> {
    // By account (in a run over several), then applications in name order; account-wide
    // findings (no application) last.
    let mut groups: Vec<(Option<&str>, Option<&str>)> = report
        .results
        .iter()
        .filter(|r| r.finding.failed())
        .map(|r| {
            (
                r.finding.account.as_deref(),
                r.finding.application.as_deref(),
            )
        })
        .collect();
    groups.sort_by_key(|(account, app)| (*account, app.is_none(), *app));
    groups.dedup();
    for (account, application) in groups {
        if let Some(account) = account {
            let label = report
                .accounts
                .iter()
                .find(|a| a.account_id == account)
                .map_or_else(|| account.to_owned(), |a| a.label());
            write!(out, "account {label}: ")?;
        }
        match application {
            Some(name) => writeln!(out, "application {name}")?,
            None => writeln!(out, "account-wide (resources of no application)")?,
        }
        write_rules(report, account, application, style, out)?;
    }
    write_footer(report, out)
}

fn write_rules(
    report: &ScanReport,
    account: Option<&str>,
    application: Option<&str>,
    style: TableStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    let in_group = |r: &&super::ScanResult| {
        r.finding.failed()
            && r.finding.account.as_deref() == account
            && r.finding.application.as_deref() == application
    };
    let mut rule_ids: Vec<&str> = report
        .results
        .iter()
        .filter(in_group)
        .map(|r| r.finding.rule_id.as_str())
        .collect();
    rule_ids.dedup();
    for rule_id in rule_ids {
        let rule = report.rule(rule_id);
        let severity = rule.map(|r| r.meta.severity).unwrap_or(Severity::Info);
        let title = rule.map(|r| r.meta.title.as_str()).unwrap_or_default();
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(style.width);
        if !style.color {
            table.force_no_tty();
        } else {
            table.enforce_styling();
        }
        let mut header =
            Cell::new(format!("{rule_id} [{severity}] {title}")).add_attribute(Attribute::Bold);
        if style.color {
            header = header.fg(severity_color(severity));
        }
        table.set_header(vec![header, Cell::new("")]);
        for result in report
            .results
            .iter()
            .filter(in_group)
            .filter(|r| r.finding.rule_id == rule_id)
        {
            // A template's resource is named where it is declared.
            let place = match &result.finding.location {
                Some(location) => format!("{}:{}", location.file, location.line),
                None => result.finding.resource.region.clone(),
            };
            let resource = format!("{}\n{place}", result.finding.resource.id);
            let message = match &result.suppression {
                Some(s) => format!(
                    "{}\n(suppressed until {}: {})",
                    result.finding.message, s.expires, s.reason
                ),
                None => result.finding.message.clone(),
            };
            table.add_row(vec![Cell::new(resource), Cell::new(message)]);
        }
        writeln!(out, "{table}")?;
    }
    Ok(())
}

fn write_footer(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    for result in report
        .results
        .iter()
        .filter(|r| r.finding.status == crate::finding::Status::Unknown)
    {
        let finding = &result.finding;
        let place = finding
            .location
            .as_ref()
            .map(|l| format!(" ({}:{})", l.file, l.line))
            .unwrap_or_default();
        writeln!(
            out,
            "unknown: {} {}{place} waits for {}",
            finding.rule_id,
            finding.resource.id,
            finding.unknown_inputs.join(", ")
        )?;
    }
    for warning in &report.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    for note in &report.suppression_notes {
        writeln!(out, "warning: {note}")?;
    }
    for error in &report.policy_errors {
        writeln!(out, "error: {error}")?;
    }
    for missing in report.missing_accounts() {
        writeln!(out, "error: {missing}")?;
    }
    if !report.accounts.is_empty() {
        let missing = report.accounts.iter().filter(|a| a.failed()).count();
        writeln!(
            out,
            "{} accounts: {} scanned, {missing} not scanned",
            report.accounts.len(),
            report.accounts.len() - missing
        )?;
    }
    let s = report.summary();
    writeln!(
        out,
        "{}, {}: {} passed, {} failed, {}{} suppressed, {}{}{}",
        crate::whatif::plural(s.rules, "rule", "rules"),
        crate::whatif::plural(s.resources, "resource", "resources"),
        s.passed,
        s.failed,
        if s.unknown > 0 {
            format!("{} unknown (waiting for inputs), ", s.unknown)
        } else {
            String::new()
        },
        s.suppressed,
        crate::whatif::plural(s.warnings, "warning", "warnings"),
        if s.errors > 0 {
            format!(", {} policy errors", s.errors)
        } else {
            String::new()
        },
        if s.out_of_scope > 0 {
            format!(
                "; {} in no application, not judged (see `hacheck apps`)",
                crate::whatif::plural(s.out_of_scope, "resource", "resources")
            )
        } else {
            String::new()
        }
    )
}
