//! Zone-loss outcomes ([`crate::whatif`]) as people and programs read them: a table per lost
//! zone, JSON, or Markdown for a job summary.
//!
//! Takes the outcomes and a writer; knows nothing of the command line.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use crate::whatif::{Impact, Outcome, Verdict};

/// Outcomes grouped by lost zone, in the order given.
fn by_zone(outcomes: &[Outcome]) -> Vec<(&str, Vec<&Outcome>)> {
    let mut zones: Vec<(&str, Vec<&Outcome>)> = Vec::new();
    for outcome in outcomes {
        match zones.last_mut() {
            Some((zone, list)) if *zone == outcome.lost_zone => list.push(outcome),
            _ => zones.push((&outcome.lost_zone, vec![outcome])),
        }
    }
    zones
}

fn verdict_text(outcome: &Outcome) -> String {
    if outcome.below_min && outcome.verdict != Verdict::Down {
        format!("{} (below min)", outcome.verdict.as_str())
    } else {
        outcome.verdict.as_str().to_owned()
    }
}

/// One line per outcome, then its reasons, the most serious first.
fn sorted_reasons(outcome: &Outcome) -> Vec<&crate::whatif::Reason> {
    let mut reasons: Vec<_> = outcome.reasons.iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.impact));
    reasons
}

pub fn write_table(outcomes: &[Outcome], width: u16, out: &mut dyn Write) -> io::Result<()> {
    for (zone, list) in by_zone(outcomes) {
        writeln!(out, "losing {zone}")?;
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(width)
            .force_no_tty()
            .set_header(vec!["application", "verdict", "area", "impact", "why"]);
        for outcome in list {
            let verdict = verdict_text(outcome);
            let reasons = sorted_reasons(outcome);
            if reasons.is_empty() {
                table.add_row(vec![
                    outcome.application.as_str(),
                    verdict.as_str(),
                    "",
                    "",
                    "Nothing of it runs in this zone.",
                ]);
            }
            for (position, reason) in reasons.into_iter().enumerate() {
                let (application, verdict) = if position == 0 {
                    (outcome.application.as_str(), verdict.as_str())
                } else {
                    ("", "")
                };
                table.add_row(vec![
                    application,
                    verdict,
                    reason.area.as_str(),
                    reason.impact.as_str(),
                    reason.message.as_str(),
                ]);
            }
        }
        writeln!(out, "{table}")?;
    }
    writeln!(out, "{}", summary_line(outcomes))
}

/// `2 zones × 1 application: 1 down, 0 degraded, 1 survives`.
fn summary_line(outcomes: &[Outcome]) -> String {
    let count = |verdict: Verdict| outcomes.iter().filter(|o| o.verdict == verdict).count();
    let zones = by_zone(outcomes).len();
    let apps = outcomes.len().checked_div(zones).unwrap_or(0);
    format!(
        "{zones} {} × {apps} {}: {} down, {} degraded, {} survive",
        if zones == 1 { "zone" } else { "zones" },
        if apps == 1 {
            "application"
        } else {
            "applications"
        },
        count(Verdict::Down),
        count(Verdict::Degraded),
        count(Verdict::Survives)
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    /// True when an application would be down or below its minimum capacity.
    failed: bool,
    zones: Vec<JsonZone<'a>>,
}

#[derive(Serialize)]
struct JsonZone<'a> {
    zone: &'a str,
    applications: Vec<&'a Outcome>,
}

pub fn write_json(outcomes: &[Outcome], out: &mut dyn Write) -> io::Result<()> {
    let report = JsonReport {
        failed: outcomes.iter().any(Outcome::is_failure),
        zones: by_zone(outcomes)
            .into_iter()
            .map(|(zone, applications)| JsonZone { zone, applications })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

fn icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Survives => "✅",
        Verdict::Degraded => "⚠️",
        Verdict::Down => "❌",
    }
}

pub fn write_markdown(outcomes: &[Outcome], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## hacheck whatif: {}\n", summary_line(outcomes))?;
    for (zone, list) in by_zone(outcomes) {
        writeln!(out, "### Losing `{zone}`\n")?;
        writeln!(out, "| Application | Verdict | Why |\n| --- | --- | --- |")?;
        for outcome in list {
            let reasons: Vec<String> = sorted_reasons(outcome)
                .into_iter()
                .filter(|r| r.impact != Impact::Ok || outcome.verdict == Verdict::Survives)
                .map(|r| {
                    format!(
                        "**{}** {}",
                        r.impact.as_str(),
                        r.message.replace('|', "\\|")
                    )
                })
                .collect();
            writeln!(
                out,
                "| {} | {} {} | {} |",
                outcome.application.replace('|', "\\|"),
                icon(outcome.verdict),
                verdict_text(outcome),
                if reasons.is_empty() {
                    "Nothing of it runs in this zone.".to_owned()
                } else {
                    reasons.join("<br>")
                }
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
