//! A required property that may be `null` decodes as an `Option`.
//!
//! `required` plus `nullable: true` means "always present, maybe `null`"
//! (e.g. `CampaignTemplate.modified`). typify keeps such a property non-
//! optional when its type comes from `x-rust-type` (date-times) or a `$ref`,
//! and then refuses the `null` the spec allows. The property is taken out of
//! `required`, so it becomes an `Option<T>` that reads `null` (and, when
//! `None`, is left out of a request body rather than sent as `null`). The
//! names are kept in `x-sailpoint-required-nullable` (typify ignores it; the
//! contract tests' body generator reads it).

use serde_json::Value;

use super::{Log, deref, for_each_schema};

pub const WHY: &str = "required properties marked nullable decode null (Option<T>)";

fn is_nullable(doc: &Value, p: &Value) -> bool {
    let own = p.get("nullable") == Some(&Value::Bool(true));
    let all_of_nullable = p.get("allOf").and_then(Value::as_array).is_some_and(|parts| {
        parts.iter().any(|x| x.get("nullable") == Some(&Value::Bool(true)))
    });
    own || all_of_nullable || deref(doc, p).get("nullable") == Some(&Value::Bool(true))
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let snapshot = doc.clone();
    for_each_schema(doc, &mut |s, at| {
        let Some(props) = s.get("properties").and_then(Value::as_object) else { return };
        let Some(required) = s.get("required").and_then(Value::as_array) else { return };
        let nullable: Vec<String> = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| props.get(*name).is_some_and(|p| is_nullable(&snapshot, p)))
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
    fn required_nullables_become_optional() {
        let mut doc = json!({"components": {"schemas": {
            "N": {"type": "string", "nullable": true},
            "T": {"type": "object", "required": ["a", "b", "c"], "properties": {
                "a": {"type": "string", "format": "date-time", "nullable": true},
                "b": {"type": "string"},
                "c": {"$ref": "#/components/schemas/N"}
            }}
        }}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["components"]["schemas"]["T"]["required"], json!(["b"]));
        assert_eq!(doc["components"]["schemas"]["T"]["x-sailpoint-required-nullable"], json!(["a", "c"]));
        assert_eq!(log.count(), 2);
    }
}
