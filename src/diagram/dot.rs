//! A [`Diagram`] in Graphviz DOT (`dot -Tsvg`): one cluster per zone; failing nodes red with
//! their rules, what runs in the lost zone grey and dashed.

use std::fmt::Write;

use super::{Diagram, Legend, Node};

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn node_line(node: &Node) -> String {
    let label = node
        .label_lines()
        .iter()
        .map(|l| l.replace('\\', "\\\\").replace('"', "\\\""))
        .collect::<Vec<_>>()
        .join("\\n");
    let mut attributes = vec![format!("label=\"{label}\"")];
    if node.kind == "internet" {
        attributes.push("shape=ellipse".into());
    } else if node.kind.contains("RDS") || node.kind.contains("DB") {
        attributes.push("shape=cylinder".into());
    }
    if node.lost {
        attributes.push("color=gray60, fontcolor=gray45, style=\"rounded,dashed\"".into());
    } else if !node.failing.is_empty() {
        attributes.push("color=red3, fontcolor=red4, penwidth=2".into());
    }
    format!("{} [{}];", node.key, attributes.join(", "))
}

/// One graph; several applications become one cluster each.
pub fn render(diagrams: &[Diagram], legend: Option<&Legend>) -> String {
    let mut out = String::new();
    let name = match diagrams {
        [one] => one.application.as_str(),
        _ => "applications",
    };
    let _ = writeln!(out, "digraph {} {{", quote(name));
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(
        out,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];"
    );
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    let several = diagrams.len() > 1;
    for diagram in diagrams {
        let indent = if several { "    " } else { "  " };
        if several {
            let _ = writeln!(
                out,
                "  subgraph {} {{\n    label={};",
                super::key_of("cluster_app", &diagram.application),
                quote(&format!("application {}", diagram.application))
            );
        }
        body(diagram, indent, &mut out);
        if several {
            let _ = writeln!(out, "  }}");
        }
    }
    if let Some(legend) = legend {
        let _ = writeln!(
            out,
            "  subgraph cluster_legend {{\n    label=\"legend\"; style=rounded; color=gray70;"
        );
        // `\l` ends a left-aligned line.
        let text: String = legend
            .lines()
            .iter()
            .map(|l| format!("{}\\l", l.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        let _ = writeln!(out, "    legend [shape=note, label=\"{text}\"];");
        let _ = writeln!(out, "  }}");
    }
    let _ = writeln!(out, "}}");
    out
}

fn body(diagram: &Diagram, indent: &str, out: &mut String) {
    for node in diagram.unzoned_nodes() {
        let _ = writeln!(out, "{indent}{}", node_line(node));
    }
    for zone in diagram.zone_boxes() {
        let _ = writeln!(
            out,
            "{indent}subgraph cluster_{}{} {{",
            diagram.key_prefix,
            super::key_of("zone", zone.zone)
        );
        let style = if zone.lost {
            "style=dashed; color=gray60; fontcolor=gray45;"
        } else {
            "style=rounded; color=gray70;"
        };
        let _ = writeln!(out, "{indent}  label={}; {style}", quote(&zone.title));
        for node in zone.nodes {
            let _ = writeln!(out, "{indent}  {}", node_line(node));
        }
        let _ = writeln!(out, "{indent}}}");
    }
    for edge in &diagram.edges {
        let mut attributes = Vec::new();
        if !edge.label.is_empty() {
            attributes.push(format!("label={}", quote(&edge.label)));
        }
        if edge.dotted {
            attributes.push("style=dotted".to_owned());
        }
        if let Some(rule) = &edge.failing {
            attributes.push("color=red3, fontcolor=red4, penwidth=2".to_owned());
            attributes[0] = format!("label={}", quote(&format!("{} ⚠ {rule}", edge.label)));
        }
        if attributes.is_empty() {
            let _ = writeln!(out, "{indent}{} -> {};", edge.from, edge.to);
        } else {
            let _ = writeln!(
                out,
                "{indent}{} -> {} [{}];",
                edge.from,
                edge.to,
                attributes.join(", ")
            );
        }
    }
}
