//! Ids are opaque strings.
//!
//! SailPoint ids are 32 hex digits; with `format: uuid` typify uses
//! `uuid::Uuid`, which accepts them but writes them back with hyphens, so an
//! id read from the API no longer matches. The format is moved to
//! `x-sailpoint-format` (typify ignores it; the contract tests' argument
//! generator reads it, to send what the spec's `uuid` format accepts).

use serde_json::Value;

use super::{Log, for_each_schema};

pub const WHY: &str = "ids stay strings (format: uuid would re-format SailPoint's 32-hex ids)";

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        if s.get("format").and_then(Value::as_str) == Some("uuid") {
            s.remove("format");
            s.insert("x-sailpoint-format".into(), Value::String("uuid".into()));
            log.note("format: uuid moved to x-sailpoint-format", at);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn removes_uuid_format() {
        let mut doc = json!({"components": {"schemas": {"Id": {"type": "string", "format": "uuid"}}}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["components"]["schemas"]["Id"], json!({"type": "string", "x-sailpoint-format": "uuid"}));
        assert_eq!(log.count(), 1);
    }
}
