//! Reading the code progenitor generated (a `syn` tree): the shapes the
//! emitters after it (`pagination`, `contract_calls`) look for, and the
//! modules the rewrites edit.

use syn::{GenericArgument, Item, PathArguments, Type};

/// The `T` of `Wrapper<T>` when the last path segment is `wrapper`.
pub fn generic_arg<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
    args.args.iter().find_map(|a| if let GenericArgument::Type(t) = a { Some(t) } else { None })
}

pub fn last_ident(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    p.path.segments.last().map(|s| s.ident.to_string())
}

/// Items of `mod <name>` in the generated file.
pub fn module_items<'f>(file: &'f syn::File, name: &str) -> &'f [Item] {
    file.items
        .iter()
        .find_map(|i| match i {
            Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

/// Items of `mod <name>` in the generated file, to edit (empty when there
/// is no such module).
pub fn module_items_mut<'f>(file: &'f mut syn::File, name: &str) -> &'f mut [Item] {
    file.items
        .iter_mut()
        .find_map(|i| match i {
            Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items.as_mut_slice()),
            _ => None,
        })
        .unwrap_or(&mut [])
}

/// A type named inside `mod types` (`Source`) as seen from outside it.
pub fn qualify(ty: &Type) -> Type {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 && p.path.leading_colon.is_none() => {
            let ident = &p.path.segments[0].ident;
            if ident.to_string().chars().next().is_some_and(char::is_uppercase) {
                syn::parse_quote!(types::#ty)
            } else {
                ty.clone()
            }
        }
        _ => ty.clone(),
    }
}

/// The paths `attrs` derive (`::serde::Deserialize`, `Clone`…).
fn derived(attrs: &[syn::Attribute]) -> Vec<syn::Path> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated).ok())
        .flatten()
        .collect()
}

fn last_segment(p: &syn::Path) -> String {
    p.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

/// Whether `attrs` derive the trait named `name` (`Deserialize`, `Copy`).
pub fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    derived(attrs).iter().any(|p| last_segment(p) == name)
}

/// Removes the trait named `name` from the `#[derive(..)]` attributes of
/// `attrs`, leaving the others as they are.
pub fn drop_derive(attrs: &mut [syn::Attribute], name: &str) {
    for a in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(list) = a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        if !list.iter().any(|p| last_segment(p) == name) {
            continue;
        }
        let kept: Vec<&syn::Path> = list.iter().filter(|p| last_segment(p) != name).collect();
        *a = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}
