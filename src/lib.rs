//! hacheck: audits an AWS account against a high-availability reference architecture written
//! as Rhai policies, reports findings, and plans and applies fixes.
//!
//! Data flows one way: `collect` (a live account), `snapshot`, `template` (CloudFormation)
//! or `terraform` (a plan, made into CloudFormation's terms for the same converter) →
//! `inventory` and its one index → `apps` (which resources make up each application;
//! `reach` and `whatif` over it) → `policy` (the Rhai rule pack) → `finding`s → `report`;
//! findings → `plan` (pure; the actions it may take are `change`'s, each with its edits of
//! code as data) → `execute` (the only code that changes AWS) or a writer of code
//! (`template::edit` for YAML, `terraform::edit` for HCL). `cases` runs a rule's test cases
//! through the rule and its remediation, above both. Only `collect` and `execute` talk to
//! AWS, so everything between tests offline.

/// The built-in rule pack and remediations, embedded by `build.rs`.
pub mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// Every field of every inventory type: (type, field, Rust type, documentation), read from
/// `src/inventory/` by `build.rs` (`hacheck fields`).
pub mod fields {
    include!(concat!(env!("OUT_DIR"), "/fields.rs"));
}

/// Counts heap bytes so that a script run can be held to a memory budget (see [`memory`]).
#[global_allocator]
static ALLOCATOR: memory::CountingAllocator = memory::CountingAllocator;

pub mod apps;
pub mod cases;
pub mod change;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod diagram;
pub mod execute;
pub mod finding;
pub mod inventory;
pub mod memory;
pub mod plan;
pub mod policy;
pub mod reach;
pub mod report;
pub mod snapshot;
pub mod suppress;
pub mod template;
pub mod terraform;
pub mod whatif;

/// Text on one line: runs of whitespace, newlines included, become one space. Errors print
/// on one line; AWS and Rhai messages often span several.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An error and its causes on one line, each cause once: `outer: cause: root cause`. A cause
/// whose text the line already holds (many errors repeat their source) is left out, and no
/// `Debug` form is ever printed. Every command's error goes through here.
pub fn error_line(error: &(dyn std::error::Error + 'static)) -> String {
    chain_line(std::iter::successors(Some(error), |e| e.source()).map(ToString::to_string))
}

/// [`error_line`] over the texts of a chain, outermost first.
pub fn chain_line(causes: impl IntoIterator<Item = String>) -> String {
    let mut line = String::new();
    for cause in causes {
        let cause = one_line(&cause);
        if cause.is_empty() || line.contains(&cause) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&cause);
    }
    line
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let line = super::chain_line([
            "cannot read snapshot `/x`: No such file or directory (os error 2)".to_owned(),
            "No such file or directory (os error 2)".to_owned(),
        ]);
        assert_eq!(
            line,
            "cannot read snapshot `/x`: No such file or directory (os error 2)"
        );
        let line = super::chain_line(["dispatch failure".to_owned(), "io error".to_owned()]);
        assert_eq!(line, "dispatch failure: io error");
    }
}
