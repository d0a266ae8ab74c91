//! Suppressions: a TOML file of accepted risks, each with a reason and an expiry date.
//!
//! ```toml
//! [[suppress]]
//! rule = "HA010"                # rule id
//! resource = "sg-0legacy*"      # resource id or ARN; `*` and `?` globs
//! reason = "legacy VPN appliance, replaced in Q1"
//! expires = 2027-03-31
//! ```
//!
//! An expired entry stops suppressing and is reported; so is an entry that matched nothing,
//! so that the file stays clean.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::finding::Finding;
use crate::report::{ScanResult, Suppression};

#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    #[error("cannot read suppressions `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("suppressions `{path}` are invalid: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    suppress: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    resource: String,
    reason: String,
    expires: toml::value::Datetime,
}

#[derive(Debug)]
pub struct Suppressions {
    entries: Vec<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    rule: String,
    resource: String,
    matcher: GlobMatcher,
    reason: String,
    expires: NaiveDate,
}

impl Suppressions {
    pub fn none() -> Self {
        Suppressions {
            entries: Vec::new(),
        }
    }

    /// Reads a suppressions file whose rules must all satisfy `is_rule` (a typo would
    /// otherwise suppress nothing, silently).
    pub fn load(path: &Path, is_rule: impl Fn(&str) -> bool) -> Result<Self, SuppressError> {
        let text = std::fs::read_to_string(path).map_err(|source| SuppressError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path, is_rule)
    }

    pub fn parse(
        text: &str,
        path: &Path,
        is_rule: impl Fn(&str) -> bool,
    ) -> Result<Self, SuppressError> {
        let invalid = |message: String| SuppressError::Invalid {
            path: path.to_owned(),
            message,
        };
        let file: File =
            toml::from_str(text).map_err(|e| invalid(crate::config::toml_error_line(&e)))?;
        let mut entries = Vec::new();
        for (index, entry) in file.suppress.into_iter().enumerate() {
            let position = index + 1;
            if !is_rule(&entry.rule) {
                return Err(invalid(format!(
                    "entry {position} names rule `{}`, which no loaded policy has",
                    entry.rule
                )));
            }
            if entry.reason.trim().is_empty() {
                return Err(invalid(format!(
                    "entry {position} (`{}`) has an empty reason",
                    entry.rule
                )));
            }
            let expires = entry
                .expires
                .date
                .and_then(|d| {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                })
                .ok_or_else(|| {
                    invalid(format!(
                        "entry {position} (`{}`) needs a date in `expires`",
                        entry.rule
                    ))
                })?;
            let matcher = Glob::new(&entry.resource)
                .map_err(|e| {
                    invalid(format!(
                        "entry {position}: resource pattern `{}`: {e}",
                        entry.resource
                    ))
                })?
                .compile_matcher();
            entries.push(Loaded {
                rule: entry.rule,
                resource: entry.resource,
                matcher,
                reason: entry.reason,
                expires,
            });
        }
        Ok(Suppressions { entries })
    }

    fn matches(entry: &Loaded, finding: &Finding) -> bool {
        entry.rule == finding.rule_id
            && (entry.matcher.is_match(&finding.resource.id)
                || entry.matcher.is_match(&finding.resource.arn))
    }

    /// Attaches suppressions to failing findings as of `today`; returns the results and
    /// notes on expired and unused entries (an entry of a rule that did not run, per `ran`,
    /// is not unused: it waits for a run that selects its rule).
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        today: NaiveDate,
        ran: impl Fn(&str) -> bool,
    ) -> (Vec<ScanResult>, Vec<String>) {
        let mut used = vec![false; self.entries.len()];
        let mut expired_hits = vec![false; self.entries.len()];
        let results = findings
            .into_iter()
            .map(|finding| {
                let mut suppression = None;
                if finding.failed() {
                    for (index, entry) in self.entries.iter().enumerate() {
                        if !Self::matches(entry, &finding) {
                            continue;
                        }
                        if entry.expires < today {
                            expired_hits[index] = true;
                            continue;
                        }
                        used[index] = true;
                        suppression = Some(Suppression {
                            reason: entry.reason.clone(),
                            expires: entry.expires.to_string(),
                        });
                        break;
                    }
                }
                ScanResult {
                    finding,
                    suppression,
                }
            })
            .collect();
        let mut notes = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            let label = format!(
                "suppression {} (`{}` on `{}`)",
                index + 1,
                entry.rule,
                entry.resource
            );
            if entry.expires < today {
                let effect = if expired_hits[index] {
                    "its findings are reported again"
                } else {
                    "it matched nothing anyway"
                };
                notes.push(format!("{label} expired on {}: {effect}", entry.expires));
            } else if !used[index] && ran(&entry.rule) {
                notes.push(format!("{label} matched no failing finding: remove it"));
            }
        }
        (results, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ResourceRef, Severity, Status};

    fn finding(rule: &str, id: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            severity: Severity::High,
            status: Status::Fail,
            resource: ResourceRef {
                resource_type: "AWS::EC2::SecurityGroup".into(),
                id: id.into(),
                arn: format!("arn:aws:ec2:r:1:security-group/{id}"),
                region: "r".into(),
            },
            message: format!("{id} is bad."),
            evidence: Default::default(),
            application: None,
            account: None,
            location: None,
            unknown_inputs: Vec::new(),
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    const FILE: &str = r#"
[[suppress]]
rule = "HA010"
resource = "sg-legacy*"
reason = "vpn appliance"
expires = 2027-01-31

[[suppress]]
rule = "HA009"
resource = "sg-nothing"
reason = "stale"
expires = 2027-01-31
"#;

    #[test]
    fn a_live_entry_suppresses_and_an_unused_one_is_reported() {
        let suppressions = Suppressions::parse(FILE, Path::new("s.toml"), |_| true).unwrap();
        let findings = || vec![finding("HA010", "sg-legacy1"), finding("HA010", "sg-other")];
        let (results, notes) = suppressions.apply(findings(), day("2027-01-31"), |_| true);
        assert_eq!(
            results[0].suppression.as_ref().unwrap().reason,
            "vpn appliance"
        );
        assert!(results[1].suppression.is_none());
        assert_eq!(
            notes,
            ["suppression 2 (`HA009` on `sg-nothing`) matched no failing finding: remove it"]
        );
        // A run that left HA009 out says nothing of its entry.
        let (_, notes) = suppressions.apply(findings(), day("2027-01-31"), |id| id != "HA009");
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn an_expired_entry_stops_suppressing_and_says_so() {
        let suppressions = Suppressions::parse(FILE, Path::new("s.toml"), |_| true).unwrap();
        let (results, notes) = suppressions.apply(
            vec![finding("HA010", "sg-legacy1")],
            day("2027-02-01"),
            |_| true,
        );
        assert!(results[0].suppression.is_none());
        assert!(
            notes[0].contains("expired on 2027-01-31: its findings are reported again"),
            "{notes:?}"
        );
    }

    #[test]
    fn reason_and_expiry_are_required() {
        let missing = "[[suppress]]\nrule = \"HA010\"\nresource = \"x\"\nreason = \"r\"\n";
        let error = Suppressions::parse(missing, Path::new("s.toml"), |_| true)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("s.toml") && error.contains("expires"),
            "{error}"
        );
        let empty = "[[suppress]]\nrule = \"HA010\"\nresource = \"x\"\nreason = \" \"\nexpires = 2027-01-01\n";
        let error = Suppressions::parse(empty, Path::new("s.toml"), |_| true)
            .unwrap_err()
            .to_string();
        assert!(error.contains("empty reason"), "{error}");
    }
}
