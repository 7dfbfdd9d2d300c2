//! Reading upstream YAML files into JSON values.
//!
//! The specs are YAML 1.2: only `true`/`false` are booleans and dates stay
//! strings. Mapping keys that YAML reads as numbers (response codes such as
//! `200`) become JSON strings; key order is kept.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Number, Value};
use serde_yaml_ng::Value as Yaml;

/// Parses one YAML document into a JSON value.
pub fn parse(text: &str) -> Result<Value> {
    let yaml: Yaml = serde_yaml_ng::from_str(text).context("invalid YAML")?;
    to_json(yaml)
}

fn to_json(yaml: Yaml) -> Result<Value> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => number(&n)?,
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_>>()?),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(key(k)?, to_json(v)?);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => to_json(tagged.value)?,
    })
}

fn number(n: &serde_yaml_ng::Number) -> Result<Value> {
    if let Some(i) = n.as_i64() {
        Ok(Value::Number(i.into()))
    } else if let Some(u) = n.as_u64() {
        Ok(Value::Number(u.into()))
    } else if let Some(f) = n.as_f64().and_then(Number::from_f64) {
        Ok(Value::Number(f))
    } else {
        bail!("number {n} has no JSON form")
    }
}

fn key(k: Yaml) -> Result<String> {
    Ok(match k {
        Yaml::String(s) => s,
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => "null".to_string(),
        other => bail!("unsupported mapping key {other:?}"),
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
}
