//! Snapshot files: an inventory saved as versioned JSON, and read back.
//!
//! Reading checks `schema_version` before anything else, so an old or future snapshot is
//! refused with that reason rather than a confusing field error. Writing goes through a
//! temporary file and a rename, so an interrupted write never leaves half a snapshot.

use std::path::{Path, PathBuf};

use crate::inventory::{Inventory, OLDEST_SCHEMA_VERSION, SCHEMA_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("snapshot `{path}` is not valid JSON: {source}")]
    Syntax {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("snapshot `{path}` has no numeric `schema_version` field")]
    MissingVersion { path: PathBuf },
    #[error(
        "snapshot `{path}` has schema_version {found}, this hacheck reads versions {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION}"
    )]
    WrongVersion { path: PathBuf, found: u64 },
    #[error("snapshot `{path}` does not match the inventory format at `{field}`: {source}")]
    Shape {
        path: PathBuf,
        /// Where in the document, e.g. `instances[0].state`.
        field: String,
        source: serde_json::Error,
    },
    #[error("cannot write snapshot `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The bundled example accounts (`--example NAME`), also the bases of the rules' test cases.
pub const EXAMPLES: [(&str, &str); 2] = [
    ("compliant", include_str!("../examples/compliant.json")),
    (
        "single-server",
        include_str!("../examples/single-server.json"),
    ),
];

/// A bundled example's snapshot text, by name.
pub fn example(name: &str) -> Option<&'static str> {
    EXAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// A bundled example's inventory, for tests: the examples are valid by construction (a
/// test of their own parses them).
#[cfg(test)]
pub(crate) fn example_inventory(name: &str) -> Inventory {
    parse(example(name).expect("a bundled example"), Path::new(name)).expect("it parses")
}

/// Reads a snapshot file.
pub fn read(path: &Path) -> Result<Inventory, SnapshotError> {
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Parses snapshot text; `origin` names it in errors.
pub fn parse(text: &str, origin: &Path) -> Result<Inventory, SnapshotError> {
    let path = || origin.to_owned();
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|source| SnapshotError::Syntax {
            path: path(),
            source,
        })?;
    let found = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| SnapshotError::MissingVersion { path: path() })?;
    if !(u64::from(OLDEST_SCHEMA_VERSION)..=u64::from(SCHEMA_VERSION)).contains(&found) {
        return Err(SnapshotError::WrongVersion {
            path: path(),
            found,
        });
    }
    // Deserialise from the text, not the value, so that errors carry line and column.
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut inventory: Inventory =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            SnapshotError::Shape {
                path: path(),
                field: error.path().to_string(),
                source: error.into_inner(),
            }
        })?;
    // An older version lacks only what later ones added: read, it is today's inventory.
    inventory.schema_version = SCHEMA_VERSION;
    inventory.normalize();
    Ok(inventory)
}

/// Serialises an inventory as pretty JSON with a final newline.
pub fn to_json(inventory: &Inventory) -> String {
    let mut text = serde_json::to_string_pretty(inventory).expect("inventory serialises");
    text.push('\n');
    text
}

/// Writes a snapshot atomically: to a temporary file beside `path`, then renamed over it.
pub fn write(inventory: &Inventory, path: &Path) -> Result<(), SnapshotError> {
    write_atomically(path, to_json(inventory).as_bytes()).map_err(|source| SnapshotError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Writes `bytes` to `path` through a temporary sibling file and a rename, so readers never
/// see a half-written file and a failed write leaves the old file untouched. A path that is
/// not a regular file (`/dev/null`, a pipe, `/dev/stdout`) or is a symbolic link is written
/// in place: renaming over it would replace the device or the link itself.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let special = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file());
    if special {
        return std::fs::write(path, bytes);
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(file_name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> &'static Path {
        Path::new("snap.json")
    }

    #[test]
    fn a_version_1_snapshot_reads_as_today_s_without_classic_load_balancers() {
        let text = crate::snapshot::example("compliant").unwrap().replacen(
            "\"schema_version\": 2",
            "\"schema_version\": 1",
            1,
        );
        assert!(text.contains("\"schema_version\": 1"));
        let old = parse(&text, origin()).unwrap();
        assert_eq!(old.schema_version, SCHEMA_VERSION);
        assert!(old.classic_load_balancers.is_empty());
        assert!(
            old.auto_scaling_groups
                .iter()
                .all(|g| g.load_balancer_names.is_empty())
        );
        let today = parse(crate::snapshot::example("compliant").unwrap(), origin()).unwrap();
        assert_eq!(old, today);
    }

    #[test]
    fn wrong_version_is_named() {
        let error = parse(r#"{"schema_version": 99}"#, origin()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "snapshot `snap.json` has schema_version 99, this hacheck reads versions 1 to 2"
        );
    }

    #[test]
    fn missing_version_is_named() {
        let error = parse(r#"{"account_id": "1"}"#, origin()).unwrap_err();
        assert!(
            matches!(error, SnapshotError::MissingVersion { .. }),
            "{error}"
        );
    }

    #[test]
    fn syntax_errors_carry_the_position() {
        let error = parse("{\n  \"schema_version\": 1,\n  oops\n}", origin()).unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
    }

    #[test]
    fn devices_and_links_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        write_atomically(Path::new("/dev/null"), b"{}").unwrap();
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );

        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        let link = dir.path().join("link.json");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    #[test]
    fn a_regular_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.json");
        std::fs::write(&path, "old and longer").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left"
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text =
            r#"{"schema_version":1,"account_id":"1","regions":[],"collected_at":"","vpcz":[]}"#;
        let error = parse(text, origin()).unwrap_err();
        assert!(
            error.to_string().contains("unknown field `vpcz`"),
            "{error}"
        );
    }
}
