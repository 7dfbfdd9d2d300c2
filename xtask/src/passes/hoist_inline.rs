//! Inline types whose typify name is taken become components.
//!
//! typify names an inline type after its place (`Parent+Prop`,
//! `Parent+Item`, `Op+Response`, `Op+Body`, `Op+Param`) and, when a type of
//! that name exists, silently reuses it, or emits a duplicate (E0428). Inline
//! named types whose suggested name equals a component's, or is shared by a
//! structurally different inline type, are hoisted under a free name
//! (`…Enum`/`…Object`/numbered) until nothing collides. Other inline types
//! are left to typify.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::hoist_allof_bases::{free_name, hoist};
use super::{Log, makes_named_type, operation_id, operations};
use crate::names::{norm, pascal};
use crate::spec::pointer::escape;

pub const WHY: &str = "inline types whose generated name is taken become components";

struct Found {
    pointer: String,
    suggested: String,
    schema: Value,
}

fn handle(node: &Value, pointer: String, suggested: String, out: &mut Vec<Found>) {
    if !node.is_object() || node.get("$ref").is_some() {
        return;
    }
    if makes_named_type(node) {
        visit(node, &pointer, &suggested, out);
        out.push(Found { pointer, suggested, schema: node.clone() });
    } else {
        children(node, &pointer, &suggested, out);
    }
}

fn children(node: &Value, pointer: &str, owner: &str, out: &mut Vec<Found>) {
    if let Some(items) = node.get("items") {
        handle(items, format!("{pointer}/items"), format!("{owner}Item"), out);
    }
    if let Some(values) = node.get("additionalProperties").filter(|v| v.is_object()) {
        handle(values, format!("{pointer}/additionalProperties"), format!("{owner}Value"), out);
    }
    for (i, m) in node.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        if m.get("$ref").is_none() && m.is_object() {
            visit(m, &format!("{pointer}/allOf/{i}"), owner, out);
        }
    }
}

fn visit(node: &Value, pointer: &str, owner: &str, out: &mut Vec<Found>) {
    for (prop, s) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
        handle(s, format!("{pointer}/properties/{}", escape(prop)), format!("{owner}{}", pascal(prop)), out);
    }
    children(node, pointer, owner, out);
}

fn scan(doc: &Value) -> Vec<Found> {
    let mut out = Vec::new();
    for (name, s) in doc["components"]["schemas"].as_object().into_iter().flatten() {
        visit(s, &format!("/components/schemas/{}", escape(name)), name, &mut out);
    }
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        let oid = pascal(&operation_id(op.as_object().expect("operation")));
        let base = format!("/paths/{}/{method}", escape(&path));
        for (code, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            for (ct, media) in r.get("content").and_then(Value::as_object).into_iter().flatten() {
                if let Some(s) = media.get("schema") {
                    let p = format!("{base}/responses/{code}/content/{}/schema", escape(ct));
                    handle(s, p, format!("{oid}Response"), &mut out);
                }
            }
        }
        for (ct, media) in op.pointer("/requestBody/content").and_then(Value::as_object).into_iter().flatten() {
            if let Some(s) = media.get("schema") {
                handle(s, format!("{base}/requestBody/content/{}/schema", escape(ct)), format!("{oid}Body"), &mut out);
            }
        }
        for (i, p) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if let (Some(s), Some(name)) = (p.get("schema"), p.get("name").and_then(Value::as_str)) {
                handle(s, format!("{base}/parameters/{i}/schema"), format!("{oid}{}", pascal(name)), &mut out);
            }
        }
    }
    out
}

pub fn run(doc: &mut Value, log: &mut Log) {
    for _round in 0..8 {
        let found = scan(doc);
        let components: HashSet<String> =
            doc["components"]["schemas"].as_object().into_iter().flatten().map(|(k, _)| norm(k)).collect();
        let mut groups: BTreeMap<String, Vec<&Found>> = BTreeMap::new();
        for f in &found {
            groups.entry(norm(&f.suggested)).or_default().push(f);
        }
        let mut todo: Vec<&Found> = Vec::new();
        for (key, fs) in &groups {
            if components.contains(key) {
                todo.extend(fs.iter().copied());
            } else {
                let first = &fs[0].schema;
                if fs.iter().any(|f| f.schema != *first) {
                    todo.extend(fs.iter().skip(1).copied());
                }
            }
        }
        if todo.is_empty() {
            return;
        }
        let mut used: HashSet<String> = components.iter().cloned().chain(groups.keys().cloned()).collect();
        // Deepest first, so a hoisted parent carries its already-hoisted children.
        todo.sort_by_key(|f| std::cmp::Reverse(f.pointer.matches('/').count()));
        for f in todo {
            let name = free_name(&f.suggested, &f.schema, &mut used, true);
            let Some(current) = doc.pointer(&f.pointer).cloned() else { continue };
            let reference = hoist(doc, &name, current);
            if let Some(slot) = doc.pointer_mut(&f.pointer) {
                *slot = reference;
            }
            log.note("inline type with a taken name hoisted", format!("{} -> {name}", f.suggested));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn hoists_colliding_inline_types() {
        let mut doc = json!({"components": {"schemas": {
            "TStatus": {"type": "integer"},
            "T": {"type": "object", "properties": {"status": {"type": "string", "enum": ["A"]}}},
            "U": {"type": "object", "properties": {"x": {"type": "object", "properties": {"a": {"type": "string"}}}}},
            "UX": {"type": "string"}}},
            "paths": {}});
        let log = run_twice(run, &mut doc);
        let s = &doc["components"]["schemas"];
        assert_eq!(s["T"]["properties"]["status"]["$ref"], "#/components/schemas/TStatusEnum");
        assert_eq!(s["U"]["properties"]["x"]["$ref"], "#/components/schemas/UXObject");
        assert_eq!(log.count(), 2);
    }
}
