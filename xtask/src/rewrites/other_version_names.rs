//! An operation can be called by the name another version gives it, as a
//! deprecated method.
//!
//! SailPoint's pages and code written against one version use that
//! version's `operationId`: the Sources page says `peek-resource-objects`
//! (beta's `peekResourceObjects`), which v2024 calls
//! `searchResourceObjects`. `doc_aliases` makes docs.rs search find the
//! method by either name; this rewrite also makes code that uses the other
//! name compile, with a deprecation that names the method to call. Each
//! method of `impl Client` whose operation another version names
//! differently gets, for each such name, a method of that name that
//! returns the same builder, unless the version already has a method of
//! that name (a different operation): that name stays the other one's.

use std::collections::{BTreeMap, BTreeSet};

use syn::{ImplItem, Item, parse_quote};

use crate::names::method_name;
use crate::rewrites::doc_aliases::Names;

/// Adds the deprecated methods to `impl Client` in `file`, from `names`
/// (every method of the version → its names); returns how many.
pub fn apply(file: &mut syn::File, names: &BTreeMap<String, Names>) -> usize {
    let is_client = |imp: &syn::ItemImpl| matches!(&*imp.self_ty, syn::Type::Path(t) if t.path.segments.last().is_some_and(|s| s.ident == "Client"));
    // Every name `Client` has: its methods in any `impl` (of its trait
    // `ClientInfo` too), and every operation's method of the version.
    let mut taken: BTreeSet<String> = names.keys().cloned().chain(CLIENT_INFO.iter().map(|m| m.to_string())).collect();
    for item in &file.items {
        if let Item::Impl(imp) = item
            && is_client(imp)
        {
            taken.extend(
                imp.items.iter().filter_map(|i| if let ImplItem::Fn(f) = i { Some(f.sig.ident.to_string()) } else { None }),
            );
        }
    }
    // A name another version gives two different operations of this one
    // names neither.
    let mut claims: BTreeMap<String, usize> = BTreeMap::new();
    for own in names.values() {
        let mine: BTreeSet<String> = own.elsewhere.iter().map(|(_, id)| method_name(id)).collect();
        for other in mine {
            *claims.entry(other).or_default() += 1;
        }
    }
    let mut added = 0;
    for item in &mut file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_client(imp) {
            continue;
        }
        let mut new_methods: Vec<ImplItem> = Vec::new();
        for item in &imp.items {
            let ImplItem::Fn(f) = item else { continue };
            let method = f.sig.ident.to_string();
            let Some(own) = names.get(&method) else { continue };
            for (version, id) in &own.elsewhere {
                let other = method_name(id);
                if claims.get(&other) != Some(&1) || !taken.insert(other.clone()) {
                    continue;
                }
                let mut sig = f.sig.clone();
                sig.ident = syn::Ident::new(&other, sig.ident.span());
                let target = &f.sig.ident;
                let note = format!("{version} names this operation `{id}`; here it is `{method}`");
                let doc = format!("`{id}`, as {version} names it: the same operation as [`{method}`](Self::{method}).");
                new_methods.push(parse_quote! {
                    #[doc = #doc]
                    #[deprecated(note = #note)]
                    pub #sig {
                        self.#target()
                    }
                });
            }
        }
        added += new_methods.len();
        imp.items.extend(new_methods);
    }
    added
}

/// The methods of progenitor's `ClientInfo`, which `Client` implements.
const CLIENT_INFO: [&str; 4] = ["api_version", "baseurl", "client", "inner"];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(id: &str, elsewhere: &[(&str, &str)]) -> Names {
        Names { operation_id: id.to_string(), elsewhere: elsewhere.iter().map(|(v, i)| (v.to_string(), i.to_string())).collect() }
    }

    #[test]
    fn another_versions_name_calls_the_same_builder_deprecated() {
        let mut file: syn::File = parse_quote! {
            impl Client {
                pub fn search_resource_objects(&self) -> builder::SearchResourceObjects<'_> { todo!() }
                pub fn list_things(&self) -> builder::ListThings<'_> { todo!() }
                pub fn get_thing(&self) -> builder::GetThing<'_> { todo!() }
                pub fn list_a(&self) -> builder::ListA<'_> { todo!() }
                pub fn list_b(&self) -> builder::ListB<'_> { todo!() }
                pub fn get_base(&self) -> builder::GetBase<'_> { todo!() }
            }
        };
        let map: BTreeMap<String, Names> = [
            ("search_resource_objects", names("searchResourceObjects", &[("beta", "peekResourceObjects")])),
            // another version's name that is a different method here: kept for that one
            ("list_things", names("listThings", &[("v3", "getThing")])),
            ("get_thing", names("getThing", &[])),
            // two operations another version names alike: neither gets the name
            ("list_a", names("listA", &[("v3", "listAll")])),
            ("list_b", names("listB", &[("beta", "listAll")])),
            // a name `ClientInfo` has
            ("get_base", names("getBase", &[("v3", "baseurl")])),
        ]
        .into_iter()
        .map(|(m, n)| (m.to_string(), n))
        .collect();
        assert_eq!(apply(&mut file, &map), 1);
        let code = prettyplease::unparse(&file);
        let flat = code.replace(char::is_whitespace, "");
        assert!(
            flat.contains(
                "pubfnpeek_resource_objects(&self)->builder::SearchResourceObjects<'_>{self.search_resource_objects()}"
            ),
            "{code}"
        );
        assert!(
            flat.contains(
                r#"#[deprecated(note="betanamesthisoperation`peekResourceObjects`;hereitis`search_resource_objects`")]"#
            ),
            "{code}"
        );
        assert_eq!(code.matches("fn get_thing").count(), 1, "{code}");
        assert!(!code.contains("fn list_all") && !code.contains("fn baseurl"), "{code}");
    }
}
