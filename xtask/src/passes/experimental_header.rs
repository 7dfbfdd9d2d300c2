//! The `X-SailPoint-Experimental` header is not a method argument.
//!
//! 146 v2024 operations and one beta operation declare it as a required
//! header parameter. The runtime sets it (when the client or the call opted
//! in), so the parameter is removed, the operation is marked
//! `x-sailpoint-experimental`, and its docs say so and name the opt-in.

use serde_json::Value;

use super::{Log, deref, operation_id, operations};

pub const WHY: &str = "remove the X-SailPoint-Experimental header parameter; the runtime sets it";

/// The first paragraph of a flagged operation's docs.
pub const NOTE: &str = "**Experimental**: SailPoint marks this operation experimental. Enable experimental \
     operations on the client (`experimental(true)`) or for this call (`CallOptions::new().experimental(true)` \
     with `with_options`) to call it.";

pub fn run(doc: &mut Value, log: &mut Log) {
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        let params = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        let is_experimental = |p: &Value| {
            let p = deref(doc, p);
            p["in"] == "header" && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("x-sailpoint-experimental"))
        };
        if !params.iter().any(is_experimental) {
            continue;
        }
        let keep: Vec<Value> = params.iter().filter(|p| !is_experimental(p)).cloned().collect();
        let op = super::operation_mut(doc, &path, &method);
        op.insert("parameters".into(), Value::Array(keep));
        op.insert("x-sailpoint-experimental".into(), Value::Bool(true));
        let description = match op.get("description").and_then(Value::as_str) {
            Some(d) if !d.trim().is_empty() => format!("{NOTE}\n\n{d}"),
            _ => NOTE.to_string(),
        };
        op.insert("description".into(), Value::String(description));
        log.note("X-SailPoint-Experimental parameter removed, operation marked experimental", operation_id(op));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn removes_header_and_marks() {
        let mut doc = json!({"paths": {"/x": {"get": {"operationId": "x", "description": "Lists x.", "parameters": [
            {"in": "header", "name": "X-SailPoint-Experimental", "required": true, "schema": {"type": "string"}},
            {"in": "query", "name": "q", "schema": {"type": "string"}}]}}}});
        let log = run_twice(run, &mut doc);
        let op = &doc["paths"]["/x"]["get"];
        assert_eq!(op["parameters"].as_array().unwrap().len(), 1);
        assert_eq!(op["x-sailpoint-experimental"], true);
        assert_eq!(op["description"], format!("{NOTE}\n\nLists x."), "noted once, before the description");
        assert_eq!(log.count(), 1);
    }
}
