//! Every client method can be found in the docs by its `operationId`.
//!
//! SailPoint's reference pages and the other SDKs name operations by their
//! `operationId` (`listSources`, `get-source-config`); the method is its
//! snake case (`list_sources`). Each method of `impl Client` gets
//! `#[doc(alias = "<operationId>")]`, so that docs.rs search finds it by
//! either name. rustdoc refuses an alias equal to the item's name, so a
//! method spelled like its id gets none.

use std::collections::BTreeMap;

use syn::{ImplItem, Item, parse_quote};

/// Adds the alias to each method of `impl Client` named in `operation_ids`
/// (method name → operationId); returns how many it added.
pub fn apply(file: &mut syn::File, operation_ids: &BTreeMap<String, String>) -> usize {
    let mut added = 0;
    for item in &mut file.items {
        let Item::Impl(imp) = item else { continue };
        let is_client =
            matches!(&*imp.self_ty, syn::Type::Path(t) if t.path.segments.last().is_some_and(|s| s.ident == "Client"));
        if imp.trait_.is_some() || !is_client {
            continue;
        }
        for item in &mut imp.items {
            let ImplItem::Fn(f) = item else { continue };
            let Some(id) = operation_ids.get(&f.sig.ident.to_string()) else { continue };
            let has_alias = f.attrs.iter().any(
                |a| matches!(&a.meta, syn::Meta::List(l) if l.path.is_ident("doc") && l.tokens.to_string().starts_with("alias")),
            );
            if f.sig.ident == id || has_alias {
                continue;
            }
            f.attrs.push(parse_quote!(#[doc(alias = #id)]));
            added += 1;
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_get_their_operation_id_as_an_alias_once() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                pub fn new() -> Self { todo!() }
                ///Lists sources (an alias of nothing).
                pub fn list_sources(&self) -> builder::ListSources { todo!() }
                pub fn ping(&self) -> builder::Ping { todo!() }
            }
            impl Other { pub fn list_sources(&self) {} }
        };
        let ids: BTreeMap<String, String> =
            [("list_sources", "listSources"), ("ping", "ping")].iter().map(|(m, i)| (m.to_string(), i.to_string())).collect();
        assert_eq!(apply(&mut file, &ids), 1);
        assert_eq!(apply(&mut file, &ids), 0, "idempotent");
        let code = quote::quote!(#file).to_string();
        assert_eq!(code.matches("doc (alias").count(), 1, "{code}");
        assert!(code.contains("# [doc (alias = \"listSources\")] pub fn list_sources"), "{code}");
    }
}
