//! A JSON Patch operation's `value` is any JSON value.
//!
//! RFC 6902 lets `value` be any JSON value. SailPoint's specs declare it as
//! a `oneOf` of string, boolean, integer, object and an array of strings,
//! integers and objects, so that typify's enum cannot hold a float, a
//! `null` or an array of booleans, all of which the API takes. The `value`
//! of every schema shaped like a patch operation (an `op` enum with `add`
//! and `replace`, a `path`, a `value`) becomes `{}`, which typify renders
//! as `serde_json::Value`; its description is kept.

use serde_json::{Map, Value};

use super::{Log, for_each_schema};

pub const WHY: &str = "a JSON Patch operation's value is any JSON value (RFC 6902), not the spec's narrower oneOf";

fn is_patch_operation(s: &Map<String, Value>) -> bool {
    let Some(props) = s.get("properties").and_then(Value::as_object) else { return false };
    let ops: Vec<&str> = props
        .get("op")
        .and_then(|o| o.get("enum"))
        .and_then(Value::as_array)
        .map(|e| e.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    ops.contains(&"add") && ops.contains(&"replace") && props.contains_key("path") && props.contains_key("value")
}

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        if !is_patch_operation(s) {
            return;
        }
        let Some(value) = s.get_mut("properties").and_then(|p| p.get_mut("value")) else { return };
        let any = match value.get("description") {
            Some(d) => serde_json::json!({"description": d}),
            None => serde_json::json!({}),
        };
        if *value != any {
            *value = any;
            log.note("value made any JSON value", format!("{at}.value"));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn patch_values_take_any_json() {
        let mut doc = json!({"components": {"schemas": {
            "JsonPatchOperation": {"type": "object", "required": ["op", "path"], "properties": {
                "op": {"type": "string", "enum": ["add", "remove", "replace"]},
                "path": {"type": "string"},
                "value": {"description": "The value", "oneOf": [{"type": "string"}, {"type": "integer"}]}}},
            "NotAPatch": {"type": "object", "properties": {
                "op": {"type": "string", "enum": ["start"]}, "path": {"type": "string"}, "value": {"type": "string"}}}}}});
        let log = run_twice(run, &mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["JsonPatchOperation"]["properties"]["value"], json!({"description": "The value"}));
        assert_eq!(schemas["NotAPatch"]["properties"]["value"], json!({"type": "string"}));
        assert_eq!(log.count(), 1);
    }
}
