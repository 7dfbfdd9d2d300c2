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
        let page = client.get_password_sync_groups().limit(100).offset(offset).send().await.unwrap().into_inner().unwrap();
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
    let fast = RetryConfig::default().with_base_delay(Duration::from_millis(1));
    let client = common::v2024(&server.uri(), |b| b.retry(fast));
    let body: sailpoint_v2024::types::PasswordSyncGroup = serde_json::from_value(json!({"name": "g"})).unwrap();
    let err = client.create_password_sync_group().body(body).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count(&server, "/v2024/password-sync-groups").await, 1, "the POST was sent exactly once");
    let group = client.get_password_sync_group().id("g1").send().await.unwrap().into_inner().unwrap();
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

/// Answers `statuses` in turn (then the last one for ever), and keeps every
/// request's body. Clones share them.
#[derive(Clone)]
struct Sequence(Arc<SequenceState>);

struct SequenceState {
    statuses: Vec<u16>,
    bodies: Mutex<Vec<Vec<u8>>>,
}

impl Sequence {
    fn new(statuses: &[u16]) -> Self {
        Self(Arc::new(SequenceState { statuses: statuses.to_vec(), bodies: Mutex::new(Vec::new()) }))
    }

    fn bodies(&self) -> Vec<String> {
        self.0.bodies.lock().unwrap().iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect()
    }
}

impl Respond for Sequence {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let SequenceState { statuses, bodies } = &*self.0;
        let mut bodies = bodies.lock().unwrap();
        bodies.push(req.body.clone());
        let status = statuses[(bodies.len() - 1).min(statuses.len() - 1)];
        let t = ResponseTemplate::new(status).insert_header("Retry-After", "0");
        if status < 300 { t.set_body_json(json!({"success": true})) } else { t.set_body_json(json!({"message": "busy"})) }
    }
}

async fn mount_upload(server: &MockServer, seq: &Sequence) {
    Mock::given(method("POST")).and(path("/v2024/sources/s1/load-accounts")).respond_with(seq.clone()).mount(server).await;
}

#[tokio::test]
async fn uploads_from_bytes_or_a_path_are_built_again_for_each_attempt() {
    let fast = RetryConfig::default().with_base_delay(Duration::from_millis(1));
    // 100 KB, so that a body sent short would show.
    let csv: String = (0..5_000).map(|i| format!("id{i:05},Name {i:05}\n")).collect();
    let dir = std::env::temp_dir().join(format!("sailpoint-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("accounts.csv");
    std::fs::write(&file, &csv).unwrap();
    for (how, part) in
        [("bytes", sailpoint::FilePart::bytes("accounts.csv", csv.clone())), ("path", sailpoint::FilePart::path(&file))]
    {
        // A POST is not idempotent: a 429 (not processed) is retried, a 503 is not.
        let server = MockServer::start().await;
        let seq = Sequence::new(&[429, 429, 202]);
        mount_upload(&server, &seq).await;
        let client = common::v2024(&server.uri(), |b| b.experimental(true).retry(fast.clone()));
        let task = client.import_accounts().id("s1").file(part).send().await.unwrap();
        assert_eq!(task.status(), 202, "{how}");
        let bodies = seq.bodies();
        assert_eq!(bodies.len(), 3, "{how}: two 429s, then the success");
        for body in &bodies {
            assert!(
                body.contains("filename=\"accounts.csv\"") && body.contains(&csv),
                "{how}: every attempt sends the whole file"
            );
        }
    }
    let server = MockServer::start().await;
    let seq = Sequence::new(&[503]);
    mount_upload(&server, &seq).await;
    let client = common::v2024(&server.uri(), |b| b.experimental(true).retry(fast.clone()));
    let err = client.import_accounts().id("s1").file_path(&file).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seq.bodies().len(), 1, "a 503 to a POST may have been processed: not resent");

    // An idempotent PUT is retried after a 503 too; a reader is sent once.
    let server = MockServer::start().await;
    let put = Sequence::new(&[503, 503, 200]);
    Mock::given(method("PUT")).and(path("/v2024/connectors/c/source-config")).respond_with(put.clone()).mount(&server).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast.clone()));
    client.put_connector_source_config().script_name("c").file_path(&file).send().await.unwrap();
    assert_eq!(put.bodies().len(), 3);
    assert!(put.bodies().iter().all(|b| b.contains(&csv)));
    let server = MockServer::start().await;
    let put = Sequence::new(&[503, 200]);
    Mock::given(method("PUT")).and(path("/v2024/connectors/c/source-config")).respond_with(put.clone()).mount(&server).await;
    let client = common::v2024(&server.uri(), |b| b.retry(fast.clone()));
    let reader = tokio::fs::File::open(&file).await.unwrap();
    let err = client
        .put_connector_source_config()
        .script_name("c")
        .file(sailpoint::FilePart::reader("config.json", reader))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(put.bodies().len(), 1, "a reader cannot be replayed");
    assert!(put.bodies()[0].contains(&csv), "the reader was streamed whole");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_upload_is_replayed_whole_with_a_new_token_after_a_401() {
    let server = MockServer::start().await;
    let issued = common::numbered_tokens(&server, |_| 3600.0, Duration::ZERO).await;
    let seq = Sequence::new(&[401, 202]);
    Mock::given(method("POST")).and(path("/v2024/sources/s1/load-accounts")).respond_with(seq.clone()).mount(&server).await;
    let client = common::v2024(&server.uri(), |b| b.experimental(true).credentials(Credentials::client_credentials("c", "s")));
    client.import_accounts().id("s1").file_bytes("a.csv", &b"id\n1\n"[..]).send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2, "a new token for the replay");
    let bodies = seq.bodies();
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().all(|b| b.contains("id\n1\n")), "{bodies:?}");
    let tokens: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("load-accounts"))
        .map(|r| r.headers.get("authorization").unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(tokens, ["Bearer token-0", "Bearer token-1"]);
}

#[tokio::test]
async fn a_file_that_changes_before_a_retry_is_not_sent_cut_off() {
    let dir = std::env::temp_dir().join(format!("sailpoint-upload-change-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("accounts.csv");
    std::fs::write(&file, "id\n1\n").unwrap();
    let server = MockServer::start().await;
    let (seen, grown) = (Arc::new(AtomicUsize::new(0)), file.clone());
    let counter = seen.clone();
    Mock::given(method("POST"))
        .and(path("/v2024/sources/s1/load-accounts"))
        .respond_with(move |_: &Request| {
            // The first answer is a 429; before the retry, the file grows.
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                std::fs::write(&grown, "id\n1\n2\n3\n").unwrap();
                return ResponseTemplate::new(429).insert_header("Retry-After", "0");
            }
            ResponseTemplate::new(202).set_body_json(json!({"success": true}))
        })
        .mount(&server)
        .await;
    let fast = RetryConfig::default().with_base_delay(Duration::from_millis(1));
    let client = common::v2024(&server.uri(), |b| b.experimental(true).retry(fast));
    let err = client.import_accounts().id("s1").file_path(&file).send().await.unwrap_err();
    assert_eq!(seen.load(Ordering::SeqCst), 1, "the changed file never reached the server: {err}");
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert!(err.to_string().contains("changed during the upload"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_401_to_a_reader_upload_is_not_replayed_but_the_next_call_has_a_new_token() {
    let server = MockServer::start().await;
    let issued = common::numbered_tokens(&server, |_| 3600.0, Duration::ZERO).await;
    let seq = Sequence::new(&[401, 202]);
    mount_upload(&server, &seq).await;
    let client = common::v2024(&server.uri(), |b| b.experimental(true).credentials(Credentials::client_credentials("c", "s")));
    let reader = sailpoint::FilePart::reader("a.csv", std::io::Cursor::new(b"id\n1\n".to_vec()));
    let err = client.import_accounts().id("s1").file(reader).send().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(seq.bodies().len(), 1, "a reader is not replayed");
    client.import_accounts().id("s1").file_bytes("a.csv", &b"id\n1\n"[..]).send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2, "the refused token was dropped");
    let last =
        server.received_requests().await.unwrap().into_iter().rev().find(|r| r.url.path().ends_with("load-accounts")).unwrap();
    assert_eq!(last.headers.get("authorization").unwrap(), "Bearer token-1");
}

#[tokio::test]
async fn an_upload_of_a_missing_file_sends_nothing() {
    let server = MockServer::start().await;
    let client = common::v2024(&server.uri(), |b| b.experimental(true));
    let err = client.import_accounts().id("s1").file_path("/nonexistent/accounts.csv").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert_eq!(err.operation(), Some("import_accounts"));
    assert!(err.to_string().contains("/nonexistent/accounts.csv"), "{err}");
    let bad_type = sailpoint::FilePart::bytes("a.csv", &b"x"[..]).media_type("text/csv\r\nx-evil: 1");
    let err = client.import_accounts().id("s1").file(bad_type).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
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
    let fast = RetryConfig::default().with_base_delay(Duration::from_millis(1));
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", "s")).retry(fast));
    client.get_password_sync_group().id("g1").send().await.unwrap();
    assert_eq!(count(&server, "/oauth/token").await, 3);
}
