//! Neither an invocation's secret nor the subscription's credentials reach
//! a log line or a `Debug` of the trigger receiver.
//!
//! In a test binary of its own, as `secrets.rs`: `tracing` caches per call
//! site whether anyone listens, and a call site first reached by a test on
//! another thread, before this test's subscriber is set, can stay silent for it.

mod common;
#[path = "common/trigger_receiver.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use common::Captured;
use serde_json::json;
use support::*;

#[tokio::test(flavor = "current_thread")]
async fn neither_the_secret_nor_the_credentials_are_logged() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // The completion fails too (500): every path that logs is taken.
    let server = tenant(500).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = approving(&client(&server), &calls);
    let shown = format!("{receiver:?}");
    let addr = serve(receiver).await;
    assert_eq!(post(addr, Some(&bearer()), pre_approval("async", "fail").to_string()).await.0, 200);
    assert_eq!(post(addr, Some(&bearer()), pre_approval("sync", "fail").to_string()).await.0, 500);
    assert_eq!(post(addr, Some("Bearer wrong"), pre_approval("async", "a").to_string()).await.0, 401);
    let mut wrong_type = pre_approval("async", "x");
    wrong_type["accessRequestId"] = json!(7);
    assert_eq!(post(addr, Some(&bearer()), wrong_type.to_string()).await.0, 400);
    let text = || String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    eventually(|| text().contains("completing the invocation failed")).await;
    let logged = text();
    assert!(logged.contains("event handler failed"), "the run was traced: {logged}");
    for secret in [SECRET, TOKEN] {
        assert!(!logged.contains(secret), "{secret} logged: {logged}");
        assert!(!shown.contains(secret), "{secret} in Debug: {shown}");
    }
}
