//! A required field the schema does not define is optional, of any type.
//!
//! Some upstream schemas list a name under `required` without a property
//! of that name (`CertificationDto` requires `campaignOwner`, which it does
//! not define). typify makes it a required field of any JSON value, so a
//! payload without it (the spec's own example has none) does not decode.
//! This pass defines the property as any JSON value and drops it from
//! `required`: the field is `Option<serde_json::Value>`, present when the
//! API sends it.
//!
//! Only self-contained schemas: with `allOf`, `oneOf` or `anyOf` the name
//! may be a member's.

use serde_json::{Map, Value, json};

use super::{Log, for_each_schema};

pub const WHY: &str = "a required field the schema does not define is optional, of any type";

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        if ["allOf", "oneOf", "anyOf"].iter().any(|k| s.contains_key(*k)) {
            return;
        }
        let Some(Value::Array(required)) = s.get("required") else { return };
        let props = s.get("properties").and_then(Value::as_object);
        let undeclared: Vec<String> = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| !props.is_some_and(|p| p.contains_key(*name)))
            .map(str::to_string)
            .collect();
        if undeclared.is_empty() || props.is_none() {
            return;
        }
        if let Some(Value::Array(required)) = s.get_mut("required") {
            required.retain(|n| n.as_str().is_none_or(|n| !undeclared.iter().any(|u| u == n)));
        }
        if s.get("required").and_then(Value::as_array).is_some_and(Vec::is_empty) {
            s.remove("required");
        }
        let props = s.entry("properties").or_insert_with(|| Value::Object(Map::new()));
        for name in undeclared {
            if let Some(props) = props.as_object_mut() {
                props.insert(name.clone(), json!({"description": "Required by the spec, which does not define it."}));
            }
            log.note("required but undefined: optional, any JSON value", format!("{at}.{name}"));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn an_undefined_required_name_becomes_an_optional_any_value() {
        let mut doc = json!({"components": {"schemas": {
            "Certification": {"type": "object", "required": ["id", "campaignOwner"], "properties": {"id": {"type": "string"}}},
            "OnlyUndefined": {"type": "object", "required": ["x"], "properties": {}},
            "Composed": {"allOf": [{"$ref": "#/components/schemas/Certification"}], "required": ["id"]},
            "Map": {"type": "object", "required": ["k"]}
        }}});
        let log = run_twice(run, &mut doc);
        let s = &doc["components"]["schemas"];
        assert_eq!(s["Certification"]["required"], json!(["id"]));
        assert!(s["Certification"]["properties"]["campaignOwner"].get("type").is_none(), "any JSON value");
        assert!(s["OnlyUndefined"].get("required").is_none());
        assert_eq!(s["Composed"]["required"], json!(["id"]), "a member may define it");
        assert_eq!(s["Map"]["required"], json!(["k"]), "no properties: not a struct this pass knows");
        assert_eq!(log.count(), 2);
    }
}
