//! Inline types of `allOf` bases become components.
//!
//! typify merges `allOf` by copying the members' properties into the child;
//! an inline enum or object property of a base is then re-created for every
//! child as `Child+Prop`, a duplicate that may also collide with a component
//! (`SpConfigExportJob.status` vs the component `SpConfigExportJobStatus`).
//! Such properties of every schema used as an `allOf` member are hoisted to
//! `components/schemas` as `Base+Prop` (suffixed when taken), so all children
//! share one type.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use super::{Log, makes_named_type, nullable_ref, schema_ref, schema_ref_name};
use crate::names::{norm, pascal};

pub const WHY: &str = "inline enum/object properties of allOf bases become shared components";

fn find_bases(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            for m in map.get("allOf").and_then(Value::as_array).into_iter().flatten() {
                if let Some(name) = schema_ref_name(m) {
                    out.insert(name.to_string());
                }
            }
            for (k, v) in map {
                if !matches!(k.as_str(), "example" | "examples" | "default" | "enum") {
                    find_bases(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| find_bases(v, out)),
        _ => {}
    }
}

/// A free component name for `base` (`…Enum`/`…Object`, then numbered).
pub fn free_name(base: &str, schema: &Value, used: &mut HashSet<String>, suffix_first: bool) -> String {
    let suffix = if schema.get("enum").is_some() { "Enum" } else { "Object" };
    let mut name = if suffix_first { format!("{base}{suffix}") } else { base.to_string() };
    if used.contains(&norm(&name)) {
        name = format!("{base}{suffix}");
    }
    let stem = name.clone();
    let mut i = 2;
    while used.contains(&norm(&name)) {
        name = format!("{stem}{i}");
        i += 1;
    }
    used.insert(norm(&name));
    name
}

/// Moves `schema` to a new component; returns the reference that replaces it.
pub fn hoist(doc: &mut Value, name: &str, mut schema: Value) -> Value {
    let nullable = schema.as_object_mut().and_then(|m| m.remove("nullable")) == Some(json!(true));
    if nullable && let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    doc["components"]["schemas"][name] = schema;
    if nullable { nullable_ref(schema_ref(name)) } else { schema_ref(name) }
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let mut bases = BTreeSet::new();
    find_bases(&doc["components"]["schemas"], &mut bases);
    find_bases(&doc["paths"], &mut bases);
    let mut used: HashSet<String> =
        doc["components"]["schemas"].as_object().into_iter().flatten().map(|(k, _)| norm(k)).collect();
    for base in bases {
        let Some(schema) = doc["components"]["schemas"].get(&base).cloned() else { continue };
        // The base itself, and its inline allOf members, hold properties.
        let mut holders: Vec<String> = vec![String::new()];
        for (i, m) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if m.get("$ref").is_none() {
                holders.push(format!("/allOf/{i}"));
            }
        }
        for holder in holders {
            let pointer = format!("/components/schemas/{}{holder}/properties", crate::spec::pointer::escape(&base));
            let props: Vec<(String, Value)> = doc
                .pointer(&pointer)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (prop, s) in props {
                if !makes_named_type(&s) {
                    continue;
                }
                let name = free_name(&format!("{base}{}", pascal(&prop)), &s, &mut used, false);
                let reference = hoist(doc, &name, s);
                if let Some(slot) = doc.pointer_mut(&pointer).and_then(|p| p.get_mut(&prop)) {
                    *slot = reference;
                }
                log.note("inline property of an allOf base hoisted", format!("{base}.{prop} -> {name}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn hoists_base_properties() {
        let mut doc = json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"status": {"type": "string", "enum": ["A", "B"]}, "n": {"type": "string"}}},
            "BaseStatus": {"type": "integer"},
            "Child": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object"}]}}},
            "paths": {}});
        let log = run_twice(run, &mut doc);
        let s = &doc["components"]["schemas"];
        assert_eq!(s["Base"]["properties"]["status"], json!({"$ref": "#/components/schemas/BaseStatusEnum"}));
        assert_eq!(s["BaseStatusEnum"]["enum"], json!(["A", "B"]));
        assert_eq!(log.count(), 1);
    }
}
