//! Terraform plans judged before they are applied: `--terraform-plan FILE`, the JSON of
//! `terraform show -json PLANFILE` (OpenTofu writes the same).
//!
//! The plan's resource instances (every module depth, `count` and `for_each` instance) are
//! read with their planned values ([`plan`]); values known only after apply are resolved
//! through the configuration's references to the resource they come from. They are then
//! written in CloudFormation's terms ([`translate`]) and made into the inventory by the one
//! converter templates use, so a plan and its CloudFormation twin are judged by the same
//! model, with the same honest unknowns.

pub mod edit;
pub mod plan;
mod source;
pub mod state;
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
    #[error("{}:{line}:{column}: not HCL Terraform reads: {message}", path.display())]
    Hcl {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// What to read.
#[derive(Debug, Clone)]
pub struct TerraformOptions {
    pub plan: PathBuf,
    /// The configuration's directory (`--terraform-dir`); by default the current one when
    /// it holds `.tf` files, else the plan's.
    pub dir: Option<PathBuf>,
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
    let sources = configuration_sources(options, &json, &plan)?;
    let plan = plan.with_sources(&sources);
    let translated = translate::translate(&plan, &sources);
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
    let mut inventory = crate::template::convert_document(
        Path::new(path),
        translated.doc,
        translated.assigned,
        &options.region,
        &options.account,
    )
    .map_err(|e| TerraformError::Convert {
        path: path.clone(),
        message: e.to_string(),
    })?;
    // Each resource in the `.tf` file that declares it (the plan file where none does).
    for declared in &mut inventory.sources {
        let Some(&position) = translated.origin.get(&declared.logical_id) else {
            continue;
        };
        let instance = &plan.instances[position];
        if let Some(file) = sources.file(&instance.config_module, &instance.config_address()) {
            declared.file = file.display().to_string();
        }
    }
    Ok(inventory)
}

/// The `.tf` files of the configuration a plan was made of: `--terraform-dir`, else the
/// current directory, else the plan's — the first that declares the plan's root resources
/// (a repository root with other `.tf` files is not taken for the plan's configuration).
fn configuration_sources(
    options: &TerraformOptions,
    json: &serde_json::Value,
    plan: &plan::Plan,
) -> Result<source::Sources, TerraformError> {
    if let Some(dir) = &options.dir {
        return source::read(dir, json);
    }
    let has_tf = |dir: &Path| source::tf_files(dir).is_ok_and(|files| !files.is_empty());
    let beside = options
        .plan
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let roots: Vec<String> = plan
        .instances
        .iter()
        .filter(|i| i.config_module.is_empty())
        .map(|i| i.config_address())
        .collect();
    let mut failure = None;
    for dir in [PathBuf::from("."), beside] {
        if !has_tf(&dir) {
            continue;
        }
        // A directory not given is only a guess: one that does not parse is not it, unless
        // no other is (then what does not parse is said).
        let sources = match source::read(&dir, json) {
            Ok(sources) => sources,
            Err(error) => {
                failure.get_or_insert(error);
                continue;
            }
        };
        if roots.is_empty() || roots.iter().any(|a| sources.file("", a).is_some()) {
            return Ok(sources);
        }
    }
    match failure {
        Some(error) => Err(error),
        None => Ok(source::Sources::default()),
    }
}
