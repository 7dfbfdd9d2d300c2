//! POSTs that only read (search, count, preview, connection tests) may be
//! sent again after a failure, like GETs.
//!
//! The runtime retries a request after a transport failure or a
//! 408/500/502/503/504 only when the operation table says it is replay-safe:
//! an idempotent method, or a POST marked `x-sailpoint-read-only` here. A
//! POST is marked when its `operationId` says it reads: it starts with
//! `search`, `peek`, `query`, `ping`, `get`, `list` or `validate`, or
//! names a `Preview` or a `Count`, or is a `test…Connection`,
//! `test…Configuration`, `test…Filter` or `test…Rule`. Anything else that
//! may change the tenant (a `test` that runs a workflow, an `execute`, a
//! `start`, an import) stays unmarked and gets one attempt after a failure
//! that may have reached the server. Every marked operation is listed in
//! the report.

use serde_json::Value;

use super::{Log, operation_id, operations};

pub const WHY: &str = "POSTs that only read (search, count, preview, connection tests) are replay-safe: retried like GETs";

/// The camelCase words of an operationId: `searchCount` → `search`, `count`.
fn words(id: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in id.chars() {
        if c.is_uppercase() || out.is_empty() {
            out.push(c.to_lowercase().collect());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

/// Whether an operationId names a POST that only reads.
pub fn reads_only(id: &str) -> bool {
    let w = words(id);
    let Some(first) = w.first().map(String::as_str) else { return false };
    let has = |word: &str| w.iter().any(|x| x == word);
    matches!(first, "search" | "peek" | "query" | "ping" | "get" | "list" | "validate")
        || has("preview")
        || has("count")
        || (first == "test" && (has("connection") || has("configuration") || has("filter") || has("rule")))
}

pub fn run(doc: &mut Value, log: &mut Log) {
    for (path, method) in operations(doc) {
        if method != "post" {
            continue;
        }
        let op = super::operation_mut(doc, &path, &method);
        let id = operation_id(op);
        if op.get("x-sailpoint-read-only") == Some(&Value::Bool(true)) || !reads_only(&id) {
            continue;
        }
        op.insert("x-sailpoint-read-only".into(), Value::Bool(true));
        log.note("POST that only reads: replay-safe", format!("{id} (POST {path})"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn marks_reading_posts_only() {
        for id in [
            "searchPost",
            "searchCount",
            "searchAggregate",
            "peekResourceObjects",
            "queryPasswordInfo",
            "pingCluster",
            "showIdentityPreview",
            "generateIdentityPreview",
            "testSourceConnection",
            "testSubscriptionFilter",
            "testConnectorRule",
            "validateConnectorRule",
            "getRecommendations",
        ] {
            assert!(reads_only(id), "{id}");
        }
        for id in [
            "createAccount",
            "testWorkflow",
            "testExternalExecuteWorkflow",
            "sendTestNotification",
            "executeSavedSearch",
            "startEvaluateSodPolicy",
            "importAccounts",
            "importEntitlementsBySource",
            "createSavedSearch",
            "accountCounter",
        ] {
            assert!(!reads_only(id), "{id}");
        }
        let mut doc = json!({"paths": {
            "/search": {"post": {"operationId": "searchPost"}, "get": {"operationId": "searchGet"}},
            "/accounts": {"post": {"operationId": "createAccount"}}
        }});
        let log = run_twice(run, &mut doc);
        assert_eq!(log.count(), 1);
        assert_eq!(doc["paths"]["/search"]["post"]["x-sailpoint-read-only"], true);
        assert!(doc["paths"]["/search"]["get"].get("x-sailpoint-read-only").is_none());
        assert!(doc["paths"]["/accounts"]["post"].get("x-sailpoint-read-only").is_none());
    }
}
