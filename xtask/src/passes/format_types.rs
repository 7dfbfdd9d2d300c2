//! A string format written as the type (`type: date-time`) is a string of
//! that format.
//!
//! JSON Schema's types are `string`, `number`, `integer`, `boolean`,
//! `array`, `object` and `null`; formats refine them. Some upstream
//! schemas put the format where the type goes (`FormSubmitted.submittedAt`:
//! `type: date-time`), which the generator refuses, so that the whole
//! payload would become any JSON value. This pass writes `type: string`
//! with that format, for the formats of strings only; any other unknown
//! type is left to `unexpressible-schemas`.

use serde_json::{Value, json};

use super::{Log, for_each_schema};

pub const WHY: &str = "a string format written as the type (`type: date-time`) is a string of that format";

/// The string formats OpenAPI and JSON Schema name.
const STRING_FORMATS: [&str; 10] = ["date-time", "date", "time", "uuid", "email", "uri", "hostname", "ipv4", "ipv6", "password"];

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        let Some(format) = s.get("type").and_then(Value::as_str).filter(|t| STRING_FORMATS.contains(t)).map(str::to_string)
        else {
            return;
        };
        if s.get("format").is_some_and(|f| f.as_str() != Some(format.as_str())) {
            return;
        }
        s.insert("type".into(), json!("string"));
        s.insert("format".into(), json!(format));
        log.note(&format!("`type: {format}` becomes `type: string, format: {format}`"), at);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn a_format_as_type_becomes_a_string_of_that_format() {
        let mut doc = json!({"components": {"schemas": {"Form": {"type": "object", "properties": {
            "submittedAt": {"type": "date-time", "description": "kept"},
            "day": {"type": "date"},
            "odd": {"type": "decimal"},
            "clash": {"type": "uuid", "format": "email"},
            "fine": {"type": "string", "format": "date-time"}
        }}}}});
        let log = run_twice(run, &mut doc);
        let props = &doc["components"]["schemas"]["Form"]["properties"];
        assert_eq!(props["submittedAt"], json!({"type": "string", "format": "date-time", "description": "kept"}));
        assert_eq!(props["day"], json!({"type": "string", "format": "date"}));
        assert_eq!(props["odd"], json!({"type": "decimal"}), "not a string format: left to unexpressible-schemas");
        assert_eq!(props["clash"], json!({"type": "uuid", "format": "email"}), "a format of its own: left alone");
        assert_eq!(props["fine"], json!({"type": "string", "format": "date-time"}));
        assert_eq!(log.count(), 2);
    }
}
