//! The paginators can read a listing's own `limit`, `offset` and `body`.
//!
//! `.stream()` uses a `.limit(..)` set on the builder as the page size and
//! an `.offset(..)` as the first item; a search's stream sends its `body`
//! again with each page's `searchAfter`. progenitor keeps builder fields
//! private to its `builder` module, where the paginators' impls (one
//! `offset_listing!` or `search_after_listing!` line each, in
//! `generated_pagination.rs`) cannot see them; this makes the `limit` and
//! `offset` fields `pub(crate)`, and the `body` of a builder that has an
//! `offset`. Users see no change.

use syn::{Fields, Item, parse_quote};

use crate::syntax::module_items_mut;

/// Makes `limit` and `offset` of every builder `pub(crate)`, and `body`
/// where there is an `offset`; returns how many fields it changed.
pub fn apply(file: &mut syn::File) -> usize {
    let mut changed = 0;
    for item in module_items_mut(file, "builder") {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(fields) = &mut s.fields else { continue };
        let listing = fields.named.iter().any(|f| f.ident.as_ref().is_some_and(|i| i == "offset"));
        for f in fields.named.iter_mut() {
            let paging = f.ident.as_ref().is_some_and(|i| i == "limit" || i == "offset" || (listing && i == "body"));
            if paging && matches!(f.vis, syn::Visibility::Inherited) {
                f.vis = parse_quote!(pub(crate));
                changed += 1;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_and_offset_become_crate_visible() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct ListThings<'a> { client: &'a super::Client, limit: Result<Option<i32>, String>, offset: Result<Option<i32>, String>, filters: Result<Option<String>, String> }
                pub struct SearchThings<'a> { offset: Result<Option<i32>, String>, body: Result<types::Search, String> }
                pub struct CreateThing<'a> { body: Result<types::Thing, String> }
            }
            pub struct Other { limit: u32 }
        };
        assert_eq!(apply(&mut file), 4);
        assert_eq!(apply(&mut file), 0, "idempotent");
        let code = quote::quote!(#file).to_string();
        assert!(code.contains("pub (crate) limit") && code.contains("pub (crate) offset"), "{code}");
        assert!(code.contains("filters : Result") && !code.contains("pub (crate) filters"), "{code}");
        assert!(code.contains("pub struct Other { limit : u32 }"), "{code}");
        assert!(code.contains("pub (crate) body : Result < types :: Search"), "{code}");
        assert!(code.contains("CreateThing < 'a > { body : Result"), "a body without an offset stays private: {code}");
    }
}
