//! Arbitrary bytes and arbitrary JSON fed to the error and response
//! decoders, small (512 bytes) and large (up to 1 MiB: long arrays, deep
//! nesting, long strings): errors, never a panic.

use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use sailpoint_runtime::Error;
use sailpoint_runtime::glue::decode_json;
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
            Just("id".to_string()),
            Just("name".to_string()),
            Just("features".to_string()),
            Just("messages".to_string()),
            Just("detailCode".to_string()),
            Just("created".to_string()),
            Just("owner".to_string()),
            Just("connectorAttributes".to_string()),
            ".{0,6}".prop_map(String::from),
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
    let _ = decode_json::<sailpoint_v3::types::IscErrorResponse>(bytes);
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

/// Up to 1 MiB.
const MIB: usize = 1 << 20;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn arbitrary_bytes_up_to_a_mebibyte(bytes in prop::collection::vec(any::<u8>(), 0..MIB), status in 100u16..600) {
        exercise(&bytes, status);
    }

    /// A JSON value repeated into an array of up to 1 MiB, whole or cut anywhere.
    #[test]
    fn long_json_whole_or_cut(value in json(), copies in 1usize..50_000, cut in any::<prop::sample::Index>(), status in 100u16..600) {
        let mut bytes = serde_json::to_vec(&Value::Array(vec![value; copies])).unwrap();
        bytes.truncate(MIB);
        exercise(&bytes, status);
        let at = cut.index(bytes.len() + 1);
        exercise(&bytes[..at], status);
    }

    /// Nesting far past serde_json's recursion limit, and long strings.
    #[test]
    fn deep_nesting_and_long_strings(depth in 1usize..(MIB / 2), open in prop_oneof![Just(b'['), Just(b'{')], len in 0usize..MIB) {
        let mut deep = vec![open; depth];
        if open == b'{' {
            deep = b"{\"a\":".repeat(depth / 5 + 1);
        }
        exercise(&deep, 500);
        let long = format!("{{\"message\": \"{}\", \"detailCode\": \"x\"}}", "m".repeat(len));
        exercise(long.as_bytes(), 400);
        exercise(format!("[{{\"id\": \"{}\"}}]", "é".repeat(len / 2)).as_bytes(), 200);
    }
}
