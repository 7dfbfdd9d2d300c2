//! `cargo xtask`: the generator of the SailPoint client crates.
//!
//! ```text
//! cargo xtask regen [--check] [--version NAME] [--specs DIR]
//! cargo xtask pin   [--version NAME] [--specs DIR]
//! cargo xtask mock-spec [--version NAME] [--specs DIR] [--out DIR]
//! cargo xtask test  [--specs DIR]
//! ```
//! `mock-spec` writes the documents the contract tests' Prism serves
//! (`target/prism/<version>.json` unless `--out` says otherwise).
//! `test` is the project's whole test command: `regen --check`, the
//! contract tests' setup (`npm ci` of the pinned Prism, `mock-spec`), then
//! `cargo test --workspace` (doctests included), then the demo.
//! The upstream specs are read from `--specs DIR`, else from the
//! `SAILPOINT_API_SPECS` environment variable (set to
//! `../shared/openapi/api-specs` by `.cargo/config.toml`).

mod bundle;
mod contract_calls;
mod generate;
mod metadata;
mod mock_spec;
mod multipart;
mod names;
mod open_enums;
mod pagination;
mod passes;
mod pin;
mod report;
mod response_decoding;
mod scaffold;
mod syntax;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};

struct Args {
    command: String,
    check: bool,
    version: Option<String>,
    specs: Option<PathBuf>,
    out: Option<PathBuf>,
}

const USAGE: &str = "usage: cargo xtask regen [--check] [--version NAME] [--specs DIR]\n       cargo xtask pin [--version NAME] [--specs DIR]\n       cargo xtask mock-spec [--version NAME] [--specs DIR] [--out DIR]\n       cargo xtask test [--specs DIR]";

/// Where `mock-spec` writes by default, relative to the workspace root; the
/// contract tests (`tests/tests/contract.rs`) read the same place.
const PRISM_DIR: &str = "target/prism";
/// The pinned Prism's `package.json` and lockfile.
const PRISM_PACKAGE_DIR: &str = "tests/prism";

fn parse_args() -> Result<Args> {
    let mut it = std::env::args().skip(1);
    let command = it.next().unwrap_or_default();
    let mut args = Args { command, check: false, version: None, specs: None, out: None };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => args.check = true,
            "--version" => args.version = Some(it.next().context("--version needs a NAME")?),
            "--specs" => args.specs = Some(it.next().context("--specs needs a DIR")?.into()),
            "--out" => args.out = Some(it.next().context("--out needs a DIR")?.into()),
            "-h" | "--help" => bail!("{USAGE}"),
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    Ok(args)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is in the workspace").to_path_buf()
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
    let mut stale = Vec::new();
    for name in selected(&specs, args)? {
        let t = Instant::now();
        let mut out = generate::version(&dir, &specs, &hashes, &name)?;
        if !root.join(pin::Version::crate_dir(&name)).join("Cargo.toml").exists() {
            eprintln!("{name}: new crate {}", pin::Version::crate_dir(&name));
            out.files.extend(scaffold::files(&name));
        }
        for (path, text) in &out.files {
            let full = root.join(path);
            let current = std::fs::read_to_string(&full).unwrap_or_default();
            if current == *text {
                continue;
            }
            if args.check {
                stale.push((path.clone(), current, text.clone()));
            } else {
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&full, text).with_context(|| format!("writing {}", full.display()))?;
            }
        }
        let lines: usize = out.files.iter().map(|(_, t)| t.lines().count()).sum();
        eprintln!("{name}: {} files, {lines} lines, {:.1} s", out.files.len(), t.elapsed().as_secs_f64());
    }
    if stale.is_empty() {
        return Ok(true);
    }
    for (path, old, new) in &stale {
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

fn pin_cmd(args: &Args) -> Result<()> {
    let root = workspace_root();
    let specs = pin::load(&root)?;
    let dir = specs_dir(args)?;
    let mut reached = BTreeMap::new();
    for name in specs.versions.keys() {
        let v = &specs.versions[name];
        reached.insert(name.clone(), generate::reached_files(&dir, &v.root)?);
    }
    if let Some(v) = &args.version {
        selected(&specs, args)?;
        eprintln!("pinning every version (the pin is one file); {v} included");
    }
    pin::write(&root, &specs, &reached)?;
    for (name, files) in &reached {
        eprintln!("{name}: {} files pinned", files.len());
    }
    Ok(())
}

/// Writes `<out>/<version>.json` for the selected versions.
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
    Ok(())
}

/// `npm ci` of the pinned Prism. Without npm the contract tests cannot run:
/// an error in CI (`CI=true`), a warning elsewhere (the tests then skip, loudly).
fn install_prism() -> Result<()> {
    let dir = workspace_root().join(PRISM_PACKAGE_DIR);
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status();
    let problem = match status {
        Ok(s) if s.success() => return Ok(()),
        Ok(s) => format!("`npm ci` in {} failed ({s})", dir.display()),
        Err(e) => format!("cannot run npm ({e}): install node 20 and npm to run the contract tests"),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        bail!("{problem}");
    }
    eprintln!("WARNING: {problem}; the contract tests will be skipped");
    Ok(())
}

/// `regen --check`, the contract tests' setup, then every test of the workspace.
fn test(args: &Args) -> Result<bool> {
    let check = Args { command: "regen".into(), check: true, version: None, specs: args.specs.clone(), out: None };
    if !regen(&check)? {
        return Ok(false);
    }
    eprintln!("setting up the contract tests: npm ci (Prism), cargo xtask mock-spec");
    install_prism()?;
    mock_spec(&Args { command: "mock-spec".into(), check: false, version: None, specs: args.specs.clone(), out: None })?;
    eprintln!("generated code is current; running cargo test --workspace");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["test", "--workspace"]).current_dir(workspace_root());
    if let Some(dir) = &args.specs {
        cmd.env("SAILPOINT_API_SPECS", std::path::absolute(dir)?);
    }
    if !cmd.status().context("running cargo test")?.success() {
        return Ok(false);
    }
    eprintln!("running the demo: cargo run --example quickstart");
    let mut demo = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    demo.args(["run", "--example", "quickstart"]).current_dir(workspace_root());
    // the demo must run against the mock tenant, whatever this machine's configuration
    for var in ["SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET", "SAIL_ACCESS_TOKEN"] {
        demo.env_remove(var);
    }
    Ok(demo.status().context("running the demo")?.success())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| match args.command.as_str() {
        "regen" => regen(&args),
        "pin" => pin_cmd(&args).map(|_| true),
        "mock-spec" => mock_spec(&args).map(|_| true),
        "test" => test(&args),
        _ => bail!("{USAGE}"),
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
