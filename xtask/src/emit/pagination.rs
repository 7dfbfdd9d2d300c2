//! `sailpoint_runtime::Paginate` for every `limit`/`offset` operation: one
//! `offset_listing!` line each.
//!
//! The item type is read from the generated code itself (the builder's
//! `send()` return type, and for a page that is an object, its one array
//! field), so it is exactly what progenitor and typify named it.

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

/// The impls, and the operations that could not be made streams (with why).
pub fn emit(file: &syn::File, ops: &[OperationMeta]) -> Result<(TokenStream, Vec<String>)> {
    let builders = builders(file);
    let types = type_fields(file);
    let mut impls = Vec::new();
    let mut skipped = Vec::new();
    for op in ops.iter().filter(|o| !o.multipart) {
        let Some(max) = op.max_limit else { continue };
        if op.search_after {
            skipped.push(format!(
                "{}: pages with `searchAfter` past 10,000 results (use `sailpoint::Client::search`)",
                op.operation_id
            ));
            continue;
        }
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
