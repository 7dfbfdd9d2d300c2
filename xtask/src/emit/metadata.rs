//! The operation table: one `sailpoint_runtime::Operation` per operation.
//!
//! The runtime (content types, experimental header, accepted media types,
//! empty bodies), the facade (pagination) and the tests read it. It is
//! sorted by `id`, the snake_case name progenitor gives the method, which is
//! also what `OperationInfo::operation_id` holds at run time.

use serde_json::Value;

use crate::names::method_name;
use crate::spec::document::{deref, operations};

/// What the table says of one operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationMeta {
    pub id: String,
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub tag: String,
    pub experimental: bool,
    pub request_content_type: Option<String>,
    pub accept: Option<String>,
    pub empty_success_is_null: bool,
    pub multipart: bool,
    /// The 2xx status codes the spec declares, ascending.
    pub success_statuses: Vec<u16>,
    /// `Some(max)` for `limit`/`offset` pagination; `max` is the largest `limit`.
    pub max_limit: Option<u64>,
    /// Pages past 10,000 results with `searchAfter` (`x-sailpoint-search-after`): no offset stream.
    pub search_after: bool,
    /// May be sent again: an idempotent method, or a POST that only reads (`x-sailpoint-read-only`).
    pub replay_safe: bool,
}

/// Methods whose repetition has the effect of one request.
const IDEMPOTENT: [&str; 5] = ["get", "head", "put", "delete", "options"];

pub fn collect(doc: &Value) -> Vec<OperationMeta> {
    let mut out = Vec::new();
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        let operation_id = op["operationId"].as_str().unwrap_or_default().to_string();
        let flag = |k: &str| op.get(k) == Some(&Value::Bool(true));
        let request_content_type = op
            .get("x-sailpoint-request-content-type")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| op.pointer("/requestBody/content").and_then(Value::as_object)?.keys().next().cloned());
        let mut accept: Vec<String> = Vec::new();
        let mut success_statuses: Vec<u16> = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(c, _)| c.parse::<u16>().ok())
            .filter(|c| (200..300).contains(c))
            .collect();
        success_statuses.sort_unstable();
        for (code, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if !code.starts_with('2') {
                continue;
            }
            for (ct, _) in deref(doc, r).get("content").and_then(Value::as_object).into_iter().flatten() {
                if !accept.contains(ct) {
                    accept.push(ct.clone());
                }
            }
        }
        let params: Vec<&Value> =
            op.get("parameters").and_then(Value::as_array).into_iter().flatten().map(|p| deref(doc, p)).collect();
        let query = |name: &str| params.iter().find(|p| p["in"] == "query" && p["name"] == name).copied();
        let max_limit = match (query("limit"), query("offset")) {
            (Some(limit), Some(_)) => Some(deref(doc, &limit["schema"]).get("maximum").and_then(Value::as_u64).unwrap_or(250)),
            _ => None,
        };
        out.push(OperationMeta {
            id: method_name(&operation_id),
            operation_id,
            method: method.to_uppercase(),
            path: path.clone(),
            tag: op.pointer("/tags/0").and_then(Value::as_str).unwrap_or_default().to_string(),
            experimental: flag("x-sailpoint-experimental"),
            request_content_type,
            accept: (!accept.is_empty()).then(|| accept.join(", ")),
            empty_success_is_null: flag("x-sailpoint-empty-success"),
            multipart: flag("x-sailpoint-multipart"),
            success_statuses,
            max_limit,
            search_after: flag("x-sailpoint-search-after"),
            replay_safe: IDEMPOTENT.contains(&method.as_str()) || flag("x-sailpoint-read-only"),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Rust source of the table (without the file header).
pub fn emit(ops: &[OperationMeta], version: &str) -> String {
    let mut s = format!(
        "use sailpoint_runtime::Operation;\n\n\
         /// The API version's name, the first segment of its paths (`/{version}/…`).\n\
         pub const API_VERSION: &str = \"{version}\";\n\n\
         /// Every operation of the {version} API, sorted by [`Operation::id`].\n\
         pub static OPERATIONS: &[Operation] = &[\n"
    );
    for o in ops {
        let mut line = format!("    Operation::new({:?}, {:?}, {:?}, {:?}, {:?})", o.id, o.operation_id, o.method, o.path, o.tag);
        let mut set = |setter: String| line.push_str(&format!("\n        .{setter}"));
        if o.experimental {
            set("with_experimental()".into());
        }
        if let Some(media) = &o.request_content_type {
            set(format!("with_request_content_type({media:?})"));
        }
        if let Some(media) = &o.accept {
            set(format!("with_accept({media:?})"));
        }
        if o.empty_success_is_null {
            set("with_empty_success_is_null()".into());
        }
        if o.multipart {
            set("with_multipart()".into());
        }
        if o.replay_safe {
            set("with_replay_safe()".into());
        }
        if !o.success_statuses.is_empty() {
            set(format!("with_success_statuses(&{:?})", o.success_statuses));
        }
        match o.max_limit {
            Some(max) if o.search_after => set(format!("with_search_after_paging({max})")),
            Some(max) => set(format!("with_offset_paging({max})")),
            None => {}
        }
        s.push_str(&line);
        s.push_str(",\n");
    }
    s.push_str("];\n\n");
    s.push_str(
        "/// This version as the runtime's pipeline reads it.\n\
         pub(crate) static API: sailpoint_runtime::glue::Api = sailpoint_runtime::glue::Api { version: API_VERSION, operations: OPERATIONS };\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_marks_and_pagination() {
        let doc = json!({"paths": {"/sources": {"get": {"operationId": "listSources", "tags": ["Sources"],
            "x-sailpoint-experimental": true,
            "parameters": [
                {"in": "query", "name": "limit", "schema": {"type": "integer", "maximum": 250}},
                {"in": "query", "name": "offset", "schema": {"type": "integer"}}],
            "responses": {"200": {"content": {"text/csv": {}}}, "400": {}}}}}});
        let ops = collect(&doc);
        assert_eq!(ops[0].id, "list_sources");
        assert!(ops[0].experimental);
        assert_eq!(ops[0].max_limit, Some(250));
        assert_eq!(ops[0].accept.as_deref(), Some("text/csv"));
        assert_eq!(ops[0].success_statuses, [200]);
        let table = emit(&ops, "v9");
        assert!(
            table.contains("Operation::new(\"list_sources\", \"listSources\", \"GET\", \"/sources\", \"Sources\")"),
            "{table}"
        );
        assert!(table.contains(".with_experimental()") && table.contains(".with_accept(\"text/csv\")"), "{table}");
        assert!(table.contains(".with_offset_paging(250)"), "{table}");
        assert!(table.contains(".with_success_statuses(&[200])"), "{table}");
        assert!(ops[0].replay_safe && table.contains(".with_replay_safe()"), "{table}");
        assert!(!table.contains("with_multipart"), "{table}");
    }
}
