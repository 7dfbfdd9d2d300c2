//! Reading upstream YAML files into JSON values.
//!
//! The specs are YAML 1.2: only `true`/`false` are booleans and dates stay
//! strings. Mapping keys that YAML reads as numbers (response codes such as
//! `200`) become JSON strings; key order is kept.

use anyhow::{Context, Result};
use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses one YAML document into a JSON value.
pub fn parse(text: &str) -> Result<Value> {
    let node: Node = serde_yaml_ng::from_str(text).context("invalid YAML")?;
    Ok(node.0)
}

/// A YAML node read straight into JSON. An integer wider than 64 bits (an
/// example value such as `12345678901234567890123456789012`) becomes the
/// nearest floating-point number, where a YAML value type would refuse
/// the whole file; a tagged node (`!Tag value`) is its value.
struct Node(Value);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor).map(Node)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_i128<E: de::Error>(self, n: i128) -> Result<Value, E> {
        float(n as f64)
    }
    fn visit_u128<E: de::Error>(self, n: u128) -> Result<Value, E> {
        float(n as f64)
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        float(n)
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Node(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some((Node(k), Node(v))) = map.next_entry()? {
            out.insert(key(k).map_err(de::Error::custom)?, v);
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant::<Node>().map(|n| n.0)
    }
}

fn float<E: de::Error>(n: f64) -> Result<Value, E> {
    Number::from_f64(n).map(Value::Number).ok_or_else(|| E::custom(format!("number {n} has no JSON form")))
}

/// A mapping key as JSON has it: a string (a number, a boolean or null in
/// its YAML spelling: response codes such as `200`).
fn key(k: Value) -> Result<String, String> {
    Ok(match k {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        other => return Err(format!("unsupported mapping key {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_2_scalars_and_numeric_keys() {
        let v = parse("a: no\nb: yes\nc: true\nd: 2024-01-02\n200:\n  x: 1.5\n").unwrap();
        assert_eq!(v, json!({"a": "no", "b": "yes", "c": true, "d": "2024-01-02", "200": {"x": 1.5}}));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["a", "b", "c", "d", "200"]);
    }

    #[test]
    fn a_number_too_wide_for_64_bits_does_not_refuse_the_file() {
        let v = parse("example: 12345678901234567890123456789012\nsmall: -3\ntagged: !Thing 4\n").unwrap();
        assert_eq!(v["example"].as_f64(), Some(12345678901234567890123456789012.0));
        assert_eq!(v["small"], json!(-3));
        assert_eq!(v["tagged"], json!(4));
    }
}
