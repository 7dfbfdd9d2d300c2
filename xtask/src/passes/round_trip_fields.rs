//! A value read, changed and sent back keeps the fields this SDK does not
//! know.
//!
//! A PUT replaces the whole object. A caller who GETs a source, changes its
//! description and PUTs it back sends only the fields the generated type
//! knows; a field SailPoint added after the pin is missing from the PUT,
//! and the server resets it. SailPoint adds fields often (its versioning
//! policy calls that non-breaking).
//!
//! This pass marks every object schema a PUT body reaches (the body's
//! schema and every schema nested in it, through properties, items, maps
//! and `allOf`) with `additionalProperties: {}` (any value), so that
//! typify gives its struct an `extra` map (`#[serde(flatten)]`, a
//! `serde_json::Map`) that holds every field the type does not name, and
//! writes them back unchanged. (typify ignores `additionalProperties: true`,
//! so a struct that says `true` gets `{}` too.)
//!
//! The payloads and answers of event triggers (`x-webhooks`) are marked the
//! same way: an event keeps the fields SailPoint adds, and a receiver can
//! hand them on.
//!
//! Only those types: a flattened map makes decoding buffer each object
//! first, which listings of other types need not pay. Left alone:
//! - schemas that already say what `additionalProperties` is, other than
//!   `true`;
//! - schemas without `properties` (not a struct);
//! - members of a `oneOf` or `anyOf`: an untagged enum tries its variants
//!   in order, and a variant that takes any field would match every object.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{Log, operations, schema_ref_name};
use crate::spec::pointer::escape;

pub const WHY: &str =
    "keep unknown fields in the types a PUT sends (read-modify-write loses nothing) and in event trigger payloads";

/// Where an `x-webhooks` entry names its payload and its answer.
const WEBHOOK_SCHEMAS: [&str; 2] =
    ["/post/requestBody/content/application~1json/schema", "/post/responses/200/content/application~1json/schema"];

pub fn run(doc: &mut Value, log: &mut Log) {
    let variants = union_members(doc);
    let mut reached = BTreeSet::new();
    let mut inline_bodies = Vec::new();
    for (path, method) in operations(doc) {
        if method != "put" {
            continue;
        }
        let Some(content) = doc["paths"][&path][&method].pointer("/requestBody/content").and_then(Value::as_object) else {
            continue;
        };
        for (media, body) in content {
            if !media.starts_with("application/json") {
                continue;
            }
            if let Some(schema) = body.get("schema") {
                collect(doc, schema, &mut reached);
                inline_bodies.push((path.clone(), media.clone()));
            }
        }
    }
    for item in doc.get("x-webhooks").and_then(Value::as_object).into_iter().flatten().map(|(_, item)| item) {
        for schema in WEBHOOK_SCHEMAS.iter().filter_map(|p| item.pointer(p)) {
            collect(doc, schema, &mut reached);
        }
    }
    for name in &reached {
        if variants.contains(name) {
            continue;
        }
        if let Some(Value::Object(schema)) = doc.pointer_mut(&format!("/components/schemas/{}", escape(name))) {
            open(schema, name, log);
        }
    }
    for (path, media) in inline_bodies {
        let pointer = format!("/paths/{}/put/requestBody/content/{}/schema", escape(&path), escape(&media));
        if let Some(Value::Object(schema)) = doc.pointer_mut(&pointer)
            && !schema.contains_key("$ref")
        {
            open(schema, &format!("PUT {path}"), log);
        }
    }
}

/// `additionalProperties: {}` on `schema` and on the inline objects
/// nested in it, where it is a struct that says nothing of other fields.
fn open(schema: &mut Map<String, Value>, at: &str, log: &mut Log) {
    if schema.contains_key("properties") {
        match schema.get("additionalProperties") {
            None => {
                schema.insert("additionalProperties".into(), Value::Object(Map::new()));
                log.note("additionalProperties: {} (unknown fields kept)", at);
            }
            Some(Value::Bool(true)) => {
                schema.insert("additionalProperties".into(), Value::Object(Map::new()));
                log.note("additionalProperties: true becomes {} (typify ignores true; unknown fields kept)", at);
            }
            Some(_) => {}
        }
    }
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for (k, v) in props.iter_mut() {
            if let Value::Object(inner) = v
                && !inner.contains_key("$ref")
            {
                open(inner, &format!("{at}.{k}"), log);
            }
        }
    }
    if let Some(Value::Object(inner)) = schema.get_mut("items")
        && !inner.contains_key("$ref")
    {
        open(inner, &format!("{at}[]"), log);
    }
    if let Some(Value::Array(members)) = schema.get_mut("allOf") {
        for (i, m) in members.iter_mut().enumerate() {
            if let Value::Object(inner) = m
                && !inner.contains_key("$ref")
            {
                open(inner, &format!("{at}.allOf[{i}]"), log);
            }
        }
    }
}

/// The component schemas `schema` reaches, itself included when it is a
/// reference.
fn collect(doc: &Value, schema: &Value, reached: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = schema_ref_name(schema) {
                if reached.insert(name.to_string())
                    && let Some(target) = doc.pointer(&format!("/components/schemas/{}", escape(name)))
                {
                    collect(doc, target, reached);
                }
                return;
            }
            for (k, v) in map {
                match k.as_str() {
                    "properties" => v.as_object().into_iter().flatten().for_each(|(_, p)| collect(doc, p, reached)),
                    "items" | "additionalProperties" | "allOf" | "oneOf" | "anyOf" => collect(doc, v, reached),
                    _ => {}
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(doc, i, reached)),
        _ => {}
    }
}

/// The component schemas named as a member of some `oneOf` or `anyOf`.
fn union_members(doc: &Value) -> BTreeSet<String> {
    fn walk(node: &Value, out: &mut BTreeSet<String>) {
        match node {
            Value::Object(map) => {
                for (k, v) in map {
                    if (k == "oneOf" || k == "anyOf")
                        && let Value::Array(members) = v
                    {
                        out.extend(members.iter().filter_map(schema_ref_name).map(str::to_string));
                    }
                    walk(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(doc, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn opens_what_a_put_body_reaches_and_nothing_else() {
        let mut doc = json!({
            "paths": {
                "/sources/{id}": {
                    "put": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Source"}}}}},
                    "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Listed"}}}}}}
                },
                "/things": {
                    "put": {"requestBody": {"content": {"application/json": {"schema": {
                        "type": "object", "properties": {"a": {"type": "string"}}}}}}}
                }
            },
            "components": {"schemas": {
                "Source": {"type": "object", "properties": {
                    "owner": {"$ref": "#/components/schemas/Owner"},
                    "schemas": {"type": "array", "items": {"$ref": "#/components/schemas/Ref"}},
                    "inline": {"type": "object", "properties": {"x": {"type": "string"}}},
                    "either": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}
                }},
                "Owner": {"allOf": [{"$ref": "#/components/schemas/Ref"}, {"type": "object", "properties": {"kind": {"type": "string"}}}]},
                "Ref": {"type": "object", "properties": {"id": {"type": "string"}}},
                "A": {"type": "object", "properties": {"a": {"type": "string"}}},
                "B": {"type": "object", "properties": {"b": {"type": "string"}}},
                "Closed": {"type": "object", "properties": {"c": {"type": "string"}}},
                "Listed": {"type": "object", "properties": {"l": {"type": "string"}}}
            }}
        });
        doc["components"]["schemas"]["Source"]["properties"]["closed"] = json!({"$ref": "#/components/schemas/Closed"});
        doc["components"]["schemas"]["Closed"]["additionalProperties"] = json!({"type": "string"});
        let log = run_twice(run, &mut doc);
        let open = |p: &str| doc.pointer(p).and_then(|s| s.get("additionalProperties")).cloned();
        assert_eq!(open("/components/schemas/Source"), Some(json!({})));
        assert_eq!(open("/components/schemas/Source/properties/inline"), Some(json!({})));
        assert_eq!(open("/components/schemas/Ref"), Some(json!({})), "through items and allOf");
        assert_eq!(open("/components/schemas/Owner/allOf/1"), Some(json!({})));
        assert_eq!(open("/paths/~1things/put/requestBody/content/application~1json/schema"), Some(json!({})));
        assert_eq!(open("/components/schemas/A"), None, "a oneOf member stays as it is");
        assert_eq!(open("/components/schemas/B"), None);
        assert_eq!(open("/components/schemas/Listed"), None, "only read, never sent by a PUT");
        assert_eq!(open("/components/schemas/Closed"), Some(json!({"type": "string"})), "said already");
        assert_eq!(log.count(), 5);
    }

    #[test]
    fn opens_trigger_payloads_and_answers_and_a_struct_that_says_true() {
        let content = |s: &str| json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{s}")}}});
        let mut doc = json!({
            "x-webhooks": {"Pre": {"post": {
                "requestBody": {"content": content("Payload")},
                "responses": {"200": {"description": "answer", "content": content("Answer")}}
            }}},
            "components": {"schemas": {
                "Payload": {"type": "object", "properties": {
                    "owner": {"$ref": "#/components/schemas/Owner"},
                    "attributes": {"type": "object", "additionalProperties": true}
                }},
                "Owner": {"type": "object", "additionalProperties": true, "properties": {"id": {"type": "string"}}},
                "Answer": {"type": "object", "properties": {"approved": {"type": "boolean"}}},
                "Unrelated": {"type": "object", "properties": {"u": {"type": "string"}}}
            }}
        });
        let log = run_twice(run, &mut doc);
        let open = |name: &str| doc["components"]["schemas"][name].get("additionalProperties").cloned();
        assert_eq!(open("Payload"), Some(json!({})));
        assert_eq!(open("Owner"), Some(json!({})), "`true` on a struct becomes `{{}}`");
        assert_eq!(open("Answer"), Some(json!({})));
        assert_eq!(open("Unrelated"), None);
        assert_eq!(
            doc["components"]["schemas"]["Payload"]["properties"]["attributes"]["additionalProperties"],
            json!(true),
            "a map stays a map"
        );
        assert_eq!(log.count(), 3);
    }
}
