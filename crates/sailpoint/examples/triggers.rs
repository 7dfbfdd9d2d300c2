//! Event triggers, end to end on 127.0.0.1: a receiver, an `ASYNC`
//! subscription to the access request dynamic approver on the embedded mock
//! tenant, an event the mock fires, answered when the handler is done, and
//! the completion the mock recorded.
//!
//! `cargo run --example triggers`

use std::time::Duration;

use sailpoint::services::triggers::types::{
    AccessRequestDynamicApprover, Accessrequestdynamicapprover2, Accessrequestdynamicapprover2Type, BearerTokenAuthConfig,
    HttpAuthenticationType, HttpConfig, HttpDispatchMode, SubscriptionPostRequest, SubscriptionType,
};
use sailpoint::triggers::{Delivery, Receiver};
use sailpoint_mock::{MockConfig, MockTenant};

type Res = std::result::Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Res {
    let mock = MockTenant::start(MockConfig::default()).await?;
    let client = sailpoint::Client::builder()
        .base_url(mock.url())
        .client_credentials(mock.client_id(), mock.client_secret())
        .allow_http_loopback(true)
        .build()?;

    // The receiver: the subscription's token, the client that completes
    // invocations, and a handler that takes its time to decide.
    let token = "example-subscription-token";
    let receiver = Receiver::builder()
        .bearer_token(token)
        .completions(&client)
        .on(|event: Delivery<AccessRequestDynamicApprover>| async move {
            println!("deciding on access request {} ({:?} mode)", event.payload.access_request_id, event.response_mode);
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok::<_, std::io::Error>(Some(Accessrequestdynamicapprover2 {
                id: "2c91808b6ef1d43e016efba0ce470906".into(),
                name: "Security Team".into(),
                type_: Accessrequestdynamicapprover2Type::GovernanceGroup,
                extra: Default::default(),
            }))
        })
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/events", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().route_service("/events", receiver)).await });

    // The subscription, on the tenant.
    let subscription = SubscriptionPostRequest {
        name: "Dynamic approver".into(),
        trigger_id: "idn:access-request-dynamic-approver".into(),
        type_: SubscriptionType::Http,
        http_config: Some(HttpConfig {
            url: url.clone(),
            http_dispatch_mode: HttpDispatchMode::Async,
            http_authentication_type: Some(HttpAuthenticationType::BearerToken),
            bearer_token_auth_config: Some(BearerTokenAuthConfig { bearer_token: Some(token.into()), extra: Default::default() }),
            basic_auth_config: None,
            extra: Default::default(),
        }),
        response_deadline: Some("PT1H".into()),
        description: None,
        enabled: Some(true),
        event_bridge_config: None,
        filter: None,
    };
    client.triggers().create_subscription_v1().body(subscription).send().await?;
    println!("subscribed {url}");

    // The tenant fires the trigger with the spec's example payload.
    let delivered = mock.fire("idn:access-request-dynamic-approver", None).await?;
    for d in &delivered {
        println!("delivered to {}: {} {}", d.subscription_id, d.status, d.body);
    }

    // The handler answers later, through the invocation API.
    for _ in 0..250 {
        if let Some(done) = mock.completions().first() {
            println!("the tenant recorded: {}", serde_json::to_string_pretty(done)?);
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err("no completion within 5 s".into())
}
