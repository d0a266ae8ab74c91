//! The terminal report: a table per application, a row per failing result (rule, severity,
//! resource, message), then a one-line summary (with the workloads in no application,
//! which were not judged).
//!
//! Built with comfy-table at the width the caller gives (the terminal's, `COLUMNS`, else 100);
//! words wrap at spaces, never in the middle. Colour only when the caller says so (a TTY
//! without `NO_COLOR`). The compact form is one line per finding, for editors and `grep`.

use std::io::{self, Write};

use comfy_table::{
    Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, Width,
    presets::UTF8_FULL_CONDENSED,
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
    write_footer(report, true, Some(style.width), out)
}

/// One table per application: a row per failing finding (rule, severity, resource and
/// where it is, message), rules in the report's order.
fn write_rules(
    report: &ScanReport,
    account: Option<&str>,
    application: Option<&str>,
    style: TableStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
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
    table.set_header(
        ["rule", "severity", "resource", "message"]
            .map(|title| Cell::new(title).add_attribute(Attribute::Bold)),
    );
    let mut longest = 0;
    for result in report.results.iter().filter(|r| {
        r.finding.failed()
            && r.finding.account.as_deref() == account
            && r.finding.application.as_deref() == application
    }) {
        let finding = &result.finding;
        let severity = report
            .rule(&finding.rule_id)
            .map(|r| r.meta.severity)
            .unwrap_or(finding.severity);
        let mut level = Cell::new(severity.to_string());
        if style.color {
            level = level.fg(severity_color(severity));
        }
        // A template's resource is named where it is declared.
        let place = match &finding.location {
            Some(location) => format!("{}:{}", location.file, location.line),
            None => finding.resource.region.clone(),
        };
        let message = match &result.suppression {
            Some(s) => format!(
                "{}\n(suppressed until {}: {})",
                finding.message, s.expires, s.reason
            ),
            None => finding.message.clone(),
        };
        longest = longest.max(
            finding
                .resource
                .id
                .chars()
                .count()
                .max(place.chars().count()),
        );
        table.add_row(vec![
            Cell::new(&finding.rule_id),
            level,
            Cell::new(format!("{}\n{place}", finding.resource.id)),
            Cell::new(message),
        ]);
    }
    // Identifiers and file positions are not split: the resource column is as wide as the
    // longest (and its padding), as far as the message column keeps room to wrap at spaces.
    const RULE_AND_SEVERITY: usize = 24; // the two columns, their padding and the borders
    const MESSAGE_ROOM: usize = 30;
    let room = usize::from(style.width).saturating_sub(RULE_AND_SEVERITY + MESSAGE_ROOM);
    let width = (longest + 2).min(room);
    if let (Some(column), Ok(width)) = (table.column_mut(2), u16::try_from(width)) {
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
    }
    writeln!(out, "{table}")
}

/// `line` in pieces of at most `width` characters, broken at spaces (a word longer than
/// the width stands alone), continuation pieces indented by two.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let indent = if pieces.is_empty() { 0 } else { 2 };
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && indent + needed > width {
            pieces.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    pieces.push(current);
    pieces
        .into_iter()
        .enumerate()
        .map(|(n, piece)| if n == 0 { piece } else { format!("  {piece}") })
        .collect()
}

/// One line per failing or unknown finding, where it is first, as compilers and ruff's
/// concise output write it: `file:line:col: RULE [severity] resource: message` for a
/// template's, `region/resource: RULE [severity] message` (account first, in a run over
/// several) otherwise; then the summary.
pub fn write_compact(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    for result in report
        .results
        .iter()
        .filter(|r| r.finding.failed() || r.finding.status == crate::finding::Status::Unknown)
    {
        let finding = &result.finding;
        let level = if finding.failed() {
            finding.severity.to_string()
        } else {
            "unknown".to_owned()
        };
        let message = match &result.suppression {
            Some(s) => format!(
                "{} (suppressed until {}: {})",
                finding.message, s.expires, s.reason
            ),
            None => finding.message.clone(),
        };
        match &finding.location {
            Some(l) => writeln!(
                out,
                "{}:{}:{}: {} [{level}] {}: {message}",
                l.file, l.line, l.column, finding.rule_id, finding.resource.id
            )?,
            None => {
                let account = finding
                    .account
                    .as_deref()
                    .map(|a| format!("{a}/"))
                    .unwrap_or_default();
                let region = match finding.resource.region.as_str() {
                    "" => "global",
                    region => region,
                };
                writeln!(
                    out,
                    "{account}{region}/{}: {} [{level}] {message}",
                    finding.resource.id, finding.rule_id
                )?
            }
        }
    }
    // Its unknowns are lines of their own above.
    write_footer(report, false, None, out)
}

/// Unknowns (when `unknowns`), warnings, errors, then the summary line; each wrapped at
/// `width` when given (the table's), at spaces, continued two spaces in.
fn write_footer(
    report: &ScanReport,
    unknowns: bool,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    use std::fmt::Write as _;
    let mut text = String::new();
    for result in report
        .results
        .iter()
        .filter(|r| unknowns && r.finding.status == crate::finding::Status::Unknown)
    {
        let finding = &result.finding;
        let place = finding
            .location
            .as_ref()
            .map(|l| format!(" ({}:{})", l.file, l.line))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "unknown: {} {}{place} waits for {}",
            finding.rule_id,
            finding.resource.id,
            finding.unknown_inputs.join(", ")
        );
    }
    for warning in &report.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    for note in &report.suppression_notes {
        let _ = writeln!(text, "warning: {note}");
    }
    for error in &report.policy_errors {
        let _ = writeln!(text, "error: {error}");
    }
    for missing in report.missing_accounts() {
        let _ = writeln!(text, "error: {missing}");
    }
    if !report.accounts.is_empty() {
        let missing = report.accounts.iter().filter(|a| a.failed()).count();
        let _ = writeln!(
            text,
            "{} accounts: {} scanned, {missing} not scanned",
            report.accounts.len(),
            report.accounts.len() - missing
        );
    }
    let s = report.summary();
    let _ = writeln!(
        text,
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
    );
    for line in text.lines() {
        match width {
            Some(width) => {
                for piece in wrap(line, usize::from(width)) {
                    writeln!(out, "{piece}")?;
                }
            }
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn a_line_wraps_at_spaces_within_the_width() {
        let pieces = wrap(
            "19 rules, 7 resources: 2 passed, 9 failed, 0 suppressed",
            24,
        );
        assert_eq!(
            pieces,
            [
                "19 rules, 7 resources: 2",
                "  passed, 9 failed, 0",
                "  suppressed"
            ]
        );
        assert!(pieces.iter().all(|p| p.chars().count() <= 24));
        assert_eq!(wrap("short", 24), ["short"]);
        // A word longer than the width stands alone rather than being cut.
        assert_eq!(
            wrap("a arn:aws:elasticloadbalancing:x b", 10),
            ["a", "  arn:aws:elasticloadbalancing:x", "  b"]
        );
    }
}
