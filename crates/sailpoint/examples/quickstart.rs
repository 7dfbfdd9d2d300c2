//! The SDK in one minute: `cargo run --example quickstart`.
//!
//! Without `SAIL_*` configuration (or `config.json`, or the CLI's
//! configuration) it starts the embedded mock tenant and runs against it;
//! with configuration it makes read-only calls to your tenant.

use sailpoint::prelude::*;
use sailpoint::v2024::types;
use serde_json::json;

type Res = std::result::Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Res {
    match sailpoint::Config::load() {
        Ok(config) => {
            println!("Configuration found for {}: read-only tour of your tenant.", config.base_url);
            let client = Client::with_config(config, sailpoint::Runtime::builder())?;
            read_only_tour(&client).await
        }
        Err(_) => {
            let mock = sailpoint_mock::MockTenant::start(sailpoint_mock::MockConfig::default()).await?;
            println!("No SAIL_* configuration: using the embedded mock tenant at {}.", mock.url());
            let client = Client::builder()
                .base_url(mock.url())
                .client_credentials(mock.client_id(), mock.client_secret())
                .allow_http_loopback(true)
                .experimental(true)
                .build()?;
            mock_tour(&client).await
        }
    }
}

async fn read_only_tour(client: &Client) -> Res {
    let first: Vec<_> = client.v2024().list_sources().stream().take(5).try_collect().await?;
    println!("authenticated; first {} sources:", first.len());
    for s in &first {
        println!("  - {} ({})", s.name, s.connector);
    }
    let groups: Vec<_> = client.v2024().get_password_sync_groups().stream().try_collect().await?;
    println!("{} password sync groups", groups.len());
    let v1: Vec<_> = client.sources().list_sources_v1().stream().take(5).try_collect().await?;
    println!("the per-service API (GET /sources/v1) answers too: first {} sources", v1.len());
    match client.v3().get_source().id("00000000000000000000000000000000").send().await {
        Err(e) if e.is_not_found() => println!("a missing source is a clean error: {e}"),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}

async fn mock_tour(client: &Client) -> Res {
    let api = client.v2024();

    // 1. authentication happens on the first call (one token, shared by every version)
    let sources: Vec<_> = api.list_sources().stream().try_collect().await?;
    println!("1. authenticated with client credentials; {} source(s) so far", sources.len());

    // 2. a password policy (experimental: the client opted in) and a sync group
    let policy: types::PasswordPolicyV3Dto = serde_json::from_value(json!({"name": "Quickstart policy", "minLength": 12}))?;
    let policy = api.create_password_policy().body(policy).send().await?.into_inner()?;
    let policy_id = policy.id.clone().unwrap_or_default();
    println!("2. created password policy {:?} ({policy_id}) [experimental, opted in]", policy.name.as_deref().unwrap_or(""));
    let group = types::PasswordSyncGroup {
        name: Some("Quickstart sync group".into()),
        password_policy_id: Some(policy_id),
        source_ids: Some(vec![sailpoint_mock::directory_source_id()]),
        ..Default::default()
    };
    let group = api.create_password_sync_group().body(group).send().await?.into_inner()?;
    println!("   created password sync group {:?} ({})", group.name.as_deref().unwrap_or(""), group.id.as_deref().unwrap_or(""));

    // 3. sources, paginated: create a few, then stream them 2 per page
    for i in 1..=4 {
        let s: types::Source = serde_json::from_value(json!({
            "name": format!("HR feed {i}"), "description": "HR export", "connector": "delimited-file", "connectorAttributes": {},
            "owner": {"type": "IDENTITY", "id": sailpoint_mock::synthetic_id(2, 0), "name": "user000000"}
        }))?;
        api.create_source().body(s).send().await?;
    }
    let options = sailpoint::PageOptions::default().with_page_size(2).with_count(true);
    let pages: Vec<_> = api.list_sources().filters("name sw \"HR\"").pages_with(options).try_collect().await?;
    let names: Vec<_> = pages.iter().flat_map(|p| p.items.iter().map(|s| s.name.clone())).collect();
    println!(
        "3. listed {} sources named HR* in {} pages of 2 (X-Total-Count {:?}): {names:?}",
        names.len(),
        pages.len(),
        pages[0].total
    );

    // the same sources through the per-service API (SailPoint's 2026 layout, feature `sources`)
    let v1: Vec<_> = client.sources().list_sources_v1().filters("name sw \"HR\"").stream().try_collect().await?;
    println!("   the per-service API (GET /sources/v1, list_sources_v1) lists the same {} sources", v1.len());

    // 4. a JSON Patch update
    let hr1 = pages[0].items[0].id.clone().unwrap_or_default();
    let patch: Vec<types::JsonPatchOperation> =
        serde_json::from_value(json!([{"op": "replace", "path": "/description", "value": "Nightly HR export"}]))?;
    let patched = api.update_source().id(&hr1).body(patch).send().await?.into_inner()?;
    println!(
        "4. JSON Patch (application/json-patch+json): description is now {:?}",
        patched.description.as_deref().unwrap_or("")
    );

    // 5. an experimental call, and what happens without the opt-in
    let policies: Vec<_> = api.list_password_policies().stream().try_collect().await?;
    println!("5. experimental list_password_policies: {} policy", policies.len());
    let strict = Client::builder()
        .base_url(client.runtime().base_url().map(|u| u.to_string()).unwrap_or_default())
        .access_token("unused")
        .allow_http_loopback(true)
        .build()?;
    let refused = strict.v2024().list_password_policies().send().await;
    if let Err(e) = refused {
        println!("   without the opt-in, refused before sending: {e}");
    }

    // 6. a CSV download
    let csv = api.get_accounts_schema().id(&hr1).send().await?;
    let chunks: Vec<_> = csv.into_inner()?.into_inner().try_collect().await?;
    println!("6. accounts schema as CSV: {:?}", String::from_utf8_lossy(&chunks.concat()).trim());

    // 7. an error, handled
    match api.get_password_sync_group().id("2c918085deadbeefdeadbeefdeadbeef").send().await {
        Err(e) if e.is_not_found() => println!("7. handled a 404: {e}"),
        other => println!("7. unexpected: {other:?}"),
    }
    println!("done.");
    Ok(())
}
