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
    let err = client.list_sources().send().await.unwrap_err();
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
