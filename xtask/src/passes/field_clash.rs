//! No two properties of a type become the same Rust field.
//!
//! typify spells `_type` and `type` both `type_`: a duplicate field. The
//! search documents carry both (`_type` is the index's copy of the kind).
//! Of two clashing properties, the one with a leading underscore (else the
//! first by name) is removed where the schema itself defines it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Log, deref, for_each_schema};
use crate::names::method_name;

pub const WHY: &str = "no two properties of one type map to the same Rust field name";

fn inherited(doc: &Value, s: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    let s = deref(doc, s);
    for m in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        inherited(doc, m, out, depth + 1);
    }
    out.extend(s.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.clone()));
}

fn remove_from(map: &mut Map<String, Value>, prop: &str) -> bool {
    let removed = map.get_mut("properties").and_then(Value::as_object_mut).and_then(|p| p.remove(prop)).is_some();
    if removed && let Some(Value::Array(req)) = map.get_mut("required") {
        req.retain(|r| r != prop);
    }
    removed
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let snapshot = doc.clone();
    for_each_schema(doc, &mut |s, at| {
        let mut all = Vec::new();
        for m in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            inherited(&snapshot, m, &mut all, 0);
        }
        all.extend(s.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.clone()));
        let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in all {
            let names = by_field.entry(method_name(&p)).or_default();
            if !names.contains(&p) {
                names.push(p);
            }
        }
        for (field, mut names) in by_field {
            if names.len() < 2 {
                continue;
            }
            names.sort_by_key(|n| (!n.starts_with('_'), n.clone()));
            let drop = names[0].clone();
            let mut removed = remove_from(s, &drop);
            if let Some(Value::Array(members)) = s.get_mut("allOf") {
                for m in members.iter_mut().filter(|m| m.get("$ref").is_none()) {
                    if let Some(map) = m.as_object_mut() {
                        removed |= remove_from(map, &drop);
                    }
                }
            }
            if removed {
                log.note("clashing property removed", format!("{at}.{drop} (same field `{field}` as {})", names[1..].join(", ")));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn drops_underscored_twin() {
        let mut doc = json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"type": {"type": "string"}}},
            "Doc": {"allOf": [{"$ref": "#/components/schemas/Base"},
                {"type": "object", "required": ["_type"], "properties": {"_type": {"type": "string"}, "x": {"type": "string"}}}]}}},
            "paths": {}});
        let log = run_twice(run, &mut doc);
        let member = &doc["components"]["schemas"]["Doc"]["allOf"][1];
        assert!(member["properties"].get("_type").is_none());
        assert_eq!(member["required"], json!([]));
        assert_eq!(log.count(), 1);
    }
}
