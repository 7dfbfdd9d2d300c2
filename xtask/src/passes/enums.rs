//! Enum values typify can turn into variants.
//!
//! typify rejects a duplicate value and a non-string value in a string enum
//! (the v2024 locale enum holds `false`, a YAML 1.1 reading of Norwegian
//! `no`). Duplicates and non-string values are dropped (unknown values still
//! decode: see the open-enums pass); `null` in an enum makes it nullable.

use serde_json::{Value, json};

use super::{Log, for_each_schema};

pub const WHY: &str = "enum values typify accepts: no duplicates, only strings in string enums";

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        let Some(values) = s.get("enum").and_then(Value::as_array).cloned() else { return };
        let string_enum = s.get("type").and_then(Value::as_str) == Some("string");
        let mut kept: Vec<Value> = Vec::new();
        for v in values.iter() {
            if v.is_null() {
                if s.get("nullable") != Some(&json!(true)) {
                    s.insert("nullable".into(), json!(true));
                    log.note("null in an enum: enum made nullable", at);
                }
            } else if string_enum && !v.is_string() {
                log.note("non-string value in a string enum dropped", format!("{at}: {v}"));
                continue;
            } else if kept.contains(v) {
                log.note("duplicate enum value dropped", format!("{at}: {v}"));
                continue;
            }
            kept.push(v.clone());
        }
        if kept != values {
            s.insert("enum".into(), Value::Array(kept));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn drops_bad_values() {
        let mut doc = json!({"components": {"schemas": {"Locale": {"type": "string", "enum": ["en", false, "de", "en", null]}}}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["components"]["schemas"]["Locale"]["enum"], json!(["en", "de", null]));
        assert_eq!(doc["components"]["schemas"]["Locale"]["nullable"], true);
        assert_eq!(log.count(), 3);
    }
}
