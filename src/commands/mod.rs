//! One module per command. Each returns the process exit status it wants, or an error that
//! `main` prints on one line with exit status 2.

pub mod inventory;

use std::io::Write;
use std::path::Path;

use crate::cli::GlobalOptions;
use crate::collect::AwsOptions;
use crate::inventory::Inventory;

/// Exit status: nothing to report.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: failing findings (or a plan with changes, where asked).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: the tool failed or its input was bad.
pub const EXIT_ERROR: u8 = 2;

/// The inventory a command works on: a snapshot file, else the live account.
pub async fn load_inventory(global: &GlobalOptions, snapshot: Option<&Path>) -> anyhow::Result<Inventory> {
    if let Some(path) = snapshot {
        return Ok(crate::snapshot::read(path)?);
    }
    let options = AwsOptions {
        regions: global.regions.clone(),
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
    };
    let context = options.load().await?;
    let inventory = crate::collect::collect(&context).await?;
    tracing::info!(calls = context.calls.get(), "collection finished");
    Ok(inventory)
}

/// Writes `text` to `path`, or to stdout when there is no path.
pub fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    match path {
        Some(path) => crate::snapshot::write_atomically(path, text.as_bytes())
            .map_err(|error| anyhow::anyhow!("cannot write `{}`: {error}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
            Ok(())
        }
    }
}
