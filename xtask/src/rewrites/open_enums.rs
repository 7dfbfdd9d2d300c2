//! String enums keep values they do not know.
//!
//! SailPoint adds enum values without notice (`APPLICATION_DISCOVERY` in a
//! source's `features` broke the official Python SDK's users). typify makes
//! closed enums, so this step edits the generated `types` module: every
//! enum of unit variants gets a last variant `Unknown(String)` (or
//! `UnknownValue` when `Unknown` is taken), marked `#[serde(untagged)]` so
//! that a value matching no variant is kept as sent and written back
//! unchanged. `Display` and `FromStr` learn the new variant; `Copy` is
//! dropped from every type of the module, as a `String` is not `Copy`.
//!
//! This works on the syntax tree rather than on the spec because typify has
//! no setting for it; the spec passes run before generation, this runs after.

use std::collections::{BTreeMap, HashSet};

use syn::visit_mut::VisitMut;
use syn::{Expr, Fields, Item, ItemEnum, ItemImpl, Pat, parse_quote};

use crate::syntax::{drop_derive, module_items_mut};

/// Opens every string enum in `mod types`; returns each opened enum with
/// the name of its new variant.
pub fn apply(file: &mut syn::File) -> BTreeMap<String, String> {
    let mut opened = BTreeMap::new();
    let items = module_items_mut(file, "types");
    for item in items.iter_mut() {
        if let Item::Enum(e) = item
            && let Some(variant) = open(e)
        {
            opened.insert(e.ident.to_string(), variant);
        }
    }
    for item in items.iter_mut() {
        match item {
            Item::Impl(i) => fix_impl(i, &opened),
            Item::Enum(e) => drop_derive(&mut e.attrs, "Copy"),
            Item::Struct(s) => drop_derive(&mut s.attrs, "Copy"),
            _ => {}
        }
    }
    opened
}

fn is_string_enum(e: &ItemEnum) -> bool {
    let derives = e.attrs.iter().any(|a| a.path().is_ident("derive") && quote::quote!(#a).to_string().contains("Deserialize"));
    let untagged = e.attrs.iter().any(|a| quote::quote!(#a).to_string().contains("untagged"));
    derives
        && !untagged
        && !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, Fields::Unit) && v.attrs.iter().any(|a| a.path().is_ident("serde")))
}

fn open(e: &mut ItemEnum) -> Option<String> {
    if !is_string_enum(e) {
        return None;
    }
    let taken: HashSet<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
    let name = ["Unknown", "UnknownValue", "UnknownEnumValue"].into_iter().find(|n| !taken.contains(*n))?;
    let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
    e.variants.push(parse_quote! {
        /// A value this version of the SDK does not know, kept as sent.
        #[serde(untagged)]
        #ident(::std::string::String)
    });
    Some(name.to_string())
}

fn self_name(i: &ItemImpl) -> Option<String> {
    match &*i.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn trait_name(i: &ItemImpl) -> Option<String> {
    i.trait_.as_ref().and_then(|(_, p, _)| p.segments.last()).map(|s| s.ident.to_string())
}

fn fix_impl(i: &mut ItemImpl, opened: &BTreeMap<String, String>) {
    let Some(variant) = self_name(i).and_then(|n| opened.get(&n)) else { return };
    let variant = syn::Ident::new(variant, proc_macro2::Span::call_site());
    match trait_name(i).as_deref() {
        Some("Display") => DisplayFix { variant }.visit_item_impl_mut(i),
        Some("FromStr") => FromStrFix { variant }.visit_item_impl_mut(i),
        _ => {}
    }
}

/// `match *self { … }` → `match self { …, Self::Unknown(v) => f.write_str(v) }`.
struct DisplayFix {
    variant: syn::Ident,
}

impl VisitMut for DisplayFix {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        if let Expr::Unary(u) = &*m.expr
            && matches!(u.op, syn::UnOp::Deref(_))
        {
            *m.expr = parse_quote!(self);
        }
        let v = &self.variant;
        m.arms.push(parse_quote!(Self::#v(value) => f.write_str(value),));
    }
}

/// `_ => Err("invalid value".into())` → `_ => Ok(Self::Unknown(value.to_string()))`.
struct FromStrFix {
    variant: syn::Ident,
}

impl VisitMut for FromStrFix {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        let v = &self.variant;
        for arm in m.arms.iter_mut() {
            if matches!(arm.pat, Pat::Wild(_)) {
                *arm.body = parse_quote!(Ok(Self::#v(value.to_string())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_string_enums() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Kind {
                    #[serde(rename = "A")]
                    A,
                    #[serde(rename = "UNKNOWN")]
                    Unknown,
                }
                impl ::std::fmt::Display for Kind {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self {
                            Self::A => f.write_str("A"),
                            Self::Unknown => f.write_str("UNKNOWN"),
                        }
                    }
                }
                impl ::std::str::FromStr for Kind {
                    type Err = &'static str;
                    fn from_str(value: &str) -> ::std::result::Result<Self, &'static str> {
                        match value {
                            "A" => Ok(Self::A),
                            _ => Err("invalid value"),
                        }
                    }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub struct Holder { pub kind: Kind }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(untagged)]
                pub enum Either { #[serde(rename = "x")] X }
            }
        };
        let opened = apply(&mut file);
        assert_eq!(opened, BTreeMap::from([("Kind".to_string(), "UnknownValue".to_string())]));
        let text = prettyplease::unparse(&file);
        assert!(text.contains("#[serde(untagged)]\n        UnknownValue(::std::string::String)"), "{text}");
        assert!(text.contains("match self {"), "{text}");
        assert!(text.contains("Self::UnknownValue(value) => f.write_str(value)"), "{text}");
        assert!(text.contains("_ => Ok(Self::UnknownValue(value.to_string()))"), "{text}");
        assert!(!text.contains("Copy"), "{text}");
        // applying again changes nothing more than the first time did
        let mut again = file.clone();
        assert!(apply(&mut again).is_empty());
        assert_eq!(prettyplease::unparse(&again), text);
    }
}
