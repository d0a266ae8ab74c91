//! A CloudFormation template's text (YAML, or JSON, which YAML reads) as a tree whose every
//! node keeps its line and column, so that a finding can point at `MultiAZ: false`.
//!
//! The short-form tags become the long form here (`!Ref X` is `{Ref: X}`, `!GetAtt A.B` is
//! `{Fn::GetAtt: [A, B]}`), so the evaluator knows one spelling. Aliases are expanded with a
//! bound on the nodes they may add: a "billion laughs" document is refused, not expanded.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Counts the documents after the first (a template has none).
#[derive(Default)]
struct MultiDocuments {
    documents: usize,
    pos: Pos,
}

impl MarkedEventReceiver for MultiDocuments {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if event == Event::DocumentStart {
            if self.documents == 0 {
                self.pos = pos_of(&mark);
            }
            self.documents += 1;
        }
    }
}

/// Where a node starts: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A scalar's text; `plain` when unquoted (so `true`, `12` and `~` may be typed).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Spanned>),
    /// Keys in document order, each with its own position.
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Spanned,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub node: Node,
    pub pos: Pos,
}

impl Spanned {
    /// The entry `key` of a map node.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.node {
            Node::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Spanned> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.node {
            Node::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.node {
            Node::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A plain `~`, `null`, or nothing at all.
    pub fn is_null(&self) -> bool {
        matches!(&self.node, Node::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// A reason the text is not a template, with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Nodes the aliases of one document may add, all together: far more than a 1 MB template
/// can hold without aliases (about 200,000 nodes), far less than an alias bomb expands to.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Parses the first document of `text`.
pub fn parse(text: &str) -> Result<Spanned, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(error) = parser.load(&mut builder, false) {
        let mark = error.marker();
        return Err(SyntaxError {
            pos: pos_of(mark),
            message: error.info().to_owned(),
        });
    }
    // A template is one document: a second one would be silently ignored.
    let mut rest = MultiDocuments::default();
    if parser.load(&mut rest, false).is_ok() && rest.documents > 0 {
        return Err(SyntaxError {
            pos: rest.pos,
            message: "a template is one YAML document; this file holds several".to_owned(),
        });
    }
    if let Some(error) = builder.error {
        return Err(error);
    }
    builder.root.ok_or(SyntaxError {
        pos: Pos { line: 1, column: 1 },
        message: "the document is empty".to_owned(),
    })
}

fn pos_of(mark: &Marker) -> Pos {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Pos {
        line: mark.line() as u32,
        column: mark.col() as u32 + 1,
    }
}

/// A collection being built: its node so far, its anchor, and for maps the key awaiting
/// its value.
struct Open {
    node: Node,
    pos: Pos,
    anchor: usize,
    tag: Option<String>,
    pending_key: Option<(String, Pos)>,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, (Spanned, usize)>,
    alias_nodes: usize,
    root: Option<Spanned>,
    error: Option<SyntaxError>,
}

fn count(node: &Spanned) -> usize {
    1 + match &node.node {
        Node::Scalar { .. } => 0,
        Node::Seq(items) => items.iter().map(count).sum(),
        Node::Map(entries) => entries.iter().map(|e| count(&e.value)).sum(),
    }
}

/// A YAML tag a template cannot hold.
#[derive(Debug, thiserror::Error)]
enum TagError {
    #[error("unknown tag `{0}`")]
    Unknown(String),
    #[error(
        "`!{0}` is a Rain directive, not CloudFormation: judge the template `rain pkg` makes of it"
    )]
    Rain(String),
    #[error("`!GetAtt {0}` needs the form `Resource.Attribute`")]
    GetAttForm(String),
}

/// `!Ref X` → `{Ref: X}`, `!GetAtt A.B` → `{Fn::GetAtt: [A, B]}`, `!Sub …` → `{Fn::Sub: …}`.
fn apply_tag(tag: &str, node: Spanned) -> Result<Spanned, TagError> {
    // The functions of templates, then those of the `Rules` section.
    const FUNCTIONS: [&str; 24] = [
        "Base64",
        "Cidr",
        "FindInMap",
        "GetAtt",
        "GetAZs",
        "ImportValue",
        "Join",
        "Select",
        "Split",
        "Sub",
        "Transform",
        "And",
        "Equals",
        "If",
        "Not",
        "Or",
        "Length",
        "ToJsonString",
        "Contains",
        "EachMemberEquals",
        "EachMemberIn",
        "RefAll",
        "ValueOf",
        "ValueOfAll",
    ];
    let pos = node.pos;
    let key = match tag {
        "Ref" | "Condition" => tag.to_owned(),
        name if FUNCTIONS.contains(&name) => format!("Fn::{name}"),
        rain if rain.starts_with("Rain::") => {
            return Err(TagError::Rain(rain.to_owned()));
        }
        other => return Err(TagError::Unknown(format!("!{other}"))),
    };
    let value = match (&node.node, tag) {
        (Node::Scalar { text, .. }, "GetAtt") => match text.split_once('.') {
            Some((resource, attribute)) => Spanned {
                node: Node::Seq(vec![scalar(resource, pos), scalar(attribute, pos)]),
                pos,
            },
            None => {
                return Err(TagError::GetAttForm(text.clone()));
            }
        },
        _ => node,
    };
    Ok(Spanned {
        node: Node::Map(vec![Entry {
            key,
            key_pos: pos,
            value,
        }]),
        pos,
    })
}

fn scalar(text: &str, pos: Pos) -> Spanned {
    Spanned {
        node: Node::Scalar {
            text: text.to_owned(),
            plain: false,
        },
        pos,
    }
}

impl Builder {
    fn fail(&mut self, pos: Pos, message: String) {
        if self.error.is_none() {
            self.error = Some(SyntaxError { pos, message });
        }
    }

    /// The tag's local name for a CloudFormation tag (`!Ref`), `None` for YAML's own
    /// (`!!str`), an error for anything else.
    fn local_tag(tag: Option<yaml_rust2::parser::Tag>) -> Result<Option<String>, TagError> {
        match tag {
            None => Ok(None),
            // YAML's non-specific tag `!` makes a plain string, as CloudFormation reads it.
            Some(tag) if format!("{}{}", tag.handle, tag.suffix) == "!" => Ok(None),
            Some(tag) if tag.handle == "!" => Ok(Some(tag.suffix)),
            Some(tag) if tag.handle == "!!" || tag.handle.starts_with("tag:yaml.org") => Ok(None),
            Some(tag) => Err(TagError::Unknown(format!("{}{}", tag.handle, tag.suffix))),
        }
    }

    /// Places a finished node in its parent (or as the document).
    fn place(&mut self, node: Spanned, anchor: usize, tag: Option<String>) {
        let node = match tag {
            Some(tag) => {
                let pos = node.pos;
                match apply_tag(&tag, node) {
                    Ok(node) => node,
                    Err(error) => return self.fail(pos, error.to_string()),
                }
            }
            None => node,
        };
        if anchor > 0 {
            let size = count(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        match &mut parent.node {
            Node::Seq(items) => items.push(node),
            Node::Map(entries) => match parent.pending_key.take() {
                None => match &node.node {
                    Node::Scalar { text, .. } => {
                        if entries.iter().any(|e| &e.key == text) {
                            let message = format!("duplicate key `{text}`");
                            return self.fail(node.pos, message);
                        }
                        parent.pending_key = Some((text.clone(), node.pos));
                    }
                    _ => self.fail(node.pos, "a key must be a plain string".to_owned()),
                },
                Some((key, key_pos)) => entries.push(Entry {
                    key,
                    key_pos,
                    value: node,
                }),
            },
            Node::Scalar { .. } => unreachable!("scalars are never open"),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = pos_of(&mark);
        let is_seq = matches!(event, Event::SequenceStart(..));
        match event {
            Event::Scalar(text, style, anchor, tag) => match Self::local_tag(tag) {
                Ok(tag) => {
                    let plain = style == TScalarStyle::Plain;
                    let node = Spanned {
                        node: Node::Scalar { text, plain },
                        pos,
                    };
                    self.place(node, anchor, tag);
                }
                Err(error) => self.fail(pos, error.to_string()),
            },
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                let node = if is_seq {
                    Node::Seq(Vec::new())
                } else {
                    Node::Map(Vec::new())
                };
                match Self::local_tag(tag) {
                    Ok(tag) => self.stack.push(Open {
                        node,
                        pos,
                        anchor,
                        tag,
                        pending_key: None,
                    }),
                    Err(error) => self.fail(pos, error.to_string()),
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.stack.pop() {
                    let node = Spanned {
                        node: open.node,
                        pos: open.pos,
                    };
                    self.place(node, open.anchor, open.tag);
                }
            }
            Event::Alias(anchor) => match self.anchors.get(&anchor) {
                Some((node, size)) => {
                    self.alias_nodes += size;
                    if self.alias_nodes > MAX_ALIAS_NODES {
                        let message = format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)"
                        );
                        return self.fail(pos, message);
                    }
                    let mut node = node.clone();
                    node.pos = pos;
                    self.place(node, 0, None);
                }
                None => self.fail(pos, "an alias to no anchor".to_owned()),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let doc = parse("Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n").unwrap();
        let db = doc.entry("Resources").unwrap().value.entry("Db").unwrap();
        assert_eq!(db.key_pos, Pos { line: 2, column: 3 });
        let kind = db.value.entry("Type").unwrap();
        assert_eq!(
            kind.value.pos,
            Pos {
                line: 3,
                column: 11
            }
        );
    }

    #[test]
    fn short_tags_become_the_long_form() {
        let doc = parse("a: !GetAtt Lb.DNSName\nb: !Ref X\nc: !Sub '${X}'\n").unwrap();
        let a = doc.get("a").unwrap().get("Fn::GetAtt").unwrap();
        assert!(matches!(&a.node, Node::Seq(items) if items.len() == 2));
        assert_eq!(
            doc.get("b").unwrap().get("Ref").unwrap().as_str(),
            Some("X")
        );
        assert_eq!(
            doc.get("c").unwrap().get("Fn::Sub").unwrap().as_str(),
            Some("${X}")
        );
    }

    #[test]
    fn the_rules_sections_functions_and_the_non_specific_tag_are_read() {
        let doc = parse("a: !ValueOf [P, Attr]\nb: !EachMemberIn [x, y]\nc: ! plain\n").unwrap();
        assert!(doc.get("a").unwrap().get("Fn::ValueOf").is_some());
        assert!(doc.get("b").unwrap().get("Fn::EachMemberIn").is_some());
        assert_eq!(doc.get("c").unwrap().as_str(), Some("plain"));
    }

    #[test]
    fn json_reads_with_positions() {
        let doc = parse("{\n\t\"Resources\": {\"A\": {\"Type\": \"X\"}}\n}").unwrap();
        assert_eq!(doc.entry("Resources").unwrap().key_pos.line, 2);
    }

    #[test]
    fn bad_documents_are_refused_with_their_line() {
        let unknown = parse("a:\n  b: !Reff X\n").unwrap_err();
        assert_eq!(
            (unknown.pos.line, unknown.message.as_str()),
            (2, "unknown tag `!Reff`")
        );
        let rain = parse("a:\n  b: !Rain::Embed x.txt\n").unwrap_err();
        assert_eq!(
            (rain.pos.line, rain.message.as_str()),
            (
                2,
                "`!Rain::Embed` is a Rain directive, not CloudFormation: judge the template `rain pkg` makes of it"
            )
        );
        let duplicate = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(duplicate.pos.line, 3);
        assert!(parse("a: [1, 2\n").is_err());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (level, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!("{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
        }
        assert!(parse(&bomb).unwrap_err().message.contains("alias bomb"));
    }
}
