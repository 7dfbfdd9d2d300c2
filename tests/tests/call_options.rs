//! Options for one call (`.with_options(CallOptions::new()…)`) on the wire:
//! each test counts the requests the server saw, and checks that a call
//! without the options, on the same client, keeps the client's settings.

mod common;

use std::time::Duration;

use futures::TryStreamExt;
use sailpoint::search::SearchRequest;
use sailpoint_runtime::{CallOptions, ErrorKind, Paginate, RetryConfig};
use sailpoint_v2024::types::PasswordSyncGroup;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const GROUPS: &str = "/v2024/password-sync-groups";

fn fast() -> RetryConfig {
    RetryConfig::default().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(4))
}

async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// A server that answers every request to `p` with `template`.
async fn answering(http_method: &str, p: &str, template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(http_method)).and(path(p)).respond_with(template).mount(&server).await;
    server
}

#[tokio::test]
async fn a_deadline_ends_one_call_retries_and_waits_included() {
    // A slow answer: the call with a deadline ends at it; one without waits.
    let slow = ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "g"})).set_delay(Duration::from_millis(800));
    let server = answering("GET", &format!("{GROUPS}/g1"), slow).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    let short = CallOptions::new().timeout(Duration::from_millis(100));
    let err = client.get_password_sync_group().id("g1").with_options(short.clone()).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.operation(), Some("get_password_sync_group"));
    assert!(err.is_retryable(), "a GET may be sent again");
    assert_eq!(seen(&server).await, 1);
    client.get_password_sync_group().id("g1").send().await.expect("the client itself has no deadline");
    assert_eq!(seen(&server).await, 2);

    // A 429 asking to come back in 1 s (retried for any method): the
    // deadline cuts the wait short, and no retry is sent.
    let busy = ResponseTemplate::new(429).insert_header("Retry-After", "1");
    let server = answering("POST", GROUPS, busy).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    let body: PasswordSyncGroup = serde_json::from_value(json!({"name": "g"})).unwrap();
    let err = client.create_password_sync_group().body(body).with_options(short).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(!err.is_retryable(), "where a deadline ends a POST, it may have been received: not retryable");
    assert_eq!(seen(&server).await, 1);
}

#[tokio::test]
async fn retries_can_be_turned_off_for_one_call() {
    let server = answering("GET", &format!("{GROUPS}/g1"), ResponseTemplate::new(503)).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    let once = CallOptions::new().retry(RetryConfig::none());
    let err = client.get_password_sync_group().id("g1").with_options(once).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seen(&server).await, 1, "retries off: one request");
    client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert_eq!(seen(&server).await, 1 + 4, "the client's policy: the first attempt and 3 retries");
}

#[tokio::test]
async fn replay_safety_can_be_declared_for_one_call() {
    let server = answering("POST", GROUPS, ResponseTemplate::new(503)).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    let body = || -> PasswordSyncGroup { serde_json::from_value(json!({"name": "g"})).unwrap() };
    let err = client.create_password_sync_group().body(body()).send().await.unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(seen(&server).await, 1, "a POST is not resent after a 503");
    let safe = CallOptions::new().replay_safe(true);
    let err = client.create_password_sync_group().body(body()).with_options(safe).send().await.unwrap_err();
    assert!(err.is_retryable(), "declared replay-safe: {err}");
    assert_eq!(seen(&server).await, 1 + 4, "declared replay-safe, it is retried like a GET");

    let server = answering("GET", &format!("{GROUPS}/g1"), ResponseTemplate::new(503)).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast()));
    let not_safe = CallOptions::new().replay_safe(false);
    let err = client.get_password_sync_group().id("g1").with_options(not_safe).send().await.unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(seen(&server).await, 1, "declared not replay-safe, a GET is sent once");
}

#[tokio::test]
async fn one_call_can_opt_in_or_out_of_experimental_operations() {
    let server = answering("GET", "/v2024/password-policies", ResponseTemplate::new(200).set_body_json(json!([]))).await;
    let client = common::v2024(&server.uri(), |b| b);
    let err = client.list_password_policies().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("CallOptions::experimental(true)"), "{err}");
    assert_eq!(seen(&server).await, 0, "refused before anything is sent");
    let opted_in = CallOptions::new().experimental(true);
    client.list_password_policies().with_options(opted_in).send().await.unwrap().into_inner().unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].headers.get("x-sailpoint-experimental").map(|v| v.to_str().unwrap()), Some("true"));

    let client = common::v2024(&server.uri(), |b| b.experimental(true));
    let opted_out = CallOptions::new().experimental(false);
    let err = client.list_password_policies().with_options(opted_out).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(seen(&server).await, 1, "opted out for the call: nothing sent");
}

#[tokio::test]
async fn headers_go_with_the_call_and_every_page_of_a_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(GROUPS))
        .and(header("x-trace-tag", "run-7"))
        .respond_with(|req: &Request| {
            let q = |k: &str| req.url.query_pairs().find(|(key, _)| key == k).and_then(|(_, v)| v.parse::<usize>().ok());
            let (offset, limit) = (q("offset").unwrap_or(0), q("limit").unwrap_or(250));
            let page: Vec<Value> =
                (offset..(offset + limit).min(5)).map(|i| json!({"id": format!("g{i}"), "name": "g"})).collect();
            ResponseTemplate::new(200).set_body_json(page)
        })
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b);
    let options = CallOptions::new().header("x-trace-tag".parse().unwrap(), "run-7".parse().unwrap()).page_size(2).prefetch(1);
    let groups: Vec<_> = client.get_password_sync_groups().with_options(options).stream().try_collect().await.unwrap();
    let ids: Vec<_> = groups.iter().map(|g| g.id.clone().unwrap_or_default()).collect();
    assert_eq!(ids, ["g0", "g1", "g2", "g3", "g4"], "every item once, in order");
    let requests = server.received_requests().await.unwrap();
    let limits: Vec<_> =
        requests.iter().map(|r| r.url.query_pairs().find(|(k, _)| k == "limit").unwrap().1.into_owned()).collect();
    assert_eq!(limits, ["2", "2", "2"], "the call's page size, one request at a time");
    assert!(requests.iter().all(|r| r.headers.get("x-trace-tag").is_some()));
}

#[tokio::test]
async fn a_search_takes_the_same_options() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/search/v1"))
        .and(header("x-trace-tag", "search-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "i1", "_type": "identity", "name": "a"}])))
        .mount(&server)
        .await;
    let runtime = common::local(&server.uri()).build().unwrap();
    let client = sailpoint::Client::with_runtime(runtime).unwrap();
    let options = CallOptions::new().header("x-trace-tag".parse().unwrap(), "search-1".parse().unwrap()).page_size(5);
    let request = SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}})).with_options(options);
    let found: Vec<Value> = client.search_json(request).try_collect().await.unwrap();
    assert_eq!(found.len(), 1);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "a short page ends the search");
    assert_eq!(requests[0].url.query(), Some("limit=5"), "the options' page size");
}
