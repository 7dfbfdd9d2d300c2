//! What the receiver's tests share (`trigger_receiver.rs`, `trigger_secrets.rs`):
//! the receiver served on 127.0.0.1, deliveries, example payloads, and a
//! tenant (wiremock) whose invocation API counts what it receives.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sailpoint::services::triggers::types::{AccessRequestPreApproval, Accessrequestpreapproval2};
use sailpoint::triggers::{Delivery, Receiver, ResponseMode};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TOKEN: &str = "subscription-t0ken-5e1f";

pub const SECRET: &str = "invocation-s3cret-c1c6";

/// The receiver at `http://addr/events`.
pub async fn serve(receiver: Receiver) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route_service("/events", receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

pub async fn post(addr: SocketAddr, auth: Option<&str>, body: impl Into<reqwest::Body>) -> (u16, String) {
    let mut request = reqwest::Client::new().post(format!("http://{addr}/events")).body(body);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// The spec's example payload of `trigger`, as the triggers service's `EXAMPLES` has it.
pub fn example(trigger: &str) -> Value {
    let (_, text) = sailpoint::services::triggers::events::EXAMPLES.iter().find(|(id, _)| *id == trigger).unwrap();
    serde_json::from_str(text).unwrap()
}

pub fn identity_created() -> Value {
    let mut event = example("idn:identity-created");
    event["_metadata"] = json!({"triggerId": "idn:identity-created", "triggerType": "fireAndForget"});
    event["identity"]["name"] = json!("Ada Lovelace");
    event
}

pub fn pre_approval(mode: &str, request_id: &str) -> Value {
    let mut event = example("idn:access-request-pre-approval");
    event["_metadata"] = json!({
        "triggerId": "idn:access-request-pre-approval", "triggerType": "requestResponse", "responseMode": mode,
        "secret": SECRET,
        "callbackURL": "https://acme.api.identitynow.com/beta/trigger-invocations/inv-1/complete"
    });
    event["accessRequestId"] = json!(request_id);
    event
}

/// Waits (up to 5 s) until `done`.
pub async fn eventually(done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("not done within 5 s");
}

/// A tenant (wiremock) whose invocation API answers `status`.
pub async fn tenant(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "api-token", "token_type": "bearer", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/trigger-invocations/v1/inv-1/complete"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

pub fn client(server: &MockServer) -> sailpoint::Client {
    sailpoint::Client::builder()
        .base_url(server.uri())
        .client_credentials("client-id", "client-secret")
        .allow_http_loopback(true)
        .build()
        .unwrap()
}

pub async fn completions(server: &MockServer) -> Vec<Value> {
    let received = server.received_requests().await.unwrap_or_default();
    received.iter().filter(|r| r.url.path().ends_with("/complete")).map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

pub fn approving(client: &sailpoint::Client, calls: &Arc<AtomicUsize>) -> Receiver {
    let calls = calls.clone();
    Receiver::builder()
        .bearer_token(TOKEN)
        .completions(client)
        .on(move |event: Delivery<AccessRequestPreApproval>| {
            let calls = calls.clone();
            let mode = event.response_mode;
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                match event.payload.access_request_id.as_str() {
                    "fail" => return Err(std::io::Error::other("no decision")),
                    "panic" => panic!("the handler panicked"),
                    _ => {}
                }
                Ok(Accessrequestpreapproval2 {
                    approved: mode == Some(ResponseMode::Async),
                    comment: format!("{mode:?}"),
                    approver: "AcmeCorpExternalIntegration".into(),
                    extra: Default::default(),
                })
            }
        })
        .build()
}

/// A subscription of `trigger` to `url` on the mock, by the triggers service.
pub async fn subscribe(client: &sailpoint::Client, trigger: &str, url: &str, mode: &str, token: &str) {
    let body: sailpoint::services::triggers::types::SubscriptionPostRequest = serde_json::from_value(json!({
        "name": trigger, "triggerId": trigger, "type": "HTTP", "responseDeadline": "PT1H",
        "httpConfig": {"url": url, "httpDispatchMode": mode, "httpAuthenticationType": "BEARER_TOKEN",
            "bearerTokenAuthConfig": {"bearerToken": token}}
    }))
    .unwrap();
    client.triggers().create_subscription_v1().body(body).send().await.unwrap();
}
