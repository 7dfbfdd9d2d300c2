//! Arbitrary bytes and arbitrary JSON fed to the error and response
//! decoders: errors, never a panic.

use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use sailpoint_runtime::{Error, decode_json};
use serde_json::Value;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![Just("detailCode"), Just("messages"), Just("features"), Just("AUTHENTICATE")].prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        let keys = prop_oneof![
            Just("id".to_string()), Just("name".to_string()), Just("features".to_string()),
            Just("messages".to_string()), Just("detailCode".to_string()), Just("created".to_string()),
            Just("owner".to_string()), Just("connectorAttributes".to_string()), ".{0,6}".prop_map(String::from),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn exercise(bytes: &[u8], status: u16) {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let e = Error::from_response_parts(status, &HeaderMap::new(), bytes);
    let _ = (e.to_string(), format!("{e:?}"));
    let _ = decode_json::<sailpoint_v2024::types::Source>(bytes);
    let _ = decode_json::<Vec<sailpoint_v3::types::Account>>(bytes);
    let _ = decode_json::<sailpoint_beta::types::IscErrorResponse>(bytes);
    let _ = decode_json::<sailpoint_v2024::types::SourceFeatureItem>(bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        exercise(&bytes, status);
    }

    #[test]
    fn arbitrary_json(value in json(), status in 100u16..600) {
        exercise(&serde_json::to_vec(&value).unwrap(), status);
    }
}
