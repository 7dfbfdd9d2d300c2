//! The facade: one client for every version sharing one token, pagination
//! streams at the edges, and search past the 10,000-result window.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sailpoint::prelude::*;
use sailpoint::{ConfigSources, DEFAULT_PREFETCH, PageOptions};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .client_credentials("facade-client", "facade-secret")
        .allow_http_loopback(true)
        .rate_limit(None)
        .build()
        .unwrap()
}

fn query(req: &Request, key: &str) -> Option<usize> {
    req.url.query_pairs().find(|(k, _)| k == key).and_then(|(_, v)| v.parse().ok())
}

async fn token_endpoint(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "shared", "expires_in": 3600})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn every_version_through_one_client_with_one_token() {
    let server = MockServer::start().await;
    token_endpoint(&server).await;
    for p in ["/v3/sources", "/v2024/password-sync-groups"] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let (a, b) = tokio::join!(c.v3().list_sources().send(), c.v2024().get_password_sync_groups().send());
    a.unwrap();
    b.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.iter().filter(|r| r.url.path() == "/oauth/token").count(), 1);
    assert!(received.iter().filter(|r| r.url.path() != "/oauth/token").all(|r| r.headers["authorization"] == "Bearer shared"));
}

/// A year client made from the facade's runtime (what a crate that
/// depends on a year crate with some of its features does) shares its
/// token: one token request for both clients, and the version's path.
#[tokio::test]
async fn a_year_client_from_the_facade_runtime_shares_its_token() {
    let server = MockServer::start().await;
    token_endpoint(&server).await;
    for p in ["/v3/sources", "/beta/sources"] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let v3 = sailpoint_v3::Client::from_runtime(c.runtime()).unwrap();
    v3.list_sources().send().await.unwrap();
    c.beta().list_sources().send().await.unwrap();
    let received = server.received_requests().await.unwrap();
    let paths: Vec<&str> = received.iter().map(|r| r.url.path()).collect();
    assert_eq!(paths, ["/oauth/token", "/v3/sources", "/beta/sources"]);
}

#[test]
fn configuration_from_sources_and_its_errors() {
    let env = [("SAIL_BASE_URL", "https://acme.api.identitynow.com"), ("SAIL_CLIENT_ID", "id"), ("SAIL_CLIENT_SECRET", "s")];
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let sources = ConfigSources::new(env, "/nonexistent/config.json", None);
    let c = Client::builder().from_env().build_with_sources(&sources).unwrap();
    assert_eq!(c.runtime().version_url("v2024").unwrap(), "https://acme.api.identitynow.com/v2024");
    let none = ConfigSources::new(Default::default(), "/nonexistent/config.json", None);
    let err = Client::builder().from_env().build_with_sources(&none).unwrap_err();
    assert!(err.to_string().contains("no base URL"), "{err}");
    let err = Client::builder().base_url("https://acme.api.identitynow.com").build_with_sources(&none).unwrap_err();
    assert!(err.to_string().contains("no client id"), "{err}");
    let builder = Client::builder().client_credentials("id", "canary-secret").access_token("canary-token");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("canary") && shown.contains("[redacted]"), "{shown}");
}

/// Serves `total` groups by limit/offset; like the API, a request past the
/// end after an exact multiple of the page size gets 400.
async fn listing(total: usize) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    token_endpoint(&server).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups"))
        .respond_with(move |req: &Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            let (offset, limit) = (query(req, "offset").unwrap_or(0), query(req, "limit").unwrap_or(250));
            if limit > 250 {
                return ResponseTemplate::new(400).set_body_json(json!({"detailCode": "400.1 Bad Request Content"}));
            }
            if offset >= total && total > 0 && total.is_multiple_of(limit) {
                return ResponseTemplate::new(400).set_body_json(json!({"detailCode": "400.1 Bad Request Content"}));
            }
            let items: Vec<Value> = (offset..(offset + limit).min(total)).map(|i| json!({"id": format!("g{i:05}")})).collect();
            let mut t = ResponseTemplate::new(200).set_body_json(items);
            if req.url.query_pairs().any(|(k, v)| k == "count" && v == "true") {
                t = t.insert_header("X-Total-Count", total.to_string().as_str());
            }
            t
        })
        .mount(&server)
        .await;
    (server, calls)
}

#[tokio::test]
async fn pagination_edges_deliver_each_item_once() {
    for (total, prefetch) in [0usize, 1, 250, 251, 500, 10_001].into_iter().flat_map(|t| [(t, 1), (t, DEFAULT_PREFETCH)]) {
        let (server, calls) = listing(total).await;
        let c = client(&server);
        let options = PageOptions::default().with_prefetch(prefetch);
        let ids: Vec<String> =
            c.v2024().get_password_sync_groups().stream_with(options).map_ok(|g| g.id.unwrap()).try_collect().await.unwrap();
        let expected: Vec<String> = (0..total).map(|i| format!("g{i:05}")).collect();
        assert_eq!(ids, expected, "total {total}, prefetch {prefetch}");
        // the 400 past an exact multiple ends the listing once the total proves it (one count request)
        let one_by_one = total / 250 + 1 + usize::from(total > 0 && total.is_multiple_of(250));
        let requests = calls.load(Ordering::SeqCst);
        if prefetch == 1 || total < 250 {
            // the first request goes alone: a listing of one page costs one request
            assert_eq!(requests, one_by_one, "requests for {total} items, prefetch {prefetch}");
        } else {
            assert!((one_by_one..one_by_one + prefetch).contains(&requests), "{requests} requests for {total} items");
        }
    }
}

/// `.limit(..)` on the builder is the page size, `.offset(..)` the first item.
#[tokio::test]
async fn a_stream_starts_at_the_builders_offset_in_pages_of_its_limit() {
    let (server, _) = listing(100).await;
    let c = client(&server);
    let expected: Vec<String> = (25..100).map(|i| format!("g{i:05}")).collect();
    let ids: Vec<String> =
        c.v2024().get_password_sync_groups().limit(30).offset(25).stream().map_ok(|g| g.id.unwrap()).try_collect().await.unwrap();
    assert_eq!(ids, expected, "with the default prefetch");
    let (server, calls) = listing(100).await;
    let c = client(&server);
    let one_by_one = PageOptions::default().with_prefetch(1);
    let ids: Vec<String> = c
        .v2024()
        .get_password_sync_groups()
        .limit(30)
        .offset(25)
        .stream_with(one_by_one)
        .map_ok(|g| g.id.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, expected);
    let asked: Vec<(Option<usize>, Option<usize>)> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .map(|r| (query(r, "limit"), query(r, "offset")))
        .collect();
    assert_eq!(asked, [(Some(30), Some(25)), (Some(30), Some(55)), (Some(30), Some(85))]);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    // PageOptions.page_size, when set, wins over the builder's limit.
    let options = PageOptions::default().with_page_size(50);
    let pages: Vec<_> = c.v2024().get_password_sync_groups().limit(30).pages_with(options).try_collect().await.unwrap();
    assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), [50, 50]);
}

#[tokio::test]
async fn pages_carry_the_total_and_prefetch_changes_nothing() {
    let (server, _) = listing(1_234).await;
    let c = client(&server);
    let options = PageOptions::default().with_count(true).with_page_size(100).with_prefetch(3);
    let pages: Vec<_> = c.v2024().get_password_sync_groups().pages_with(options).try_collect().await.unwrap();
    assert_eq!(pages.len(), 13);
    assert!(pages.iter().all(|p| p.total == Some(1_234)));
    let ids: HashSet<_> = pages.iter().flat_map(|p| p.items.iter().map(|g| g.id.clone().unwrap())).collect();
    assert_eq!(ids.len(), 1_234);
    assert_eq!(pages[12].offset, 1_200);
}

/// A search index of `total` identities sorted by (name, id) at `route`
/// (nothing else answers a search), honouring `sort` and `searchAfter`, and
/// refusing `offset + limit` past 10,000.
async fn search_index(total: usize, route: &str) -> MockServer {
    let server = MockServer::start().await;
    token_endpoint(&server).await;
    // names repeat, so the id tie-breaker matters
    let mut docs: Vec<Value> = (0..total)
        .map(
            |i| json!({"_type": "identity", "id": format!("id{:06}", (i * 7919) % total), "name": format!("user{:03}", i % 300)}),
        )
        .collect();
    docs.sort_by(|a, b| (a["name"].as_str(), a["id"].as_str()).cmp(&(b["name"].as_str(), b["id"].as_str())));
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            assert_eq!(body["sort"], json!(["name", "id"]), "the stream adds the id tie-breaker");
            let (offset, limit) = (query(req, "offset").unwrap_or(0), query(req, "limit").unwrap_or(250));
            if offset + limit > 10_000 {
                return ResponseTemplate::new(400).set_body_json(json!({"detailCode": "400.1 Bad Request Content"}));
            }
            let after = body
                .get("searchAfter")
                .and_then(Value::as_array)
                .map(|a| (a[0].as_str().unwrap().to_string(), a[1].as_str().unwrap().to_string()));
            let start = match &after {
                None => 0,
                Some((name, id)) => docs.partition_point(|d| {
                    (d["name"].as_str().unwrap(), d["id"].as_str().unwrap()) <= (name.as_str(), id.as_str())
                }),
            };
            let page: Vec<Value> = docs.iter().skip(start + offset).take(limit).cloned().collect();
            ResponseTemplate::new(200).set_body_json(page)
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn search_goes_past_ten_thousand_without_duplicates_or_gaps() {
    // The search service's endpoint: the default where the facade has the `search` feature.
    let total = 10_750;
    let server = search_index(total, "/search/v1").await;
    let c = client(&server);
    let request =
        SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]})).page_size(1_000);
    let docs: Vec<Value> = c.search_json(request).try_collect().await.unwrap();
    assert_eq!(docs.len(), total);
    let ids: HashSet<_> = docs.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), total, "no duplicates, nothing missing");
}

#[tokio::test]
async fn a_search_on_a_year_version_goes_to_its_endpoint() {
    let total = 2_500;
    let server = search_index(total, "/v3/search").await;
    let c = client(&server);
    let request = SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]}))
        .page_size(1_000)
        .api_version("v3");
    let docs: Vec<Value> = c.search_json(request).try_collect().await.unwrap();
    let ids: HashSet<_> = docs.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    assert_eq!((docs.len(), ids.len()), (total, total), "every document once");
    let searches = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/v3/search").count();
    assert_eq!(searches, 3, "two full pages and the short end, on v3's endpoint");
    // beta has no `POST /search`: a configuration error, nothing sent.
    let request = SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}})).api_version("beta");
    let err = c.search_json(request).try_collect::<Vec<Value>>().await.unwrap_err();
    assert!(err.to_string().contains("search_post"), "{err}");
    let after = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() != "/oauth/token")
        .count();
    assert_eq!(after, 3, "the beta search sent nothing");
}

#[tokio::test]
async fn names_from_pages_and_from_the_service_reach_the_same_operations() {
    let server = MockServer::start().await;
    token_endpoint(&server).await;
    Mock::given(method("POST"))
        .and(path("/v2024/sources/s1/connector/peek-resource-objects"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"objectCount": 0, "resourceObjects": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/search/v1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "i1", "_type": "identity", "name": "a"}])))
        .mount(&server)
        .await;
    let client = client(&server);

    // The name SailPoint's Sources page uses (beta's), deprecated in v2024 for `search_resource_objects`.
    #[allow(deprecated)]
    let peek = client.v2024().peek_resource_objects();
    let _same_builder: sailpoint::v2024::builder::SearchResourceObjects<'_> = peek.clone();
    let body: sailpoint::v2024::types::ResourceObjectsRequest =
        serde_json::from_value(json!({"objectType": "account", "maxCount": 10})).unwrap();
    // Experimental in v2024: opted in for this call alone.
    let experimental = sailpoint::CallOptions::new().experimental(true);
    peek.source_id("s1").body(body).with_options(experimental).send().await.expect("the deprecated name sends the same request");

    // A service's body of a shared type, named from the service.
    let search = sailpoint::services::search::types::Search {
        indices: Some(vec![sailpoint::services::search::types::Index::Identities]),
        query: Some(sailpoint::services::search::types::Query { query: Some("*".into()), ..Default::default() }),
        ..Default::default()
    };
    let found = client.search_api().search_post_v1().body(search).send().await.unwrap().into_inner().unwrap();
    assert_eq!(found.len(), 1);
    let sent: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/search/v1")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(sent, [json!({"indices": ["identities"], "query": {"query": "*"}})]);
}
