//! Date-times as the API sends them.
//!
//! typify maps `format: date-time` to `chrono::DateTime<Utc>`, which rejects
//! a timestamp without a time zone, and re-formats the ones it accepts. Such
//! schemas use `sailpoint_runtime::DateTime` instead (through typify's
//! `x-rust-type`): it keeps the text it was given and parses it on demand.

use serde_json::{Value, json};

use super::{Log, for_each_schema};

pub const WHY: &str = "date-times decode as sent and write back unchanged (sailpoint_runtime::DateTime)";

pub const RUST_TYPE: &str = "sailpoint_runtime::DateTime";

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        if s.get("format").and_then(Value::as_str) == Some("date-time") && !s.contains_key("x-rust-type") {
            s.insert("x-rust-type".into(), json!({"crate": "sailpoint-runtime", "version": "*", "path": RUST_TYPE}));
            log.note("date-time uses sailpoint_runtime::DateTime", at);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn marks_date_times() {
        let mut doc = json!({"components": {"schemas": {"T": {"type": "string", "format": "date-time"}}}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["components"]["schemas"]["T"]["x-rust-type"]["path"], RUST_TYPE);
        assert_eq!(log.count(), 1);
    }
}
