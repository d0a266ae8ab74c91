//! The line-preserving YAML editor: a template's text with its tree, and edits of whole
//! lines (a property set, a list item added or removed, a resource appended) applied from
//! the bottom up, so that every untouched line, comments and line endings included, stays
//! byte for byte. It knows YAML and CloudFormation's layout, not plans: `edit` maps steps
//! to these edits.

use std::collections::HashMap;

use crate::change::NotWritten;
use crate::template::yaml::{self, Node, Spanned};

/// What an edit gives: done, or why it cannot be written.
pub(super) type Step = Result<(), NotWritten>;

/// A change of one file's lines (1-based), applied from the bottom up.
#[derive(Debug, Clone)]
pub(super) enum Edit {
    /// Lines `start..=end` become `lines` (none: removed).
    Replace {
        start: usize,
        end: usize,
        lines: Vec<String>,
    },
    /// `lines` go after line `after`.
    Insert { after: usize, lines: Vec<String> },
}

impl Edit {
    pub(super) fn span(&self) -> (usize, usize) {
        match self {
            Edit::Replace { start, end, .. } => (*start, *end),
            Edit::Insert { after, .. } => (*after + 1, *after),
        }
    }
}

/// A template being edited: its text, its tree, its edits.
pub(super) struct Draft {
    pub(super) text: String,
    pub(super) doc: Spanned,
    pub(super) edits: Vec<Edit>,
    /// An item a step removed from a list: (key line, its indentation, name, the list's
    /// items). A list that loses them all is written `Name: []` unless a step adds one.
    pub(super) emptied: Vec<(usize, usize, String, usize)>,
    /// Key lines of the lists a step added an item to.
    pub(super) added_to: Vec<usize>,
    /// Lines end with `\r\n` (kept so) or `\n`.
    pub(super) newline: &'static str,
    /// Logical ids of the resources this plan adds.
    pub(super) added_ids: Vec<String>,
}

impl Draft {
    pub(super) fn lines(&self) -> Vec<&str> {
        self.text.lines().collect()
    }

    /// The last line of the block that starts at `line`: the following lines indented more
    /// than `indent` (blank lines and comments between them included, trailing ones not).
    pub(super) fn block_end(&self, line: usize, indent: usize) -> usize {
        let lines = self.lines();
        let mut last = line;
        for (n, text) in lines.iter().enumerate().skip(line) {
            let trimmed = text.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if text.len() - trimmed.len() > indent {
                last = n + 1;
            } else {
                break;
            }
        }
        last
    }

    pub(super) fn resource(&self, logical: &str) -> Option<&yaml::Entry> {
        self.doc.get("Resources")?.entry(logical)
    }
}

pub(super) fn apply(draft: &Draft, skipped: &mut Vec<String>) -> String {
    let mut edits = draft.edits.clone();
    // A list whose every item a step removed (and none added) stays, empty: CloudFormation
    // refuses a property without a value.
    let mut written = Vec::new();
    for (line, indent, name, items) in &draft.emptied {
        let removed = draft.emptied.iter().filter(|(l, ..)| l == line).count();
        if removed == *items && !draft.added_to.contains(line) && !written.contains(line) {
            written.push(*line);
            edits.push(Edit::Replace {
                start: *line,
                end: *line,
                lines: vec![format!("{}{name}: []", " ".repeat(*indent))],
            });
        }
    }
    let draft = &Draft {
        text: draft.text.clone(),
        doc: draft.doc.clone(),
        edits,
        emptied: Vec::new(),
        added_to: Vec::new(),
        newline: draft.newline,
        added_ids: Vec::new(),
    };
    let mut lines: Vec<String> = draft.text.lines().map(str::to_owned).collect();
    // Bottom up, so that earlier lines keep their numbers; inserts after one line keep
    // their order. An edit overlapping one already made is skipped.
    let mut order: Vec<(usize, &Edit)> = draft.edits.iter().enumerate().collect();
    order.sort_by(|(a_n, a), (b_n, b)| b.span().0.cmp(&a.span().0).then(b_n.cmp(a_n)));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for (_, edit) in order {
        let (start, end) = edit.span();
        if let Edit::Replace { .. } = edit
            && taken.iter().any(|(s, e)| start <= *e && *s <= end)
        {
            skipped.push(format!(
                "lines {start}-{end}: another change of this plan edits them"
            ));
            continue;
        }
        match edit {
            Edit::Replace {
                start,
                end,
                lines: new,
            } => {
                lines.splice(start - 1..*end, new.iter().cloned());
                taken.push((*start, *end));
            }
            Edit::Insert { after, lines: new } => {
                let at = (*after).min(lines.len());
                lines.splice(at..at, new.iter().cloned());
            }
        }
    }
    let mut out = lines.join(draft.newline);
    if draft.text.ends_with('\n') {
        out.push_str(draft.newline);
    }
    out
}

pub(super) fn draft<'d>(
    drafts: &'d mut HashMap<String, Draft>,
    file: &str,
) -> Result<&'d mut Draft, NotWritten> {
    if !drafts.contains_key(file) {
        let text = std::fs::read_to_string(file)
            .map_err(|e| NotWritten::File(format!("cannot read `{file}`: {e}")))?;
        if text.trim_start().starts_with('{') {
            return Err(NotWritten::File(format!(
                "`{file}` is JSON: `fix --template` edits YAML templates only"
            )));
        }
        let doc = yaml::parse(&text)
            .map_err(|e| NotWritten::File(format!("`{file}` no longer parses: {}", e.message)))?;
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        drafts.insert(
            file.to_owned(),
            Draft {
                text,
                doc,
                edits: Vec::new(),
                emptied: Vec::new(),
                added_to: Vec::new(),
                newline,
                added_ids: Vec::new(),
            },
        );
    }
    Ok(drafts.get_mut(file).expect("inserted"))
}

/// Writes property `name` of resource `logical`: where it is written, the edit `replace`
/// makes of it; where not, `lines(indent)` added first among the properties (or under a
/// `Properties` of their own).
fn write_property(
    draft: &mut Draft,
    logical: &str,
    name: &str,
    replace: impl FnOnce(&Draft, &yaml::Entry) -> Result<Edit, NotWritten>,
    lines: impl Fn(usize) -> Vec<String>,
) -> Step {
    let resource = draft.resource(logical).ok_or_else(|| {
        NotWritten::Elsewhere(format!("`{logical}` is not in the template any more"))
    })?;
    let resource_line = resource.key_pos.line as usize;
    let edit = match resource.value.entry("Properties") {
        Some(properties) => match properties.value.entry(name) {
            Some(existing) => replace(draft, existing)?,
            None => {
                if !matches!(properties.value.node, Node::Map(_))
                    || properties.value.pos.line == properties.key_pos.line
                        && !properties.value.entries().is_empty()
                {
                    return Err(NotWritten::Layout(format!(
                        "the `Properties` of `{logical}` are not a block map"
                    )));
                }
                Edit::Insert {
                    after: properties.key_pos.line as usize,
                    lines: lines(child_indent(properties)),
                }
            }
        },
        None => {
            let indent = child_indent(resource);
            let end = draft.block_end(resource_line, resource.key_pos.column as usize - 1);
            let mut added = vec![format!("{}Properties:", " ".repeat(indent))];
            added.extend(lines(indent + 2));
            Edit::Insert {
                after: end,
                lines: added,
            }
        }
    };
    draft.edits.push(edit);
    Ok(())
}

/// Sets property `name` of resource `logical` to `value` (a YAML scalar or expression).
pub(super) fn set_property(draft: &mut Draft, logical: &str, name: &str, value: &str) -> Step {
    let what = format!("`{name}` of `{logical}`");
    write_property(
        draft,
        logical,
        name,
        |draft, existing| replace_value(draft, existing, &what, value),
        |indent| vec![format!("{}{name}: {value}", " ".repeat(indent))],
    )
}

/// Writes property `name` of `logical` as a block map of `entries` (`Key: value`, one a
/// line): anew where it is written (its key line's comment kept), else added.
pub(super) fn set_block(draft: &mut Draft, logical: &str, name: &str, entries: &[String]) -> Step {
    let block = |indent: usize, key_line: String| {
        std::iter::once(key_line)
            .chain(
                entries
                    .iter()
                    .map(|e| format!("{}{e}", " ".repeat(indent + 2))),
            )
            .collect::<Vec<String>>()
    };
    write_property(
        draft,
        logical,
        name,
        |draft, existing| {
            let line = existing.key_pos.line as usize;
            let text = &draft.lines()[line - 1];
            if !is_block_key(text, existing.key_pos.column) {
                return Err(NotWritten::Layout(format!(
                    "`{name}` of `{logical}` is inside a flow map `{{…}}`"
                )));
            }
            let indent = existing.key_pos.column as usize - 1;
            let before_key = &text[..byte_at(text, existing.key_pos.column)];
            Ok(Edit::Replace {
                start: line,
                end: draft.block_end(line, indent),
                lines: block(indent, format!("{before_key}{name}:{}", comment_of(text))),
            })
        },
        |indent| block(indent, format!("{}{name}:", " ".repeat(indent))),
    )
}

/// Writes list property `name` of `logical` with `items`: anew where it is written (see
/// [`replace_list`]), else added.
pub(super) fn set_list(draft: &mut Draft, logical: &str, name: &str, items: &[String]) -> Step {
    let written = draft
        .resource(logical)
        .and_then(|r| r.value.get("Properties"))
        .and_then(|p| p.entry(name))
        .is_some();
    if written {
        return replace_list(draft, logical, name, items);
    }
    append_item(draft, logical, name, |dash| {
        items
            .iter()
            .map(|i| format!("{}- {i}", " ".repeat(dash)))
            .collect()
    })
}

/// Writes property `name` of `logical`, a block list, anew with `items` (its key line's
/// comment kept).
pub(super) fn replace_list(draft: &mut Draft, logical: &str, name: &str, items: &[String]) -> Step {
    let entry = draft
        .resource(logical)
        .and_then(|r| r.value.get("Properties"))
        .and_then(|p| p.entry(name))
        .ok_or_else(|| NotWritten::Elsewhere(format!("`{logical}` has no `{name}` to change")))?;
    let line = entry.key_pos.line as usize;
    let text = draft.lines()[line - 1].to_owned();
    if !is_block_key(&text, entry.key_pos.column) {
        return Err(NotWritten::Layout(format!(
            "`{name}` of `{logical}` is inside a flow map `{{…}}`"
        )));
    }
    let indent = entry.key_pos.column as usize - 1;
    let flush = match &entry.value.node {
        Node::Seq(items) => items.iter().any(|i| i.pos.column <= entry.key_pos.column),
        _ => false,
    };
    if flush {
        return Err(NotWritten::Layout(format!(
            "the items of `{name}` of `{logical}` are not indented below it"
        )));
    }
    let end = draft.block_end(line, indent);
    let before_key = &text[..byte_at(&text, entry.key_pos.column)];
    let mut lines = vec![format!("{before_key}{name}:{}", comment_of(&text))];
    lines.extend(
        items
            .iter()
            .map(|item| format!("{}- {item}", " ".repeat(indent + 2))),
    );
    draft.edits.push(Edit::Replace {
        start: line,
        end,
        lines,
    });
    Ok(())
}

/// The edit giving `entry` (`what` names it in an error) the one-line `value`; what its
/// line holds before the key (indentation, a list's dash) and its comment are kept.
pub(super) fn replace_value(
    draft: &Draft,
    entry: &yaml::Entry,
    what: &str,
    value: &str,
) -> Result<Edit, NotWritten> {
    let line = entry.key_pos.line as usize;
    if entry.value.pos.line as usize != line && !matches!(entry.value.node, Node::Scalar { .. }) {
        return Err(NotWritten::Layout(format!(
            "{what} is not a one-line value"
        )));
    }
    let text = draft.lines()[line - 1].to_owned();
    if !is_block_key(&text, entry.key_pos.column) {
        return Err(NotWritten::Layout(format!(
            "{what} is inside a flow map `{{…}}`"
        )));
    }
    let end = draft.block_end(line, entry.key_pos.column as usize - 1);
    let before_key = &text[..byte_at(&text, entry.key_pos.column)];
    Ok(Edit::Replace {
        start: line,
        end,
        lines: vec![format!(
            "{before_key}{}: {value}{}",
            entry.key,
            comment_of(&text)
        )],
    })
}

/// The byte offset of 1-based character column `column` of `line` (YAML counts characters).
pub(super) fn byte_at(line: &str, column: u32) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i)
}

/// Whether the key at `column` of `line` is written in block style (first on its line, or
/// after a list's dash), not inside a flow map `{…}`.
pub(super) fn is_block_key(line: &str, column: u32) -> bool {
    let before = line[..byte_at(line, column)].trim();
    before.is_empty() || before.chars().all(|c| c == '-' || c.is_whitespace())
}

/// Removes property `name` of `logical`, if it is there (in block style).
pub(super) fn remove_property(draft: &mut Draft, logical: &str, name: &str) -> Step {
    let Some(entry) = draft
        .resource(logical)
        .and_then(|r| r.value.get("Properties"))
        .and_then(|p| p.entry(name))
    else {
        return Ok(());
    };
    let (line, column) = (entry.key_pos.line as usize, entry.key_pos.column);
    if !is_block_key(draft.lines()[line - 1], column) {
        return Err(NotWritten::Layout(format!(
            "`{name}` of `{logical}` is inside a flow map `{{…}}`"
        )));
    }
    let end = draft.block_end(line, column as usize - 1);
    draft.edits.push(Edit::Replace {
        start: line,
        end,
        lines: Vec::new(),
    });
    Ok(())
}

/// ` # comment` at the end of a line, if any (kept when the value before it changes).
pub(super) fn comment_of(line: &str) -> String {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('#', None) if i > 0 && line[..i].ends_with(' ') => {
                let start = line[..i].trim_end().len();
                return line[start..].to_owned();
            }
            _ => {}
        }
    }
    String::new()
}

/// Where a list item starts: a map item at its first key (the map's own mark comes later).
pub(super) fn item_start(item: &Spanned) -> yaml::Pos {
    match &item.node {
        Node::Map(entries) if !entries.is_empty() => entries[0].key_pos,
        _ => item.pos,
    }
}

/// The item of the list property `name` of `logical` whose lines hold `line`: (item's
/// first line, last line, dash indentation).
pub(super) fn list_item(
    draft: &Draft,
    logical: &str,
    name: &str,
    line: usize,
) -> Option<(usize, usize, usize)> {
    let resource = draft.resource(logical)?;
    let list = resource.value.get("Properties")?.get(name)?;
    let Node::Seq(items) = &list.node else {
        return None;
    };
    for item in items {
        let at = item_start(item);
        let start = at.line as usize;
        let text = draft.lines()[start - 1];
        let dash = text[..byte_at(text, at.column)].rfind('-')?;
        let end = draft.block_end(start, dash);
        if (start..=end).contains(&line) {
            return Some((start, end, dash));
        }
    }
    None
}

/// Appends `item` (its lines for a dash at column `dash`) to list property `name`.
pub(super) fn append_item(
    draft: &mut Draft,
    logical: &str,
    name: &str,
    item: impl Fn(usize) -> Vec<String>,
) -> Step {
    let resource = draft.resource(logical).ok_or_else(|| {
        NotWritten::Elsewhere(format!("`{logical}` is not in the template any more"))
    })?;
    let Some(properties) = resource.value.entry("Properties") else {
        return Err(NotWritten::Elsewhere(format!(
            "`{logical}` has no `Properties` to add `{name}` to"
        )));
    };
    let edit = match properties.value.entry(name) {
        Some(list) => match &list.value.node {
            Node::Seq(items) if !items.is_empty() && list.value.pos.line != list.key_pos.line => {
                let key_line = list.key_pos.line as usize;
                let last = item_start(items.last().expect("not empty"));
                let start = last.line as usize;
                let text = draft.lines()[start - 1].to_owned();
                let dash = text[..byte_at(&text, last.column)]
                    .rfind('-')
                    .ok_or_else(|| NotWritten::Layout("a list item without a dash".to_owned()))?;
                let end = draft.block_end(start, dash);
                draft.added_to.push(key_line);
                Edit::Insert {
                    after: end,
                    lines: item(dash),
                }
            }
            _ => {
                return Err(NotWritten::Layout(format!(
                    "`{name}` of `{logical}` is not a block list"
                )));
            }
        },
        None => {
            let indent = child_indent(properties);
            let mut lines = vec![format!("{}{name}:", " ".repeat(indent))];
            lines.extend(item(indent + 2));
            Edit::Insert {
                after: properties.key_pos.line as usize,
                lines,
            }
        }
    };
    draft.edits.push(edit);
    Ok(())
}

/// Adds a resource at the end of `Resources`.
/// The indentation of the entries under map entry `parent`: its first child's, else two
/// more than its own.
pub(super) fn child_indent(parent: &yaml::Entry) -> usize {
    parent
        .value
        .entries()
        .first()
        .map_or(parent.key_pos.column as usize + 1, |e| {
            e.key_pos.column as usize - 1
        })
}

/// Returns the logical id given: `logical`, or with a number when the template has one.
pub(super) fn add_resource(
    draft: &mut Draft,
    logical: &str,
    body: Vec<String>,
) -> Result<String, NotWritten> {
    let taken = |id: &str, draft: &Draft| {
        draft.resource(id).is_some() || draft.added_ids.iter().any(|a| a == id)
    };
    let mut unique = logical.to_owned();
    let mut n = 2;
    while taken(&unique, draft) {
        unique = format!("{logical}{n}");
        n += 1;
    }
    let logical = unique.as_str();
    let resources = draft
        .doc
        .entry("Resources")
        .ok_or_else(|| NotWritten::Layout("no `Resources`".to_owned()))?;
    let last = resources
        .value
        .entries()
        .last()
        .ok_or_else(|| NotWritten::Layout("`Resources` is empty".to_owned()))?;
    let indent = last.key_pos.column as usize - 1;
    let end = draft.block_end(last.key_pos.line as usize, indent);
    let pad = " ".repeat(indent);
    let mut lines = vec![String::new(), format!("{pad}{logical}:")];
    lines.extend(body.into_iter().map(|l| format!("{pad}  {l}")));
    draft.edits.push(Edit::Insert { after: end, lines });
    draft.added_ids.push(unique.clone());
    Ok(unique)
}

/// A scalar as YAML writes it safely (quoted where YAML would read it otherwise).
pub(super) fn quoted(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@".contains(c))
        && !value.starts_with(['-', ':', '@'])
        && !matches!(
            value,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off"
        )
        && value.parse::<f64>().is_err();
    if plain {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
