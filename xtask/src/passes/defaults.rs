//! Defaults of the declared type.
//!
//! typify emits a function returning the default and fails to compile (or
//! refuses) when it has the wrong type: `"true"` for a boolean, `"10"` for an
//! integer (152 in v2024). Such defaults are converted when the conversion is
//! exact, dropped otherwise; a default outside its enum is dropped.

use serde_json::{Value, json};

use super::{Log, for_each_schema};

pub const WHY: &str = "defaults of the declared type (converted when exact, else dropped)";

fn convert(ty: &str, d: &Value) -> Option<Value> {
    match (ty, d) {
        ("boolean", Value::String(s)) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
            Some(json!(s.eq_ignore_ascii_case("true")))
        }
        ("integer", Value::String(s)) => s.trim().parse::<i64>().ok().map(|i| json!(i)),
        ("number", Value::String(s)) => s.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number),
        ("string", Value::Bool(b)) => Some(json!(b.to_string())),
        ("string", Value::Number(n)) => Some(json!(n.to_string())),
        _ => None,
    }
}

fn fits(ty: &str, d: &Value) -> bool {
    match ty {
        "string" => d.is_string(),
        "boolean" => d.is_boolean(),
        "integer" => d.is_i64() || d.is_u64(),
        "number" => d.is_number(),
        "array" => d.is_array(),
        "object" => d.is_object(),
        _ => true,
    }
}

pub fn run(doc: &mut Value, log: &mut Log) {
    for_each_schema(doc, &mut |s, at| {
        let Some(d) = s.get("default").cloned() else { return };
        if d.is_null() && s.get("nullable") == Some(&json!(true)) {
            return;
        }
        let ty = s.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
        if !ty.is_empty() && !fits(&ty, &d) {
            match convert(&ty, &d) {
                Some(new) => {
                    s.insert("default".into(), new);
                    log.note("default converted to the declared type", format!("{at}: {d}"));
                }
                None => {
                    s.remove("default");
                    log.note("default of another type dropped", format!("{at}: {d}"));
                }
            }
            return;
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array)
            && !values.contains(&d)
        {
            s.remove("default");
            log.note("default outside the enum dropped", format!("{at}: {d}"));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn converts_or_drops() {
        let mut doc = json!({"components": {"schemas": {"T": {"type": "object", "properties": {
            "a": {"type": "boolean", "default": "true"},
            "b": {"type": "integer", "default": "ten"},
            "c": {"type": "string", "enum": ["X"], "default": "Y"},
            "d": {"type": "integer", "default": "10"}}}}}});
        let log = run_twice(run, &mut doc);
        let p = &doc["components"]["schemas"]["T"]["properties"];
        assert_eq!(p["a"]["default"], true);
        assert!(p["b"].get("default").is_none());
        assert!(p["c"].get("default").is_none());
        assert_eq!(p["d"]["default"], 10);
        assert_eq!(log.count(), 4);
    }
}
