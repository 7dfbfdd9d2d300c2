//! Request bodies in a form progenitor accepts, with the wire facts kept.
//!
//! - A body that is a `$ref` is copied into the operation (edits stay local).
//! - Several media types: keep `application/json`, else JSON Patch, else the
//!   first.
//! - `application/json-patch+json` becomes `application/json` for progenitor
//!   (same JSON document); the operation is marked
//!   `x-sailpoint-request-content-type` so the runtime restores the header.
//! - `multipart/form-data`: marked `x-sailpoint-multipart`; the xtask emits
//!   these methods itself (progenitor cannot).
//! - A JSON body without a schema accepts any JSON value; media `encoding`
//!   entries (meaningless for JSON) are dropped.

use serde_json::{Map, Value, json};

use super::{Log, deref, operation_id, operations};

pub const WHY: &str =
    "one supported media type per request body; JSON Patch and multipart marked for the runtime and the emitter";

pub const JSON_PATCH: &str = "application/json-patch+json";

pub fn run(doc: &mut Value, log: &mut Log) {
    for (path, method) in operations(doc) {
        let Some(body) = doc["paths"][&path][&method].get("requestBody") else { continue };
        let mut body = deref(doc, body).clone();
        let op = super::operation_mut(doc, &path, &method);
        let oid = operation_id(op);
        let Some(content) = body.get("content").and_then(Value::as_object).cloned() else { continue };
        let base = |ct: &str| ct.split(';').next().unwrap_or_default().trim().to_string();
        let mut content = content;
        if content.len() > 1 {
            let keep = content
                .keys()
                .find(|c| base(c) == "application/json")
                .or_else(|| content.keys().find(|c| base(c) == JSON_PATCH))
                .or_else(|| content.keys().next())
                .cloned()
                .unwrap_or_default();
            let all: Vec<_> = content.keys().cloned().collect();
            log.note("several request media types: kept one", format!("{oid}: kept {keep} of {}", all.join(", ")));
            let media = content[&keep].clone();
            content = Map::from_iter([(keep, media)]);
        }
        let Some((ct, media)) = content.iter().next().map(|(c, m)| (c.clone(), m.clone())) else { continue };
        let mut media = media.as_object().cloned().unwrap_or_default();
        let mut ct_out = ct.clone();
        match base(&ct).as_str() {
            JSON_PATCH => {
                ct_out = "application/json".into();
                op.insert("x-sailpoint-request-content-type".into(), json!(JSON_PATCH));
                log.note("application/json-patch+json body sent as JSON, content type kept for the runtime", oid.clone());
            }
            "multipart/form-data" if op.get("x-sailpoint-multipart").is_none() => {
                op.insert("x-sailpoint-multipart".into(), json!(true));
                log.note("multipart/form-data body marked for the xtask's own emitter", oid.clone());
            }
            "application/json" => {
                if media.remove("encoding").is_some() {
                    log.note("encoding of a JSON body dropped", oid.clone());
                }
                if !media.contains_key("schema") {
                    media.insert("schema".into(), json!({}));
                    log.note("JSON body without a schema accepts any JSON", oid.clone());
                }
            }
            _ => {}
        }
        body["content"] = Value::Object(Map::from_iter([(ct_out, Value::Object(media))]));
        if op.get("requestBody") != Some(&body) {
            op.insert("requestBody".into(), body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn patch_multipart_and_choice() {
        let mut doc = json!({
        "components": {"requestBodies": {"P": {"content": {"application/json-patch+json": {"schema": {"type": "array"}}}}}},
        "paths": {"/a": {
            "patch": {"operationId": "p", "requestBody": {"$ref": "#/components/requestBodies/P"}},
            "post": {"operationId": "m", "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}}},
            "put": {"operationId": "c", "requestBody": {"content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {}}}}
        }}});
        let log = run_twice(run, &mut doc);
        let a = &doc["paths"]["/a"];
        assert_eq!(a["patch"]["x-sailpoint-request-content-type"], JSON_PATCH);
        assert!(a["patch"]["requestBody"]["content"]["application/json"]["schema"].is_object());
        assert_eq!(a["post"]["x-sailpoint-multipart"], true);
        assert_eq!(a["put"]["requestBody"]["content"], json!({"application/json": {"schema": {}}}));
        assert_eq!(log.count(), 4);
    }
}
