//! Password sync groups (v2024): create, get, list, update, delete. The
//! other versions that have the API (`client.beta()`, `client.v3()`) take
//! the same calls, with their own types (`sailpoint::beta::types`).
//!
//! `cargo run --example password_sync_groups` (configuration from the
//! environment or the configuration files; see the README).

use sailpoint::prelude::*;

type Res = std::result::Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Res {
    let client = Client::from_env()?;
    let policy_id = std::env::var("PASSWORD_POLICY_ID").unwrap_or_else(|_| "2c91808d744ba0ce01746f93b6204501".into());
    let source_ids = vec!["2c9180835d2e5168015d32f890ca1581".to_string()];

    let api = client.v2024();
    let group = sailpoint::v2024::types::PasswordSyncGroup {
        name: Some("Sync AD and LDAP".into()),
        password_policy_id: Some(policy_id),
        source_ids: Some(source_ids),
        ..Default::default()
    };
    let created = api.create_password_sync_group().body(group).send().await?.into_inner()?;
    let id = created.id.clone().ok_or("the created group has no id")?;
    println!("v2024: created {id}");
    let fetched = api.get_password_sync_group().id(&id).send().await?.into_inner()?;
    println!("v2024: got {:?}", fetched.name);
    let all: Vec<_> = api.get_password_sync_groups().stream().try_collect().await?;
    println!("v2024: {} groups", all.len());
    let renamed = sailpoint::v2024::types::PasswordSyncGroup { name: Some("Sync AD and LDAP (renamed)".into()), ..created };
    api.update_password_sync_group().id(&id).body(renamed).send().await?;
    api.delete_password_sync_group().id(&id).send().await?;
    println!("v2024: deleted {id}");

    Ok(())
}
