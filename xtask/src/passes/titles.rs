//! No `title` on schemas.
//!
//! typify names a type after its `title` and silently reuses an existing
//! type of the same name, so two different schemas titled alike share one
//! Rust type (hundreds of compile errors). Components are named by their
//! key; inline schemas by their place. Titles are removed.

use serde_json::Value;

use super::{Log, for_each_schema};

pub const WHY: &str = "remove schema titles (typify would name and merge types by title)";

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        if s.remove("title").is_some() {
            log.note("title removed", at);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn strips_titles() {
        let mut doc = json!({"components": {"schemas": {"A": {"title": "A", "type": "object",
            "properties": {"b": {"title": "B", "type": "string"}}}}}});
        let log = run_twice(run, &mut doc);
        assert!(doc["components"]["schemas"]["A"].get("title").is_none());
        assert!(doc["components"]["schemas"]["A"]["properties"]["b"].get("title").is_none());
        assert_eq!(log.changes[0].1, ["A", "A.b"]);
    }
}
