//! A JSON response without a schema accepts any JSON value.
//!
//! progenitor stops (`todo!`) on a JSON media type with no schema.

use serde_json::{Value, json};

use super::{Log, operation_id, operations};

pub const WHY: &str = "a JSON response media type without a schema accepts any JSON";

fn fix(response: &mut Value, at: &str, log: &mut Log) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { return };
    for (ct, media) in content.iter_mut() {
        let json = ct.split(';').next().is_some_and(|b| b.trim() == "application/json");
        if json && media.get("schema").is_none() {
            if !media.is_object() {
                *media = json!({});
            }
            media["schema"] = json!({});
            log.note("JSON media type without a schema: any JSON", at);
        }
    }
}

pub fn run(doc: &mut Value, log: &mut Log) {
    if let Some(rs) = doc.pointer_mut("/components/responses").and_then(Value::as_object_mut) {
        for (name, r) in rs.iter_mut() {
            fix(r, &format!("#responses/{name}"), log);
        }
    }
    for (path, method) in operations(doc) {
        let op = super::operation_mut(doc, &path, &method);
        let oid = operation_id(op);
        for (code, r) in op.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
            fix(r, &format!("{oid}:{code}"), log);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn adds_any_schema() {
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "a", "responses": {
            "200": {"description": "", "content": {"application/json": {}}}}}}}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"], json!({}));
        assert_eq!(log.count(), 1);
    }
}
