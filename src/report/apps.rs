//! The application model as people read it: each application with its members, the role
//! each plays and why it belongs, the paths by which its users reach it, then the workloads in
//! no application and why.
//!
//! Takes an [`AppModel`], its reachability [`Path`]s and a writer; knows nothing of the
//! command line.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use serde::Serialize;

use crate::apps::AppModel;
use crate::reach::Path;

pub fn write_table(
    model: &AppModel,
    paths: &[Path],
    width: u16,
    out: &mut dyn Write,
) -> io::Result<()> {
    for app in &model.applications {
        let entries = if app.entry_points.is_empty() {
            String::new()
        } else {
            format!(", entry points: {}", app.entry_points.join(", "))
        };
        writeln!(
            out,
            "application {} ({}{entries}): {} members",
            app.name,
            app.origin,
            app.members.len()
        )?;
        let mut table = table(width, ["role", "resource", "why"]);
        for member in &app.members {
            table.add_row(vec![
                member.role.as_str(),
                short_id(&member.id),
                member.via.as_str(),
            ]);
        }
        writeln!(out, "{table}")?;
        let reached: Vec<&Path> = paths.iter().filter(|p| p.application == app.name).collect();
        // What `whatif` and HA018 call down too (`Path::serves`).
        if !reached.iter().any(|p| p.serves()) {
            writeln!(
                out,
                "reached: by no path from the internet to what serves it"
            )?;
        }
        for path in reached {
            writeln!(out, "reached: {path}")?;
        }
    }
    if !model.out_of_scope.is_empty() {
        writeln!(
            out,
            "{} resources in no application, not judged:",
            model.out_of_scope.len()
        )?;
        let mut table = table(width, ["kind", "resource", "why not"]);
        for item in &model.out_of_scope {
            table.add_row(vec![
                item.kind.as_str(),
                item.id.as_str(),
                item.reason.as_str(),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    writeln!(
        out,
        "{} applications, {} resources in no application",
        model.applications.len(),
        model.out_of_scope.len()
    )
}

fn table(width: u16, header: [&str; 3]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .force_no_tty()
        .set_header(header.to_vec());
    table
}

/// The model's fields with `paths` beside them.
#[derive(Serialize)]
struct AppsDocument<'a> {
    #[serde(flatten)]
    model: &'a AppModel,
    paths: &'a [Path],
}

pub fn write_json(model: &AppModel, paths: &[Path], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &AppsDocument { model, paths })?;
    writeln!(out)
}

/// A member as people name it: an ARN (a listener's, a topic's) by its resource part
/// (`listener/app/shop-alb/…/80`); the JSON form keeps the whole ARN.
fn short_id(id: &str) -> &str {
    match id.strip_prefix("arn:") {
        Some(rest) => rest.splitn(5, ':').nth(4).unwrap_or(id),
        None => id,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_arn_is_shown_by_its_resource_part() {
        assert_eq!(
            super::short_id(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop-alb/0123/80"
            ),
            "listener/app/shop-alb/0123/80"
        );
        assert_eq!(
            super::short_id("arn:aws:sns:us-east-1:123456789012:shop-alerts"),
            "shop-alerts"
        );
        assert_eq!(super::short_id("sg-0app"), "sg-0app");
    }
}
