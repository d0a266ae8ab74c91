//! Findings: the verdict of one policy on one resource, pass or fail, with the evidence
//! that decided it. Reporters and the planner read findings; they never re-run policies.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that names no severity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a severity (critical, high, medium, low, info)")]
pub struct NotASeverity(String);

impl FromStr for Severity {
    type Err = NotASeverity;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| NotASeverity(text.to_owned()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// The verdict waits for an input nobody gave (a template's parameter, an import): not
    /// a pass, not a failure.
    Unknown,
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    /// CloudFormation-style type, e.g. `AWS::EC2::Instance`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The id a person would use: instance id, group name, DB identifier, ….
    pub id: String,
    /// The ARN where the resource has one (else a synthesised `arn:aws:…` path).
    pub arn: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub status: Status,
    pub resource: ResourceRef,
    /// A full sentence naming the resource and the reason.
    pub message: String,
    /// The values that decided the verdict.
    pub evidence: BTreeMap<String, serde_json::Value>,
    /// The application the resource belongs to (the first, when several share it); none
    /// for account-wide findings on resources of no application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// The account of the resource, in a run over several accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Where the resource is declared, for a template's: the property that decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// For an `unknown` verdict: the inputs it waits for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown_inputs: Vec<String>,
}

/// A line of a template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub logical_id: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Finding {
    pub fn failed(&self) -> bool {
        self.status == Status::Fail
    }

    /// Orders findings for output: rule, then resource.
    pub fn sort_key(&self) -> (&str, &ResourceRef) {
        (&self.rule_id, &self.resource)
    }
}
