//! The contract tests' calls: every `GET` operation, and every operation of
//! the seed APIs (`SEED_TAGS`).
//!
//! `tests/tests/generated/contract_calls_<version>.rs` holds, per operation,
//! a call through the generated builder with every required parameter set to
//! a value valid for the spec: the first enum value, else the parameter's
//! own example (when it has the declared type), else its default, else a
//! value of its format (`uuid`, `date-time`, `date`), an integer within its
//! bounds, `true`, or an ISC-style 32-hex id. Parameters the spec leaves
//! optional are left out. A JSON request body is the spec's own example,
//! decoded into the SDK's type at run time (an example the type refuses is
//! a finding the tests report). The Rust type of each argument is read from
//! the builder progenitor generated, so what the tests call is what users
//! call. Multipart operations have their own builders and are called by
//! hand in the tests.

use std::collections::BTreeMap;
use std::str::FromStr;

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use serde_json::Value;
use syn::{Item, Type};

use crate::emit::metadata::OperationMeta;
use crate::names::{method_name, type_name};
use crate::spec::document::deref;

/// The tags whose every operation the contract tests call.
pub const SEED_TAGS: [&str; 3] = ["Sources", "Password Sync Groups", "Password Policies"];
use crate::syntax::{generic_arg, last_ident, module_items};

/// A spec-valid value, before it is given a Rust type.
#[derive(Debug, Clone, PartialEq)]
enum Sample {
    Str(String),
    Int(i64),
    Num(f64),
    Bool(bool),
    List(Box<Sample>),
}

/// An ISC object id (32 lowercase hex digits), for ids without an example.
const ID: &str = "2c9180835d2e5168015d32f890ca1581";

fn scalar_from_json(v: &Value) -> Option<Sample> {
    match v {
        Value::String(s) => Some(Sample::Str(s.clone())),
        Value::Bool(b) => Some(Sample::Bool(*b)),
        Value::Number(n) => n.as_i64().map(Sample::Int).or_else(|| n.as_f64().map(Sample::Num)),
        _ => None,
    }
}

/// A value valid for `schema`, preferring `example` when it fits.
fn sample(doc: &Value, schema: &Value, example: Option<&Value>) -> Sample {
    let schema = deref(doc, schema);
    let first_enum = schema.get("enum").and_then(Value::as_array).and_then(|e| e.iter().find(|v| !v.is_null()));
    if let Some(s) = first_enum.and_then(scalar_from_json) {
        return s;
    }
    let example = example.or_else(|| schema.get("example")).or_else(|| schema.get("default"));
    match schema.get("type").and_then(Value::as_str).unwrap_or("string") {
        "array" => {
            let first = match example {
                Some(Value::Array(items)) => items.first(),
                other => other.filter(|v| !v.is_array() && !v.is_object()),
            };
            Sample::List(Box::new(sample(doc, schema.get("items").unwrap_or(&Value::Null), first)))
        }
        "integer" => {
            let min = schema.get("minimum").and_then(Value::as_i64);
            let max = schema.get("maximum").and_then(Value::as_i64);
            let fits = |n: i64| min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m);
            match example.and_then(Value::as_i64) {
                Some(n) if fits(n) => Sample::Int(n),
                _ => {
                    let n = min.unwrap_or(1);
                    Sample::Int(max.map_or(n, |m| n.min(m)))
                }
            }
        }
        "number" => Sample::Num(example.and_then(Value::as_f64).unwrap_or(1.0)),
        "boolean" => Sample::Bool(example.and_then(Value::as_bool).unwrap_or(true)),
        _ => {
            // `opaque-ids` moved `format: uuid` aside
            let format =
                ["format", "x-sailpoint-format"].iter().find_map(|k| schema.get(*k)).and_then(Value::as_str).unwrap_or_default();
            match (example.and_then(Value::as_str), format) {
                (Some(s), "uuid") if is_uuid(s) => Sample::Str(s.to_string()),
                (Some(s), f) if f != "uuid" => Sample::Str(s.to_string()),
                (_, "uuid") => Sample::Str("0f11f2a4-7c94-4bf3-a2bd-742580fe3bde".into()),
                (_, "date-time") => Sample::Str("2024-01-01T00:00:00Z".into()),
                (_, "date") => Sample::Str("2024-01-01".into()),
                (_, _) => Sample::Str(ID.into()),
            }
        }
    }
}

/// An RFC 4122 UUID as JSON Schema's `uuid` format checks it (version 1 to
/// 8, variant `10xx`); some of the spec's examples are not.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let shape = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    let hex = groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()));
    shape && hex && matches!(s.as_bytes()[14], b'1'..=b'8') && matches!(s.as_bytes()[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

/// A JSON value valid for `schema`, built like `sample` but for whole
/// bodies: the schema's own example where it has one, else its required
/// properties (and only those), one item per array.
fn schema_example(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = deref(doc, schema);
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if depth > 8 {
        return Value::Null;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = serde_json::Map::new();
        for part in parts {
            if let Value::Object(m) = schema_example(doc, part, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    if let Some(first) = ["oneOf", "anyOf"].iter().find_map(|k| schema.get(*k).and_then(Value::as_array).and_then(|v| v.first()))
    {
        return schema_example(doc, first, depth + 1);
    }
    let is_object = schema.get("type").and_then(Value::as_str) == Some("object") || schema.get("properties").is_some();
    if is_object {
        let props = schema.get("properties").and_then(Value::as_object);
        // `required-nullables` moved some required names aside
        let required = ["required", "x-sailpoint-required-nullable"]
            .iter()
            .filter_map(|k| schema.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str);
        let object =
            required.filter_map(|name| Some((name.to_string(), schema_example(doc, props?.get(name)?, depth + 1)))).collect();
        return Value::Object(object);
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return Value::Array(vec![schema_example(doc, schema.get("items").unwrap_or(&Value::Null), depth + 1)]);
    }
    fn json(s: Sample) -> Value {
        match s {
            Sample::Str(s) => Value::String(s),
            Sample::Int(n) => n.into(),
            Sample::Num(x) => x.into(),
            Sample::Bool(b) => b.into(),
            Sample::List(x) => Value::Array(vec![json(*x)]),
        }
    }
    json(sample(doc, schema, None))
}

fn type_text(ty: &Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}

const INTEGERS: [&str; 10] = ["i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize"];

/// `sample` as a Rust expression that a setter taking `ty` accepts.
fn render(sample: &Sample, ty: &Type) -> Option<TokenStream> {
    let t = type_text(ty);
    let is_string = t == "::std::string::String";
    let int = |text: String| syn::LitInt::new(&text, Span::call_site()).into_token_stream();
    let float = |text: String| syn::LitFloat::new(&text, Span::call_site()).into_token_stream();
    Some(match sample {
        Sample::Str(s) if is_string => quote!(#s),
        Sample::Str(s) => quote!(parsed::<#ty>(#s)),
        Sample::Int(n) if INTEGERS.contains(&t.as_str()) => int(format!("{n}{t}")),
        Sample::Int(n) if t == "f64" || t == "f32" => float(format!("{n}.0{t}")),
        Sample::Int(n) if is_string => {
            let text = n.to_string();
            quote!(#text)
        }
        Sample::Num(x) if t == "f64" || t == "f32" => float(format!("{x:?}{t}")),
        Sample::Bool(b) if t == "bool" => quote!(#b),
        Sample::List(item) => {
            let elem = generic_arg(ty, "Vec")?;
            let rendered = render(item, elem)?;
            let owned = if type_text(elem) == "::std::string::String" { quote!(#rendered.to_string()) } else { rendered };
            quote!(vec![#owned])
        }
        _ => return None,
    })
}

/// `types::builder::X` (what the builder keeps), or `Option<types::builder::X>`
/// for a required body (see `rewrites::required_bodies`) → `types::X` (what
/// `body()` takes).
fn body_type(ty: &Type) -> Type {
    let mut ty = generic_arg(ty, "Option").unwrap_or(ty).clone();
    if let Type::Path(p) = &mut ty {
        let segs: Vec<_> = p.path.segments.iter().filter(|s| s.ident != "builder").cloned().collect();
        p.path.segments = segs.into_iter().collect();
    }
    ty
}

/// The JSON bodies to send: the media type's `example` (else its first
/// `examples` value), and one made from its schema (`schema_example`),
/// which the tests send when the spec's own example breaks the schema.
fn body_examples(doc: &Value, op: &Value) -> (Option<Value>, Option<Value>) {
    let Some(media) = deref(doc, op.get("requestBody").unwrap_or(&Value::Null))
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.iter().find(|(k, _)| k.contains("json")).map(|(_, v)| v))
    else {
        return (None, None);
    };
    let named = media.get("examples").and_then(Value::as_object).and_then(|m| m.values().next());
    let example = media.get("example").cloned().or_else(|| named.and_then(|e| deref(doc, e).get("value").cloned()));
    (example, media.get("schema").map(|s| schema_example(doc, s, 0)))
}

/// A raw string literal holding `text` (a JSON body reads as itself).
fn raw_string(text: &str) -> Literal {
    let hashes = "#".repeat((1..).find(|n| !text.contains(&format!("\"{}", "#".repeat(*n)))).unwrap_or(1));
    Literal::from_str(&format!("r{hashes}\"{text}\"{hashes}")).unwrap_or_else(|_| Literal::string(text))
}

/// Builder name → its required parameter fields (name, type), in order.
fn required_fields(file: &syn::File) -> BTreeMap<String, Vec<(String, Type)>> {
    let mut out = BTreeMap::new();
    for item in module_items(file, "builder") {
        let Item::Struct(s) = item else { continue };
        let mut fields = Vec::new();
        for f in &s.fields {
            let Some(ident) = &f.ident else { continue };
            let name = ident.to_string();
            if name == "client" {
                continue;
            }
            let Some(inner) = generic_arg(&f.ty, "Result") else { continue };
            if name != "body" && last_ident(inner).as_deref() == Some("Option") {
                continue;
            }
            fields.push((name, body_type(inner)));
        }
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// The spec parameter of `op` whose Rust name is `field`.
fn parameter<'d>(doc: &'d Value, op: &OperationMeta, field: &str) -> Option<&'d Value> {
    let params = doc["paths"][&op.path][op.method.to_ascii_lowercase()].get("parameters")?.as_array()?;
    params.iter().map(|p| deref(doc, p)).find(|p| p["name"].as_str().is_some_and(|n| method_name(n) == field))
}

/// The call of `op` with `body` (an expression of type `fn(&Client) -> BoxFuture<…>`).
fn call_expr(doc: &Value, op: &OperationMeta, fields: &[(String, Type)], body: Option<&str>) -> Result<TokenStream, String> {
    let method = format_ident!("{}", method_name(&op.operation_id));
    let mut chain = quote!(c.#method());
    for (field, ty) in fields {
        if field == "body" {
            if let Some(json) = body {
                let json = raw_string(json);
                chain = quote!(#chain.body(example::<#ty>(#json)?));
            }
            continue;
        }
        let param = parameter(doc, op, field).ok_or_else(|| format!("required `{field}` is not a declared parameter"))?;
        let value = sample(doc, param.get("schema").unwrap_or(&Value::Null), param.get("example"));
        let expr = render(&value, ty).ok_or_else(|| format!("no `{}` value for `{field}` from {value:?}", type_text(ty)))?;
        let setter = format_ident!("{field}");
        chain = quote!(#chain.#setter(#expr));
    }
    // The value too: a 2xx whose body does not decode is `Ok` from `send()`.
    Ok(quote!(|c| Box::pin(async move { #chain.send().await.and_then(|r| r.into_inner()).map(drop).map_err(sdk) })))
}

/// The `Call { … }` of `op`, or why there is none. Its body is the spec's
/// example; when that differs from the schema-made one, the latter is the
/// `fallback`.
fn call(doc: &Value, op: &OperationMeta, fields: &[(String, Type)]) -> Result<TokenStream, String> {
    let spec_op = &doc["paths"][&op.path][op.method.to_ascii_lowercase()];
    let body_type = fields.iter().find(|(f, _)| f == "body").map(|(_, ty)| type_text(ty));
    let (example, from_schema) = body_examples(doc, spec_op);
    let empty_list = body_type.as_deref().is_some_and(|t| t.starts_with("::std::vec::Vec<")).then(|| Value::Array(Vec::new()));
    let from_spec = example.is_some();
    let (first, fallback) = match (body_type, example, from_schema.or(empty_list)) {
        (None, _, _) => (None, None),
        (Some(_), Some(e), Some(s)) if e != s => (Some(e), Some(s)),
        (Some(_), e, s) => (e.or(s), None),
    };
    let first = first.map(|v| v.to_string());
    let body = match first.as_deref() {
        Some(b) => {
            let b = raw_string(b);
            quote!(Some(#b))
        }
        None => quote!(None),
    };
    let is_spec_example = from_spec && first.is_some();
    let call = call_expr(doc, op, fields, first.as_deref())?;
    let fallback = match fallback.map(|v| v.to_string()) {
        Some(b) => {
            let call = call_expr(doc, op, fields, Some(&b))?;
            quote!(Some(Fallback { call: #call }))
        }
        None => quote!(None),
    };
    let (operation_id, method, path) = (&op.operation_id, &op.method, &op.path);
    Ok(quote! {
        Call {
            operation_id: #operation_id,
            method: #method,
            path: #path,
            body: #body,
            body_is_spec_example: #is_spec_example,
            call: #call,
            fallback: #fallback,
        }
    })
}

/// The calls of the given operations, and the ones left out (with why).
fn calls<'o>(
    doc: &Value,
    builders: &BTreeMap<String, Vec<(String, Type)>>,
    ops: impl Iterator<Item = &'o OperationMeta>,
) -> (Vec<TokenStream>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for op in ops {
        let made = match builders.get(&type_name(&op.operation_id)) {
            Some(fields) => call(doc, op, fields),
            None => Err("no builder".to_string()),
        };
        match made {
            Ok(call) => out.push(call),
            Err(why) => skipped.push(format!("{}: {why}", op.operation_id)),
        }
    }
    (out, skipped)
}

/// The file's inner docs: one attribute per line of `text`.
fn inner_docs(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#![doc = #lines])*)
}

/// The doc lines of a table: how many calls, and the operations left out.
fn table_doc(what: &str, called: usize, skipped: &[String]) -> String {
    let mut text = format!("{what} ({called} called; not called: {}).", skipped.len());
    for s in skipped {
        text.push_str(&format!("\n- {s}"));
    }
    text
}

/// Pretty-prints a generated file (the calls are data: never an error).
fn print(tokens: TokenStream) -> String {
    crate::emit::pretty(tokens).unwrap_or_else(|e| format!("compile_error!({:?});\n", e.to_string()))
}

/// The generated file's body (without the generated-file header).
pub fn emit(doc: &Value, file: &syn::File, ops: &[OperationMeta], version: &str) -> String {
    let builders = required_fields(file);
    let krate = format!("sailpoint_{version}");
    let krate_ident = format_ident!("{krate}");
    let accessor = format_ident!("{version}");
    let (gets, gets_skipped) = calls(doc, &builders, ops.iter().filter(|o| o.method.eq_ignore_ascii_case("get") && !o.multipart));
    let (seed, seed_skipped) = calls(doc, &builders, ops.iter().filter(|o| SEED_TAGS.contains(&o.tag.as_str()) && !o.multipart));
    let docs = inner_docs(&format!(
        "Calls of `{krate}` operations with their required parameters, for the contract tests.\n{}\n{}",
        table_doc("`GETS`: every `GET` operation", gets.len(), &gets_skipped),
        table_doc(&format!("`SEED`: every operation tagged {SEED_TAGS:?} but the multipart ones"), seed.len(), &seed_skipped),
    ));
    let tags = SEED_TAGS.iter();
    let tag_count = Literal::usize_unsuffixed(SEED_TAGS.len());
    print(quote! {
        #docs
        #[allow(unused_imports)]
        use crate::{Call, Fallback, example, parsed, sdk};
        #[allow(unused_imports)]
        use #krate_ident::{Client, types};

        /// The tags whose every operation (but the multipart ones) `SEED` calls.
        pub const SEED_TAGS: [&str; #tag_count] = [#(#tags),*];

        pub const GETS: &[Call<Client>] = &[#(#gets),*];

        pub const SEED: &[Call<Client>] = &[#(#seed),*];

        /// Every operation of `SEED_TAGS` but the multipart ones, against Prism.
        #[tokio::test]
        async fn seed_every_operation() {
            crate::seed(#version, |c| c.#accessor(), (SEED, &SEED_TAGS), #krate_ident::OPERATIONS).await;
        }

        /// Every `GET` operation, against Prism.
        #[tokio::test]
        async fn sweep_every_get() {
            crate::sweep(#version, |c| c.#accessor(), GETS, #krate_ident::OPERATIONS).await;
        }
    })
}

/// The call tables of one service (without the generated-file header):
/// `GETS`, and for a seed service (`contract_seed` in `openapi/specs.toml`)
/// `SEED`. The tests that run them, one for
/// all services on one Prism, are in the registry's module list.
pub fn emit_service(doc: &Value, file: &syn::File, ops: &[OperationMeta], service: &str, seeded: bool) -> String {
    let builders = required_fields(file);
    let krate = format!("sailpoint_{}", service.replace('-', "_"));
    let krate_ident = format_ident!("{krate}");
    let (gets, gets_skipped) = calls(doc, &builders, ops.iter().filter(|o| o.method.eq_ignore_ascii_case("get") && !o.multipart));
    let (seed, seed_skipped) =
        if seeded { calls(doc, &builders, ops.iter().filter(|o| !o.multipart)) } else { (Vec::new(), Vec::new()) };
    let seed_doc = if seeded {
        table_doc("`SEED`: every operation but the multipart ones", seed.len(), &seed_skipped)
    } else {
        "`SEED`: none (not a seed service).".to_string()
    };
    let docs = inner_docs(&format!(
        "Calls of `{krate}` operations with their required parameters, for the contract tests.\n{}\n{seed_doc}",
        table_doc("`GETS`: every `GET` operation", gets.len(), &gets_skipped),
    ));
    print(quote! {
        #docs
        #[allow(unused_imports)]
        use crate::{Call, Fallback, example, parsed, sdk};
        #[allow(unused_imports)]
        use #krate_ident::{Client, types};

        pub const GETS: &[Call<Client>] = &[#(#gets),*];

        #[allow(dead_code)]
        pub const SEED: &[Call<Client>] = &[#(#seed),*];
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn samples_follow_enums_examples_and_formats() {
        let doc = json!({});
        assert_eq!(sample(&doc, &json!({"type": "string", "enum": ["A", "B"]}), Some(&json!("Z"))), Sample::Str("A".into()));
        assert_eq!(sample(&doc, &json!({"type": "string"}), Some(&json!("ex"))), Sample::Str("ex".into()));
        assert_eq!(
            sample(&doc, &json!({"type": "string", "format": "uuid"}), None),
            Sample::Str("0f11f2a4-7c94-4bf3-a2bd-742580fe3bde".into())
        );
        assert_eq!(sample(&doc, &json!({"type": "integer", "minimum": 5}), Some(&json!(2))), Sample::Int(5));
        assert_eq!(sample(&doc, &json!({"type": "integer", "maximum": 0}), None), Sample::Int(0));
        assert_eq!(
            sample(&doc, &json!({"type": "array", "items": {"type": "string"}}), Some(&json!(["x", "y"]))),
            Sample::List(Box::new(Sample::Str("x".into())))
        );
    }

    #[test]
    fn raw_strings_outlast_their_content() {
        assert_eq!(raw_string("{}").to_string(), "r#\"{}\"#");
        assert_eq!(raw_string("\"#a").to_string(), "r##\"\"#a\"##");
    }

    #[test]
    fn body_examples_come_from_the_media_type_and_its_schema() {
        let doc = json!({"components": {"examples": {"E": {"value": {"b": 2}}}}});
        let inline = json!({"requestBody": {"content": {"application/json": {"example": {"a": 1}}}}});
        assert_eq!(body_examples(&doc, &inline), (Some(json!({"a": 1})), None));
        let named = json!({"requestBody": {"content": {"application/json-patch+json": {"examples": {"x": {"$ref": "#/components/examples/E"}}}}}});
        assert_eq!(body_examples(&doc, &named).0, Some(json!({"b": 2})));
        let schema = json!({"requestBody": {"content": {"application/json": {"schema": {"example": [1]}}}}});
        assert_eq!(body_examples(&doc, &schema), (None, Some(json!([1]))));
        assert_eq!(body_examples(&doc, &json!({})), (None, None));
        let built = json!({"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["n", "t"],
            "properties": {"n": {"type": "string", "example": "x"}, "t": {"type": "array", "items": {"type": "integer"}}, "o": {"type": "string"}}}}}}});
        assert_eq!(body_examples(&doc, &built).1, Some(json!({"n": "x", "t": [1]})));
    }

    #[test]
    fn uuids_follow_rfc_4122() {
        assert!(is_uuid("0f11f2a4-7c94-4bf3-a2bd-742580fe3bde"));
        assert!(!is_uuid("2b838de9-db9b-abcf-e646-d4f274ad4238"));
        assert!(!is_uuid("2c9180835d2e5168015d32f890ca1581"));
        let doc = json!({});
        let uuid = json!({"type": "string", "format": "uuid"});
        assert_eq!(sample(&doc, &uuid, Some(&json!("not-a-uuid"))), Sample::Str("0f11f2a4-7c94-4bf3-a2bd-742580fe3bde".into()));
    }

    #[test]
    fn renders_for_the_setter_type() {
        let ty = |s: &str| syn::parse_str::<Type>(s).unwrap();
        let rendered = |sample: &Sample, t: &str| render(sample, &ty(t)).map(|e| e.to_string());
        assert_eq!(rendered(&Sample::Str("a".into()), "::std::string::String").unwrap(), "\"a\"");
        assert_eq!(rendered(&Sample::Str("A".into()), "types::Kind").unwrap(), "parsed :: < types :: Kind > (\"A\")");
        assert_eq!(rendered(&Sample::Int(3), "i64").unwrap(), "3i64");
        assert_eq!(rendered(&Sample::Int(3), "f64").unwrap(), "3.0f64");
        assert_eq!(rendered(&Sample::Bool(true), "bool").unwrap(), "true");
        assert_eq!(
            rendered(&Sample::List(Box::new(Sample::Str("a".into()))), "::std::vec::Vec<::std::string::String>").unwrap(),
            "vec ! [\"a\" . to_string ()]"
        );
        assert_eq!(rendered(&Sample::Bool(true), "i64"), None);
    }
}
