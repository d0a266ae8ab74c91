//! A [`Diagram`] as a Mermaid flowchart, which GitHub renders in Markdown (job summaries,
//! pull-request comments, READMEs). Failing nodes are red and name their rules; what runs in
//! the lost zone is grey and dashed.

use std::fmt::Write;

use super::{Diagram, Legend, Node};

/// Mermaid's entity codes for the characters its labels cannot hold.
fn escape(text: &str) -> String {
    text.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('|', "#124;")
}

fn label(node: &Node) -> String {
    let mut lines: Vec<String> = node.label_lines().iter().map(|l| escape(l)).collect();
    lines[0] = format!("<b>{}</b>", lines[0]);
    lines.join("<br/>")
}

fn shape(node: &Node) -> String {
    let text = label(node);
    if node.kind == "internet" {
        format!("{}((\"{text}\"))", node.key)
    } else if node.kind.contains("RDS")
        || node.kind.contains("DB")
        || node.kind == "writer"
        || node.kind == "reader"
    {
        format!("{}[(\"{text}\")]", node.key)
    } else {
        format!("{}[\"{text}\"]", node.key)
    }
}

/// One flowchart; several applications become one subgraph each.
pub fn render(diagrams: &[Diagram], legend: Option<&Legend>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "flowchart LR");
    let several = diagrams.len() > 1;
    // Mermaid styles an edge by its number, counted over the whole chart.
    let mut edges = 0;
    let mut failing_edges = Vec::new();
    for diagram in diagrams {
        let indent = if several { "    " } else { "  " };
        if several {
            let _ = writeln!(
                out,
                "  subgraph {}[\"application {}\"]",
                super::key_of("app", &diagram.application),
                escape(&diagram.application)
            );
        } else {
            let _ = writeln!(out, "  %% application {}", diagram.application);
        }
        body(diagram, indent, &mut out);
        for edge in &diagram.edges {
            if edge.failing.is_some() {
                failing_edges.push(edges.to_string());
            }
            edges += 1;
        }
        if several {
            let _ = writeln!(out, "  end");
        }
    }
    if let Some(legend) = legend {
        let lines: Vec<String> = legend.lines().iter().map(|l| escape(l)).collect();
        let _ = writeln!(out, "  subgraph legend[\"legend\"]");
        let _ = writeln!(out, "    legend_text[\"{}\"]", lines.join("<br/>"));
        let _ = writeln!(out, "  end");
    }
    let _ = writeln!(
        out,
        "  classDef fail fill:#fde2e2,stroke:#c62828,color:#8e0000,stroke-width:2px"
    );
    let _ = writeln!(
        out,
        "  classDef lost fill:#eeeeee,stroke:#9e9e9e,color:#757575,stroke-dasharray:4 3"
    );
    let nodes = || diagrams.iter().flat_map(|d| &d.nodes);
    let failing: Vec<&str> = nodes()
        .filter(|n| !n.failing.is_empty())
        .map(|n| n.key.as_str())
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "  class {} fail", failing.join(","));
    }
    if !failing_edges.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#c62828,stroke-width:2px,color:#8e0000",
            failing_edges.join(",")
        );
    }
    let lost: Vec<&str> = nodes().filter(|n| n.lost).map(|n| n.key.as_str()).collect();
    if !lost.is_empty() {
        let _ = writeln!(out, "  class {} lost", lost.join(","));
    }
    for diagram in diagrams {
        if let Some(zone) = &diagram.lost_zone {
            let _ = writeln!(
                out,
                "  style {} fill:#f5f5f5,stroke:#9e9e9e,stroke-dasharray:4 3",
                zone_key(diagram, zone)
            );
        }
    }
    out
}

fn body(diagram: &Diagram, indent: &str, out: &mut String) {
    for node in diagram.unzoned_nodes() {
        let _ = writeln!(out, "{indent}{}", shape(node));
    }
    for zone in diagram.zone_boxes() {
        let _ = writeln!(
            out,
            "{indent}subgraph {}[\"{}\"]",
            zone_key(diagram, zone.zone),
            escape(&zone.title)
        );
        for node in zone.nodes {
            let _ = writeln!(out, "{indent}  {}", shape(node));
        }
        let _ = writeln!(out, "{indent}end");
    }
    for edge in &diagram.edges {
        let arrow = if edge.dotted { "-.->" } else { "-->" };
        let label = match &edge.failing {
            Some(rule) => format!("{} ⚠ {rule}", edge.label),
            None => edge.label.clone(),
        };
        if label.is_empty() {
            let _ = writeln!(out, "{indent}{} {arrow} {}", edge.from, edge.to);
        } else {
            let _ = writeln!(
                out,
                "{indent}{} {arrow}|\"{}\"| {}",
                edge.from,
                escape(&label),
                edge.to
            );
        }
    }
}

/// A zone's subgraph: per application, as zones repeat across applications.
fn zone_key(diagram: &Diagram, zone: &str) -> String {
    format!("{}{}", diagram.key_prefix, super::key_of("zone", zone))
}
