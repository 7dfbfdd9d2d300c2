//! Operations with several success responses accept each of them.
//!
//! progenitor needs one success type per operation. When the 2xx responses
//! differ (200 with a body and 204 without; 200 and 202 with different
//! bodies), every 2xx response gets the same schema:
//! - one JSON type `T` and bodiless codes: `T` made nullable, and the
//!   operation marked `x-sailpoint-empty-success`: the runtime hands an empty
//!   success body to the decoder as `null`, so a 204 gives `None` with its
//!   status;
//! - several JSON types: `oneOf` of them (decoded as the first that fits);
//! - a non-JSON body and bodiless codes: all raw bytes.
//!
//! No status code is dropped.

use serde_json::{Value, json};

use super::{Log, deref, nullable_ref, operation_id, operations};

pub const WHY: &str = "one success type per operation without dropping any 2xx status";

#[derive(PartialEq)]
enum Kind {
    Json(Value),
    Raw(String, Value),
    Empty,
}

fn kind(response: &Value) -> Kind {
    let content = response.get("content").and_then(Value::as_object);
    let Some(content) = content.filter(|c| !c.is_empty()) else { return Kind::Empty };
    for (ct, media) in content {
        if ct.split(';').next().is_some_and(|b| b.trim() == "application/json") {
            return Kind::Json(media.get("schema").cloned().unwrap_or(json!({})));
        }
    }
    let (ct, media) = content.iter().next().expect("non-empty");
    Kind::Raw(ct.clone(), media.clone())
}

fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

pub fn run(doc: &mut Value, log: &mut Log) {
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        let Some(responses) = op.get("responses").and_then(Value::as_object) else { continue };
        let success: Vec<(String, Value)> =
            responses.iter().filter(|(c, _)| is_success(c)).map(|(c, r)| (c.clone(), deref(doc, r).clone())).collect();
        let kinds: Vec<Kind> = success.iter().map(|(_, r)| kind(r)).collect();
        let mut distinct: Vec<&Kind> = Vec::new();
        for k in &kinds {
            if !distinct.contains(&k) {
                distinct.push(k);
            }
        }
        if distinct.len() <= 1 {
            continue;
        }
        let json_types: Vec<Value> =
            distinct.iter().filter_map(|k| if let Kind::Json(s) = k { Some(s.clone()) } else { None }).collect();
        let raw = distinct.iter().find_map(|k| if let Kind::Raw(ct, m) = k { Some((ct.clone(), m.clone())) } else { None });
        let has_empty = distinct.contains(&&Kind::Empty);
        let oid = operation_id(op.as_object().expect("operation"));
        let codes: Vec<&str> = success.iter().map(|(c, _)| c.as_str()).collect();
        let (content, mark_empty) = match (json_types.len(), raw) {
            (0, Some((ct, media))) => {
                log.note("non-JSON and bodiless success responses: all read as bytes", format!("{oid}: {}", codes.join(", ")));
                (json!({ ct: media }), false)
            }
            (1, None) => {
                let t = json_types[0].clone();
                let schema = if t.get("$ref").is_some() {
                    nullable_ref(t)
                } else {
                    let mut t = t;
                    t["nullable"] = json!(true);
                    t
                };
                log.note(
                    "typed and bodiless success responses: nullable type, empty body is null",
                    format!("{oid}: {}", codes.join(", ")),
                );
                (json!({"application/json": {"schema": schema}}), true)
            }
            _ => {
                let mut schema = json!({ "oneOf": json_types });
                if has_empty {
                    schema["nullable"] = json!(true);
                }
                log.note("several success types: oneOf of them", format!("{oid}: {}", codes.join(", ")));
                (json!({"application/json": {"schema": schema}}), has_empty)
            }
        };
        let op = super::operation_mut(doc, &path, &method);
        for (code, r) in success {
            let mut r = r;
            r["content"] = content.clone();
            op["responses"][&code] = r;
        }
        if mark_empty {
            op.insert("x-sailpoint-empty-success".into(), json!(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn typed_and_empty() {
        let mut doc = json!({"paths": {"/a": {
            "get": {"operationId": "a", "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}},
                "204": {"description": "none"}}},
            "post": {"operationId": "b", "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}},
                "202": {"description": "later", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/U"}}}}}}
        }}});
        let log = run_twice(run, &mut doc);
        let a = &doc["paths"]["/a"]["get"];
        assert_eq!(a["responses"]["204"]["content"], a["responses"]["200"]["content"]);
        assert_eq!(a["responses"]["204"]["content"]["application/json"]["schema"]["nullable"], true);
        assert_eq!(a["x-sailpoint-empty-success"], true);
        let b = &doc["paths"]["/a"]["post"];
        assert_eq!(b["responses"]["202"]["content"]["application/json"]["schema"]["oneOf"].as_array().unwrap().len(), 2);
        assert_eq!(log.count(), 2);
    }
}
