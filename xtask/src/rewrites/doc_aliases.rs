//! Every client method can be found in the docs by its `operationId`, and
//! by the names other versions give the same operation.
//!
//! SailPoint's reference pages and the other SDKs name operations by their
//! `operationId` (`listSources`, `get-source-config`); the method is its
//! snake case (`list_sources`). Each method of `impl Client` gets
//! `#[doc(alias = "<operationId>")]`, so that docs.rs search finds it by
//! either name. rustdoc refuses an alias equal to the item's name, so a
//! method spelled like its id gets none. Where the method's name is not the
//! id's snake case (`move_`: `move` is a Rust keyword), its docs say why.
//!
//! Versions name some operations differently (v2024's
//! `searchResourceObjects` is beta's `peekResourceObjects`, at the same
//! path): the method also gets the other versions' ids and their snake
//! case as aliases, and a line of its docs names them.

use std::collections::{BTreeMap, BTreeSet};

use syn::{ImplItem, Item, parse_quote};

use crate::names::method_name;

/// The names of one operation.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub operation_id: String,
    /// `(version, operationId)` where another version names it differently.
    pub elsewhere: Vec<(String, String)>,
}

/// Adds the aliases (and the doc lines) to each method of `impl Client`
/// named in `names` (method name → its names); returns how many methods it
/// changed.
pub fn apply(file: &mut syn::File, names: &BTreeMap<String, Names>) -> usize {
    let mut changed = 0;
    for item in &mut file.items {
        let Item::Impl(imp) = item else { continue };
        let is_client =
            matches!(&*imp.self_ty, syn::Type::Path(t) if t.path.segments.last().is_some_and(|s| s.ident == "Client"));
        if imp.trait_.is_some() || !is_client {
            continue;
        }
        for item in &mut imp.items {
            let ImplItem::Fn(f) = item else { continue };
            let method = f.sig.ident.to_string();
            let Some(names) = names.get(&method) else { continue };
            let has_alias = f.attrs.iter().any(
                |a| matches!(&a.meta, syn::Meta::List(l) if l.path.is_ident("doc") && l.tokens.to_string().starts_with("alias")),
            );
            if has_alias {
                continue;
            }
            // The operationId first, then the other versions' names, each once.
            let mut aliases = vec![names.operation_id.clone()];
            let mut lines = Vec::new();
            // The id's plain snake case, before `method_name` makes it a Rust name.
            let snake = heck::ToSnakeCase::to_snake_case(names.operation_id.as_str());
            if snake != method {
                let why = if method == format!("{snake}_") {
                    format!("`{snake}` is a Rust keyword")
                } else {
                    "the snake case of its operationId is taken or not a Rust name".to_string()
                };
                lines.push(format!("Named `{method}`, not `{snake}`: {why}."));
            }
            for (version, id) in &names.elsewhere {
                aliases.extend([id.clone(), method_name(id)]);
                lines.push(format!("{version} names this operation `{id}` (its method there is `{}`).", method_name(id)));
            }
            let mut seen = BTreeSet::new();
            aliases.retain(|a| *a != method && seen.insert(a.clone()));
            if aliases.is_empty() && lines.is_empty() {
                continue;
            }
            for line in lines {
                let line = format!("\n\n{line}");
                f.attrs.push(parse_quote!(#[doc = #line]));
            }
            for alias in &aliases {
                f.attrs.push(parse_quote!(#[doc(alias = #alias)]));
            }
            changed += 1;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(id: &str, elsewhere: &[(&str, &str)]) -> Names {
        Names { operation_id: id.to_string(), elsewhere: elsewhere.iter().map(|(v, i)| (v.to_string(), i.to_string())).collect() }
    }

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
        let ids: BTreeMap<String, Names> =
            [("list_sources", "listSources"), ("ping", "ping")].iter().map(|(m, i)| (m.to_string(), names(i, &[]))).collect();
        assert_eq!(apply(&mut file, &ids), 1);
        assert_eq!(apply(&mut file, &ids), 0, "idempotent");
        let code = quote::quote!(#file).to_string();
        assert_eq!(code.matches("doc (alias").count(), 1, "{code}");
        assert!(code.contains("# [doc (alias = \"listSources\")] pub fn list_sources"), "{code}");
    }

    #[test]
    fn other_versions_names_and_keywords_are_explained() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                ///Peeks.
                pub fn search_resource_objects(&self) -> builder::X { todo!() }
                pub fn move_(&self) -> builder::Move { todo!() }
            }
        };
        let ids: BTreeMap<String, Names> = [
            ("search_resource_objects".to_string(), names("searchResourceObjects", &[("beta", "peekResourceObjects")])),
            ("move_".to_string(), names("move", &[])),
        ]
        .into_iter()
        .collect();
        assert_eq!(apply(&mut file, &ids), 2);
        let code = prettyplease::unparse(&file);
        for alias in ["searchResourceObjects", "peekResourceObjects", "peek_resource_objects", "move"] {
            assert!(code.contains(&format!("#[doc(alias = \"{alias}\")]")), "{alias}: {code}");
        }
        assert!(
            code.contains("beta names this operation `peekResourceObjects` (its method there is `peek_resource_objects`)."),
            "{code}"
        );
        assert!(code.contains("Named `move_`, not `move`: `move` is a Rust keyword."), "{code}");
    }
}
