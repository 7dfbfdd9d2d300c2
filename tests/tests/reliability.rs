//! The SDK against servers that misbehave: listings and searches that
//! would lose or repeat items, outages, rate limits, token endpoints that
//! redirect or fail, and bodies that are huge or cut off. Each test counts
//! the requests on the server side and asserts what the caller received.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use sailpoint::search::SearchRequest;
use sailpoint_mock::{Faults, MockConfig, MockTenant};
use sailpoint_runtime::{
    BodyLimits, Credentials, DEFAULT_PREFETCH, Error, ErrorKind, PageOptions, Paginate, RateLimit, ResponseValue, RetryConfig,
    Runtime,
};
use sailpoint_v2024::types::PasswordSyncGroup;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const GROUPS: &str = "/v2024/password-sync-groups";

fn fast() -> RetryConfig {
    RetryConfig::default().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(4))
}

fn query(req: &Request, key: &str) -> Option<String> {
    req.url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn groups(range: std::ops::Range<usize>) -> Value {
    Value::Array(range.map(|i| json!({"id": format!("g{i:05}"), "name": format!("group {i}")})).collect())
}

/// One request at a time: the counts below are then exact (the default
/// prefetch adds at most `DEFAULT_PREFETCH - 1` past the end).
fn one_at_a_time() -> PageOptions {
    PageOptions::default().with_prefetch(1)
}

async fn requests(server: &MockServer, p: &str) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == p).count()
}

/// Every item of a stream until its end or its first error.
async fn drain<T>(stream: impl futures::Stream<Item = Result<T, Error>>) -> (Vec<T>, Option<Error>) {
    let mut stream = std::pin::pin!(stream);
    let mut items = Vec::new();
    while let Some(next) = stream.next().await {
        match next {
            Ok(item) => items.push(item),
            Err(e) => return (items, Some(e)),
        }
    }
    (items, None)
}

/// A listing of `total` groups that answers 400 for any offset at or past
/// `refuse_from` (as SailPoint does past a window), with `X-Total-Count`
/// when asked.
async fn windowed_listing(total: usize, refuse_from: usize) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(GROUPS))
        .respond_with(move |req: &Request| {
            let offset: usize = query(req, "offset").and_then(|v| v.parse().ok()).unwrap_or(0);
            let limit: usize = query(req, "limit").and_then(|v| v.parse().ok()).unwrap_or(250);
            if offset >= refuse_from {
                return ResponseTemplate::new(400).set_body_json(json!({"detailCode": "400.1 Bad Request Content",
                    "messages": [{"locale": "en-US", "text": "offset is past the window"}]}));
            }
            let mut r = ResponseTemplate::new(200).set_body_json(groups(offset..(offset + limit).min(total)));
            if query(req, "count").as_deref() == Some("true") {
                r = r.insert_header("X-Total-Count", total.to_string().as_str());
            }
            r
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_400_after_a_full_page_ends_a_listing_only_when_the_total_proves_it() {
    // 1,000 groups, but offsets from 250 on are refused: an error, not a short listing
    for (options, extra) in [(one_at_a_time(), 0), (PageOptions::default(), DEFAULT_PREFETCH - 1)] {
        let server = windowed_listing(1000, 250).await;
        let client = common::v2024(&server.uri(), |b| b.retry(fast()));
        let (items, err) = drain(client.get_password_sync_groups().stream_with(options)).await;
        assert_eq!(items.len(), 250);
        let err = err.expect("the listing must not end Ok with 250 of 1,000 items");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
        // page 0, the refused page 250, one count probe (and what went ahead)
        assert!((3..=3 + extra).contains(&requests(&server, GROUPS).await));

        // 500 groups, 400 for offset 500: the total proves the end
        let server = windowed_listing(500, 500).await;
        let client = common::v2024(&server.uri(), |b| b.retry(fast()));
        let (items, err) = drain(client.get_password_sync_groups().stream_with(options)).await;
        assert!(err.is_none(), "{err:?}");
        let ids: HashSet<_> = items.iter().map(|g| g.id.clone().unwrap()).collect();
        assert_eq!((items.len(), ids.len()), (500, 500), "every item exactly once");
        assert!((4..=4 + extra).contains(&requests(&server, GROUPS).await));
    }
}

#[tokio::test]
async fn a_server_that_ignores_offset_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    let client = common::v2024(&server.uri(), |b| b);
    for (options, extra) in [(one_at_a_time(), 0), (PageOptions::default(), DEFAULT_PREFETCH - 1)] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path(GROUPS))
            .respond_with(ResponseTemplate::new(200).set_body_json(groups(0..250)))
            .mount(&server)
            .await;
        let (items, err) = drain(client.get_password_sync_groups().stream_with(options)).await;
        let err = err.expect("an error");
        assert_eq!(err.kind(), ErrorKind::Paging);
        let text = err.to_string();
        assert!(text.contains("get_password_sync_groups") && text.contains("offset 250"), "{text}");
        assert_eq!(items.len(), 250, "the repeated page is not yielded");
        assert!((2..=2 + extra).contains(&requests(&server, GROUPS).await));
    }

    // the same with the mock tenant's fault
    let faults = Faults { ignore_offset: true, ..Faults::default() };
    let mock = MockTenant::start(MockConfig { rate_limit: None, faults, ..MockConfig::default() }).await.unwrap();
    let client = common::mock_client(&mock);
    let (items, err) = drain(client.v3().list_accounts().stream()).await;
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Paging));
    assert_eq!(items.len(), 250);
}

#[tokio::test]
async fn a_page_larger_than_asked_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(GROUPS))
        .respond_with(ResponseTemplate::new(200).set_body_json(groups(0..300)))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b);
    let (items, err) = drain(client.get_password_sync_groups().stream()).await;
    let err = err.expect("an error");
    assert!(err.kind() == ErrorKind::Paging && err.to_string().contains("300 items"), "{err}");
    assert!(items.is_empty());
    assert_eq!(requests(&server, GROUPS).await, 1);
}

#[tokio::test]
async fn searches_page_with_search_after_not_offsets() {
    fn search_after<S: sailpoint::SearchAfter>(_: &S) {}
    let client = facade(common::local("http://127.0.0.1:9").build().unwrap());
    search_after(&client.v3().search_post());
    search_after(&client.v2024().search_post());
    search_after(&client.search_api().search_post_v1());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates");
    for (krate, builder, method) in [
        ("sailpoint-v3", "SearchPost", "search_post"),
        ("sailpoint-v2024", "SearchPost", "search_post"),
        ("services/search", "SearchPostV1", "search_post_v1"),
    ] {
        let pagination = std::fs::read_to_string(format!("{root}/{krate}/src/generated_pagination.rs")).unwrap();
        assert!(!pagination.contains(&format!("offset_listing!(\n    {builder},")), "{krate}: {method} has an offset stream");
        let generated = std::fs::read_to_string(format!("{root}/{krate}/src/generated.rs")).unwrap();
        let at = generated.find(&format!("pub fn {method}(")).unwrap();
        let doc = &generated[generated[..at].rfind("/**").unwrap()..at];
        assert!(doc.contains("`.stream()`") && doc.contains("searchAfter"), "{krate}: {method}'s docs do not name its stream");
    }
}

/// A search over `docs` that honours `sort` and `searchAfter` (typed:
/// numbers, booleans and strings compared as such) and answers 400 when a
/// `searchAfter` value has another type than the field.
fn search_server(docs: Vec<Value>) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync + 'static {
    move |req: &Request| {
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let limit: usize = query(req, "limit").and_then(|v| v.parse().ok()).unwrap_or(250);
        let sort: Vec<String> = body["sort"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
        let key = |d: &Value| sort.iter().map(|f| d[f.trim_start_matches('-')].clone()).collect::<Vec<_>>();
        let cmp = |a: &[Value], b: &[Value]| -> Option<std::cmp::Ordering> {
            for ((x, y), field) in a.iter().zip(b).zip(&sort) {
                let o = match (x, y) {
                    (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?)?,
                    (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
                    (Value::String(x), Value::String(y)) => x.cmp(y),
                    _ => return None,
                };
                let o = if field.starts_with('-') { o.reverse() } else { o };
                if o.is_ne() {
                    return Some(o);
                }
            }
            Some(std::cmp::Ordering::Equal)
        };
        let mut sorted = docs.clone();
        sorted.sort_by(|a, b| cmp(&key(a), &key(b)).unwrap());
        let after = match body.get("searchAfter") {
            None => 0,
            Some(Value::Array(after)) => {
                let mut start = 0;
                for d in &sorted {
                    match cmp(&key(d), after) {
                        None => return ResponseTemplate::new(400).set_body_json(json!({"message": "searchAfter types"})),
                        Some(o) if o.is_le() => start += 1,
                        Some(_) => break,
                    }
                }
                start
            }
            Some(_) => return ResponseTemplate::new(400),
        };
        ResponseTemplate::new(200).set_body_json(sorted.into_iter().skip(after).take(limit).collect::<Vec<_>>())
    }
}

fn facade(runtime: Runtime) -> sailpoint::Client {
    sailpoint::Client::with_runtime(runtime).unwrap()
}

#[tokio::test]
async fn search_after_keeps_numbers_booleans_and_strings_typed() {
    let docs: Vec<Value> = (0..35)
        .map(|i| json!({"id": format!("d{i:03}"), "n": i / 3, "flag": i % 2 == 0, "created": format!("2024-01-{:02}T00:00:00Z", 1 + i % 28)}))
        .collect();
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/search/v1")).respond_with(search_server(docs)).mount(&server).await;
    let client = facade(common::local(&server.uri()).build().unwrap());
    let request =
        SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["n", "-flag", "created"]}))
            .page_size(10);
    let ids: Vec<String> =
        client.search_json(request).map_ok(|d| d["id"].as_str().unwrap().to_string()).try_collect().await.unwrap();
    assert_eq!(ids.len(), 35);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 35, "every document exactly once");
    let sent: Vec<Value> =
        server.received_requests().await.unwrap().iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert_eq!(sent.len(), 4);
    let key = &sent[1]["searchAfter"];
    assert!(key[0].is_number() && key[1].is_boolean() && key[2].is_string() && key[3].is_string(), "{key}");
}

#[tokio::test]
async fn search_fails_clearly_instead_of_guessing() {
    let server = MockServer::start().await;
    let client = facade(common::local(&server.uri()).build().unwrap());

    // not an object: an error before anything is sent, never a panic
    let (docs, err) = drain(client.search_json(SearchRequest::new(json!([1, 2, 3])))).await;
    assert!(docs.is_empty());
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::InvalidRequest));
    assert_eq!(server.received_requests().await.unwrap().len(), 0);

    // the last result of a full page lacks a sort field: that page, then an error
    let mut docs: Vec<Value> =
        (0..20).map(|i| json!({"id": format!("d{i:03}"), "created": format!("2024-01-{:02}", i + 1)})).collect();
    docs[9].as_object_mut().unwrap().remove("created");
    let lacking = MockServer::start().await;
    let page: Vec<Value> = docs[..10].to_vec();
    Mock::given(method("POST"))
        .and(path("/search/v1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&lacking)
        .await;
    let client = facade(common::local(&lacking.uri()).build().unwrap());
    let request =
        SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["created"]})).page_size(10);
    let (got, err) = drain(client.search_json(request.clone())).await;
    assert_eq!(got.len(), 10);
    let err = err.expect("an error, not a restart from the top");
    assert!(err.kind() == ErrorKind::Paging && err.to_string().contains("`created`"), "{err}");
    assert_eq!(lacking.received_requests().await.unwrap().len(), 1);

    // a server that ignores searchAfter: an error before any duplicate
    let ignoring = MockServer::start().await;
    let full: Vec<Value> =
        (0..10).map(|i| json!({"id": format!("d{i:03}"), "created": format!("2024-01-{:02}", i + 1)})).collect();
    Mock::given(method("POST"))
        .and(path("/search/v1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(full))
        .mount(&ignoring)
        .await;
    let client = facade(common::local(&ignoring.uri()).build().unwrap());
    let (got, err) = drain(client.search_json(request)).await;
    assert_eq!(got.len(), 10);
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Paging));
    assert_eq!(ignoring.received_requests().await.unwrap().len(), 2);
}

/// A GET answered with `template` every time; the client's error and the
/// number of requests the server saw.
async fn answered(template: ResponseTemplate, http_method: &str, retry: RetryConfig) -> (Error, usize) {
    let server = MockServer::start().await;
    Mock::given(method(http_method)).and(path(format!("{GROUPS}/g1"))).respond_with(template.clone()).mount(&server).await;
    Mock::given(method(http_method)).and(path(GROUPS)).respond_with(template).mount(&server).await;
    let client = common::v2024(&server.uri(), |b| b.retry(retry).rate_limit(None));
    let err = match http_method {
        "GET" => client.get_password_sync_group().id("g1").send().await.map(|_| ()),
        _ => {
            let body: PasswordSyncGroup = serde_json::from_value(json!({"name": "g"})).unwrap();
            client.create_password_sync_group().body(body).send().await.map(|_| ())
        }
    };
    let err = err.unwrap_err();
    let seen = server.received_requests().await.unwrap().len();
    (err, seen)
}

#[tokio::test]
async fn retry_after_on_a_503_is_honoured_or_returned_at_once_over_the_cap() {
    let (err, seen) = answered(ResponseTemplate::new(503).insert_header("Retry-After", "120"), "GET", fast()).await;
    assert_eq!(seen, 1, "a Retry-After over the cap is not waited out, nor ignored");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));

    let server = MockServer::start().await;
    let times = Arc::new(Mutex::new(Vec::new()));
    let log = times.clone();
    Mock::given(method("GET"))
        .and(path(format!("{GROUPS}/g1")))
        .respond_with(move |_: &Request| {
            let mut t = log.lock().unwrap();
            t.push(Instant::now());
            if t.len() == 1 {
                ResponseTemplate::new(503).insert_header("Retry-After", "1")
            } else {
                ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "g"}))
            }
        })
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    client.get_password_sync_group().id("g1").send().await.unwrap();
    let t = times.lock().unwrap();
    assert_eq!(t.len(), 2);
    assert!(t[1] - t[0] >= Duration::from_secs(1), "retried {:?} after a Retry-After of 1 s", t[1] - t[0]);
}

#[tokio::test]
async fn what_is_retried_by_status_and_method() {
    for (status, gets) in [(500, 4), (408, 4), (502, 4), (503, 4), (504, 4), (501, 1), (400, 1)] {
        let (err, seen) = answered(ResponseTemplate::new(status), "GET", fast()).await;
        assert_eq!(seen, gets, "GET answered {status}");
        assert_eq!(err.is_retryable(), gets > 1, "GET {status}: is_retryable");
    }
    for status in [500, 503] {
        let (err, seen) = answered(ResponseTemplate::new(status), "POST", fast()).await;
        assert_eq!(seen, 1, "POST answered {status} is not replayed");
        assert!(!err.is_retryable(), "POST {status} may have been received: not retryable");
    }
    // a 429 was refused before processing: retried for any method, and retryable
    let limited = || ResponseTemplate::new(429).insert_header("Retry-After", "0");
    let (err, seen) = answered(limited(), "POST", fast().with_max_rate_limited_retries(2)).await;
    assert_eq!(seen, 3);
    assert!(err.is_rate_limited() && err.is_retryable());
}

#[tokio::test]
async fn rate_limited_retries_draw_on_the_budget() {
    let retry = fast().with_budget(2).with_budget_refill(0.0);
    let (err, seen) = answered(ResponseTemplate::new(429), "GET", retry).await;
    assert!(err.is_rate_limited());
    assert_eq!(seen, 3, "a budget of 2 retries, 429s (without Retry-After) included");
}

/// A server answering 503 to the requests `fails` picks (by arrival
/// number), 200 otherwise, counting what it saw.
async fn outage(fails: fn(usize) -> bool) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    Mock::given(method("GET"))
        .and(path(format!("{GROUPS}/g1")))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if fails(n) {
                ResponseTemplate::new(503)
            } else {
                ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "g"}))
            }
        })
        .mount(&server)
        .await;
    (server, seen)
}

#[tokio::test]
async fn a_full_outage_adds_at_most_a_tenth_of_the_requests() {
    let (server, seen) = outage(|_| true).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()).rate_limit(None));
    for _ in 0..1000 {
        assert!(client.get_password_sync_group().id("g1").send().await.is_err());
    }
    let requests = seen.load(Ordering::SeqCst);
    eprintln!("full outage: 1,000 calls made {requests} requests ({:.1} % extra)", (requests - 1000) as f64 / 10.0);
    assert!(requests <= 1100, "{requests} requests for 1,000 calls");
}

#[tokio::test]
async fn a_partial_outage_adds_at_most_a_tenth_in_any_thousand_calls() {
    // every fifth request fails: 20 % of responses
    let (server, seen) = outage(|n| n % 5 == 0).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()).rate_limit(None));
    let mut extra = Vec::new();
    let mut failed = 0;
    for _ in 0..3000 {
        let before = seen.load(Ordering::SeqCst);
        failed += usize::from(client.get_password_sync_group().id("g1").send().await.is_err());
        extra.push(seen.load(Ordering::SeqCst) - before - 1);
    }
    let worst = extra.windows(1000).map(|w| w.iter().sum::<usize>()).max().unwrap();
    let total: usize = extra.iter().sum();
    eprintln!(
        "partial outage (20 % 503): {total} extra requests over 3,000 calls; worst 1,000 calls: {worst} extra; {failed} calls failed"
    );
    assert!(worst <= 100, "{worst} extra requests within 1,000 calls");
    assert!(total > 0, "the test exercised retries");
}

#[tokio::test]
async fn the_limiter_keeps_a_fixed_window_server_free_of_429s() {
    // the mock counts in fixed windows, as SailPoint does; a short window keeps the test short
    let window = Duration::from_millis(250);
    let mock = MockTenant::start(MockConfig { rate_limit: Some((100, window)), ..MockConfig::default() }).await.unwrap();
    let client = sailpoint::Client::builder()
        .base_url(mock.url())
        .client_credentials(mock.client_id(), mock.client_secret())
        .allow_http_loopback(true)
        .rate_limit(Some(RateLimit::new(100, window)))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let calls = (0..1000).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.v2024().get_password_sync_groups().limit(1).send().await.map(|_| ()) })
    });
    let results = futures::future::join_all(calls).await;
    let limited = results.iter().filter(|r| matches!(r, Ok(Err(e)) if e.is_rate_limited())).count();
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().unwrap().as_ref().err()).collect();
    eprintln!("limiter: 1,000 concurrent requests, {limited} × 429");
    assert_eq!(limited, 0);
    assert!(failed.is_empty(), "{failed:?}");
}

#[tokio::test]
async fn waiting_callers_go_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g", "name": "g"})))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.rate_limit(Some(RateLimit::new(1, Duration::from_millis(20)))));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.get_password_sync_group().id(format!("g{i}")).send().await.map(|_| ()) }));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let order: Vec<String> =
        server.received_requests().await.unwrap().iter().map(|r| r.url.path().rsplit('/').next().unwrap().to_string()).collect();
    assert_eq!(order, (0..8).map(|i| format!("g{i}")).collect::<Vec<_>>());
}

fn token(token: &str, expires_in: f64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in}))
}

#[tokio::test]
async fn the_token_request_follows_no_redirect() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST")).respond_with(token("stolen", 3600.0)).mount(&elsewhere).await;
    let server = MockServer::start().await;
    let to = format!("{}/oauth/token", elsewhere.uri());
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", to.as_str()))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "canary-secret")));
    let err = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert!(err.to_string().contains("307") && err.to_string().contains("no redirect"), "{err}");
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0, "the secret went to another host");
    assert_eq!(requests(&server, "/oauth/token").await, 1);
    assert_eq!(requests(&server, &format!("{GROUPS}/g1")).await, 0);

    // the mock tenant's fault does the same
    let faults = Faults { token_redirect: Some(to), ..Faults::default() };
    let mock = MockTenant::start(MockConfig { faults, ..MockConfig::default() }).await.unwrap();
    let client = common::mock_client(&mock);
    let err = client.v2024().get_password_sync_groups().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn a_failed_token_request_series_is_shared_by_every_waiting_caller() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/oauth/token")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast()));
    let calls = (0..20).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.get_password_sync_group().id("g1").send().await.map(|_| ()) })
    });
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().unwrap_err().kind(), ErrorKind::Authentication);
    }
    assert_eq!(requests(&server, "/oauth/token").await, 4, "one series: 1 request + 3 retries, for 20 callers");
    assert_eq!(requests(&server, &format!("{GROUPS}/g1")).await, 0);
}

#[tokio::test]
async fn the_current_token_serves_until_it_really_expires() {
    let server = MockServer::start().await;
    // a 1,000 s token (refreshed from 940 s on: a 60 s margin), then a failing token endpoint
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("token-0", 1000.0))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/oauth/token")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{GROUPS}/g1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "g"})))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast()));
    client.get_password_sync_group().id("g1").send().await.unwrap();
    // The clock moves on to past the refresh point, 30 s before expiry
    // (no load eats that): the token cache runs on tokio's clock.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(970)).await;
    tokio::time::resume();
    // due for refresh, the refresh fails: the still-valid token is used
    client.get_password_sync_group().id("g1").send().await.unwrap();
    let received = server.received_requests().await.unwrap();
    let api: Vec<_> = received.iter().filter(|r| r.url.path() != "/oauth/token").collect();
    assert_eq!(api.len(), 2);
    assert_eq!(api[1].headers.get("authorization").unwrap(), "Bearer token-0");
    assert!(requests(&server, "/oauth/token").await >= 2, "a refresh was tried");
}

#[tokio::test]
async fn a_retry_after_waiting_out_a_429_carries_the_current_token() {
    let server = MockServer::start().await;
    let issued = common::numbered_tokens(&server, |_| 1.0, Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path(format!("{GROUPS}/g1")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GROUPS}/g1")))
        .respond_with(move |req: &Request| match req.headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some("Bearer token-0") => ResponseTemplate::new(401).set_body_json(json!({"error": "JWT is expired"})),
            _ => ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "g"})),
        })
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast()));
    client.get_password_sync_group().id("g1").send().await.unwrap();
    let received = server.received_requests().await.unwrap();
    let auth: Vec<_> = received
        .iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .map(|r| r.headers.get("authorization").unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(auth, ["Bearer token-0", "Bearer token-1"], "the retry carries the token current after the wait");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_token_rejected_while_a_call_is_under_way_is_replaced_again() {
    // Tokens 0 and 1 are refused, as if each expired (or was revoked) just
    // as the call used it; token 2 is accepted. A create is replayed too.
    let server = MockServer::start().await;
    let issued = common::numbered_tokens(&server, |_| 3600.0, Duration::ZERO).await;
    let refuse_early_tokens = |req: &Request| match req.headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer token-0" | "Bearer token-1") => ResponseTemplate::new(401).set_body_json(json!({"error": "JWT is expired"})),
        _ => ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "g"})),
    };
    Mock::given(method("POST")).and(path(GROUPS)).respond_with(refuse_early_tokens).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{GROUPS}/refused")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "JWT is expired"})))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast()));
    let group = PasswordSyncGroup { name: Some("g".into()), ..Default::default() };
    let created = client.create_password_sync_group().body(group).send().await.unwrap().into_inner().unwrap();
    assert_eq!(created.id.as_deref(), Some("g1"));
    let auth: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == GROUPS)
        .map(|r| r.headers.get("authorization").unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(auth, ["Bearer token-0", "Bearer token-1", "Bearer token-2"], "each replay with a new token");
    assert_eq!(issued.load(Ordering::SeqCst), 3);
    // A server that refuses every token: three replays, each with a new
    // token, then the 401 is the answer (no loop).
    let err = client.get_password_sync_group().id("refused").send().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(requests(&server, &format!("{GROUPS}/refused")).await, 4);
    assert_eq!(issued.load(Ordering::SeqCst), 6, "token-2, then three new tokens, were refused");
}

/// A server on 127.0.0.1 that reads each request whole, then answers with
/// `reply` (raw bytes) and closes the connection. Counts connections.
async fn raw_server(reply: &'static [u8]) -> (String, Arc<AtomicUsize>) {
    raw_server_in_parts(vec![reply]).await
}

/// Like [`raw_server`], sending the reply in `parts`, 50 ms apart.
async fn raw_server_in_parts(parts: Vec<&'static [u8]>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let parts = parts.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                // headers, then as much body as Content-Length says
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    let _ = socket.write_all(part).await;
                    let _ = socket.flush().await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, connections)
}

#[tokio::test]
async fn a_cut_off_success_body_is_a_decoding_error_with_its_status() {
    let (url, connections) =
        raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\": \"g1\", \"na")
            .await;
    let client = common::v2024(&url, |b| b.retry(fast()));
    let body: PasswordSyncGroup = serde_json::from_value(json!({"name": "g"})).unwrap();
    let err = client.create_password_sync_group().body(body).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200), "{err}");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "a POST is not replayed");
}

#[tokio::test]
async fn a_body_in_two_halves_is_read_whole() {
    // the first chunk is exactly half the declared length
    let (url, _) = raw_server_in_parts(vec![
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 32\r\n\r\n{\"id\": \"g1\",    ",
        b"    \"name\": \"g\"}",
    ])
    .await;
    let client = common::v2024(&url, |b| b.retry(RetryConfig::none()));
    let group = client.get_password_sync_group().id("g1").send().await.unwrap().into_inner().unwrap();
    assert_eq!((group.id.as_deref(), group.name.as_deref()), (Some("g1"), Some("g")));
}

#[tokio::test]
async fn a_request_cut_off_after_sending_is_retryable_only_when_idempotent() {
    let (url, connections) = raw_server(b"").await;
    let client = common::v2024(&url, |b| b.retry(fast()));
    let body: PasswordSyncGroup = serde_json::from_value(json!({"name": "g"})).unwrap();
    let err = client.create_password_sync_group().body(body).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(!err.is_retryable(), "the server may have received the POST");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    let err = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(connections.load(Ordering::SeqCst), 1 + 4, "the GET was retried");
}

#[tokio::test]
async fn an_error_body_that_breaks_off_keeps_its_status() {
    let (url, _) =
        raw_server(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html>Bad Gate").await;
    let client = common::v2024(&url, |b| b.retry(RetryConfig::none()));
    let err = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502), "{err}");
    assert!(err.raw_body().is_some_and(|b| b.contains("Bad Gate")), "{err:?}");
}

/// Peak resident memory of this process, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[tokio::test]
async fn a_huge_error_body_is_read_only_up_to_the_cap() {
    use axum::body::Body;
    // a 502 with a 512 MiB HTML body, made as it is sent, counting what was sent
    let produced = Arc::new(AtomicU64::new(0));
    let counter = produced.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
            let body = futures::stream::iter(0..8192).map(move |_| {
                counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                Ok::<_, std::io::Error>(chunk.clone())
            });
            axum::response::Response::builder()
                .status(502)
                .header("content-type", "text/html")
                .body(Body::from_stream(body))
                .unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let before = peak_rss_kib();
    let client = common::v2024(&url, |b| b.retry(fast()));
    let err = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502), "{err}");
    assert!(err.raw_body().is_some_and(|b| b.len() <= 64 * 1024 + 4), "the kept body is cut to 64 KiB");
    let sent = produced.load(Ordering::Relaxed);
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        eprintln!("512 MiB error body: peak RSS grew by {} KiB; the server produced {} KiB", after - before, sent / 1024);
    }
    // 4 attempts; the last one's body is read to 1 MiB, then the connection is dropped
    assert!(sent < 64 << 20, "the server sent {sent} bytes: the body was read past its cap");
}

#[tokio::test]
async fn a_success_body_over_its_cap_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(GROUPS))
        .respond_with(ResponseTemplate::new(200).set_body_json(groups(0..5000)))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.body_limits(BodyLimits::default().with_success(64 * 1024)));
    let err = client.get_password_sync_groups().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert!(err.to_string().contains("65536-byte limit"), "{err}");
    assert_eq!(requests(&server, GROUPS).await, 1, "not retried");
    // under the cap it decodes
    let client = common::v2024(&server.uri(), |b| b);
    assert_eq!(client.get_password_sync_groups().send().await.unwrap().into_inner().unwrap().len(), 5000);
}

#[test]
fn builder_debug_shows_no_header_value() {
    use reqwest::header::{HeaderName, HeaderValue};
    let name = HeaderName::from_static("x-api-key");
    let runtime = Runtime::builder().default_header(name.clone(), HeaderValue::from_static("canary-header-value"));
    let shown = format!("{runtime:?}");
    assert!(shown.contains("x-api-key") && !shown.contains("canary-header-value"), "{shown}");
    let facade = sailpoint::Client::builder().default_header(name, HeaderValue::from_static("canary-header-value"));
    assert!(!format!("{facade:?}").contains("canary-header-value"));
}

#[tokio::test]
async fn a_download_cut_off_mid_body_is_an_error_not_a_short_file() {
    use sailpoint_runtime::Download;
    let (url, connections) =
        raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\nid,name\n1,Ada\n").await;
    let client = common::v2024(&url, |b| b.retry(fast()));
    let mut sink = Vec::new();
    let err = client.get_accounts_schema().id("s1").send().await.unwrap().write_to(&mut sink).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(sink.len() < 1000, "only what arrived was written: {} bytes", sink.len());
    let err = client.get_accounts_schema().id("s1").send().await.unwrap().text().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(connections.load(Ordering::SeqCst), 2, "one request per call: a stream already handed over is not replayed");
}

/// A `create_password_sync_group` (spec: `200` only) answered `status`
/// with `body` (`content_type`): the response, and the POSTs the server
/// counted.
async fn create_answered(status: u16, body: &[u8], content_type: &str) -> (ResponseValue<PasswordSyncGroup>, usize) {
    let server = MockServer::start().await;
    let answer =
        ResponseTemplate::new(status).insert_header("slpt-request-id", "req-created").set_body_raw(body.to_vec(), content_type);
    Mock::given(method("POST")).and(path(GROUPS)).respond_with(answer).mount(&server).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    let group = PasswordSyncGroup { name: Some("g".into()), ..Default::default() };
    let created = client.create_password_sync_group().body(group).send().await;
    let created = created.unwrap_or_else(|e| panic!("HTTP {status} is a success: {e}"));
    assert_eq!(created.status().as_u16(), status, "the status the server sent is kept");
    assert_eq!(created.headers()["slpt-request-id"], "req-created");
    (created, requests(&server, GROUPS).await)
}

#[tokio::test]
async fn an_undeclared_success_status_is_a_success_sent_once() {
    let whole = json!({"id": "g-new", "name": "g", "passwordPolicyId": "p1", "sourceIds": ["s1"]}).to_string();
    for status in [201, 202, 203] {
        let (created, posts) = create_answered(status, whole.as_bytes(), "application/json").await;
        assert!(created.is_decoded() && created.raw_body().is_none(), "HTTP {status}");
        assert_eq!(created.value().and_then(|g| g.id.as_deref()), Some("g-new"), "HTTP {status}");
        let created = created.into_inner().unwrap();
        assert_eq!(created.source_ids, Some(vec!["s1".to_string()]));
        assert_eq!(posts, 1, "HTTP {status}: the create is sent once");
    }
    // A delete declared `204` answered `200` with a body: a success.
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{GROUPS}/g1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"deleted": true})))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    let deleted = client.delete_password_sync_group().id("g1").send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 200);
    assert_eq!(requests(&server, &format!("{GROUPS}/g1")).await, 1);
}

#[tokio::test]
async fn a_success_whose_body_does_not_decode_is_still_a_success_with_its_body() {
    // Where a group is promised: an undeclared 204 with no body, a 200 of
    // HTML from a proxy, a 201 of JSON in another shape. Each is `Ok`, sent
    // once, with its status, headers and body as it came; the value is
    // missing, and asking for it says why, with the status.
    let cases: [(u16, &[u8], &str); 3] = [
        (204, b"", "application/json"),
        (200, b"<html><body>Saved</body></html>", "text/html"),
        (201, br#"{"id": 17, "name": ["not", "a", "string"]}"#, "application/json"),
    ];
    for (status, body, content_type) in cases {
        let (created, posts) = create_answered(status, body, content_type).await;
        assert_eq!(posts, 1, "HTTP {status}: sent once, never again");
        assert!(!created.is_decoded() && created.value().is_none(), "HTTP {status}");
        assert_eq!(created.raw_body(), Some(body), "HTTP {status}: the body as it came");
        let e = created.into_inner().unwrap_err();
        assert_eq!((e.kind(), e.status().map(|s| s.as_u16())), (ErrorKind::Decode, Some(status)), "{e}");
        assert_eq!(e.operation(), Some("create_password_sync_group"), "{e}");
        assert!(!e.is_retryable(), "the server completed the create: {e}");
    }
}

/// A token endpoint that answers 429 with `retry_after()` (made as the 429
/// goes out) once, then a token; records when each token request arrived.
async fn rate_limited_token_endpoint(
    server: &MockServer,
    retry_after: impl Fn() -> String + Send + Sync + 'static,
) -> Arc<Mutex<Vec<Instant>>> {
    let times = Arc::new(Mutex::new(Vec::new()));
    let log = times.clone();
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(move |_: &Request| {
            let mut t = log.lock().unwrap();
            t.push(Instant::now());
            if t.len() == 1 {
                ResponseTemplate::new(429).insert_header("Retry-After", retry_after().as_str())
            } else {
                ResponseTemplate::new(200).set_body_json(json!({"access_token": "t", "token_type": "bearer", "expires_in": 600}))
            }
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GROUPS}/g1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "g"})))
        .mount(server)
        .await;
    times
}

#[tokio::test]
async fn the_token_request_honours_retry_after_in_seconds_and_as_a_date() {
    // In seconds: 1 s. As an HTTP date (whole seconds), made as the 429
    // goes out: 2 s from then, so more than 1 s whatever the sub-second part.
    for (form, at_least) in [("seconds", 1), ("date", 1)] {
        let server = MockServer::start().await;
        let retry_after = move || match form {
            "seconds" => "1".to_string(),
            _ => httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2)),
        };
        let times = rate_limited_token_endpoint(&server, retry_after).await;
        let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast()));
        client.get_password_sync_group().id("g1").send().await.unwrap();
        let t = times.lock().unwrap().clone();
        assert_eq!(t.len(), 2, "{form}: one 429, then the token");
        assert!(t[1] - t[0] >= Duration::from_secs(at_least), "{form}: asked again {:?} after the 429", t[1] - t[0]);
        assert_eq!(requests(&server, &format!("{GROUPS}/g1")).await, 1);
    }
    // A wait past the token request's deadline (30 s) is not started: the
    // caller hears at once, and the endpoint was asked once.
    let server = MockServer::start().await;
    let times = rate_limited_token_endpoint(&server, || "45".to_string()).await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast()));
    let e = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(e.to_string().contains("429") && e.to_string().contains("deadline"), "{e}");
    assert_eq!(times.lock().unwrap().len(), 1);
    assert_eq!(requests(&server, &format!("{GROUPS}/g1")).await, 0);
}

/// A server on 127.0.0.1 that answers every request `200` with a declared
/// body of 1,000 bytes, sends 10 of them, then holds the connection open
/// without sending more. Counts connections.
async fn stalling_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !String::from_utf8_lossy(&buf).contains("\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n[{\"id\":\"g1";
                if socket.write_all(head.as_bytes()).await.is_ok() {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            });
        }
    });
    (url, connections)
}

#[tokio::test]
async fn a_body_that_stalls_past_the_read_timeout_is_a_timeout() {
    let (url, connections) = stalling_server().await;
    let client = common::v2024(&url, |b| b.retry(fast()).read_timeout(Some(Duration::from_secs(1))));
    let e = client.get_password_sync_groups().send().await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200), "{e}");
    assert!(e.to_string().contains("stalled"), "{e}");
    assert!(e.is_retryable(), "a GET that timed out may be tried again");
    assert_eq!(connections.load(Ordering::SeqCst), 4, "a GET is tried 1 + 3 times");
    // A create whose answer stalls: the server completed it, so it is
    // neither sent again nor called retryable.
    let (url, connections) = stalling_server().await;
    let client = common::v2024(&url, |b| b.retry(fast()).read_timeout(Some(Duration::from_secs(1))));
    let group = PasswordSyncGroup { name: Some("g".into()), ..Default::default() };
    let e = client.create_password_sync_group().body(group).send().await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200), "{e}");
    assert!(!e.is_retryable(), "a POST the server answered must not be sent again: {e}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}
