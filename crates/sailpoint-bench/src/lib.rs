//! What the SDK benchmark (`src/bin/sdk_bench.rs`, driven by
//! `bench/run.py`) measures with: percentiles, peak memory, and a minimal
//! HTTP server to time the SDK's own per-request cost against.

pub mod soak;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The `p` quantile (0.0 to 1.0) of sorted durations, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index].as_secs_f64() * 1e3
}

/// Mean of durations, in microseconds.
pub fn mean_us(values: &[Duration]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().map(Duration::as_secs_f64).sum::<f64>() / values.len() as f64 * 1e6
}

/// This process's peak resident set (`VmHWM` of `/proc/self/status`), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time this process has used (user + system, all threads), in seconds,
/// from `/proc/self/stat` (in clock ticks of 1/100 s, Linux's `USER_HZ`).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A minimal HTTP/1.1 keep-alive server on loopback: `POST /oauth/token`
/// gets a token, any other request `body` as JSON. It does as little as a
/// server can, so that a client's own cost is what a timing shows.
///
/// It runs on a thread and a single-threaded runtime of its own, so that it
/// does not share the measuring client's runtime.
pub fn minimal_server(body: &'static str) -> std::io::Result<String> {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    std_listener.set_nonblocking(true)?;
    let url = format!("http://{}", std_listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = TcpListener::from_std(std_listener) else { return };
            while let Ok((mut sock, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let mut filled = 0;
                    loop {
                        let Ok(n) = sock.read(&mut buf[filled..]).await else { return };
                        if n == 0 {
                            return;
                        }
                        filled += n;
                        while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_string();
                            let len: usize = head
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            if filled < end + 4 + len {
                                break;
                            }
                            let answer = if head.starts_with("POST /oauth/token") {
                                r#"{"access_token":"bench-token","expires_in":43199}"#
                            } else {
                                body
                            };
                            let response = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                                answer.len()
                            );
                            if sock.write_all(response.as_bytes()).await.is_err() {
                                return;
                            }
                            buf.copy_within(end + 4 + len..filled, 0);
                            filled -= end + 4 + len;
                        }
                    }
                });
            }
        })
    });
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&v, 0.5), 51.0);
        assert_eq!(percentile_ms(&v, 0.99), 99.0);
        assert!(percentile_ms(&[], 0.5).is_nan());
        assert!(peak_rss_mb().is_some_and(|mb| mb > 0.0));
        assert!(cpu_seconds().is_some_and(|s| s >= 0.0));
    }
}
