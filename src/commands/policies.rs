//! `hacheck policies list` and `hacheck policies test`.

use crate::cases;
use crate::cli::PoliciesCommand;

pub fn run(command: &PoliciesCommand) -> anyhow::Result<u8> {
    match command {
        PoliciesCommand::List(options) => {
            let (_, set) = super::load_every_policy(options)?;
            // Aligned columns under a header: read by people, cut by `awk` alike.
            let rows: Vec<[String; 5]> = set
                .policies
                .iter()
                .map(|policy| {
                    [
                        policy.meta.id.clone(),
                        policy.meta.severity.to_string(),
                        if policy.meta.remediation.is_some() {
                            "yes"
                        } else {
                            "no"
                        }
                        .to_owned(),
                        policy.meta.tags.join(","),
                        policy.meta.title.clone(),
                    ]
                })
                .collect();
            let header = ["ID", "SEVERITY", "FIX", "TAGS", "TITLE"].map(str::to_owned);
            let widths: Vec<usize> = (0..4)
                .map(|column| {
                    std::iter::once(&header)
                        .chain(&rows)
                        .map(|row| row[column].chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let mut out = String::new();
            for row in std::iter::once(&header).chain(&rows) {
                for (column, width) in widths.iter().enumerate() {
                    out.push_str(&format!("{:<width$}  ", row[column]));
                }
                out.push_str(&row[4]);
                out.push('\n');
            }
            super::emit(&out, None)?;
            Ok(super::EXIT_CLEAN)
        }
        PoliciesCommand::Test(options) => {
            let (_, set) = super::load_every_policy(options)?;
            let results = cases::run_all(&set)?;
            let mut out = String::new();
            let mut failed = 0;
            for result in &results {
                match &result.problem {
                    None => out.push_str(&format!("ok    {} {}\n", result.policy, result.name)),
                    Some(problem) => {
                        failed += 1;
                        out.push_str(&format!(
                            "FAIL  {} {}: {problem}\n",
                            result.policy, result.name
                        ));
                    }
                }
            }
            out.push_str(&format!(
                "{} cases: {} passed, {failed} failed\n",
                results.len(),
                results.len() - failed
            ));
            super::emit(&out, None)?;
            Ok(if failed == 0 {
                super::EXIT_CLEAN
            } else {
                super::EXIT_FINDINGS
            })
        }
    }
}
