//! The runtime alone: the pipeline, call options, pagination, body limits
//! and decoding, against local servers, through a small hand-written
//! operation table and builders in the generated code's shape. No
//! generated crate is built: `cargo test -p sailpoint-runtime` takes
//! seconds. Each test counts the requests on the server side.

use std::time::Duration;

use futures_util::TryStreamExt;
use reqwest::Method;
use sailpoint_runtime::glue::{self, Api, OperationInfo};
use sailpoint_runtime::{BodyLimits, CallOptions, Error, ErrorKind, Operation, Paginate, ResponseValue, RetryConfig, Runtime};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const fn op(id: &'static str, method: &'static str, path: &'static str, experimental: bool, paged: bool) -> Operation {
    let mut op = Operation::new(id, id, method, path, "Things")
        .with_request_content_type("application/json")
        .with_accept("application/json")
        .with_success_statuses(&[200]);
    if !matches!(method.as_bytes(), b"POST") {
        op = op.with_replay_safe();
    }
    if experimental {
        op = op.with_experimental();
    }
    if paged {
        op = op.with_offset_paging(3);
    }
    op
}

/// The table, sorted by id as the generator sorts it.
static OPERATIONS: [Operation; 4] = [
    op("create_thing", "POST", "/things", false, false),
    op("get_thing", "GET", "/things/one", false, false),
    op("list_things", "GET", "/things", false, true),
    op("try_thing", "GET", "/things/experimental", true, false),
];

static API: Api = Api { version: "v9", operations: &OPERATIONS };

/// What a generated `send()` does: build the request, hand it to the
/// pipeline with the call's options, decode a 2xx, turn the rest into the
/// error.
async fn send(
    runtime: &Runtime,
    id: &'static str,
    query: &[(&str, String)],
    options: &CallOptions,
) -> Result<ResponseValue<Value>, Error> {
    let operation = glue::find(&OPERATIONS, id).expect("in the table");
    let url = format!("{}{}", runtime.version_url(API.version)?, operation.path);
    let method = Method::from_bytes(operation.method.as_bytes()).unwrap();
    let mut request = runtime.http().request(method, url).query(query);
    if operation.method == "POST" {
        request = request.json(&json!({"name": "thing"}));
    }
    let request = request.build().map_err(glue::request_error(id))?;
    let info = OperationInfo { operation_id: id };
    let response = glue::send(runtime, &API, request, &info, options).await?;
    if response.status().is_success() {
        glue::decode(response, &info).await
    } else {
        Err(glue::error_response(&API, response, &info).await)
    }
}

/// A listing builder in the generated shape, so that `offset_listing!`
/// implements the paginator for it exactly as for a generated one.
mod builder {
    use super::*;

    #[derive(Debug, Clone)]
    pub struct ListThings<'a> {
        pub(crate) runtime: &'a Runtime,
        pub(crate) limit: Result<Option<u32>, String>,
        pub(crate) offset: Result<Option<u32>, String>,
        pub(crate) call_options: CallOptions,
    }

    impl<'a> ListThings<'a> {
        pub fn new(runtime: &'a Runtime) -> Self {
            Self { runtime, limit: Ok(None), offset: Ok(None), call_options: CallOptions::default() }
        }
        pub fn limit(mut self, value: u32) -> Self {
            self.limit = Ok(Some(value));
            self
        }
        pub fn offset(mut self, value: u64) -> Self {
            self.offset = u32::try_from(value).map(Some).map_err(|e| e.to_string());
            self
        }
        pub fn with_options(mut self, options: CallOptions) -> Self {
            self.call_options = options;
            self
        }
        pub async fn send(self) -> Result<ResponseValue<Vec<Value>>, Error> {
            let (limit, offset) = (self.limit.map_err(glue::invalid_request("list_things"))?, self.offset.unwrap());
            let query: Vec<(&str, String)> =
                [("limit", limit), ("offset", offset)].into_iter().filter_map(|(k, v)| Some((k, v?.to_string()))).collect();
            let rv = send(self.runtime, "list_things", &query, &self.call_options).await?;
            let (status, headers) = (rv.status(), rv.headers().clone());
            let items: Vec<Value> = serde_json::from_value(rv.into_inner()?).map_err(|e| Error::paging(e.to_string()))?;
            Ok(ResponseValue::new(items, status, headers))
        }
    }
}

sailpoint_runtime::glue::offset_listing!(ListThings, Vec<Value>, Value, 3, "list_things", false, |b| b, |page| page);

fn fast() -> RetryConfig {
    RetryConfig::default().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(4))
}

fn runtime(
    server: &MockServer,
    configure: impl FnOnce(sailpoint_runtime::RuntimeBuilder) -> sailpoint_runtime::RuntimeBuilder,
) -> Runtime {
    configure(Runtime::builder().base_url(server.uri()).allow_http_loopback(true).retry(fast())).build().unwrap()
}

async fn answering(http_method: &str, p: &str, template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(http_method)).and(path(p)).respond_with(template).mount(&server).await;
    server
}

async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_get_is_retried_a_post_is_not_and_options_change_either() {
    let none = CallOptions::new();
    let server = answering("GET", "/v9/things/one", ResponseTemplate::new(503)).await;
    let rt = runtime(&server, |b| b);
    let e = send(&rt, "get_thing", &[], &none).await.unwrap_err();
    assert!(e.is_retryable() && e.status().is_some_and(|s| s.as_u16() == 503));
    assert_eq!(seen(&server).await, 4, "the first attempt and 3 retries");
    send(&rt, "get_thing", &[], &CallOptions::new().retry(RetryConfig::none())).await.unwrap_err();
    assert_eq!(seen(&server).await, 5, "retries off for the call");

    let server = answering("POST", "/v9/things", ResponseTemplate::new(503)).await;
    let rt = runtime(&server, |b| b);
    let e = send(&rt, "create_thing", &[], &none).await.unwrap_err();
    assert!(!e.is_retryable());
    assert_eq!(seen(&server).await, 1, "a POST may have been applied");
    let e = send(&rt, "create_thing", &[], &CallOptions::new().replay_safe(true)).await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(seen(&server).await, 1 + 4, "declared replay-safe for the call");
}

#[tokio::test]
async fn a_deadline_covers_the_waits_between_retries() {
    let server = answering("GET", "/v9/things/one", ResponseTemplate::new(503).insert_header("Retry-After", "2")).await;
    let rt = runtime(&server, |b| b);
    let e = send(&rt, "get_thing", &[], &CallOptions::new().timeout(Duration::from_millis(100))).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(e.operation(), Some("get_thing"));
    assert_eq!(seen(&server).await, 1, "the deadline passed during the wait: no retry sent");
}

#[tokio::test]
async fn experimental_operations_need_the_opt_in_from_the_client_or_the_call() {
    let server = answering("GET", "/v9/things/experimental", ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let rt = runtime(&server, |b| b);
    let e = send(&rt, "try_thing", &[], &CallOptions::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(seen(&server).await, 0);
    send(&rt, "try_thing", &[], &CallOptions::new().experimental(true)).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].headers.get("x-sailpoint-experimental").is_some_and(|v| v == "true"));
}

#[tokio::test]
async fn bodies_are_read_within_their_limits_and_undecodable_successes_are_kept() {
    let big = json!({"blob": "x".repeat(10_000)});
    let server = answering("GET", "/v9/things/one", ResponseTemplate::new(200).set_body_json(big)).await;
    let rt = runtime(&server, |b| b.body_limits(BodyLimits::default().with_success(1_000)));
    let e = send(&rt, "get_thing", &[], &CallOptions::new()).await.and_then(ResponseValue::into_inner).unwrap_err();
    assert!(e.to_string().contains("1000-byte limit"), "{e}");
    assert_eq!(seen(&server).await, 1, "an oversized body is not retried");

    let server = answering("GET", "/v9/things/one", ResponseTemplate::new(200).set_body_string("<html>ok</html>")).await;
    let rt = runtime(&server, |b| b);
    let rv = send(&rt, "get_thing", &[], &CallOptions::new()).await.expect("a 2xx is a success");
    assert!(!rv.is_decoded());
    assert_eq!(rv.raw_body(), Some(&b"<html>ok</html>"[..]));
    assert_eq!(rv.into_inner().unwrap_err().kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn a_listing_yields_every_item_once_with_the_calls_paging() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v9/things"))
        .respond_with(|req: &Request| {
            let q = |k: &str| req.url.query_pairs().find(|(key, _)| key == k).and_then(|(_, v)| v.parse::<usize>().ok());
            let (offset, limit) = (q("offset").unwrap_or(0), q("limit").unwrap_or(3));
            let page: Vec<Value> = (offset..(offset + limit).min(10)).map(|i| json!({"id": i})).collect();
            ResponseTemplate::new(200).set_body_json(page)
        })
        .mount(&server)
        .await;
    let rt = runtime(&server, |b| b);
    let items: Vec<Value> = builder::ListThings::new(&rt).stream().try_collect().await.unwrap();
    let ids: Vec<u64> = items.iter().map(|i| i["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (0..10).collect::<Vec<_>>(), "every item once, in order");
    let default_requests = seen(&server).await;
    assert!((4..=4 + 3).contains(&default_requests), "4 pages of 3, and at most 3 ahead past the end: {default_requests}");

    let options = CallOptions::new().page_size(2).prefetch(1);
    let items: Vec<Value> = builder::ListThings::new(&rt).offset(4).with_options(options).stream().try_collect().await.unwrap();
    assert_eq!(items.len(), 6, "from offset 4");
    // Counted by their limit: a request the first stream sent ahead may still be arriving.
    let requests = server.received_requests().await.unwrap();
    let offsets: Vec<String> = requests
        .iter()
        .filter(|r| r.url.query_pairs().any(|(k, v)| k == "limit" && v == "2"))
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "offset").map(|(_, v)| v.into_owned()).unwrap_or_default())
        .collect();
    assert_eq!(offsets, ["4", "6", "8", "10"], "pages of 2, one at a time, then the empty page at 10");
}

#[tokio::test]
async fn the_calls_headers_replace_the_operations_and_keep_every_value() {
    let server = answering("GET", "/v9/things/one", ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let rt = runtime(&server, |b| b);
    let options = CallOptions::new()
        .header("x-tag".parse().unwrap(), "a".parse().unwrap())
        .header("x-tag".parse().unwrap(), "b".parse().unwrap())
        .header(reqwest::header::ACCEPT, "application/json;v=2".parse().unwrap());
    assert!(!format!("{options:?}").contains("v=2"), "values are not shown");
    send(&rt, "get_thing", &[], &options).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let values = |name: &str| -> Vec<String> {
        requests[0].headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_string()).collect()
    };
    assert_eq!(values("x-tag"), ["a", "b"]);
    assert_eq!(values("accept"), ["application/json;v=2"], "in place of the operation's");
}
