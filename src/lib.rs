//! hacheck: audits an AWS account against a high-availability reference architecture written
//! as Rhai policies, reports findings, and plans and applies fixes.
//!
//! Data flows one way: `collect` (or `snapshot`) → `inventory` → policies → findings →
//! reports. Only `collect` (and the executor) talk to AWS.

pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod finding;
pub mod inventory;
pub mod policy;
pub mod report;
pub mod snapshot;
pub mod suppress;
