//! The runtime alone: the pipeline, call options, pagination (offset and
//! searchAfter), body limits and decoding, against local servers, through a small hand-written
//! operation table and builders in the generated code's shape. No
//! generated crate is built: `cargo test -p sailpoint-runtime` takes
//! seconds. Each test counts the requests on the server side.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use reqwest::Method;
use sailpoint_runtime::glue::{self, Api, OperationInfo};
use sailpoint_runtime::{
    BodyLimits, CallOptions, Error, ErrorKind, Operation, Paginate, ResponseValue, RetryConfig, Runtime, SearchAfter,
};
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
static OPERATIONS: [Operation; 5] = [
    op("create_thing", "POST", "/things", false, false),
    op("get_thing", "GET", "/things/one", false, false),
    op("list_things", "GET", "/things", false, true),
    op("search_things", "POST", "/things/search", false, false).with_replay_safe().with_search_after_paging(10),
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

/// A search body, typed as the generated ones are (`searchAfter` as text).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Query {
    pub sort: Vec<String>,
    #[serde(rename = "searchAfter", default, skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<String>>,
}

/// A search result, untagged as the generated document enums are: any
/// `thing` also fits `Other`, which comes first.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum Document {
    OtherDocuments(Other),
    ThingDocuments(Thing),
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Other {
    id: String,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Thing {
    id: String,
    n: u32,
}

/// A search builder in the generated shape (its `send()` split into
/// `send_as`, as the generator's rewrite does).
mod search_builder {
    use super::*;

    #[derive(Debug, Clone)]
    pub struct SearchThings<'a> {
        pub(crate) runtime: &'a Runtime,
        pub(crate) limit: Result<Option<i32>, String>,
        pub(crate) offset: Result<Option<i32>, String>,
        pub(crate) body: Result<Query, String>,
        pub(crate) call_options: CallOptions,
    }

    impl<'a> SearchThings<'a> {
        pub fn new(runtime: &'a Runtime) -> Self {
            let body = Err("body was not initialized".to_string());
            Self { runtime, limit: Ok(None), offset: Ok(None), body, call_options: CallOptions::default() }
        }
        pub fn limit<V: TryInto<i32>>(mut self, value: V) -> Self {
            self.limit = value.try_into().map(Some).map_err(|_| "conversion to `i32` for limit failed".to_string());
            self
        }
        pub fn body(mut self, value: Query) -> Self {
            self.body = Ok(value);
            self
        }
        pub fn with_options(mut self, options: CallOptions) -> Self {
            self.call_options = options;
            self
        }
        pub async fn send_as<T: serde::de::DeserializeOwned>(self) -> Result<ResponseValue<T>, Error> {
            let operation = glue::find(&OPERATIONS, "search_things").expect("in the table");
            let url = format!("{}{}", self.runtime.version_url(API.version)?, operation.path);
            let body = self.body.map_err(glue::invalid_request("search_things"))?;
            let query: Vec<(&str, String)> = [("limit", self.limit.unwrap()), ("offset", self.offset.unwrap())]
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?.to_string())))
                .collect();
            let request =
                self.runtime.http().post(url).query(&query).json(&body).build().map_err(glue::request_error("search_things"))?;
            let info = OperationInfo { operation_id: "search_things" };
            let response = glue::send(self.runtime, &API, request, &info, &self.call_options).await?;
            if response.status().is_success() {
                glue::decode(response, &info).await
            } else {
                Err(glue::error_response(&API, response, &info).await)
            }
        }
    }
}
use search_builder as builder_search;

mod search_impl {
    use super::builder_search as builder;
    use super::{Document, Query};
    sailpoint_runtime::glue::search_after_listing!(
        SearchThings, Query, Document, 10, "search_things",
        ["other" => Document::OtherDocuments, "thing" => Document::ThingDocuments],
        |body| body.clone()
    );
}

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

/// A search over `docs` (sorted by `n` then `id`, compared as text, as the
/// service compares `searchAfter`) that refuses `offset + limit` past
/// `window`, like SailPoint's; `ignores_search_after` makes it serve the
/// first page every time.
fn search_server(docs: Vec<Value>, window: usize, ignores_search_after: bool) -> impl wiremock::Respond {
    move |req: &Request| {
        let q = |k: &str| req.url.query_pairs().find(|(key, _)| key == k).and_then(|(_, v)| v.parse::<usize>().ok());
        let (offset, limit) = (q("offset").unwrap_or(0), q("limit").unwrap_or(window));
        if offset + limit > window {
            return ResponseTemplate::new(400).set_body_json(json!({"message": "window"}));
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        let key = |d: &Value| vec![text(&d["n"]), text(&d["id"])];
        let mut sorted = docs.clone();
        sorted.sort_by_key(|d| key(d));
        let after: Option<Vec<String>> = body["searchAfter"].as_array().map(|a| a.iter().map(text).collect());
        let start = match after {
            Some(a) if !ignores_search_after => sorted.partition_point(|d| key(d) <= a),
            _ => 0,
        };
        let page: Vec<Value> = sorted.into_iter().skip(start + offset).take(limit).collect();
        ResponseTemplate::new(200).set_body_json(page)
    }
}

#[tokio::test]
async fn a_search_pages_past_the_window_each_result_once_typed_by_its_kind() {
    // 25 results, tied on `n` five by five, on a server whose window is 10
    let docs: Vec<Value> = (0..25).map(|i| json!({"_type": "thing", "id": format!("t{i:02}"), "n": i / 5})).collect();
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v9/things/search")).respond_with(search_server(docs, 10, false)).mount(&server).await;
    let rt = runtime(&server, |b| b);
    let query = || Query { sort: vec!["n".into()], search_after: Some(vec!["ignored".into()]) };

    let found: Vec<Document> = builder_search::SearchThings::new(&rt).body(query()).stream().try_collect().await.unwrap();
    let ids: Vec<String> = found
        .iter()
        .map(|d| match d {
            Document::ThingDocuments(t) => t.id.clone(),
            other => panic!("decoded by shape, not by `_type`: {other:?}"),
        })
        .collect();
    assert_eq!(seen(&server).await, 3, "pages of 10, 10 and 5");
    assert_eq!(ids, (0..25).map(|i| format!("t{i:02}")).collect::<Vec<_>>(), "every result once, in order");
    let sent: Vec<Value> =
        server.received_requests().await.unwrap().iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert!(sent[0].get("searchAfter").is_none(), "the first page starts at the top: {}", sent[0]);
    assert_eq!(sent[0]["sort"], json!(["n", "id"]), "an id tie-breaker");
    assert_eq!(sent[1]["searchAfter"], json!(["1", "t09"]), "the last result's sort values, as text");

    // the call's page size wins over the builder's limit
    let options = CallOptions::new().page_size(4);
    let pages = builder_search::SearchThings::new(&rt).body(query()).limit(7).with_options(options);
    let json: Vec<Value> = pages.stream_json().try_collect().await.unwrap();
    assert_eq!(json.len(), 25);
    assert_eq!(seen(&server).await, 3 + 7, "pages of 4");
}

#[tokio::test]
async fn a_search_refuses_a_server_that_ignores_search_after_and_a_missing_body() {
    let docs: Vec<Value> = (0..25).map(|i| json!({"_type": "thing", "id": format!("t{i:02}"), "n": i / 5})).collect();
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v9/things/search")).respond_with(search_server(docs, 10, true)).mount(&server).await;
    let rt = runtime(&server, |b| b);
    let query = Query { sort: vec!["n".into()], search_after: None };
    let mut stream = builder_search::SearchThings::new(&rt).body(query).stream_json();
    let mut got = Vec::new();
    let err = loop {
        match stream.try_next().await {
            Ok(Some(d)) => got.push(d),
            Ok(None) => panic!("ended without an error after {} results", got.len()),
            Err(e) => break e,
        }
    };
    assert_eq!((got.len(), err.kind()), (10, ErrorKind::Paging), "{err}");
    assert_eq!(seen(&server).await, 2);

    let err = builder_search::SearchThings::new(&rt).stream().try_next().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert_eq!(seen(&server).await, 2, "nothing sent without a body");
}

#[tokio::test]
async fn a_search_result_of_an_unknown_kind_is_an_error_not_another_kind() {
    let page =
        json!([{"_type": "thing", "id": "t1", "n": 1}, {"_type": "gadget", "id": "g1"}, {"_type": "thing", "id": "t2", "n": 1}]);
    let server = answering("POST", "/v9/things/search", ResponseTemplate::new(200).set_body_json(page)).await;
    let rt = runtime(&server, |b| b);
    let query = || Query { sort: vec!["n".into()], search_after: None };
    let got: Vec<Result<Document, Error>> = builder_search::SearchThings::new(&rt).body(query()).stream().collect().await;
    assert_eq!(got.len(), 2, "the first result, then the error, then nothing: {got:?}");
    assert!(matches!(&got[0], Ok(Document::ThingDocuments(t)) if t.id == "t1"), "{got:?}");
    let err = got[1].as_ref().unwrap_err();
    assert!(err.kind() == ErrorKind::Decode && err.to_string().contains("gadget"), "{err}");
    // as JSON, every kind
    let json: Vec<Value> = builder_search::SearchThings::new(&rt).body(query()).stream_json().try_collect().await.unwrap();
    assert_eq!(json.len(), 3);
    assert_eq!(seen(&server).await, 2);
}

#[tokio::test]
async fn a_page_sent_ahead_that_meets_its_deadline_is_sent_again_in_turn() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The page at offset 6 goes ahead of need and, the first time only,
    // answers after the call's deadline.
    let slow_once = Arc::new(AtomicUsize::new(0));
    let server = MockServer::start().await;
    let asked = slow_once.clone();
    Mock::given(method("GET"))
        .and(path("/v9/things"))
        .respond_with(move |req: &Request| {
            let q = |k: &str| req.url.query_pairs().find(|(key, _)| key == k).and_then(|(_, v)| v.parse::<usize>().ok());
            let (offset, limit) = (q("offset").unwrap_or(0), q("limit").unwrap_or(3));
            let page: Vec<Value> = (offset..(offset + limit).min(10)).map(|i| json!({"id": i})).collect();
            let answer = ResponseTemplate::new(200).set_body_json(page);
            if offset == 6 && asked.fetch_add(1, Ordering::SeqCst) == 0 {
                answer.set_delay(Duration::from_secs(10))
            } else {
                answer
            }
        })
        .mount(&server)
        .await;
    let rt = runtime(&server, |b| b);
    let options = CallOptions::new().timeout(Duration::from_secs(2));
    let items: Vec<Value> = builder::ListThings::new(&rt).with_options(options).stream().try_collect().await.unwrap();
    let ids: Vec<u64> = items.iter().map(|i| i["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (0..10).collect::<Vec<_>>(), "every item once, in order, no timeout error");
    assert_eq!(slow_once.load(Ordering::SeqCst), 2, "the late page was asked for twice: ahead, then in turn");
}
