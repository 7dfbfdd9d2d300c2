//! The mock tenant driven through the SDK: each resource, the OAuth and
//! rate-limit behaviour, fault injection, and bad input.

use std::time::Duration;

use sailpoint::prelude::*;
use sailpoint::v2024::types;
use sailpoint_mock::{Faults, MockConfig, MockTenant};
use serde_json::{Value, json};

#[rustfmt::skip]
#[path = "generated/versions.rs"]
mod versions;
use versions::VERSIONS;

async fn start(config: MockConfig) -> (MockTenant, Client) {
    let mock = MockTenant::start(config).await.unwrap();
    let client = Client::builder()
        .base_url(mock.url())
        .client_credentials(mock.client_id(), mock.client_secret())
        .allow_http_loopback(true)
        .experimental(true)
        .rate_limit(None)
        .build()
        .unwrap();
    (mock, client)
}

fn unlimited() -> MockConfig {
    MockConfig { rate_limit: None, ..MockConfig::default() }
}

/// A token for raw requests.
async fn token(mock: &MockTenant) -> String {
    mock.access_token()
}

#[tokio::test]
async fn password_sync_groups_in_every_version() {
    let (mock, client) = start(unlimited()).await;
    let api = client.v2024();
    let group = types::PasswordSyncGroup { name: Some("g".into()), source_ids: Some(vec!["s1".into()]), ..Default::default() };
    let created = api.create_password_sync_group().body(group).send().await.unwrap().into_inner().unwrap();
    let id = created.id.clone().unwrap();
    assert_eq!(api.get_password_sync_group().id(&id).send().await.unwrap().into_inner().unwrap().name.as_deref(), Some("g"));
    let renamed = types::PasswordSyncGroup { name: Some("g2".into()), ..created };
    api.update_password_sync_group().id(&id).body(renamed).send().await.unwrap();
    // One tenant behind every version that has the API.
    let (http, t) = (reqwest::Client::new(), token(&mock).await);
    let mut versions = 0;
    for v in VERSIONS.iter().filter(|v| v.operations.iter().any(|o| o.operation_id == "getPasswordSyncGroups")) {
        let url = format!("{}/{}/password-sync-groups", mock.url(), v.name);
        let groups: Value = http.get(url).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
        assert_eq!(groups.as_array().map(Vec::len), Some(1), "{}: {groups}", v.name);
        assert_eq!(groups[0]["name"], "g2", "{}: {groups}", v.name);
        versions += 1;
    }
    assert!(versions >= 1, "v2024 at least has the API");
    assert_eq!(api.delete_password_sync_group().id(&id).send().await.unwrap().status(), 204);
    let err = api.get_password_sync_group().id(&id).send().await.unwrap_err();
    assert!(err.is_not_found() && err.detail_code() == Some("404 Object Not Found"), "{err}");
}

#[tokio::test]
async fn password_policies_are_experimental() {
    let (mock, client) = start(unlimited()).await;
    let api = client.v2024();
    let p: types::PasswordPolicyV3Dto = serde_json::from_value(json!({"name": "p", "minLength": 8})).unwrap();
    let created = api.create_password_policy().body(p).send().await.unwrap().into_inner().unwrap();
    let id = created.id.clone().unwrap();
    let longer = types::PasswordPolicyV3Dto { min_length: Some(10), ..created };
    api.set_password_policy().id(&id).body(longer).send().await.unwrap();
    assert_eq!(api.get_password_policy_by_id().id(&id).send().await.unwrap().into_inner().unwrap().min_length, Some(10));
    assert_eq!(api.list_password_policies().stream().try_collect::<Vec<_>>().await.unwrap().len(), 1);
    api.delete_password_policy().id(&id).send().await.unwrap();
    // without the header, the tenant refuses
    let raw = reqwest::Client::new()
        .get(format!("{}/v2024/password-policies", mock.url()))
        .bearer_auth(token(&mock).await)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
}

fn source(name: &str) -> types::Source {
    serde_json::from_value(json!({
        "name": name, "description": "d", "connector": "delimited-file", "connectorAttributes": {},
        "owner": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Ada"}
    }))
    .unwrap()
}

#[tokio::test]
async fn sources_and_their_details() {
    let (_mock, client) = start(unlimited()).await;
    let api = client.v2024();
    for n in ["AD East", "AD West", "LDAP"] {
        api.create_source().body(source(n)).send().await.unwrap();
    }
    let ad: Vec<_> = api.list_sources().filters("name sw \"AD\"").sorters("-name").stream().try_collect().await.unwrap();
    assert_eq!(ad.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["AD West", "AD East"]);
    let both: Vec<_> = api
        .list_sources()
        .filters("name in (\"LDAP\",\"AD East\") and description eq \"d\"")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
    let ldap = api.list_sources().filters("name co \"DA\"").send().await.unwrap().into_inner().unwrap();
    let id = ldap[0].id.clone().unwrap();

    let patch: Vec<types::JsonPatchOperation> =
        serde_json::from_value(json!([{"op": "replace", "path": "/description", "value": "x"}])).unwrap();
    assert_eq!(
        api.update_source().id(&id).body(patch).send().await.unwrap().into_inner().unwrap().description.as_deref(),
        Some("x")
    );
    let bad: Vec<types::JsonPatchOperation> = serde_json::from_value(json!([{"op": "remove", "path": "/name"}])).unwrap();
    let err = api.update_source().id(&id).body(bad).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "a patch that breaks the resource is refused");

    let schedule: types::SourceSchedule =
        serde_json::from_value(json!({"type": "ACCOUNT_AGGREGATION", "cronExpression": "0 0 5 * * ?"})).unwrap();
    api.create_source_schedule().source_id(&id).body(schedule).send().await.unwrap();
    assert_eq!(api.get_source_schedules().source_id(&id).send().await.unwrap().into_inner().unwrap().len(), 1);

    let policy: types::ProvisioningPolicy =
        serde_json::from_value(json!({"name": "Create", "usageType": "CREATE", "fields": []})).unwrap();
    api.create_provisioning_policy().source_id(&id).body(policy).send().await.unwrap();
    let patch: Vec<types::JsonPatchOperation> =
        serde_json::from_value(json!([{"op": "add", "path": "/description", "value": "new hires"}])).unwrap();
    api.update_provisioning_policy().source_id(&id).usage_type(types::UsageType::Create).body(patch).send().await.unwrap();
    let got = api
        .get_provisioning_policy()
        .source_id(&id)
        .usage_type(types::UsageType::Create)
        .send()
        .await
        .unwrap()
        .into_inner()
        .unwrap();
    assert_eq!(got.description.as_deref(), Some("new hires"));
    let bulk: Vec<types::ProvisioningPolicy> =
        serde_json::from_value(json!([{"name": "Update", "usageType": "UPDATE", "fields": []}])).unwrap();
    api.update_provisioning_policies_in_bulk().source_id(&id).body(bulk).send().await.unwrap();
    assert_eq!(api.list_provisioning_policies().source_id(&id).send().await.unwrap().into_inner().unwrap().len(), 2);

    let uploaded = api
        .import_accounts_schema()
        .id(&id)
        .file_bytes("schema.csv", b"login,mail,groups\n".to_vec())
        .send()
        .await
        .unwrap()
        .into_inner()
        .unwrap();
    assert_eq!(uploaded.attributes.as_ref().map(|a| a.len()), Some(3));
    let csv = api.get_accounts_schema().id(&id).send().await.unwrap();
    let chunks: Vec<_> = csv.into_inner().unwrap().into_inner().try_collect().await.unwrap();
    assert_eq!(String::from_utf8(chunks.concat()).unwrap(), "login,mail,groups\n");
    let s =
        api.import_connector_file().source_id(&id).file_bytes("c.jar", vec![1, 2, 3]).send().await.unwrap().into_inner().unwrap();
    assert_eq!(s.name, "LDAP");
    let task = api
        .import_accounts()
        .id(&id)
        .file_bytes("accounts.csv", b"login\nada\n".to_vec())
        .send()
        .await
        .unwrap()
        .into_inner()
        .unwrap();
    assert_eq!(task.success, Some(true));
    api.delete_source().id(&id).send().await.unwrap();
    assert!(api.get_source().id(&id).send().await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn accounts_and_identities_at_scale() {
    let (_mock, client) =
        start(MockConfig { accounts: 100_000, identities: 600, rate_limit: None, ..MockConfig::default() }).await;
    let options = sailpoint::PageOptions::default().with_count(true);
    let first = client.v3().list_accounts().pages_with(options).try_next().await.unwrap().unwrap();
    assert_eq!(first.total, Some(100_000));
    assert_eq!(first.items.len(), 250);
    let id = first.items[7].id.clone().unwrap();
    assert_eq!(
        client.v3().get_account().id(&id).send().await.unwrap().into_inner().unwrap().name.as_deref(),
        Some("account000007")
    );
    let it: Vec<_> = client.v3().list_accounts().filters(format!("id eq \"{id}\"")).stream().try_collect().await.unwrap();
    assert_eq!(it.len(), 1);
    let identities: Vec<_> = client.v2024().list_identities().stream().try_collect().await.unwrap();
    assert_eq!(identities.len(), 600);
}

#[tokio::test]
async fn search_past_the_window_on_the_mock() {
    let (_mock, client) = start(MockConfig { identities: 10_400, rate_limit: None, ..MockConfig::default() }).await;
    let request =
        SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["-name"]})).page_size(2_000);
    let docs: Vec<Value> = client.search_json(request).try_collect().await.unwrap();
    assert_eq!(docs.len(), 10_400);
    let ids: std::collections::HashSet<_> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10_400);
}

/// The search service's `POST /search/v1` past the window: 25,000
/// identities sorted on a field of three values (ties everywhere), on a
/// server that refuses any `offset + limit` past 10,000. Every identity
/// arrives once, typed by its `_type`, in as many requests as pages.
#[tokio::test]
async fn per_service_search_past_the_window_with_ties() {
    use sailpoint::services::search::types::{Search, SearchDocuments};
    let (mock, client) = start(MockConfig { identities: 25_000, rate_limit: None, ..MockConfig::default() }).await;
    let query = || -> Search {
        serde_json::from_value(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["attributes.department"]}))
            .unwrap()
    };
    let search = client.search_api();

    // offsets stop at the window
    let refused = search.search_post_v1().body(query()).offset(10_000).limit(10).send().await.unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400), "{refused}");

    for (page_size, pages) in [(None, 3), (Some(7_000), 4)] {
        let before = mock.api_requests();
        let mut request = search.search_post_v1().body(query());
        if let Some(size) = page_size {
            request = request.with_options(CallOptions::new().page_size(size));
        }
        let docs: Vec<SearchDocuments> = request.stream().try_collect().await.unwrap();
        assert_eq!(mock.api_requests() - before, pages, "one request per page ({page_size:?})");
        let ids: std::collections::HashSet<String> = docs
            .iter()
            .map(|d| match d {
                SearchDocuments::IdentityDocuments(identity) => identity.id.clone(),
                other => panic!("an identity decoded as another kind: {other:?}"),
            })
            .collect();
        assert_eq!((docs.len(), ids.len()), (25_000, 25_000), "every identity exactly once ({page_size:?})");
    }
}

#[tokio::test]
async fn tokens_expire_and_bad_tokens_get_401() {
    // Each token is used well within its 3 s (a margin no load eats), and
    // each wait outlasts it.
    let lifetime = Duration::from_secs(3);
    let past_expiry = lifetime + Duration::from_millis(100);
    let (mock, _) = start(MockConfig { token_lifetime: lifetime, ..unlimited() }).await;
    let http = reqwest::Client::new();
    let url = format!("{}/v2024/password-sync-groups", mock.url());
    let unknown = http.get(&url).bearer_auth("nope").send().await.unwrap();
    assert_eq!(unknown.status(), 401);
    assert!(unknown.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("unknown token"));
    let t = token(&mock).await;
    assert_eq!(http.get(&url).bearer_auth(&t).send().await.unwrap().status(), 200);
    tokio::time::sleep(past_expiry).await;
    let expired = http.get(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(expired.status(), 401);
    assert_eq!((mock.tokens_issued(), mock.unauthorized_requests()), (1, 2));
    // the SDK refreshes on its own: a new token before the old one is
    // refused, so no call of its meets a 401
    let client = Client::builder()
        .base_url(mock.url())
        .client_credentials(mock.client_id(), mock.client_secret())
        .allow_http_loopback(true)
        .build()
        .unwrap();
    client.v2024().get_password_sync_groups().send().await.unwrap();
    assert_eq!(mock.tokens_issued(), 2);
    tokio::time::sleep(past_expiry).await;
    client.v2024().get_password_sync_groups().send().await.unwrap();
    assert_eq!(mock.tokens_issued(), 3, "one new token for the call after expiry");
    assert_eq!(mock.unauthorized_requests(), 2, "the SDK's calls met no 401");
}

#[tokio::test]
async fn the_rate_limit_answers_429_and_the_sdk_waits() {
    let (mock, client) = start(MockConfig { rate_limit: Some((5, Duration::from_secs(1))), ..MockConfig::default() }).await;
    let http = reqwest::Client::new();
    let t = token(&mock).await;
    let url = format!("{}/v3/sources", mock.url());
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = http.get(&url).bearer_auth(&t).send().await.unwrap();
        statuses.push((r.status().as_u16(), r.headers().get("retry-after").is_some()));
    }
    assert!(statuses[..5].iter().all(|(s, _)| *s == 200), "{statuses:?}");
    assert!(statuses[5..].iter().all(|(s, ra)| *s == 429 && *ra), "{statuses:?}");
    // another API version has its own budget
    assert_eq!(http.get(format!("{}/v2024/sources", mock.url())).bearer_auth(&t).send().await.unwrap().status(), 200);
    // the SDK (its own limiter off here) waits out the 429s
    for _ in 0..8 {
        client.v3().list_sources().send().await.unwrap();
    }
}

#[tokio::test]
async fn a_faulty_tenant_still_yields_every_item_once() {
    // 429s, 5xx, HTML error pages and connections cut mid-body
    let faults = Faults { rate_limited: 0.05, server_errors: 0.1, non_json: 0.05, dropped: 0.1, seed: 7, ..Faults::default() };
    let (_mock, client) = start(MockConfig { accounts: 10_000, rate_limit: None, faults, ..MockConfig::default() }).await;
    let client = Client::builder()
        .base_url(client.runtime().base_url().unwrap().as_str())
        .client_credentials("mock-client-id", "mock-client-secret")
        .allow_http_loopback(true)
        .rate_limit(None)
        // a budget for a tenant this faulty (the default allows a tenth more requests)
        .retry(sailpoint::RetryConfig::default().with_base_delay(Duration::from_millis(5)).with_max_retries(8).with_budget(1_000))
        .build()
        .unwrap();
    let ids: Vec<String> = client.v3().list_accounts().stream().map_ok(|a| a.id.unwrap()).try_collect().await.unwrap();
    assert_eq!(ids.len(), 10_000);
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 10_000);
}

#[tokio::test]
async fn bad_input_gets_4xx_and_the_tenant_survives() {
    let (mock, client) = start(unlimited()).await;
    let http = reqwest::Client::new();
    let t = token(&mock).await;
    let url = format!("{}/v2024/password-sync-groups", mock.url());
    let send = |body: Vec<u8>| http.post(&url).bearer_auth(&t).header("content-type", "application/json").body(body).send();
    assert_eq!(send(b"{not json".to_vec()).await.unwrap().status(), 400);
    assert_eq!(send(br#"{"name": 42}"#.to_vec()).await.unwrap().status(), 400);
    assert_eq!(send(br#"[1, 2]"#.to_vec()).await.unwrap().status(), 400);
    assert_eq!(send(br#"{"name": "x", "sourceIds": "s"}"#.to_vec()).await.unwrap().status(), 400);
    let huge = send(vec![b' '; 9 * 1024 * 1024]).await.unwrap().status();
    assert!(huge.is_client_error(), "{huge}");
    let bad_limit = http.get(format!("{url}?limit=100000")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(bad_limit.status(), 400);
    let bad_filter =
        http.get(format!("{}/v2024/sources?filters=name%20zz%201", mock.url())).bearer_auth(&t).send().await.unwrap();
    assert_eq!(bad_filter.status(), 400);
    let not_api = http.get(format!("{}/v2024/no-such-thing", mock.url())).bearer_auth(&t).send().await.unwrap();
    assert_eq!(not_api.status(), 404);
    // still serving
    client.v2024().get_password_sync_groups().send().await.unwrap();
}

/// The per-service paths (`/sources/v1`…) serve the same state as the year
/// paths, through the same client; each service's own table decides what
/// is experimental.
#[tokio::test]
async fn per_service_paths_share_the_year_state() {
    let (mock, client) = start(unlimited()).await;
    let year = client.v2024().create_source().body(source("HR year")).send().await.unwrap().into_inner().unwrap();
    let year_id = year.id.clone().unwrap();
    let listed: Vec<_> = client.sources().list_sources_v1().filters("name sw \"HR\"").stream().try_collect().await.unwrap();
    assert_eq!(listed.iter().map(|s| s.id.as_deref().unwrap_or_default()).collect::<Vec<_>>(), [year_id.as_str()]);
    let one = client.sources().get_source_v1().id(&year_id).send().await.unwrap().into_inner().unwrap();
    assert_eq!(one.name, "HR year");

    let group = sailpoint::services::password_sync_groups::types::PasswordSyncGroup {
        name: Some("v1 group".into()),
        source_ids: Some(vec![year_id.clone()]),
        ..Default::default()
    };
    let created =
        client.password_sync_groups().create_password_sync_group_v1().body(group).send().await.unwrap().into_inner().unwrap();
    let in_year: Vec<_> = client.v2024().get_password_sync_groups().stream().try_collect().await.unwrap();
    assert_eq!(in_year.len(), 1);
    assert_eq!((in_year[0].id.as_deref(), in_year[0].name.as_deref()), (created.id.as_deref(), Some("v1 group")));

    // password-policies/v1 is experimental in its service's table: the mock
    // refuses a request without the header, the opted-in client sends it.
    let policies: Vec<_> = client.password_policies().list_password_policies_v1().stream().try_collect().await.unwrap();
    assert!(policies.is_empty(), "{policies:?}");
    let (http, t) = (reqwest::Client::new(), token(&mock).await);
    let bare = http.get(format!("{}/password-policies/v1", mock.url())).bearer_auth(&t).send().await.unwrap();
    assert_eq!(bare.status(), 400);
    let with = http
        .get(format!("{}/password-policies/v1?limit=5", mock.url()))
        .bearer_auth(&t)
        .header("X-SailPoint-Experimental", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
    // no such operation on the service paths, a page too large for its table
    let nothing = http.get(format!("{}/sources/v1/{year_id}/no/such/thing", mock.url())).bearer_auth(&t).send().await.unwrap();
    assert_eq!(nothing.status(), 404);
    let too_big = http.get(format!("{}/sources/v1?limit=251", mock.url())).bearer_auth(&t).send().await.unwrap();
    assert_eq!(too_big.status(), 400);
}
