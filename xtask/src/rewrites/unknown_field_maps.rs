//! A type that keeps unknown fields is built as easily as one that does not.
//!
//! typify gives a schema with `additionalProperties` an `extra` map
//! (`#[serde(flatten)]`), the map that keeps the fields the type does not
//! name (see the `round-trip-fields` pass). It then treats the map as a
//! required field: the struct loses `Default` (so a struct literal with
//! `..Default::default()` no longer compiles), and its builder fails with
//! "no value supplied for extra" unless the map is set. An empty map is the
//! right default: a value built by hand has no unknown fields. This step:
//! - derives `Default` for a struct with an `extra` map whose other fields
//!   all default (an `Option`, or `#[serde(default)]`), as typify does
//!   without the map;
//! - starts each builder's `extra` as an empty map.

use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemStruct, parse_quote};

use crate::syntax::{last_ident, module_items_mut};

/// What the rewrite changed.
#[derive(Debug, Default, PartialEq)]
pub struct Rewritten {
    /// Structs that got `Default`.
    pub defaults: usize,
    /// Builders whose `extra` starts empty.
    pub builders: usize,
}

pub fn apply(file: &mut syn::File) -> Rewritten {
    let mut done = Rewritten::default();
    for item in module_items_mut(file, "types") {
        if let Item::Struct(s) = item
            && derive_default(s)
        {
            done.defaults += 1;
        }
    }
    let mut builders = EmptyExtra(0);
    for item in module_items_mut(file, "types") {
        if let Item::Mod(m) = item
            && m.ident == "builder"
        {
            builders.visit_item_mod_mut(m);
        }
    }
    done.builders = builders.0;
    done
}

/// Whether the field is the flattened `extra` map.
fn is_extra(field: &syn::Field) -> bool {
    field.ident.as_ref().is_some_and(|i| i == "extra")
        && field.attrs.iter().any(|a| a.path().is_ident("serde") && quote::quote!(#a).to_string().contains("flatten"))
}

/// Whether the field has a default of its own: an `Option`, or a bare `#[serde(default)]`.
fn defaults(field: &syn::Field) -> bool {
    let bare_default = field.attrs.iter().any(|a| {
        let text = quote::quote!(#a).to_string().replace(' ', "");
        a.path().is_ident("serde")
            && (text.contains("(default,")
                || text.contains(",default,")
                || text.contains("(default)")
                || text.contains(",default)"))
    });
    bare_default || last_ident(&field.ty).as_deref() == Some("Option")
}

/// Adds `Default` to the derives of a struct with an `extra` map whose
/// other fields all default; whether it did.
fn derive_default(s: &mut ItemStruct) -> bool {
    let Fields::Named(fields) = &s.fields else { return false };
    if !fields.named.iter().any(is_extra) || !fields.named.iter().filter(|f| !is_extra(f)).all(defaults) {
        return false;
    }
    for attr in &mut s.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(mut paths) = attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            return false;
        };
        if paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == "Default")) {
            return false;
        }
        paths.push(parse_quote!(Default));
        *attr = parse_quote!(#[derive(#paths)]);
        return true;
    }
    false
}

/// `extra: Err("no value supplied for extra".to_string())` → `extra: Ok(Default::default())`.
struct EmptyExtra(usize);

impl VisitMut for EmptyExtra {
    fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
        if let syn::Member::Named(name) = &fv.member
            && name == "extra"
            && quote::quote!(#fv).to_string().replace(' ', "").contains("Err(\"novaluesuppliedforextra\"")
        {
            fv.expr = parse_quote!(Ok(Default::default()));
            self.0 += 1;
            return;
        }
        syn::visit_mut::visit_field_value_mut(self, fv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structs_with_an_extra_map_default_and_build_without_it() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Debug, PartialEq)]
                pub struct Open {
                    pub name: ::std::option::Option<::std::string::String>,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: ::std::vec::Vec<::std::string::String>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, Clone, Debug)]
                pub struct Required {
                    pub name: ::std::string::String,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, Clone, Debug)]
                pub struct Closed {
                    pub name: ::std::option::Option<::std::string::String>,
                }
                pub mod builder {
                    impl ::std::default::Default for Open {
                        fn default() -> Self {
                            Self { name: Ok(Default::default()), extra: Err("no value supplied for extra".to_string()) }
                        }
                    }
                }
            }
        };
        assert_eq!(apply(&mut file), Rewritten { defaults: 1, builders: 1 });
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
        assert!(text.contains("#[derive(::serde::Deserialize,Clone,Debug,PartialEq,Default)]pubstructOpen"), "{text}");
        assert!(text.contains("#[derive(::serde::Deserialize,Clone,Debug)]pubstructRequired"), "a required field: {text}");
        assert!(text.contains("#[derive(::serde::Deserialize,Clone,Debug)]pubstructClosed"), "no map: {text}");
        assert!(text.contains("extra:Ok(Default::default())"), "{text}");
        assert_eq!(apply(&mut file), Rewritten::default(), "idempotent");
    }
}
