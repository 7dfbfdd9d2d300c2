//! The Rust side of `bench/run.py`: one measurement per run, printed as one
//! JSON line. The tenant comes from the environment (`SAIL_BASE_URL`,
//! `SAIL_CLIENT_ID`, `SAIL_CLIENT_SECRET`), as for any SDK user.
//!
//! ```text
//! sdk_bench stream [N]          stream N accounts (v3 list_accounts .stream())
//! sdk_bench stream-one [N]      the same with prefetch off (one request at a time)
//! sdk_bench stream-raw [N]      the same pages by hand with raw reqwest (the server's ceiling)
//! sdk_bench get [N]             N sequential get_account by id
//! sdk_bench startup             time of the first response (the caller knows when it started us)
//! sdk_bench overhead [N]        N interleaved GETs by id: raw reqwest vs the SDK, same server, same type
//! sdk_bench overhead-minimal [N] the same against a minimal in-process server
//! sdk_bench rate-limited [N]    stream N accounts with the SDK's default rate limit and retries
//! sdk_bench wan-list [N]        list N accounts with every default (the WAN profile of bench/run.py)
//! sdk_bench wan-list-plain [N]  the same without compression (a client that sends no Accept-Encoding)
//! sdk_bench wan-search [N]      search N identities with every default
//! ```
//! Every mode but `rate-limited` and the `wan-` ones turns the SDK's
//! client-side rate limit off (the other SDKs have none; the mock runs
//! without one for them).

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use sailpoint::{Client, PageOptions, RateLimit};
use sailpoint_bench::{cpu_seconds, mean_us, minimal_server, peak_rss_mb, percentile_ms};
use sailpoint_runtime::Paginate;
use serde_json::json;

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

fn client(rate_limit: Option<RateLimit>) -> Fallible<Client> {
    Ok(Client::builder().from_env().allow_http_loopback(true).rate_limit(rate_limit).build()?)
}

/// Reads up to `n` items of `items` (each kept from the optimizer): how many came.
async fn read_up_to<T>(n: u64, items: impl futures::Stream<Item = Result<T, sailpoint::Error>>) -> Fallible<u64> {
    let mut items = std::pin::pin!(items);
    let mut read = 0u64;
    while read < n
        && let Some(item) = items.try_next().await?
    {
        std::hint::black_box(&item);
        read += 1;
    }
    Ok(read)
}

async fn stream(n: u64, options: PageOptions) -> Fallible<serde_json::Value> {
    let client = client(None)?;
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let items = read_up_to(n, client.v3().list_accounts().stream_with(options)).await?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    Ok(json!({
        "mode": "stream", "prefetch": options.prefetch, "items": items, "seconds": seconds,
        "items_per_s": items as f64 / seconds, "cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb(),
    }))
}

/// The same pages with a hand-written loop of raw reqwest calls decoded into
/// the same type: what the server and the transport allow any client.
async fn stream_raw(n: u64) -> Fallible<serde_json::Value> {
    let base_url = std::env::var("SAIL_BASE_URL")?;
    let token = token(&base_url).await?;
    let http = reqwest::Client::new();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let (mut items, mut offset) = (0u64, 0u64);
    while items < n {
        let url = format!("{}/v3/accounts?limit=250&offset={offset}", base_url.trim_end_matches('/'));
        let bytes = http.get(url).bearer_auth(&token).send().await?.error_for_status()?.bytes().await?;
        let page: Vec<sailpoint_v3::types::Account> = serde_json::from_slice(&bytes)?;
        items += (page.len() as u64).min(n - items);
        if page.len() < 250 {
            break;
        }
        offset += 250;
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    Ok(
        json!({"mode": "stream-raw", "items": items, "seconds": seconds, "items_per_s": items as f64 / seconds, "cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb()}),
    )
}

async fn first_account_id(client: &Client) -> Fallible<String> {
    let page = client.v3().list_accounts().limit(1).send().await?.into_inner()?;
    Ok(page.first().and_then(|a| a.id.clone()).ok_or("the tenant has no account")?)
}

async fn get(n: usize) -> Fallible<serde_json::Value> {
    let client = client(None)?;
    let id = first_account_id(&client).await?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let account = client.v3().get_account().id(&id).send().await?;
        std::hint::black_box(&account);
        times.push(t.elapsed());
    }
    let mean_ms = mean_us(&times) / 1e3;
    times.sort();
    Ok(
        json!({"mode": "get", "requests": n, "p50_ms": percentile_ms(&times, 0.5), "p99_ms": percentile_ms(&times, 0.99), "mean_ms": mean_ms}),
    )
}

async fn startup() -> Fallible<serde_json::Value> {
    let client = client(None)?;
    first_account_id(&client).await?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64();
    Ok(json!({"mode": "startup", "first_response_unix": now}))
}

/// `n` rounds of one raw reqwest GET and one SDK GET of the same account,
/// interleaved (200 warm-up rounds first), both decoded into the same type.
async fn overhead(base_url: &str, token: &str, client: &Client, id: &str, n: usize) -> Fallible<serde_json::Value> {
    let raw = reqwest::Client::new();
    let raw_url = format!("{}/v3/accounts/{id}", base_url.trim_end_matches('/'));
    let (mut sdk, mut plain) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for round in 0..n + 200 {
        let t = Instant::now();
        let account = client.v3().get_account().id(id).send().await?;
        std::hint::black_box(&account);
        let d_sdk = t.elapsed();
        let t = Instant::now();
        let bytes = raw.get(&raw_url).bearer_auth(token).send().await?.error_for_status()?.bytes().await?;
        let account: sailpoint_v3::types::Account = serde_json::from_slice(&bytes)?;
        std::hint::black_box(&account);
        let d_raw = t.elapsed();
        if round >= 200 {
            sdk.push(d_sdk);
            plain.push(d_raw);
        }
    }
    let (sdk_mean, raw_mean) = (mean_us(&sdk), mean_us(&plain));
    // The median of the per-round differences: robust to the other core's noise.
    let mut differences: Vec<f64> = sdk.iter().zip(&plain).map(|(s, r)| (s.as_secs_f64() - r.as_secs_f64()) * 1e6).collect();
    differences.sort_by(f64::total_cmp);
    let median_difference = differences[differences.len() / 2];
    sdk.sort();
    plain.sort();
    let raw_p50 = percentile_ms(&plain, 0.5) * 1e3;
    Ok(json!({
        "mode": "overhead", "rounds": n,
        "raw_mean_us": raw_mean, "sdk_mean_us": sdk_mean,
        "raw_p50_us": raw_p50, "sdk_p50_us": percentile_ms(&sdk, 0.5) * 1e3,
        "overhead_us": sdk_mean - raw_mean, "overhead_pct": (sdk_mean / raw_mean - 1.0) * 100.0,
        "median_difference_us": median_difference, "median_difference_pct": median_difference / raw_p50 * 100.0,
    }))
}

async fn token(base_url: &str) -> Fallible<String> {
    let id = std::env::var("SAIL_CLIENT_ID")?;
    let secret = std::env::var("SAIL_CLIENT_SECRET")?;
    let form = [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", secret.as_str())];
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", base_url.trim_end_matches('/')))
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(form)?)
        .send()
        .await?
        .json()
        .await?;
    Ok(answer["access_token"].as_str().ok_or("no access_token")?.to_string())
}

async fn overhead_on_tenant(n: usize) -> Fallible<serde_json::Value> {
    let base_url = std::env::var("SAIL_BASE_URL")?;
    let client = client(None)?;
    let id = first_account_id(&client).await?;
    let token = token(&base_url).await?;
    let mut out = overhead(&base_url, &token, &client, &id, n).await?;
    out["server"] = json!("sailpoint-mock");
    Ok(out)
}

const ACCOUNT: &str = r#"{"id":"2c9180835d2e5168015d32f890ca1581","name":"ada.lovelace","nativeIdentity":"ada.lovelace","sourceId":"2c9180835d2e5168015d32f890ca1582","sourceName":"Active Directory","identityId":"2c9180835d2e5168015d32f890ca1583","attributes":{"mail":"ada@example.com"},"authoritative":false,"systemAccount":false,"uncorrelated":false,"locked":false,"disabled":false,"hasEntitlements":true,"manuallyCorrelated":false,"created":"2024-01-02T03:04:05Z","modified":"2024-01-02T03:04:05Z"}"#;

async fn overhead_on_minimal_server(n: usize) -> Fallible<serde_json::Value> {
    let base_url = minimal_server(ACCOUNT)?;
    let client = Client::builder()
        .base_url(&base_url)
        .client_credentials("bench", "bench-secret")
        .allow_http_loopback(true)
        .rate_limit(None)
        .build()?;
    let mut out = overhead(&base_url, "bench-token", &client, "2c9180835d2e5168015d32f890ca1581", n).await?;
    out["server"] = json!("minimal");
    Ok(out)
}

/// Streams `n` accounts as a default client would: the SDK's rate limit
/// (100 requests / 10 s per client and version) and retries on.
async fn rate_limited(n: u64) -> Fallible<serde_json::Value> {
    let client = client(Some(RateLimit::default()))?;
    let started = Instant::now();
    let (mut items, mut rate_limited, mut other_errors) = (0u64, 0u64, Vec::new());
    let mut accounts = std::pin::pin!(client.v3().list_accounts().stream());
    loop {
        match accounts.try_next().await {
            Ok(Some(account)) => {
                std::hint::black_box(&account);
                items += 1;
                if items == n {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) if e.is_rate_limited() => {
                rate_limited += 1;
                break;
            }
            Err(e) => {
                other_errors.push(e.to_string());
                break;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    // bench/run.py compares `seconds` with the limit's fastest time for these pages.
    Ok(json!({
        "mode": "rate-limited", "items": items, "seconds": seconds, "items_per_s": items as f64 / seconds,
        "rate_limited_errors": rate_limited, "other_errors": other_errors,
    }))
}

/// A client with every default (the SDK's rate limit, retries,
/// compression, prefetch); `compressed: false` gives it an HTTP client
/// that asks for no compression.
fn default_client(compressed: bool) -> Fallible<Client> {
    let mut builder = Client::builder().from_env().allow_http_loopback(true);
    if !compressed {
        builder = builder.http_client(reqwest::Client::builder().no_gzip().no_brotli().no_zstd().build()?);
    }
    Ok(builder.build()?)
}

/// Lists `n` accounts as a user with every default would, over the WAN
/// profile: seconds and items/s (bench/run.py takes the bytes from the mock).
async fn wan_list(n: u64, compressed: bool) -> Fallible<serde_json::Value> {
    let client = default_client(compressed)?;
    // The token first, as every other figure here leaves it out.
    first_account_id(&client).await?;
    let started = Instant::now();
    let items = read_up_to(n, client.v3().list_accounts().stream()).await?;
    let seconds = started.elapsed().as_secs_f64();
    let mode = if compressed { "wan-list" } else { "wan-list-plain" };
    Ok(json!({"mode": mode, "items": items, "seconds": seconds, "items_per_s": items as f64 / seconds}))
}

/// Searches `n` identities (all of them, sorted by name) with every default.
async fn wan_search(n: u64) -> Fallible<serde_json::Value> {
    let client = default_client(true)?;
    first_account_id(&client).await?;
    let started = Instant::now();
    // v3's endpoint, as the Python SDK's, whatever the build's features.
    let query =
        sailpoint::search::SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]}))
            .api_version("v3");
    let items = read_up_to(n, client.search(query)).await?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(json!({
        "mode": "wan-search", "items": items, "seconds": seconds, "items_per_s": items as f64 / seconds,
        "page_size": sailpoint::search::MAX_PAGE,
    }))
}

fn count(arg: Option<&String>, default: u64) -> Result<u64, String> {
    arg.map_or(Ok(default), |a| a.parse().map_err(|_| format!("`{a}` is not a count")))
}

// One thread: the measured client's work stays on one core, the server's
// (the mock process, or the minimal server's thread) on the other.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = |default| count(args.get(1), default);
    let result: Fallible<serde_json::Value> = match (args.first().map(String::as_str), n(0)) {
        (_, Err(e)) => Err(e.into()),
        (Some("stream"), _) => stream(n(100_000).unwrap_or_default(), PageOptions::default()).await,
        (Some("stream-one"), _) => {
            stream(n(100_000).unwrap_or_default(), PageOptions::default().with_prefetch(1)).await
        }
        (Some("stream-raw"), _) => stream_raw(n(100_000).unwrap_or_default()).await,
        (Some("get"), _) => get(n(1_000).unwrap_or_default() as usize).await,
        (Some("startup"), _) => startup().await,
        (Some("overhead"), _) => overhead_on_tenant(n(5_000).unwrap_or_default() as usize).await,
        (Some("overhead-minimal"), _) => overhead_on_minimal_server(n(5_000).unwrap_or_default() as usize).await,
        (Some("rate-limited"), _) => rate_limited(n(50_000).unwrap_or_default()).await,
        (Some("wan-list"), _) => wan_list(n(20_000).unwrap_or_default(), true).await,
        (Some("wan-list-plain"), _) => wan_list(n(20_000).unwrap_or_default(), false).await,
        (Some("wan-search"), _) => wan_search(n(50_000).unwrap_or_default()).await,
        _ => Err("usage: sdk_bench stream|stream-one|stream-raw|get|startup|overhead|overhead-minimal|rate-limited|wan-list|wan-list-plain|wan-search [N]".into()),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sdk_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
