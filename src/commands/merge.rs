//! `hacheck merge`: the JSON reports of several scans — the shards of an organisation, one
//! job each in a CI matrix — as one report in any format, results deduplicated, every
//! account listed once, the summary and the exit status recomputed from the results; or
//! their SARIF logs as one SARIF log (failures only, as SARIF holds them).

use crate::cli::MergeArgs;
use crate::report::ScanReport;

pub fn run(args: &MergeArgs) -> anyhow::Result<u8> {
    let mut texts = Vec::new();
    for path in &args.reports {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "`{}` is not a hacheck JSON report or SARIF log: {e}",
                path.display()
            )
        })?;
        texts.push((path, text, value.get("runs").is_some()));
    }
    // SARIF logs hold failures only: they join as SARIF, with SARIF out.
    if let Some((sarif, _, _)) = texts.iter().find(|(_, _, sarif)| *sarif) {
        if let Some((json, _, _)) = texts.iter().find(|(_, _, sarif)| !*sarif) {
            anyhow::bail!(
                "reports of one format at a time: `{}` is SARIF, `{}` a JSON report",
                sarif.display(),
                json.display()
            );
        }
        if args.format != crate::cli::ReportFormat::Sarif {
            anyhow::bail!(
                "SARIF logs merge into SARIF only (`--format sarif`): they hold no passing results"
            );
        }
        let logs = texts
            .iter()
            .map(|(_, text, _)| serde_json::from_str(text).expect("parsed above"))
            .collect();
        let merged = crate::report::sarif::merge(logs)?;
        super::emit(
            &(serde_json::to_string_pretty(&merged)? + "\n"),
            args.output.as_deref(),
        )?;
        return Ok(crate::report::sarif::exit_status(&merged, args.fail_on));
    }
    let mut reports = Vec::new();
    for (path, text, _) in &texts {
        let report = crate::report::json::read(text)
            .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        reports.push(report);
    }
    let report = ScanReport::join(reports).expect("clap requires one report at least");
    let mut rendered = Vec::new();
    super::scan::render(&report, args.format, args.output.is_none(), &mut rendered)?;
    super::emit_bytes(&rendered, args.output.as_deref())?;
    Ok(super::scan::exit_status(&report, args.fail_on, false))
}
