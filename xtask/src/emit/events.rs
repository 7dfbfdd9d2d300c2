//! `mod events`: the event triggers an API describes, as types.
//!
//! Read from the normalized document's `x-webhooks` (one entry per trigger,
//! each with `x-sailpoint-trigger` from the `trigger-ids` pass) and from the
//! generated `types` module, the module holds:
//! - `TRIGGERS`, one `TriggerInfo` per trigger;
//! - `Event`, one variant per trigger holding its payload type, and
//!   `Other`; it implements `sailpoint_runtime::triggers::Events`, which
//!   reads a payload by trigger id;
//! - `impl Trigger for types::Payload` (its id, type and answer type), for
//!   each payload type this crate defines and only one trigger delivers;
//! - `EXAMPLES`: each trigger's example payload, made from the spec's
//!   examples, which the tests read back.
//!
//! Nothing here is written per trigger: a trigger SailPoint adds is a new
//! variant at the next regen.

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, quote};
use serde_json::{Map, Value};
use syn::Item;

use crate::names::type_name;
use crate::passes::{Log, trigger_ids::EXTENSION};
use crate::spec::document::{deref, schema_ref_name};
use crate::syntax::module_items;

/// One trigger, as the module describes it.
struct Trigger {
    variant: syn::Ident,
    id: String,
    name: String,
    request_response: bool,
    id_in_spec: bool,
    id_from: String,
    payload: String,
    /// The answer's type, and whether it may be `null`.
    answer: Option<(String, bool)>,
    doc: String,
    example: Value,
}

/// The `events` module's items, and the type names they mention (for the
/// feature gates); `None` when the document describes no trigger.
pub struct Events {
    pub module: Item,
    pub mentions: BTreeSet<String>,
    /// One line per trigger for the report: `| id | type | payload | answer | id from |`.
    pub rows: Vec<String>,
}

const JSON: &str = "/content/application~1json/schema";

/// The module for `doc`, whose generated client is `client`; `log` says
/// what could not be typed.
pub fn emit(doc: &Value, client: &syn::File, log: &mut Log) -> Option<Events> {
    let defined = defined_types(client);
    let mut triggers: Vec<Trigger> = Vec::new();
    let mut variants = BTreeSet::new();
    for (key, item) in doc.get("x-webhooks").and_then(Value::as_object).into_iter().flatten() {
        let Some(post) = item.get("post") else { continue };
        let Some(meta) = post.get(EXTENSION) else { continue };
        let Some((payload_ty, _)) = post.pointer(&format!("/requestBody{JSON}")).and_then(named) else { continue };
        let id = meta["id"].as_str().unwrap_or_default().to_string();
        if !defined.contains_key(&payload_ty) {
            log.note("trigger whose payload has no type here: decoded as `Event::Other`", format!("{key} ({id})"));
            continue;
        }
        if triggers.iter().any(|t| t.id == id) {
            log.note("trigger id given twice: the second entry decodes as the first", format!("{key} ({id})"));
            continue;
        }
        let answer = post.pointer(&format!("/responses/200{JSON}")).and_then(named);
        let mut variant = type_name(key);
        while !variants.insert(variant.clone()) {
            variant.push('_');
        }
        let description = post.get("description").and_then(Value::as_str).unwrap_or_default();
        triggers.push(Trigger {
            variant: format_ident!("{}", variant),
            name: post.get("summary").and_then(Value::as_str).unwrap_or(key).to_string(),
            request_response: meta["type"] == "REQUEST_RESPONSE",
            id_in_spec: meta["idInSpec"] == true,
            id_from: meta["idFrom"].as_str().unwrap_or_default().to_string(),
            doc: description.split("\n\n").next().unwrap_or_default().trim().to_string(),
            example: example(doc, &post["requestBody"]["content"]["application/json"]["schema"], 0, key, log),
            payload: payload_ty,
            answer,
            id,
        });
    }
    if triggers.is_empty() {
        return None;
    }
    // The payload types one trigger delivers, defined here as a struct or an enum.
    let mut deliverers: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &triggers {
        *deliverers.entry(t.payload.as_str()).or_default() += 1;
    }
    let mut mentions = BTreeSet::new();
    let mut infos = Vec::new();
    let mut variants = Vec::new();
    let mut decode_arms = Vec::new();
    let mut id_arms = Vec::new();
    let mut type_arms = Vec::new();
    let mut json_arms = Vec::new();
    let mut impls = Vec::new();
    let mut examples = Vec::new();
    for t in &triggers {
        let Trigger { variant, id, name, .. } = t;
        let payload = format_ident!("{}", t.payload);
        mentions.insert(t.payload.clone());
        let kind = if t.request_response { quote!(RequestResponse) } else { quote!(FireAndForget) };
        let in_spec = t.id_in_spec;
        infos.push(quote! {
            TriggerInfo { id: #id, name: #name, trigger_type: TriggerType::#kind, id_in_spec: #in_spec }
        });
        let answers = match (&t.answer, t.request_response) {
            (Some((a, _)), _) => format!("request-response: answered with [`types::{a}`]"),
            (None, true) => "request-response: answered with any JSON value".to_string(),
            (None, false) => "fire and forget".to_string(),
        };
        let mut doc = format!(" **{name}** (`{id}`, {answers}).");
        if !t.doc.is_empty() {
            doc.push_str("\n\n");
            doc.push_str(&t.doc);
        }
        variants.push(quote! { #[doc = #doc] #variant(types::#payload) });
        decode_arms.push(quote! {
            #id => match read_payload(trigger_id, payload) {
                Ok(payload) => Self::#variant(payload),
                Err(other) => Self::Other(other),
            }
        });
        id_arms.push(quote! { Self::#variant(_) => #id });
        type_arms.push(quote! { Self::#variant(_) => TriggerType::#kind });
        json_arms.push(quote! { Self::#variant(payload) => serde_json::to_value(payload) });
        let example = serde_json::to_string(&t.example).unwrap_or_default();
        examples.push(quote! { (#id, #example) });
        let local = defined.get(&t.payload).copied().unwrap_or(false);
        if !local || deliverers[t.payload.as_str()] > 1 {
            log.note("payload type without `impl Trigger` (not defined here, or delivered by two triggers)", t.payload.clone());
            continue;
        }
        let answer = match &t.answer {
            Some((a, nullable)) => {
                mentions.insert(a.clone());
                let a = format_ident!("{}", a);
                if *nullable { quote!(Option<types::#a>) } else { quote!(types::#a) }
            }
            None if t.request_response => quote!(serde_json::Value),
            None => quote!(()),
        };
        impls.push(quote! {
            impl Trigger for types::#payload {
                const ID: &'static str = #id;
                const TYPE: TriggerType = TriggerType::#kind;
                type Answer = #answer;
            }
        });
    }
    let module = quote! {
        /// The event triggers of this API: each trigger's payload as a type,
        /// and [`Event`], which reads a delivered payload by trigger id.
        ///
        /// ```text
        /// use sailpoint_runtime::triggers::Events;
        /// let event = Event::decode("idn:identity-created", payload);
        /// ```
        pub mod events {
            use super::types;
            use sailpoint_runtime::triggers::{read_payload, Events, OtherEvent, Trigger, TriggerInfo, TriggerType};

            /// Every trigger this API describes.
            pub const TRIGGERS: &[TriggerInfo] = &[#(#infos),*];

            /// Each trigger's example payload (trigger id, JSON), made from
            /// the spec's examples.
            pub const EXAMPLES: &[(&str, &str)] = &[#(#examples),*];

            /// An event ISC delivered: its trigger's payload, typed.
            #[derive(Debug, Clone)]
            #[non_exhaustive]
            pub enum Event {
                #(#variants,)*
                /// A trigger this API does not describe, or a payload its
                /// trigger's type does not read: the JSON as delivered.
                Other(OtherEvent),
            }

            impl Events for Event {
                const TRIGGERS: &'static [TriggerInfo] = TRIGGERS;

                #[inline]
                fn decode(trigger_id: &str, payload: serde_json::Value) -> Self {
                    match trigger_id {
                        #(#decode_arms,)*
                        _ => Self::Other(OtherEvent::unknown(trigger_id, payload)),
                    }
                }

                fn trigger_id(&self) -> Option<&str> {
                    Some(match self {
                        #(#id_arms,)*
                        Self::Other(other) => return other.trigger_id(),
                    })
                }

                fn trigger_type(&self) -> Option<TriggerType> {
                    Some(match self {
                        #(#type_arms,)*
                        Self::Other(other) => {
                            let id = other.trigger_id()?;
                            return TRIGGERS.iter().find(|t| t.id == id).map(|t| t.trigger_type);
                        }
                    })
                }

                #[inline]
                fn to_json(&self) -> serde_json::Result<serde_json::Value> {
                    match self {
                        #(#json_arms,)*
                        Self::Other(other) => Ok(other.payload().clone()),
                    }
                }

                fn as_other(&self) -> Option<&OtherEvent> {
                    match self {
                        Self::Other(other) => Some(other),
                        _ => None,
                    }
                }
            }

            #(#impls)*
        }
    };
    let module: Item = syn::parse2(module).ok()?;
    let rows = triggers
        .iter()
        .map(|t| {
            let kind = if t.request_response { "REQUEST_RESPONSE" } else { "FIRE_AND_FORGET" };
            let answer = t.answer.as_ref().map(|(a, null)| format!("`{a}`{}", if *null { " or null" } else { "" }));
            let answer = answer.unwrap_or_else(|| "—".to_string());
            format!("| `{}` | {kind} | `Event::{}(types::{})` | {answer} | {} |", t.id, t.variant, t.payload, t.id_from)
        })
        .collect();
    Some(Events { module, mentions, rows })
}

/// The type a schema slot names: a component reference, or one the
/// `nullable-roots` pass wrapped (`{allOf: [$ref], nullable: true}`), which
/// may be `null`.
fn named(slot: &Value) -> Option<(String, bool)> {
    if let Some(name) = schema_ref_name(slot) {
        return Some((type_name(name), false));
    }
    let [only] = slot.get("allOf")?.as_array()?.as_slice() else { return None };
    Some((type_name(schema_ref_name(only)?), slot.get("nullable") == Some(&Value::Bool(true))))
}

/// Type name → whether `mod types` defines it as a struct or an enum
/// (`false`: an alias or a re-export, which takes no `impl Trigger` here).
fn defined_types(client: &syn::File) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for item in module_items(client, "types") {
        match item {
            Item::Struct(s) => {
                out.insert(s.ident.to_string(), true);
            }
            Item::Enum(e) => {
                out.insert(e.ident.to_string(), true);
            }
            Item::Type(t) => {
                out.insert(t.ident.to_string(), false);
            }
            Item::Use(u) => {
                let mut names = Vec::new();
                use_names(&u.tree, &mut names);
                out.extend(names.into_iter().map(|n| (n, false)));
            }
            _ => {}
        }
    }
    out
}

fn use_names(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, out),
        syn::UseTree::Name(n) => out.push(n.ident.to_string()),
        syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// A payload for `schema` from the spec's examples: the schema's own
/// example where it has one, else every property's, one item per array;
/// a value of the schema's type where the spec gives none, or gives one of
/// another type (noted in `log`: SailPoint's `count: 3` for a string).
fn example(doc: &Value, schema: &Value, depth: usize, at: &str, log: &mut Log) -> Value {
    let target = deref(doc, schema);
    let referenced = schema.get("$ref").and(target.get("example"));
    for e in [schema.get("example"), referenced].into_iter().flatten() {
        if fits(e, target) {
            return e.clone();
        }
        log.note("example of another type than its schema: a value of the schema's type used instead", at);
    }
    let schema = target;
    if depth > 8 {
        return Value::Null;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let own = schema.get("properties").and_then(Value::as_object);
        if let ([only], None) = (parts.as_slice(), own) {
            return example(doc, only, depth + 1, at, log);
        }
        // The members' fields, and the schema's own beside them.
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(m) = example(doc, part, depth + 1, at, log) {
                merged.extend(m);
            }
        }
        for (k, p) in own.into_iter().flatten() {
            merged.insert(k.clone(), example(doc, p, depth + 1, &format!("{at}.{k}"), log));
        }
        return Value::Object(merged);
    }
    if let Some(first) = ["oneOf", "anyOf"].iter().find_map(|k| schema.get(*k).and_then(Value::as_array)?.first()) {
        return example(doc, first, depth + 1, at, log);
    }
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|v| v.iter().find(|v| !v.is_null())) {
        return first.clone();
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        return Value::Object(
            props.iter().map(|(k, p)| (k.clone(), example(doc, p, depth + 1, &format!("{at}.{k}"), log))).collect(),
        );
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            Value::Array(vec![example(doc, schema.get("items").unwrap_or(&Value::Null), depth + 1, &format!("{at}[]"), log)])
        }
        Some("object") => Value::Object(Map::new()),
        Some("integer") => 1.into(),
        Some("number") => 1.5.into(),
        Some("boolean") => true.into(),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => "2024-01-02T03:04:05Z".into(),
            Some("date") => "2024-01-02".into(),
            Some("uuid") => "9a3a7b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b".into(),
            _ => "example".into(),
        },
        _ => Value::Null,
    }
}

/// Whether `example` is of the JSON type `schema` says (any, when it says none).
fn fits(example: &Value, schema: &Value) -> bool {
    if example.is_null() {
        return schema.get("nullable") == Some(&Value::Bool(true));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => example.is_string(),
        Some("integer") => example.is_i64() || example.is_u64(),
        Some("number") => example.is_number(),
        Some("boolean") => example.is_boolean(),
        Some("array") => example.is_array(),
        Some("object") => example.is_object(),
        _ => true,
    }
}

/// Rust tokens of the module, for the tests.
#[cfg(test)]
fn tokens(events: &Events) -> proc_macro2::TokenStream {
    quote::ToTokens::to_token_stream(&events.module)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_variant_per_typed_trigger_and_the_trait_where_it_may_be() {
        let content = |s: &str| json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{s}")}}});
        let trigger = |payload: &str, id: &str, kind: &str| {
            json!({"post": {
                "summary": payload, "description": "First paragraph.\n\nThis is a trigger.",
                "requestBody": {"content": content(payload)},
                EXTENSION: {"id": id, "type": kind, "idInSpec": true}
            }})
        };
        let mut pre = trigger("PreApproval", "idn:pre", "REQUEST_RESPONSE");
        pre["post"]["responses"] = json!({"200": {"description": "a", "content": content("PreAnswer")}});
        let doc = json!({
            "x-webhooks": {
                "Created": trigger("Created", "idn:created", "FIRE_AND_FORGET"),
                "Pre": pre,
                "Shared": trigger("SharedThing", "idn:shared", "FIRE_AND_FORGET"),
                "Missing": trigger("Missing", "idn:missing", "FIRE_AND_FORGET"),
                "Again": trigger("Created", "idn:created", "FIRE_AND_FORGET")
            },
            "components": {"schemas": {
                "Created": {"type": "object", "properties": {"id": {"type": "string", "example": "2c9"}, "n": {"type": "integer"}}},
                "PreApproval": {"type": "object", "example": {"accessRequestId": "a"}},
                "SharedThing": {"type": "object"}
            }}
        });
        let client: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Created {}
                pub struct PreApproval {}
                pub struct PreAnswer {}
                pub use other_crate::types::SharedThing;
            }
        };
        let mut log = Log::default();
        let events = emit(&doc, &client, &mut log).unwrap();
        let code = tokens(&events).to_string().replace(' ', "");
        assert!(code.contains("Created(types::Created)") && code.contains("Pre(types::PreApproval)"), "{code}");
        assert!(code.contains("Shared(types::SharedThing)"), "a re-exported type is still a variant");
        assert!(!code.contains("Missing"), "a payload with no type is not a variant");
        assert!(code.contains("implTriggerfortypes::Created{constID:&'staticstr=\"idn:created\";constTYPE:TriggerType=TriggerType::FireAndForget;typeAnswer=();}"));
        assert!(code.contains("typeAnswer=types::PreAnswer;"));
        assert!(!code.contains("implTriggerfortypes::SharedThing"), "no impl on another crate's type");
        assert!(code.contains(r#"("idn:created","{\"id\":\"2c9\",\"n\":1}")"#), "{code}");
        assert_eq!(events.mentions, BTreeSet::from(["Created", "PreApproval", "PreAnswer", "SharedThing"].map(String::from)));
        assert_eq!(log.count(), 3, "{log:?}");
    }

    #[test]
    fn examples_follow_the_schema_where_the_spec_example_does_not() {
        let doc = json!({"components": {"schemas": {
            "Results": {"type": "object", "properties": {
                "count": {"type": "string", "example": 3},
                "name": {"type": "string", "example": "kept"},
                "when": {"type": "string", "format": "date-time"},
                "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}], "nullable": true},
                "tags": {"type": "array", "items": {"type": "integer"}}
            }},
            "Kind": {"type": "string", "enum": [null, "IDENTITY"]},
            "Signed": {"allOf": [{"$ref": "#/components/schemas/Kind"}, {"properties": {"base": {"type": "boolean"}}}],
                "properties": {"own": {"type": "integer"}}}
        }}});
        let mut log = Log::default();
        let made = example(&doc, &json!({"$ref": "#/components/schemas/Results"}), 0, "Results", &mut log);
        assert_eq!(
            made,
            json!({"count": "example", "name": "kept", "when": "2024-01-02T03:04:05Z", "kind": "IDENTITY", "tags": [1]})
        );
        let signed = example(&doc, &json!({"$ref": "#/components/schemas/Signed"}), 0, "Signed", &mut log);
        assert_eq!(signed, json!({"base": true, "own": 1}), "the members' fields and the schema's own");
        assert_eq!(
            log.changes,
            vec![(
                "example of another type than its schema: a value of the schema's type used instead".to_string(),
                vec!["Results.count".to_string()]
            )]
        );
    }
}
