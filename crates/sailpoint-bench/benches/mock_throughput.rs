//! Requests per second the mock tenant serves for a 250-item page of
//! accounts (`GET /v3/accounts?limit=250&offset=…`), from 1 and from 8
//! concurrent keep-alive connections on loopback, with a plain reqwest
//! client (no SDK policy in the way).
//!
//! `cargo bench -p sailpoint-bench --bench mock_throughput`

use std::time::{Duration, Instant};

use sailpoint_mock::{MockConfig, MockTenant};

async fn run(concurrency: usize, duration: Duration, url: String, token: String) -> (usize, usize) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            tokio::spawn(async move {
                let (mut n, mut bytes) = (0usize, 0usize);
                while Instant::now() < deadline {
                    let offset = ((n * concurrency + w) * 250) % 99_750;
                    let r = http.get(format!("{url}?limit=250&offset={offset}")).bearer_auth(&token).send().await.unwrap();
                    assert!(r.status().is_success());
                    bytes += r.bytes().await.unwrap().len();
                    n += 1;
                }
                (n, bytes)
            })
        })
        .collect();
    let mut total = (0, 0);
    for t in tasks {
        let (n, b) = t.await.unwrap();
        total.0 += n;
        total.1 += b;
    }
    total
}

#[tokio::main]
async fn main() {
    let mock = MockTenant::start(MockConfig { accounts: 100_000, rate_limit: None, ..MockConfig::default() }).await.unwrap();
    let token = mock.access_token();
    let url = format!("{}/v3/accounts", mock.url());
    let secs = 3;
    println!("mock tenant, 250-item pages of accounts, {secs} s per row, debug={}\n", cfg!(debug_assertions));
    println!("| connections | requests/s | items/s | MB/s |\n|---|---|---|---|");
    for c in [1usize, 8] {
        let (n, bytes) = run(c, Duration::from_secs(secs), url.clone(), token.clone()).await;
        let s = secs as f64;
        println!("| {c} | {:.0} | {:.0} | {:.1} |", n as f64 / s, n as f64 * 250.0 / s, bytes as f64 / s / 1e6);
    }
}
