//! Searches page past 10,000 results with `searchAfter`, not `offset`.
//!
//! An operation with `limit`/`offset` whose request body has a `searchAfter`
//! property (SailPoint's `Search`) answers 400 for any offset past the
//! 10,000-result window. An offset stream over it would either stop there
//! or fail, so the operation is marked `x-sailpoint-search-after`: the
//! pagination emitter gives it a stream that pages with `searchAfter`
//! (`sailpoint_runtime::SearchAfter`) instead of an offset one, and its
//! docs say so.

use serde_json::Value;

use super::{Log, deref, operation_id, operations};

pub const WHY: &str = "searches page with searchAfter past the 10,000-result window: a searchAfter stream, not an offset one";

/// Appended to the operation's description.
const NOTE: &str = "Offsets stop at the 10,000-result window. To read every result, call \
`.stream()` on this builder (from `sailpoint_runtime::SearchAfter`, in `sailpoint::prelude`): \
it pages with `searchAfter` on the query's `sort` plus `id`, yields each result exactly once, \
typed by its `_type`, and `.stream_json()` yields them as JSON.";

/// Appended instead when the answer is not a list of results (an aggregation).
const NOTE_NOT_LISTED: &str = "Offsets stop at the 10,000-result window. Past it, send the \
query again with `searchAfter` set to the sort values of the last result received (sort on a \
unique field last, such as `id`).";

/// Whether the operation answers a list of results (a JSON array).
fn returns_list(doc: &Value, op: &Value) -> bool {
    let Some(ok) = op.pointer("/responses/200").map(|r| deref(doc, r)) else { return false };
    let Some(schema) = ok.pointer("/content/application~1json/schema") else { return false };
    deref(doc, schema).get("type") == Some(&Value::String("array".into()))
}

fn has_search_after(doc: &Value, op: &Value) -> bool {
    let Some(content) = op.pointer("/requestBody").map(|b| deref(doc, b)).and_then(|b| b.get("content")) else {
        return false;
    };
    let Some(schema) = content.get("application/json").and_then(|m| m.get("schema")) else { return false };
    deref(doc, schema).pointer("/properties/searchAfter").is_some()
}

fn has_offset(doc: &Value, op: &Value) -> bool {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| deref(doc, p))
        .any(|p| p["in"] == "query" && p["name"] == "offset")
}

pub fn run(doc: &mut Value, log: &mut Log) {
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        if op.get("x-sailpoint-search-after") == Some(&Value::Bool(true)) || !has_offset(doc, op) || !has_search_after(doc, op) {
            continue;
        }
        let note = if returns_list(doc, op) { NOTE } else { NOTE_NOT_LISTED };
        let op = super::operation_mut(doc, &path, &method);
        let description = op.get("description").and_then(Value::as_str).unwrap_or_default().trim_end().to_string();
        let description = if description.is_empty() { note.to_string() } else { format!("{description}\n\n{note}") };
        op.insert("description".into(), Value::String(description));
        op.insert("x-sailpoint-search-after".into(), Value::Bool(true));
        log.note("pages with searchAfter: a searchAfter stream, not an offset one", operation_id(op));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn marks_searches_only() {
        let offset = json!([{"in": "query", "name": "limit", "schema": {"type": "integer"}},
                            {"in": "query", "name": "offset", "schema": {"type": "integer"}}]);
        let body = |schema: &str| json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        let mut doc = json!({
            "paths": {
                "/search": {"post": {"operationId": "searchPost", "description": "Search.", "parameters": offset, "requestBody": body("Search"),
                    "responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {}}}}}}}},
                "/roles/filter": {"post": {"operationId": "filterRoles", "parameters": offset, "requestBody": body("Filter")}},
                "/search/count": {"post": {"operationId": "searchCount", "requestBody": body("Search")}},
                "/search/aggregate": {"post": {"operationId": "searchAggregate", "parameters": offset, "requestBody": body("Search"),
                    "responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}}}}
            },
            "components": {"schemas": {
                "Search": {"type": "object", "properties": {"searchAfter": {"type": "array"}}},
                "Filter": {"type": "object", "properties": {"name": {"type": "string"}}}
            }}
        });
        let log = run_twice(run, &mut doc);
        assert_eq!(log.count(), 2);
        let search = &doc["paths"]["/search"]["post"];
        assert_eq!(search["x-sailpoint-search-after"], true);
        assert!(search["description"].as_str().unwrap().starts_with("Search.\n\nOffsets stop"));
        assert!(search["description"].as_str().unwrap().contains("`.stream()`"));
        let aggregate = &doc["paths"]["/search/aggregate"]["post"];
        assert_eq!(aggregate["x-sailpoint-search-after"], true);
        assert!(!aggregate["description"].as_str().unwrap().contains("stream"), "no stream to point to");
        assert!(doc["paths"]["/roles/filter"]["post"].get("x-sailpoint-search-after").is_none());
        assert!(doc["paths"]["/search/count"]["post"].get("x-sailpoint-search-after").is_none());
    }
}
