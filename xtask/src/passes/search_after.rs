//! Searches page past 10,000 results with `searchAfter`, not `offset`.
//!
//! An operation with `limit`/`offset` whose request body has a `searchAfter`
//! property (SailPoint's `Search`) answers 400 for any offset past the
//! 10,000-result window. An offset stream over it would either stop there
//! or fail, so the operation is marked `x-sailpoint-search-after`: the
//! pagination emitter gives it no offset stream, and its docs point to the
//! facade's search stream, which pages with `searchAfter`.

use serde_json::Value;

use super::{Log, deref, operation_id, operations};

pub const WHY: &str =
    "searches page with searchAfter past the 10,000-result window: no offset stream, docs point to Client::search";

/// Appended to the operation's description.
const NOTE: &str = "Offsets stop at the 10,000-result window. To read every result, use \
`sailpoint::Client::search` (or `search_json`), which pages with `searchAfter` and yields \
each result exactly once; this builder has no offset `.stream()`.";

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
        let op = super::operation_mut(doc, &path, &method);
        let description = op.get("description").and_then(Value::as_str).unwrap_or_default().trim_end().to_string();
        let description = if description.is_empty() { NOTE.to_string() } else { format!("{description}\n\n{NOTE}") };
        op.insert("description".into(), Value::String(description));
        op.insert("x-sailpoint-search-after".into(), Value::Bool(true));
        log.note("pages with searchAfter: no offset stream, docs point to Client::search", operation_id(op));
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
                "/search": {"post": {"operationId": "searchPost", "description": "Search.", "parameters": offset, "requestBody": body("Search")}},
                "/roles/filter": {"post": {"operationId": "filterRoles", "parameters": offset, "requestBody": body("Filter")}},
                "/search/count": {"post": {"operationId": "searchCount", "requestBody": body("Search")}}
            },
            "components": {"schemas": {
                "Search": {"type": "object", "properties": {"searchAfter": {"type": "array"}}},
                "Filter": {"type": "object", "properties": {"name": {"type": "string"}}}
            }}
        });
        let log = run_twice(run, &mut doc);
        assert_eq!(log.count(), 1);
        let search = &doc["paths"]["/search"]["post"];
        assert_eq!(search["x-sailpoint-search-after"], true);
        assert!(search["description"].as_str().unwrap().starts_with("Search.\n\nOffsets stop"));
        assert!(doc["paths"]["/roles/filter"]["post"].get("x-sailpoint-search-after").is_none());
        assert!(doc["paths"]["/search/count"]["post"].get("x-sailpoint-search-after").is_none());
    }
}
