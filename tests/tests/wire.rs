//! One operation of each special kind, sent to a local HTTP server: method,
//! path, headers and body as they arrive on the wire.

mod common;

use futures::TryStreamExt;
use sailpoint_runtime::ErrorKind;
use sailpoint_v2024::{Client, types};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer, experimental: bool) -> Client {
    common::v2024(&server.uri(), |b| b.experimental(experimental))
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "exactly one request");
    received.remove(0)
}

#[tokio::test]
async fn multipart_upload_sends_the_file_and_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2024/sources/2c91808a7813090a017814121e121518/load-accounts"))
        .respond_with(ResponseTemplate::new(202).set_body_json(serde_json::json!({"success": true})))
        .mount(&server)
        .await;
    // SailPoint's pages mark it experimental (openapi/experimental.toml).
    let response = client(&server, true)
        .import_accounts()
        .id("2c91808a7813090a017814121e121518")
        .file_bytes("accounts.csv", b"id,name\n1,Ada\n".to_vec())
        .disable_optimization("true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(response.into_inner().unwrap().success, Some(true));

    let req = only_request(&server).await;
    let content_type = header(&req, "content-type").unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    let body = String::from_utf8(req.body.clone()).unwrap();
    assert!(body.contains("name=\"file\"; filename=\"accounts.csv\""), "{body}");
    assert!(
        body.to_ascii_lowercase().contains("filename=\"accounts.csv\"\r\ncontent-type: text/csv\r\n"),
        "file part has a media type: {body}"
    );
    assert!(body.contains("id,name\n1,Ada\n"), "{body}");
    assert!(body.contains("name=\"disableOptimization\"\r\n\r\ntrue"), "{body}");
    assert_eq!(header(&req, "accept"), Some("application/json"));
    assert_eq!(header(&req, "x-sailpoint-experimental"), Some("true"), "flagged by the overlay");
}

#[tokio::test]
async fn multipart_without_a_required_parameter_sends_nothing() {
    let server = MockServer::start().await;
    let err = client(&server, false).import_connector_file().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert_eq!(err.operation(), Some("import_connector_file"));
    assert!(err.message().contains("sourceId"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn json_patch_goes_out_as_json_patch() {
    let server = MockServer::start().await;
    let source = serde_json::json!({
        "id": "2c9180835d2e5168015d32f890ca1581", "name": "AD", "connector": "active-directory",
        "connectorAttributes": {}, "owner": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Ada"}
    });
    Mock::given(method("PATCH"))
        .and(path("/v2024/sources/2c9180835d2e5168015d32f890ca1581"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&source))
        .mount(&server)
        .await;
    let patch = serde_json::json!([{"op": "replace", "path": "/description", "value": "Directory"}]);
    let ops: Vec<types::JsonPatchOperation> = serde_json::from_value(patch.clone()).unwrap();
    let updated = client(&server, false)
        .update_source()
        .id("2c9180835d2e5168015d32f890ca1581")
        .body(ops)
        .send()
        .await
        .unwrap()
        .into_inner()
        .unwrap();
    assert_eq!(updated.name, "AD");

    let req = only_request(&server).await;
    assert_eq!(header(&req, "content-type"), Some("application/json-patch+json"));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&req.body).unwrap(), patch);
    assert!(header(&req, "api-version").is_none(), "no header the API does not define");
    assert!(header(&req, "user-agent").unwrap().starts_with("sailpoint-rs/"));
}

#[tokio::test]
async fn experimental_operation_needs_the_opt_in_and_sends_the_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2024/sources/s1/machine-account-mappings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    let err = client(&server, false).list_machine_account_mappings().id("s1").send().await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("list_machine_account_mappings") && message.contains("experimental"), "{message}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");

    let mappings = client(&server, true).list_machine_account_mappings().id("s1").send().await.unwrap().into_inner().unwrap();
    assert!(mappings.is_empty());
    let req = only_request(&server).await;
    assert_eq!(header(&req, "x-sailpoint-experimental"), Some("true"));
    // The template says {sourceId}; the spec declares `id`, as SailPoint's page does: the setter is `id`, the URL is right.
    assert_eq!(req.url.path(), "/v2024/sources/s1/machine-account-mappings");
}

#[tokio::test]
async fn csv_download_streams_bytes_and_asks_for_csv() {
    let server = MockServer::start().await;
    let csv = "id,name,groups\n1,Ada,\"a,b\"\n";
    Mock::given(method("GET"))
        .and(path("/v2024/sources/s1/schemas/accounts"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(csv, "text/csv"))
        .mount(&server)
        .await;
    let response = client(&server, false).get_accounts_schema().id("s1").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let chunks: Vec<bytes::Bytes> = response.into_inner().unwrap().into_inner().try_collect().await.unwrap();
    assert_eq!(chunks.concat(), csv.as_bytes());
    let req = only_request(&server).await;
    assert_eq!(header(&req, "accept"), Some("text/csv"));
}

#[tokio::test]
async fn downloads_as_bytes_text_a_writer_or_a_file() {
    use sailpoint_runtime::Download;
    let server = MockServer::start().await;
    // Larger than one chunk, so that writing goes chunk by chunk.
    let csv: String = (0..20_000).map(|i| format!("{i},name{i}\n")).collect();
    Mock::given(method("GET"))
        .and(path("/v2024/sources/s1/schemas/accounts"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(csv.clone(), "text/csv"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2024/sources/s2/schemas/accounts"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![0xff, 0xfe, b'a'], "text/csv"))
        .mount(&server)
        .await;
    let c = client(&server, false);
    let get = |id: &'static str| c.get_accounts_schema().id(id).send();
    assert_eq!(get("s1").await.unwrap().bytes().await.unwrap(), csv.as_bytes());
    assert_eq!(get("s1").await.unwrap().text().await.unwrap(), csv);
    let mut sink = Vec::new();
    assert_eq!(get("s1").await.unwrap().write_to(&mut sink).await.unwrap(), csv.len() as u64);
    assert_eq!(sink, csv.as_bytes());
    let path = std::env::temp_dir().join(format!("sailpoint-download-{}.csv", std::process::id()));
    assert_eq!(get("s1").await.unwrap().write_to_file(&path).await.unwrap(), csv.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), csv.as_bytes());
    std::fs::remove_file(&path).unwrap();
    let err = get("s2").await.unwrap().text().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    let no_dir = std::env::temp_dir().join("sailpoint-no-such-dir").join("x.csv");
    let err = get("s1").await.unwrap().write_to_file(&no_dir).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

#[tokio::test]
async fn no_content_response() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v2024/password-sync-groups/g1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let response = client(&server, false).delete_password_sync_group().id("g1").send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(only_request(&server).await.method.as_str(), "DELETE");
}

#[tokio::test]
async fn typed_or_empty_success_accepts_both() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2024/accounts/search-attribute-config/none"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2024/accounts/search-attribute-config/mail"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"name": "mail", "displayName": "Mail", "applicationAttributes": {}})),
        )
        .mount(&server)
        .await;
    let c = client(&server, true);
    let none = c.get_single_search_attribute_config().name("none").send().await.unwrap();
    assert_eq!(none.status(), 204);
    assert!(none.into_inner().unwrap().is_none());
    let some = c.get_single_search_attribute_config().name("mail").send().await.unwrap();
    assert_eq!(some.status(), 200);
    assert_eq!(some.into_inner().unwrap().unwrap().name.as_deref(), Some("mail"));
}

#[tokio::test]
async fn fixed_path_template() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2024/sources/2c9180835d2e5168015d32f890ca1581/native-change-detection-config"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"enabled": true})))
        .mount(&server)
        .await;
    let config = client(&server, true)
        .get_native_change_detection_config()
        .id("2c9180835d2e5168015d32f890ca1581")
        .send()
        .await
        .unwrap()
        .into_inner()
        .unwrap();
    assert_eq!(config.enabled, Some(true));
}

/// Prism accepts an unreplaced `{placeholder}` and does not look inside a
/// segment: a value with `/`, spaces or braces must stay in its segment.
#[tokio::test]
async fn path_values_are_encoded_within_their_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({"detailCode": "404 Object Not Found"})))
        .mount(&server)
        .await;
    let error = client(&server, false).get_source().id("a/b {id}?x#y").send().await.expect_err("404");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    let req = only_request(&server).await;
    assert_eq!(req.url.path(), "/v2024/sources/a%2Fb%20%7Bid%7D%3Fx%23y");
    assert_eq!(req.url.query(), None);
}

/// Prism ignores query parameters the spec does not declare: the SDK must
/// send exactly the ones set, under the spec's names, and nothing else.
#[tokio::test]
async fn only_the_query_parameters_set_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2024/sources"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    let c = client(&server, false);
    c.list_sources().send().await.unwrap();
    c.list_sources()
        .limit(5)
        .offset(10)
        .count(true)
        .filters("name sw \"AD\"")
        .sorters("-name")
        .for_subadmin("me")
        .include_idn_source(true)
        .send()
        .await
        .unwrap();
    let mut stream = std::pin::pin!(sailpoint_runtime::Paginate::stream(c.list_sources().filters("name eq \"x\"")));
    assert!(stream.try_next().await.unwrap().is_none());
    let received = server.received_requests().await.unwrap();
    let queries: Vec<Vec<(String, String)>> =
        received.iter().map(|r| r.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()).collect();
    let pairs = |list: &[(&str, &str)]| list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    assert_eq!(queries[0], pairs(&[]), "nothing set, nothing sent");
    let mut all = queries[1].clone();
    all.sort();
    assert_eq!(
        all,
        pairs(&[
            ("count", "true"),
            ("filters", "name sw \"AD\""),
            ("for-subadmin", "me"),
            ("includeIDNSource", "true"),
            ("limit", "5"),
            ("offset", "10"),
            ("sorters", "-name"),
        ])
    );
    let mut paged = queries[2].clone();
    paged.sort();
    assert_eq!(
        paged,
        pairs(&[("filters", "name eq \"x\""), ("limit", "250"), ("offset", "0")]),
        "pagination adds only limit and offset"
    );
}

/// Answers like SailPoint for an operation it treats as experimental while
/// the spec does not: 400 without the header, 200 with it.
struct ExperimentalOnTheServer;

impl wiremock::Respond for ExperimentalOnTheServer {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if header(req, "x-sailpoint-experimental") == Some("true") {
            ResponseTemplate::new(200).set_body_json(serde_json::json!([{"name": "g"}]))
        } else {
            ResponseTemplate::new(400).set_body_json(serde_json::json!({
                "detailCode": "400.1 Bad Request Content",
                "messages": [{"locale": "en-US", "text": "Experimental Header is missing or invalid"}]
            }))
        }
    }
}

#[tokio::test]
async fn an_experimental_refusal_is_resent_once_with_the_header_after_the_opt_in() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups"))
        .respond_with(ExperimentalOnTheServer)
        .mount(&server)
        .await;
    let opted_in = client(&server, true);
    for _ in 0..2 {
        let groups = opted_in.get_password_sync_groups().send().await.unwrap().into_inner().unwrap();
        assert_eq!(groups.len(), 1);
    }
    let received = server.received_requests().await.unwrap();
    let sent: Vec<Option<&str>> = received.iter().map(|r| header(r, "x-sailpoint-experimental")).collect();
    assert_eq!(sent, [None, Some("true"), Some("true")], "one refusal, its resend, then the header at once");

    // Without the opt-in: one request, and an error that says how to opt in.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/v2024/password-sync-groups"))
        .respond_with(ExperimentalOnTheServer)
        .mount(&server)
        .await;
    let err = client(&server, false).get_password_sync_groups().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let shown = err.to_string();
    assert!(shown.contains("Experimental Header is missing or invalid") && shown.contains("experimental(true)"), "{shown}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn another_400_is_not_resent() {
    let server = MockServer::start().await;
    let refusal = ResponseTemplate::new(400).set_body_json(serde_json::json!({"messages": [{"text": "limit is too large"}]}));
    Mock::given(method("GET")).and(path("/v2024/password-sync-groups")).respond_with(refusal).mount(&server).await;
    let err = client(&server, true).get_password_sync_groups().send().await.unwrap_err();
    assert!(err.to_string().contains("limit is too large") && !err.to_string().contains("experimental"), "{err}");
    assert_eq!(only_request(&server).await.headers.get("x-sailpoint-experimental"), None);
}

#[tokio::test]
async fn a_refusal_despite_the_header_is_resent_once_only() {
    let server = MockServer::start().await;
    let refusal = ResponseTemplate::new(400).set_body_string("Experimental Header is missing or invalid");
    Mock::given(method("GET")).and(path("/v2024/password-sync-groups")).respond_with(refusal).mount(&server).await;
    let err = client(&server, true).get_password_sync_groups().send().await.unwrap_err();
    let received = server.received_requests().await.unwrap();
    let sent: Vec<Option<&str>> = received.iter().map(|r| header(r, "x-sailpoint-experimental")).collect();
    assert_eq!(sent, [None, Some("true")]);
    let shown = err.to_string();
    assert!(shown.contains("Experimental Header is missing or invalid") && !shown.contains("experimental(true)"), "{shown}");
}

#[tokio::test]
async fn a_required_body_never_set_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2024/password-sync-groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"name": "g"})))
        .mount(&server)
        .await;
    let c = client(&server, false);
    let err = c.create_password_sync_group().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert!(err.to_string().contains("create_password_sync_group") && err.to_string().contains(".body("), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
    // body_map still starts from the default
    c.create_password_sync_group().body_map(|b| b.name("g".to_string())).send().await.unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&only_request(&server).await.body).unwrap();
    assert_eq!(sent, serde_json::json!({"name": "g"}));
}

/// A source as a newer server sends it: fields this SDK knows, and some it
/// does not, at the top and nested (in an object, and in an array's items).
fn source_from_a_newer_server(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "name": "Directory",
        "description": "before",
        "connector": "active-directory",
        "owner": {"type": "IDENTITY", "id": "2c9180835d2e5168015d32f890ca1581", "name": "admin", "addedLater": {"since": 2027}},
        "schemas": [{"type": "CONNECTOR_SCHEMA", "id": "2c9180835d191a86015d28455b4b232a", "name": "account", "addedLater": [1, "two"]}],
        "features": ["PROVISIONING", "A_FEATURE_ADDED_LATER"],
        "created": "2023-09-25T14:07:27.000+0000",
        "deleteThreshold": 10,
        "addedLater": {"nested": {"deeper": true}, "list": [1.5, null, "x"]}
    })
}

/// A server that answers GET `path` with a newer server's source, and
/// PUT `path` with the body it received; returns what the PUTs carried.
async fn source_server(server: &MockServer, at: &str, id: &str) -> std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>> {
    let puts = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = puts.clone();
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(source_from_a_newer_server(id)))
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .and(path(at))
        .respond_with(move |req: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            log.lock().unwrap().push(body.clone());
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(server)
        .await;
    puts
}

#[tokio::test]
async fn a_read_modify_write_keeps_every_field_the_server_sent() {
    let id = "2c91808a7813090a017814121e121518";
    let mut expected = source_from_a_newer_server(id);
    expected["description"] = "after".into();

    // A year crate.
    let server = MockServer::start().await;
    let puts = source_server(&server, &format!("/v2024/sources/{id}"), id).await;
    let client = common::v2024(&server.uri(), |b| b);
    let mut source = client.get_source().id(id).send().await.unwrap().into_inner().unwrap();
    source.description = Some("after".into());
    let written = client.put_source().id(id).body(source).send().await.unwrap().into_inner().unwrap();
    assert_eq!(puts.lock().unwrap().as_slice(), [expected.clone()], "the PUT carried every field, known or not, unchanged");
    assert_eq!(serde_json::to_value(&written).unwrap(), expected, "and the answer keeps them too");

    // A service crate.
    let server = MockServer::start().await;
    let puts = source_server(&server, &format!("/sources/v1/{id}"), id).await;
    let runtime = common::local(&server.uri()).build().unwrap();
    let sources = sailpoint_sources::Client::new_with_client(&runtime.services_url().unwrap(), runtime.http().clone(), runtime);
    let mut source = sources.get_source_v1().id(id).send().await.unwrap().into_inner().unwrap();
    source.description = Some("after".into());
    sources.put_source_v1().id(id).body(source).send().await.unwrap();
    assert_eq!(puts.lock().unwrap().as_slice(), [expected], "the service's PUT carried every field unchanged");
}
