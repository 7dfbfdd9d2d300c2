//! A required date-time that may be `null` decodes as an `Option`.
//!
//! `required` plus `nullable: true` means "always present, maybe `null`"
//! (e.g. `CampaignTemplate.modified`). typify gives such a property an
//! `Option<T>` (sent as `null` when `None`), except when its type comes from
//! `x-rust-type`, as date-times do (`lenient-date-times`): then it keeps the
//! bare type and refuses the `null` the spec allows. Those properties are
//! taken out of `required`, so they become an `Option` that reads `null`
//! (and, when `None`, is left out of a request body: they are read-only
//! timestamps in practice). The names are kept in
//! `x-sailpoint-required-nullable` (typify ignores it; the contract tests'
//! body generator reads it).

use serde_json::Value;

use super::{Log, deref, for_each_schema};

pub const WHY: &str = "required nullable date-times decode null (Option<DateTime>)";

/// Nullable, with its type from `x-rust-type` (where typify drops `nullable`).
fn is_nullable_rust_type(doc: &Value, p: &Value) -> bool {
    let target = deref(doc, p);
    let nullable = p.get("nullable") == Some(&Value::Bool(true)) || target.get("nullable") == Some(&Value::Bool(true));
    nullable && (p.get("x-rust-type").is_some() || target.get("x-rust-type").is_some())
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let snapshot = doc.clone();
    for_each_schema(doc, &mut |s, at| {
        let Some(props) = s.get("properties").and_then(Value::as_object) else { return };
        let Some(required) = s.get("required").and_then(Value::as_array) else { return };
        let nullable: Vec<String> = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| props.get(*name).is_some_and(|p| is_nullable_rust_type(&snapshot, p)))
            .map(str::to_string)
            .collect();
        if nullable.is_empty() {
            return;
        }
        let kept: Vec<Value> =
            required.iter().filter(|v| v.as_str().is_none_or(|n| !nullable.iter().any(|x| x == n))).cloned().collect();
        for name in &nullable {
            log.note("required nullable property made optional", format!("{at}.{name}"));
        }
        s.insert("x-sailpoint-required-nullable".into(), Value::Array(nullable.iter().cloned().map(Value::String).collect()));
        if kept.is_empty() {
            s.remove("required");
        } else {
            s.insert("required".into(), Value::Array(kept));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn required_nullable_date_times_become_optional() {
        let rust_type = json!({"crate": "sailpoint-runtime", "version": "*", "path": "sailpoint_runtime::DateTime"});
        let mut doc = json!({"components": {"schemas": {
            "N": {"type": "string", "format": "date-time", "nullable": true, "x-rust-type": rust_type},
            "T": {"type": "object", "required": ["a", "b", "c", "d"], "properties": {
                "a": {"type": "string", "format": "date-time", "nullable": true, "x-rust-type": rust_type},
                "b": {"type": "string"},
                "c": {"$ref": "#/components/schemas/N"},
                "d": {"type": "string", "nullable": true}
            }}
        }}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["components"]["schemas"]["T"]["required"], json!(["b", "d"]), "typify handles d itself");
        assert_eq!(doc["components"]["schemas"]["T"]["x-sailpoint-required-nullable"], json!(["a", "c"]));
        assert_eq!(log.count(), 2);
    }
}
