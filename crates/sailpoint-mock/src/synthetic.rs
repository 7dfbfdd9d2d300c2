//! Deterministic synthetic accounts and identities: item `i` is always the
//! same, so a test can predict what a listing returns.

use serde_json::{Value, json};

/// A 32-hex id, as SailPoint's, derived from `kind` and `i` (splitmix64).
pub fn id(kind: u64, i: u64) -> String {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    format!("{:016x}{:016x}", mix(kind.wrapping_mul(31).wrapping_add(i)), mix(i.wrapping_add(kind << 40)))
}

pub const ACCOUNT: u64 = 1;
pub const IDENTITY: u64 = 2;

/// The synthetic source every synthetic account belongs to.
pub fn directory_source_id() -> String {
    id(9, 0)
}

fn department(i: u64) -> &'static str {
    ["Sales", "IT", "HR"][(i % 3) as usize]
}

pub fn account(i: u64) -> Value {
    json!({
        "id": id(ACCOUNT, i),
        "name": format!("account{i:06}"),
        "nativeIdentity": format!("CN=account{i:06},OU=People"),
        "sourceId": directory_source_id(),
        "sourceName": "Directory",
        "identityId": id(IDENTITY, i),
        "authoritative": false,
        "disabled": i.is_multiple_of(17),
        "locked": false,
        "systemAccount": false,
        "uncorrelated": false,
        "manuallyCorrelated": false,
        "hasEntitlements": i.is_multiple_of(3),
        "created": "2024-01-02T03:04:05.000Z",
        "modified": "2024-06-01T00:00:00.000Z",
        "attributes": {"mail": format!("user{i}@example.com"), "department": department(i)}
    })
}

pub fn identity(i: u64) -> Value {
    json!({
        "id": id(IDENTITY, i),
        "name": format!("user{i:06}"),
        "alias": format!("user{i}"),
        "emailAddress": format!("user{i}@example.com"),
        "identityStatus": "UNREGISTERED",
        "processingState": null,
        "isManager": i.is_multiple_of(50),
        "created": "2024-01-02T03:04:05.000Z",
        "modified": "2024-06-01T00:00:00.000Z",
        "attributes": {"department": department(i), "cloudLifecycleState": "active"}
    })
}

/// An identity as a search document.
pub fn identity_document(i: u64) -> Value {
    let mut d = identity(i);
    d["_type"] = json!("identity");
    d["_version"] = json!("v7");
    d["displayName"] = d["name"].clone();
    d
}
