//! `hacheck explain <ID>`: a rule's full documentation, as text or JSON.

use crate::cli::ExplainArgs;
use crate::report::RuleInfo;

pub fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let (_, set) = super::load_every_policy(&args.policy)?;
    let policy = set
        .get(&args.id)
        .ok_or_else(|| anyhow::anyhow!("no rule `{}` (see `hacheck policies list`)", args.id))?;
    let info = RuleInfo {
        meta: policy.meta.clone(),
        origin: policy.origin.clone(),
        docs: policy.docs.clone(),
    };
    let text = if args.json {
        serde_json::to_string_pretty(&info)? + "\n"
    } else {
        let meta = &info.meta;
        let mut text = format!(
            "# {} ({}): {}\n\nSeverity: {}. Resource: {}. Fix: {}.\n\n{}\n\n",
            meta.id,
            meta.name,
            meta.title,
            meta.severity,
            meta.resource_type,
            if meta.remediation.is_some() {
                "available"
            } else {
                "manual"
            },
            info.docs
        );
        if !meta.params.is_empty() {
            text.push_str("## Parameters\n");
            for (name, value) in &meta.params {
                text.push_str(&format!("- `{name}` = {value}\n"));
            }
            text.push('\n');
        }
        if !meta.frameworks.is_empty() {
            text.push_str("## Frameworks\n");
            for id in &meta.frameworks {
                let title = crate::policy::frameworks::title(id).unwrap_or_default();
                text.push_str(&format!("- `{id}`: {title}\n"));
            }
            text.push('\n');
        }
        text.push_str("## References\n");
        for reference in &meta.references {
            text.push_str(&format!("- {reference}\n"));
        }
        text
    };
    super::emit(&text, None)?;
    Ok(super::EXIT_CLEAN)
}
