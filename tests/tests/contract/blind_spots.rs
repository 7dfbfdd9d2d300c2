//! What Prism does not check, checked on the generated code for every
//! operation (the wire-level counterparts are in `tests/tests/wire.rs`):
//!
//! - an unreplaced `{placeholder}`: every URL the clients build is the
//!   spec's path with each parameter substituted, and nothing else;
//! - undeclared query parameters: every query parameter a builder can send
//!   is one the spec declares for that operation;
//! - `+json` media types: every operation whose body the spec declares as
//!   `application/json-patch+json` is labelled so in the operation table,
//!   which sets the `Content-Type` (the runtime's part, tested on the wire).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use heck::ToPascalCase;
use quote::ToTokens;
use sailpoint_runtime::Operation;
use serde_json::Value;

use crate::prism::served_document;
use crate::versions::{VERSIONS, Version};

fn generated(version: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../crates/sailpoint-{version}/src/{file}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The format strings of `let url = format!("{}/…", client.baseurl, …)`, without the leading `{}`.
fn url_templates(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in source.match_indices("let url = format!(") {
        let rest = &source[i..];
        let Some(start) = rest.find('"') else { continue };
        let Some(len) = rest[start + 1..].find('"') else { continue };
        let literal = &rest[start + 1..start + 1 + len];
        out.push(literal.strip_prefix("{}").unwrap_or(literal).to_string());
    }
    out
}

/// `/sources/{id}` → `/sources/{}`.
fn anonymous(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out
}

fn check_url_templates(version: &str, operations: &[Operation]) {
    let mut built: Vec<String> =
        ["generated.rs", "generated_multipart.rs"].iter().flat_map(|f| url_templates(&generated(version, f))).collect();
    let mut expected: Vec<String> = operations.iter().map(|o| anonymous(o.path)).collect();
    built.sort();
    expected.sort();
    assert!(
        built.iter().all(|t| !t.contains("{{") && t.matches('{').count() == t.matches("{}").count()),
        "{version}: a URL keeps a literal brace"
    );
    assert_eq!(built, expected, "{version}: one URL per operation, each its spec path with every parameter filled");
}

#[test]
fn url_templates_fill_every_path_parameter() {
    for v in VERSIONS {
        check_url_templates(v.name, v.operations);
    }
}

/// Builder name → the query parameter names its `send()` can put on the URL.
fn query_names(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let file = syn::parse_file(source).expect("generated code parses");
    let mut out = BTreeMap::new();
    let builder = file.items.iter().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    for item in builder.into_iter().flatten() {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(ty) = &*imp.self_ty else { continue };
        let name = ty.path.segments.last().expect("a type name").ident.to_string();
        let tokens = imp.to_token_stream().to_string();
        let names: BTreeSet<String> = tokens
            .split("QueryParam :: new (")
            .skip(1)
            .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next().map(str::to_string))
            .collect();
        out.insert(name, names);
    }
    out
}

fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r.trim_start_matches("#/").split('/').fold(doc, |d, k| &d[k]),
        None => v,
    }
}

fn check_query_parameters(version: &str, doc: &Value, operations: &[Operation]) {
    let sent = query_names(&generated(version, "generated.rs"));
    let mut checked = 0;
    for op in operations.iter().filter(|o| !o.multipart) {
        let spec_op = &doc["paths"][format!("/{version}{}", op.path)][op.method.to_ascii_lowercase()];
        let declared: BTreeSet<String> = spec_op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| deref(doc, p))
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        let builder = op.operation_id.to_pascal_case();
        let names = sent.get(&builder).unwrap_or_else(|| panic!("{version}: no builder {builder}"));
        let undeclared: Vec<&String> = names.difference(&declared).collect();
        assert!(undeclared.is_empty(), "{version} {}: sends undeclared query parameters {undeclared:?}", op.operation_id);
        checked += 1;
    }
    assert!(checked > 100, "{version}: {checked} operations checked");
}

#[test]
fn query_parameters_are_declared_by_the_spec() {
    for &Version { name: version, operations, .. } in VERSIONS {
        let Some(doc) = served_document(version) else { return };
        check_query_parameters(version, &doc, operations);
    }
}

#[test]
fn json_patch_bodies_are_labelled_in_the_operation_table() {
    for &Version { name: version, operations, .. } in VERSIONS {
        let Some(doc) = served_document(version) else { return };
        let mut patches = 0;
        for op in operations {
            let spec_op = &doc["paths"][format!("/{version}{}", op.path)][op.method.to_ascii_lowercase()];
            let body = deref(&doc, &spec_op["requestBody"]);
            let media: Vec<&String> = body["content"].as_object().map(|c| c.keys().collect()).unwrap_or_default();
            let offers = |m: &str| media.iter().any(|x| x.as_str() == m);
            // A body offered as JSON too is sent as JSON (the request-bodies
            // pass keeps `application/json`: v2025's updateParameter takes a
            // whole parameter or a patch).
            if offers("application/json-patch+json") && offers("application/json") {
                assert_eq!(op.request_content_type, Some("application/json"), "{version} {}", op.operation_id);
            } else if offers("application/json-patch+json") {
                patches += 1;
                assert_eq!(op.request_content_type, Some("application/json-patch+json"), "{version} {}", op.operation_id);
            } else if let Some(ct) = op.request_content_type {
                assert!(media.iter().any(|m| m.as_str() == ct), "{version} {}: {ct} not in {media:?}", op.operation_id);
            }
        }
        assert!(patches > 20, "{version}: {patches} JSON Patch operations");
    }
}
