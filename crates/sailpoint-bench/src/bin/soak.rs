//! `cargo xtask soak [--seed N] [--small] [--write-benchmarks]`: the fault soak
//! (`sailpoint_bench::soak`). The mock tenant runs in a child process (this
//! binary with `--serve-mock`), so that the client's peak memory is this
//! process's alone. Prints the report as Markdown; exits 1 when anything
//! was lost or duplicated without an error to the caller, or when the full
//! run falls short of its goals (1,000,000 items, 10,000 faults). With
//! `--write-benchmarks`, the report replaces the "Fault soak" section of
//! `BENCHMARKS.md` in the current directory (the workspace root, under
//! `cargo xtask`).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, ExitCode, Stdio};

use sailpoint_bench::soak::{self, Plan, Report, TenantState};

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: soak [--seed N] [--small] [--write-benchmarks]";

/// The heading of the soak's section in `BENCHMARKS.md` (`bench/run.py`
/// keeps it when it rewrites the file).
const HEADING: &str = "## Fault soak";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = if args.first().map(String::as_str) == Some("--serve-mock") {
        runtime.block_on(serve_mock(args.get(1).map(String::as_str).unwrap_or_default())).map(|()| ExitCode::SUCCESS)
    } else {
        runtime.block_on(soak_run(&args))
    };
    result.unwrap_or_else(|e| {
        eprintln!("soak: {e}");
        ExitCode::FAILURE
    })
}

/// The child: a mock tenant for `plan`, seeded; prints `URL CLIENT_ID
/// SECRET`, and when its standard input closes, the tenant's state as JSON.
async fn serve_mock(plan: &str) -> Fallible<()> {
    let plan: Plan = serde_json::from_str(plan)?;
    let mock = sailpoint_mock::MockTenant::start(plan.mock_config()).await?;
    plan.seed_tenant(&mock);
    println!("{} {} {}", mock.url(), mock.client_id(), mock.client_secret());
    std::io::stdout().flush()?;
    tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink())).await??;
    serde_json::to_writer(std::io::stdout(), &TenantState::of(&mock))?;
    Ok(())
}

async fn soak_run(args: &[String]) -> Fallible<ExitCode> {
    let (mut seed, mut small, mut write) = (1u64, false, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => seed = args.next().ok_or(USAGE)?.parse().map_err(|_| USAGE)?,
            "--small" => small = true,
            "--write-benchmarks" => write = true,
            _ => return Err(USAGE.into()),
        }
    }
    let plan = if small { Plan::small(seed) } else { Plan::full(seed) };
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--serve-mock", &serde_json::to_string(&plan)?])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout from the mock")?);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    let mut fields = line.split_whitespace();
    let (Some(url), Some(id), Some(secret)) = (fields.next(), fields.next(), fields.next()) else {
        return Err(format!("the mock did not start: {line:?}").into());
    };
    eprintln!("soak: seed {seed}, mock at {url}, plan {plan:?}");
    let client = soak::client(url, id, secret)?;
    let outcomes = soak::run(&plan, &client).await;
    drop(child.stdin.take());
    let mut state = String::new();
    stdout.read_to_string(&mut state)?;
    child.wait()?;
    let state: TenantState = serde_json::from_str(&state)?;
    let mut report = Report::new(&plan, outcomes, state);
    report.client_peak_rss_mb = sailpoint_bench::peak_rss_mb();
    println!("{}", report.markdown());
    let mut failed = report.violations();
    failed.extend(report.shortfalls());
    if !small {
        if report.outcomes.items_received < 1_000_000 {
            failed.push(format!("only {} items streamed (goal: 1,000,000)", report.outcomes.items_received));
        }
        if report.faults_total() < 10_000 {
            failed.push(format!("only {} faults injected (goal: 10,000)", report.faults_total()));
        }
    }
    if write {
        let command = format!("cargo xtask soak --seed {seed}{}", if small { " --small" } else { "" });
        write_section(&section(&report, &command, &failed))?;
        eprintln!("soak: the report is in BENCHMARKS.md");
    }
    if failed.is_empty() {
        println!("soak: passed");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("soak: FAILED: {}", failed.join("; "));
        Ok(ExitCode::from(1))
    }
}

/// The soak's section of `BENCHMARKS.md`.
fn section(report: &Report, command: &str, failed: &[String]) -> String {
    let line = |args: &[&str]| {
        Command::new(args[0]).args(&args[1..]).output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let date = line(&["date", "-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default();
    let commit = line(&["git", "rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let verdict = if failed.is_empty() { "passed".to_string() } else { format!("FAILED: {}", failed.join("; ")) };
    format!(
        "{HEADING}\n\nWritten by `{command} --write-benchmarks` on {date} (commit `{commit}`): the SDK (release build) \
         against `sailpoint-mock` in a child process, injecting seeded faults into about one API request in eight and \
         one token request in five (`sailpoint_bench::soak`). Goals: 1,000,000 items streamed and 10,000 faults in one \
         run under 10 minutes, with nothing lost or duplicated without an error to the caller, no create applied twice, \
         no field lost. Verdict: **{verdict}**.\n\n{}",
        report.markdown()
    )
}

/// Replaces (or adds) the soak's section of `BENCHMARKS.md`.
fn write_section(section: &str) -> Fallible<()> {
    let path = std::path::Path::new("BENCHMARKS.md");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let (before, after) = match old.find(HEADING) {
        Some(at) => {
            let rest = &old[at + HEADING.len()..];
            let end = rest.find("\n## ").map_or(old.len(), |i| at + HEADING.len() + i + 1);
            (&old[..at], &old[end..])
        }
        None => (old.as_str(), ""),
    };
    let text = format!(
        "{}\n\n{}\n{}",
        before.trim_end(),
        section.trim_end(),
        if after.is_empty() { String::new() } else { format!("\n{after}") }
    );
    std::fs::write(path, text)?;
    Ok(())
}
