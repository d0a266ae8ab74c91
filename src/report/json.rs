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

/// A JSON report as `read` takes it back (the fields `write` writes; `summary` is
/// recomputed from the results, never trusted).
#[derive(serde::Deserialize)]
struct ReadDocument {
    format_version: u32,
    tool: ReadTool,
    account_id: String,
    regions: Vec<String>,
    collected_at: String,
    resource_counts: BTreeMap<String, usize>,
    scope: Scope,
    applications: Vec<AppSummary>,
    out_of_scope: Vec<OutOfScope>,
    rules: Vec<serde_json::Value>,
    results: Vec<ScanResult>,
    warnings: Vec<CollectorWarning>,
    suppression_notes: Vec<String>,
    policy_errors: Vec<String>,
    #[serde(default)]
    accounts: Vec<super::AccountOutcome>,
}

#[derive(serde::Deserialize)]
struct ReadTool {
    version: String,
}

/// A report `write` wrote, read back (for `hacheck merge`); a message naming what is wrong.
pub fn read(text: &str) -> Result<ScanReport, super::ReadError> {
    let document: ReadDocument =
        serde_json::from_str(text).map_err(super::ReadError::NotAReport)?;
    if document.format_version != FORMAT_VERSION {
        return Err(super::ReadError::FormatVersion {
            found: document.format_version,
        });
    }
    let kinds = crate::inventory::Inventory::default().resource_counts();
    let resource_counts = document
        .resource_counts
        .into_iter()
        .map(|(name, count)| {
            kinds
                .iter()
                .find(|(kind, _)| *kind == name)
                .map(|(kind, _)| (*kind, count))
                .ok_or(super::ReadError::UnknownKind(name))
        })
        .collect::<Result<_, _>>()?;
    let rules = document
        .rules
        .into_iter()
        .map(|mut rule| {
            let mut take = |key: &str| {
                rule.as_object_mut()
                    .and_then(|o| o.remove(key))
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            let (origin, docs) = (take("origin"), take("docs"));
            let meta = serde_json::from_value(rule).map_err(super::ReadError::Rule)?;
            Ok(RuleInfo { meta, origin, docs })
        })
        .collect::<Result<_, super::ReadError>>()?;
    Ok(ScanReport {
        tool_version: document.tool.version,
        account_id: document.account_id,
        regions: document.regions,
        collected_at: document.collected_at,
        resource_counts,
        rules,
        results: document.results,
        warnings: document.warnings,
        policy_errors: document.policy_errors,
        suppression_notes: document.suppression_notes,
        scope: document.scope,
        applications: document.applications,
        out_of_scope: document.out_of_scope,
        diagrams: Vec::new(),
        accounts: document.accounts,
    })
}
