//! Terraform plans judged before they are applied: `--terraform-plan FILE`, the JSON of
//! `terraform show -json PLANFILE` (OpenTofu writes the same).
//!
//! The plan's resource instances (every module depth, `count` and `for_each` instance) are
//! read with their planned values ([`plan`]); values known only after apply are resolved
//! through the configuration's references to the resource they come from. They are then
//! written in CloudFormation's terms ([`translate`]) and made into the inventory by the one
//! converter templates use, so a plan and its CloudFormation twin are judged by the same
//! model, with the same honest unknowns.

pub mod plan;
mod translate;

use std::path::{Path, PathBuf};

use crate::inventory::Inventory;

/// What is wrong with a plan file, said on one line with the file.
#[derive(Debug, thiserror::Error)]
pub enum TerraformError {
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{}` is not JSON (line {line}, column {column}): give the output of `terraform show -json PLANFILE`", path.display())]
    NotJson {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("`{}`: {message}", path.display())]
    NotAPlan { path: PathBuf, message: String },
    #[error("`{}`: {message}", path.display())]
    Convert { path: PathBuf, message: String },
}

/// What to read.
#[derive(Debug, Clone)]
pub struct TerraformOptions {
    pub plan: PathBuf,
    pub region: String,
    pub account: String,
}

/// Reads a plan into an inventory.
pub fn load(options: &TerraformOptions) -> Result<Inventory, TerraformError> {
    let path = &options.plan;
    let text = std::fs::read_to_string(path).map_err(|source| TerraformError::Read {
        path: path.clone(),
        source,
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| TerraformError::NotJson {
            path: path.clone(),
            line: e.line(),
            column: e.column(),
        })?;
    let plan = plan::Plan::read(&json).map_err(|e| TerraformError::NotAPlan {
        path: path.clone(),
        message: e.0,
    })?;
    if !plan.complete {
        tracing::warn!(
            "{}: the plan is incomplete (`complete: false`): what a later plan adds is not judged",
            path.display()
        );
    }
    if !plan.instances.iter().any(|i| i.kind.starts_with("aws_")) && !plan.instances.is_empty() {
        return Err(TerraformError::NotAPlan {
            path: path.clone(),
            message: "no resource of the AWS provider: hacheck judges AWS".into(),
        });
    }
    let translated = translate::translate(&plan, &translate::NoPositions);
    if !translated.not_read.is_empty() {
        tracing::info!(
            "{}: resource types no rule reads: {}",
            path.display(),
            translated
                .not_read
                .iter()
                .map(|(kind, count)| format!("{kind} ({count})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    crate::template::convert_document(
        Path::new(path),
        translated.doc,
        translated.assigned,
        &options.region,
        &options.account,
    )
    .map_err(|e| TerraformError::Convert {
        path: path.clone(),
        message: e.to_string(),
    })
}
