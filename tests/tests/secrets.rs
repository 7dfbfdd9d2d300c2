//! No secret reaches a log line, a `Debug` or a `Display`.
//!
//! In a test binary of its own: `tracing` caches per call site whether anyone
//! listens, and a call site first reached by a test on another thread, before
//! this test's subscriber is set, can stay silent for it.

mod common;

use std::time::Duration;

use common::Captured;
use sailpoint_runtime::{Credentials, RetryConfig};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn secrets_appear_nowhere() {
    const SECRET: &str = "canary-s3cr3t-7f3a";
    const TOKEN: &str = "canary-t0ken-91bc";
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"detailMessage": "boom"})))
        .mount(&server)
        .await;
    let fast = RetryConfig::default().with_base_delay(Duration::from_millis(1));
    let client = common::v2024(&server.uri(), |b| b.credentials(Credentials::client_credentials("c", SECRET)).retry(fast));
    let raw = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    let raw_debug = format!("{raw:?} {raw}");
    let err = raw;
    let mut shown = format!("{raw_debug} {err} {err:?} {client:?}");

    // a failing token request too
    let bad = MockServer::start().await;
    Mock::given(method("POST")).and(path("/oauth/token")).respond_with(ResponseTemplate::new(400)).mount(&bad).await;
    let client = common::v2024(&bad.uri(), |b| b.credentials(Credentials::client_credentials("c", SECRET)));
    let err = client.get_password_sync_group().id("g1").send().await.unwrap_err();
    shown.push_str(&format!("{err} {err:?} {client:?}"));

    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("sailpoint.request"), "the request span was logged");
    for secret in [SECRET, TOKEN] {
        assert!(!shown.contains(secret), "secret in Debug/Display: {shown}");
        assert!(!logged.contains(secret), "secret in logs");
    }
}
