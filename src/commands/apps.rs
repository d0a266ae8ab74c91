//! `hacheck apps`: the applications found in the account (or snapshot), their members and
//! why each belongs, the paths its users reach it by, and the workloads left out. Exit 0, or 2 on bad input.

use crate::cli::{AppsArgs, AppsFormat, GlobalOptions};
use crate::config::Config;

pub async fn run(global: &GlobalOptions, args: &AppsArgs) -> anyhow::Result<u8> {
    let config = Config::load(args.config.as_deref())?;
    let index = super::index(super::load_inventory(global, &args.source).await?);
    super::print_warnings(&index.inventory().warnings);
    let model = config.app_model(&index, args.scope.into());
    let paths = crate::reach::paths(&index, &model);
    let mut rendered = Vec::new();
    match args.format {
        AppsFormat::Table => crate::report::apps::write_table(&model, &paths, 100, &mut rendered)?,
        AppsFormat::Json => crate::report::apps::write_json(&model, &paths, &mut rendered)?,
    }
    super::emit_bytes(&rendered, None)?;
    Ok(super::EXIT_CLEAN)
}
