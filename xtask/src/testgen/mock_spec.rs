//! `cargo xtask mock-spec`: the document the contract tests' Prism serves.
//!
//! It is the official spec, not our normalized one, changed only where
//! Prism cannot serve it as published: bundled into one file (Prism does not
//! follow this repository's multi-file refs the way we pin them), without
//! `x-webhooks` (the events ISC sends, not endpoints it serves), path template variables and declared path
//! parameters made to agree (the `path-params` pass, so Prism validates the
//! parameter the URL carries), every path put under the version's base path
//! (`/v2024/...`: Prism serves at `/`, the SDK appends the version to the
//! tenant URL), and a mock `POST /oauth/token` for the SDK's token request.
//!
//! The services of the per-service layout are served by one Prism, from
//! one document ([`services_document`]): every service's bundle, its
//! components renamed `<Service>_<name>` so that services never clash (their
//! paths never do), with the same changes.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use serde_json::{Map, Value, json};

use crate::passes::{self, Log};
use crate::spec::bundle;
use crate::spec::pin::{self, Specs};

/// The served document of version `name`.
pub fn document(specs_dir: &Path, specs: &Specs, hashes: &BTreeMap<String, String>, name: &str) -> Result<Value> {
    let v = specs.versions.get(name).ok_or_else(|| anyhow!("no version {name} in {}", pin::SPECS_TOML))?;
    let bundled = bundle::bundle(specs_dir, &v.root)?;
    pin::verify(name, &v.pinned(), &pin::hash_files(specs_dir, &bundled.files)?, hashes)?;
    let mut doc = bundled.doc;
    if let Some(map) = doc.as_object_mut() {
        map.remove("x-webhooks");
    }
    passes::path_params::run(&mut doc, &mut Log::default());
    let base = base_path(&doc).with_context(|| format!("{name}: reading the base path of servers[0].url"))?;
    prefix_paths(&mut doc, &base);
    add_token_endpoint(&mut doc);
    Ok(doc)
}

/// The name of the services' served document (`target/prism/services.json`),
/// which the contract tests start Prism with.
pub const SERVICES: &str = "services";

/// The served document of every service of the layout: their paths, and
/// their components under names of their own.
pub fn services_document(bundles: &[(crate::spec::layout::Service, bundle::Bundle)]) -> Value {
    let mut paths = Map::new();
    let mut components: Map<String, Value> = Map::new();
    for (service, bundled) in bundles {
        let prefix = crate::names::pascal(&service.name);
        let mut doc = bundled.doc.clone();
        passes::path_params::run(&mut doc, &mut Log::default());
        rename_components(&mut doc, &prefix);
        for (kind, comps) in doc.get("components").and_then(Value::as_object).into_iter().flatten() {
            let into = components.entry(kind.clone()).or_insert_with(|| json!({}));
            for (name, c) in comps.as_object().into_iter().flatten() {
                into[name] = c.clone();
            }
        }
        for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
            paths.insert(path.clone(), item.clone());
        }
    }
    let first = bundles.first().map(|(_, b)| b.doc.clone()).unwrap_or_default();
    let mut doc = json!({
        "openapi": first.get("openapi").cloned().unwrap_or(json!("3.0.1")),
        "info": {"title": "Identity Security Cloud API - every service", "version": "v1"},
        "servers": first.get("servers").cloned().unwrap_or(json!([])),
        "security": first.get("security").cloned().unwrap_or(json!([])),
        "tags": [],
        "paths": paths,
        "components": components,
    });
    // The services' documents name `userAuth` and `applicationAuth` without
    // defining them (idn/sailpoint-api.root.yaml does): defined here, as
    // the bearer tokens they are, so that Prism loads the document.
    let bearer = json!({"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "/oauth/token", "scopes": {"sp:scopes:all": "every scope"}}}});
    doc["components"]["securitySchemes"] = json!({"userAuth": bearer.clone(), "applicationAuth": bearer});
    add_token_endpoint(&mut doc);
    doc
}

/// Every component `X` of `doc` becomes `<prefix>_X`, and every reference
/// to it follows (security schemes keep their names: operations name them).
fn rename_components(doc: &mut Value, prefix: &str) {
    fn follow(v: &mut Value, prefix: &str) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k == "$ref"
                        && let Some(r) = child.as_str()
                        && let Some(rest) = r.strip_prefix("#/components/")
                        && let Some((kind, name)) = rest.split_once('/')
                        && kind != "securitySchemes"
                    {
                        *child = Value::String(format!("#/components/{kind}/{prefix}_{name}"));
                    } else if k == "mapping" && child.is_object() {
                        for target in child.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                            if let Some(rest) = target.as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
                                *target = Value::String(format!("#/components/schemas/{prefix}_{rest}"));
                            }
                        }
                    } else {
                        follow(child, prefix);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| follow(i, prefix)),
            _ => {}
        }
    }
    follow(doc, prefix);
    if let Some(comps) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, c) in comps.iter_mut().filter(|(k, _)| *k != "securitySchemes") {
            let _ = kind;
            if let Some(map) = c.as_object_mut() {
                let old = std::mem::take(map);
                *map = old.into_iter().map(|(n, v)| (format!("{prefix}_{n}"), v)).collect();
            }
        }
        comps.remove("securitySchemes");
    }
}

/// The path part of the first server URL (`https://{tenant}.api.identitynow.com/v2024` → `/v2024`).
fn base_path(doc: &Value) -> Result<String> {
    let url = doc.pointer("/servers/0/url").and_then(Value::as_str).context("no servers[0].url")?;
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    Ok(path.trim_end_matches('/').to_string())
}

fn prefix_paths(doc: &mut Value, base: &str) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let old = std::mem::take(paths);
        *paths = old.into_iter().map(|(p, item)| (format!("{base}{p}"), item)).collect::<Map<_, _>>();
    }
}

/// `POST /oauth/token` (outside the version's base path): a form body with
/// `grant_type`, answered by a bearer token, as the real tenant does.
fn add_token_endpoint(doc: &mut Value) {
    let operation = json!({
        "operationId": "mockOAuthToken",
        "tags": ["Mock"],
        "security": [],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "required": ["grant_type"],
            "properties": {
                "grant_type": {"type": "string"},
                "client_id": {"type": "string"},
                "client_secret": {"type": "string"},
                "refresh_token": {"type": "string"}
            }
        }}}},
        "responses": {
            "200": {"description": "A token", "content": {"application/json": {
                "schema": {"type": "object", "required": ["access_token", "token_type", "expires_in"], "properties": {
                    "access_token": {"type": "string"},
                    "token_type": {"type": "string"},
                    "expires_in": {"type": "integer"},
                    "scope": {"type": "string"}
                }},
                "example": {"access_token": "prism-access-token", "token_type": "bearer", "expires_in": 749, "scope": "sp:scopes:all"}
            }}},
            "401": {"description": "Unknown client", "content": {"application/json": {"example": {"error": "invalid_client"}}}}
        }
    });
    doc["paths"]["/oauth/token"] = json!({ "post": operation });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_under_the_server_base_path_and_the_token_endpoint_is_added() {
        let mut doc = json!({
            "servers": [{"url": "https://{tenant}.api.identitynow.com/v2024"}],
            "paths": {"/sources/{id}": {"get": {"operationId": "getSource"}}}
        });
        let base = base_path(&doc).unwrap();
        assert_eq!(base, "/v2024");
        prefix_paths(&mut doc, &base);
        add_token_endpoint(&mut doc);
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/v2024/sources/{id}", "/oauth/token"]);
        assert_eq!(doc["paths"]["/oauth/token"]["post"]["security"], json!([]));
    }

    #[test]
    fn services_keep_their_components_apart() {
        let mut doc = json!({
            "paths": {"/a/v1": {"get": {"responses": {"200": {"$ref": "#/components/responses/R"}}}}},
            "components": {
                "responses": {"R": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}},
                "schemas": {"S": {"discriminator": {"mapping": {"x": "#/components/schemas/T"}}}, "T": {}},
                "securitySchemes": {"userAuth": {"type": "oauth2"}}
            }
        });
        rename_components(&mut doc, "Sources");
        assert_eq!(doc["paths"]["/a/v1"]["get"]["responses"]["200"]["$ref"], "#/components/responses/Sources_R");
        assert_eq!(
            doc["components"]["responses"]["Sources_R"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Sources_S"
        );
        assert_eq!(doc["components"]["schemas"]["Sources_S"]["discriminator"]["mapping"]["x"], "#/components/schemas/Sources_T");
        assert!(doc["components"].get("securitySchemes").is_none(), "kept once, by the merged document");
    }

    #[test]
    fn a_server_without_a_path_gives_an_empty_base() {
        assert_eq!(base_path(&json!({"servers": [{"url": "https://example.com"}]})).unwrap(), "");
        assert!(base_path(&json!({})).is_err());
    }
}
