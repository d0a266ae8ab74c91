//! `hacheck inventory`: collect (or re-read) an inventory and write it as a snapshot.

use crate::cli::{GlobalOptions, InventoryArgs};

pub async fn run(global: &GlobalOptions, args: &InventoryArgs) -> anyhow::Result<u8> {
    let inventory = super::load_inventory(global, &args.source).await?;
    super::print_warnings(&inventory);
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
