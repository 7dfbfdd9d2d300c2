//! typify's struct builders are kept only for request bodies.
//!
//! typify writes a second struct for every type (`types::builder::X`, with
//! a `Result<_, String>` per field, a setter per field and two conversions)
//! and `X::builder()`. They were 40 % of a year crate's lines (their
//! setters are generic, so they cost lines more than type checking). What
//! uses them is the request body: an
//! operation's `body_map(|b| b.name(..))` edits its body through the
//! builder. So the builders of the types an operation keeps as
//! `types::builder::X` stay, and the others go with their `X::builder()`.
//! A value of another type is a struct literal (with
//! `..Default::default()` where the type has a default).

use std::collections::BTreeSet;

use syn::visit::Visit;
use syn::{ImplItem, Item};

use crate::syntax::last_ident;

/// What the rewrite kept and removed.
#[derive(Debug, Default, PartialEq)]
pub struct Pruned {
    pub kept: usize,
    pub removed: usize,
}

/// Removes from `mod types` the builders (and `X::builder()`) of the types
/// no operation builder names as `types::builder::X`.
pub fn apply(file: &mut syn::File) -> Pruned {
    let mut used = BodyBuilders::default();
    for item in file.items.iter().filter(|i| !matches!(i, Item::Mod(m) if m.ident == "types")) {
        used.visit_item(item);
    }
    let used = used.0;
    let mut pruned = Pruned::default();
    let Some((_, types)) = file.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) else {
        return pruned;
    };
    types.retain(|item| match item {
        Item::Impl(imp) if imp.trait_.is_none() && is_builder_fn(&imp.items) => {
            last_ident(&imp.self_ty).is_some_and(|name| used.contains(&name))
        }
        _ => true,
    });
    for item in types.iter_mut() {
        let Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        let Some((_, items)) = m.content.as_mut() else { continue };
        items.retain(|item| {
            let keep = match item {
                Item::Struct(s) => used.contains(&s.ident.to_string()),
                Item::Impl(imp) => last_ident(&imp.self_ty).is_some_and(|name| used.contains(&name)),
                _ => true,
            };
            if let Item::Struct(_) = item {
                if keep { pruned.kept += 1 } else { pruned.removed += 1 }
            }
            keep
        });
    }
    types.retain(
        |item| !matches!(item, Item::Mod(m) if m.ident == "builder" && m.content.as_ref().is_some_and(|(_, i)| i.is_empty())),
    );
    pruned
}

/// `impl X { pub fn builder() -> builder::X { .. } }`, typify's only item
/// of that impl.
fn is_builder_fn(items: &[ImplItem]) -> bool {
    matches!(items, [ImplItem::Fn(f)] if f.sig.ident == "builder" && f.sig.inputs.is_empty())
}

/// The `X` of every `types::builder::X` path visited.
#[derive(Default)]
struct BodyBuilders(BTreeSet<String>);

impl<'ast> Visit<'ast> for BodyBuilders {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let [.., types, builder, name] = segs.as_slice()
            && types == "types"
            && builder == "builder"
        {
            self.0.insert(name.clone());
        }
        syn::visit::visit_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_builders_of_request_bodies_stay() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Thing { pub name: String }
                impl Thing { pub fn builder() -> builder::Thing { Default::default() } }
                pub struct Part { pub id: String }
                impl Part { pub fn builder() -> builder::Part { Default::default() } }
                impl Part { pub fn other(&self) {} }
                pub mod builder {
                    pub struct Thing { name: Result<String, String> }
                    impl Default for Thing { fn default() -> Self { todo!() } }
                    impl Thing { pub fn name(self) -> Self { self } }
                    impl TryFrom<Thing> for super::Thing { type Error = String; fn try_from(v: Thing) -> Result<Self, String> { todo!() } }
                    impl From<super::Thing> for Thing { fn from(v: super::Thing) -> Self { todo!() } }
                    pub struct Part { id: Result<String, String> }
                    impl Default for Part { fn default() -> Self { todo!() } }
                    impl TryFrom<Part> for super::Part { type Error = String; fn try_from(v: Part) -> Result<Self, String> { todo!() } }
                    impl From<super::Part> for Part { fn from(v: super::Part) -> Self { todo!() } }
                }
            }
            pub mod builder {
                pub struct CreateThing<'a> { body: Result<Option<types::builder::Thing>, String>, c: &'a () }
            }
        };
        assert_eq!(apply(&mut file), Pruned { kept: 1, removed: 1 });
        let code = quote::quote!(#file).to_string();
        assert_eq!(code.matches("Part").count(), 2, "only the type and its own impl are left: {code}");
        assert!(code.contains("impl Part { pub fn other"), "{code}");
        assert_eq!(code.matches("builder :: Thing").count(), 2, "{code}");
        assert_eq!(code.matches("for super :: Thing").count(), 1, "{code}");
        assert_eq!(code.matches("for Thing").count(), 2, "{code}");
    }

    #[test]
    fn no_body_builder_leaves_no_builder_module() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Part { pub id: String }
                impl Part { pub fn builder() -> builder::Part { Default::default() } }
                pub mod builder { pub struct Part { id: Result<String, String> } }
            }
        };
        assert_eq!(apply(&mut file), Pruned { kept: 0, removed: 1 });
        let code = quote::quote!(#file).to_string();
        assert!(!code.contains("builder"), "{code}");
    }
}
