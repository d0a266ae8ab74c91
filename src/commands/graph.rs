//! `hacheck graph`: each application's topology as a Mermaid or DOT diagram, failing
//! resources marked with their rule ids, a lost zone greyed with `--lose-az`; over several
//! accounts (or a directory of snapshots), one picture whose applications name their
//! account. Exit 0, or 2 on bad input (a policy that fails to run is an error: its failures
//! would be missing) or when an account could not be read.

use crate::cli::{GlobalOptions, GraphArgs, GraphFormat};
use crate::diagram;

pub async fn run(global: &GlobalOptions, args: &GraphArgs) -> anyhow::Result<u8> {
    let (config, policies) = super::load_policies(&args.policy)?;
    if args.lose_az.as_deref() == Some(super::whatif::EACH_ZONE) {
        anyhow::bail!("`--lose-az` takes one zone here, not `each`");
    }
    let accounts = args.accounts.options()?;
    let mut by_account = Vec::new();
    let missing = super::for_each_inventory(global, &args.source, &accounts, |inventory| {
        let index = super::index(inventory);
        super::print_warnings(&index.inventory().warnings);
        let model = config.app_model(&index, args.scope.into());
        let topology = crate::whatif::Topology::new(&index);
        if let Some(zone) = args.lose_az.as_deref() {
            super::whatif::zones_to_lose(&topology, &model, &[zone.to_owned()])?;
        }
        let evaluation = policies.evaluate(&index, &model, &config.param_overrides());
        if let Some(error) = evaluation.errors.first() {
            anyhow::bail!("{error}");
        }
        let failures = diagram::failures(&evaluation.findings);
        let diagrams = diagram::build_all(&topology, &model, &failures, args.lose_az.as_deref());
        by_account.push((index.account().to_owned(), diagrams));
        Ok(())
    })
    .await?;
    by_account.sort_by(|a, b| a.0.cmp(&b.0));
    let several = by_account.len() > 1;
    let diagrams: Vec<diagram::Diagram> = by_account
        .into_iter()
        .enumerate()
        .flat_map(|(position, (account, diagrams))| {
            diagrams.into_iter().map(move |d| match several {
                true => d.in_account(position, &account),
                false => d,
            })
        })
        .collect();
    // The rule ids the picture shows, with their titles.
    let legend = diagram::Legend::of(&diagrams, |id| {
        policies
            .policies
            .iter()
            .find(|p| p.meta.id == id)
            .map(|p| p.meta.title.clone())
    });
    let text = match args.format {
        GraphFormat::Mermaid => diagram::mermaid::render(&diagrams, Some(&legend)),
        GraphFormat::Dot => diagram::dot::render(&diagrams, Some(&legend)),
    };
    super::emit(&text, args.output.as_deref())?;
    Ok(super::report_missing(&missing, super::EXIT_CLEAN))
}
