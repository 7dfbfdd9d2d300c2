//! The pin: which upstream specs the generated crates are made from.
//!
//! `openapi/specs.toml` names the upstream repository and commit and, per
//! API version, the root file, the number of files the root reaches and a
//! sha256 over their list; `openapi/upstream.sha256` holds the sha256 of
//! each of those files (the `sha256sum` format), so a changed file can be
//! named. `cargo xtask pin` writes both after a new upstream copy has been
//! reviewed.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const SPECS_TOML: &str = "openapi/specs.toml";
pub const UPSTREAM_SHA256: &str = "openapi/upstream.sha256";

#[derive(Debug, Deserialize, Clone)]
pub struct Specs {
    pub upstream: Upstream,
    pub versions: BTreeMap<String, Version>,
    /// The per-service layout, if the project generates it.
    pub services: Option<Layout>,
    /// The generated crates' versions (`openapi/versions.toml`, read by [`load`]).
    #[serde(skip)]
    pub crate_versions: crate::changes::versions::CrateVersions,
}

/// The per-service layout: one directory holding a folder per service
/// (`<service>/openapi.yaml`) and the `shared/` folder they all refer to.
/// The services are found in it (see `spec::layout`); the pin covers every
/// file any of them reaches.
#[derive(Debug, Deserialize, Clone)]
pub struct Layout {
    /// The layout's directory, relative to the specs directory.
    pub dir: String,
    /// The services the facade enables by default (the README's first call uses one).
    #[serde(default)]
    pub default: Vec<String>,
    /// The services whose every operation the contract tests call.
    #[serde(default)]
    pub contract_seed: Vec<String>,
    /// How many files the services reach together; absent until pinned.
    pub files: Option<usize>,
    /// sha256 of those files' `sha256sum` lines, sorted; absent until pinned.
    pub sha256: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Upstream {
    pub repository: String,
    pub commit: String,
}

impl Upstream {
    /// `owner/name` of the repository's address.
    pub fn name(&self) -> String {
        let parts: Vec<&str> = self.repository.trim_end_matches('/').rsplit('/').take(2).collect();
        format!("{}/{}", parts.get(1).unwrap_or(&""), parts.first().unwrap_or(&""))
    }
}

#[derive(Debug, Deserialize, Clone)]
pub struct Version {
    /// The root document, relative to the specs directory.
    pub root: String,
    /// How many files the root reaches (itself included); absent until pinned.
    pub files: Option<usize>,
    /// sha256 of the reached files' `sha256sum` lines, sorted; absent until pinned.
    pub sha256: Option<String>,
}

/// What the pin says of one root or of the layout: the number of files and
/// their digest.
#[derive(Debug, Clone, Copy)]
pub struct Pinned<'a> {
    pub files: &'a Option<usize>,
    pub sha256: &'a Option<String>,
}

impl Version {
    pub fn pinned(&self) -> Pinned<'_> {
        Pinned { files: &self.files, sha256: &self.sha256 }
    }
}

impl Layout {
    pub fn pinned(&self) -> Pinned<'_> {
        Pinned { files: &self.files, sha256: &self.sha256 }
    }
}

impl Version {
    /// The crate generated for version `name`.
    pub fn crate_dir(name: &str) -> String {
        format!("crates/sailpoint-{name}")
    }
}

pub fn load(workspace: &Path) -> Result<Specs> {
    let path = workspace.join(SPECS_TOML);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut specs: Specs = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    specs.crate_versions = crate::changes::versions::CrateVersions::load(workspace)?;
    Ok(specs)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `(relative path, sha256)` of every file, sorted by path.
pub fn hash_files(specs_dir: &Path, files: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(specs_dir.join(f)).with_context(|| format!("reading {f}"))?;
        out.push((f.clone(), sha256_hex(&bytes)));
    }
    out.sort();
    Ok(out)
}

pub fn manifest_digest(hashes: &[(String, String)]) -> String {
    let lines: String = hashes.iter().map(|(f, h)| format!("{h}  {f}\n")).collect();
    sha256_hex(lines.as_bytes())
}

/// Reads `openapi/upstream.sha256` (empty when absent).
pub fn load_file_hashes(workspace: &Path) -> Result<BTreeMap<String, String>> {
    let path = workspace.join(UPSTREAM_SHA256);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(BTreeMap::new()) };
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let Some((hash, file)) = line.split_once("  ") else {
            bail!("{}:{}: expected `<sha256>  <path>`", path.display(), i + 1);
        };
        out.insert(file.to_string(), hash.to_string());
    }
    Ok(out)
}

/// Checks the files a root reached against the pin; the error says what
/// changed and what to do.
pub fn verify(name: &str, version: &Pinned, hashes: &[(String, String)], pinned_files: &BTreeMap<String, String>) -> Result<()> {
    let Pinned { files, sha256 } = *version;
    let Some(expected) = sha256 else {
        bail!("version {name} has no pinned hash in {SPECS_TOML}: review the upstream copy, then run `cargo xtask pin`");
    };
    if manifest_digest(hashes) == *expected && *files == Some(hashes.len()) {
        return Ok(());
    }
    let mut problems = Vec::new();
    for (f, h) in hashes {
        match pinned_files.get(f) {
            None => problems.push(format!("{f} is new")),
            Some(p) if p != h => problems.push(format!("{f} changed (sha256 {h}, pinned {p})")),
            _ => {}
        }
    }
    if problems.is_empty() {
        problems.push(format!("the set of files reached differs ({} now, {:?} pinned)", hashes.len(), files));
    }
    bail!(
        "the upstream spec files for {name} differ from the pin in {SPECS_TOML}: {}{}.\n\
         If this upstream copy is the one you want, review the change, then run `cargo xtask pin --specs DIR` (it regenerates).",
        problems.iter().take(5).cloned().collect::<Vec<_>>().join("; "),
        if problems.len() > 5 { format!(" and {} more", problems.len() - 5) } else { String::new() }
    )
}

/// The key of the services' files in what `write` is given.
pub const SERVICES_KEY: &str = "[services]";

/// Writes the `files` and `sha256` of each version's table and of
/// `[services]` in `specs.toml`, for the files each reached (the services'
/// under [`SERVICES_KEY`]), the upstream `commit` when given, and
/// `upstream.sha256`. The rest of `specs.toml` (comments, `default`,
/// `contract_seed`) is kept as written.
pub fn write(
    workspace: &Path,
    specs: &Specs,
    reached: &BTreeMap<String, Vec<(String, String)>>,
    commit: Option<&str>,
) -> Result<()> {
    let path = workspace.join(SPECS_TOML);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let toml = with_hashes(&text, specs, reached, commit)?;
    std::fs::write(&path, toml)?;
    let all: BTreeMap<&String, &String> = reached.values().flatten().map(|(f, h)| (f, h)).collect();
    let lines: String = all.iter().map(|(f, h)| format!("{h}  {f}\n")).collect();
    std::fs::write(workspace.join(UPSTREAM_SHA256), lines)?;
    Ok(())
}

/// `text` (a `specs.toml`) with `files` and `sha256` set in the table of
/// each version and of the services that reached files, and the upstream
/// `commit` when given.
fn with_hashes(
    text: &str,
    specs: &Specs,
    reached: &BTreeMap<String, Vec<(String, String)>>,
    commit: Option<&str>,
) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().with_context(|| format!("parsing {SPECS_TOML}"))?;
    if let Some(commit) = commit {
        let upstream = doc.get_mut("upstream").and_then(|u| u.as_table_like_mut());
        upstream.with_context(|| format!("{SPECS_TOML} has no [upstream] table"))?.insert("commit", toml_edit::value(commit));
    }
    let mut tables: Vec<(&str, Vec<&str>)> = specs.versions.keys().map(|v| (v.as_str(), vec!["versions", v.as_str()])).collect();
    if specs.services.is_some() {
        tables.push((SERVICES_KEY, vec!["services"]));
    }
    for (key, path) in tables {
        let Some(hashes) = reached.get(key) else { continue };
        let mut item = doc.as_item_mut();
        for part in &path {
            item = item.get_mut(part).with_context(|| format!("{SPECS_TOML} has no [{}]", path.join(".")))?;
        }
        let table = item.as_table_like_mut().with_context(|| format!("[{}] in {SPECS_TOML} is not a table", path.join(".")))?;
        table.insert("files", toml_edit::value(i64::try_from(hashes.len())?));
        table.insert("sha256", toml_edit::value(manifest_digest(hashes)));
    }
    Ok(doc.to_string())
}

/// A full upstream commit id: 40 hexadecimal digits.
pub fn check_commit(commit: &str) -> Result<()> {
    if commit.len() != 40 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("`{commit}` is not a commit id (40 hexadecimal digits)");
    }
    Ok(())
}

/// The commit a specs directory is checked out at, when it is the top of
/// a git checkout (`git rev-parse HEAD` there); `None` otherwise, and for
/// a plain copy that merely sits inside another repository.
pub fn checkout_commit(specs_dir: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git").arg("-C").arg(specs_dir).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = std::fs::canonicalize(git(&["rev-parse", "--show-toplevel"])?).ok()?;
    if top != std::fs::canonicalize(specs_dir).ok()? {
        return None;
    }
    let commit = git(&["rev-parse", "HEAD"])?.to_lowercase();
    check_commit(&commit).is_ok().then_some(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning_keeps_what_it_does_not_write() {
        let text = "# why\n[upstream]\nrepository = \"r\"\ncommit = \"c\"\n\n[versions.v3]\nroot = \"v3.yaml\"\n\n\
                    [versions.v2025]\nroot = \"v2025.yaml\"\n\n[services]\ndir = \"apis\"\n# seed\n\
                    contract_seed = [\"sources\"]\nfiles = 1\nsha256 = \"old\"\n";
        let specs: Specs = toml::from_str(text).unwrap();
        let reached: BTreeMap<String, Vec<(String, String)>> = [
            ("v2025".to_string(), vec![("a.yaml".to_string(), "h1".to_string())]),
            (SERVICES_KEY.to_string(), vec![("b.yaml".to_string(), "h2".to_string())]),
        ]
        .into();
        let out = with_hashes(text, &specs, &reached, Some("0123456789abcdef0123456789abcdef01234567")).unwrap();
        let pinned: Specs = toml::from_str(&out).unwrap();
        assert_eq!(pinned.versions["v2025"].files, Some(1), "{out}");
        assert_eq!(pinned.upstream.commit, "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(pinned.versions["v3"].files, None, "{out}");
        let services = pinned.services.unwrap();
        assert_eq!(services.contract_seed, ["sources"]);
        assert_ne!(services.sha256.as_deref(), Some("old"));
        for kept in ["# why", "# seed"] {
            assert!(out.contains(kept), "{out}");
        }
    }

    #[test]
    fn a_commit_is_forty_hex_digits() {
        check_commit("81ef79d05e43806f9083f42015a2a359bbd76e1f").unwrap();
        for bad in ["81ef79d", "main", "81ef79d05e43806f9083f42015a2a359bbd76e1g"] {
            assert!(check_commit(bad).is_err(), "{bad}");
        }
        assert_eq!(checkout_commit(&std::env::temp_dir().join("no-such-checkout")), None);
    }

    #[test]
    fn verify_names_the_changed_file() {
        let hashes = vec![("a.yaml".to_string(), "11".to_string()), ("b.yaml".to_string(), "22".to_string())];
        let v = Version { root: "a.yaml".into(), files: Some(2), sha256: Some(manifest_digest(&hashes)) };
        let pinned = BTreeMap::from([("a.yaml".to_string(), "11".to_string()), ("b.yaml".to_string(), "22".to_string())]);
        verify("v", &v.pinned(), &hashes, &pinned).unwrap();
        let changed = vec![("a.yaml".to_string(), "11".to_string()), ("b.yaml".to_string(), "33".to_string())];
        let err = verify("v", &v.pinned(), &changed, &pinned).unwrap_err().to_string();
        assert!(err.contains("b.yaml changed") && err.contains("cargo xtask pin"), "{err}");
        let unpinned = Version { root: "a.yaml".into(), files: None, sha256: None };
        assert!(verify("v", &unpinned.pinned(), &hashes, &pinned).unwrap_err().to_string().contains("cargo xtask pin"));
    }
}
