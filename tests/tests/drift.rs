//! The generated types decode what the API really sends: unknown enum
//! values (kept and written back), `null` in optional fields of every kind,
//! 32-hex ids, date-times without a zone, unknown fields. When decoding
//! fails anyway, the error names the operation, the status and the field.

mod common;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn source_payload() -> Value {
    json!({
        "id": "2c9180835d2e5168015d32f890ca1581",
        "name": "Active Directory",
        "description": null,
        "connector": "active-directory",
        "connectorAttributes": {"healthCheckTimeout": 30},
        "owner": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Ada"},
        "features": ["AUTHENTICATE", "QUANTUM_PROVISIONING"],
        "managementWorkgroup": null,
        "managerCorrelationRule": null,
        "schemas": null,
        "passwordPolicies": null,
        "created": "2024-01-02T03:04:05",
        "modified": "2024-01-02T03:04:05.123Z",
        "aFieldFromTheFuture": {"nested": [1, 2, 3]}
    })
}

#[test]
fn v2024_source_with_drift() {
    use sailpoint_v2024::types::{Source, SourceFeatureItem};
    let source: Source = serde_json::from_value(source_payload()).unwrap();
    let features = source.features.clone().unwrap();
    assert_eq!(features[0], SourceFeatureItem::Authenticate);
    assert_eq!(features[1], SourceFeatureItem::Unknown("QUANTUM_PROVISIONING".into()));
    assert_eq!(features[1].to_string(), "QUANTUM_PROVISIONING");
    assert!(source.schemas.is_none() && source.password_policies.is_none());
    assert_eq!(source.created.as_ref().unwrap().as_str(), "2024-01-02T03:04:05");
    assert!(source.created.as_ref().unwrap().to_utc().is_some());

    let written = serde_json::to_value(&source).unwrap();
    assert_eq!(written["id"], "2c9180835d2e5168015d32f890ca1581");
    assert_eq!(written["features"], json!(["AUTHENTICATE", "QUANTUM_PROVISIONING"]));
    assert_eq!(written["created"], "2024-01-02T03:04:05");
    assert_eq!(written["modified"], "2024-01-02T03:04:05.123Z");
}

#[test]
fn v3_account_with_null_map_and_unknown_fields() {
    let account: sailpoint_v3::types::Account = serde_json::from_value(json!({
        "id": "2c9180835d2e5168015d32f890ca1581",
        "name": null,
        "attributes": null,
        "authoritative": false, "disabled": false, "hasEntitlements": true, "locked": false,
        "manuallyCorrelated": false, "systemAccount": false, "uncorrelated": false,
        "nativeIdentity": "CN=Ada", "sourceId": "2c9180835d2e5168015d32f890ca1582", "sourceName": null,
        "features": null,
        "extra": "ignored"
    }))
    .unwrap();
    assert!(account.attributes.is_none() && account.name.is_none());
    assert_eq!(account.id.as_deref(), Some("2c9180835d2e5168015d32f890ca1581"));
}

/// Objects without properties are maps; `null` in an optional one is "none".
#[test]
fn null_in_an_optional_map() {
    let mut payload = source_payload();
    payload["connectorAttributes"] = Value::Null;
    let source: sailpoint_v2024::types::Source = serde_json::from_value(payload).unwrap();
    assert!(source.connector_attributes.is_none());
    payload = source_payload();
    payload["connectorAttributes"] = json!({"healthCheckTimeout": 30});
    let source: sailpoint_v2024::types::Source = serde_json::from_value(payload).unwrap();
    assert_eq!(source.connector_attributes.unwrap()["healthCheckTimeout"], 30);
}

#[test]
fn password_sync_group_with_null_array() {
    let group: sailpoint_v2024::types::PasswordSyncGroup =
        serde_json::from_value(json!({"id": "g1", "name": "Sync", "sourceIds": null, "created": "2023-03-16T04:00:00"})).unwrap();
    assert!(group.source_ids.is_none());
    assert_eq!(group.created.unwrap().as_str(), "2023-03-16T04:00:00");
}

#[tokio::test]
async fn a_body_that_does_not_decode_names_operation_status_and_field() {
    let server = MockServer::start().await;
    let mut bad = source_payload();
    bad["features"] = json!(42);
    let body = serde_json::to_vec(&json!([bad])).unwrap();
    Mock::given(method("GET"))
        .and(path("/v2024/sources"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&server)
        .await;
    let client = common::v2024(&server.uri(), |b| b);
    // The call succeeded (HTTP 200): the response keeps the body, and the
    // value is the decoding error.
    let response = client.list_sources().send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.value().is_none()), (200, true));
    assert_eq!(response.raw_body(), Some(body.as_slice()));
    let err = response.into_inner().unwrap_err();
    assert_eq!(err.kind(), sailpoint_runtime::ErrorKind::Decode, "{err}");
    assert_eq!(err.operation(), Some("list_sources"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    let message = err.to_string();
    assert!(message.starts_with("list_sources failed: HTTP 200 OK, but the response body did not decode"), "{message}");
    assert!(message.contains("[0].features"), "{message}");
    assert_eq!(err.raw_body().map(str::as_bytes), Some(body.as_slice()), "the raw body is kept");
}

/// RFC 6902: a patch value is any JSON value.
#[test]
fn json_patch_values_are_any_json() {
    use sailpoint_v2024::types::JsonPatchOperation;
    for value in [json!(1.5), json!([true, false]), json!({"a": [null, 2.5]}), json!("text")] {
        let op: JsonPatchOperation = serde_json::from_value(json!({"op": "replace", "path": "/x", "value": value})).unwrap();
        assert_eq!(op.value.as_ref(), Some(&value));
        assert_eq!(serde_json::to_value(&op).unwrap()["value"], value, "written back unchanged");
    }
    let null =
        JsonPatchOperation { value: Some(Value::Null), ..serde_json::from_value(json!({"op": "add", "path": "/x"})).unwrap() };
    assert_eq!(serde_json::to_value(&null).unwrap(), json!({"op": "add", "path": "/x", "value": null}), "a null value is sent");
}

/// `PasswordPolicyV3Dto.dateCreated` is `int64` in v2024 and `date-time` in
/// v3 (pass `version-drift`): both versions read both forms, and write back
/// the one they read.
#[test]
fn a_date_drifting_between_versions_reads_both_forms() {
    for (sent, utc) in [
        (json!(1639056206564i64), "2021-12-09T13:23:26.564+00:00"),
        (json!("2021-12-09T13:23:26.564Z"), "2021-12-09T13:23:26.564+00:00"),
    ] {
        let body = json!({"id": "p1", "name": "Default", "dateCreated": sent, "lastUpdated": sent});
        let v2024: sailpoint_v2024::types::PasswordPolicyV3Dto = serde_json::from_value(body.clone()).unwrap();
        let v3: sailpoint_v3::types::PasswordPolicyV3Dto = serde_json::from_value(body.clone()).unwrap();
        for date in [v2024.date_created.as_ref().unwrap(), v3.date_created.as_ref().unwrap()] {
            assert_eq!(date.to_utc().unwrap().to_rfc3339(), utc, "{sent}");
        }
        assert_eq!(serde_json::to_value(&v2024).unwrap()["dateCreated"], sent, "written back as read");
        assert_eq!(serde_json::to_value(&v3).unwrap()["lastUpdated"], sent);
    }
}

/// The top-level properties of the upstream schema `<version>/schemas/<name>.yaml`
/// that it does not require.
fn optional_properties(version: &str, name: &str) -> Vec<String> {
    let dir = std::env::var_os("SAILPOINT_API_SPECS").expect("SAILPOINT_API_SPECS is set by .cargo/config.toml");
    let path = std::path::Path::new(&dir).join("idn").join(version).join("schemas").join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_yaml_ng::from_str(&text).unwrap();
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let properties = schema["properties"].as_object().unwrap_or_else(|| panic!("{name}: no properties"));
    properties.keys().filter(|p| !required.contains(&p.as_str())).cloned().collect()
}

/// `base` decodes as `T`, and so does `base` with `null` in each optional
/// property of the upstream schema in turn.
fn null_decodes_in_each_optional_field<T: serde::de::DeserializeOwned>(version: &str, name: &str, base: Value) -> usize {
    serde_json::from_value::<T>(base.clone()).unwrap_or_else(|e| panic!("{version} {name}: the base does not decode: {e}"));
    let optional = optional_properties(version, name);
    for property in &optional {
        let mut payload = base.clone();
        payload[property.as_str()] = Value::Null;
        if let Err(e) = serde_json::from_value::<T>(payload) {
            panic!("{version} {name}.{property}: null does not decode: {e}");
        }
    }
    optional.len()
}

/// SailPoint sends `null` for optional fields whatever their kind (maps,
/// arrays, fields with a default, enums, nested objects): every optional
/// field of the seed types reads it.
#[test]
fn null_in_every_optional_field_of_the_seed_types() {
    let group = json!({"name": "Sync"});
    let policy = json!({"name": "Default"});
    let checked = [
        null_decodes_in_each_optional_field::<sailpoint_v2024::types::Source>("v2024", "Source", source_payload()),
        null_decodes_in_each_optional_field::<sailpoint_v3::types::Source>("v3", "Source", source_payload()),
        null_decodes_in_each_optional_field::<sailpoint_v2024::types::PasswordSyncGroup>(
            "v2024",
            "PasswordSyncGroup",
            group.clone(),
        ),
        null_decodes_in_each_optional_field::<sailpoint_v3::types::PasswordSyncGroup>("v3", "PasswordSyncGroup", group),
        null_decodes_in_each_optional_field::<sailpoint_v2024::types::PasswordPolicyV3Dto>(
            "v2024",
            "PasswordPolicyV3Dto",
            policy.clone(),
        ),
        null_decodes_in_each_optional_field::<sailpoint_v3::types::PasswordPolicyV3Dto>("v3", "PasswordPolicyV3Dto", policy),
    ];
    assert!(checked.iter().all(|&n| n >= 4), "{checked:?}");
}
