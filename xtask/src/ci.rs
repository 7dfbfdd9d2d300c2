//! The project's whole test command (`cargo xtask test`, what CI runs)
//! and the fault soak (`cargo xtask soak`): the steps, in order, each a
//! cargo (or npm) command run from the workspace root.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::spec::pin;
use crate::{Args, PRISM_PACKAGE_DIR, emit, mock_spec, regen, workspace_root};

/// `npm ci` of the pinned Prism. Without npm the contract tests cannot run:
/// an error in CI (`CI=true`), a warning elsewhere (the tests then skip, loudly).
fn install_prism() -> Result<()> {
    let dir = workspace_root().join(PRISM_PACKAGE_DIR);
    let status =
        std::process::Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir).status();
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

/// A `cargo` command in the workspace root, `--locked`.
pub(crate) fn cargo(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args).current_dir(workspace_root());
    // A CI run starts from a fresh clone and never reuses incremental
    // state: writing it only slows every compile (42 s against 47 s for
    // sailpoint-v3).
    if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
    cmd
}

/// Runs `cmd`; false (after saying which step) when it fails.
fn step(what: &str, mut cmd: std::process::Command) -> Result<bool> {
    eprintln!("== {what}");
    let t = Instant::now();
    let ok = cmd.status().with_context(|| format!("running {what}"))?.success();
    eprintln!("== {what}: {} in {:.0} s", if ok { "ok" } else { "FAILED" }, t.elapsed().as_secs_f64());
    Ok(ok)
}

/// The workspace's hand-written packages: every member but the generated
/// version crates.
/// The workspace's packages: `(hand-written, generated)`. A generated one
/// is a manifest the xtask wrote (its first line says so): the version and
/// service crates.
fn workspace_packages() -> Result<(Vec<String>, Vec<String>)> {
    let out = cargo(&["metadata", "--no-deps", "--format-version", "1", "--locked"]).output().context("cargo metadata")?;
    if !out.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let (mut hand, mut generated) = (Vec::new(), Vec::new());
    for p in meta["packages"].as_array().into_iter().flatten() {
        let (Some(name), Some(manifest)) = (p["name"].as_str(), p["manifest_path"].as_str()) else { continue };
        let text = std::fs::read_to_string(manifest).with_context(|| format!("reading {manifest}"))?;
        if text.starts_with(emit::removed_versions::MANIFEST_MARK) { &mut generated } else { &mut hand }.push(name.to_string());
    }
    Ok((hand, generated))
}

/// The project's whole test command, in order: formatting, `regen
/// --check`, clippy (`-D warnings`) on the hand-written crates, rustdoc
/// (`-D warnings`) of the facade (with every version) and the runtime,
/// clippy on the facade with its default features, with one version
/// feature alone, with `all-services` alone and with none, each year crate with no feature
/// and with its `sources` feature alone (`cargo check`), the contract
/// tests' setup, then `cargo test --workspace` (doctests included) and the
/// demo, whose binary that same build made (the generated crates compile
/// in full once). Every cargo step is `--locked`.
pub fn test(args: &Args) -> Result<bool> {
    let root = workspace_root();
    let specs = pin::load(&root)?;
    let (packages, generated) = workspace_packages()?;
    let mut fmt = cargo(&["fmt", "--check"]);
    for p in &packages {
        fmt.args(["-p", p]);
    }
    if !step("cargo fmt --check (hand-written crates)", fmt)? {
        return Ok(false);
    }
    let check = Args { command: "regen".into(), check: true, specs: args.specs.clone(), ..Args::default() };
    eprintln!("== cargo xtask regen --check");
    if !regen(&check)? {
        return Ok(false);
    }
    let mut clippy = cargo(&["clippy", "--locked", "--workspace", "--all-targets"]);
    for g in &generated {
        clippy.args(["--exclude", g]);
    }
    clippy.args(["--", "-D", "warnings"]);
    if !step("cargo clippy (hand-written crates, -D warnings)", clippy)? {
        return Ok(false);
    }
    // With every version (none is a default): every version module's docs.
    let mut doc = cargo(&[
        "doc",
        "--locked",
        "--no-deps",
        "-p",
        "sailpoint",
        "-p",
        "sailpoint-runtime",
        "--features",
        "sailpoint/all-versions,sailpoint/trigger-receiver",
    ]);
    doc.env("RUSTDOCFLAGS", "-D warnings");
    if !step("cargo doc (facade and runtime, -D warnings)", doc)? {
        return Ok(false);
    }
    // Checked by clippy, with its defaults, with no feature, with one
    // version alone (the facade's version modules are generated alike for
    // every version) and with `all-services` alone. Each check that turns
    // on a year crate checks it again: these runs select the facade alone,
    // whose dependencies' features (tokio's) differ from the workspace's.
    let all_services = "all-services".to_string();
    let services = specs.services.as_ref().map(|_| &all_services);
    let defaults = "default".to_string();
    let features: Vec<Option<&String>> =
        [Some(&defaults), None].into_iter().chain(specs.versions.keys().next().map(Some)).chain(services.map(Some)).collect();
    for feature in features {
        let mut c = cargo(&["clippy", "--locked", "-p", "sailpoint", "--lib", "--no-default-features"]);
        if let Some(f) = feature {
            c.args(["--features", f]);
        }
        c.args(["--", "-D", "warnings"]);
        let name = match feature {
            Some(f) if *f == defaults => "its default features".to_string(),
            Some(f) => format!("feature {f} alone"),
            None => "no feature".to_string(),
        };
        if !step(&format!("the facade with {name} (-D warnings)"), c)? {
            return Ok(false);
        }
    }
    // A year crate with no feature (what the mock uses), with the
    // `sources` tag alone, and with `triggers` alone where it has one (its
    // `events` module): the types a tag reaches are all there (see
    // `tag_features`).
    for version in specs.versions.keys() {
        let manifest =
            std::fs::read_to_string(workspace_root().join(format!("crates/sailpoint-{version}/Cargo.toml"))).unwrap_or_default();
        let triggers = manifest.lines().any(|l| l.starts_with("triggers = "));
        for features in ["", "sources", "triggers"] {
            if features == "triggers" && !triggers {
                continue;
            }
            let package = format!("sailpoint-{version}");
            let mut c = cargo(&["check", "--locked", "-p", &package, "--no-default-features"]);
            if !features.is_empty() {
                c.args(["--features", features]);
            }
            let with = if features.is_empty() { "no feature".to_string() } else { format!("feature {features} alone") };
            if !step(&format!("{package} with {with}"), c)? {
                return Ok(false);
            }
        }
    }
    eprintln!("== setting up the contract tests: npm ci (Prism), cargo xtask mock-spec");
    install_prism()?;
    mock_spec(&Args { command: "mock-spec".into(), specs: args.specs.clone(), ..Args::default() })?;
    let specs_env = args.specs.as_ref().map(std::path::absolute).transpose()?;
    let with_specs = |mut cmd: std::process::Command| {
        if let Some(dir) = &specs_env {
            cmd.env("SAILPOINT_API_SPECS", dir);
        }
        cmd
    };
    let demo = build_tests_and_demo(with_specs(cargo(&["test", "--locked", "--workspace", "--no-run"])))?;
    if !step("cargo test --workspace", with_specs(cargo(&["test", "--locked", "--workspace"])))? {
        return Ok(false);
    }
    let mut run = std::process::Command::new(&demo);
    run.current_dir(&root);
    // the demo must run against the mock tenant, whatever this machine's configuration
    for var in ["SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET", "SAIL_ACCESS_TOKEN"] {
        run.env_remove(var);
    }
    step("the demo (cargo run --example quickstart)", run)
}

/// Builds every test (and example) of the workspace; returns the path of
/// the demo's binary (`quickstart`), which the build reports.
fn build_tests_and_demo(mut build: std::process::Command) -> Result<PathBuf> {
    eprintln!("== cargo test --workspace --no-run");
    let t = Instant::now();
    build.args(["--message-format", "json-render-diagnostics"]).stderr(std::process::Stdio::inherit());
    let out = build.output().context("building the tests")?;
    if !out.status.success() {
        bail!("building the tests failed");
    }
    let demo = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "quickstart")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("the build made no `quickstart` example binary")?;
    eprintln!("== built in {:.0} s; the demo is {}", t.elapsed().as_secs_f64(), demo.display());
    Ok(demo)
}

/// `cargo xtask soak [ARGS]`: the fault soak in release mode, its
/// arguments passed on.
pub fn soak() -> Result<bool> {
    let mut run = cargo(&["run", "--locked", "--release", "-p", "sailpoint-bench", "--bin", "soak", "--"]);
    run.args(std::env::args().skip(2));
    step("the fault soak (sailpoint-bench, release)", run)
}
