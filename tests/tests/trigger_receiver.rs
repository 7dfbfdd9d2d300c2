//! `sailpoint::triggers::Receiver` over real HTTP on 127.0.0.1: the
//! receiver mounted in axum, deliveries sent with reqwest, and the
//! invocation API of the tenant a wiremock server that counts what it
//! receives. Every test counts the handler's calls.

mod common;
#[path = "common/trigger_receiver.rs"]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sailpoint::services::triggers::types::{AccessRequestPreApproval, Accessrequestpreapproval2, IdentityCreated};
use sailpoint::triggers::{Delivery, Receiver, ReceiverBuilder, ResponseMode};
use serde_json::{Value, json};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A receiver counting its fire-and-forget handler's calls.
fn counting(calls: &Arc<AtomicUsize>) -> ReceiverBuilder {
    let calls = calls.clone();
    Receiver::builder().bearer_token(TOKEN).on(move |event: Delivery<IdentityCreated>| {
        let calls = calls.clone();
        async move {
            assert_eq!(event.payload.identity.name, "Ada Lovelace");
            assert_eq!(event.trigger_id.as_deref(), Some("idn:identity-created"));
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(())
        }
    })
}

#[tokio::test]
async fn wrong_credentials_get_401_and_no_handler_call() {
    let calls = Arc::new(AtomicUsize::new(0));
    let addr = serve(counting(&calls).build()).await;
    let body = identity_created().to_string();
    let longer = format!("{}f", bearer());
    for auth in [None, Some("Bearer wrong"), Some("Bearer subscription-t0ken-5e1"), Some(&longer[..]), Some(TOKEN)] {
        assert_eq!(post(addr, auth, body.clone()).await.0, 401, "{auth:?}");
    }
    let basic_calls = Arc::new(AtomicUsize::new(0));
    let counter = basic_calls.clone();
    let basic = Receiver::builder().basic_auth("isc", "pw").on(move |_: Delivery<IdentityCreated>| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(())
        }
    });
    let basic = serve(basic.build()).await;
    assert_eq!(post(basic, Some(&bearer()), body.clone()).await.0, 401);
    assert_eq!(post(basic, Some("Basic aXNjOnB3"), body.clone()).await.0, 200);
    eventually(|| basic_calls.load(Ordering::SeqCst) == 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no handler called for a refused delivery");
    assert_eq!(post(addr, Some(&bearer()), body).await, (200, String::new()), "fire and forget: 200 at once");
    eventually(|| calls.load(Ordering::SeqCst) == 1).await;
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused_with_nothing_dispatched() {
    let calls = Arc::new(AtomicUsize::new(0));
    let addr = serve(counting(&calls).max_body(1024).build()).await;
    let mut big = identity_created();
    big["attributes"]["padding"] = json!("x".repeat(2048));
    assert_eq!(post(addr, Some(&bearer()), big.to_string()).await.0, 413, "declared length above the limit");
    let chunks: Vec<Result<String, std::io::Error>> = (0..8).map(|_| Ok("x".repeat(512))).collect();
    let streamed = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    assert_eq!(post(addr, Some(&bearer()), streamed).await.0, 413, "a chunked body read past the limit");
    for bad in ["not json", "[1, 2]", "\"text\"", "{\"open\": "] {
        assert_eq!(post(addr, Some(&bearer()), bad).await.0, 400, "{bad}");
    }
    let mut wrong_type = identity_created();
    wrong_type["identity"] = json!(42);
    let (status, body) = post(addr, Some(&bearer()), wrong_type.to_string()).await;
    assert_eq!(status, 400, "a payload its type does not read, and no fallback: {body}");
    let unknown = json!({"_metadata": {"triggerId": "idn:next-year"}, "id": "1"});
    assert_eq!(post(addr, Some(&bearer()), unknown.to_string()).await.0, 501, "no handler and no fallback");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn unknown_triggers_and_unread_payloads_go_to_the_fallback() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let receiver = Receiver::builder()
        .bearer_token(TOKEN)
        .on(|_: Delivery<IdentityCreated>| async { Ok::<_, std::io::Error>(()) })
        .fallback(move |event: Delivery<serde_json::Map<String, Value>>| {
            kept.lock().unwrap().push((event.trigger_id.clone(), Value::Object(event.payload)));
            async { Ok::<_, std::io::Error>(Value::Null) }
        })
        .build();
    let addr = serve(receiver).await;
    assert_eq!(
        post(addr, Some(&bearer()), json!({"_metadata": {"triggerId": "idn:next-year"}, "id": "1"}).to_string()).await.0,
        200
    );
    let mut wrong_type = identity_created();
    wrong_type["identity"] = json!(42);
    assert_eq!(post(addr, Some(&bearer()), wrong_type.to_string()).await.0, 200);
    eventually(|| seen.lock().unwrap().len() == 2).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], (Some("idn:next-year".to_string()), json!({"id": "1"})), "`_metadata` is not part of the payload");
    assert_eq!(seen[1].1["identity"], 42, "the JSON as delivered");
}

#[tokio::test]
async fn a_panicking_handler_fails_its_event_alone() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let receiver = Receiver::builder()
        .bearer_token(TOKEN)
        .on(move |event: Delivery<AccessRequestPreApproval>| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                match event.payload.access_request_id.as_str() {
                    "panic" => panic!("the handler panicked"),
                    "fail" => Err(std::io::Error::other("no decision")),
                    _ => Ok(Accessrequestpreapproval2 {
                        approved: true,
                        comment: "fine".into(),
                        approver: "AcmeCorpExternalIntegration".into(),
                        extra: Default::default(),
                    }),
                }
            }
        })
        .build();
    let addr = serve(receiver).await;
    assert_eq!(post(addr, Some(&bearer()), pre_approval("sync", "panic").to_string()).await.0, 500);
    assert_eq!(post(addr, Some(&bearer()), pre_approval("sync", "fail").to_string()).await.0, 500);
    let (status, body) = post(addr, Some(&bearer()), pre_approval("sync", "ok").to_string()).await;
    assert_eq!(status, 200, "the receiver keeps serving");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer, json!({"approved": true, "comment": "fine", "approver": "AcmeCorpExternalIntegration"}));
    assert_eq!(calls.load(Ordering::SeqCst), 3, "one call per delivery");
}

#[tokio::test]
async fn async_and_dynamic_invocations_are_acknowledged_then_completed_once() {
    let server = tenant(204).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let addr = serve(approving(&client(&server), &calls)).await;

    assert_eq!(post(addr, Some(&bearer()), pre_approval("async", "a").to_string()).await, (200, "{}".to_string()));
    eventually(|| calls.load(Ordering::SeqCst) == 1).await;
    let done = loop {
        let done = completions(&server).await;
        if !done.is_empty() {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(
        done,
        [
            json!({"secret": SECRET, "output": {"approved": true, "comment": "Some(Async)", "approver": "AcmeCorpExternalIntegration"}})
        ]
    );

    assert_eq!(post(addr, Some(&bearer()), pre_approval("dynamic", "d").to_string()).await, (202, "{}".to_string()));
    assert_eq!(post(addr, Some(&bearer()), pre_approval("async", "fail").to_string()).await.0, 200);
    assert_eq!(post(addr, Some(&bearer()), pre_approval("async", "panic").to_string()).await.0, 200);
    eventually(|| calls.load(Ordering::SeqCst) == 4).await;
    let done = loop {
        let done = completions(&server).await;
        if done.len() >= 4 {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(done.len(), 4, "one completion per delivery");
    let errors: Vec<&str> = done.iter().filter_map(|d| d.get("error")?.as_str()).collect();
    assert_eq!(errors.len(), 2, "the failed and the panicked handler's completions: {done:?}");
    assert!(done.contains(&json!({"secret": SECRET, "output": {"approved": false, "comment": "Some(Dynamic)", "approver": "AcmeCorpExternalIntegration"}})));
    assert!(errors.iter().any(|e| e.contains("no decision")), "{errors:?}");
    assert!(done.iter().filter(|d| d.get("error").is_some()).all(|d| d["output"] == json!({})));

    // A sync invocation is answered in the response: nothing is completed.
    let (status, body) = post(addr, Some(&bearer()), pre_approval("sync", "s").to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["comment"], "Some(Sync)");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(completions(&server).await.len(), 4);
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn the_mock_delivers_and_counts_a_sync_answer_and_an_async_completion() {
    let mock = sailpoint_mock::MockTenant::start(sailpoint_mock::MockConfig::default()).await.unwrap();
    let client = common::mock_client(&mock);
    let calls = Arc::new(AtomicUsize::new(0));
    let dynamic_calls = Arc::new(AtomicUsize::new(0));
    let counter = dynamic_calls.clone();
    let receiver = Receiver::builder().bearer_token(TOKEN).completions(&client).on(
        move |event: Delivery<sailpoint::services::triggers::types::AccessRequestDynamicApprover>| {
            let counter = counter.clone();
            async move {
                assert_eq!(event.response_mode, Some(ResponseMode::Async));
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(Some(sailpoint::services::triggers::types::Accessrequestdynamicapprover2 {
                    id: "2c91808b6ef1d43e016efba0ce470906".into(),
                    name: "Security Team".into(),
                    type_: sailpoint::services::triggers::types::Accessrequestdynamicapprover2Type::GovernanceGroup,
                    extra: Default::default(),
                }))
            }
        },
    );
    let calls_seen = calls.clone();
    let receiver = receiver
        .on(move |event: Delivery<AccessRequestPreApproval>| {
            let calls_seen = calls_seen.clone();
            async move {
                assert_eq!(event.response_mode, Some(ResponseMode::Sync));
                calls_seen.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(Accessrequestpreapproval2 {
                    approved: true,
                    comment: "ok".into(),
                    approver: "receiver".into(),
                    extra: Default::default(),
                })
            }
        })
        .build();
    let addr = serve(receiver).await;
    let url = format!("http://{addr}/events");
    subscribe(&client, "idn:access-request-pre-approval", &url, "SYNC", TOKEN).await;
    subscribe(&client, "idn:access-request-dynamic-approver", &url, "ASYNC", TOKEN).await;

    let sync = mock.fire("idn:access-request-pre-approval", None).await.unwrap();
    assert_eq!(sync.len(), 1);
    assert_eq!(sync[0].status, 200);
    let fired = mock.fire("idn:access-request-dynamic-approver", None).await.unwrap();
    assert_eq!((fired[0].status, fired[0].body.as_str()), (200, "{}"), "acknowledged at once");
    eventually(|| mock.completions().len() == 2).await;
    let completions = mock.completions();
    assert_eq!(completions[0]["mode"], "sync");
    assert_eq!(completions[0]["output"], json!({"approved": true, "comment": "ok", "approver": "receiver"}));
    assert_eq!(completions[1]["mode"], "async");
    assert_eq!(
        completions[1]["output"],
        json!({"id": "2c91808b6ef1d43e016efba0ce470906", "name": "Security Team", "type": "GOVERNANCE_GROUP"})
    );
    assert!(completions[1].get("error").is_none(), "{completions:?}");
    assert_eq!(completions[1]["invocationId"], json!(fired[0].invocation_id));
    assert_eq!((calls.load(Ordering::SeqCst), dynamic_calls.load(Ordering::SeqCst)), (1, 1));

    // A test invocation through the API goes to the same subscriber.
    let test: sailpoint::services::triggers::types::TestInvocation =
        serde_json::from_value(json!({"triggerId": "idn:access-request-pre-approval", "contentJson": {"workflowId": 1}}))
            .unwrap();
    let started = client.triggers().start_test_trigger_invocation_v1().body(test).send().await.unwrap().into_inner().unwrap();
    assert_eq!(started.map(|invocations| invocations.len()), Some(1), "200 with one invocation");
    eventually(|| mock.completions().len() == 3).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A subscription with other credentials: refused by the receiver, no handler called, nothing completed.
    subscribe(&client, "idn:identity-created", &url, "SYNC", "not-the-token").await;
    let refused = mock.fire("idn:identity-created", None).await.unwrap();
    assert_eq!(refused[0].status, 401);
    assert_eq!(mock.completions().len(), 3);
    assert_eq!((calls.load(Ordering::SeqCst), dynamic_calls.load(Ordering::SeqCst)), (2, 1));
}

#[tokio::test]
async fn the_acknowledgement_never_waits_for_the_handler() {
    let server = tenant(204).await;
    let release = Arc::new(tokio::sync::Notify::new());
    let done = Arc::new(AtomicUsize::new(0));
    let (gate, finished) = (release.clone(), done.clone());
    let (gate2, finished2) = (release.clone(), done.clone());
    let receiver = Receiver::builder()
        .bearer_token(TOKEN)
        .completions(&client(&server))
        .on(move |_: Delivery<IdentityCreated>| {
            let (gate, finished) = (gate.clone(), finished.clone());
            async move {
                gate.notified().await;
                finished.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(())
            }
        })
        .on(move |_: Delivery<AccessRequestPreApproval>| {
            let (gate, finished) = (gate2.clone(), finished2.clone());
            async move {
                gate.notified().await;
                finished.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(Accessrequestpreapproval2 {
                    approved: true,
                    comment: "late".into(),
                    approver: "receiver".into(),
                    extra: Default::default(),
                })
            }
        })
        .build();
    let addr = serve(receiver).await;
    // Every handler waits until released: the answers come first.
    let within = Duration::from_secs(5);
    let auth = bearer();
    let answered = |body: Value| tokio::time::timeout(within, post(addr, Some(&auth), body.to_string()));
    assert_eq!(answered(identity_created()).await.expect("fire and forget answered at once"), (200, String::new()));
    assert_eq!(answered(pre_approval("async", "a")).await.expect("async acknowledged at once"), (200, "{}".to_string()));
    assert_eq!(answered(pre_approval("dynamic", "d")).await.expect("dynamic acknowledged at once"), (202, "{}".to_string()));
    assert_eq!(done.load(Ordering::SeqCst), 0, "no handler has finished");
    assert!(completions(&server).await.is_empty());
    for _ in 0..500 {
        if done.load(Ordering::SeqCst) == 3 {
            break;
        }
        release.notify_waiters();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(done.load(Ordering::SeqCst), 3, "each handler ran once, when released");
    let mut completed = Vec::new();
    for _ in 0..500 {
        completed = completions(&server).await;
        if completed.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(completed.len(), 2, "{completed:?}");
    assert!(completed.iter().all(|c| c["output"]["comment"] == "late"), "{completed:?}");
}

#[tokio::test]
async fn a_completion_refused_with_503_and_retry_after_is_sent_again() {
    let server = tenant(204).await;
    Mock::given(method("POST"))
        .and(path("/trigger-invocations/v1/inv-1/complete"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let addr = serve(approving(&client(&server), &calls)).await;
    assert_eq!(post(addr, Some(&bearer()), pre_approval("async", "a").to_string()).await, (200, "{}".to_string()));
    let attempts = || async {
        server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path().ends_with("/complete")).count()
    };
    for _ in 0..500 {
        if attempts().await == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(attempts().await, 2, "the 503, then the completion that is taken");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the handler ran once: its answer is what was sent again");
    let sent = completions(&server).await;
    assert_eq!(sent[0], sent[1]);
}

#[tokio::test]
async fn the_mock_follows_no_redirect_from_a_subscriber() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&elsewhere).await;
    let subscriber = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/stolen", elsewhere.uri())))
        .mount(&subscriber)
        .await;
    let mock = sailpoint_mock::MockTenant::start(sailpoint_mock::MockConfig::default()).await.unwrap();
    let client = common::mock_client(&mock);
    subscribe(&client, "idn:access-request-pre-approval", &format!("{}/events", subscriber.uri()), "ASYNC", TOKEN).await;
    let delivered = mock.fire("idn:access-request-pre-approval", None).await.unwrap();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].status, 307, "the redirect is the answer");
    assert_eq!(subscriber.received_requests().await.unwrap().len(), 1);
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "the body, with its secret, went nowhere else");
}
