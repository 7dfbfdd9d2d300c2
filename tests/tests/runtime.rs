//! The runtime's policy, shown against local HTTP servers: tokens, retries,
//! rate limits, redirects, secrets, errors.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sailpoint_runtime::{Credentials, ErrorKind, RetryConfig};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn token_response(token: &str, expires_in: f64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in}))
}

async fn count(server: &MockServer, p: &str) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == p).count()
}

/// Serves a listing of `total` groups; requests number 0, 3 and 6 of every
/// ten get 429 with `Retry-After: 1`. Records when each request arrived.
struct FlakyListing {
    total: usize,
    seen: AtomicUsize,
    log: Mutex<Vec<(Instant, bool)>>,
}

impl Respond for FlakyListing {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let limited = matches!(n % 10, 0 | 3 | 6);
        self.log.lock().unwrap().push((Instant::now(), limited));
        if limited {
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"message": "Rate Limit Exceeded"}));
        }
        let q = |k: &str| req.url.query_pairs().find(|(n, _)| n == k).and_then(|(_, v)| v.parse::<usize>().ok());
        let (offset, limit) = (q("offset").unwrap_or(0), q("limit").unwrap_or(250));
        let items: Vec<_> = (offset..(offset + limit).min(self.total)).map(|i| json!({"id": format!("g{i}")})).collect();
        ResponseTemplate::new(200).set_body_json(items)
    }
}

#[tokio::test]
async fn rate_limited_listing_returns_every_item_once_and_waits_as_asked() {
    let server = MockServer::start().await;
    let listing = Arc::new(FlakyListing { total: 1000, seen: AtomicUsize::new(0), log: Mutex::new(Vec::new()) });
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups"))
        .respond_with(ArcRespond(listing.clone()))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.rate_limit(None));
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let page = client.get_password_sync_groups().limit(100).offset(offset).send().await.unwrap().into_inner();
        if page.is_empty() {
            break;
        }
        offset += page.len() as i32;
        ids.extend(page.into_iter().map(|g| g.id.unwrap()));
    }
    let expected: Vec<_> = (0..1000).map(|i| format!("g{i}")).collect();
    assert_eq!(ids, expected, "every item exactly once, in order");
    let log = listing.log.lock().unwrap();
    let limited = log.iter().filter(|(_, l)| *l).count();
    assert!(limited >= 3, "the test exercised 429s ({limited})");
    for pair in log.windows(2) {
        if pair[0].1 {
            assert!(pair[1].0 - pair[0].0 >= Duration::from_secs(1), "retried before Retry-After elapsed");
        }
    }
}

/// `Respond` for an `Arc` of a responder, so the test keeps a handle.
struct ArcRespond<T>(Arc<T>);
impl<T: Respond> Respond for ArcRespond<T> {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.0.respond(req)
    }
}

#[tokio::test]
async fn post_that_reached_the_server_is_not_retried_but_get_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2024/password-sync-groups"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1"})))
        .mount(&server)
        .await;
    let fast = RetryConfig { base_delay: Duration::from_millis(1), ..RetryConfig::default() };
    let client = common::v2024(&server.uri(), |b| b.retry(fast));
    let body: sailpoint_v2024::types::PasswordSyncGroup = serde_json::from_value(json!({"name": "g"})).unwrap();
    let err = client.create_password_sync_group().body(body).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count(&server, "/v2024/password-sync-groups").await, 1, "the POST was sent exactly once");
    let group = client.get_password_sync_group().id("g1").send().await.unwrap();
    assert_eq!(group.id.as_deref(), Some("g1"));
    assert_eq!(count(&server, "/v2024/password-sync-groups/g1").await, 2, "the GET was retried");
}

#[tokio::test]
async fn concurrent_calls_across_expiry_share_one_token_request() {
    let server = MockServer::start().await;
    // the first token is about to expire; the second lasts
    let issued = common::numbered_tokens(&server, |n| if n == 0 { 1.0 } else { 3600.0 }, Duration::from_millis(50)).await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1"})))
        .mount(&server)
        .await;
    let client =
        common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("client-1", "secret-1")).rate_limit(None));
    client.get_password_sync_group().id("g1").send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(1000)).await; // past the refresh point of token-0
    let calls = (0..100).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.get_password_sync_group().id("g1").send().await.map(|_| ()) })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(issued.load(Ordering::SeqCst), 2, "one token request for 100 concurrent calls");
    let received = server.received_requests().await.unwrap();
    let token_req = received.iter().find(|r| r.url.path() == "/oauth/token").unwrap();
    let form = String::from_utf8(token_req.body.clone()).unwrap();
    assert!(
        form.contains("grant_type=client_credentials")
            && form.contains("client_id=client-1")
            && form.contains("client_secret=secret-1")
    );
    assert!(token_req.url.query().is_none(), "credentials never in the query string");
    let auth: Vec<_> = received
        .iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .map(|r| r.headers.get("authorization").unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(auth[0], "Bearer token-0");
    assert!(auth[1..].iter().all(|a| a == "Bearer token-1"));
}

#[tokio::test]
async fn a_401_refreshes_once_and_replays_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/oauth/token")).respond_with(token_response("t", 3600.0)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "JWT validation failed: JWT is expired"})))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")));
    let err = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(err.to_string().contains("JWT is expired"), "{err}");
    assert_eq!(count(&server, "/oauth/token").await, 2, "one refresh");
    assert_eq!(count(&server, "/v2024/password-sync-groups/g1").await, 2, "one replay, no loop");
}

#[tokio::test]
async fn a_failed_token_request_says_why_and_sends_nothing_else() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "wrong")));
    let err = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let text = err.to_string();
    assert!(text.contains("401") && text.contains("invalid_client"), "{text}");
    assert_eq!(count(&server, "/v2024/password-sync-groups/g1").await, 0);
}

#[tokio::test]
async fn a_cross_host_redirect_loses_the_authorization_header() {
    let other = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1"}))).mount(&other).await;
    let server = MockServer::start().await;
    let target = format!("{}/elsewhere/g1", other.uri().replace("127.0.0.1", "localhost"));
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", target.as_str()))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::access_token("token-abc")));
    client.get_password_sync_group().id("g1").send().await.unwrap();
    let first = &server.received_requests().await.unwrap()[0];
    assert!(first.headers.get("authorization").is_some());
    let redirected = &other.received_requests().await.unwrap()[0];
    assert!(redirected.headers.get("authorization").is_none(), "Authorization followed a redirect to another host");
}

#[test]
fn only_https_or_loopback_when_allowed() {
    let build = |url: &str, allow: bool| sailpoint_runtime::Runtime::builder().base_url(url).allow_http_loopback(allow).build();
    assert!(build("https://acme.api.identitynow.com", false).is_ok());
    assert!(build("http://acme.api.identitynow.com", true).is_err());
    assert!(build("http://127.0.0.1:8080", false).is_err());
    assert!(build("http://127.0.0.1:8080", true).is_ok());
    assert!(build("not a url", false).unwrap_err().to_string().contains("not a URL"));
    let missing = sailpoint_runtime::Runtime::builder().credentials(Credentials::client_credentials("c", "s")).build();
    assert_eq!(missing.unwrap_err().kind(), ErrorKind::Configuration);
}

#[tokio::test]
async fn error_bodies_of_every_shape_keep_their_status() {
    let server = MockServer::start().await;
    let cases: Vec<(u16, ResponseTemplate)> = vec![
        (
            400,
            ResponseTemplate::new(400).set_body_json(json!({"detailCode": "400.1 Bad Request Content", "trackingId": "t-1",
            "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": "bad filter"}], "causes": []})),
        ),
        (401, ResponseTemplate::new(401).set_body_json(json!({"error": "JWT is expired"}))),
        (429, ResponseTemplate::new(429).set_body_json(json!({"message": "Rate Limit Exceeded"}))),
        (500, ResponseTemplate::new(500).set_body_json(json!({"detailMessage": "internal"}))),
        (502, ResponseTemplate::new(502).set_body_raw("<html><body>Bad Gateway</body></html>", "text/html")),
        (503, ResponseTemplate::new(503)),
        (418, ResponseTemplate::new(418).set_body_raw("{\"truncated\": ", "application/json")),
        (404, ResponseTemplate::new(404).set_body_raw("\u{0}\u{1}garbage", "application/octet-stream")),
    ];
    for (status, template) in &cases {
        Mock::given(method("GET"))
            .and(path(format!("/v2024/password-sync-groups/s{status}")))
            .respond_with(template.clone().insert_header("SLPT-Request-ID", "req-9"))
            .mount(&server)
            .await;
    }
    let client = common::v2024(&server.uri(), |b| b.retry(RetryConfig::none()));
    for (status, _) in &cases {
        let raw = client.get_password_sync_group().id(format!("s{status}")).send().await.unwrap_err();
        let err = raw;
        assert_eq!(err.status().map(|s| s.as_u16()), Some(*status), "{err}");
        assert_eq!(err.request_id(), Some("req-9"));
        match status {
            400 => {
                assert_eq!(err.detail_code(), Some("400.1 Bad Request Content"));
                assert_eq!(err.tracking_id(), Some("t-1"));
                assert_eq!(err.messages()[0].text, "bad filter");
            }
            401 => assert!(err.to_string().contains("JWT is expired")),
            429 => assert!(err.is_rate_limited() && err.to_string().contains("Rate Limit Exceeded")),
            500 => assert!(err.to_string().contains("internal")),
            502 => assert!(err.raw_body().unwrap().contains("Bad Gateway")),
            418 => assert!(err.raw_body().unwrap().contains("truncated")),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_streamed_body_is_sent_once_a_buffered_put_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v2024/connectors/my-connector/source-config"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let fast = RetryConfig { base_delay: Duration::from_millis(1), ..RetryConfig::default() };
    let client = common::v2024(&server.uri(), |b| b.retry(fast));
    let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{\"a\":1}"))]);
    let part = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream)).file_name("config.json");
    let err = client.put_connector_source_config().script_name("my-connector").file(part).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count(&server, "/v2024/connectors/my-connector/source-config").await, 1, "a stream cannot be replayed");
    // a buffered body of an idempotent method is replayed: 1 + 3 retries
    Mock::given(method("PUT"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let group: sailpoint_v2024::types::PasswordSyncGroup = serde_json::from_value(json!({"name": "g"})).unwrap();
    client.update_password_sync_group().id("g1").body(group).send().await.unwrap_err();
    assert_eq!(count(&server, "/v2024/password-sync-groups/g1").await, 4);
}

#[tokio::test]
async fn the_token_request_is_retried_when_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/oauth/token")).respond_with(token_response("t", 3600.0)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1"})))
        .mount(&server)
        .await;
    let fast = RetryConfig { base_delay: Duration::from_millis(1), ..RetryConfig::default() };
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast));
    client.get_password_sync_group().id("g1").send().await.unwrap();
    assert_eq!(count(&server, "/oauth/token").await, 3);
}
