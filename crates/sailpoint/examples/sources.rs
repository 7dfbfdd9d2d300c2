//! Sources (v2024): create, list with filters, update with JSON Patch,
//! schedules, provisioning policies, download the accounts schema as CSV,
//! upload a connector file.
//!
//! `cargo run --example sources`

use sailpoint::prelude::*;
use sailpoint::v2024::types;
use serde_json::json;

type Res = std::result::Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Res {
    let client = Client::from_env()?;
    let api = client.v2024();

    let source: types::Source = serde_json::from_value(json!({
        "name": "HR Flat File",
        "description": "Employees from HR",
        "connector": "delimited-file",
        "connectorAttributes": {},
        "owner": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Ada Lovelace"}
    }))?;
    let created = api.create_source().provision_as_csv(true).body(source).send().await?.into_inner()?;
    let id = created.id.clone().ok_or("the created source has no id")?;
    println!("created source {id}");

    let hr: Vec<_> = api.list_sources().filters("name sw \"HR\"").sorters("name").stream().try_collect().await?;
    println!("{} sources named HR*", hr.len());

    let patch: Vec<types::JsonPatchOperation> =
        serde_json::from_value(json!([{"op": "replace", "path": "/description", "value": "Employees and contractors from HR"}]))?;
    let updated = api.update_source().id(&id).body(patch).send().await?.into_inner()?;
    println!("description now {:?}", updated.description);

    let schedule: types::SourceSchedule =
        serde_json::from_value(json!({"type": "ACCOUNT_AGGREGATION", "cronExpression": "0 0 5 * * ?"}))?;
    api.create_source_schedule().source_id(&id).body(schedule).send().await?;
    let schedules = api.get_source_schedules().source_id(&id).send().await?.into_inner()?;
    println!("{} schedules", schedules.len());

    let policy: types::ProvisioningPolicy = serde_json::from_value(json!({
        "name": "Account", "usageType": "CREATE",
        "fields": [{"name": "email", "transform": {"type": "identityAttribute", "attributes": {"name": "email"}}}]
    }))?;
    api.create_provisioning_policy().source_id(&id).body(policy).send().await?;
    let policies = api.list_provisioning_policies().source_id(&id).send().await?.into_inner()?;
    println!("{} provisioning policies", policies.len());
    let patch: Vec<types::JsonPatchOperation> =
        serde_json::from_value(json!([{"op": "replace", "path": "/description", "value": "Accounts for new hires"}]))?;
    api.update_provisioning_policy().source_id(&id).usage_type(types::UsageType::Create).body(patch).send().await?;

    let csv = api.get_accounts_schema().id(&id).send().await?;
    let chunks: Vec<_> = csv.into_inner()?.into_inner().try_collect().await?;
    println!("accounts schema: {} bytes of CSV", chunks.concat().len());

    let upload = api
        .import_connector_file()
        .source_id(&id)
        .file_bytes("connector.jar", b"PK\x03\x04 connector bytes".to_vec())
        .send()
        .await?
        .into_inner()?;
    println!("connector file uploaded to {}", upload.name);

    api.delete_source().id(&id).send().await?;
    Ok(())
}
