//! A short Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`, with a
//! Mermaid diagram of each application (GitHub renders them) when the report carries them.

use std::io::{self, Write};

use super::ScanReport;

/// Failing results shown per rule before the rest is summarised as a count.
const RESULTS_PER_RULE: usize = 10;
/// Applications drawn before the rest is left to `hacheck graph` (GitHub caps a job summary
/// at 1 MiB).
const DIAGRAMS: usize = 10;

fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// In a run over several accounts: one row per account, scanned or not and why.
fn write_accounts(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    if report.accounts.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "| Account | Status | Failed | Passed |\n| --- | --- | --- | --- |"
    )?;
    for account in &report.accounts {
        let of = |status: crate::finding::Status| {
            report
                .results
                .iter()
                .filter(|r| r.finding.account.as_deref() == Some(account.account_id.as_str()))
                .filter(|r| {
                    r.finding.status == status
                        && (status != crate::finding::Status::Fail || r.is_open_failure())
                })
                .count()
        };
        let status = match &account.reason {
            Some(reason) if account.failed() => format!("⛔ not scanned: {}", escape(reason)),
            _ => "scanned".to_owned(),
        };
        writeln!(
            out,
            "| `{}` | {status} | {} | {} |",
            escape(&account.label()),
            of(crate::finding::Status::Fail),
            of(crate::finding::Status::Pass)
        )?;
    }
    writeln!(out)
}

pub fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let verdict = if s.failed == 0 && s.errors == 0 {
        "✅ no open failures"
    } else {
        "❌ open failures"
    };
    writeln!(out, "## hacheck: {verdict}\n")?;
    // A run over several accounts names them in its table of accounts, not here.
    let accounts = match report.accounts.len() {
        0 | 1 => format!("Account `{}`", report.account_id),
        n => format!("{n} accounts"),
    };
    writeln!(
        out,
        "{accounts}, regions {}: {} over {}; **{} failed**, {} passed, {} suppressed, {}.\n",
        report
            .regions
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", "),
        crate::whatif::plural(s.rules, "rule", "rules"),
        crate::whatif::plural(s.resources, "resource", "resources"),
        s.failed,
        s.passed,
        s.suppressed,
        crate::whatif::plural(s.warnings, "warning", "warnings")
    )?;
    if s.unknown > 0 {
        writeln!(
            out,
            "{} verdicts wait for inputs nobody gave (a template's parameters or imports, what only deploy tells).\n",
            s.unknown
        )?;
    }
    if s.out_of_scope > 0 {
        writeln!(
            out,
            "{} in no application {} not judged (`hacheck apps` lists them and why).\n",
            crate::whatif::plural(s.out_of_scope, "resource", "resources"),
            if s.out_of_scope == 1 { "was" } else { "were" }
        )?;
    }
    write_accounts(report, out)?;
    let mut failing_rules: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.is_open_failure())
        .map(|r| r.finding.rule_id.as_str())
        .collect();
    failing_rules.dedup();
    if !failing_rules.is_empty() {
        let several = report.accounts.len() > 1;
        if several {
            writeln!(
                out,
                "| Rule | Severity | Account | Application | Resource | Finding |\n| --- | --- | --- | --- | --- | --- |"
            )?;
        } else {
            writeln!(
                out,
                "| Rule | Severity | Application | Resource | Finding |\n| --- | --- | --- | --- | --- |"
            )?;
        }
        let labels: std::collections::BTreeMap<&str, String> = report
            .accounts
            .iter()
            .map(|a| (a.account_id.as_str(), a.label()))
            .collect();
        for rule_id in failing_rules {
            let rows: Vec<_> = report
                .results
                .iter()
                .filter(|r| r.finding.rule_id == rule_id && r.is_open_failure())
                .collect();
            for result in rows.iter().take(RESULTS_PER_RULE) {
                let f = &result.finding;
                // A template's resource: where it is declared.
                let place = f
                    .location
                    .as_ref()
                    .map(|l| format!(" ({}:{})", l.file, l.line))
                    .unwrap_or_default();
                let account = match (several, f.account.as_deref()) {
                    (true, Some(id)) => {
                        let label = labels.get(id).cloned().unwrap_or_else(|| id.to_owned());
                        format!("`{}` | ", escape(&label))
                    }
                    (true, None) => " | ".to_owned(),
                    (false, _) => String::new(),
                };
                writeln!(
                    out,
                    "| {} | {} | {account}{} | `{}`{} | {} |",
                    f.rule_id,
                    f.severity,
                    escape(f.application.as_deref().unwrap_or("(account-wide)")),
                    escape(&f.resource.id),
                    escape(&place),
                    escape(&f.message)
                )?;
            }
            if rows.len() > RESULTS_PER_RULE {
                writeln!(
                    out,
                    "| {rule_id} | | | {}| … and {} more |",
                    if several { "| " } else { "" },
                    rows.len() - RESULTS_PER_RULE
                )?;
            }
        }
        writeln!(out)?;
    }
    for diagram in report.diagrams.iter().take(DIAGRAMS) {
        writeln!(out, "### Application `{}`\n", escape(&diagram.application))?;
        writeln!(
            out,
            "```mermaid\n{}```\n",
            crate::diagram::mermaid::render(std::slice::from_ref(diagram), None)
        )?;
    }
    if report.diagrams.len() > DIAGRAMS {
        writeln!(
            out,
            "{} more applications are not drawn here: `hacheck graph` draws them all.\n",
            report.diagrams.len() - DIAGRAMS
        )?;
    }
    for warning in &report.warnings {
        writeln!(
            out,
            "> ⚠️ {} in {}: {} failed ({})",
            warning.service, warning.region, warning.operation, warning.code
        )?;
    }
    for note in &report.suppression_notes {
        writeln!(out, "> ⚠️ {}", escape(note))?;
    }
    for error in &report.policy_errors {
        writeln!(out, "> ⛔ {}", escape(error))?;
    }
    Ok(())
}
