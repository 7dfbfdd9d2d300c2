//! Every operation of each pinned spec is a method of its generated client.
//!
//! The spec side is read straight from the upstream files (the root's
//! `paths`, each a file of path items), independently of the xtask; the
//! client side is read from the generated sources' `impl Client` blocks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use heck::ToSnakeCase;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn specs_dir() -> PathBuf {
    let dir = std::env::var_os("SAILPOINT_API_SPECS").expect("SAILPOINT_API_SPECS is set by .cargo/config.toml");
    PathBuf::from(dir)
}

fn yaml(path: &Path) -> serde_yaml_ng::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap()
}

/// `operationId`s of the spec, read from the upstream files.
fn spec_operation_ids(version: &str) -> Vec<String> {
    let root_path = specs_dir().join(format!("idn/sailpoint-api.{version}.yaml"));
    let root = yaml(&root_path);
    let mut ids = Vec::new();
    for (_, item) in root["paths"].as_mapping().unwrap() {
        let item = match item.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => {
                let (file, frag) = r.split_once('#').unwrap_or((r, ""));
                let doc = yaml(&root_path.parent().unwrap().join(file));
                frag.split('/').filter(|s| !s.is_empty()).fold(doc, |d, k| d[k].clone())
            }
            None => item.clone(),
        };
        for m in METHODS {
            if let Some(op) = item.get(m) {
                ids.push(op["operationId"].as_str().unwrap().to_string());
            }
        }
    }
    ids
}

/// Public methods of `impl Client` blocks in the generated sources.
fn client_methods(version: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../crates/sailpoint-{version}/src"));
    let mut out = BTreeSet::new();
    for file in ["generated.rs", "generated_multipart.rs"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let ast = syn::parse_file(&text).unwrap();
        for item in &ast.items {
            let syn::Item::Impl(imp) = item else { continue };
            let syn::Type::Path(ty) = &*imp.self_ty else { continue };
            if imp.trait_.is_some() || ty.path.segments.last().unwrap().ident != "Client" {
                continue;
            }
            for i in &imp.items {
                if let syn::ImplItem::Fn(f) = i
                    && matches!(f.vis, syn::Visibility::Public(_))
                    && f.sig.ident != "new"
                    && f.sig.ident != "new_with_client"
                {
                    out.insert(f.sig.ident.to_string());
                }
            }
        }
    }
    out
}

/// progenitor's method name: snake case, `_` appended to a keyword (`move_`).
fn method_name(operation_id: &str) -> String {
    let snake = operation_id.to_snake_case();
    if syn::parse_str::<syn::Ident>(&snake).is_ok() { snake } else { format!("{snake}_") }
}

fn check(version: &str, expected: usize, operations: &[sailpoint_runtime::Operation]) {
    let spec = spec_operation_ids(version);
    assert_eq!(spec.len(), expected, "{version}: operations in the pinned spec");
    let spec_methods: BTreeSet<String> = spec.iter().map(|id| method_name(id)).collect();
    assert_eq!(spec_methods.len(), expected, "{version}: operation ids are unique");
    let methods = client_methods(version);
    let missing: Vec<_> = spec_methods.difference(&methods).collect();
    let extra: Vec<_> = methods.difference(&spec_methods).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{version}: missing {missing:?}, extra {extra:?}");
    let table: BTreeSet<String> = operations.iter().map(|o| o.id.to_string()).collect();
    assert_eq!(table, methods, "{version}: the operation table lists every method");
    let table_ids: BTreeSet<&str> = operations.iter().map(|o| o.operation_id).collect();
    assert_eq!(table_ids, spec.iter().map(String::as_str).collect(), "{version}: operationIds");
}

#[test]
fn v3_has_every_operation() {
    check("v3", 358, sailpoint_v3::OPERATIONS);
    assert_eq!(sailpoint_v3::OPERATIONS.iter().filter(|o| o.multipart).count(), 12);
}

#[test]
fn beta_has_every_operation() {
    check("beta", 559, sailpoint_beta::OPERATIONS);
    assert_eq!(sailpoint_beta::OPERATIONS.iter().filter(|o| o.multipart).count(), 13);
}

#[test]
fn v2024_has_every_operation() {
    check("v2024", 716, sailpoint_v2024::OPERATIONS);
    let ops = sailpoint_v2024::OPERATIONS;
    assert_eq!(ops.iter().filter(|o| o.multipart).count(), 20);
    assert_eq!(ops.iter().filter(|o| o.experimental).count(), 146);
    let patch = ops.iter().filter(|o| o.request_content_type == Some("application/json-patch+json")).count();
    assert_eq!(patch, 56);
}
