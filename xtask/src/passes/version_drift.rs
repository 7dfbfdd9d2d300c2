//! A property that another version types differently, in a component
//! schema of the same name, gets a type that reads every form seen.
//!
//! The versions describe one service, and its responses do not change with
//! the version in the URL: `PasswordPolicyV3Dto.dateCreated` is an `int64`
//! in v2024 and a `date-time` in v3 and beta, and SailPoint's pages show
//! both. Each property is compared with the same property of the other
//! versions (only inline schemas with a `type`: references are compared by
//! their own schemas), and where they disagree:
//! - an integer here, a date-time elsewhere: a date-time, which the lenient
//!   `sailpoint_runtime::DateTime` reads as an RFC 3339 string or as epoch
//!   milliseconds (and writes back as it came);
//! - an `int32` here, a wider or unsized integer elsewhere: `int64`;
//! - an integer here, a number elsewhere: a number;
//! - a string here and a date-time elsewhere, or the reverse: unchanged
//!   (both read any string);
//! - anything else (an array here, a string elsewhere): any JSON value.
//!
//! Runs first, on the document as bundled, with the other versions' as
//! input ([`OtherVersions`]).

use serde_json::{Map, Value, json};

use super::Log;
use crate::spec::cross_version::OtherVersions;

pub const NAME: &str = "version-drift";
pub const WHY: &str = "a property another version types differently reads every form seen";

/// A property's type and format, when it has a `type` of its own.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Form<'a> {
    ty: &'a str,
    format: Option<&'a str>,
}

impl<'a> Form<'a> {
    fn of(schema: &'a Value) -> Option<Self> {
        let ty = schema.get("type")?.as_str()?;
        Some(Self { ty, format: schema.get("format").and_then(Value::as_str) })
    }

    fn is_date_time(self) -> bool {
        self.ty == "string" && self.format == Some("date-time")
    }
}

impl std::fmt::Display for Form<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.format {
            Some(format) => write!(f, "{} ({format})", self.ty),
            None => f.write_str(self.ty),
        }
    }
}

/// What the property becomes, or `None` when it already reads every form.
enum Unified {
    DateTime,
    Int64,
    Number,
    AnyValue,
}

fn unify(here: Form, seen: &[Form]) -> Option<Unified> {
    let others: Vec<Form> = seen.iter().copied().filter(|f| *f != here).collect();
    if others.is_empty() {
        return None;
    }
    let strings = |f: &Form| f.ty == "string";
    let integers = |f: &Form| f.ty == "integer";
    match here.ty {
        "integer" if others.iter().all(|f| integers(f) || f.is_date_time()) && others.iter().any(|f| f.is_date_time()) => {
            Some(Unified::DateTime)
        }
        "integer" if others.iter().all(integers) => {
            matches!(here.format, Some("int32" | "int16" | "int8")).then_some(Unified::Int64)
        }
        "integer" if others.iter().all(|f| integers(f) || f.ty == "number") => Some(Unified::Number),
        "number" if others.iter().all(|f| integers(f) || f.ty == "number") => None,
        "string" if others.iter().all(strings) => None,
        // A date-time here reads epoch milliseconds too (sailpoint_runtime::DateTime).
        "string" if here.is_date_time() && others.iter().all(|f| strings(f) || integers(f)) => None,
        _ => Some(Unified::AnyValue),
    }
}

/// Gives every drifting property of `doc`'s component schemas a type that
/// reads the forms `others` give it.
pub fn run(doc: &mut Value, log: &mut Log, others: &OtherVersions) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for (name, schema) in schemas.iter_mut() {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { continue };
        for (property, p) in properties.iter_mut() {
            let Some(here) = Form::of(p) else { continue };
            let elsewhere: Vec<(&str, Form)> =
                others.property(name, property).into_iter().filter_map(|(v, s)| Some((v, Form::of(s)?))).collect();
            let seen: Vec<Form> = elsewhere.iter().map(|(_, f)| *f).collect();
            let Some(unified) = unify(here, &seen) else { continue };
            let described: Vec<String> = elsewhere.iter().map(|(v, f)| format!("{f} in {v}")).collect();
            let at = format!("{name}.{property}: {here} here, {}", described.join(", "));
            let p = p.as_object_mut().expect("a property with a type is an object");
            match unified {
                Unified::DateTime => {
                    p.insert("type".into(), json!("string"));
                    p.insert("format".into(), json!("date-time"));
                    p.remove("example");
                    log.note("a date-time (RFC 3339 or epoch milliseconds: sailpoint_runtime::DateTime)", at);
                }
                Unified::Int64 => {
                    p.insert("format".into(), json!("int64"));
                    log.note("a 64-bit integer", at);
                }
                Unified::Number => {
                    p.insert("type".into(), json!("number"));
                    p.remove("format");
                    log.note("a number", at);
                }
                Unified::AnyValue => {
                    *p = any_value(p);
                    log.note("any JSON value", at);
                }
            }
        }
    }
}

/// Any JSON value, with the property's description and nullability.
fn any_value(p: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for key in ["description", "nullable", "readOnly", "writeOnly", "deprecated"] {
        if let Some(v) = p.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let note = "The versions of the API disagree on this property's type: it is any JSON value.";
    let description = match out.get("description").and_then(Value::as_str) {
        Some(d) => format!("{d}\n\n{note}"),
        None => note.to_string(),
    };
    out.insert("description".into(), json!(description));
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn versions(here: Value, elsewhere: Value) -> BTreeMap<String, Value> {
        let doc = |props: Value| json!({"components": {"schemas": {"P": {"properties": props}}}});
        [("v2024".to_string(), doc(here)), ("v3".to_string(), doc(elsewhere))].into_iter().collect()
    }

    fn run_on(here: Value, elsewhere: Value) -> (Value, Log) {
        let all = versions(here, elsewhere);
        let others = OtherVersions::new(&all, "v2024");
        let mut doc = all["v2024"].clone();
        let mut log = Log::default();
        run(&mut doc, &mut log, &others);
        let once = doc.clone();
        let mut again = Log::default();
        run(&mut doc, &mut again, &others);
        assert_eq!(doc, once, "idempotent");
        (doc["components"]["schemas"]["P"]["properties"].clone(), log)
    }

    #[test]
    fn each_drift_gets_a_type_reading_every_form() {
        let (p, log) = run_on(
            json!({
                "dateCreated": {"type": "integer", "format": "int64", "example": 1639056206564i64},
                "count": {"type": "integer", "format": "int32"},
                "ratio": {"type": "integer"},
                "files": {"type": "array", "items": {"type": "string"}, "description": "Uploaded files"},
                "when": {"type": "string", "format": "date-time"},
                "name": {"type": "string"},
                "same": {"type": "boolean"},
                "only": {"type": "string"},
                "linked": {"$ref": "#/components/schemas/X"}
            }),
            json!({
                "dateCreated": {"type": "string", "format": "date-time"},
                "count": {"type": "integer"},
                "ratio": {"type": "number"},
                "files": {"type": "string"},
                "when": {"type": "integer", "format": "int64"},
                "name": {"type": "string", "format": "date-time"},
                "same": {"type": "boolean"},
                "linked": {"type": "string"}
            }),
        );
        assert_eq!(p["dateCreated"], json!({"type": "string", "format": "date-time"}));
        assert_eq!(p["count"]["format"], "int64");
        assert_eq!(p["ratio"], json!({"type": "number"}));
        assert_eq!(p["files"]["type"], Value::Null);
        assert!(p["files"]["description"].as_str().unwrap().starts_with("Uploaded files\n\n"));
        assert_eq!(p["when"], json!({"type": "string", "format": "date-time"}), "a lenient date-time reads integers");
        assert_eq!(p["name"], json!({"type": "string"}));
        assert_eq!(log.count(), 4, "{log:?}");
        let text = format!("{log:?}");
        assert!(text.contains("P.dateCreated: integer (int64) here, string (date-time) in v3"), "{text}");
    }
}
