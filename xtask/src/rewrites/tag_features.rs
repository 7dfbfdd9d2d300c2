//! A year crate compiles only the API areas its features name.
//!
//! Every operation belongs to one tag (`Sources`, `IAI Role Mining`), and
//! each tag is a Cargo feature of the crate (`sources`,
//! `iai-role-mining`; see [`feature_name`]); `full` turns on all of them.
//! An operation's method, its deprecated other-version names, its builder
//! and its pagination line are compiled under its tag's feature; a type
//! under the features of every tag whose operations reach it, through the
//! fields, variants and impls of the types in between; a type no operation
//! reaches under `full`. So `features = ["sources"]` compiles the Sources
//! operations and the types they need, a fraction of the crate, and the
//! operation table (`OPERATIONS`) is always there.
//!
//! Everything is read from the generated code (the names it mentions), not
//! from the spec, so the gates match what the compiler needs: a type is on
//! whenever anything that is on names it.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit::Visit;
use syn::{ImplItem, Item, parse_quote};

use crate::syntax::last_ident;

/// The feature that turns on every tag and the types no operation reaches.
pub const FULL: &str = "full";

/// A tag's feature: lower case, every run of other characters one `-`
/// (`IAI Role Mining` → `iai-role-mining`, `SOD Policies` → `sod-policies`).
pub fn feature_name(tag: &str) -> String {
    let mut out = String::new();
    for c in tag.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "untagged".to_string() } else { out }
}

/// Builder name (`ListSources`) → its tag's feature, for every operation;
/// an error if two tags give one feature, or a tag gives `full` or
/// `default`.
pub fn features(ops: &[crate::emit::metadata::OperationMeta]) -> Result<BTreeMap<String, String>> {
    let mut tags: BTreeMap<String, &str> = BTreeMap::new();
    for o in ops {
        let feature = feature_name(&o.tag);
        if feature == FULL || feature == "default" {
            bail!("the tag `{}` would be the feature `{feature}`, which Cargo or this crate reserves", o.tag);
        }
        if let Some(other) = tags.insert(feature.clone(), &o.tag)
            && other != o.tag
        {
            bail!("the tags `{other}` and `{}` would both be the feature `{feature}`", o.tag);
        }
    }
    Ok(ops.iter().map(|o| (crate::names::type_name(&o.operation_id), feature_name(&o.tag))).collect())
}

/// What the gates cover.
#[derive(Debug, Default)]
pub struct Gated {
    /// Builders gated by their tag's feature.
    pub operations: usize,
    /// Types gated by the features that reach them.
    pub types: usize,
    /// Types no operation reaches (under `full`).
    pub unreached: usize,
}

/// The files of a year crate progenitor and the emitters wrote.
pub struct CrateFiles<'a> {
    /// `generated.rs`: `mod types`, `mod builder`, `impl Client`.
    pub client: &'a mut syn::File,
    /// `generated_multipart.rs`: `impl crate::Client`, `mod multipart`.
    pub multipart: &'a mut syn::File,
    /// `generated_pagination.rs`: one listing macro per builder.
    pub pagination: &'a mut syn::File,
}

/// Gates the operations (builder name → feature) and the types of `files`.
/// Every feature of `features` must be a tag's; `full` is added by the
/// crate's manifest. `more` names what else each feature compiles that
/// mentions types (the `events` module, under the Triggers tag's feature).
pub fn apply(
    files: CrateFiles<'_>,
    features: &BTreeMap<String, String>,
    more: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Gated> {
    let mut gated = Gated::default();
    // feature → the names its operations mention
    let mut roots: BTreeMap<String, BTreeSet<String>> = more.clone();
    for (items, module) in [(&mut files.client.items, "builder"), (&mut files.multipart.items, "multipart")] {
        for item in items.iter_mut() {
            match item {
                Item::Mod(m) if m.ident == module => {
                    let Some((_, inner)) = m.content.as_mut() else { continue };
                    for item in inner.iter_mut() {
                        let Some(name) = subject(item) else { continue };
                        let Some(feature) = features.get(&name) else {
                            bail!("`{module}::{name}` is not the builder of an operation of a tag");
                        };
                        roots.entry(feature.clone()).or_default().extend(names(item));
                        if matches!(item, Item::Struct(_)) {
                            gated.operations += 1;
                        }
                        gate(item, std::slice::from_ref(feature));
                    }
                }
                Item::Impl(imp) if imp.trait_.is_none() && last_ident(&imp.self_ty).as_deref() == Some("Client") => {
                    for method in imp.items.iter_mut() {
                        let ImplItem::Fn(f) = method else { continue };
                        let syn::ReturnType::Type(_, ty) = &f.sig.output else { continue };
                        let syn::Type::Path(path) = &**ty else { continue };
                        let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
                        let [m, builder] = segments.as_slice() else { continue };
                        if m != "builder" && m != "multipart" {
                            continue;
                        }
                        let Some(feature) = features.get(builder) else {
                            bail!("`Client::{}` returns `{m}::{builder}`, not the builder of an operation of a tag", f.sig.ident);
                        };
                        f.attrs.push(cfg(std::slice::from_ref(feature)));
                    }
                }
                _ => {}
            }
        }
    }
    for item in files.pagination.items.iter_mut() {
        let Item::Macro(m) = item else { continue };
        let Some(TokenTree::Ident(builder)) = m.mac.tokens.clone().into_iter().next() else { continue };
        let Some(feature) = features.get(&builder.to_string()) else {
            bail!("the listing of `{builder}` is not an operation of a tag");
        };
        roots.entry(feature.clone()).or_default().extend(token_names(&m.mac.tokens));
        m.attrs.push(cfg(std::slice::from_ref(feature)));
    }

    let Some((_, types)) = files.client.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) else {
        bail!("no `types` module");
    };
    let graph = type_graph(types);
    // type → the features that reach it
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (feature, names) in &roots {
        let mut todo: Vec<&String> = names.iter().filter(|n| graph.contains_key(*n)).collect();
        while let Some(name) = todo.pop() {
            if reached.entry(name.clone()).or_default().insert(feature.clone()) {
                todo.extend(graph[name].iter().filter(|n| graph.contains_key(*n)));
            }
        }
    }
    let every: BTreeSet<String> = features.values().cloned().collect();
    let gates = |name: &str| -> Option<Vec<String>> {
        match reached.get(name) {
            None => Some(vec![FULL.to_string()]),
            Some(set) if *set == every => None,
            Some(set) => Some(set.iter().cloned().collect()),
        }
    };
    let defaults = default_owners(types);
    for name in graph.keys() {
        match reached.get(name) {
            None => gated.unreached += 1,
            Some(set) if *set != every => gated.types += 1,
            Some(_) => {}
        }
    }
    for item in types.iter_mut() {
        match item {
            Item::Mod(m) if m.ident == "builder" => {
                for item in m.content.as_mut().map(|(_, i)| i.as_mut_slice()).unwrap_or_default() {
                    if let Some(g) = owner(item, &graph).and_then(|s| gates(&s)) {
                        gate(item, &g);
                    }
                }
            }
            Item::Mod(m) if m.ident == "defaults" => {
                for item in m.content.as_mut().map(|(_, i)| i.as_mut_slice()).unwrap_or_default() {
                    let Item::Fn(f) = item else { continue };
                    let owners = defaults.get(&f.sig.ident.to_string()).cloned().unwrap_or_default();
                    let mut union = BTreeSet::new();
                    let mut always = false;
                    for owner in &owners {
                        match gates(owner) {
                            None => always = true,
                            Some(g) => union.extend(g),
                        }
                    }
                    if !always {
                        if union.is_empty() {
                            union.insert(FULL.to_string());
                        }
                        f.attrs.push(cfg(&union.into_iter().collect::<Vec<_>>()));
                    }
                }
            }
            _ => {
                if let Some(g) = owner(item, &graph).and_then(|s| gates(&s)) {
                    gate(item, &g);
                }
            }
        }
    }
    Ok(gated)
}

/// `#[cfg(any(feature = "a", feature = "b", feature = "full"))]`: `full`
/// is named too, so that it turns on what a tag does.
pub fn cfg(features: &[String]) -> syn::Attribute {
    let mut all: BTreeSet<&str> = features.iter().map(String::as_str).collect();
    all.insert(FULL);
    let all = all.into_iter();
    parse_quote!(#[cfg(any(#(feature = #all),*))])
}

fn gate(item: &mut Item, features: &[String]) {
    let attr = cfg(features);
    match item {
        Item::Struct(i) => i.attrs.push(attr),
        Item::Enum(i) => i.attrs.push(attr),
        Item::Impl(i) => i.attrs.push(attr),
        Item::Type(i) => i.attrs.push(attr),
        Item::Fn(i) => i.attrs.push(attr),
        Item::Macro(i) => i.attrs.push(attr),
        Item::Const(i) => i.attrs.push(attr),
        _ => {}
    }
}

/// The type an item defines or implements for (`struct X`, `impl .. for X`).
fn subject(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(i) => last_ident(&i.self_ty),
        _ => None,
    }
}

/// The type of `mod types` an item belongs to: the one it defines or
/// implements for, else (`impl From<Name> for String`) the first one it
/// names.
fn owner(item: &Item, graph: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    match subject(item) {
        Some(s) if graph.contains_key(&s) => Some(s),
        _ if matches!(item, Item::Impl(_)) => names_in_order(item).into_iter().find(|n| graph.contains_key(n)),
        _ => None,
    }
}

/// Type name → every name its items (definition, impls, builder) mention.
fn type_graph(types: &[Item]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types {
        if let Item::Struct(_) | Item::Enum(_) | Item::Type(_) = item {
            graph.insert(subject(item).unwrap_or_default(), BTreeSet::new());
        }
    }
    let builders = types.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, i)| i.as_slice()),
        _ => None,
    });
    for item in types.iter().chain(builders.unwrap_or_default()) {
        if let Some(owner) = owner(item, &graph) {
            let refs = names(item);
            graph.get_mut(&owner).expect("an owner is a defined type").extend(refs);
        }
    }
    let defined: BTreeSet<String> = graph.keys().cloned().collect();
    for refs in graph.values_mut() {
        refs.retain(|r| defined.contains(r));
    }
    graph
}

/// `defaults::f` → the types whose items name it (in code, or in a
/// `#[serde(default = "defaults::f")]` string).
fn default_owners(types: &[Item]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let builders = types.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, i)| i.as_slice()),
        _ => None,
    });
    for item in types.iter().chain(builders.unwrap_or_default()) {
        let Some(owner) = subject(item) else { continue };
        let text = item.to_token_stream().to_string();
        for (i, _) in text.match_indices("defaults") {
            let rest = text[i + "defaults".len()..].trim_start().trim_start_matches("::").trim_start();
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.entry(name).or_default().insert(owner.clone());
            }
        }
    }
    out
}

/// Every identifier of a path in `item`, macro arguments included.
fn names(item: &Item) -> BTreeSet<String> {
    names_in_order(item).into_iter().collect()
}

/// [`names`] in the order the item mentions them (an impl's trait and its
/// arguments before its type).
fn names_in_order(item: &Item) -> Vec<String> {
    let mut v = Names::default();
    v.visit_item(item);
    v.0
}

fn token_names(tokens: &TokenStream) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in tokens.clone() {
        match t {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => out.extend(token_names(&g.stream())),
            _ => {}
        }
    }
    out
}

#[derive(Default)]
struct Names(Vec<String>);

impl Names {
    fn push(&mut self, name: String) {
        if !self.0.contains(&name) {
            self.0.push(name);
        }
    }
}

impl<'ast> Visit<'ast> for Names {
    fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
        self.push(seg.ident.to_string());
        syn::visit::visit_path_segment(self, seg);
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for name in token_names(&mac.tokens) {
            self.push(name);
        }
        syn::visit::visit_macro(self, mac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_feature_names() {
        assert_eq!(feature_name("IAI Role Mining"), "iai-role-mining");
        assert_eq!(feature_name("Non-Employee Lifecycle Management"), "non-employee-lifecycle-management");
        assert_eq!(feature_name("SOD Policies"), "sod-policies");
        assert_eq!(feature_name(" Sources "), "sources");
        assert_eq!(feature_name("--"), "untagged");
    }

    fn files() -> (syn::File, syn::File, syn::File) {
        let client: syn::File = parse_quote! {
            pub mod types {
                pub struct Source { pub owner: Owner, #[serde(default = "defaults::source_kind")] pub kind: Kind }
                pub struct Owner { pub id: String }
                pub enum Kind { A }
                impl From<&Kind> for Kind { fn from(k: &Kind) -> Self { k.clone() } }
                pub struct Account { pub owner: Owner }
                pub struct Lonely { pub x: String }
                pub mod builder { pub struct Source { owner: Result<super::Owner, String> } }
                pub mod defaults { pub(super) fn source_kind() -> super::Kind { super::Kind::A } }
                pub mod error { pub struct ConversionError; }
            }
            impl Client {
                pub fn new() -> Self { todo!() }
                pub fn create_source(&self) -> builder::CreateSource<'_> { todo!() }
                pub fn list_accounts(&self) -> builder::ListAccounts<'_> { todo!() }
            }
            pub mod builder {
                pub struct CreateSource<'a> { body: Result<Option<types::builder::Source>, String>, c: &'a () }
                impl<'a> CreateSource<'a> { pub fn send(self) -> types::Source { todo!() } }
                pub struct ListAccounts<'a> { c: &'a () }
                impl<'a> ListAccounts<'a> { pub fn send(self) -> Vec<types::Account> { todo!() } }
            }
        };
        let multipart: syn::File = parse_quote! { pub mod multipart {} };
        let pagination: syn::File = parse_quote! {
            sailpoint_runtime::glue::offset_listing!(ListAccounts, Vec<types::Account>, types::Account, 250);
        };
        (client, multipart, pagination)
    }

    #[test]
    fn operations_and_the_types_they_reach_are_gated() {
        let (mut client, mut multipart, mut pagination) = files();
        let features: BTreeMap<String, String> =
            [("CreateSource", "sources"), ("ListAccounts", "accounts")].map(|(b, f)| (b.to_string(), f.to_string())).into();
        let gated = apply(
            CrateFiles { client: &mut client, multipart: &mut multipart, pagination: &mut pagination },
            &features,
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!((gated.operations, gated.types, gated.unreached), (2, 3, 1));
        let code = prettyplease::unparse(&client).replace(char::is_whitespace, "");
        let on = |f: &str, item: &str| {
            let expected = format!("#[cfg(any({f}))]{item}").replace(char::is_whitespace, "");
            assert!(code.contains(&expected), "{expected} in {code}");
        };
        on(r#"feature = "full", feature = "sources""#, "pub struct Source");
        on(r#"feature = "full", feature = "sources""#, "pub enum Kind");
        on(r#"feature = "full", feature = "sources""#, "impl From<&Kind> for Kind");
        on(r#"feature = "full", feature = "sources""#, "pub(super) fn source_kind");
        on(r#"feature = "full", feature = "sources""#, "pub struct Source { owner");
        on(r#"feature = "accounts", feature = "full""#, "pub struct Account");
        on(r#"feature = "full""#, "pub struct Lonely");
        on(r#"feature = "full", feature = "sources""#, "pub fn create_source");
        on(r#"feature = "accounts", feature = "full""#, "pub struct ListAccounts");
        assert!(code.contains("pubstructOwner"), "reached by every tag, so never gated: {code}");
        assert!(code.contains("pubmoderror{pubstructConversionError;}"), "{code}");
        assert!(code.contains("pubfnnew()"), "{code}");
        let listing = prettyplease::unparse(&pagination).replace(char::is_whitespace, "");
        assert!(listing.starts_with(r#"#[cfg(any(feature="accounts",feature="full"))]"#), "{listing}");
    }

    #[test]
    fn tags_that_make_one_feature_are_an_error() {
        let op = |tag: &str, id: &str| crate::emit::metadata::OperationMeta {
            tag: tag.to_string(),
            operation_id: id.to_string(),
            ..Default::default()
        };
        assert_eq!(features(&[op("Sources", "listSources")]).unwrap()["ListSources"], "sources");
        assert!(features(&[op("SOD Policies", "a"), op("SOD-Policies", "b")]).is_err());
        assert!(features(&[op("Full", "a")]).is_err());
    }

    #[test]
    fn a_listing_of_no_operation_is_an_error() {
        let (mut client, mut multipart, mut pagination) = files();
        let features: BTreeMap<String, String> = [("CreateSource".to_string(), "sources".to_string())].into();
        assert!(
            apply(
                CrateFiles { client: &mut client, multipart: &mut multipart, pagination: &mut pagination },
                &features,
                &BTreeMap::new()
            )
            .is_err()
        );
    }
}
