//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//!
//! A cloud resource has no source file, so each result's physical location is **the policy
//! file that raised it** (`policies/HA001.rhai`, line 1): GitHub requires a file URI, and the
//! policy is where a reader learns what was checked and why. The resource itself is the
//! result's logical location (`name` = resource id, `fullyQualifiedName` = ARN, `kind` =
//! CloudFormation type) and is named in the message. `partialFingerprints` hash the rule id
//! and the ARN, so the same problem on the same resource stays one alert across runs.
//!
//! Only failing results are written (suppressed ones with a `suppressions` entry); collector
//! warnings and policy errors become tool-execution notifications, and
//! `executionSuccessful` is false when there are any.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_sarif::sarif;
use sha2::{Digest, Sha256};

use super::ScanReport;
use crate::finding::{Finding, Severity};
use crate::policy::frameworks;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/hacheck/hacheck";
/// Key of the fingerprint in `partialFingerprints`; bump the suffix if the recipe changes.
pub const FINGERPRINT_KEY: &str = "hacheckResource/v1";

fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

/// GitHub's `security-severity`: a CVSS-like score as a string.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Stable across runs: the rule and the resource's ARN (and, in a run over several
/// accounts, the account: some ARNs, such as Route 53's, name none), nothing that changes.
/// A template's resource: the rule, the file and the logical id (lines move in a diff).
pub fn fingerprint(finding: &Finding) -> String {
    if let Some(location) = &finding.location {
        let digest = Sha256::digest(format!(
            "{}\n{}\n{}",
            finding.rule_id, location.file, location.logical_id
        ));
        return digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    }
    let digest = match &finding.account {
        None => Sha256::digest(format!("{}\n{}", finding.rule_id, finding.resource.arn)),
        Some(account) => Sha256::digest(format!(
            "{}\n{}\n{account}",
            finding.rule_id, finding.resource.arn
        )),
    };
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A reference to framework control `id` (`SH:RDS.5`) in the run's taxonomies.
fn control_reference(id: &str) -> sarif::ReportingDescriptorReference {
    let framework = frameworks::framework_of(id).map_or("", |f| f.name);
    sarif::ReportingDescriptorReference::builder()
        .id(id.to_owned())
        .tool_component(
            sarif::ToolComponentReference::builder()
                .name(framework.to_owned())
                .build(),
        )
        .build()
}

/// One taxonomy per framework the run's rules answer: its controls that they name.
fn taxonomies(report: &ScanReport) -> Vec<sarif::ToolComponent> {
    frameworks::FRAMEWORKS
        .iter()
        .filter_map(|framework| {
            let mut ids: Vec<&str> = report
                .rules
                .iter()
                .flat_map(|r| r.meta.frameworks.iter().map(String::as_str))
                .filter(|id| frameworks::framework_of(id) == Some(framework))
                .collect();
            ids.sort();
            ids.dedup();
            (!ids.is_empty()).then(|| {
                sarif::ToolComponent::builder()
                    .name(framework.name.to_owned())
                    .information_uri(framework.information_uri.to_owned())
                    .taxa(
                        ids.iter()
                            .map(|id| {
                                sarif::ReportingDescriptor::builder()
                                    .id((*id).to_owned())
                                    .short_description(text(
                                        frameworks::title(id).unwrap_or_default(),
                                    ))
                                    .build()
                            })
                            .collect::<Vec<_>>(),
                    )
                    .build()
            })
        })
        .collect()
}

/// A file's path as SARIF's `artifactLocation.uri`: a relative reference as given (what code
/// scanning resolves against the repository), an absolute path as a `file:` URI (a relative
/// reference may not begin with `/`), each byte outside a path's plain characters
/// percent-encoded (spaces, `%`, a `:` that would read as a scheme).
fn artifact_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

fn text(value: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(value.to_owned())
        .build()
}

fn notification(level: &str, message: String) -> sarif::Notification {
    sarif::Notification::builder()
        .level(serde_json::Value::from(level))
        .message(sarif::Message::builder().text(message).build())
        .build()
}

pub fn to_sarif(report: &ScanReport) -> sarif::Sarif {
    let rules: Vec<sarif::ReportingDescriptor> = report
        .rules
        .iter()
        .map(|rule| {
            let meta = &rule.meta;
            let mut properties = BTreeMap::new();
            properties.insert(
                "security-severity".to_owned(),
                serde_json::Value::from(security_severity(meta.severity)),
            );
            properties.insert(
                "problem.severity".to_owned(),
                serde_json::Value::from(meta.severity.as_str()),
            );
            let mut tags = vec!["security".to_owned(), "reliability".to_owned()];
            tags.extend(meta.tags.iter().cloned());
            tags.extend(meta.frameworks.iter().cloned());
            sarif::ReportingDescriptor::builder()
                .id(meta.id.clone())
                .name(meta.name.clone())
                .short_description(text(&meta.title))
                .full_description(text(&meta.rationale))
                .help(
                    sarif::MultiformatMessageString::builder()
                        .text(rule.docs.clone())
                        .markdown(format!(
                            "{}\n\nReferences:\n{}",
                            rule.docs,
                            meta.references
                                .iter()
                                .map(|r| format!("- <{r}>"))
                                .collect::<Vec<_>>()
                                .join("\n")
                        ))
                        .build(),
                )
                .help_uri(meta.references[0].clone())
                .relationships(
                    meta.frameworks
                        .iter()
                        .map(|id| {
                            sarif::ReportingDescriptorRelationship::builder()
                                .target(control_reference(id))
                                .kinds(vec!["relevant".to_owned()])
                                .build()
                        })
                        .collect::<Vec<_>>(),
                )
                .properties(
                    sarif::PropertyBag::builder()
                        .tags(tags)
                        .additional_properties(properties)
                        .build(),
                )
                .build()
        })
        .collect();
    let rule_index: BTreeMap<&str, i64> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta.id.as_str(), i as i64))
        .collect();

    let results: Vec<sarif::Result> = report
        .results
        .iter()
        .filter(|r| r.finding.failed() || r.finding.status == crate::finding::Status::Unknown)
        .map(|result| {
            let finding = &result.finding;
            // A template's resource: the line of the deciding property. A deployed one: the
            // policy that raised it.
            let (uri, region) = match &finding.location {
                Some(location) => (
                    location.file.clone(),
                    sarif::Region::builder()
                        .start_line(i64::from(location.line))
                        .start_column(i64::from(location.column))
                        .build(),
                ),
                None => (
                    report
                        .rule(&finding.rule_id)
                        .map(|r| r.origin.clone())
                        .unwrap_or_default(),
                    sarif::Region::builder().start_line(1).build(),
                ),
            };
            let location = sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(
                            sarif::ArtifactLocation::builder()
                                .uri(artifact_uri(&uri))
                                .build(),
                        )
                        .region(region)
                        .build(),
                )
                .logical_locations(vec![
                    sarif::LogicalLocation::builder()
                        .name(finding.resource.id.clone())
                        .fully_qualified_name(finding.resource.arn.clone())
                        .kind(finding.resource.resource_type.clone())
                        .build(),
                ])
                .message(
                    sarif::Message::builder()
                        .text(format!(
                            "{} in {}",
                            finding.resource.arn, finding.resource.region
                        ))
                        .build(),
                )
                .build();
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert(FINGERPRINT_KEY.to_owned(), fingerprint(finding));
            let mut builder_properties = BTreeMap::new();
            builder_properties.insert(
                "evidence".to_owned(),
                serde_json::to_value(&finding.evidence).expect("evidence is JSON"),
            );
            if let Some(application) = &finding.application {
                builder_properties.insert(
                    "application".to_owned(),
                    serde_json::Value::from(application.as_str()),
                );
            }
            if let Some(account) = &finding.account {
                builder_properties.insert(
                    "account".to_owned(),
                    serde_json::Value::from(account.as_str()),
                );
            }
            if !finding.unknown_inputs.is_empty() {
                builder_properties.insert(
                    "unknownInputs".to_owned(),
                    serde_json::Value::from(finding.unknown_inputs.clone()),
                );
            }
            // An unknown verdict is an open question, not a failure: SARIF's `open` kind,
            // which takes level `none`.
            let (kind, level) = if finding.status == crate::finding::Status::Unknown {
                (sarif::ResultKind::Open, sarif::ResultLevel::None)
            } else {
                (sarif::ResultKind::Fail, level(finding.severity))
            };
            let taxa: Vec<sarif::ReportingDescriptorReference> = report
                .rule(&finding.rule_id)
                .map(|r| {
                    r.meta
                        .frameworks
                        .iter()
                        .map(|id| control_reference(id))
                        .collect()
                })
                .unwrap_or_default();
            let sarif_result = sarif::Result::builder()
                .taxa(taxa)
                .rule_id(finding.rule_id.clone())
                .rule_index(
                    rule_index
                        .get(finding.rule_id.as_str())
                        .copied()
                        .unwrap_or(-1),
                )
                .kind(kind)
                .level(level)
                .message(
                    sarif::Message::builder()
                        .text(finding.message.clone())
                        .build(),
                )
                .locations(vec![location])
                .partial_fingerprints(fingerprints)
                .properties(
                    sarif::PropertyBag::builder()
                        .additional_properties(builder_properties)
                        .build(),
                );
            match &result.suppression {
                Some(suppression) => sarif_result
                    .suppressions(vec![
                        sarif::Suppression::builder()
                            .kind(serde_json::Value::from("external"))
                            .status(serde_json::Value::from("accepted"))
                            .justification(format!(
                                "{} (expires {})",
                                suppression.reason, suppression.expires
                            ))
                            .build(),
                    ])
                    .build(),
                None => sarif_result.build(),
            }
        })
        .collect();

    let mut notifications: Vec<sarif::Notification> = report
        .warnings
        .iter()
        .map(|w| notification("warning", w.to_string()))
        .collect();
    notifications.extend(
        report
            .suppression_notes
            .iter()
            .map(|n| notification("warning", n.clone())),
    );
    notifications.extend(
        report
            .policy_errors
            .iter()
            .map(|e| notification("error", e.clone())),
    );
    notifications.extend(
        report
            .missing_accounts()
            .map(|missing| notification("error", missing)),
    );
    let complete = report.warnings.is_empty()
        && report.policy_errors.is_empty()
        && !report.accounts.iter().any(|a| a.failed());
    let invocation = sarif::Invocation::builder()
        .execution_successful(complete)
        .tool_execution_notifications(notifications)
        .build();

    let driver = sarif::ToolComponent::builder()
        .name("hacheck".to_owned())
        .full_name(format!("hacheck {}", report.tool_version))
        .version(report.tool_version.clone())
        .semantic_version(report.tool_version.clone())
        .information_uri(INFORMATION_URI.to_owned())
        .rules(rules)
        .build();
    let taxonomies = taxonomies(report);
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .taxonomies(taxonomies)
        .invocations(vec![invocation])
        .results(results)
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(format!("hacheck/{}/", report.account_id))
                .build(),
        )
        .build();
    sarif::Sarif::builder()
        .schema(SCHEMA_URI.to_owned())
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

pub fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_sarif(report))?;
    writeln!(out)
}

/// Joins SARIF logs of hacheck (the shards of an organisation) into one run: rules by id,
/// results deduplicated by rule and fingerprint (the first kept), one invocation that
/// succeeded only if all did, with every notification once. A log that is not SARIF 2.1.0
/// is refused with the reason.
pub fn merge(logs: Vec<serde_json::Value>) -> Result<serde_json::Value, super::ReadError> {
    use serde_json::{Value, json};
    let mut rules: Vec<Value> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut notifications: Vec<Value> = Vec::new();
    let mut successful = true;
    let mut driver = None;
    for (n, log) in logs.into_iter().enumerate() {
        if log["version"] != "2.1.0" {
            return Err(super::ReadError::NotSarif { log: n + 1 });
        }
        for run in log["runs"]
            .as_array()
            .ok_or(super::ReadError::NoRuns { log: n + 1 })?
        {
            let run_rules = run["tool"]["driver"]["rules"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if driver.is_none() {
                driver = Some(run["tool"]["driver"].clone());
            }
            for rule in &run_rules {
                if !rules.iter().any(|r| r["id"] == rule["id"]) {
                    rules.push(rule.clone());
                }
            }
            for result in run["results"].as_array().cloned().unwrap_or_default() {
                let key = (
                    result["ruleId"].to_string(),
                    result["partialFingerprints"].to_string(),
                    result["locations"].to_string(),
                );
                if seen.insert(key) {
                    results.push(result);
                }
            }
            for invocation in run["invocations"].as_array().cloned().unwrap_or_default() {
                successful &= invocation["executionSuccessful"] != false;
                for notification in invocation["toolExecutionNotifications"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                {
                    if !notifications.contains(&notification) {
                        notifications.push(notification);
                    }
                }
            }
        }
    }
    for result in &mut results {
        let index = rules
            .iter()
            .position(|r| r["id"] == result["ruleId"])
            .map_or(-1, |i| i as i64);
        result["ruleIndex"] = json!(index);
    }
    let mut driver = driver.ok_or(super::ReadError::NoRun)?;
    driver["rules"] = Value::Array(rules);
    Ok(json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{ "executionSuccessful": successful, "toolExecutionNotifications": notifications }],
            "results": results,
            "automationDetails": { "id": "hacheck/merged/" }
        }]
    }))
}

/// The exit status of a SARIF log as `scan` would give it: 2 when an invocation failed, 1
/// with an unsuppressed failing result whose rule is at or above `fail_on`, else 0.
pub fn exit_status(log: &serde_json::Value, fail_on: Severity) -> u8 {
    let run = &log["runs"][0];
    if run["invocations"]
        .as_array()
        .is_some_and(|i| i.iter().any(|i| i["executionSuccessful"] == false))
    {
        return 2;
    }
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let severity_of = |id: &serde_json::Value| -> Severity {
        rules
            .iter()
            .find(|r| &r["id"] == id)
            .and_then(|r| r["properties"]["problem.severity"].as_str())
            .and_then(|s| s.parse().ok())
            .unwrap_or(Severity::Critical)
    };
    let failing = run["results"].as_array().is_some_and(|results| {
        results.iter().any(|r| {
            r["kind"] != "open"
                && r["suppressions"].as_array().is_none_or(|s| s.is_empty())
                && severity_of(&r["ruleId"]) >= fail_on
        })
    });
    u8::from(failing)
}

#[cfg(test)]
mod tests {
    use super::artifact_uri;

    #[test]
    fn paths_become_uris_code_scanning_and_the_sarif_rules_accept() {
        assert_eq!(
            artifact_uri("templates/ha-web.yaml"),
            "templates/ha-web.yaml"
        );
        assert_eq!(
            artifact_uri("/tmp/t34/ha-web.yaml"),
            "file:///tmp/t34/ha-web.yaml"
        );
        assert_eq!(
            artifact_uri("my stacks/100%.yaml"),
            "my%20stacks/100%25.yaml"
        );
        assert_eq!(artifact_uri("c:web.yaml"), "c%3Aweb.yaml");
        assert_eq!(
            artifact_uri("politiques/réseau.yaml"),
            "politiques/r%C3%A9seau.yaml"
        );
    }
}
