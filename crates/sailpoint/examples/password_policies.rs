//! Password policies (v2024; experimental, so the client opts in): create,
//! get, list, set, delete.
//!
//! `cargo run --example password_policies`

use sailpoint::prelude::*;
use serde_json::json;

type Res = std::result::Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Res {
    let client = Client::builder().from_env().experimental(true).build()?;
    let api = client.v2024();
    let policy: sailpoint::v2024::types::PasswordPolicyV3Dto = serde_json::from_value(json!({
        "name": "Contractors",
        "description": "Stricter rules for contractors",
        "minLength": 12,
        "minUpper": 1,
        "minLower": 1,
        "minNumeric": 1,
        "minSpecial": 1,
        "maxLength": 64,
        "sourceIds": ["2c9180835d2e5168015d32f890ca1581"]
    }))?;
    let created = api.create_password_policy().body(policy).send().await?.into_inner()?;
    let id = created.id.clone().ok_or("the created policy has no id")?;
    println!("created {id}");
    let fetched = api.get_password_policy_by_id().id(&id).send().await?.into_inner()?;
    println!("got {:?}", fetched.name);
    let all: Vec<_> = api.list_password_policies().stream().try_collect().await?;
    println!("{} policies", all.len());
    let longer = sailpoint::v2024::types::PasswordPolicyV3Dto { min_length: Some(14), ..created };
    api.set_password_policy().id(&id).body(longer).send().await?;
    api.delete_password_policy().id(&id).send().await?;
    println!("deleted {id}");
    Ok(())
}
