//! Optional fields accept `null`, whatever their kind.
//!
//! SailPoint sends `null` for optional fields the spec does not mark
//! nullable. typify already uses `Option<T>` for most optional properties,
//! but not for arrays and maps (`Vec`/`Map` with `#[serde(default)]`) nor for
//! properties with a `default`; both reject `null`. Optional arrays and maps
//! are made nullable, and defaults of optional properties are dropped (the
//! server applies them; the field becomes an `Option`).

use serde_json::{Value, json};

use super::{Log, for_each_schema, nullable_ref, schema_ref_name};

pub const WHY: &str = "optional arrays, maps and defaulted fields accept null";

fn is_collection(s: &Value) -> bool {
    match s.get("type").and_then(Value::as_str) {
        Some("array") => true,
        // A map: typify renders an object with no properties (with
        // `additionalProperties`, or with nothing, which means any) as a
        // `Map` with `#[serde(default)]`, which refuses `null`.
        Some("object") => {
            let open = s.get("additionalProperties") != Some(&Value::Bool(false));
            let no_props = s.get("properties").and_then(Value::as_object).is_none_or(|p| p.is_empty());
            let composed = ["allOf", "oneOf", "anyOf"].iter().any(|k| s.get(*k).is_some());
            open && no_props && !composed
        }
        _ => false,
    }
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or(json!({}));
    for_each_schema(doc, &mut |s, at| {
        let required: Vec<String> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let Some(props) = s.get_mut("properties").and_then(Value::as_object_mut) else { return };
        for (name, p) in props.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let Some(map) = p.as_object_mut() else { continue };
            if map.remove("default").is_some() {
                log.note("default of an optional property dropped", format!("{at}.{name}"));
            }
            if let Some(target) = schema_ref_name(p).map(str::to_string) {
                if schemas.get(&target).is_some_and(is_collection) {
                    *p = nullable_ref(p.clone());
                    log.note("optional array or map (by reference) made nullable", format!("{at}.{name}"));
                }
            } else if is_collection(p) && p.get("nullable") != Some(&json!(true)) {
                p["nullable"] = json!(true);
                log.note("optional array or map made nullable", format!("{at}.{name}"));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn optional_collections_and_defaults() {
        let mut doc = json!({"components": {"schemas": {
            "List": {"type": "array", "items": {"type": "string"}},
            "T": {"type": "object", "required": ["req"], "properties": {
                "req": {"type": "array", "items": {"type": "string"}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "attrs": {"type": "object", "additionalProperties": {"type": "string"}},
                "connectorAttributes": {"type": "object", "description": "any keys"},
                "list": {"$ref": "#/components/schemas/List"},
                "flag": {"type": "boolean", "default": false}}}}}});
        let log = run_twice(run, &mut doc);
        let p = &doc["components"]["schemas"]["T"]["properties"];
        assert!(p["req"].get("nullable").is_none());
        assert_eq!(p["tags"]["nullable"], true);
        assert_eq!(p["attrs"]["nullable"], true);
        assert_eq!(p["connectorAttributes"]["nullable"], true, "an object with no properties is a map");
        assert_eq!(p["list"], json!({"allOf": [{"$ref": "#/components/schemas/List"}], "nullable": true}));
        assert!(p["flag"].get("default").is_none());
        assert_eq!(log.count(), 5);
    }
}
