//! `hacheck whatif --lose-az <zone>|each`: what the loss of an Availability Zone does to each
//! application, offline on the inventory. Exit 1 when an application would be down or below
//! its minimum capacity, 0 otherwise, 2 on bad input.

use crate::cli::{GlobalOptions, WhatifArgs, WhatifFormat};
use crate::config::Config;
use crate::whatif::{Outcome, Topology};

/// The value of `--lose-az` that tries every zone the applications use.
pub const EACH_ZONE: &str = "each";

pub async fn run(global: &GlobalOptions, args: &WhatifArgs) -> anyhow::Result<u8> {
    let config = Config::load(args.config.as_deref())?;
    let mut outputs = Vec::new();
    let mut failed = false;
    let accounts = args.accounts.options()?;
    let missing = super::for_each_inventory(global, &args.source, &accounts, |inventory| {
        let index = super::index(inventory);
        super::print_warnings(&index.inventory().warnings);
        let model = config.app_model(&index, args.scope.into());
        let topology = Topology::new(&index);
        let zones = zones_to_lose(&topology, &model, &args.lose_az)?;
        let outcomes = topology.assess(&model, &zones);
        if outcomes.is_empty() {
            eprintln!(
                "note: account {}: no application found, so no zone to lose",
                index.account()
            );
        }
        let mut rendered = Vec::new();
        match args.format {
            WhatifFormat::Table => {
                crate::report::whatif::write_table(&outcomes, 100, &mut rendered)?
            }
            WhatifFormat::Json => crate::report::whatif::write_json(&outcomes, &mut rendered)?,
            WhatifFormat::Markdown => {
                crate::report::whatif::write_markdown(&outcomes, &mut rendered)?
            }
        }
        failed |= outcomes.iter().any(Outcome::is_failure);
        outputs.push((index.account().to_owned(), rendered));
        Ok(())
    })
    .await?;
    outputs.sort_by(|a, b| a.0.cmp(&b.0));
    let rendered = super::render_per_account(outputs, args.format == WhatifFormat::Json)?;
    super::emit_bytes(&rendered, args.output.as_deref())?;
    let status = if failed {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    };
    Ok(super::report_missing(&missing, status))
}

/// The zones named by `--lose-az`, `each` expanded; a zone no subnet is in is refused.
pub fn zones_to_lose(
    topology: &Topology,
    model: &crate::apps::AppModel,
    requested: &[String],
) -> anyhow::Result<Vec<String>> {
    let known = topology.known_zones();
    let mut zones = Vec::new();
    for zone in requested {
        if zone == EACH_ZONE {
            zones.extend(topology.zones_in_use(model));
        } else if known.contains(zone.as_str()) {
            zones.push(zone.clone());
        } else {
            let known: Vec<&str> = known.iter().copied().collect();
            anyhow::bail!(
                "no subnet of the inventory is in zone `{zone}` (zones: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    let mut seen = std::collections::HashSet::new();
    zones.retain(|zone| seen.insert(zone.clone()));
    Ok(zones)
}
