//! A required request body that was never set is an error before sending.
//!
//! progenitor starts a builder-typed body (`types::builder::X`) at its
//! default, so `create_password_sync_group().send()` without `.body(..)`
//! posts `{}`. For the operations whose spec marks the body required, the
//! builder's body becomes `Option` inside its `Result`: `.body(..)` and
//! `.body_map(..)` (which still starts from the default) set it, and
//! `send()` refuses an unset one with an `InvalidRequest` error naming the
//! operation. Optional bodies keep progenitor's behaviour.

use std::collections::BTreeSet;

use anyhow::{Context, Result, bail};
use syn::{Fields, Item};

use crate::syntax::module_items_mut;

/// The message of the error for a body never set.
pub const NOT_SET: &str = "the request body is required and was not set: call `.body(..)` or `.body_map(..)`";

/// `(from, to)`: token-level edits of one builder impl, each expected once.
fn edits() -> [(String, String); 4] {
    [
        ("body : Ok (:: std :: default :: Default :: default ())".into(), "body : Ok (None)".into()),
        (". map (From :: from)".into(), ". map (| v | Some (From :: from (v)))".into()),
        (
            "self . body = self . body . map (f) ;".into(),
            "self . body = self . body . map (| b | Some (f (b . unwrap_or_default ()))) ;".into(),
        ),
        (
            "let body = body . and_then (| v |".into(),
            format!("let body = body . and_then (| v | v . ok_or_else (| | String :: from ({NOT_SET:?}))) . and_then (| v |"),
        ),
    ]
}

/// Applies the change to the builders (`mod builder`) named in `required`
/// (builder type names); returns how many it changed.
pub fn apply(file: &mut syn::File, required: &BTreeSet<String>) -> Result<usize> {
    let mut changed = BTreeSet::new();
    let items = module_items_mut(file, "builder");
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        if !required.contains(&s.ident.to_string()) {
            continue;
        }
        let Fields::Named(fields) = &mut s.fields else { continue };
        let Some(body) = fields.named.iter_mut().find(|f| f.ident.as_ref().is_some_and(|i| i == "body")) else { continue };
        let ty = &body.ty;
        let text = quote::quote!(#ty).to_string();
        let Some(inner) = text.strip_prefix("Result < ").and_then(|t| t.strip_suffix(" , String >")) else { continue };
        if !inner.starts_with("types :: builder ::") {
            continue;
        }
        body.ty = syn::parse_str(&format!("Result<Option<{inner}>, String>")).context("the new body type")?;
        changed.insert(s.ident.to_string());
    }
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let syn::Type::Path(ty) = &*imp.self_ty else { continue };
        let name = ty.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        if imp.trait_.is_some() || !changed.contains(&name) {
            continue;
        }
        let mut text = quote::quote!(#imp).to_string();
        for (from, to) in edits() {
            if text.matches(&from).count() != 1 {
                bail!("builder {name}: expected `{from}` once in progenitor's code");
            }
            text = text.replace(&from, &to);
        }
        *imp = syn::parse_str(&text).with_context(|| format!("builder {name} after the required-body edit"))?;
    }
    Ok(changed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                pub struct CreateThing<'a> { client: &'a super::Client, body: Result<types::builder::Thing, String> }
                impl<'a> CreateThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, body: Ok(::std::default::Default::default()) }
                    }
                    pub fn body<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::Thing> {
                        self.body = value.try_into().map(From::from).map_err(|s| format!("{}", s));
                        self
                    }
                    pub fn body_map<F>(mut self, f: F) -> Self where F: std::ops::FnOnce(types::builder::Thing) -> types::builder::Thing {
                        self.body = self.body.map(f);
                        self
                    }
                    pub async fn send(self) -> Result<(), Error> {
                        let Self { client, body } = self;
                        let body = body.and_then(|v| types::Thing::try_from(v).map_err(|e| e.to_string())).map_err(bad)?;
                        Ok(())
                    }
                }
                pub struct UpdateThing<'a> { client: &'a super::Client, body: Result<types::builder::Thing, String> }
            }
        }
    }

    #[test]
    fn required_builder_bodies_start_unset() {
        let mut file = builder();
        let required: BTreeSet<String> = ["CreateThing".to_string()].into();
        assert_eq!(apply(&mut file, &required).unwrap(), 1);
        let code = quote::quote!(#file).to_string();
        assert!(code.contains("body : Result < Option < types :: builder :: Thing > , String >"), "{code}");
        assert!(code.contains("body : Ok (None)"), "{code}");
        assert!(code.contains("Some (f (b . unwrap_or_default ()))"), "{code}");
        assert!(code.contains("v . ok_or_else"), "{code}");
        assert_eq!(code.matches("Result < types :: builder :: Thing , String >").count(), 1, "UpdateThing is untouched: {code}");
    }

    #[test]
    fn an_unexpected_shape_is_an_error() {
        let mut file = builder();
        let syn::Item::Mod(m) = &mut file.items[0] else { unreachable!() };
        m.content.as_mut().unwrap().1.remove(1);
        m.content.as_mut().unwrap().1.push(syn::parse_quote! {
            impl<'a> CreateThing<'a> { pub fn new() -> Self { todo!() } }
        });
        let required: BTreeSet<String> = ["CreateThing".to_string()].into();
        assert!(apply(&mut file, &required).is_err());
    }
}
