//! Unknown fields are ignored.
//!
//! With `additionalProperties: false` typify emits
//! `#[serde(deny_unknown_fields)]`, and a field SailPoint adds tomorrow would
//! fail every response. The constraint is removed.

use serde_json::Value;

use super::{Log, for_each_schema};

pub const WHY: &str = "ignore unknown fields (no deny_unknown_fields)";

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        if s.get("additionalProperties") == Some(&Value::Bool(false)) {
            s.remove("additionalProperties");
            log.note("additionalProperties: false removed", at);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn removes_closed_objects() {
        let mut doc = json!({"components": {"schemas": {"T": {"type": "object", "additionalProperties": false}}}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["components"]["schemas"]["T"], json!({"type": "object"}));
        assert_eq!(log.count(), 1);
    }
}
