//! What changed between two surfaces of one crate, each change classified
//! by what it does to code written against the old crate.
//!
//! Breaking: code that compiled may no longer compile, or may behave or
//! decode differently. Additive: such code compiles and behaves as before.
//! The rules, and why:
//! - an operation, setter, alias, type, field or variant removed, or a type
//!   changed: breaking (code naming it stops compiling);
//! - an operation's method renamed (a new `operationId` on the same method
//!   and path): breaking, shown as a rename;
//! - a field added: breaking. A struct literal that lists every field stops
//!   compiling (one with `..Default::default()` does not), and a field
//!   that used to land in the struct's unknown-field map no longer does;
//! - a variant added: breaking. An exhaustive `match` stops compiling, and
//!   the value that decoded to `Unknown(..)` decodes to the new variant;
//! - a setter added: additive when optional; breaking when required
//!   (`send()` fails until it is set);
//! - a setter made required: breaking; made optional: additive;
//! - experimental set: breaking (the call is refused unless the client or
//!   the call opts in); cleared: additive;
//! - deprecated set or cleared: additive (code still compiles as before);
//! - a field that now defaults when absent: additive (what decoded still
//!   decodes); one that no longer does: breaking;
//! - an operation, alias, type or `.stream()` added: additive.
//!
//! The facts of an operation or type that was added or removed as a whole
//! are not listed again one by one.

use std::collections::BTreeSet;

use super::surface::{Key, Kind, Surface};

/// What a change does to code written against the old crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    Breaking,
    Additive,
}

/// One change, in words.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub effect: Effect,
    /// What it is about: `GET /accounts`, or the type `Account`.
    pub subject: String,
    /// What changed, naming the Rust item.
    pub text: String,
}

/// Every change from `old` to `new`, breaking ones first, then by subject.
pub fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let whole = |s: &Surface, other: &Surface| -> BTreeSet<(bool, String)> {
        s.0.keys()
            .filter(|k| matches!(k.kind, Kind::Operation | Kind::Type) && !has_subject(other, k))
            .map(|k| (k.kind == Kind::Operation, k.subject.clone()))
            .collect()
    };
    let removed_whole = whole(old, new);
    let added_whole = whole(new, old);
    let within = |set: &BTreeSet<(bool, String)>, k: &Key| {
        let op = of_operation(k);
        (matches!(k.kind, Kind::Field | Kind::Variant | Kind::Deprecated) || op)
            && !matches!(k.kind, Kind::Operation | Kind::Type)
            && set.contains(&(op, k.subject.clone()))
    };
    // A method another version named that is now an operation's own is
    // still there: its operation's entry says so.
    let now_own = |k: &Key| k.kind == Kind::Alias && new.0.iter().any(|(nk, nv)| nk.kind == Kind::Operation && *nv == k.name);
    let mut out = Vec::new();
    for (k, v) in &old.0 {
        match new.0.get(k) {
            None if !within(&removed_whole, k) && !now_own(k) => out.push(removed(k, v)),
            Some(n) if n != v => out.push(changed(k, v, n)),
            _ => {}
        }
    }
    for (k, v) in &new.0 {
        if !old.0.contains_key(k) && !within(&added_whole, k) {
            out.push(added(k, v, new));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the fact is about an operation (subject `METHOD /path`), not a type.
fn of_operation(k: &Key) -> bool {
    k.kind.of_operation() && k.subject.contains(' ')
}

/// Whether `s` has the operation or type `k` is about.
fn has_subject(s: &Surface, k: &Key) -> bool {
    s.0.contains_key(&Key { kind: k.kind, subject: k.subject.clone(), name: String::new() })
}

/// The subject as the changelog names it.
fn subject(k: &Key) -> String {
    match k.kind {
        Kind::Type | Kind::Field | Kind::Variant => format!("type `{}`", k.subject),
        Kind::Deprecated if !of_operation(k) => format!("type `{}`", k.subject),
        Kind::Alias => "`Client`".to_string(),
        _ => format!("`{}`", k.subject),
    }
}

fn change(effect: Effect, k: &Key, text: String) -> Change {
    Change { effect, subject: subject(k), text }
}

fn removed(k: &Key, v: &str) -> Change {
    use Effect::*;
    let n = &k.name;
    match k.kind {
        Kind::Operation => change(Breaking, k, format!("operation removed: method `Client::{v}`")),
        Kind::Experimental => change(Additive, k, "no longer experimental: sent without the opt-in".into()),
        Kind::Deprecated => change(Additive, k, format!("{} no longer deprecated", deprecated_what(k))),
        Kind::Features => change(Breaking, k, format!("no longer behind the feature(s) {v}")),
        Kind::Setter => change(Breaking, k, format!("parameter removed: setter `.{n}()`")),
        Kind::Response => change(Breaking, k, format!("no longer decodes a success (was `{v}`)")),
        Kind::Stream => change(Breaking, k, format!("`.stream()` removed ({v} paging)")),
        Kind::Alias => change(Breaking, k, format!("method `Client::{n}` removed (another version's name)")),
        Kind::Type => change(Breaking, k, format!("type removed: `types::{}` ({v})", k.subject)),
        Kind::Field => change(Breaking, k, format!("field `{n}` removed: `{}`", field_name(v))),
        Kind::Variant => change(Breaking, k, format!("value `{n}` removed: variant `{}`", variant_name(v))),
    }
}

fn added(k: &Key, v: &str, new: &Surface) -> Change {
    use Effect::*;
    let n = &k.name;
    match k.kind {
        Kind::Operation => {
            let features = new.0.get(&Key { kind: Kind::Features, subject: k.subject.clone(), name: String::new() });
            let behind = features.map(|f| format!(" (feature {f})")).unwrap_or_default();
            change(Additive, k, format!("operation added: method `Client::{v}`{behind}"))
        }
        Kind::Experimental => change(Breaking, k, "now experimental: refused unless the client or the call opts in".into()),
        Kind::Deprecated => change(Additive, k, format!("{} deprecated", deprecated_what(k))),
        Kind::Features => change(Breaking, k, format!("now behind the feature(s) {v}")),
        Kind::Setter if v.ends_with(", required") => change(
            Breaking,
            k,
            format!("required parameter added: setter `.{n}({})`: `send()` fails until it is set", setter_value(v)),
        ),
        Kind::Setter => change(Additive, k, format!("optional parameter added: setter `.{n}({})`", setter_value(v))),
        Kind::Response => change(Breaking, k, format!("a success now decodes to `{v}`")),
        Kind::Stream => change(Additive, k, format!("`.stream()` added ({v} paging)")),
        Kind::Alias => change(Additive, k, format!("method `Client::{n}` added (another version's name)")),
        Kind::Type => change(Additive, k, format!("type added: `types::{}` ({v})", k.subject)),
        Kind::Field => change(
            Breaking,
            k,
            format!("field `{n}` added: `{}` (a struct literal without `..Default::default()` must name it)", field_text(v)),
        ),
        Kind::Variant => change(
            Breaking,
            k,
            format!(
                "value `{n}` added: variant `{}` (an exhaustive `match` must name it; it no longer decodes to `Unknown`)",
                variant_name(v)
            ),
        ),
    }
}

fn changed(k: &Key, old: &str, new: &str) -> Change {
    use Effect::*;
    let n = &k.name;
    match k.kind {
        Kind::Operation => change(Breaking, k, format!("method renamed: `Client::{old}` → `Client::{new}`")),
        Kind::Features => change(Breaking, k, format!("feature(s) {old} → {new}")),
        Kind::Setter => {
            let (was, is) = (old.ends_with(", required"), new.ends_with(", required"));
            let (ot, nt) = (setter_value(old), setter_value(new));
            if ot == nt && was && !is {
                change(Additive, k, format!("parameter made optional: setter `.{n}()`"))
            } else if ot == nt && !was && is {
                change(Breaking, k, format!("parameter made required: setter `.{n}()`: `send()` fails until it is set"))
            } else {
                change(Breaking, k, format!("parameter retyped: setter `.{n}()`: `{old}` → `{new}`"))
            }
        }
        Kind::Response => change(Breaking, k, format!("success retyped: `{old}` → `{new}`")),
        Kind::Stream => change(Breaking, k, format!("`.stream()` paging: {old} → {new}")),
        Kind::Alias => change(Breaking, k, format!("method `Client::{n}`: {old} → {new}")),
        Kind::Type => change(Breaking, k, format!("type changed: `types::{}`: {old} → {new}", k.subject)),
        Kind::Field if field_text(old) == field_text(new) => {
            if new.ends_with(", defaulted") {
                change(Additive, k, format!("field `{n}` now defaults when absent: `{}`", field_text(new)))
            } else {
                change(Breaking, k, format!("field `{n}` no longer defaults: a value without it fails to decode"))
            }
        }
        Kind::Field => {
            let (ot, nt) = (field_type(old), field_type(new));
            let what = if unwrap_option(ot) == Some(nt) {
                "made required"
            } else if unwrap_option(nt) == Some(ot) {
                "made optional"
            } else if ot == nt {
                "renamed in Rust"
            } else {
                "retyped"
            };
            change(Breaking, k, format!("field `{n}` {what}: `{}` → `{}`", field_text(old), field_text(new)))
        }
        Kind::Variant => change(Breaking, k, format!("value `{n}`: variant `{old}` → `{new}`")),
        Kind::Experimental | Kind::Deprecated => change(Additive, k, format!("{}: {old} → {new}", k.kind.word())),
    }
}

/// What a `Deprecated` fact is about, in words.
fn deprecated_what(k: &Key) -> String {
    match (of_operation(k), k.name.is_empty()) {
        (true, true) => "operation".into(),
        (true, false) => format!("parameter: setter `.{}()`", k.name),
        _ => format!("field `{}`", k.name),
    }
}

fn setter_value(v: &str) -> &str {
    v.strip_suffix(", required").unwrap_or(v)
}

fn field_text(v: &str) -> &str {
    v.strip_suffix(", defaulted").unwrap_or(v)
}

fn field_name(v: &str) -> &str {
    v.split_once(": ").map_or(v, |(n, _)| n)
}

fn field_type(v: &str) -> &str {
    field_text(v).split_once(": ").map_or(v, |(_, t)| t)
}

fn variant_name(v: &str) -> &str {
    v.split(['(', ' ']).next().unwrap_or(v)
}

fn unwrap_option(t: &str) -> Option<&str> {
    t.strip_prefix("Option<")?.strip_suffix('>')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface(lines: &str) -> Surface {
        Surface::parse(&lines.replace(" | ", "\t")).unwrap()
    }

    #[test]
    fn the_facts_of_a_removed_operation_are_one_change() {
        let old = surface(
            "operation | GET /a |  | get_a()\nsetter | GET /a | limit | i32\nresponse | GET /a |  | Vec<A>\n\
             operation | GET /b |  | get_b()\n",
        );
        let new = surface("operation | GET /b |  | get_b()\n");
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].effect, Effect::Breaking);
        assert!(changes[0].text.contains("Client::get_a()"), "{changes:?}");
    }

    #[test]
    fn an_alias_that_becomes_an_operation_is_not_removed() {
        let old = surface("alias |  | list_x() | builder GetX\noperation | GET /x |  | get_x()\n");
        let new = surface("operation | GET /x |  | get_x()\noperation | GET /xs |  | list_x()\n");
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].text.contains("operation added"), "{changes:?}");
    }

    #[test]
    fn the_deprecated_fields_of_a_removed_type_are_not_listed_again() {
        let old = surface("type | A |  | struct\nfield | A | n | n: String\ndeprecated | A | n | yes\n");
        let changes = diff(&old, &surface(""));
        assert_eq!(changes.len(), 1, "{changes:?}");
    }

    #[test]
    fn a_field_made_required_says_so() {
        let old = surface("type | A |  | struct\nfield | A | n | n: Option<String>\n");
        let new = surface("type | A |  | struct\nfield | A | n | n: String\n");
        let changes = diff(&old, &new);
        assert!(changes[0].text.contains("made required"), "{changes:?}");
    }
}
