//! Every operation gets an `operationId`: progenitor names methods after it
//! and refuses an operation without one, which would stop the whole regen.
//!
//! A missing one is derived from the method and the path, so that it is
//! stable across regenerations and reads like SailPoint's own: the method,
//! then each path segment in PascalCase, a parameter as `By` and its name.
//! `GET /applications/{id}/owners` → `getApplicationsByIdOwners`.

use heck::ToPascalCase;
use serde_json::Value;

use super::{Log, operations};

pub const WHY: &str = "operations without an operationId get one derived from method and path (progenitor refuses them)";

/// The operationId derived from `method` and `path`.
pub fn derived(method: &str, path: &str) -> String {
    let mut id = method.to_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                id.push_str("By");
                id.push_str(&param.to_pascal_case());
            }
            None => id.push_str(&segment.to_pascal_case()),
        }
    }
    id
}

pub fn run(doc: &mut Value, log: &mut Log) {
    for (path, method) in operations(doc) {
        let op = super::operation_mut(doc, &path, &method);
        if op.get("operationId").and_then(Value::as_str).is_some_and(|id| !id.trim().is_empty()) {
            continue;
        }
        let id = derived(&method, &path);
        log.note("no operationId: derived from method and path", format!("{} {path} → {id}", method.to_uppercase()));
        op.insert("operationId".into(), Value::String(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn derives_stable_ids() {
        assert_eq!(derived("get", "/applications/{id}/owners"), "getApplicationsByIdOwners");
        assert_eq!(derived("post", "/data-access-security/v1/access-reviews"), "postDataAccessSecurityV1AccessReviews");
        assert_eq!(derived("delete", "/sources/{sourceId}/schemas/{schema_id}"), "deleteSourcesBySourceIdSchemasBySchemaId");
        let mut doc = json!({"paths": {"/things/{id}": {
            "get": {"summary": "no id"},
            "put": {"operationId": ""},
            "delete": {"operationId": "deleteThing"}
        }}});
        let log = run_twice(run, &mut doc);
        assert_eq!(log.count(), 2);
        assert_eq!(doc["paths"]["/things/{id}"]["get"]["operationId"], "getThingsById");
        assert_eq!(doc["paths"]["/things/{id}"]["put"]["operationId"], "putThingsById");
        assert_eq!(doc["paths"]["/things/{id}"]["delete"]["operationId"], "deleteThing");
    }
}
