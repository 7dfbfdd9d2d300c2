//! `sailpoint_runtime::Paginate` for every `limit`/`offset` operation: one
//! `offset_listing!` line each; and `sailpoint_runtime::SearchAfter` for
//! every search the `search-after` pass marks: one `search_after_listing!`
//! line each.
//!
//! The item type is read from the generated code itself (the builder's
//! `send()` return type, and for a page that is an object, its one array
//! field), so it is exactly what progenitor and typify named it. A
//! search's document type is an enum of one variant per kind of result;
//! each variant's name without its `Document`/`Documents` suffix,
//! lowercased, is the `_type` its results carry (`IdentityDocuments` →
//! `identity`).

use std::collections::BTreeMap;

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, Type};

use crate::syntax::{generic_arg, last_ident, module_items, qualify};

use crate::emit::metadata::OperationMeta;
use crate::names::type_name;

/// How a page's items are reached.
enum Items {
    /// The page is a `Vec` of items.
    Whole(Type),
    /// The page is an `Option<Vec<_>>` (an empty success body is `None`).
    Nullable(Type),
    /// The page is an object whose field `ident` holds the items (`optional`: an `Option<Vec<_>>`).
    Field { ident: syn::Ident, item: Type, optional: bool },
}

/// Builder name → (success type of `send()`, field names).
fn builders(file: &syn::File) -> BTreeMap<String, (Type, Vec<String>)> {
    let items = module_items(file, "builder");
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in items {
        if let Item::Struct(s) = i {
            fields.insert(s.ident.to_string(), s.fields.iter().filter_map(|f| f.ident.as_ref().map(|i| i.to_string())).collect());
        }
    }
    let mut out = BTreeMap::new();
    for i in items {
        let Item::Impl(imp) = i else { continue };
        let Some(name) = last_ident(&imp.self_ty) else { continue };
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let syn::ReturnType::Type(_, ret) = &f.sig.output else { continue };
            let Some(ok) = generic_arg(ret, "Result").and_then(|rv| generic_arg(rv, "ResponseValue")) else { continue };
            out.insert(name.clone(), (ok.clone(), fields.get(&name).cloned().unwrap_or_default()));
        }
    }
    out
}

/// Struct name in `mod types` → its fields (ident, type).
fn type_fields(file: &syn::File) -> BTreeMap<String, Vec<(syn::Ident, Type)>> {
    let mut out = BTreeMap::new();
    for i in module_items(file, "types") {
        if let Item::Struct(s) = i {
            let fields = s.fields.iter().filter_map(|f| Some((f.ident.clone()?, f.ty.clone()))).collect();
            out.insert(s.ident.to_string(), fields);
        }
    }
    out
}

fn items_of(page: &Type, types: &BTreeMap<String, Vec<(syn::Ident, Type)>>) -> Option<Items> {
    if let Some(item) = generic_arg(page, "Vec") {
        return Some(Items::Whole(item.clone()));
    }
    if let Some(item) = generic_arg(page, "Option").and_then(|inner| generic_arg(inner, "Vec")) {
        return Some(Items::Nullable(item.clone()));
    }
    let fields = types.get(&last_ident(page)?)?;
    let arrays: Vec<Items> = fields
        .iter()
        .filter_map(|(ident, ty)| {
            if let Some(item) = generic_arg(ty, "Vec") {
                Some(Items::Field { ident: ident.clone(), item: qualify(item), optional: false })
            } else {
                let inner = generic_arg(ty, "Option")?;
                let item = generic_arg(inner, "Vec")?;
                Some(Items::Field { ident: ident.clone(), item: qualify(item), optional: true })
            }
        })
        .collect();
    if arrays.len() == 1 { arrays.into_iter().next() } else { None }
}

/// Enum name in `mod types` → its variants (name, the type it holds).
fn type_variants(file: &syn::File) -> BTreeMap<String, Vec<(syn::Ident, Type)>> {
    let mut out = BTreeMap::new();
    for i in module_items(file, "types") {
        if let Item::Enum(e) = i {
            let variants = e
                .variants
                .iter()
                .filter_map(|v| match &v.fields {
                    syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => Some((v.ident.clone(), f.unnamed[0].ty.clone())),
                    _ => None,
                })
                .collect();
            out.insert(e.ident.to_string(), variants);
        }
    }
    out
}

/// The `_type` of the results a document variant holds.
fn document_kind(variant: &syn::Ident) -> String {
    let name = variant.to_string();
    let name = name.strip_suffix("Documents").or_else(|| name.strip_suffix("Document")).unwrap_or(&name);
    name.to_ascii_lowercase()
}

/// A builder's `body` field (`Result<_, String>`) as the typed body: the
/// type, and the expression reading `body` (`&Result<_, String>`) as a
/// `Result<Body, String>`. The field holds the body itself, or its typify
/// builder (`types::builder::Search`), either perhaps in an `Option` (a
/// required body not yet set).
fn typed_body(file: &syn::File, builder: &str) -> Option<(Type, TokenStream)> {
    let field = module_items(file, "builder").iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == builder => {
            s.fields.iter().find(|f| f.ident.as_ref().is_some_and(|i| i == "body")).map(|f| f.ty.clone())
        }
        _ => None,
    })?;
    let held = generic_arg(&field, "Result")?;
    let (held, optional) = match generic_arg(held, "Option") {
        Some(inner) => (inner, true),
        None => (held, false),
    };
    let Type::Path(path) = held else { return None };
    let mut typed = path.clone();
    typed.path.segments = path.path.segments.iter().filter(|s| s.ident != "builder").cloned().collect();
    let from_builder = typed.path.segments.len() != path.path.segments.len();
    let typed = Type::Path(typed);
    let mut read = quote!(body.clone());
    if optional {
        read = quote!(#read.and_then(|v| v.ok_or_else(|| ::std::string::String::from("the request body is required and was not set: call `.body(..)`"))));
    }
    if from_builder {
        read = quote!(#read.and_then(|v| #typed::try_from(v).map_err(|e| e.to_string())));
    }
    Some((typed, read))
}

/// A search marked by the `search-after` pass, as the stream reads it.
pub struct Search {
    /// The builder (`SearchPostV1`).
    pub builder: String,
    /// The request body's type, and how to read the builder's field as it.
    body: (Type, TokenStream),
    /// The document type (`types::SearchDocuments`).
    document: Type,
    /// `_type` → the variant its results decode as.
    kinds: Vec<(String, syn::Ident)>,
    /// The largest `limit`.
    max: u32,
    operation: String,
}

/// The searches of `ops` that return a list of documents of one enum
/// (their builders need `send_as`; see the rewrite); the others, with why
/// they get no stream.
pub fn searches(file: &syn::File, ops: &[OperationMeta]) -> (Vec<Search>, Vec<String>) {
    let builders = builders(file);
    let enums = type_variants(file);
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for op in ops.iter().filter(|o| o.search_after && !o.multipart) {
        let builder = type_name(&op.operation_id);
        let document = builders.get(&builder).and_then(|(page, _)| generic_arg(page, "Vec")).cloned();
        let Some(document) = document else {
            skipped.push(format!("{}: pages with `searchAfter`, but its answer is not a list of results", op.operation_id));
            continue;
        };
        let Some(variants) = last_ident(&document).and_then(|name| enums.get(&name)) else {
            skipped.push(format!("{}: its results are not an enum of document kinds", op.operation_id));
            continue;
        };
        let Some(body) = typed_body(file, &builder) else {
            skipped.push(format!("{}: pages with `searchAfter`, but has no `body` to send again", op.operation_id));
            continue;
        };
        let kinds = variants.iter().map(|(v, _)| (document_kind(v), v.clone())).collect();
        // Within the window whatever the spec says (and so within the i32 of a `limit`).
        let max = op.max_limit.map_or(10_000, |m| u32::try_from(m.min(10_000)).unwrap_or(10_000));
        found.push(Search { builder, body, document: qualify(&document), kinds, max, operation: op.id.clone() });
    }
    (found, skipped)
}

/// The impls, and the operations that could not be made streams (with why).
pub fn emit(file: &syn::File, ops: &[OperationMeta]) -> Result<(TokenStream, Vec<String>)> {
    let builders = builders(file);
    let types = type_fields(file);
    let mut impls = Vec::new();
    let (searches, mut skipped) = searches(file, ops);
    for search in &searches {
        let ident = format_ident!("{}", search.builder);
        let document = &search.document;
        let operation = &search.operation;
        let kinds = search.kinds.iter().map(|(kind, variant)| quote!(#kind => #document::#variant));
        let (body, read) = &search.body;
        let max = proc_macro2::Literal::u32_unsuffixed(search.max);
        impls.push(quote! {
            sailpoint_runtime::glue::search_after_listing!(#ident, #body, #document, #max, #operation, [#(#kinds),*], |body| #read);
        });
    }
    for op in ops.iter().filter(|o| !o.multipart && !o.search_after) {
        let Some(max) = op.max_limit else { continue };
        let builder = type_name(&op.operation_id);
        let Some((page, fields)) = builders.get(&builder) else {
            skipped.push(format!("{}: no builder `{builder}`", op.operation_id));
            continue;
        };
        let Some(items) = items_of(page, &types) else {
            skipped.push(format!("{}: the page has no single array of items", op.operation_id));
            continue;
        };
        let ident = format_ident!("{}", builder);
        let max = proc_macro2::Literal::u32_unsuffixed(u32::try_from(max).unwrap_or(u32::MAX));
        let counts = fields.iter().any(|f| f == "count");
        let with_count = if counts { quote!(b.count(true)) } else { quote!(b) };
        let operation = &op.id;
        let (item, into_items) = match &items {
            Items::Whole(item) => (item.clone(), quote!(page)),
            Items::Nullable(item) => (item.clone(), quote!(page.unwrap_or_default())),
            Items::Field { ident, item, optional: true } => (item.clone(), quote!(page.#ident.unwrap_or_default())),
            Items::Field { ident, item, optional: false } => (item.clone(), quote!(page.#ident)),
        };
        impls.push(quote! {
            sailpoint_runtime::glue::offset_listing!(#ident, #page, #item, #max, #operation, #counts, |b| #with_count, |page| #into_items);
        });
    }
    let tokens = quote! {
        #[allow(unused_imports)]
        use crate::{builder, types};

        #(#impls)*
    };
    Ok((tokens, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn op(operation_id: &str, search_after: bool) -> OperationMeta {
        OperationMeta {
            id: crate::names::method_name(operation_id),
            operation_id: operation_id.into(),
            method: "POST".into(),
            path: "/search".into(),
            tag: String::new(),
            experimental: false,
            request_content_type: None,
            accept: None,
            empty_success_is_null: false,
            multipart: false,
            success_statuses: vec![200],
            max_limit: Some(10_000),
            search_after,
            replay_safe: true,
        }
    }

    #[test]
    fn searches_decode_by_kind_and_get_no_offset_stream() {
        let file: syn::File = parse_quote! {
            pub mod types {
                pub enum SearchDocuments { IdentityDocuments(IdentityDocuments), AccessProfileDocuments(AccessProfileDocuments), Event(Event) }
                pub struct AggregationResult { pub hits: Vec<SearchDocuments> }
            }
            pub mod builder {
                pub struct SearchPost<'a> { pub(crate) offset: Result<Option<i32>, String>, pub(crate) body: Result<Option<types::builder::Search>, String> }
                impl<'a> SearchPost<'a> {
                    pub async fn send(self) -> Result<ResponseValue<::std::vec::Vec<types::SearchDocuments>>, sailpoint_runtime::Error> { todo!() }
                }
                impl<'a> SearchAggregate<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::AggregationResult>, sailpoint_runtime::Error> { todo!() }
                }
            }
        };
        let ops = [op("searchPost", true), op("searchAggregate", true)];
        let (tokens, skipped) = emit(&file, &ops).unwrap();
        let code = tokens.to_string();
        assert!(
            code.contains(
                "search_after_listing ! (SearchPost , types :: Search , types :: SearchDocuments , 10000 , \"search_post\""
            ),
            "{code}"
        );
        assert!(code.contains("| body | body . clone () . and_then (| v | v . ok_or_else"), "{code}");
        assert!(code.contains("and_then (| v | types :: Search :: try_from (v)"), "{code}");
        assert!(code.contains("\"identity\" => types :: SearchDocuments :: IdentityDocuments"), "{code}");
        assert!(code.contains("\"accessprofile\" => types :: SearchDocuments :: AccessProfileDocuments"), "{code}");
        assert!(code.contains("\"event\" => types :: SearchDocuments :: Event"), "{code}");
        assert!(!code.contains("offset_listing"), "no offset stream for a search: {code}");
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(skipped[0].starts_with("searchAggregate: "), "{skipped:?}");
    }
}
