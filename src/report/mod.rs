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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Suppression {
    pub reason: String,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
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
    /// Every account of a run over several accounts (empty for one).
    pub accounts: Vec<AccountOutcome>,
}

/// An application as reports name it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AppSummary {
    pub name: String,
    pub origin: String,
    pub entry_points: Vec<String>,
    pub members: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// One account of a run over several: scanned, or left out and why.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct AccountOutcome {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    pub status: AccountStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A report or log `hacheck merge` cannot read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a hacheck JSON report: {0}")]
    NotAReport(serde_json::Error),
    #[error(
        "report format_version {found} (this hacheck reads {})",
        json::FORMAT_VERSION
    )]
    FormatVersion { found: u32 },
    #[error("unknown resource kind `{0}`")]
    UnknownKind(String),
    #[error("a rule: {0}")]
    Rule(serde_json::Error),
    #[error("log {log} is not SARIF 2.1.0")]
    NotSarif { log: usize },
    #[error("log {log} has no `runs`")]
    NoRuns { log: usize },
    #[error("no run in the logs")]
    NoRun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Scanned,
    Failed,
}

impl AccountOutcome {
    pub fn failed(&self) -> bool {
        self.status == AccountStatus::Failed
    }

    /// `account 123456789012 (name) was not scanned: reason`, as every report says it.
    pub fn not_scanned(&self) -> String {
        format!(
            "account {} was not scanned: {}",
            self.label(),
            self.reason.as_deref().unwrap_or_default()
        )
    }

    /// `123456789012 (name)`, or the id alone.
    pub fn label(&self) -> String {
        match &self.account_name {
            Some(name) => format!("{} ({name})", self.account_id),
            None => self.account_id.clone(),
        }
    }
}

/// Counts for summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub rules: usize,
    pub resources: usize,
    pub passed: usize,
    pub failed: usize,
    /// Verdicts waiting for an input nobody gave (templates).
    #[serde(skip_serializing_if = "is_zero")]
    pub unknown: usize,
    pub suppressed: usize,
    pub warnings: usize,
    pub errors: usize,
    /// Workloads in no application, not judged.
    pub out_of_scope: usize,
    /// Accounts of the run that could not be scanned.
    #[serde(skip_serializing_if = "is_zero")]
    pub missing_accounts: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
                    account: None,
                })
                .collect(),
            out_of_scope: model.out_of_scope.clone(),
            diagrams: Vec::new(),
            accounts: Vec::new(),
        }
    }

    /// One report of the reports of several accounts — each result and application tagged
    /// with its account, counts added, warnings and errors naming the account — and of the
    /// accounts that could not be scanned (`failures`: id, name, reason).
    pub fn merge(
        policies: &PolicySet,
        scope: Scope,
        scanned: Vec<(crate::collect::accounts::Target, ScanReport)>,
        failures: Vec<crate::collect::accounts::AccountFailure>,
    ) -> ScanReport {
        let mut merged = ScanReport::new(
            &Inventory::default(),
            &AppModel::default(),
            policies,
            Vec::new(),
        );
        merged.scope = scope;
        for (target, report) in scanned {
            merged.add_account(&target, report);
        }
        merged
            .accounts
            .extend(failures.into_iter().map(|failure| AccountOutcome {
                account_id: failure.account_id,
                account_name: failure.account_name,
                status: AccountStatus::Failed,
                reason: Some(failure.reason),
            }));
        merged.finish_merge();
        merged
    }

    /// Several reports (the shards of one organisation, or of single accounts) as one:
    /// results deduplicated, every account listed once (scanned rather than failed when a
    /// shard could not read it and another could).
    pub fn join(reports: Vec<ScanReport>) -> Option<ScanReport> {
        let first = reports.first()?;
        let mut merged = ScanReport {
            results: Vec::new(),
            applications: Vec::new(),
            out_of_scope: Vec::new(),
            warnings: Vec::new(),
            policy_errors: Vec::new(),
            suppression_notes: Vec::new(),
            resource_counts: Vec::new(),
            regions: Vec::new(),
            accounts: Vec::new(),
            account_id: String::new(),
            collected_at: String::new(),
            diagrams: Vec::new(),
            ..first.clone()
        };
        for report in reports {
            // A report of one account names it only at the top; one of several, in each result.
            let single = report.accounts.is_empty();
            let target = crate::collect::accounts::Target {
                id: if single {
                    report.account_id.clone()
                } else {
                    String::new()
                },
                name: None,
            };
            let accounts = report.accounts.clone();
            merged.add_account(&target, report);
            merged.accounts.extend(accounts);
        }
        merged
            .accounts
            .sort_by(|a, b| (&a.account_id, a.status).cmp(&(&b.account_id, b.status)));
        merged
            .accounts
            .dedup_by(|later, kept| later.account_id == kept.account_id);
        merged.account_id = merged
            .accounts
            .iter()
            .filter(|a| !a.failed())
            .map(|a| a.account_id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        merged.finish_merge();
        merged.results.dedup_by(|later, kept| {
            later.finding.account == kept.finding.account
                && later.finding.sort_key() == kept.finding.sort_key()
        });
        Some(merged)
    }

    /// Adds one account's report (`target.id` empty: its results already name theirs).
    fn add_account(&mut self, target: &crate::collect::accounts::Target, report: ScanReport) {
        let account = &target.id;
        let tag = |name: &str| {
            if account.is_empty() {
                name.to_owned()
            } else {
                format!("account {account}: {name}")
            }
        };
        for region in report.regions {
            if !self.regions.contains(&region) {
                self.regions.push(region);
            }
        }
        self.collected_at = self.collected_at.clone().max(report.collected_at);
        for (kind, count) in report.resource_counts {
            match self.resource_counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, total)) => *total += count,
                None => self.resource_counts.push((kind, count)),
            }
        }
        let owner = (!account.is_empty()).then(|| account.clone());
        self.results
            .extend(report.results.into_iter().map(|mut result| {
                if owner.is_some() {
                    result.finding.account = owner.clone();
                }
                result
            }));
        self.warnings
            .extend(report.warnings.into_iter().map(|mut warning| {
                warning.message = tag(&warning.message);
                warning
            }));
        self.policy_errors
            .extend(report.policy_errors.iter().map(|error| tag(error)));
        for note in report.suppression_notes {
            if !self.suppression_notes.contains(&note) {
                self.suppression_notes.push(note);
            }
        }
        self.applications
            .extend(report.applications.into_iter().map(|mut app| {
                if owner.is_some() {
                    app.account = owner.clone();
                }
                app
            }));
        self.out_of_scope.extend(report.out_of_scope);
        if !account.is_empty() {
            if !self.account_id.is_empty() {
                self.account_id.push(',');
            }
            self.account_id.push_str(account);
            self.accounts.push(AccountOutcome {
                account_id: account.clone(),
                account_name: target.name.clone(),
                status: AccountStatus::Scanned,
                reason: None,
            });
        }
    }

    fn finish_merge(&mut self) {
        self.accounts
            .sort_by(|a, b| a.account_id.cmp(&b.account_id));
        self.results.sort_by(|a, b| {
            (&a.finding.account, a.finding.sort_key())
                .cmp(&(&b.finding.account, b.finding.sort_key()))
        });
    }

    /// What each account that could not be scanned says, for the reports.
    pub fn missing_accounts(&self) -> impl Iterator<Item = String> + '_ {
        self.accounts
            .iter()
            .filter(|a| a.failed())
            .map(AccountOutcome::not_scanned)
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
            passed: self
                .results
                .iter()
                .filter(|r| r.finding.status == crate::finding::Status::Pass)
                .count(),
            unknown: self
                .results
                .iter()
                .filter(|r| r.finding.status == crate::finding::Status::Unknown)
                .count(),
            failed: self.results.iter().filter(|r| r.is_open_failure()).count(),
            suppressed: self
                .results
                .iter()
                .filter(|r| r.finding.failed() && r.suppression.is_some())
                .count(),
            warnings: self.warnings.len() + self.suppression_notes.len(),
            errors: self.policy_errors.len(),
            out_of_scope: self.out_of_scope.len(),
            missing_accounts: self.accounts.iter().filter(|a| a.failed()).count(),
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
