//! `hacheck merge`: the JSON reports of several scans — the shards of an organisation, one
//! job each in a CI matrix — as one report in any format, results deduplicated, every
//! account listed once, the summary and the exit status recomputed from the results.

use crate::cli::MergeArgs;
use crate::report::ScanReport;

pub fn run(args: &MergeArgs) -> anyhow::Result<u8> {
    let mut reports = Vec::new();
    for path in &args.reports {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", path.display()))?;
        let report = crate::report::json::read(&text)
            .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        reports.push(report);
    }
    let report = ScanReport::join(reports).expect("clap requires one report at least");
    let mut rendered = Vec::new();
    super::scan::render(&report, args.format, args.output.is_none(), &mut rendered)?;
    super::emit_bytes(&rendered, args.output.as_deref())?;
    Ok(super::scan::exit_status(&report, args.fail_on, false))
}
