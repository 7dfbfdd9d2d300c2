//! A search builder can send its request and read the results as JSON.
//!
//! The `searchAfter` stream (`sailpoint_runtime::SearchAfter`) needs each
//! result as the server sent it: to read the sort values of the last one
//! (a field the document type may not declare), and to decode each by its
//! `_type` (the declared type is an untagged enum, which takes the first
//! variant that fits, not the result's kind). So for each builder named,
//! this rewrite moves `send()`'s body into a hidden generic
//! `send_as::<T>()`, which decodes a success as `T`, and makes `send()`
//! call it with the declared type. Users see no change.
//!
//! It fails the generation on a named builder without a `send()` that
//! returns `Result<ResponseValue<_>, _>`, rather than leave a search
//! without its stream.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use syn::{ImplItem, Item, parse_quote};

use crate::syntax::{last_ident, module_items_mut};

/// Splits `send()` of the `builders` (type names in `mod builder`);
/// returns how many it split.
pub fn apply(file: &mut syn::File, builders: &BTreeSet<String>) -> Result<usize> {
    let mut split = BTreeSet::new();
    for item in module_items_mut(file, "builder") {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = last_ident(&imp.self_ty) else { continue };
        if !builders.contains(&name) {
            continue;
        }
        let Some(send) = imp.items.iter_mut().find_map(|i| match i {
            ImplItem::Fn(f) if f.sig.ident == "send" && f.sig.asyncness.is_some() => Some(f),
            _ => None,
        }) else {
            continue;
        };
        let syn::ReturnType::Type(_, declared) = &send.sig.output else { continue };
        let Some(success) =
            crate::syntax::generic_arg(declared, "Result").and_then(|r| crate::syntax::generic_arg(r, "ResponseValue")).cloned()
        else {
            continue;
        };
        let block = send.block.clone();
        send.block = parse_quote!({ self.send_as::<#success>().await });
        imp.items.push(parse_quote! {
            /// `send()`, with a success decoded as `T` (for the `searchAfter`
            /// stream, which reads the results as JSON).
            #[doc(hidden)]
            pub async fn send_as<T: ::serde::de::DeserializeOwned>(
                self,
            ) -> Result<ResponseValue<T>, sailpoint_runtime::Error> #block
        });
        split.insert(name);
    }
    let missing: Vec<&String> = builders.difference(&split).collect();
    if !missing.is_empty() {
        bail!("search builders without a send() to read as JSON: {missing:?}");
    }
    Ok(split.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn send_reads_through_a_generic_send_as() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct SearchPost<'a> { client: &'a super::Client }
                impl<'a> SearchPost<'a> {
                    pub async fn send(self) -> Result<ResponseValue<::std::vec::Vec<types::SearchDocuments>>, sailpoint_runtime::Error> {
                        let Self { client } = self;
                        match status { 200u16 => sailpoint_runtime::glue::decode(response, &info).await, _ => todo!() }
                    }
                }
                pub struct ListThings<'a> { client: &'a super::Client }
                impl<'a> ListThings<'a> {
                    pub async fn send(self) -> Result<ResponseValue<Vec<types::Thing>>, sailpoint_runtime::Error> { todo!() }
                }
            }
        };
        let named: BTreeSet<String> = ["SearchPost".to_string()].into();
        assert_eq!(apply(&mut file, &named).unwrap(), 1);
        let code = file.to_token_stream().to_string();
        assert!(code.contains("self . send_as :: < :: std :: vec :: Vec < types :: SearchDocuments > > () . await"), "{code}");
        assert!(code.contains("pub async fn send_as < T : :: serde :: de :: DeserializeOwned >"), "{code}");
        assert!(code.contains("Result < ResponseValue < T > , sailpoint_runtime :: Error >"), "{code}");
        assert_eq!(code.matches("glue :: decode").count(), 1, "the body moved, not copied: {code}");
        assert_eq!(code.matches("send_as").count(), 2, "ListThings untouched: {code}");

        let missing: BTreeSet<String> = ["Nowhere".to_string()].into();
        assert!(apply(&mut file, &missing).is_err());
    }
}
