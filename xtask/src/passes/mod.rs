//! Normalization passes: what progenitor and typify need, and what makes the
//! generated types decode what the API really sends.
//!
//! Each pass is one module with a `run(doc, log)` function. Passes are
//! ordered, idempotent (a second run changes nothing) and record what they
//! changed in a [`Log`], which becomes `openapi/<version>.normalization.md`.
//! Facts that the runtime needs (a JSON Patch body, an experimental header)
//! are kept on the operation as `x-sailpoint-*` extensions, which the
//! metadata emitter reads.

use serde_json::{Map, Value};

pub mod defaults;
pub mod doc_fences;
pub mod enums;
pub mod error_responses;
pub mod experimental_header;
pub mod experimental_overlay;
pub mod field_clash;
pub mod hoist_allof_bases;
pub mod hoist_inline;
pub mod json_patch_values;
pub mod lenient_date_times;
pub mod nullable_roots;
pub mod opaque_ids;
pub mod operation_ids;
pub mod optional_nulls;
pub mod path_params;
pub mod read_only_posts;
pub mod request_bodies;
pub mod required_nullables;
pub mod response_no_schema;
pub mod round_trip_fields;
pub mod search_after;
pub mod shared_enums;
pub mod success_responses;
pub mod titles;
pub mod unexpressible_schemas;
pub mod unknown_fields;
pub mod version_drift;

/// One normalization pass.
pub struct Pass {
    pub name: &'static str,
    pub why: &'static str,
    pub run: fn(&mut Value, &mut Log),
}

/// The passes, in the order they run. One runs before them, with the other
/// versions as input, [`version_drift`]; two after them: one with our
/// overlay as input, [`experimental_overlay`], and one driven by the
/// generator, [`unexpressible_schemas`].
pub const PASSES: &[Pass] = &[
    Pass { name: "operation-ids", why: operation_ids::WHY, run: operation_ids::run },
    Pass { name: "path-params", why: path_params::WHY, run: path_params::run },
    Pass { name: "experimental-header", why: experimental_header::WHY, run: experimental_header::run },
    Pass { name: "request-bodies", why: request_bodies::WHY, run: request_bodies::run },
    Pass { name: "search-after", why: search_after::WHY, run: search_after::run },
    Pass { name: "read-only-posts", why: read_only_posts::WHY, run: read_only_posts::run },
    Pass { name: "response-no-schema", why: response_no_schema::WHY, run: response_no_schema::run },
    Pass { name: "success-responses", why: success_responses::WHY, run: success_responses::run },
    Pass { name: "error-responses", why: error_responses::WHY, run: error_responses::run },
    Pass { name: "enums", why: enums::WHY, run: enums::run },
    Pass { name: "shared-enums", why: shared_enums::WHY, run: shared_enums::run },
    Pass { name: "defaults", why: defaults::WHY, run: defaults::run },
    Pass { name: "titles", why: titles::WHY, run: titles::run },
    Pass { name: "opaque-ids", why: opaque_ids::WHY, run: opaque_ids::run },
    Pass { name: "lenient-date-times", why: lenient_date_times::WHY, run: lenient_date_times::run },
    Pass { name: "unknown-fields", why: unknown_fields::WHY, run: unknown_fields::run },
    Pass { name: "required-nullables", why: required_nullables::WHY, run: required_nullables::run },
    Pass { name: "optional-nulls", why: optional_nulls::WHY, run: optional_nulls::run },
    Pass { name: "nullable-roots", why: nullable_roots::WHY, run: nullable_roots::run },
    Pass { name: "json-patch-values", why: json_patch_values::WHY, run: json_patch_values::run },
    Pass { name: "hoist-allof-bases", why: hoist_allof_bases::WHY, run: hoist_allof_bases::run },
    Pass { name: "hoist-inline", why: hoist_inline::WHY, run: hoist_inline::run },
    Pass { name: "field-clash", why: field_clash::WHY, run: field_clash::run },
    Pass { name: "round-trip-fields", why: round_trip_fields::WHY, run: round_trip_fields::run },
    Pass { name: "doc-fences", why: doc_fences::WHY, run: doc_fences::run },
];

/// What one pass changed: for each kind of change, where.
#[derive(Default, Debug)]
pub struct Log {
    pub changes: Vec<(String, Vec<String>)>,
}

impl Log {
    /// Records one change of kind `what` at `at` (an operation id or a schema path).
    pub fn note(&mut self, what: &str, at: impl Into<String>) {
        let at = at.into();
        match self.changes.iter_mut().find(|(w, _)| w == what) {
            Some((_, places)) => places.push(at),
            None => self.changes.push((what.to_string(), vec![at])),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.changes.iter().map(|(_, p)| p.len()).sum()
    }
}

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

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Runs a pass twice: returns the log of the first run, and checks that
    /// the second run changes nothing (idempotence).
    pub fn run_twice(pass: fn(&mut Value, &mut Log), doc: &mut Value) -> Log {
        let mut log = Log::default();
        pass(doc, &mut log);
        let once = doc.clone();
        let mut again = Log::default();
        pass(doc, &mut again);
        assert_eq!(*doc, once, "second run changed the document");
        assert!(again.is_empty(), "second run logged changes: {again:?}");
        log
    }
}
