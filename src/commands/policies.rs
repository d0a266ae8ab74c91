//! `hacheck policies list` and `hacheck policies test`.

use crate::cli::PoliciesCommand;
use crate::policy::cases;

pub fn run(command: &PoliciesCommand) -> anyhow::Result<u8> {
    match command {
        PoliciesCommand::List(options) => {
            let (_, set) = super::load_policies(options)?;
            let mut out = String::new();
            for policy in &set.policies {
                let fix = if policy.meta.remediation.is_some() {
                    "fix"
                } else {
                    "-"
                };
                out.push_str(&format!(
                    "{:<8} {:<9} {:<4} {}\n",
                    policy.meta.id, policy.meta.severity, fix, policy.meta.title
                ));
            }
            super::emit(&out, None)?;
            Ok(super::EXIT_CLEAN)
        }
        PoliciesCommand::Test(options) => {
            let (_, set) = super::load_policies(options)?;
            let results = cases::run_all(&set).map_err(anyhow::Error::msg)?;
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
