//! The generated types' `Deserialize` and `Serialize` impls, which
//! `cargo xtask regen` writes in place of serde's derives (the xtask
//! rewrite `serde_impls`), answer as the derives did: required fields are
//! required, a nullable one may be `null` but not absent, optional ones
//! may be absent or `null`, unknown fields are skipped or kept in the
//! type's map, escaped names are read, absent optional fields are not
//! written, and open enums keep values they do not know. Where they
//! differ, on purpose: a repeated name keeps its last value, and an array
//! is not read as a struct (README, Reliability).

use serde_json::{Value, json};

fn account_payload() -> Value {
    json!({
        "id": "2c9180835d2e5168015d32f890ca1581",
        "name": "ada",
        "attributes": {"department": "R&D"},
        "authoritative": false, "disabled": false, "hasEntitlements": true, "locked": false,
        "manuallyCorrelated": false, "systemAccount": false, "uncorrelated": false,
        "nativeIdentity": "CN=Ada", "sourceId": "2c9180835d2e5168015d32f890ca1582", "sourceName": "AD",
    })
}

fn without(mut value: Value, field: &str) -> Value {
    value.as_object_mut().unwrap().remove(field).expect("the field is in the payload");
    value
}

type Account = sailpoint_v3::types::Account;

#[test]
fn required_fields_are_required_and_nullable_ones_may_be_null_but_not_absent() {
    let account: Account = serde_json::from_value(account_payload()).unwrap();
    assert_eq!(account.native_identity, "CN=Ada");
    assert_eq!(account.name.as_deref(), Some("ada"));

    let missing = serde_json::from_value::<Account>(without(account_payload(), "nativeIdentity")).unwrap_err();
    assert_eq!(missing.to_string(), "missing field `nativeIdentity`");
    let missing = serde_json::from_value::<Account>(without(account_payload(), "hasEntitlements")).unwrap_err();
    assert_eq!(missing.to_string(), "missing field `hasEntitlements`");

    // `name` is required and nullable: `null` is a value, absence is not.
    let mut null_name = account_payload();
    null_name["name"] = Value::Null;
    assert_eq!(serde_json::from_value::<Account>(null_name).unwrap().name, None);
    let missing = serde_json::from_value::<Account>(without(account_payload(), "name")).unwrap_err();
    assert_eq!(missing.to_string(), "missing field `name`");

    // Optional fields may be absent or null.
    let mut optional = account_payload();
    optional["description"] = Value::Null;
    let account: Account = serde_json::from_value(optional).unwrap();
    assert_eq!(account.description, None);
    assert_eq!(account.created, None);
}

#[test]
fn escaped_names_are_read_unknown_ones_skipped_and_a_repeated_one_keeps_its_last_value() {
    let text = account_payload().to_string().replace(r#""nativeIdentity""#, r#""native\u0049dentity""#);
    let text = text.replacen('{', r#"{"sourceName": "first", "aFieldFromTheFuture": {"nested": [1, 2]}, "#, 1);
    // Read from a string (names borrowed) and from a reader (names copied).
    for account in
        [serde_json::from_str::<Account>(&text).unwrap(), serde_json::from_reader::<_, Account>(text.as_bytes()).unwrap()]
    {
        assert_eq!(account.native_identity, "CN=Ada");
        assert_eq!(account.source_name.as_deref(), Some("AD"), "the last `sourceName` wins");
        let written = serde_json::to_value(&account).unwrap();
        assert!(written.get("aFieldFromTheFuture").is_none(), "Account has no map of unknown fields");
    }
    let error = serde_json::from_str::<Account>("[1, 2, 3]").unwrap_err();
    assert!(error.to_string().contains("expected struct Account"), "{error}");
    let error = serde_json::from_str::<Account>(r#"{"nativeIdentity": 7}"#).unwrap_err();
    assert!(error.to_string().contains("invalid type: integer `7`, expected a string"), "{error}");
}

#[test]
fn absent_optional_fields_are_not_written_and_required_nullable_ones_are() {
    let mut payload = account_payload();
    payload["name"] = Value::Null;
    let account: Account = serde_json::from_value(payload.clone()).unwrap();
    let written = serde_json::to_value(&account).unwrap();
    assert_eq!(written, payload, "what was read is written back, no more");
}

#[test]
fn unknown_fields_are_kept_in_the_types_map_and_written_back() {
    use sailpoint_v3::types::AccessCriteria;
    let payload = json!({"name": "no admin and audit", "criteriaList": [], "addedLater": {"a": [1, null]}, "n": 3});
    let criteria: AccessCriteria = serde_json::from_value(payload.clone()).unwrap();
    assert_eq!(criteria.name.as_deref(), Some("no admin and audit"));
    assert_eq!(criteria.extra.len(), 2);
    assert_eq!(criteria.extra["addedLater"], json!({"a": [1, null]}));
    assert_eq!(serde_json::to_value(&criteria).unwrap(), payload);

    let built = AccessCriteria { name: Some("built".into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&built).unwrap(), json!({"name": "built"}));
}

#[test]
fn open_enums_read_and_write_their_values_and_keep_unknown_ones() {
    use sailpoint_v2024::types::SourceFeatureItem;
    let features: Vec<SourceFeatureItem> = serde_json::from_str(r#"["AUTHENTICATE", "QUANTUM", "PROVI\u0053IONING"]"#).unwrap();
    assert_eq!(
        features,
        [SourceFeatureItem::Authenticate, SourceFeatureItem::Unknown("QUANTUM".into()), SourceFeatureItem::Provisioning]
    );
    assert_eq!(serde_json::to_string(&features).unwrap(), r#"["AUTHENTICATE","QUANTUM","PROVISIONING"]"#);
    let from_reader: Vec<SourceFeatureItem> = serde_json::from_reader(&br#"["AUTHENTICATE"]"#[..]).unwrap();
    assert_eq!(from_reader, [SourceFeatureItem::Authenticate]);
    let error = serde_json::from_str::<SourceFeatureItem>("1").unwrap_err();
    assert!(error.to_string().contains("expected a string"), "{error}");
}

#[test]
fn a_defaulted_field_may_be_absent_and_an_empty_one_is_not_written() {
    use sailpoint_v2024::types::ConfigObject;
    let absent: ConfigObject = serde_json::from_value(json!({"version": 2})).unwrap();
    assert!(absent.object.is_empty());
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({"version": 2}));
    let present: ConfigObject = serde_json::from_value(json!({"object": {"name": "x"}, "version": 2})).unwrap();
    assert_eq!(present.object["name"], "x");
    assert_eq!(serde_json::to_value(&present).unwrap(), json!({"object": {"name": "x"}, "version": 2}));
}
