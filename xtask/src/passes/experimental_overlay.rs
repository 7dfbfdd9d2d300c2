//! Operations SailPoint's pages mark experimental, and the spec does not,
//! are flagged like the spec's own (`x-sailpoint-experimental`), from the
//! list in `openapi/experimental.toml`.
//!
//! The spec's flags lag the service: SailPoint answers such an operation
//! without the header with 400 "Experimental Header is missing or
//! invalid". Flagged, it needs the client's opt-in, and then carries the
//! header. Its docs name the page. A listed operation the spec already
//! flags, or does not have, is reported, so that the list can shrink.

use serde_json::Value;

use super::{Log, operations};
use crate::spec::overlay::Experimental;

pub const NAME: &str = "experimental-overlay";
pub const WHY: &str =
    "operations SailPoint's pages mark experimental (openapi/experimental.toml) are flagged like the spec's own";

/// Flags the operations of `listed` (those of this version).
pub fn run(doc: &mut Value, log: &mut Log, listed: &[&Experimental]) {
    for entry in listed {
        let found =
            operations(doc).into_iter().find(|(path, method)| doc["paths"][path][method]["operationId"] == entry.id.as_str());
        let Some((path, method)) = found else {
            log.note("listed, but not an operation of this version (remove the entry)", entry.id.clone());
            continue;
        };
        let op = super::operation_mut(doc, &path, &method);
        if op.get("x-sailpoint-experimental") == Some(&Value::Bool(true)) {
            let noted = op.get("description").and_then(Value::as_str).is_some_and(|d| d.contains(&entry.source));
            if !noted {
                log.note("listed, but the spec flags it already (remove the entry)", entry.id.clone());
            }
            continue;
        }
        let note = format!(
            "**Experimental**: SailPoint's documentation marks this operation experimental ({}), although its spec \
             does not. Enable experimental operations on the client (`experimental(true)`) or for this call \
             (`CallOptions::new().experimental(true)` with `with_options`) to call it.",
            entry.source
        );
        let description = match op.get("description").and_then(Value::as_str) {
            Some(d) if !d.trim().is_empty() => format!("{note}\n\n{d}"),
            _ => note,
        };
        op.insert("description".into(), Value::String(description));
        op.insert("x-sailpoint-experimental".into(), Value::Bool(true));
        log.note("flagged experimental", format!("{} ({})", entry.id, entry.source));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str) -> Experimental {
        Experimental { version: "v2024".into(), id: id.into(), source: format!("https://developer.sailpoint.com/{id}") }
    }

    #[test]
    fn flags_listed_operations_once_and_reports_stale_entries() {
        let mut doc = json!({"paths": {
            "/a": {"post": {"operationId": "importAccounts", "description": "Imports."}},
            "/b": {"get": {"operationId": "alreadyFlagged", "x-sailpoint-experimental": true}},
            "/c": {"get": {"operationId": "untouched"}}}});
        let (a, b, c) = (entry("importAccounts"), entry("alreadyFlagged"), entry("gone"));
        let listed = [&a, &b, &c];
        let mut log = Log::default();
        run(&mut doc, &mut log, &listed);
        let first = doc.clone();
        let mut again = Log::default();
        run(&mut doc, &mut again, &listed);
        assert_eq!(doc, first, "idempotent");
        let op = &doc["paths"]["/a"]["post"];
        assert_eq!(op["x-sailpoint-experimental"], true);
        let description = op["description"].as_str().unwrap();
        assert!(description.starts_with("**Experimental**") && description.ends_with("\n\nImports."), "{description}");
        assert!(description.contains("https://developer.sailpoint.com/importAccounts"));
        assert!(doc["paths"]["/c"]["get"].get("x-sailpoint-experimental").is_none());
        let kinds: Vec<&str> = log.changes.iter().map(|(what, _)| what.as_str()).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert_eq!(log.count(), 3);
    }
}
