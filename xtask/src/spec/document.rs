//! The OpenAPI document model every stage reads: a bundled spec as JSON
//! (`serde_json::Value`), and the walks over it. The passes edit it, the
//! emitters and the test generators read it; none of them defines its own.

use serde_json::{Map, Value};

pub const HTTP_METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `(path, method)` of every operation, in document order.
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for m in HTTP_METHODS {
            if item.get(m).is_some() {
                out.push((path.clone(), m.to_string()));
            }
        }
    }
    out
}

/// The operation object at `(path, method)`.
pub fn operation_mut<'a>(doc: &'a mut Value, path: &str, method: &str) -> &'a mut Map<String, Value> {
    doc["paths"][path][method].as_object_mut().expect("operation is an object")
}

pub fn operation_id(op: &Map<String, Value>) -> String {
    op.get("operationId").and_then(Value::as_str).unwrap_or("<no operationId>").to_string()
}

/// Follows `#/components/...` references to the object they name.
pub fn deref<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(r) = node.get("$ref").and_then(Value::as_str) else { break };
        match component(doc, r) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// The component a `#/components/<kind>/<name>` reference names.
pub fn component<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let (kind, name) = reference.strip_prefix("#/components/")?.split_once('/')?;
    doc.get("components")?.get(kind)?.get(name)
}

/// The name in a `#/components/schemas/<name>` reference.
pub fn schema_ref_name(node: &Value) -> Option<&str> {
    node.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")
}

pub fn schema_ref(name: &str) -> Value {
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// Calls `f(schema, where)` on every schema object that is not a `$ref`:
/// component schemas and the schemas inside parameters, request bodies and
/// responses (components and operations), then their properties, items,
/// map values and `allOf`/`oneOf`/`anyOf` members, parents first.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    fn walk(node: &mut Value, at: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
        let Value::Object(map) = node else { return };
        if map.contains_key("$ref") {
            return;
        }
        f(map, at);
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            for (k, v) in props.iter_mut() {
                walk(v, &format!("{at}.{k}"), f);
            }
        }
        for k in ["items", "not", "additionalProperties"] {
            if let Some(v) = map.get_mut(k) {
                walk(v, &format!("{at}.{k}"), f);
            }
        }
        for k in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(items)) = map.get_mut(k) {
                for (i, v) in items.iter_mut().enumerate() {
                    walk(v, &format!("{at}.{k}[{i}]"), f);
                }
            }
        }
    }
    fn in_carrier(node: &mut Value, at: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
        if let Some(s) = node.get_mut("schema") {
            walk(s, at, f);
        }
        if let Some(Value::Object(content)) = node.get_mut("content") {
            for (_, media) in content.iter_mut() {
                if let Some(s) = media.get_mut("schema") {
                    walk(s, at, f);
                }
            }
        }
    }
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, s) in schemas.iter_mut() {
            walk(s, name, f);
        }
    }
    for kind in ["parameters", "responses", "requestBodies", "headers"] {
        if let Some(Value::Object(items)) = doc.pointer_mut(&format!("/components/{kind}")) {
            for (name, x) in items.iter_mut() {
                in_carrier(x, &format!("#{kind}/{name}"), f);
            }
        }
    }
    for (path, method) in operations(doc) {
        let op = operation_mut(doc, &path, &method);
        let oid = operation_id(op);
        if let Some(Value::Array(ps)) = op.get_mut("parameters") {
            for p in ps {
                in_carrier(p, &format!("{oid}:param"), f);
            }
        }
        if let Some(rb) = op.get_mut("requestBody") {
            in_carrier(rb, &format!("{oid}:body"), f);
        }
        if let Some(Value::Object(rs)) = op.get_mut("responses") {
            for (code, r) in rs.iter_mut() {
                in_carrier(r, &format!("{oid}:{code}"), f);
            }
        }
    }
}

/// Does typify make a named type (struct or enum) of this inline schema?
pub fn makes_named_type(s: &Value) -> bool {
    let Some(map) = s.as_object() else { return false };
    if map.contains_key("$ref") {
        return false;
    }
    let non_empty = |k: &str| map.get(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    let has_props = map.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    let has_enum = map.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().any(|v| !v.is_null()));
    let all_of = map.get("allOf").and_then(Value::as_array);
    let lone_ref = all_of.is_some_and(|a| a.len() == 1 && a[0].get("$ref").is_some());
    has_props || has_enum || non_empty("oneOf") || non_empty("anyOf") || (non_empty("allOf") && !lone_ref)
}

/// Wraps a reference so that it admits `null` (`allOf` keeps the named type).
pub fn nullable_ref(reference: Value) -> Value {
    serde_json::json!({ "allOf": [reference], "nullable": true })
}

/// `/sources/{sourceId}/x` → `/sources/{}/x`.
pub fn erase_variables(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_variable = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_variable = true;
                out.push_str("{}");
            }
            '}' => in_variable = false,
            _ if !in_variable => out.push(c),
            _ => {}
        }
    }
    out
}
