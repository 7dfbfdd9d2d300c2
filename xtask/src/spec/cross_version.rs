//! What the other versions say of the same things, read from their bundled
//! documents before any pass: the `operationId` each gives the same
//! operation (same method, same path up to the names of its template
//! variables), and the type each gives a property of a component schema
//! of the same name.
//!
//! Every version is compared with every other, whichever versions a
//! `regen` writes, so that the output of one version does not depend on
//! which others were selected.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::document::{erase_variables, operations};
use super::pointer::escape;

/// The other versions of one version.
pub struct OtherVersions<'a> {
    /// `(version, document)`, in version order.
    docs: Vec<(&'a str, &'a Value)>,
    /// `(method, path with variables erased)` → `(version, operationId)`.
    operation_ids: HashMap<(String, String), Vec<(&'a str, String)>>,
}

impl<'a> OtherVersions<'a> {
    /// No other version (a service of the per-service layout).
    pub fn none() -> Self {
        Self { docs: Vec::new(), operation_ids: HashMap::new() }
    }

    /// The versions of `all` (name → bundled document) other than `this`.
    pub fn new(all: &'a BTreeMap<String, Value>, this: &str) -> Self {
        let docs: Vec<(&str, &Value)> = all.iter().filter(|(n, _)| *n != this).map(|(n, d)| (n.as_str(), d)).collect();
        let mut operation_ids: HashMap<_, Vec<_>> = HashMap::new();
        for (version, doc) in &docs {
            for (path, method) in operations(doc) {
                if let Some(id) = doc["paths"][&path][&method].get("operationId").and_then(Value::as_str) {
                    operation_ids.entry((method, erase_variables(&path))).or_default().push((*version, id.to_string()));
                }
            }
        }
        Self { docs, operation_ids }
    }

    /// `(version, operationId)` of the operation `method path` in each
    /// other version that has it under another id than `id`.
    pub fn other_operation_ids(&self, method: &str, path: &str, id: &str) -> Vec<(String, String)> {
        let key = (method.to_string(), erase_variables(path));
        let found = self.operation_ids.get(&key).into_iter().flatten();
        found.filter(|(_, other)| other != id).map(|(v, other)| (v.to_string(), other.clone())).collect()
    }

    /// `(version, property schema)` of `schema.property` in each other
    /// version whose component `schema` declares it inline.
    pub fn property(&self, schema: &str, property: &str) -> Vec<(&'a str, &'a Value)> {
        self.docs
            .iter()
            .filter_map(|(v, doc)| {
                let p = doc.pointer(&format!("/components/schemas/{}/properties/{}", escape(schema), escape(property)))?;
                Some((*v, p))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_the_same_operation_and_property_in_the_other_versions() {
        let op = |id: &str| json!({"operationId": id, "responses": {}});
        let all: BTreeMap<String, Value> = [
            (
                "beta",
                json!({"paths": {"/sources/{sourceId}/peek": {"post": op("peekResourceObjects")}},
                "components": {"schemas": {"P": {"properties": {"dateCreated": {"type": "string", "format": "date-time"}}}}}}),
            ),
            (
                "v2024",
                json!({"paths": {"/sources/{id}/peek": {"post": op("searchResourceObjects")}},
                "components": {"schemas": {"P": {"properties": {"dateCreated": {"type": "integer"}}}}}}),
            ),
            ("v3", json!({"paths": {"/sources/{id}/peek": {"post": op("searchResourceObjects")}}})),
        ]
        .into_iter()
        .map(|(n, d)| (n.to_string(), d))
        .collect();
        let others = OtherVersions::new(&all, "v2024");
        assert_eq!(
            others.other_operation_ids("post", "/sources/{id}/peek", "searchResourceObjects"),
            [("beta".to_string(), "peekResourceObjects".to_string())],
            "same method and path, variables aside; same id elsewhere is not listed"
        );
        assert!(others.other_operation_ids("get", "/sources/{id}/peek", "x").is_empty());
        let forms = others.property("P", "dateCreated");
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].0, "beta");
        assert_eq!(forms[0].1["format"], "date-time");
        assert_eq!(erase_variables("/a/{b}/c/{d-e}"), "/a/{}/c/{}");
    }
}
