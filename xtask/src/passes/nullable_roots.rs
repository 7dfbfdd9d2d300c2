//! Nullable components become non-nullable; their uses admit `null`.
//!
//! typify turns a nullable component into `struct X(Option<XInner>)`, an
//! awkward type that (with other passes' names) also collides. The component
//! loses `nullable`, and the places that must still admit `null` (required
//! properties, array items, map values, `oneOf`/`anyOf` members, bodies and
//! parameters) reference it as `{allOf: [$ref], nullable: true}`. Optional
//! properties are `Option` already.

use serde_json::{Map, Value, json};

use super::{Log, nullable_ref, operations, schema_ref_name};

pub const WHY: &str = "nullable components become plain types; the uses that need null are wrapped";

/// Visits every schema slot below `node`; `needs` says whether the slot must
/// admit null on its own (it is not an optional property).
fn slots(node: &mut Value, needs: bool, at: &str, roots: &[String], log: &mut Log) {
    if let Some(name) = schema_ref_name(node) {
        if needs && roots.iter().any(|r| r == name) {
            *node = nullable_ref(node.clone());
            log.note("use of a nullable component wrapped as nullable", at);
        }
        return;
    }
    let Some(map) = node.as_object_mut() else { return };
    let required: Vec<Value> = map.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (k, v) in props.iter_mut() {
            slots(v, required.contains(&json!(k)), &format!("{at}.{k}"), roots, log);
        }
    }
    for k in ["items", "not", "additionalProperties"] {
        if let Some(v) = map.get_mut(k) {
            slots(v, true, &format!("{at}.{k}"), roots, log);
        }
    }
    for k in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(items)) = map.get_mut(k) {
            // an allOf member is merged into its parent: it need not admit null itself
            for (i, v) in items.iter_mut().enumerate() {
                slots(v, k != "allOf", &format!("{at}.{k}[{i}]"), roots, log);
            }
        }
    }
}

fn carrier(node: &mut Value, needs: bool, at: &str, roots: &[String], log: &mut Log) {
    if let Some(s) = node.get_mut("schema") {
        slots(s, needs, at, roots, log);
    }
    if let Some(Value::Object(content)) = node.get_mut("content") {
        for (_, media) in content.iter_mut() {
            if let Some(s) = media.get_mut("schema") {
                slots(s, true, at, roots, log);
            }
        }
    }
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let mut roots = Vec::new();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, s) in schemas.iter_mut() {
            let Some(map) = s.as_object_mut() else { continue };
            if map.remove("nullable") == Some(json!(true)) {
                if let Some(Value::Array(values)) = map.get_mut("enum") {
                    values.retain(|v| !v.is_null());
                }
                log.note("nullable component made non-nullable", name.clone());
                roots.push(name.clone());
            }
        }
    }
    // Uses are wrapped only in the run that un-nulls the component; a second
    // run finds no nullable root and so changes nothing.
    if roots.is_empty() {
        return;
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, s) in schemas.iter_mut() {
            slots_root(s, name, &roots, log);
        }
    }
    for kind in ["parameters", "responses", "requestBodies", "headers"] {
        if let Some(Value::Object(items)) = doc.pointer_mut(&format!("/components/{kind}")) {
            for (name, x) in items.iter_mut() {
                let needs = x.get("required") == Some(&json!(true)) || kind != "parameters";
                carrier(x, needs, &format!("#{kind}/{name}"), &roots, log);
            }
        }
    }
    for (path, method) in operations(doc) {
        let op = super::operation_mut(doc, &path, &method);
        let oid = super::operation_id(op);
        visit_operation(op, &oid, &roots, log);
    }
    // An event trigger's payload and answer are uses too (a dynamic
    // approver's answer may be null).
    if let Some(Value::Object(webhooks)) = doc.get_mut("x-webhooks") {
        for (name, item) in webhooks.iter_mut() {
            if let Some(Value::Object(post)) = item.get_mut("post") {
                visit_operation(post, name, &roots, log);
            }
        }
    }
}

/// A component's own top level is not a use; its children are.
fn slots_root(node: &mut Value, at: &str, roots: &[String], log: &mut Log) {
    if node.get("$ref").is_some() {
        return;
    }
    slots(node, false, at, roots, log);
}

fn visit_operation(op: &mut Map<String, Value>, oid: &str, roots: &[String], log: &mut Log) {
    if let Some(Value::Array(ps)) = op.get_mut("parameters") {
        for p in ps {
            let needs = p.get("required") == Some(&json!(true));
            carrier(p, needs, &format!("{oid}:param"), roots, log);
        }
    }
    if let Some(rb) = op.get_mut("requestBody") {
        carrier(rb, true, &format!("{oid}:body"), roots, log);
    }
    if let Some(Value::Object(rs)) = op.get_mut("responses") {
        for (code, r) in rs.iter_mut() {
            carrier(r, true, &format!("{oid}:{code}"), roots, log);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn unwraps_root_and_wraps_uses() {
        let mut doc = json!({"components": {"schemas": {
            "N": {"type": "string", "enum": ["A", null], "nullable": true},
            "T": {"type": "object", "required": ["a"], "properties": {
                "a": {"$ref": "#/components/schemas/N"},
                "b": {"$ref": "#/components/schemas/N"},
                "c": {"type": "array", "items": {"$ref": "#/components/schemas/N"}}}}}},
            "paths": {},
            "x-webhooks": {"Dynamic": {"post": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/N"}}}}}}}}});
        let log = run_twice(run, &mut doc);
        let s = &doc["components"]["schemas"];
        assert_eq!(s["N"], json!({"type": "string", "enum": ["A"]}));
        assert_eq!(s["T"]["properties"]["a"]["nullable"], true);
        assert_eq!(s["T"]["properties"]["b"], json!({"$ref": "#/components/schemas/N"}));
        assert_eq!(s["T"]["properties"]["c"]["items"]["nullable"], true);
        let answer = &doc["x-webhooks"]["Dynamic"]["post"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(answer["nullable"], true, "a trigger's answer is a use");
        assert_eq!(log.count(), 4);
    }
}
