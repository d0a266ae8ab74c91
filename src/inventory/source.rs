//! Where a resource of an inventory read from a template was declared: the file, the
//! logical id, the line of each property that set a field, and the fields whose value
//! waits for an input nobody gave. Empty for inventories collected from an account.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcePos {
    pub line: u32,
    pub column: u32,
}

/// One element of a list field (an ingress rule, a listener action), found by its value:
/// the lists are sorted, so a position in them says nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceElement {
    pub field: String,
    pub value: serde_json::Value,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The resource's kind (`db_instance`) and ARN: its key in the index.
    pub kind: String,
    pub arn: String,
    /// The template, as given on the command line.
    pub file: String,
    pub logical_id: String,
    /// Where the resource's logical id is written.
    pub line: u32,
    pub column: u32,
    /// Field of the typed resource (`multi_az`) → the property that set it.
    #[serde(default)]
    pub fields: BTreeMap<String, SourcePos>,
    #[serde(default)]
    pub elements: Vec<SourceElement>,
    /// Field → the input it waits for (`parameter `DbMultiAz` (no default, no value
    /// given)`); `*` for every field, when the resource exists only under a condition that
    /// waits for one.
    #[serde(default)]
    pub unknowns: BTreeMap<String, String>,
}

impl Source {
    /// Where `field` (and, for a list, its element `element`) was set, else the resource.
    pub fn position_of(
        &self,
        field: Option<&str>,
        element: Option<&serde_json::Value>,
    ) -> SourcePos {
        let resource = SourcePos {
            line: self.line,
            column: self.column,
        };
        let Some(field) = field else {
            return resource;
        };
        if let Some(element) = element
            && let Some(found) = self
                .elements
                .iter()
                .find(|e| e.field == field && &e.value == element)
        {
            return SourcePos {
                line: found.line,
                column: found.column,
            };
        }
        self.fields.get(field).copied().unwrap_or(resource)
    }

    /// Why `field` is not known before deploy, if it is not.
    pub fn unknown(&self, field: &str) -> Option<&str> {
        self.unknowns
            .get(field)
            .or_else(|| self.unknowns.get("*"))
            .map(String::as_str)
    }
}
