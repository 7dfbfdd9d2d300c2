//! The version of each generated crate, and how a pin move moves it.
//!
//! `openapi/versions.toml` holds one version per generated crate;
//! `regen` writes them into the crates' manifests and into every
//! manifest that depends on them. `cargo xtask pin` moves them by semver
//! from the changelog's classification (see `diff`): while at 0.x a
//! breaking change bumps the minor version and an additive one the patch;
//! from 1.0 a breaking change bumps the major version and an additive one
//! the minor. A crate without changes keeps its version. The facade
//! (`crates/sailpoint`) moves by the largest move of its dependencies.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::diff::Effect;

pub const VERSIONS_TOML: &str = "openapi/versions.toml";
/// A crate that `versions.toml` does not list yet.
pub const FIRST: &str = "0.1.0";
/// The facade's manifest, whose `version` a pin move moves.
pub const FACADE_TOML: &str = "crates/sailpoint/Cargo.toml";

/// Package name → version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrateVersions(pub BTreeMap<String, String>);

impl CrateVersions {
    /// The version of `package` ([`FIRST`] when not listed).
    pub fn get(&self, package: &str) -> &str {
        self.0.get(package).map_or(FIRST, String::as_str)
    }

    /// Reads `openapi/versions.toml` (empty when absent).
    pub fn load(root: &Path) -> Result<CrateVersions> {
        let path = root.join(VERSIONS_TOML);
        let Ok(text) = std::fs::read_to_string(&path) else { return Ok(CrateVersions::default()) };
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(default)]
            crates: BTreeMap<String, String>,
        }
        let file: File = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        for (package, version) in &file.crates {
            parse(version).with_context(|| format!("{}: {package}", path.display()))?;
        }
        Ok(CrateVersions(file.crates))
    }

    pub fn render(&self) -> String {
        let mut out = String::from(
            "# The version of each generated crate. `cargo xtask pin` moves them by semver\n\
             # from openapi/CHANGES.md's classification; `cargo xtask regen` writes them\n\
             # into the manifests. A crate not listed is at 0.1.0.\n\n[crates]\n",
        );
        for (package, version) in &self.0 {
            out.push_str(&format!("{package} = {version:?}\n"));
        }
        out
    }
}

fn parse(version: &str) -> Result<(u64, u64, u64)> {
    let parts: Vec<&str> = version.split('.').collect();
    let [a, b, c] = parts[..] else { bail!("`{version}` is not MAJOR.MINOR.PATCH") };
    let n = |s: &str| s.parse::<u64>().with_context(|| format!("`{version}` is not MAJOR.MINOR.PATCH"));
    Ok((n(a)?, n(b)?, n(c)?))
}

/// `version` moved by a change of `effect`.
pub fn bump(version: &str, effect: Effect) -> Result<String> {
    let (major, minor, patch) = parse(version)?;
    Ok(match (major, effect) {
        (0, Effect::Breaking) => format!("0.{}.0", minor + 1),
        (0, Effect::Additive) => format!("0.{minor}.{}", patch + 1),
        (_, Effect::Breaking) => format!("{}.0.0", major + 1),
        (_, Effect::Additive) => format!("{major}.{}.0", minor + 1),
    })
}

/// Moves the facade's own `version` in its manifest by `effect`; returns
/// the old and new versions.
pub fn bump_facade(root: &Path, effect: Effect) -> Result<(String, String)> {
    let path = root.join(FACADE_TOML);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut doc: toml_edit::DocumentMut = text.parse().with_context(|| format!("parsing {}", path.display()))?;
    let old =
        doc["package"]["version"].as_str().with_context(|| format!("{} has no package.version", path.display()))?.to_string();
    let new = bump(&old, effect)?;
    doc["package"]["version"] = toml_edit::value(new.clone());
    std::fs::write(&path, doc.to_string()).with_context(|| format!("writing {}", path.display()))?;
    Ok((old, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_move_by_semver() {
        assert_eq!(bump("0.1.0", Effect::Breaking).unwrap(), "0.2.0");
        assert_eq!(bump("0.2.3", Effect::Breaking).unwrap(), "0.3.0");
        assert_eq!(bump("0.1.0", Effect::Additive).unwrap(), "0.1.1");
        assert_eq!(bump("1.4.2", Effect::Breaking).unwrap(), "2.0.0");
        assert_eq!(bump("1.4.2", Effect::Additive).unwrap(), "1.5.0");
        assert!(bump("1.x", Effect::Additive).is_err());
    }

    #[test]
    fn the_file_reads_back_and_unlisted_crates_are_first_versions() {
        let v = CrateVersions(BTreeMap::from([("sailpoint-v3".to_string(), "0.2.0".to_string())]));
        let dir = std::env::temp_dir().join(format!("xtask-versions-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("openapi")).unwrap();
        std::fs::write(dir.join(VERSIONS_TOML), v.render()).unwrap();
        let back = CrateVersions::load(&dir).unwrap();
        assert_eq!(back, v);
        assert_eq!(back.get("sailpoint-beta"), FIRST);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
