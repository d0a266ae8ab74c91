//! hacheck: audits an AWS account against a high-availability reference architecture written
//! as Rhai policies, reports findings, and plans and applies fixes.
//!
//! Data flows one way: `collect` (or `snapshot`) → `inventory` → policies → findings →
//! reports. Only `collect` (and the executor) talk to AWS.

/// The built-in rule pack and remediations, embedded by `build.rs`.
pub mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

pub mod apps;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod execute;
pub mod finding;
pub mod inventory;
pub mod plan;
pub mod policy;
pub mod report;
pub mod snapshot;
pub mod suppress;

/// Text on one line: runs of whitespace, newlines included, become one space. Errors print
/// on one line; AWS and Rhai messages often span several.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
