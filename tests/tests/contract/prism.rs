//! One Prism (the pinned `@stoplight/prism-cli`) serving one version's
//! document, on 127.0.0.1 and a free port, stopped when dropped.
//!
//! Setup is `cargo xtask test`'s: `npm ci` in `tests/prism/` and
//! `cargo xtask mock-spec` (writes `target/prism/<version>.json`). Without
//! it the tests skip with a loud message, except in CI (`CI=true`), where
//! they fail.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Prism {
    child: Child,
    pub url: String,
    log: PathBuf,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the workspace").to_path_buf()
}

/// Refuses to go on without Prism: a panic in CI, a loud skip elsewhere.
fn unavailable(why: &str) -> Option<Prism> {
    let message = format!(
        "contract tests need Prism: {why}.\n  Set up with `cargo xtask test` (or: `npm ci` in tests/prism, then `cargo xtask mock-spec`)."
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    // Straight to the standard error stream: the test harness would swallow an `eprintln!`.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!! SKIPPED !!!!!!!!\n{message}\n!!!!!!!!!!!!!!!!!!!!!!!!!\n");
    None
}

/// The document Prism serves for `version` (`cargo xtask mock-spec`); `None` when it is not set up (outside CI).
pub fn served_document(version: &str) -> Option<serde_json::Value> {
    let path = workspace().join(format!("target/prism/{version}.json"));
    let Ok(text) = std::fs::read(&path) else {
        unavailable(&format!("{} is missing", path.display()));
        return None;
    };
    Some(serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

impl Prism {
    /// Starts Prism on `target/prism/<version>.json`; `None` when it is not set up (outside CI).
    pub async fn start(version: &str) -> Option<Prism> {
        let root = workspace();
        let bin = root.join("tests/prism/node_modules/.bin/prism");
        let spec = root.join(format!("target/prism/{version}.json"));
        if !bin.exists() {
            return unavailable(&format!("{} is missing", bin.display()));
        }
        if !spec.exists() {
            return unavailable(&format!("{} is missing", spec.display()));
        }
        if Command::new("node").arg("--version").stdout(Stdio::null()).status().map(|s| !s.success()).unwrap_or(true) {
            return unavailable("node is not installed");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let log = std::env::temp_dir().join(format!("sailpoint-prism-{version}-{port}.log"));
        // A shell ties Prism's lifetime to this process: it kills Prism when
        // its standard input (a pipe from this process) closes, on drop or
        // if this process dies without dropping, and exits when Prism does.
        let script = r#"prism="$1"; spec="$2"; port="$3"; log="$4"
exec 3<&0
"$prism" mock -h 127.0.0.1 -p "$port" --seed 1 "$spec" >"$log" 2>&1 </dev/null &
pid=$!
(cat <&3 >/dev/null; kill $pid 2>/dev/null) &
wait $pid"#;
        let child = Command::new("sh")
            .args(["-c", script, "sh"])
            .arg(&bin)
            .arg(&spec)
            .arg(port.to_string())
            .arg(&log)
            .stdin(Stdio::piped())
            // the shell's own notices ("Terminated"); Prism's output is in the log
            .stderr(Stdio::null())
            .spawn()
            .expect("starting sh (for Prism)");
        let mut prism = Prism { child, url: format!("http://127.0.0.1:{port}"), log };
        prism.wait_ready(version).await;
        Some(prism)
    }

    /// Until Prism answers HTTP at all (a 404 on an unknown path is ready).
    async fn wait_ready(&mut self, version: &str) {
        let started = Instant::now();
        let http = reqwest::Client::new();
        loop {
            if http.get(format!("{}/__ready", self.url)).send().await.is_ok() {
                eprintln!("prism {version}: ready at {} in {:.1} s", self.url, started.elapsed().as_secs_f64());
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("prism {version} exited ({status}) before answering:\n{}", self.log_tail());
            }
            if started.elapsed() > Duration::from_secs(120) {
                panic!("prism {version} did not answer within 120 s:\n{}", self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // Closing the shell's standard input makes it kill Prism and exit.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
