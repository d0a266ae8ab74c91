//! `hacheck graph`: each application's topology as a Mermaid or DOT diagram, failing
//! resources marked with their rule ids, a lost zone greyed with `--lose-az`. Exit 0, or 2
//! on bad input (a policy that fails to run is an error: its failures would be missing).

use crate::cli::{GlobalOptions, GraphArgs, GraphFormat};
use crate::diagram;

pub async fn run(global: &GlobalOptions, args: &GraphArgs) -> anyhow::Result<u8> {
    let (config, policies) = super::load_policies(&args.policy)?;
    let index = super::index(super::load_inventory(global, &args.source).await?);
    super::print_warnings(&index.inventory().warnings);
    let model = config.app_model(&index, args.scope.into());
    let topology = crate::whatif::Topology::new(&index);
    let lost_zone = match args.lose_az.as_deref() {
        Some(super::whatif::EACH_ZONE) => {
            anyhow::bail!("`--lose-az` takes one zone here, not `each`")
        }
        Some(zone) => {
            super::whatif::zones_to_lose(&topology, &model, &[zone.to_owned()])?;
            Some(zone)
        }
        None => None,
    };
    let evaluation = policies.evaluate(&index, &model, &config.param_overrides());
    if let Some(error) = evaluation.errors.first() {
        anyhow::bail!("{error}");
    }
    let failures = diagram::failures(&evaluation.findings);
    let diagrams = diagram::build_all(&topology, &model, &failures, lost_zone);
    let text = match args.format {
        GraphFormat::Mermaid => diagram::mermaid::render(&diagrams),
        GraphFormat::Dot => diagram::dot::render(&diagrams),
    };
    super::emit(&text, args.output.as_deref())?;
    Ok(super::EXIT_CLEAN)
}
