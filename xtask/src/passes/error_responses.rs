//! One error type for every error response.
//!
//! SailPoint declares error bodies of several shapes (`ErrorResponseDto`,
//! an inline `{message}` for 429, `{error}` for 401, `{detailMessage}`), and
//! progenitor needs one error type per operation. Every 4xx/5xx response
//! with a body is pointed at `#/components/responses/Isc<code>`, whose
//! schema `IscErrorResponse` has every property of every error shape, all
//! optional, plus `rawBody`, which the runtime fills when the body is not a
//! JSON object (so the status and the body always survive). An error
//! response without a body is removed: the generated
//! client reports it as an unexpected response, status and body kept.

use serde_json::{Map, Value, json};

use super::{Log, deref, operation_id, operations};

pub const WHY: &str = "one error type (IscErrorResponse, every error shape's fields, all optional) for all 4xx/5xx";

pub const ERROR_SCHEMA: &str = "IscErrorResponse";

/// The property the runtime fills with a body that is not JSON.
pub const RAW_BODY: &str = "rawBody";

fn properties_of(doc: &Value, schema: &Value, out: &mut Map<String, Value>, depth: usize) {
    let s = deref(doc, schema);
    if depth > 8 {
        return;
    }
    for member in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        properties_of(doc, member, out, depth + 1);
    }
    for (k, v) in s.get("properties").and_then(Value::as_object).into_iter().flatten() {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
}

fn is_error(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5')
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let mut union = Map::new();
    if doc.pointer("/components/schemas/ErrorResponseDto").is_some() {
        properties_of(doc, &json!({"$ref": "#/components/schemas/ErrorResponseDto"}), &mut union, 0);
    }
    let ops = operations(doc);
    for (path, method) in &ops {
        let responses = doc["paths"][path][method].get("responses").and_then(Value::as_object);
        for (_, r) in responses.into_iter().flatten().filter(|(c, _)| is_error(c)) {
            let r = deref(doc, r);
            for (ct, media) in r.get("content").and_then(Value::as_object).into_iter().flatten() {
                if ct.starts_with("application/json") && media.get("schema").is_some() {
                    properties_of(doc, &media["schema"], &mut union, 0);
                }
            }
        }
    }
    // The shapes SailPoint sends besides ErrorResponseDto, declared or not.
    for (field, what) in [
        ("message", "`{message}` bodies (429 and others)"),
        ("error", "`{error}` bodies (401)"),
        ("error_description", "OAuth error bodies"),
        ("detailMessage", "`{detailMessage}` bodies"),
    ] {
        union.entry(field).or_insert_with(|| json!({"type": "string", "description": format!("The text of {what}.")}));
    }
    union.insert(
        RAW_BODY.into(),
        json!({"type": "string", "description": "Not sent by SailPoint: the SDK puts the response body here when it is \
               not a JSON object (a proxy's HTML page, plain text, an empty body)."}),
    );
    let schema = json!({
        "type": "object",
        "description": "An error body from the API. Every field of every error shape SailPoint documents \
                        (`ErrorResponseDto`, `{message}`, `{error}`, `{detailMessage}`), all optional.",
        "properties": union,
    });
    let mut codes = std::collections::BTreeMap::new();
    for (path, method) in &ops {
        let responses: Vec<(String, Value, bool)> = doc["paths"][path][method]
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(c, _)| is_error(c))
            .map(|(c, r)| {
                let body = deref(doc, r).get("content").and_then(Value::as_object).is_some_and(|c| !c.is_empty());
                (c.clone(), r.clone(), body)
            })
            .collect();
        let op = super::operation_mut(doc, path, method);
        let oid = operation_id(op);
        for (code, r, has_body) in responses {
            let target = format!("#/components/responses/Isc{code}");
            if r.get("$ref").and_then(Value::as_str) == Some(&target) {
                codes.insert(code.clone(), String::new());
                continue;
            }
            if !has_body {
                op["responses"].as_object_mut().expect("responses").remove(&code);
                log.note("bodiless error response removed (reported as unexpected, status kept)", format!("{oid}: {code}"));
                continue;
            }
            let description = r.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
            codes.entry(code.clone()).or_insert(description);
            op["responses"][&code] = json!({ "$ref": target });
            log.note("error response uses IscErrorResponse", format!("{oid}: {code}"));
        }
    }
    let comps = doc["components"].as_object_mut().expect("components");
    let schemas = comps.entry("schemas").or_insert_with(|| json!({}));
    if schemas.get(ERROR_SCHEMA) != Some(&schema) {
        schemas[ERROR_SCHEMA] = schema;
    }
    let responses = comps.entry("responses").or_insert_with(|| json!({}));
    for (code, description) in codes {
        if responses.get(format!("Isc{code}")).is_none() {
            responses[format!("Isc{code}")] = json!({
                "description": description,
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")}}}
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn unifies_error_shapes() {
        let mut doc = json!({
            "components": {"schemas": {"ErrorResponseDto": {"type": "object", "properties": {"detailCode": {"type": "string"}}}}},
            "paths": {"/a": {"get": {"operationId": "a", "responses": {
                "200": {"description": "ok"},
                "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponseDto"}}}},
                "429": {"description": "slow", "content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string"}}}}}},
                "404": {"description": "none"}}}}}});
        let log = run_twice(run, &mut doc);
        let props = doc["components"]["schemas"][ERROR_SCHEMA]["properties"].as_object().unwrap();
        for field in ["detailCode", "message", "error", "detailMessage", RAW_BODY] {
            assert!(props.contains_key(field), "{field}");
        }
        let rs = &doc["paths"]["/a"]["get"]["responses"];
        assert_eq!(rs["429"]["$ref"], "#/components/responses/Isc429");
        assert!(rs.get("404").is_none());
        assert!(doc["components"]["responses"]["Isc400"].is_object());
        assert_eq!(log.count(), 3);
    }
}
