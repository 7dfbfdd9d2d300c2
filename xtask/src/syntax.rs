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
