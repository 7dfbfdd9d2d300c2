//! Our own input beside the pinned specs (each file's header says why):
//! - `openapi/experimental.toml`: operations SailPoint's documentation
//!   marks experimental where the pinned spec does not;
//! - `openapi/trigger-ids.toml`: event trigger ids the specs do not give.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

pub const EXPERIMENTAL_TOML: &str = "openapi/experimental.toml";

/// One listed operation.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Experimental {
    /// The API version (a key of `openapi/specs.toml`).
    pub version: String,
    /// Its `operationId`.
    pub id: String,
    /// The page that marks it experimental.
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    operation: Vec<Experimental>,
}

/// The listed operations; none when the file does not exist.
pub fn experimental(workspace: &Path) -> Result<Vec<Experimental>> {
    let path = workspace.join(EXPERIMENTAL_TOML);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(Vec::new()) };
    let file: File = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(file.operation)
}

/// One listed trigger id.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TriggerId {
    /// The trigger's payload schema, as the year roots name it.
    pub payload: String,
    /// The trigger's id.
    pub id: String,
    /// Where the id comes from.
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerIds {
    #[serde(default)]
    trigger: Vec<TriggerId>,
}

/// `openapi/trigger-ids.toml`, compiled into xtask: the `trigger-ids` pass
/// reads the document alone, for the year versions and the services alike.
const TRIGGER_IDS_TOML: &str = include_str!("../../../openapi/trigger-ids.toml");

/// The listed trigger ids.
pub fn trigger_ids() -> &'static [TriggerId] {
    static PARSED: std::sync::OnceLock<Vec<TriggerId>> = std::sync::OnceLock::new();
    // A test below parses the committed file, so a broken edit fails `cargo test` before any regen.
    PARSED.get_or_init(|| {
        toml::from_str::<TriggerIds>(TRIGGER_IDS_TOML).unwrap_or_else(|e| panic!("openapi/trigger-ids.toml: {e}")).trigger
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_overlay_parses_and_names_known_versions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let specs = crate::spec::pin::load(&root).unwrap();
        let listed = experimental(&root).unwrap();
        assert!(!listed.is_empty());
        for e in &listed {
            assert!(specs.versions.contains_key(&e.version), "{e:?}: no such version");
            assert!(e.source.starts_with("https://developer.sailpoint.com/"), "{e:?}: a SailPoint page");
        }
        assert!(toml::from_str::<File>("[[operation]]\nversion = \"v3\"\nid = \"x\"\nsource = \"s\"\nextra = 1\n").is_err());
    }

    #[test]
    fn the_committed_trigger_ids_parse() {
        let file: TriggerIds = toml::from_str(TRIGGER_IDS_TOML).unwrap();
        assert!(!file.trigger.is_empty());
        assert_eq!(trigger_ids(), file.trigger.as_slice());
        for t in &file.trigger {
            assert!(t.id.starts_with("idn:") && !t.source.is_empty(), "{t:?}");
        }
        assert!(toml::from_str::<TriggerIds>("[[trigger]]\npayload = \"A\"\nid = \"idn:a\"\nsource = \"s\"\nx = 1\n").is_err());
    }
}
