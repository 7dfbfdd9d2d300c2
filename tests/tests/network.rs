//! What a user on a real network gets: compressed responses, HTTP/2 over
//! HTTPS, listings that keep requests in flight within the rate limit, and
//! searches in the largest pages. Every server here counts what it received; the tests
//! assert on that and on what the caller got.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request as AxumRequest;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use axum::middleware::Next;
use axum::routing::{get, post};
use sailpoint::prelude::*;
use sailpoint::{DEFAULT_PREFETCH, ErrorKind, PageOptions, RateLimit, RetryConfig};
use sailpoint_mock::{MockConfig, MockTenant};
use serde_json::{Value, json};
use tower_http::compression::CompressionLayer;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

mod common;

/// What a compressing server saw of one request: its path, its
/// `Accept-Encoding`, its HTTP version, and the response's `Content-Encoding`.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    accept_encoding: String,
    version: axum::http::Version,
    content_encoding: String,
}

fn group(i: usize) -> Value {
    json!({"id": format!("g{i:05}"), "name": format!("group {i}"), "description": "synchronizes the passwords of the group"})
}

/// A local server that answers a token and 200 password sync groups,
/// compressed in `coding` only (tower-http's compression layer).
async fn compressing_server(coding: &str) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let body = serde_json::to_string(&(0..200).map(group).collect::<Vec<_>>()).unwrap();
    let layer = CompressionLayer::new().no_deflate();
    let layer = match coding {
        "gzip" => layer.no_br().no_zstd(),
        "br" => layer.no_gzip().no_zstd(),
        "zstd" => layer.no_gzip().no_br(),
        other => panic!("no such coding in this test: {other}"),
    };
    let record = seen.clone();
    let app = Router::new()
        .route(
            "/oauth/token",
            post(|| async { ([(CONTENT_TYPE, "application/json")], r#"{"access_token":"t","expires_in":3600}"#) }),
        )
        .route(
            "/v2024/password-sync-groups",
            get(move || {
                let body = body.clone();
                async move { ([(CONTENT_TYPE, "application/json")], body) }
            }),
        )
        .layer(layer)
        .layer(axum::middleware::from_fn(move |req: AxumRequest, next: Next| {
            let record = record.clone();
            async move {
                let text = |v: Option<&axum::http::HeaderValue>| v.and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let (path, accept_encoding, version) =
                    (req.uri().path().to_string(), text(req.headers().get(ACCEPT_ENCODING)), req.version());
                let response = next.run(req).await;
                let content_encoding = text(response.headers().get(CONTENT_ENCODING));
                record.lock().unwrap().push(Seen { path, accept_encoding, version, content_encoding });
                response
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .client_credentials("network-client", "network-secret")
        .allow_http_loopback(true)
        .rate_limit(None)
        .build()
        .unwrap()
}

#[tokio::test]
async fn responses_are_asked_for_and_decoded_compressed_in_each_coding() {
    for coding in ["gzip", "br", "zstd"] {
        let (url, seen) = compressing_server(coding).await;
        let groups = client(&url).v2024().get_password_sync_groups().send().await.unwrap().into_inner().unwrap();
        let ids: Vec<String> = groups.iter().map(|g| g.id.clone().unwrap()).collect();
        assert_eq!(ids, (0..200).map(|i| format!("g{i:05}")).collect::<Vec<_>>(), "{coding}");
        let seen = seen.lock().unwrap().clone();
        let listing: Vec<&Seen> = seen.iter().filter(|s| s.path == "/v2024/password-sync-groups").collect();
        assert_eq!(listing.len(), 1, "{seen:?}");
        let asked: Vec<&str> = listing[0].accept_encoding.split(',').map(str::trim).collect();
        for offered in ["gzip", "br", "zstd"] {
            assert!(asked.contains(&offered), "{coding}: Accept-Encoding {asked:?} lacks {offered}");
        }
        assert_eq!(listing[0].content_encoding, coding, "the body went out compressed");
        // plain http on loopback stays HTTP/1.1
        assert_eq!(listing[0].version, axum::http::Version::HTTP_11);
    }
}

const CERT: &[u8] = include_bytes!("fixtures/localhost.cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/localhost.key.pem");

/// An HTTPS server on 127.0.0.1 offering `alpn` (`h2`, `http/1.1`):
/// a token and an empty listing; records the HTTP version of each request.
async fn https_server(alpn: &[&[u8]]) -> (String, Arc<Mutex<Vec<axum::http::Version>>>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from_pem_slice(CERT).unwrap()], PrivateKeyDer::from_pem_slice(KEY).unwrap())
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let versions = Arc::new(Mutex::new(Vec::new()));
    let record = versions.clone();
    let app = Router::new()
        .route(
            "/oauth/token",
            post(|| async { ([(CONTENT_TYPE, "application/json")], r#"{"access_token":"t","expires_in":3600}"#) }),
        )
        .route("/v2024/password-sync-groups", get(|| async { ([(CONTENT_TYPE, "application/json")], "[]") }))
        .layer(axum::middleware::from_fn(move |req: AxumRequest, next: Next| {
            record.lock().unwrap().push(req.version());
            next.run(req)
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (url, versions)
}

#[tokio::test]
async fn https_speaks_http2_when_the_server_offers_it() {
    for (alpn, expected) in [
        (&[b"h2".as_slice(), b"http/1.1"][..], axum::http::Version::HTTP_2),
        (&[b"http/1.1".as_slice()][..], axum::http::Version::HTTP_11),
    ] {
        let (url, versions) = https_server(alpn).await;
        // the SDK's reqwest (its features: rustls, http2), trusting the test certificate only
        let http = reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(CERT).unwrap()]).build().unwrap();
        let c = Client::builder()
            .base_url(&url)
            .client_credentials("network-client", "network-secret")
            .http_client(http)
            .rate_limit(None)
            .build()
            .unwrap();
        assert!(c.v2024().get_password_sync_groups().send().await.unwrap().into_inner().unwrap().is_empty());
        let versions = versions.lock().unwrap().clone();
        assert_eq!(versions, [expected, expected], "the token request and the listing");
    }
}

#[tokio::test]
async fn the_mock_compresses_what_the_client_asks_for() {
    let raw = reqwest::Client::builder().no_gzip().no_brotli().no_zstd().build().unwrap();
    for compression in [true, false] {
        let mock = MockTenant::start(MockConfig { rate_limit: None, accounts: 600, compression, ..MockConfig::default() })
            .await
            .unwrap();
        let url = format!("{}/v3/accounts?limit=250", mock.url());
        let fetch = |coding: &'static str| {
            let request = raw.get(&url).bearer_auth(mock.access_token()).header(ACCEPT_ENCODING.as_str(), coding);
            async move {
                let response = request.send().await.unwrap();
                let encoding = response.headers().get(CONTENT_ENCODING.as_str()).map(|v| v.to_str().unwrap().to_string());
                (encoding, response.bytes().await.unwrap().len())
            }
        };
        let (plain_encoding, plain) = fetch("identity").await;
        assert_eq!(plain_encoding, None);
        let (gzip_encoding, gzip) = fetch("gzip").await;
        if compression {
            assert_eq!(gzip_encoding.as_deref(), Some("gzip"));
            assert!(gzip * 5 < plain, "a page of 250 accounts: {gzip} bytes gzipped, {plain} plain");
        } else {
            assert_eq!((gzip_encoding, gzip), (None, plain), "compression off: sent as is");
        }
        // the SDK asks, and decodes whatever the mock picked
        let accounts: Vec<_> = common::mock_client(&mock).v3().list_accounts().stream().try_collect().await.unwrap();
        assert_eq!(accounts.len(), 600);
    }
}

/// The 200 groups of [`compressing_server`] gzipped, as one response with
/// `Content-Length: declared`, of which only `sent` bytes of the gzip go out.
fn gzip_reply(declared: impl Fn(usize) -> usize, sent: impl Fn(usize) -> usize) -> Vec<u8> {
    use std::io::Write;
    let json = serde_json::to_vec(&(0..200).map(group).collect::<Vec<_>>()).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(&json).unwrap();
    let gzip = gzip.finish().unwrap();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        declared(gzip.len())
    );
    [head.as_bytes(), &gzip[..sent(gzip.len())]].concat()
}

/// A server on 127.0.0.1 that answers the n-th connection's request with
/// `replies[n]` (the last one once they run out), then closes it. Counts
/// connections.
async fn replying_server(replies: Vec<Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let reply = replies[n.min(replies.len() - 1)].clone();
            tokio::spawn(async move {
                // a GET: its headers are the whole request
                let mut request = Vec::new();
                let mut chunk = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = socket.write_all(&reply).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, connections)
}

#[tokio::test]
async fn a_compressed_body_cut_off_is_read_again_never_decoded_short() {
    let whole = gzip_reply(|n| n, |n| n);
    // the connection closes halfway through the declared length
    let cut_by_the_connection = gzip_reply(|n| n, |n| n / 2);
    // the HTTP message is complete, the gzip stream in it is not
    let cut_in_the_gzip = gzip_reply(|n| n / 2, |n| n / 2);
    let retry = RetryConfig::default().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(4));
    let ids = (0..200).map(|i| format!("g{i:05}")).collect::<Vec<_>>();

    // a GET is read again after each cut, and the whole body decoded once
    let (url, connections) = replying_server(vec![cut_by_the_connection, cut_in_the_gzip.clone(), whole]).await;
    let client = common::v2024(&url, |b| b.retry(retry.clone()));
    let groups = client.get_password_sync_groups().send().await.unwrap().into_inner().unwrap();
    assert_eq!(groups.iter().map(|g| g.id.clone().unwrap()).collect::<Vec<_>>(), ids);
    assert_eq!(connections.load(Ordering::SeqCst), 3, "two cut bodies, then the whole one");

    // a body that is always cut is an error with its status, not a short list
    let (url, connections) = replying_server(vec![cut_in_the_gzip]).await;
    let client = common::v2024(&url, |b| b.retry(retry.clone()));
    let err = client.get_password_sync_groups().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200), "{err}");
    assert!(err.to_string().contains("broke off"), "{err}");
    assert_eq!(connections.load(Ordering::SeqCst), 1 + retry.max_retries as usize, "the first try and each retry");
}

/// A listing of `total` groups behind a server that counts in fixed windows
/// of `window`, as SailPoint does, and answers 429 past `quota` in one.
struct Listing {
    server: MockServer,
    /// The offsets asked for, in the order they came.
    offsets: Arc<Mutex<Vec<usize>>>,
    /// When each page request came.
    arrivals: Arc<Mutex<Vec<Instant>>>,
    refused: Arc<AtomicUsize>,
}

async fn rate_limited_listing(total: usize, quota: usize, window: Duration) -> Listing {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "t", "expires_in": 3600})))
        .mount(&server)
        .await;
    let offsets = Arc::new(Mutex::new(Vec::new()));
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let (asked, arrived, refusals) = (offsets.clone(), arrivals.clone(), refused.clone());
    let over = fixed_window(quota, window);
    let over_listing = over.clone();
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups"))
        .respond_with(move |req: &Request| {
            if over_listing() {
                refusals.fetch_add(1, Ordering::SeqCst);
                return ResponseTemplate::new(429).insert_header("Retry-After", "1");
            }
            let q = |k: &str| req.url.query_pairs().find(|(n, _)| n == k).and_then(|(_, v)| v.parse::<usize>().ok());
            let (offset, limit) = (q("offset").unwrap_or(0), q("limit").unwrap_or(250));
            asked.lock().unwrap().push(offset);
            arrived.lock().unwrap().push(Instant::now());
            let mut t = ResponseTemplate::new(200)
                .set_body_json((offset..(offset + limit).min(total)).map(group).collect::<Vec<_>>())
                .set_delay(ANSWER_DELAY);
            if req.url.query_pairs().any(|(k, v)| k == "count" && v == "true") {
                t = t.insert_header("X-Total-Count", total.to_string().as_str());
            }
            t
        })
        .mount(&server)
        .await;
    let refusals = refused.clone();
    Mock::given(method("GET"))
        .and(path_regex(r"^/v2024/password-sync-groups/[^/]+$"))
        .respond_with(move |_: &Request| {
            if over() {
                refusals.fetch_add(1, Ordering::SeqCst);
                return ResponseTemplate::new(429).insert_header("Retry-After", "1");
            }
            ResponseTemplate::new(200).set_body_json(group(1))
        })
        .mount(&server)
        .await;
    Listing { server, offsets, arrivals, refused }
}

/// A server's fixed-window rate limit of `quota` requests per `window`:
/// called once per request, says whether that request is over the quota.
fn fixed_window(quota: usize, window: Duration) -> Arc<impl Fn() -> bool + Send + Sync + 'static> {
    let counted = Mutex::new((Instant::now(), 0usize));
    Arc::new(move || {
        let mut w = counted.lock().unwrap();
        if w.0.elapsed() >= window {
            *w = (Instant::now(), 0);
        }
        w.1 += 1;
        w.1 > quota
    })
}

/// How long the listing server takes to answer a page: a request that
/// comes sooner than this after the previous one was sent before the
/// previous answer came back.
const ANSWER_DELAY: Duration = Duration::from_millis(40);

/// The most page requests in flight at once, as the server saw them: the
/// requests that came within less than [`ANSWER_DELAY`] of each other were
/// all in flight together (none of them could have been answered yet).
fn most_in_flight(arrivals: &[Instant]) -> usize {
    (0..arrivals.len())
        .map(|i| arrivals[i..].iter().take_while(|&&a| a.duration_since(arrivals[i]) < ANSWER_DELAY).count())
        .max()
        .unwrap_or(0)
}

fn limited_client(url: &str, limit: RateLimit) -> Client {
    Client::builder()
        .base_url(url)
        .client_credentials("network-client", "network-secret")
        .allow_http_loopback(true)
        .rate_limit(Some(limit))
        // a 429 would reach the caller
        .retry(RetryConfig::none())
        .build()
        .unwrap()
}

fn expected(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("g{i:05}")).collect()
}

#[tokio::test]
async fn prefetch_is_on_by_default_within_the_limit_and_at_most_prefetch_minus_one_past_the_end() {
    assert_eq!(PageOptions::default().prefetch, DEFAULT_PREFETCH);
    assert!(PageOptions::default().prefetch > 1, "prefetch is on by default");
    let window = Duration::from_millis(300);
    let (total, page) = (1_010, 25);
    let listing = rate_limited_listing(total, 10, window).await;
    let c = limited_client(&listing.server.uri(), RateLimit::new(10, window));
    let options = PageOptions::default().with_page_size(page);
    let ids: Vec<String> =
        c.v2024().get_password_sync_groups().stream_with(options).map_ok(|g| g.id.unwrap()).try_collect().await.unwrap();
    assert_eq!(ids, expected(0..total), "every item once, in order");
    assert_eq!(listing.refused.load(Ordering::SeqCst), 0, "no 429");
    let offsets = listing.offsets.lock().unwrap().clone();
    let pages = total.div_ceil(page as usize);
    let past_the_end = offsets.iter().filter(|&&o| o >= total).count();
    assert!(past_the_end < DEFAULT_PREFETCH, "{past_the_end} requests past the end: {offsets:?}");
    assert_eq!(offsets.len(), pages + past_the_end, "each page asked for once: {offsets:?}");
    // Requests overlapped, never more than `prefetch` at once.
    let in_flight = most_in_flight(&listing.arrivals.lock().unwrap());
    assert!((2..=DEFAULT_PREFETCH).contains(&in_flight), "{in_flight} page requests in flight at most");
    let mut sorted = offsets.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), offsets.len(), "no page asked for twice");

    // With the total known (`count`), nothing is asked past it.
    let listing = rate_limited_listing(total, 10, window).await;
    let c = limited_client(&listing.server.uri(), RateLimit::new(10, window));
    let options = PageOptions::default().with_page_size(page).with_count(true);
    let ids: Vec<String> =
        c.v2024().get_password_sync_groups().stream_with(options).map_ok(|g| g.id.unwrap()).try_collect().await.unwrap();
    assert_eq!(ids, expected(0..total));
    let offsets = listing.offsets.lock().unwrap().clone();
    assert_eq!(offsets.len(), pages, "{offsets:?}");
    assert_eq!(listing.refused.load(Ordering::SeqCst), 0);

    // Off: one request at a time, one past the end at most (none here).
    let listing = rate_limited_listing(total, 10, window).await;
    let c = limited_client(&listing.server.uri(), RateLimit::new(10, window));
    let options = PageOptions::default().with_page_size(page).with_prefetch(1);
    let ids: Vec<String> =
        c.v2024().get_password_sync_groups().stream_with(options).map_ok(|g| g.id.unwrap()).try_collect().await.unwrap();
    assert_eq!(ids, expected(0..total));
    let offsets = listing.offsets.lock().unwrap().clone();
    assert_eq!(offsets, (0..pages).map(|p| p * page as usize).collect::<Vec<_>>());
    assert_eq!(most_in_flight(&listing.arrivals.lock().unwrap()), 1, "one at a time");
}

#[tokio::test]
async fn a_stream_left_unpolled_holds_up_no_other_call() {
    let window = Duration::from_millis(100);
    let total = 400;
    let listing = rate_limited_listing(total, 3, window).await;
    let c = limited_client(&listing.server.uri(), RateLimit::new(3, window));
    let options = PageOptions::default().with_page_size(10);
    let mut stream = c.v2024().get_password_sync_groups().stream_with(options);
    let mut ids = Vec::new();
    // Into the third page: the stream has requests ahead by now.
    while ids.len() < 25 {
        ids.push(stream.try_next().await.unwrap().unwrap().id.unwrap());
    }
    // The stream is not polled while the caller makes other calls of the
    // same client and API version, more than the limit allows at once.
    let others = async {
        for _ in 0..12 {
            c.v2024().get_password_sync_group().id("g00001").send().await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(20), others).await.expect("the other calls went through");
    while let Some(g) = stream.try_next().await.unwrap() {
        ids.push(g.id.unwrap());
    }
    assert_eq!(ids, expected(0..total), "every item once, in order");
    assert_eq!(listing.refused.load(Ordering::SeqCst), 0, "no 429");
}

/// A search index of `total` documents sorted by id; records each request's `limit`.
async fn search_server(total: usize) -> (MockServer, Arc<Mutex<Vec<usize>>>) {
    let (server, limits, _) = limited_search_server(total, usize::MAX, Duration::from_secs(1)).await;
    (server, limits)
}

/// [`search_server`] under a fixed-window limit of `quota` requests per
/// `window` (429 with `Retry-After` past it, counted), shared with
/// `GET /v3/accounts` (an empty list).
async fn limited_search_server(
    total: usize,
    quota: usize,
    window: Duration,
) -> (MockServer, Arc<Mutex<Vec<usize>>>, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "t", "expires_in": 3600})))
        .mount(&server)
        .await;
    let limits = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let (asked, refusals, over) = (limits.clone(), refused.clone(), fixed_window(quota, window));
    let (refusals_accounts, over_accounts) = (refused.clone(), over.clone());
    Mock::given(method("GET"))
        .and(path("/v3/accounts"))
        .respond_with(move |_: &Request| {
            if over_accounts() {
                refusals_accounts.fetch_add(1, Ordering::SeqCst);
                return ResponseTemplate::new(429).insert_header("Retry-After", "1");
            }
            ResponseTemplate::new(200).set_body_json(json!([]))
        })
        .mount(&server)
        .await;
    // v3's endpoint, or the search service's (the default): one index.
    Mock::given(method("POST"))
        .and(path_regex(r"^/(v3/search|search/v1)$"))
        .respond_with(move |req: &Request| {
            if over() {
                refusals.fetch_add(1, Ordering::SeqCst);
                return ResponseTemplate::new(429).insert_header("Retry-After", "1");
            }
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let limit = req.url.query_pairs().find(|(k, _)| k == "limit").and_then(|(_, v)| v.parse().ok()).unwrap_or(250);
            asked.lock().unwrap().push(limit);
            if limit > 10_000 {
                return ResponseTemplate::new(400);
            }
            let start = body["searchAfter"][0].as_str().map_or(0, |id| id[2..].parse::<usize>().unwrap() + 1);
            let docs: Vec<Value> =
                (start..(start + limit).min(total)).map(|i| json!({"_type": "identity", "id": format!("id{i:06}")})).collect();
            ResponseTemplate::new(200).set_body_json(docs)
        })
        .mount(&server)
        .await;
    (server, limits, refused)
}

#[tokio::test]
async fn search_asks_for_the_largest_page_unless_told_otherwise() {
    let total = 25_000;
    let query = || SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["id"]}));
    let (server, limits) = search_server(total).await;
    let docs: Vec<Value> = client(&server.uri()).search_json(query()).try_collect().await.unwrap();
    assert_eq!(docs.len(), total);
    assert_eq!(*limits.lock().unwrap(), [10_000, 10_000, 10_000], "3 requests for 25,000 results");
    let (server, limits) = search_server(total).await;
    let docs: Vec<Value> = client(&server.uri()).search_json(query().page_size(7_000)).try_collect().await.unwrap();
    assert_eq!(docs.len(), total);
    assert_eq!(*limits.lock().unwrap(), [7_000; 4]);
}

#[tokio::test]
async fn a_stream_waiting_for_the_limit_while_unpolled_holds_up_no_other_call() {
    let window = Duration::from_secs(1);
    let total = 30;
    let listing = rate_limited_listing(total, 2, window).await;
    let c = limited_client(&listing.server.uri(), RateLimit::new(2, window));
    let options = PageOptions::default().with_page_size(10).with_prefetch(1);
    let mut stream = c.v2024().get_password_sync_groups().stream_with(options);
    let mut ids = Vec::new();
    // The first page takes one place of the two, another call the second.
    while ids.len() < 10 {
        ids.push(stream.try_next().await.unwrap().unwrap().id.unwrap());
    }
    c.v2024().get_password_sync_group().id("g00001").send().await.unwrap();
    // The stream's next request now waits for a place in the limit, and the
    // caller stops polling the stream meanwhile (a `select!` whose other
    // branch won, say).
    let polled = tokio::time::timeout(Duration::from_millis(50), stream.try_next()).await;
    assert!(polled.is_err(), "the limit is full: the next page waits");
    // A call of the same client waits its turn behind that request, which
    // goes on while the stream is not polled.
    let other = c.v2024().get_password_sync_group().id("g00001").send();
    tokio::time::timeout(Duration::from_secs(10), other).await.expect("the other call went through").unwrap();
    while let Some(g) = stream.try_next().await.unwrap() {
        ids.push(g.id.unwrap());
    }
    assert_eq!(ids, expected(0..total), "every item once, in order");
    assert_eq!(listing.refused.load(Ordering::SeqCst), 0, "no 429");
}

#[tokio::test]
async fn a_search_waiting_for_the_limit_while_unpolled_holds_up_no_other_call() {
    let window = Duration::from_secs(1);
    let total = 30;
    let (server, limits, refused) = limited_search_server(total, 2, window).await;
    let c = limited_client(&server.uri(), RateLimit::new(2, window));
    // On v3's endpoint, so that the search and the other call share v3's limit.
    let query = SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["id"]}))
        .page_size(10)
        .api_version("v3");
    let mut stream = std::pin::pin!(c.search_json(query));
    let mut ids = Vec::new();
    // The first page takes one place of the two, another call the second.
    while ids.len() < 10 {
        ids.push(stream.try_next().await.unwrap().unwrap()["id"].as_str().unwrap().to_owned());
    }
    c.v3().list_accounts().limit(1).send().await.unwrap();
    // The search's next request waits for a place, and the caller stops polling it.
    let polled = tokio::time::timeout(Duration::from_millis(50), stream.try_next()).await;
    assert!(polled.is_err(), "the limit is full: the next page waits");
    let other = c.v3().list_accounts().limit(1).send();
    tokio::time::timeout(Duration::from_secs(10), other).await.expect("the other call went through").unwrap();
    while let Some(doc) = stream.try_next().await.unwrap() {
        ids.push(doc["id"].as_str().unwrap().to_owned());
    }
    let expected: Vec<String> = (0..total).map(|i| format!("id{i:06}")).collect();
    assert_eq!(ids, expected, "every document once, in order");
    assert_eq!(refused.load(Ordering::SeqCst), 0, "no 429");
    assert_eq!(*limits.lock().unwrap(), [10; 4], "three full pages and the empty end, each asked once");
}
