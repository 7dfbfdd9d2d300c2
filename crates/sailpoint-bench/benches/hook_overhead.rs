//! Per-request cost of the whole hook stack (token, headers, rate-limit
//! check, retry loop, tracing span, decoding) against a raw reqwest call,
//! both against the same minimal HTTP/1.1 server on loopback.
//!
//! `cargo bench -p sailpoint-tests --bench hook_overhead` prints one table;
//! both sides are measured in the same run, interleaved.

use std::time::{Duration, Instant};

use sailpoint_runtime::{Credentials, Runtime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BODY: &str = r#"{"id":"2c9180835d2e5168015d32f890ca1581","name":"Sync","passwordPolicyId":"p1","sourceIds":["s1","s2"],"created":"2024-01-02T03:04:05Z","modified":"2024-01-02T03:04:05Z"}"#;

/// Answers every request on a keep-alive connection with `BODY` (and the
/// token endpoint with a token).
async fn serve(listener: TcpListener) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else { return };
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
                        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                        .unwrap_or(0);
                    if filled < end + 4 + len {
                        break;
                    }
                    let body = if head.starts_with("POST /oauth/token") {
                        r#"{"access_token":"bench-token","expires_in":43199}"#
                    } else {
                        BODY
                    };
                    let resp = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                    if sock.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                    buf.copy_within(end + 4 + len..filled, 0);
                    filled -= end + 4 + len;
                }
            }
        });
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener));

    let runtime = Runtime::builder()
        .base_url(&base)
        .allow_http_loopback(true)
        .credentials(Credentials::client_credentials("bench", "bench-secret"))
        .rate_limit(None)
        .build()
        .unwrap();
    let client = sailpoint_v2024::Client::new_with_client(&runtime.version_url("v2024").unwrap(), runtime.http().clone(), runtime.clone());
    let raw = runtime.http().clone();
    let raw_url = format!("{base}/v2024/password-sync-groups/g1");

    let rounds = 5_000;
    let (mut sdk, mut plain) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for i in 0..rounds + 200 {
        let t = Instant::now();
        let g = client.get_password_sync_group().id("g1").send().await.unwrap();
        std::hint::black_box(&g);
        let d_sdk = t.elapsed();
        let t = Instant::now();
        let r = raw.get(&raw_url).header("authorization", "Bearer bench-token").send().await.unwrap();
        let v: serde_json::Value = r.json().await.unwrap();
        std::hint::black_box(&v);
        let d_raw = t.elapsed();
        if i >= 200 {
            sdk.push(d_sdk);
            plain.push(d_raw);
        }
    }
    sdk.sort();
    plain.sort();
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / v.len() as u32;
    let row = |name: &str, v: &[Duration]| {
        println!("| {name} | {:.1} | {:.1} | {:.1} |", mean(v).as_secs_f64() * 1e6, percentile(v, 0.5).as_secs_f64() * 1e6, percentile(v, 0.99).as_secs_f64() * 1e6);
    };
    println!("{rounds} sequential GETs each, interleaved, loopback, debug={}\n", cfg!(debug_assertions));
    println!("| client | mean µs | p50 µs | p99 µs |\n|---|---|---|---|");
    row("raw reqwest (serde_json::Value)", &plain);
    row("SDK, whole hook stack (typed)", &sdk);
    let over = mean(&sdk).as_secs_f64() / mean(&plain).as_secs_f64() - 1.0;
    println!("\noverhead per request: {:.1} µs ({:+.1} %)", (mean(&sdk).as_secs_f64() - mean(&plain).as_secs_f64()) * 1e6, over * 100.0);
}
