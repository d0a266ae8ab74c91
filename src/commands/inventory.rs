//! `hacheck inventory`: collect (or re-read) an inventory and write it as a snapshot; over
//! several accounts (`--organization`, `--account`), one snapshot per account into the
//! directory `--output` names (`<account id>.json`), which `scan --inventory DIR` reads back.

use crate::cli::{GlobalOptions, InventoryArgs};

pub async fn run(global: &GlobalOptions, args: &InventoryArgs) -> anyhow::Result<u8> {
    let accounts = args.accounts.options()?;
    if accounts.any() {
        let Some(dir) = &args.output else {
            anyhow::bail!("several accounts need `--output DIR` (one snapshot per account)");
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create directory `{}`: {e}", dir.display()))?;
        let mut incomplete = false;
        let failures = super::for_each_account(global, &accounts, |target, inventory| {
            super::print_warnings(&inventory.warnings);
            incomplete |= !inventory.warnings.is_empty();
            crate::snapshot::write(&inventory, &dir.join(format!("{}.json", target.id)))?;
            Ok(())
        })
        .await?;
        for failure in &failures {
            eprintln!(
                "error: account {} was not collected: {}",
                failure.account_id, failure.reason
            );
        }
        return Ok(if incomplete || !failures.is_empty() {
            super::EXIT_ERROR
        } else {
            super::EXIT_CLEAN
        });
    }
    let inventory = super::load_inventory(global, &args.source).await?;
    super::print_warnings(&inventory.warnings);
    super::emit(
        &crate::snapshot::to_json(&inventory),
        args.output.as_deref(),
    )?;
    Ok(if inventory.warnings.is_empty() {
        super::EXIT_CLEAN
    } else {
        super::EXIT_ERROR
    })
}
