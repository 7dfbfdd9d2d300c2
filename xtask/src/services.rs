//! The per-service layout from pinned files to generated crates.
//!
//! First the types of `shared/schemas/` become one crate, `sailpoint-shared`
//! (bundled from a root made in memory, through the same passes as every
//! document). Then each service is bundled, normalized and generated like a
//! year version, except that a component equal, after the passes, to one of
//! the shared crate's is not generated again: progenitor writes
//! `sailpoint_shared::types::Name` in its place. A shared schema that a
//! service's passes changed stays the service's own, and its report says so.
//!
//! The passes that compare year versions (`version-drift`) or apply our
//! overlay of the year roots (`experimental-overlay`) do not run here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use progenitor::TypeImpl;
use serde_json::{Map, Value, json};

use crate::generate::{self, Kind, Settings, Target};
use crate::names::{norm, type_name};
use crate::passes::Log;
use crate::spec::bundle::{self, Bundle, Options};
use crate::spec::cross_version::OtherVersions;
use crate::spec::document::operations;
use crate::spec::layout::{self, SHARED_CRATE_DIR, SHARED_PACKAGE, Service};
use crate::spec::pin::{self, Layout, Specs};

/// The shared crate's types, as the services' generation needs them.
pub struct SharedTypes {
    /// Every component schema of the shared document, after the passes.
    schemas: Map<String, Value>,
    /// The traits each type of the crate implements (what typify asks of a
    /// replacement), by type name; every type the crate defines is a key.
    impls: BTreeMap<String, Vec<TypeImpl>>,
    /// The crate's types each type's definition names, by type name.
    uses: BTreeMap<String, BTreeSet<String>>,
}

/// The casing of every component name of the year roots, by its
/// [`norm`]: the names v2024 users know (`BaseReferenceDto`) for the
/// layout's lower-case files (`basereferencedto.yaml`).
pub fn casing(year_docs: &BTreeMap<String, Value>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for doc in year_docs.values() {
        for name in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k) {
            out.entry(norm(name)).or_insert_with(|| name.clone());
        }
    }
    out
}

/// What the layout holds, bundled.
pub struct Loaded {
    /// The services found.
    pub found: Vec<Service>,
    /// The shared folder's document.
    pub shared: Bundle,
    /// Each service's document.
    pub bundles: Vec<(Service, Bundle)>,
}

/// Finds and bundles the layout's services and its shared folder, named
/// with the casing of the year roots' documents.
pub fn load(specs_dir: &Path, layout: &Layout, year_docs: &BTreeMap<String, Value>) -> Result<Loaded> {
    let found = layout::services(specs_dir, layout)?;
    let casing = casing(year_docs);
    let shared = shared_bundle(specs_dir, layout, &casing)?;
    let bundles = bundle_all(specs_dir, &found, &casing)?;
    Ok(Loaded { found, shared, bundles })
}

/// Every service of the layout, bundled.
pub fn bundle_all(specs_dir: &Path, services: &[Service], casing: &HashMap<String, String>) -> Result<Vec<(Service, Bundle)>> {
    use rayon::prelude::*;
    services
        .par_iter()
        .map(|s| {
            let b = bundle::bundle_with(specs_dir, &s.root, Options { casing: Some(casing.clone()), root_doc: None })?;
            Ok((s.clone(), b))
        })
        .collect()
}

/// The document of `shared/schemas/`: every file a component, named as the
/// services' bundles name it.
pub fn shared_bundle(specs_dir: &Path, layout: &Layout, casing: &HashMap<String, String>) -> Result<Bundle> {
    let mut schemas = Map::new();
    for file in layout::shared_schema_files(specs_dir, layout)? {
        let text = std::fs::read_to_string(specs_dir.join(&file)).with_context(|| format!("reading {file}"))?;
        let node = crate::spec::yaml::parse(&text).with_context(|| format!("parsing {file}"))?;
        let stem = Path::new(&file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let name = bundle::cased_stem(casing, stem.clone(), Some(&node));
        schemas.insert(name, json!({"$ref": format!("./schemas/{stem}.yaml")}));
    }
    let root = json!({
        "openapi": "3.0.1",
        "info": {"title": "Identity Security Cloud API - shared types", "version": "v1"},
        "paths": {},
        "components": {"schemas": schemas},
    });
    let at = format!("{}/{}/openapi.yaml", layout.dir.trim_end_matches('/'), layout::SHARED);
    bundle::bundle_with(specs_dir, &at, Options { casing: Some(casing.clone()), root_doc: Some(root) })
}

/// Checks the files every service and the shared folder reach against the
/// pin of the layout.
pub fn verify_pin(
    specs_dir: &Path,
    layout: &Layout,
    bundles: &[(Service, Bundle)],
    shared: &Bundle,
    file_hashes: &BTreeMap<String, String>,
) -> Result<()> {
    let reached = reached_files(specs_dir, bundles, shared)?;
    pin::verify("the services", &layout.pinned(), &reached, file_hashes)
}

/// `(file, sha256)` of every file the services and the shared folder reach.
pub fn reached_files(specs_dir: &Path, bundles: &[(Service, Bundle)], shared: &Bundle) -> Result<Vec<(String, String)>> {
    let mut files: Vec<String> = bundles.iter().flat_map(|(_, b)| b.files.iter().cloned()).collect();
    files.extend(shared.files.iter().cloned());
    files.sort();
    files.dedup();
    pin::hash_files(specs_dir, &files)
}

/// The shared crate's files, and its types for the services.
pub fn shared(specs: &Specs, layout: &Layout, bundled: Bundle) -> Result<(SharedTypes, Vec<(PathBuf, String)>)> {
    let mut doc = bundled.doc;
    let logs = generate::normalize(&mut doc, &generate::PassInputs::default());
    let tokens = generate::progenitor_with(&doc, &Settings::default()).context("generating the shared types")?;
    let mut file: syn::File = syn::parse2(tokens).context("generated code does not parse")?;
    crate::rewrites::open_enums::apply(&mut file);
    crate::rewrites::struct_builders::apply(&mut file);
    let types = file
        .items
        .into_iter()
        .find(|i| matches!(i, syn::Item::Mod(m) if m.ident == "types"))
        .ok_or_else(|| anyhow!("progenitor wrote no `types` module for the shared schemas"))?;
    let impls = implemented_traits(&types);
    let uses = named_types(&types, &impls);
    let surface = match &types {
        syn::Item::Mod(m) => crate::changes::surface::of_types(m.content.as_ref().map_or(&[][..], |(_, items)| items.as_slice())),
        _ => Default::default(),
    };
    let mut types = syn::File { shebang: None, attrs: Vec::new(), items: vec![types] };
    crate::rewrites::serde_impls::apply(&mut types);
    crate::rewrites::inline_methods::apply(&mut types);
    let code = prettyplease::unparse(&types);
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let sha = layout.sha256.clone().unwrap_or_default();
    let root = format!("{}/{}/schemas/", layout.dir.trim_end_matches('/'), layout::SHARED);
    let header = generate::header(specs, "shared", &root, &sha, "types");
    let mut report = format!(
        "# shared: normalization report\n\n\
         Written by `cargo xtask regen`; do not edit. Upstream `{root}` at commit `{}`: {} schemas, \
         generated once in `{SHARED_PACKAGE}` and used by every service.\n",
        specs.upstream.commit,
        schemas.len()
    );
    for (i, (name, why, log)) in logs.iter().enumerate().filter(|(_, (_, _, log))| !log.is_empty()) {
        report.push_str(&format!("\n## {}. {name}: {why}\n\n{}", i + 1, crate::emit::report::render_log(log)));
    }
    let files = vec![
        (PathBuf::from(SHARED_CRATE_DIR).join("src/generated.rs"), format!("{header}{code}")),
        (PathBuf::from("openapi/services/shared.normalization.md"), report),
        (crate::changes::service_surface_path(layout::SHARED), surface.to_string()),
    ];
    Ok((SharedTypes { schemas, impls, uses }, files))
}

/// The files of one service's crate.
pub fn service(
    specs: &Specs,
    layout: &Layout,
    service: &Service,
    bundled: Bundle,
    shared: &SharedTypes,
) -> Result<Vec<(PathBuf, String)>> {
    let mut doc = bundled.doc;
    let input_ops = operations(&doc).len();
    let input_schemas = doc.pointer("/components/schemas").and_then(Value::as_object).map_or(0, |m| m.len());
    let mut logs = generate::normalize(&mut doc, &generate::PassInputs::default());
    let mut reuse = Log::default();
    let mut extra = Settings::default();
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        match shared.schemas.get(name) {
            // A schema the generator writes as another type (a date-time is
            // `sailpoint_runtime::DateTime`) has no type of its own to share.
            Some(s) if s == schema && shared.impls.contains_key(&type_name(name)) => {
                let ty = type_name(name);
                let impls = shared.impls[&ty].clone();
                extra.replacements.insert(ty.clone(), (format!("{}::types::{ty}", SHARED_PACKAGE.replace('-', "_")), impls));
                reuse.note("from the shared crate", format!("`{name}`"));
            }
            Some(s) if s == schema => {}
            Some(_) => reuse.note("the service's passes changed it: generated here", format!("`{name}`")),
            None => {}
        }
    }
    logs.push(("shared-types", "types equal to one of `sailpoint-shared` are used from there, not generated again", reuse));
    // The `types` module also re-exports the shared types those name (a
    // field's enum), so that every type of the service's values is named
    // from the service.
    let mut pending: Vec<String> = extra.replacements.keys().cloned().collect();
    while let Some(ty) = pending.pop() {
        for used in shared.uses.get(&ty).into_iter().flatten() {
            if !extra.replacements.contains_key(used) && !extra.reexports.contains_key(used) {
                extra.reexports.insert(used.clone(), format!("{}::types::{used}", SHARED_PACKAGE.replace('-', "_")));
                pending.push(used.clone());
            }
        }
    }
    let sha = layout.sha256.clone().unwrap_or_default();
    let target = Target {
        kind: Kind::Service,
        name: &service.name,
        root: &service.root,
        crate_dir: PathBuf::from(service.crate_dir()),
        report: PathBuf::from(format!("openapi/services/{}.normalization.md", service.name)),
        contract_calls: Some(PathBuf::from(format!("tests/tests/generated/services/{}.rs", service.name))),
        sha: &sha,
        files: bundled.files.len(),
        operations: input_ops,
        schemas: input_schemas,
        renamed: bundled.renamed,
    };
    generate::emit_crate(specs, &target, doc, logs, &OtherVersions::none(), &extra)
}

/// For each type of progenitor's `types` module, the other types of the
/// module (the keys of `known`) its fields, variants' fields or aliased
/// type name: types only, not variant names or attributes.
fn named_types(types: &syn::Item, known: &BTreeMap<String, Vec<TypeImpl>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let syn::Item::Mod(m) = types else { return out };
    for item in m.content.iter().flat_map(|(_, items)| items) {
        let (ident, named): (&syn::Ident, Vec<&syn::Type>) = match item {
            syn::Item::Struct(s) => (&s.ident, s.fields.iter().map(|f| &f.ty).collect()),
            syn::Item::Enum(e) => (&e.ident, e.variants.iter().flat_map(|v| v.fields.iter()).map(|f| &f.ty).collect()),
            syn::Item::Type(t) => (&t.ident, vec![&*t.ty]),
            _ => continue,
        };
        let mut names = BTreeSet::new();
        for ty in named {
            collect_idents(quote::quote!(#ty), &mut |i| {
                if *ident != i && known.contains_key(&i) {
                    names.insert(i);
                }
            });
        }
        out.insert(ident.to_string(), names);
    }
    out
}

fn collect_idents(tokens: proc_macro2::TokenStream, found: &mut impl FnMut(String)) {
    for tt in tokens {
        match tt {
            proc_macro2::TokenTree::Ident(i) => found(i.to_string()),
            proc_macro2::TokenTree::Group(g) => collect_idents(g.stream(), found),
            _ => {}
        }
    }
}

/// Every type of progenitor's `types` module, with the `Default`,
/// `Display` and `FromStr` it derives or implements.
fn implemented_traits(types: &syn::Item) -> BTreeMap<String, Vec<TypeImpl>> {
    let mut out: BTreeMap<String, Vec<TypeImpl>> = BTreeMap::new();
    let syn::Item::Mod(m) = types else { return out };
    let known = |t: &str| match t {
        "Default" => Some(TypeImpl::Default),
        "Display" => Some(TypeImpl::Display),
        "FromStr" => Some(TypeImpl::FromStr),
        _ => None,
    };
    for item in m.content.iter().flat_map(|(_, items)| items) {
        let (ident, attrs) = match item {
            syn::Item::Struct(s) => (&s.ident, &s.attrs),
            syn::Item::Enum(e) => (&e.ident, &e.attrs),
            syn::Item::Type(t) => (&t.ident, &t.attrs),
            syn::Item::Impl(i) => {
                let (Some((_, tr, _)), syn::Type::Path(ty)) = (&i.trait_, &*i.self_ty) else { continue };
                let (Some(t), Some(ty)) = (tr.segments.last(), ty.path.segments.last()) else { continue };
                if let Some(imp) = known(&t.ident.to_string()) {
                    out.entry(ty.ident.to_string()).or_default().push(imp);
                }
                continue;
            }
            _ => continue,
        };
        out.entry(ident.to_string()).or_default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
            let _ = attr.parse_nested_meta(|meta| {
                if let Some(imp) = meta.path.segments.last().and_then(|s| known(&s.ident.to_string())) {
                    out.entry(ident.to_string()).or_default().push(imp);
                }
                Ok(())
            });
        }
    }
    for impls in out.values_mut() {
        impls.sort();
        impls.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_derived_and_implemented_traits() {
        let code: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(Clone, Debug, Default, PartialEq)]
                pub struct A {}
                pub enum B { X }
                pub type C = String;
                impl ::std::fmt::Display for B { fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { Ok(()) } }
                impl ::std::str::FromStr for B { type Err = (); fn from_str(s: &str) -> Result<Self, ()> { Err(()) } }
                impl From<&B> for B { fn from(b: &B) -> B { B::X } }
            }
        };
        let found = implemented_traits(&code.items[0]);
        assert_eq!(found["A"], [TypeImpl::Default]);
        assert_eq!(found["C"], []);
        assert!(!found.contains_key("From"));
        let mut b = found["B"].clone();
        b.sort();
        assert_eq!(b, [TypeImpl::FromStr, TypeImpl::Display]);
    }
}
