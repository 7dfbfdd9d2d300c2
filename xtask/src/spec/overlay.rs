//! `openapi/experimental.toml`: operations SailPoint's documentation marks
//! experimental where the pinned spec does not (see the file's header).

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
}
