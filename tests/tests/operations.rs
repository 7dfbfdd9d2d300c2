//! Every operation of each pinned spec is a method of its generated client.
//!
//! The spec side is read straight from the upstream files (the root's
//! `paths`, each a file of path items), independently of the xtask; the
//! client side is read from the generated sources' `impl Client` blocks
//! and the operation tables. The versions are those of `openapi/specs.toml`
//! (`generated/versions.rs`), and every expected figure comes from the spec.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use heck::ToSnakeCase;
use sailpoint_runtime::Operation;

#[rustfmt::skip]
#[path = "generated/versions.rs"]
mod versions;
use versions::VERSIONS;

#[rustfmt::skip]
#[path = "generated/services.rs"]
mod services;
use services::SERVICES;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn specs_dir() -> PathBuf {
    let dir = std::env::var_os("SAILPOINT_API_SPECS").expect("SAILPOINT_API_SPECS is set by .cargo/config.toml");
    PathBuf::from(dir)
}

fn yaml(path: &Path) -> serde_yaml_ng::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap()
}

/// `value`, or what its `$ref` names, with the file it was read from
/// (references are relative to the file they appear in).
fn resolve(file: &Path, value: &serde_yaml_ng::Value) -> (PathBuf, serde_yaml_ng::Value) {
    let Some(r) = value.get("$ref").and_then(|r| r.as_str()) else { return (file.to_path_buf(), value.clone()) };
    let (target, fragment) = r.split_once('#').unwrap_or((r, ""));
    let target = if target.is_empty() { file.to_path_buf() } else { file.parent().unwrap().join(target) };
    let doc = fragment.split('/').filter(|s| !s.is_empty()).fold(yaml(&target), |d, k| d[k].clone());
    resolve(&target, &doc)
}

/// One operation as the upstream files declare it.
struct SpecOperation {
    /// Its operationId; for the few that have none, the name the xtask
    /// derives from the method and path (checked against the table by
    /// method and path).
    id: String,
    /// It has an operationId upstream.
    named: bool,
    /// `(METHOD, path with template variables erased)`.
    route: (String, String),
    /// It declares the `X-SailPoint-Experimental` header.
    experimental: bool,
    /// The media types of its request body.
    body_media: Vec<String>,
}

/// The operations of the spec, read from the upstream files.
fn spec_operations(root: &str) -> Vec<SpecOperation> {
    let root_path = specs_dir().join(root);
    let mut out = Vec::new();
    for (path, item) in yaml(&root_path)["paths"].as_mapping().unwrap() {
        let (file, item) = resolve(&root_path, item);
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            let params = op.get("parameters").and_then(|p| p.as_sequence()).cloned().unwrap_or_default();
            let experimental = params.iter().any(|p| {
                let (_, p) = resolve(&file, p);
                p["in"].as_str() == Some("header")
                    && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("x-sailpoint-experimental"))
            });
            let body_media = match op.get("requestBody") {
                Some(body) => resolve(&file, body).1["content"]
                    .as_mapping()
                    .map(|c| c.keys().filter_map(|k| k.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let route = (m.to_uppercase(), erase_variables(path.as_str().unwrap()));
            match op["operationId"].as_str() {
                Some(id) => out.push(SpecOperation { id: id.to_string(), named: true, route, experimental, body_media }),
                None => out.push(SpecOperation { id: String::new(), named: false, route, experimental, body_media }),
            }
        }
    }
    out
}

/// `/sources/{id}/schemas/{schemaId}` → `/sources/{}/schemas/{}`.
fn erase_variables(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out
}

/// The spec's operations with the ids of the unnamed ones taken from the
/// table, found by method and path; each must be there exactly once.
fn name_unnamed(name: &str, mut spec: Vec<SpecOperation>, ops: &[Operation]) -> Vec<SpecOperation> {
    for o in spec.iter_mut().filter(|o| !o.named) {
        let found: Vec<&Operation> =
            ops.iter().filter(|t| t.method == o.route.0 && erase_variables(t.path) == o.route.1).collect();
        assert_eq!(found.len(), 1, "{name}: {} {} (no operationId upstream) is in the table once", o.route.0, o.route.1);
        assert!(!found[0].operation_id.is_empty(), "{name}: {} {} has a derived name", o.route.0, o.route.1);
        o.id = found[0].operation_id.to_string();
    }
    spec
}

/// Public methods of `impl Client` blocks in the generated sources, with
/// their `#[doc(alias)]`.
fn client_methods(crate_dir: &str) -> BTreeMap<String, Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../{crate_dir}/src"));
    let mut out = BTreeMap::new();
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
                    // another version's name for an operation listed under its own (see `other_version_names`)
                    && !f.attrs.iter().any(|a| a.path().is_ident("deprecated"))
                {
                    let aliases: Vec<String> = f
                        .attrs
                        .iter()
                        .filter_map(|a| {
                            let mut alias = None;
                            if a.path().is_ident("doc") {
                                let _ = a.parse_nested_meta(|m| {
                                    if m.path.is_ident("alias") {
                                        alias = Some(m.value()?.parse::<syn::LitStr>()?.value());
                                    }
                                    Ok(())
                                });
                            }
                            alias
                        })
                        .collect();
                    out.insert(f.sig.ident.to_string(), aliases);
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

/// The operationIds `openapi/experimental.toml` lists for `version`.
fn experimental_overlay(version: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/experimental.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let file: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let entries = file.get("operation").and_then(toml::Value::as_array).cloned().unwrap_or_default();
    entries
        .iter()
        .filter(|e| e["version"].as_str() == Some(version))
        .map(|e| e["id"].as_str().expect("an id").to_string())
        .collect()
}

/// The operationIds of `spec` that satisfy `keep`.
fn ids(spec: &[SpecOperation], keep: impl Fn(&SpecOperation) -> bool) -> BTreeSet<&str> {
    spec.iter().filter(|o| keep(o)).map(|o| o.id.as_str()).collect()
}

/// The operationIds of `operations` that satisfy `keep`.
fn table_ids(operations: &[Operation], keep: impl Fn(&Operation) -> bool) -> BTreeSet<&str> {
    operations.iter().filter(|o| keep(o)).map(|o| o.operation_id).collect()
}

#[test]
fn every_version_has_every_operation() {
    for version in VERSIONS {
        let count = check_api(version.name, version.root, &format!("crates/sailpoint-{}", version.name), version.operations);
        assert!(count > 0, "{}: the spec has operations", version.name);
    }
}

/// Each service of the per-service layout: its operations, per service, are
/// its crate's methods and table.
#[test]
fn every_service_has_every_operation() {
    assert!(SERVICES.len() > 100, "the layout's services are generated: {}", SERVICES.len());
    let mut total = 0;
    for service in SERVICES {
        let count = check_api(service.name, service.root, &format!("crates/services/{}", service.name), service.operations);
        assert!(count > 0, "{}: the service has operations", service.name);
        total += count;
    }
    eprintln!("services: {} services, {total} operations, every one generated", SERVICES.len());
}

/// Compares the operations of the document `root` with the methods of the
/// crate in `crate_dir` and its operation table; returns how many.
fn check_api(name: &str, root: &str, crate_dir: &str, ops: &[Operation]) -> usize {
    let spec = name_unnamed(name, spec_operations(root), ops);
    let spec_methods: BTreeSet<String> = spec.iter().map(|o| method_name(&o.id)).collect();
    assert_eq!(spec_methods.len(), spec.len(), "{name}: operation ids are unique");
    let aliased = client_methods(crate_dir);
    let methods: BTreeSet<String> = aliased.keys().cloned().collect();
    let missing: Vec<_> = spec_methods.difference(&methods).collect();
    let extra: Vec<_> = methods.difference(&spec_methods).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{name}: missing {missing:?}, extra {extra:?}");
    let table: BTreeSet<String> = ops.iter().map(|o| o.id.to_string()).collect();
    assert_eq!(table, methods, "{name}: the operation table lists every method");
    assert_eq!(table_ids(ops, |_| true), ids(&spec, |_| true), "{name}: operationIds");
    let mut routes: Vec<_> = ops.iter().map(|o| (o.method.to_string(), erase_variables(o.path))).collect();
    let mut spec_routes: Vec<_> = spec.iter().map(|o| o.route.clone()).collect();
    routes.sort();
    spec_routes.sort();
    assert_eq!(routes, spec_routes, "{name}: methods and paths");
    for op in ops {
        // The operationId comes first; the names other versions give the operation follow.
        let aliases = &aliased[op.id];
        if op.id != op.operation_id {
            assert_eq!(
                aliases.first().map(String::as_str),
                Some(op.operation_id),
                "{name}: {} is found by its operationId",
                op.id
            );
        }
        assert!(!aliases.iter().any(|a| a == op.id), "{name}: {}: rustdoc refuses an alias equal to the name", op.id);
    }
    let listed = experimental_overlay(name);
    assert_eq!(
        table_ids(ops, |o| o.experimental),
        ids(&spec, |o| o.experimental || listed.contains(&o.id)),
        "{name}: experimental operations (the spec's, and openapi/experimental.toml's)"
    );
    let media = |m: &'static str| move |o: &SpecOperation| o.body_media.iter().any(|b| b == m);
    assert_eq!(table_ids(ops, |o| o.multipart), ids(&spec, media("multipart/form-data")), "{name}: multipart operations");
    // A body the spec also takes as `application/json` is sent as that (one
    // operation of the services: updateBusinessApplicationV1).
    let patch_only = |o: &SpecOperation| media("application/json-patch+json")(o) && !media("application/json")(o);
    assert_eq!(
        table_ids(ops, |o| o.request_content_type == Some("application/json-patch+json")),
        ids(&spec, patch_only),
        "{name}: JSON Patch operations"
    );
    eprintln!(
        "{name}: {} operations, {} experimental, {} multipart",
        spec.len(),
        ids(&spec, |o| o.experimental).len(),
        ids(&spec, media("multipart/form-data")).len()
    );
    spec.len()
}
