//! Reporters: render a finished scan as a table, JSON, SARIF or Markdown.
//!
//! A reporter takes a [`ScanReport`] and a writer and nothing else: it knows nothing of the
//! command line, of AWS or of how the findings were made.

pub mod apps;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod whatif;

use serde::Serialize;

use crate::apps::{AppModel, OutOfScope, Scope};
use crate::finding::{Finding, Severity};
use crate::inventory::{CollectorWarning, Inventory};
use crate::policy::{PolicyMeta, PolicySet};

/// One rule as reports describe it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    #[serde(flatten)]
    pub meta: PolicyMeta,
    /// The policy file: `policies/HA001.rhai` for built-ins.
    pub origin: String,
    pub docs: String,
}

/// A suppression that applied to a result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    pub reason: String,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanResult {
    #[serde(flatten)]
    pub finding: Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

impl ScanResult {
    /// Failing and not suppressed.
    pub fn is_open_failure(&self) -> bool {
        self.finding.failed() && self.suppression.is_none()
    }
}

/// Everything a reporter may show.
#[derive(Debug, Clone)]
pub struct ScanReport {
    pub tool_version: String,
    pub account_id: String,
    pub regions: Vec<String>,
    pub collected_at: String,
    pub resource_counts: Vec<(&'static str, usize)>,
    pub rules: Vec<RuleInfo>,
    pub results: Vec<ScanResult>,
    pub warnings: Vec<CollectorWarning>,
    /// Policies that failed to run (their results are missing).
    pub policy_errors: Vec<String>,
    /// Suppression entries that expired or matched nothing.
    pub suppression_notes: Vec<String>,
    pub scope: Scope,
    pub applications: Vec<AppSummary>,
    /// Workloads in no application: not judged by application rules.
    pub out_of_scope: Vec<OutOfScope>,
    /// Pictures of the applications with their failures, for reports that show them
    /// (Markdown); empty unless the caller drew them.
    pub diagrams: Vec<crate::diagram::Diagram>,
}

/// An application as reports name it.
#[derive(Debug, Clone, Serialize)]
pub struct AppSummary {
    pub name: String,
    pub origin: String,
    pub entry_points: Vec<String>,
    pub members: usize,
}

/// Counts for summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub rules: usize,
    pub resources: usize,
    pub passed: usize,
    pub failed: usize,
    pub suppressed: usize,
    pub warnings: usize,
    pub errors: usize,
    /// Workloads in no application, not judged.
    pub out_of_scope: usize,
}

impl ScanReport {
    pub fn new(
        inventory: &Inventory,
        model: &AppModel,
        policies: &PolicySet,
        results: Vec<ScanResult>,
    ) -> Self {
        ScanReport {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            account_id: inventory.account_id.clone(),
            regions: inventory.regions.clone(),
            collected_at: inventory.collected_at.clone(),
            resource_counts: inventory.resource_counts(),
            rules: policies
                .policies
                .iter()
                .map(|p| RuleInfo {
                    meta: p.meta.clone(),
                    origin: p.origin.clone(),
                    docs: p.docs.clone(),
                })
                .collect(),
            results,
            warnings: inventory.warnings.clone(),
            policy_errors: Vec::new(),
            suppression_notes: Vec::new(),
            scope: model.scope,
            applications: model
                .applications
                .iter()
                .map(|app| AppSummary {
                    name: app.name.clone(),
                    origin: app.origin.clone(),
                    entry_points: app.entry_points.clone(),
                    members: app.members.len(),
                })
                .collect(),
            out_of_scope: model.out_of_scope.clone(),
            diagrams: Vec::new(),
        }
    }

    pub fn summary(&self) -> Summary {
        let mut resources: Vec<&str> = self
            .results
            .iter()
            .map(|r| r.finding.resource.arn.as_str())
            .collect();
        resources.sort_unstable();
        resources.dedup();
        Summary {
            rules: self.rules.len(),
            resources: resources.len(),
            passed: self.results.iter().filter(|r| !r.finding.failed()).count(),
            failed: self.results.iter().filter(|r| r.is_open_failure()).count(),
            suppressed: self
                .results
                .iter()
                .filter(|r| r.finding.failed() && r.suppression.is_some())
                .count(),
            warnings: self.warnings.len() + self.suppression_notes.len(),
            errors: self.policy_errors.len(),
            out_of_scope: self.out_of_scope.len(),
        }
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.meta.id == id)
    }

    /// Open failures at or above `threshold`.
    pub fn failures_at_or_above(&self, threshold: Severity) -> usize {
        self.results
            .iter()
            .filter(|r| r.is_open_failure() && r.finding.severity >= threshold)
            .count()
    }
}
