//! A component schema progenitor cannot express becomes `serde_json::Value`.
//!
//! progenitor (through typify) refuses some valid or nearly valid schemas:
//! an enum mixing strings and numbers, a `not`, a `pattern` its regex engine
//! rejects, a `$ref` to a schema that does not exist. One such schema would
//! stop the whole generation. This pass runs last, driven by the generator:
//! when generation fails it finds the schemas to blame by bisection (each
//! failing schema costs about log2(schemas) generator runs; none are made
//! when generation succeeds), replaces each with `{}` (any JSON value) and
//! notes it with the generator's message. A failure no component schema
//! explains is still an error.

use anyhow::Result;
use serde_json::Value;

use super::Log;

pub const NAME: &str = "unexpressible-schemas";
pub const WHY: &str = "a schema the generator cannot express becomes any JSON value (serde_json::Value)";

/// Runs `generate` on `doc`, replacing the component schemas it fails on
/// with `{}` until it succeeds; returns what the last run made.
pub fn run<T>(doc: &mut Value, log: &mut Log, generate: impl Fn(&Value) -> Result<T>) -> Result<T> {
    let mut error = match generate(doc) {
        Ok(out) => return Ok(out),
        Err(e) => e,
    };
    loop {
        let names = expressed_schemas(doc);
        if generate(&with_fallbacks(doc, &names)).is_err() {
            return Err(error.context("generation fails even with every component schema as any JSON value"));
        }
        // The first `lo` names as fallbacks fail, the first `hi` succeed.
        let (mut lo, mut hi) = (0, names.len());
        let mut blamed = error.to_string();
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            match generate(&with_fallbacks(doc, &names[..mid])) {
                Ok(_) => hi = mid,
                Err(e) => (lo, blamed) = (mid, e.to_string()),
            }
        }
        let culprit = &names[hi - 1];
        let message = blamed.lines().next().unwrap_or_default().chars().take(160).collect::<String>();
        log.note("falls back to serde_json::Value", format!("`{culprit}` ({message})"));
        *doc = with_fallbacks(doc, std::slice::from_ref(culprit));
        match generate(doc) {
            Ok(out) => return Ok(out),
            Err(e) => error = e,
        }
    }
}

/// The component schemas not yet replaced.
fn expressed_schemas(doc: &Value) -> Vec<String> {
    let all = doc.pointer("/components/schemas").and_then(Value::as_object);
    all.into_iter().flatten().filter(|(_, s)| !is_fallback(s)).map(|(n, _)| n.clone()).collect()
}

fn is_fallback(schema: &Value) -> bool {
    schema.get("x-sailpoint-fallback") == Some(&Value::Bool(true))
}

/// `doc` with the schemas `names` replaced by any JSON value (keeping their
/// description).
fn with_fallbacks(doc: &Value, names: &[String]) -> Value {
    let mut out = doc.clone();
    let Some(all) = out.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return out };
    for name in names {
        let Some(schema) = all.get_mut(name) else { continue };
        let what = schema.get("description").and_then(Value::as_str).unwrap_or_default();
        let note = "Any JSON value: the generator cannot express this schema (see the normalization report).";
        let description = if what.is_empty() { note.to_string() } else { format!("{what}\n\n{note}") };
        *schema = serde_json::json!({"description": description, "x-sailpoint-fallback": true});
    }
    out
}

/// A generator stand-in for the tests: fails while a schema has `bad`.
#[cfg(test)]
fn refuses_bad(doc: &Value) -> Result<usize> {
    let all = doc["components"]["schemas"].as_object().expect("schemas");
    match all.iter().find(|(_, s)| s.get("bad").is_some()) {
        Some((name, _)) => Err(anyhow::anyhow!("cannot express {name}")),
        None => Ok(all.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::anyhow;
    use serde_json::{Map, json};

    fn schemas(doc: &Value) -> &Map<String, Value> {
        doc["components"]["schemas"].as_object().expect("schemas")
    }

    fn doc(bad: &[&str]) -> Value {
        let mut schemas = Map::new();
        for i in 0..40 {
            let name = format!("S{i:02}");
            let mut s = json!({"type": "object", "description": format!("schema {i}")});
            if bad.contains(&name.as_str()) {
                s["bad"] = json!(true);
            }
            schemas.insert(name, s);
        }
        json!({"components": {"schemas": schemas}})
    }

    #[test]
    fn the_failing_schemas_and_only_they_fall_back() {
        let mut d = doc(&["S03", "S17", "S39"]);
        let mut log = Log::default();
        assert_eq!(run(&mut d, &mut log, refuses_bad).unwrap(), 40);
        let fell_back: Vec<&String> = schemas(&d).iter().filter(|(_, s)| is_fallback(s)).map(|(n, _)| n).collect();
        assert_eq!(fell_back, ["S03", "S17", "S39"]);
        assert_eq!(log.count(), 3);
        assert!(log.changes[0].1[0].starts_with("`S"), "{log:?}");
        assert!(schemas(&d)["S17"]["description"].as_str().unwrap().starts_with("schema 17\n\nAny JSON value"));
        assert_eq!(schemas(&d)["S16"], json!({"type": "object", "description": "schema 16"}));
    }

    #[test]
    fn success_changes_nothing_and_a_failure_no_schema_explains_is_an_error() {
        let mut d = doc(&[]);
        let mut log = Log::default();
        run(&mut d, &mut log, refuses_bad).unwrap();
        assert!(log.is_empty() && d == doc(&[]));
        let always = |_: &Value| -> Result<()> { Err(anyhow!("an operation is wrong")) };
        let err = run(&mut d, &mut log, always).unwrap_err();
        assert!(format!("{err:#}").contains("an operation is wrong"), "{err:#}");
    }
}
