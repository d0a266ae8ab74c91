//! The JSON report: every result (pass and fail), rule metadata, inventory summary,
//! warnings and errors. Its schema is `docs/json-output.schema.json`; bump
//! [`FORMAT_VERSION`] when a field changes meaning or disappears.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{AppSummary, RuleInfo, ScanReport, ScanResult, Summary};
use crate::apps::{OutOfScope, Scope};
use crate::inventory::CollectorWarning;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    tool: Tool<'a>,
    account_id: &'a str,
    regions: &'a [String],
    collected_at: &'a str,
    summary: Summary,
    resource_counts: BTreeMap<&'static str, usize>,
    scope: Scope,
    applications: &'a [AppSummary],
    out_of_scope: &'a [OutOfScope],
    rules: &'a [RuleInfo],
    results: &'a [ScanResult],
    warnings: &'a [CollectorWarning],
    suppression_notes: &'a [String],
    policy_errors: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    accounts: &'a [super::AccountOutcome],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

pub fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "hacheck",
            version: &report.tool_version,
        },
        account_id: &report.account_id,
        regions: &report.regions,
        collected_at: &report.collected_at,
        summary: report.summary(),
        resource_counts: report.resource_counts.iter().copied().collect(),
        scope: report.scope,
        applications: &report.applications,
        out_of_scope: &report.out_of_scope,
        rules: &report.rules,
        results: &report.results,
        warnings: &report.warnings,
        suppression_notes: &report.suppression_notes,
        policy_errors: &report.policy_errors,
        accounts: &report.accounts,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
