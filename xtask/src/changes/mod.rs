//! What a pin move changes, for users: each generated crate's public API
//! (`surface`, written by `regen`), the changes between two of them
//! (`diff`), the API changelog (`changelog`) and the crates' versions
//! (`versions`).

pub mod changelog;
pub mod compat;
pub mod diff;
pub mod rehearsal;
pub mod surface;
pub mod versions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::spec::layout::{SHARED, SHARED_PACKAGE};
use changelog::{CrateChanges, Move};
use diff::Effect;
use surface::Surface;
use versions::CrateVersions;

/// Where the surface of version `name` is written.
pub fn version_surface_path(name: &str) -> PathBuf {
    PathBuf::from(format!("openapi/{name}.api.txt"))
}

/// Where the surface of service `name` (or of the shared types) is written.
pub fn service_surface_path(name: &str) -> PathBuf {
    PathBuf::from(format!("openapi/services/{name}.api.txt"))
}

/// One generated crate's surface as committed.
pub struct Recorded {
    /// `v2024`, a service's name, or `shared`.
    pub api: String,
    pub package: String,
    pub service: bool,
    pub surface: Surface,
}

/// Every surface file under `root`, year versions first, by API name.
pub fn load_all(root: &Path) -> Result<BTreeMap<(bool, String), Recorded>> {
    let mut out = BTreeMap::new();
    for (dir, service) in [("openapi", false), ("openapi/services", true)] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for entry in entries {
            let path = entry?.path();
            let Some(api) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".api.txt")) else { continue };
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let surface = Surface::parse(&text).with_context(|| format!("reading {}", path.display()))?;
            let package = if service && api == SHARED { SHARED_PACKAGE.to_string() } else { format!("sailpoint-{api}") };
            out.insert((service, api.to_string()), Recorded { api: api.to_string(), package, service, surface });
        }
    }
    Ok(out)
}

/// The pin moved from `from` to `to` on `date`, and regen turned the
/// surfaces `old` into `new`: writes the changelog's section, moves the
/// versions of the crates that changed (and the facade's) and returns how
/// many crates changed. Nothing is written when none did.
pub fn record(
    root: &Path,
    old: &BTreeMap<(bool, String), Recorded>,
    new: &BTreeMap<(bool, String), Recorded>,
    (from, to, date): (&str, &str, &str),
) -> Result<usize> {
    let keys: std::collections::BTreeSet<&(bool, String)> = old.keys().chain(new.keys()).collect();
    let mut all: Vec<(&Recorded, bool, Vec<diff::Change>)> = Vec::new();
    for key in keys {
        let (before, after) = (old.get(key), new.get(key));
        let Some(any) = after.or(before) else { continue };
        let changes = match (before, after) {
            (Some(b), Some(a)) => diff::diff(&b.surface, &a.surface),
            (None, _) => {
                vec![diff::Change { effect: Effect::Additive, subject: format!("`{}`", any.package), text: "new crate".into() }]
            }
            (_, None) => vec![diff::Change {
                effect: Effect::Breaking,
                subject: format!("`{}`", any.package),
                text: "crate removed: its API is no longer upstream".into(),
            }],
        };
        all.push((any, before.is_some() && after.is_some(), changes));
    }
    // A service re-exports the shared types it uses: their changes are its own.
    let mut shared_changed: BTreeMap<String, Effect> = BTreeMap::new();
    for (r, _, changes) in &all {
        if r.package == SHARED_PACKAGE {
            for c in changes.iter().filter(|c| !c.text.starts_with("type added")) {
                if let Some(ty) = c.subject.strip_prefix("type `").and_then(|t| t.strip_suffix('`')) {
                    let e = shared_changed.entry(ty.to_string()).or_insert(c.effect);
                    *e = (*e).min(c.effect);
                }
            }
        }
    }
    for (r, kept, changes) in all.iter_mut().filter(|(r, kept, _)| r.service && *kept && r.package != SHARED_PACKAGE) {
        for (k, v) in &r.surface.0 {
            let Some(effect) = shared_changed.get(&k.subject) else { continue };
            if k.kind == surface::Kind::Type && v.contains("sailpoint_shared") && *kept {
                changes.push(diff::Change {
                    effect: *effect,
                    subject: format!("type `{}`", k.subject),
                    text: format!("re-exported from `{SHARED_PACKAGE}`, whose type changed (see `shared`)"),
                });
            }
        }
    }
    let mut versions = CrateVersions::load(root)?;
    let mut moved = (Vec::new(), Vec::new());
    let mut largest: Option<Effect> = None;
    for (r, kept, changes) in all {
        let effect = changes.iter().map(|c| c.effect).min();
        let old_version = versions.get(&r.package).to_string();
        let new_version = match effect {
            Some(e) if kept => versions::bump(&old_version, e)?,
            _ => old_version.clone(),
        };
        if new_version != old_version {
            versions.0.insert(r.package.clone(), new_version.clone());
        }
        largest = largest.into_iter().chain(effect).min();
        let entry = CrateChanges { api: r.api.clone(), package: r.package.clone(), old_version, new_version, changes };
        if r.service { moved.1.push(entry) } else { moved.0.push(entry) }
    }
    let changed = moved.0.iter().chain(&moved.1).filter(|c| !c.changes.is_empty()).count();
    if changed == 0 {
        return Ok(0);
    }
    let facade = largest.map(|e| versions::bump_facade(root, e)).transpose()?;
    std::fs::write(root.join(versions::VERSIONS_TOML), versions.render())?;
    let m = Move { date, from, to, versions: moved.0, services: moved.1, facade };
    let path = root.join(changelog::CHANGES_MD);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, changelog::insert(&current, &changelog::section(&m)))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(changed)
}

/// Each kind of change, from two small hand-made documents through the
/// whole generator (passes, progenitor, rewrites) to the changelog entry.
#[cfg(test)]
mod tests {
    use super::diff::{Change, Effect, diff};
    use super::*;
    use crate::generate::{self, Kind, Settings, Target};
    use crate::spec::cross_version::OtherVersions;
    use serde_json::{Value, json};

    /// A small API: a listing with an optional `limit`, a create, an
    /// `Item` with a required `id` and an optional `name`, and an enum.
    fn base() -> Value {
        json!({
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/items": {
                    "get": {
                        "operationId": "listItems",
                        "tags": ["Items"],
                        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32"}}],
                        "responses": {"200": {"description": "ok", "content": {"application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}}}}
                    },
                    "post": {
                        "operationId": "createItem",
                        "tags": ["Items"],
                        "requestBody": {"required": true, "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Item"}}}},
                        "responses": {"201": {"description": "ok", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Item"}}}}}
                    }
                }
            },
            "components": {"schemas": {
                "Item": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"}}},
                "Status": {"type": "string", "enum": ["ACTIVE", "DISABLED"]}
            }}
        })
    }

    fn surface_of(mut doc: Value) -> Surface {
        let specs: crate::spec::pin::Specs =
            toml::from_str("[upstream]\nrepository = \"r\"\ncommit = \"c\"\n[versions]\n").unwrap();
        let logs = generate::normalize(&mut doc, &generate::PassInputs::default());
        let target = Target {
            kind: Kind::Service,
            name: "t",
            root: "t.yaml",
            crate_dir: "crates/services/t".into(),
            report: "openapi/services/t.normalization.md".into(),
            contract_calls: None,
            sha: "",
            files: 0,
            operations: 0,
            schemas: 0,
            renamed: Default::default(),
        };
        let files = generate::emit_crate(&specs, &target, doc, logs, &OtherVersions::none(), &Settings::default()).unwrap();
        let (_, text) = files.iter().find(|(p, _)| *p == service_surface_path("t")).expect("a surface file");
        Surface::parse(text).unwrap()
    }

    /// The changes from the base to the base edited by `edit`.
    fn changes(edit: impl FnOnce(&mut Value)) -> Vec<Change> {
        let mut new = base();
        edit(&mut new);
        diff(&surface_of(base()), &surface_of(new))
    }

    /// The one change there is, which must have `effect` and say `words`.
    fn one(changes: &[Change], effect: Effect, words: &[&str]) {
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].effect, effect, "{changes:#?}");
        for w in words {
            assert!(changes[0].text.contains(w) || changes[0].subject.contains(w), "{w}: {changes:#?}");
        }
    }

    #[test]
    fn the_surface_names_the_rust_items() {
        let s = surface_of(base()).to_string();
        for line in [
            "operation\tGET /items\t\tlist_items()",
            "setter\tGET /items\tlimit\ti32",
            "response\tGET /items\t\tVec<Item>",
            "setter\tPOST /items\tbody\tItem, required",
            "field\tItem\tid\tid: String",
            "field\tItem\tname\tname: Option<String>",
            "variant\tStatus\tACTIVE\tActive",
        ] {
            assert!(s.contains(line), "{line}\n{s}");
        }
        assert_eq!(Surface::parse(&s).unwrap(), surface_of(base()), "the file reads back");
    }

    #[test]
    fn operations_added_removed_and_renamed() {
        let added = changes(|d| {
            d["paths"]["/other"] = json!({"get": {"operationId": "getOther", "responses": {"204": {"description": "none"}}}});
        });
        one(&added, Effect::Additive, &["`GET /other`", "operation added", "Client::get_other()"]);
        let removed = changes(|d| {
            d["paths"]["/items"].as_object_mut().unwrap().remove("post");
        });
        one(&removed, Effect::Breaking, &["`POST /items`", "operation removed", "Client::create_item()"]);
        let renamed = changes(|d| d["paths"]["/items"]["get"]["operationId"] = json!("getItems"));
        one(&renamed, Effect::Breaking, &["method renamed", "Client::list_items()", "Client::get_items()"]);
    }

    #[test]
    fn parameters_added_removed_and_made_required_or_optional() {
        let param = |required: bool| json!({"name": "q", "in": "query", "required": required, "schema": {"type": "string"}});
        one(
            &changes(|d| d["paths"]["/items"]["get"]["parameters"].as_array_mut().unwrap().push(param(false))),
            Effect::Additive,
            &["optional parameter added", ".q("],
        );
        one(
            &changes(|d| d["paths"]["/items"]["get"]["parameters"].as_array_mut().unwrap().push(param(true))),
            Effect::Breaking,
            &["required parameter added", ".q("],
        );
        one(
            &changes(|d| d["paths"]["/items"]["get"]["parameters"] = json!([])),
            Effect::Breaking,
            &["parameter removed", ".limit()"],
        );
        one(
            &changes(|d| d["paths"]["/items"]["get"]["parameters"][0]["required"] = json!(true)),
            Effect::Breaking,
            &["parameter made required", ".limit()"],
        );
        one(
            &changes(|d| d["paths"]["/items"]["get"]["parameters"][0]["schema"] = json!({"type": "string"})),
            Effect::Breaking,
            &["parameter retyped", "`i32` → `String`"],
        );
    }

    #[test]
    fn a_required_parameter_made_optional_is_additive() {
        let mut required = base();
        required["paths"]["/items"]["get"]["parameters"][0]["required"] = json!(true);
        let changes = diff(&surface_of(required), &surface_of(base()));
        one(&changes, Effect::Additive, &["parameter made optional", ".limit()"]);
    }

    #[test]
    fn fields_added_removed_retyped_and_made_required() {
        let props = |d: &mut Value| d["components"]["schemas"]["Item"]["properties"].as_object_mut().unwrap().clone();
        let added = changes(|d| {
            let mut p = props(d);
            p.insert("owner".into(), json!({"type": "string"}));
            d["components"]["schemas"]["Item"]["properties"] = Value::Object(p);
        });
        one(&added, Effect::Breaking, &["type `Item`", "field `owner` added", "owner: Option<String>"]);
        let removed = changes(|d| {
            d["components"]["schemas"]["Item"]["properties"].as_object_mut().unwrap().remove("name");
        });
        one(&removed, Effect::Breaking, &["field `name` removed"]);
        let retyped =
            changes(|d| d["components"]["schemas"]["Item"]["properties"]["name"] = json!({"type": "integer", "format": "int64"}));
        one(&retyped, Effect::Breaking, &["field `name` retyped", "Option<String>", "Option<i64>"]);
        let required = changes(|d| d["components"]["schemas"]["Item"]["required"] = json!(["id", "name"]));
        one(&required, Effect::Breaking, &["field `name` made required"]);
    }

    #[test]
    fn enum_values_added_and_removed() {
        let added = changes(|d| d["components"]["schemas"]["Status"]["enum"] = json!(["ACTIVE", "DISABLED", "LOCKED"]));
        one(&added, Effect::Breaking, &["type `Status`", "value `LOCKED` added", "Locked"]);
        let removed = changes(|d| d["components"]["schemas"]["Status"]["enum"] = json!(["ACTIVE"]));
        one(&removed, Effect::Breaking, &["value `DISABLED` removed"]);
    }

    #[test]
    fn experimental_and_deprecated_flags() {
        one(
            &changes(|d| d["paths"]["/items"]["get"]["x-sailpoint-experimental"] = json!(true)),
            Effect::Breaking,
            &["now experimental"],
        );
        let mut experimental = base();
        experimental["paths"]["/items"]["get"]["x-sailpoint-experimental"] = json!(true);
        one(&diff(&surface_of(experimental), &surface_of(base())), Effect::Additive, &["no longer experimental"]);
        one(&changes(|d| d["paths"]["/items"]["get"]["deprecated"] = json!(true)), Effect::Additive, &["operation deprecated"]);
        one(
            &changes(|d| d["paths"]["/items"]["get"]["parameters"][0]["deprecated"] = json!(true)),
            Effect::Additive,
            &["parameter: setter `.limit()` deprecated"],
        );
        one(
            &changes(|d| d["components"]["schemas"]["Item"]["properties"]["name"]["deprecated"] = json!(true)),
            Effect::Additive,
            &["type `Item`", "field `name` deprecated"],
        );
    }

    #[test]
    fn a_response_retyped_is_breaking() {
        let retyped = changes(|d| {
            d["paths"]["/items"]["post"]["responses"]["201"]["content"]["application/json"]["schema"] = json!({"type": "string"})
        });
        one(&retyped, Effect::Breaking, &["success retyped", "`Item` → `String`"]);
    }
}
