//! `hacheck apps`: the applications found in the account (or snapshot, or each snapshot of a
//! directory), their members and why each belongs, the paths its users reach it by, and the
//! workloads left out. Exit 0, or 2 on bad input.

use crate::cli::{AppsArgs, AppsFormat, GlobalOptions};
use crate::config::Config;

pub async fn run(global: &GlobalOptions, args: &AppsArgs) -> anyhow::Result<u8> {
    let config = Config::load(args.config.as_deref())?;
    let mut outputs = Vec::new();
    let accounts = args.accounts.options()?;
    let missing = super::for_each_inventory(global, &args.source, &accounts, |inventory| {
        let index = super::index(inventory);
        super::print_warnings(&index.inventory().warnings);
        let model = config.app_model(&index, args.scope.into());
        let paths = crate::reach::paths(&index, &model);
        let mut rendered = Vec::new();
        match args.format {
            AppsFormat::Table => {
                crate::report::apps::write_table(&model, &paths, 100, &mut rendered)?
            }
            AppsFormat::Json => crate::report::apps::write_json(&model, &paths, &mut rendered)?,
        }
        outputs.push((index.account().to_owned(), rendered));
        Ok(())
    })
    .await?;
    outputs.sort_by(|a, b| a.0.cmp(&b.0));
    let rendered = super::render_per_account(outputs, args.format == AppsFormat::Json)?;
    super::emit_bytes(&rendered, None)?;
    Ok(super::report_missing(&missing, super::EXIT_CLEAN))
}
