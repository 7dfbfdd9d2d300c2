//! The per-service layout (`[services]` in `openapi/specs.toml`): which
//! services it holds. Nothing lists them: every folder of the layout's
//! directory with an `openapi.yaml` is a service, so a service that appears
//! upstream needs no configuration, and one that disappears takes its crate
//! with it at the next regen (`emit::removed_versions`), which says so.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::spec::pin::Layout;

/// The folder of the layout the services share (`idn/apis/shared/`).
pub const SHARED: &str = "shared";

/// One service of the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Its folder's name (`password-sync-groups`), which names its crate
    /// (`sailpoint-password-sync-groups`) and its facade feature.
    pub name: String,
    /// Its document, relative to the specs directory.
    pub root: String,
}

impl Service {
    /// The crate generated for the service.
    pub fn crate_dir(&self) -> String {
        format!("crates/services/{}", self.name)
    }

    /// Its crate's package name.
    pub fn package(&self) -> String {
        format!("sailpoint-{}", self.name)
    }
}

/// The crate of the types every service shares (from `shared/schemas/`).
pub const SHARED_CRATE_DIR: &str = "crates/services/shared";
/// That crate's package name.
pub const SHARED_PACKAGE: &str = "sailpoint-shared";

/// The services of `layout`, sorted by name.
pub fn services(specs_dir: &Path, layout: &Layout) -> Result<Vec<Service>> {
    let dir = specs_dir.join(&layout.dir);
    let entries = std::fs::read_dir(&dir).with_context(|| format!("reading the services' directory {}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == SHARED || !entry.path().join("openapi.yaml").is_file() {
            continue;
        }
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            bail!("service folder `{name}` in {}: expected lowercase letters, digits and `-`", dir.display());
        }
        out.push(Service { root: format!("{}/{name}/openapi.yaml", layout.dir.trim_end_matches('/')), name });
    }
    if out.is_empty() {
        bail!("{} holds no service (no <service>/openapi.yaml)", dir.display());
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The schema files of `shared/`, relative to the specs directory, sorted.
pub fn shared_schema_files(specs_dir: &Path, layout: &Layout) -> Result<Vec<String>> {
    let rel = format!("{}/{SHARED}/schemas", layout.dir.trim_end_matches('/'));
    let dir = specs_dir.join(&rel);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            out.push(format!("{rel}/{name}"));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_service_folder_and_skips_shared() {
        let root = std::env::temp_dir().join(format!("xtask-layout-{}", std::process::id()));
        for (path, text) in [
            ("apis/sources/openapi.yaml", "openapi: 3.0.1\n"),
            ("apis/accounts/openapi.yaml", "openapi: 3.0.1\n"),
            ("apis/shared/schemas/a.yaml", "type: string\n"),
            ("apis/notes/README.md", ""),
        ] {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let layout = Layout { dir: "apis".into(), default: Vec::new(), contract_seed: Vec::new(), files: None, sha256: None };
        let found = services(&root, &layout).unwrap();
        let shared = shared_schema_files(&root, &layout).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["accounts", "sources"]);
        assert_eq!(found[1].root, "apis/sources/openapi.yaml");
        assert_eq!(found[1].crate_dir(), "crates/services/sources");
        assert_eq!(shared, ["apis/shared/schemas/a.yaml"]);
    }
}
