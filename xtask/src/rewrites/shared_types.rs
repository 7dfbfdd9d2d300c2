//! Every type a service's operations take or return can be named from
//! that service's `types` module, shared ones included.
//!
//! A service's schema equal to one of `sailpoint-shared` is not generated
//! again: progenitor writes `sailpoint_shared::types::Search` in its place
//! (see `services.rs`). Without more, a user of the search service would
//! have to depend on `sailpoint-shared` to name its body. This rewrite adds
//! `pub use sailpoint_shared::types::Search;` to the service's `types`
//! module, one per replaced type and per shared type those name (a field's
//! enum), so that `sailpoint_search::types::Search` and
//! `sailpoint::services::search::types::Search` name it. A name the module
//! defines itself (the service's own, different type) is not re-exported.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use syn::{Item, parse_quote};

/// Re-exports each type (type name → its path) in `mod types`, unless the
/// module defines one of that name; returns how many.
pub fn apply(file: &mut syn::File, types: &BTreeMap<String, String>) -> Result<usize> {
    if types.is_empty() {
        return Ok(0);
    }
    let Some(module) = file.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) else {
        bail!("no `types` module to re-export the shared types from");
    };
    let defined: BTreeSet<String> = module
        .1
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut uses: Vec<Item> = Vec::new();
    for (name, path) in types.iter().filter(|(name, _)| !defined.contains(*name)) {
        let path: syn::Path = syn::parse_str(path)?;
        if path.segments.last().is_none_or(|s| s.ident != name.as_str()) {
            bail!("the replacement of `{name}` is `{}`, not a type of that name", quote::quote!(#path));
        }
        uses.push(parse_quote!(pub use #path;));
    }
    let count = uses.len();
    module.1.splice(0..0, uses);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_types_are_named_from_the_services_types() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                pub struct Own;
            }
        };
        let types: BTreeMap<String, String> =
            [("Search", "sailpoint_shared::types::Search"), ("Own", "sailpoint_shared::types::Own")]
                .into_iter()
                .map(|(n, p)| (n.to_string(), p.to_string()))
                .collect();
        assert_eq!(apply(&mut file, &types).unwrap(), 1, "`Own` is the service's own type");
        let code = prettyplease::unparse(&file).replace(char::is_whitespace, "");
        assert!(code.contains("pubmodtypes{pubusesailpoint_shared::types::Search;pubstructOwn;}"), "{code}");
        let wrong: BTreeMap<String, String> =
            [("Query".to_string(), "sailpoint_shared::types::Other".to_string())].into_iter().collect();
        assert!(apply(&mut file, &wrong).is_err());
    }
}
