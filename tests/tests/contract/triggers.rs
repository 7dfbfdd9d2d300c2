//! Event triggers: every example payload an API's `events::EXAMPLES` holds
//! (made from the spec's examples) reads as its trigger's typed event and
//! is written back with every field it had. Each API with triggers calls
//! [`round_trip`] from its generated call table.

use sailpoint_runtime::triggers::Events;
use serde_json::Value;

/// Reads each `(trigger id, JSON)` of `examples` as `E` and back; panics
/// listing every example that is read as `Other` or loses a field.
pub fn round_trip<E: Events>(examples: &[(&str, &str)]) {
    assert!(!examples.is_empty(), "no example payloads");
    assert_eq!(examples.len(), E::TRIGGERS.len(), "one example per trigger");
    let mut failures = Vec::new();
    for (id, text) in examples {
        let sent: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{id}: the example is not JSON: {e}"));
        let event = E::decode(id, sent.clone());
        if let Some(other) = event.as_other() {
            failures.push(format!("{id}: read as Other: {}", other.error().unwrap_or("unknown trigger")));
            continue;
        }
        assert_eq!(event.trigger_id(), Some(*id));
        assert!(event.trigger_type().is_some());
        let written = event.to_json().unwrap_or_else(|e| panic!("{id}: not written back: {e}"));
        let mut lost = Vec::new();
        kept(&sent, &written, String::new(), &mut lost);
        if !lost.is_empty() {
            failures.push(format!("{id}: {}", lost.join(", ")));
        }
    }
    // An unknown trigger is `Other`, with its JSON as delivered.
    let unknown = serde_json::json!({"anything": [1, 2]});
    let event = E::decode("idn:not-a-trigger", unknown.clone());
    let other = event.as_other().expect("an unknown trigger is Other");
    assert_eq!((other.trigger_id(), other.payload(), other.error()), (Some("idn:not-a-trigger"), &unknown, None));
    assert_eq!(event.to_json().unwrap(), unknown);
    assert!(failures.is_empty(), "{} of {} examples:\n{}", failures.len(), examples.len(), failures.join("\n"));
}

/// Every field of `sent` is in `written` with the same value: numbers
/// equal as numbers, date-times as instants; a `null` field may be left
/// out (an optional field that is `None` is not written).
fn kept(sent: &Value, written: &Value, at: String, lost: &mut Vec<String>) {
    match (sent, written) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => kept(v, w, format!("{at}.{k}"), lost),
                    None if v.is_null() => {}
                    None => lost.push(format!("{at}.{k} missing")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                kept(v, w, format!("{at}[{i}]"), lost);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (Value::String(a), Value::String(b)) if same_instant(a, b) => {}
        (a, b) if a == b => {}
        (a, b) => lost.push(format!("{at}: {a} written as {b}")),
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    a == b || matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}
