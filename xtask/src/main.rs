//! `cargo xtask`: the generator of the SailPoint client crates.
//!
//! ```text
//! cargo xtask regen [--check] [--version NAME] [--specs DIR]
//! cargo xtask pin   [--specs DIR] [--commit SHA]
//! cargo xtask pin-move-test --from DIR --commit SHA [--specs DIR]
//! cargo xtask mock-spec [--version NAME] [--specs DIR] [--out DIR]
//! cargo xtask test  [--specs DIR]
//! cargo xtask soak  [--seed N] [--small] [--write-benchmarks]
//! ```
//! `soak` builds and runs the fault soak (`crates/sailpoint-bench/src/bin/soak.rs`)
//! in release mode and prints its report.
//! `mock-spec` writes the documents the contract tests' Prism serves
//! (`target/prism/<version>.json` unless `--out` says otherwise).
//! `test` (in `ci.rs`, with `soak`) is the project's whole test command (what CI runs): formatting,
//! `regen --check`, clippy and rustdoc with warnings as errors, the facade
//! with each version feature alone, the contract tests' setup (`npm ci` of
//! the pinned Prism, `mock-spec`), then `cargo test --workspace` (doctests
//! included), then the demo.
//! The upstream specs are read from `--specs DIR`, else from the
//! `SAILPOINT_API_SPECS` environment variable (set to
//! `../shared/openapi/api-specs` by `.cargo/config.toml`).

mod changes;
mod ci;
mod emit;
mod generate;
mod names;
mod passes;
mod rewrites;
mod services;
mod spec;
mod syntax;
mod testgen;

use emit::scaffold;
use spec::pin;
use testgen::mock_spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use rayon::prelude::*;

#[derive(Default)]
struct Args {
    command: String,
    check: bool,
    version: Option<String>,
    specs: Option<PathBuf>,
    out: Option<PathBuf>,
    commit: Option<String>,
    from: Option<PathBuf>,
}

const USAGE: &str = "usage: cargo xtask regen [--check] [--version NAME] [--specs DIR]\n       cargo xtask pin [--specs DIR] [--commit SHA]\n       cargo xtask pin-move-test --from DIR --commit SHA [--specs DIR]\n       cargo xtask mock-spec [--version NAME] [--specs DIR] [--out DIR]\n       cargo xtask test [--specs DIR]\n       cargo xtask soak [--seed N] [--small] [--write-benchmarks]";

/// Where `mock-spec` writes by default, relative to the workspace root; the
/// contract tests (`tests/tests/contract.rs`) read the same place.
const PRISM_DIR: &str = "target/prism";
/// The pinned Prism's `package.json` and lockfile.
const PRISM_PACKAGE_DIR: &str = "tests/prism";

fn parse_args() -> Result<Args> {
    let mut it = std::env::args().skip(1);
    let command = it.next().unwrap_or_default();
    let mut args = Args { command, ..Args::default() };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => args.check = true,
            "--version" => args.version = Some(it.next().context("--version needs a NAME")?),
            "--specs" => args.specs = Some(it.next().context("--specs needs a DIR")?.into()),
            "--out" => args.out = Some(it.next().context("--out needs a DIR")?.into()),
            "--commit" => args.commit = Some(it.next().context("--commit needs a SHA")?),
            "--from" => args.from = Some(it.next().context("--from needs a DIR")?.into()),
            "-h" | "--help" => bail!("{USAGE}"),
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    Ok(args)
}

/// The checkout the xtask runs in: the nearest directory, from the current
/// one up, with `openapi/specs.toml` and `xtask/Cargo.toml`. Found at run
/// time, not compiled in: a binary built in one checkout (a shared
/// `CARGO_TARGET_DIR`) must never write into another.
fn workspace_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match find_root(&cwd) {
        Some(root) => root,
        None => {
            eprintln!("error: {} is not inside a sailpoint-rs checkout (no openapi/specs.toml above it)", cwd.display());
            std::process::exit(2)
        }
    }
}

fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|d| d.join(pin::SPECS_TOML).is_file() && d.join("xtask/Cargo.toml").is_file()).map(Path::to_path_buf)
}

fn specs_dir(args: &Args) -> Result<PathBuf> {
    let dir = match (&args.specs, std::env::var_os("SAILPOINT_API_SPECS")) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => PathBuf::from(d),
        (None, None) => bail!(
            "no specs directory: pass --specs DIR or set SAILPOINT_API_SPECS to a copy of \
             sailpoint-oss/api-specs (in this project: ../shared/openapi/api-specs)"
        ),
    };
    if !dir.join("idn").is_dir() {
        bail!(
            "specs directory {} does not exist or has no idn/ folder: pass --specs DIR (or set \
             SAILPOINT_API_SPECS) pointing at a copy of sailpoint-oss/api-specs at the pinned commit",
            dir.display()
        );
    }
    Ok(dir)
}

fn selected(specs: &pin::Specs, args: &Args) -> Result<Vec<String>> {
    match &args.version {
        Some(v) if specs.versions.contains_key(v) => Ok(vec![v.clone()]),
        Some(v) => bail!("no version `{v}` in {}; known: {:?}", pin::SPECS_TOML, specs.versions.keys().collect::<Vec<_>>()),
        None => Ok(specs.versions.keys().cloned().collect()),
    }
}

fn regen(args: &Args) -> Result<bool> {
    let root = workspace_root();
    let specs = pin::load(&root)?;
    let dir = specs_dir(args)?;
    let hashes = pin::load_file_hashes(&root)?;
    let experimental = spec::overlay::experimental(&root)?;
    let mut stale = Vec::new();
    // Every version is bundled, whichever are written: each is compared with the others.
    let mut bundles = generate::bundle_all(&dir, &specs)?;
    let docs: BTreeMap<String, serde_json::Value> = bundles.iter().map(|(n, b)| (n.clone(), b.doc.clone())).collect();
    let jobs = selected(&specs, args)?
        .into_iter()
        .map(|name| bundles.remove(&name).map(|b| (name.clone(), b)).ok_or_else(|| anyhow!("{name} was not bundled")))
        .collect::<Result<Vec<_>>>()?;
    // The versions are generated on every core at once, then the services
    // likewise; the files are written (or compared) afterwards, in order.
    let started = Instant::now();
    let versions = jobs
        .into_par_iter()
        .map(|(name, bundled)| {
            let t = Instant::now();
            let out = generate::version(&dir, &specs, &hashes, &experimental, &name, bundled, &docs)?;
            Ok((name, out.files, t.elapsed()))
        })
        .collect::<Result<Vec<_>>>()?;
    let versions_took = started.elapsed();
    let services = match &specs.services {
        Some(layout) if args.version.is_none() => services_files(&dir, &specs, layout, &hashes, &docs).map(Some),
        _ => Ok(None),
    };
    let count = versions.len();
    for (name, files, took) in versions {
        write_or_check(&root, &files, args.check, &mut stale)?;
        let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
        eprintln!("{name}: {} files, {lines} lines, {:.1} s", files.len(), took.as_secs_f64());
    }
    eprintln!(
        "{count} version(s) in {:.1} s of wall time (on {} threads)",
        versions_took.as_secs_f64(),
        rayon::current_num_threads()
    );
    let services = match services? {
        Some((found, files, took)) => {
            write_or_check(&root, &files, args.check, &mut stale)?;
            let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
            eprintln!("services: {} services, {} files, {lines} lines, {:.1} s", found.len(), files.len(), took.as_secs_f64());
            found
        }
        None => Vec::new(),
    };
    // The registry and the leftovers describe every version and service:
    // a run for one version (`--version`) leaves them as they are.
    if args.version.is_some() {
        if !args.check {
            update_lockfile(&root)?;
        }
        return report_stale(&stale);
    }
    let registry = emit::registry::files(&root, &specs, &services)?;
    write_or_check(&root, &registry, args.check, &mut stale)?;
    eprintln!("version registry: {} files ({} versions)", registry.len(), specs.versions.len());
    for path in emit::removed_versions::leftovers(&root, &specs, &services)? {
        if args.check {
            stale.push((
                path,
                "(a version no longer in openapi/specs.toml, or a service no longer upstream)\n".into(),
                "(removed)\n".into(),
            ));
        } else {
            eprintln!(
                "removed (its version is no longer in {}, or its service no longer upstream): {}",
                pin::SPECS_TOML,
                path.display()
            );
            let full = root.join(&path);
            if full.is_dir() { std::fs::remove_dir_all(&full) } else { std::fs::remove_file(&full) }
                .with_context(|| format!("removing {}", full.display()))?;
        }
    }
    if !args.check {
        update_lockfile(&root)?;
    }
    report_stale(&stale)
}

/// `true` when nothing is stale; otherwise prints each stale file's diff.
fn report_stale(stale: &[(PathBuf, String, String)]) -> Result<bool> {
    if stale.is_empty() {
        return Ok(true);
    }
    for (path, old, new) in stale {
        eprintln!("stale: {}", path.display());
        let diff = similar::TextDiff::from_lines(old, new);
        let text = diff.unified_diff().context_radius(2).header("committed", "regenerated").to_string();
        for line in text.lines().take(40) {
            eprintln!("    {line}");
        }
    }
    eprintln!("generated files are stale: run `cargo xtask regen` and commit the result");
    Ok(false)
}

/// The files of the per-service layout: the shared types' crate, then one
/// crate per service (generated in parallel, listed in order); with the
/// services found and the time it took.
type ServicesFiles = (Vec<spec::layout::Service>, Vec<(PathBuf, String)>, std::time::Duration);

fn services_files(
    dir: &Path,
    specs: &pin::Specs,
    layout: &pin::Layout,
    hashes: &BTreeMap<String, String>,
    year_docs: &BTreeMap<String, serde_json::Value>,
) -> Result<ServicesFiles> {
    let t = Instant::now();
    let services::Loaded { found, shared, bundles } = services::load(dir, layout, year_docs)?;
    services::verify_pin(dir, layout, &bundles, &shared, hashes)?;
    let (shared, mut files) = services::shared(specs, layout, shared)?;
    files.extend(scaffold::shared_files(specs));
    let per_service = bundles
        .into_par_iter()
        .map(|(service, bundled)| {
            let mut files = services::service(specs, layout, &service, bundled, &shared)?;
            files.extend(scaffold::service_files(specs, &service));
            Ok(files)
        })
        .collect::<Result<Vec<_>>>()?;
    files.extend(per_service.into_iter().flatten());
    Ok((found, files, t.elapsed()))
}

/// Brings `Cargo.lock` in line with the manifests regen wrote (a version
/// crate added or removed): `cargo update --workspace` changes the entries
/// of the workspace's own packages and nothing else, from the local index.
fn update_lockfile(root: &Path) -> Result<()> {
    let status = ci::cargo(&["update", "--workspace", "--offline", "--quiet"])
        .current_dir(root)
        .status()
        .context("running cargo update")?;
    if !status.success() {
        bail!("`cargo update --workspace` could not bring Cargo.lock in line with the manifests");
    }
    Ok(())
}

/// Writes each file whose contents differ, or with `check`, records it as
/// stale (path, committed, regenerated).
fn write_or_check(
    root: &Path,
    files: &[(PathBuf, String)],
    check: bool,
    stale: &mut Vec<(PathBuf, String, String)>,
) -> Result<()> {
    for (path, text) in files {
        let full = root.join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == *text {
            continue;
        }
        if check {
            stale.push((path.clone(), current, text.clone()));
        } else {
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&full, text).with_context(|| format!("writing {}", full.display()))?;
        }
    }
    Ok(())
}

/// Pins the upstream copy in the specs directory and regenerates. When the
/// copy is at another upstream commit than the pin (read from its git, or
/// `--commit`), the move is recorded: the API changes go to
/// `openapi/CHANGES.md`, the crates that changed move their versions (see
/// `changes`), and the manifests are written again with them.
fn pin_cmd(args: &Args) -> Result<bool> {
    let root = workspace_root();
    let specs = pin::load(&root)?;
    let dir = specs_dir(args)?;
    if args.version.is_some() {
        bail!("`pin` pins every version at once (the pin is one file): drop --version");
    }
    let commit = match &args.commit {
        Some(c) => {
            pin::check_commit(c)?;
            Some(c.to_lowercase())
        }
        None => pin::checkout_commit(&dir),
    };
    let mut reached = BTreeMap::new();
    for name in specs.versions.keys() {
        let v = &specs.versions[name];
        reached.insert(name.clone(), generate::reached_files(&dir, &v.root)?);
    }
    if let Some(layout) = &specs.services {
        let services::Loaded { shared, bundles, .. } = services::load(&dir, layout, &year_docs(&dir, &specs)?)?;
        reached.insert(pin::SERVICES_KEY.to_string(), services::reached_files(&dir, &bundles, &shared)?);
    }
    let from = specs.upstream.commit.clone();
    let to = match commit {
        Some(c) => c,
        None => {
            let pinned = pin::load_file_hashes(&root)?;
            let same = reached.values().flatten().all(|(f, h)| pinned.get(f) == Some(h));
            if !same {
                bail!(
                    "{} is not a git checkout and its files differ from the pin: pass --commit SHA, \
                     the upstream commit this copy was taken at",
                    dir.display()
                );
            }
            from.clone()
        }
    };
    let old = changes::load_all(&root)?;
    pin::write(&root, &specs, &reached, Some(&to))?;
    for (name, files) in &reached {
        eprintln!("{name}: {} files pinned", files.len());
    }
    let regen_args = Args { command: "regen".into(), specs: Some(dir), ..Args::default() };
    if !regen(&regen_args)? {
        return Ok(false);
    }
    if to == from {
        eprintln!("the upstream commit is unchanged ({from}): no API changes recorded");
        return Ok(true);
    }
    if old.is_empty() {
        eprintln!("no API surface was recorded before (openapi/*.api.txt): the next move will be compared with this one");
        return Ok(true);
    }
    let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let changed = changes::record(&root, &old, &changes::load_all(&root)?, (&from, &to, &date))?;
    eprintln!("upstream {from} → {to}: {changed} crate(s) changed; see {}", changes::changelog::CHANGES_MD);
    if changed > 0 {
        // The manifests again, with the versions that moved.
        return regen(&regen_args);
    }
    Ok(true)
}

/// Rehearses a pin move from `--from DIR` (at `--commit SHA`) to the
/// specs directory on a copy of the repository (see `changes::rehearsal`).
fn pin_move_test(args: &Args) -> Result<bool> {
    let from = args.from.as_ref().context("pin-move-test needs --from DIR, an older upstream copy")?;
    let commit = args.commit.as_ref().context("pin-move-test needs --commit SHA, the commit of the --from copy")?;
    // The pins run in a copy elsewhere: the directories must not be relative.
    let absolute = |d: &Path| std::fs::canonicalize(d).with_context(|| format!("{} does not exist", d.display()));
    changes::rehearsal::run(&workspace_root(), &absolute(from)?, commit, &absolute(&specs_dir(args)?)?)
}

/// Every year version's bundled document.
fn year_docs(dir: &Path, specs: &pin::Specs) -> Result<BTreeMap<String, serde_json::Value>> {
    Ok(generate::bundle_all(dir, specs)?.into_iter().map(|(n, b)| (n, b.doc)).collect())
}

/// Writes `<out>/<version>.json` for the selected versions (and
/// `<out>/services.json` for the layout, when all are).
fn mock_spec(args: &Args) -> Result<()> {
    let root = workspace_root();
    let specs = pin::load(&root)?;
    let dir = specs_dir(args)?;
    let hashes = pin::load_file_hashes(&root)?;
    let out = args.out.clone().unwrap_or_else(|| root.join(PRISM_DIR));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    for name in selected(&specs, args)? {
        let doc = mock_spec::document(&dir, &specs, &hashes, &name)?;
        let file = out.join(format!("{name}.json"));
        std::fs::write(&file, serde_json::to_vec(&doc)?).with_context(|| format!("writing {}", file.display()))?;
        eprintln!("{name}: {} ({} paths)", file.display(), doc["paths"].as_object().map_or(0, |p| p.len()));
    }
    if let Some(layout) = specs.services.as_ref().filter(|_| args.version.is_none()) {
        let services::Loaded { shared, bundles, .. } = services::load(&dir, layout, &year_docs(&dir, &specs)?)?;
        services::verify_pin(&dir, layout, &bundles, &shared, &hashes)?;
        let doc = mock_spec::services_document(&bundles);
        let file = out.join(format!("{}.json", mock_spec::SERVICES));
        std::fs::write(&file, serde_json::to_vec(&doc)?).with_context(|| format!("writing {}", file.display()))?;
        eprintln!("services: {} ({} paths)", file.display(), doc["paths"].as_object().map_or(0, |p| p.len()));
    }
    Ok(())
}

fn main() -> ExitCode {
    // The soak's own arguments go to the soak binary, which checks them.
    let soaking = std::env::args().nth(1).as_deref() == Some("soak");
    let result = if soaking {
        ci::soak()
    } else {
        parse_args().and_then(|args| match args.command.as_str() {
            "regen" => regen(&args),
            "pin" => pin_cmd(&args),
            "pin-move-test" => pin_move_test(&args),
            "mock-spec" => mock_spec(&args).map(|_| true),
            "test" => ci::test(&args),
            _ => bail!("{USAGE}"),
        })
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root is the checkout around the current directory, wherever the
    /// binary was built.
    #[test]
    fn the_root_is_found_at_run_time() {
        let base = std::env::temp_dir().join(format!("xtask-root-{}", std::process::id()));
        let deep = base.join("checkout/crates/sailpoint/src");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(base.join("checkout/openapi")).unwrap();
        std::fs::create_dir_all(base.join("checkout/xtask")).unwrap();
        std::fs::write(base.join("checkout").join(pin::SPECS_TOML), "").unwrap();
        std::fs::write(base.join("checkout/xtask/Cargo.toml"), "").unwrap();
        assert_eq!(find_root(&deep), Some(base.join("checkout")));
        assert_eq!(find_root(&base), None);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
