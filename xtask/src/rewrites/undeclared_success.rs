//! Any 2xx is a success, declared or not.
//!
//! SailPoint's specs often name the wrong success status: a create
//! declared `200` answers `201`, an action declared `202` answers `200`,
//! a delete declared `204` answers `200` with a body. progenitor sends
//! every status it was not told of to the catch-all arm, an error, so a
//! request the server completed reads as failed, and a caller who retries
//! a create makes a duplicate. (A 2xx whose body is empty or does not
//! decode, where the operation promises one, is a success too: the runtime's
//! `ResponseValue` keeps the raw body instead of a value.)
//!
//! This step rewrites the catch-all arm of each `send()` (after
//! `response_decoding`), by the operation's success type:
//! - a JSON type: `sailpoint_runtime::glue::other_status(…)`, which
//!   decodes any 2xx as the success type (and hands any other status to
//!   `error_response`, as before);
//! - `()`: an arm `_ if response.status().is_success()` that answers
//!   `Ok(ResponseValue::empty(response))`;
//! - `ByteStream`: the same arm, answering `Ok(ResponseValue::stream(response))`.
//!
//! It also lists the operations whose spec declares no 2xx at all, for the
//! report: they get the same treatment, with the type progenitor gave them.
//! A `send()` not in that shape (no `match` on the status, or no catch-all
//! arm) fails the generation rather than keep an arm that errs on a 2xx.

use anyhow::{Result, bail};
use syn::visit_mut::VisitMut;
use syn::{Arm, ImplItemFn, Pat, ReturnType, parse_quote};

use crate::syntax::{generic_arg, last_ident};

/// What the rewrite did.
#[derive(Debug, Default)]
pub struct Rewritten {
    /// `send()`s whose catch-all now takes any 2xx.
    pub count: usize,
    /// Operations whose spec declares no 2xx status.
    pub without_success: Vec<String>,
}

/// Rewrites every `send()` of `file`; fails on one it cannot rewrite.
pub fn apply(file: &mut syn::File) -> Result<Rewritten> {
    let mut v = Rewrite::default();
    v.visit_file_mut(file);
    if !v.failed.is_empty() {
        bail!("send() without a status match and a catch-all arm, not rewritten: {}", v.failed.join(", "));
    }
    Ok(v.done)
}

#[derive(Default)]
struct Rewrite {
    done: Rewritten,
    /// Operations whose `send()` is not in the expected shape.
    failed: Vec<String>,
}

/// What a 2xx body becomes, from the success type `T` of `ResponseValue<T>`.
#[derive(Clone, Copy)]
enum Success {
    Decoded,
    Empty,
    Stream,
}

fn success_of(f: &ImplItemFn) -> Option<Success> {
    let ReturnType::Type(_, ret) = &f.sig.output else { return None };
    let value = generic_arg(ret, "Result").and_then(|ok| generic_arg(ok, "ResponseValue"))?;
    Some(match value {
        syn::Type::Tuple(t) if t.elems.is_empty() => Success::Empty,
        t if last_ident(t).as_deref() == Some("ByteStream") => Success::Stream,
        _ => Success::Decoded,
    })
}

/// The operation id of the `send()`: the string in `OperationInfo { operation_id: "…" }`.
fn operation_id(f: &ImplItemFn) -> String {
    let text = quote::quote!(#f).to_string();
    text.split("operation_id : \"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("?").to_string()
}

/// Whether the arm's pattern is a 2xx status literal (`201u16`).
fn is_success_arm(arm: &Arm) -> bool {
    let Pat::Lit(l) = &arm.pat else { return false };
    let syn::Lit::Int(i) = &l.lit else { return false };
    i.base10_parse::<u16>().is_ok_and(|n| (200..300).contains(&n))
}

fn is_catch_all(arm: &Arm) -> bool {
    matches!(arm.pat, Pat::Wild(_)) && arm.guard.is_none()
}

/// Rewrites the catch-all of the one status `match` in `f`; whether it did.
struct Arms {
    success: Success,
    declared_success: bool,
    rewritten: bool,
}

impl VisitMut for Arms {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        let on_status = quote::quote!(#m).to_string().replace(' ', "").starts_with("matchresponse.status().as_u16()");
        if !on_status {
            return syn::visit_mut::visit_expr_match_mut(self, m);
        }
        self.declared_success = m.arms.iter().any(is_success_arm);
        let Some(i) = m.arms.iter().position(is_catch_all) else { return };
        match self.success {
            Success::Decoded => {
                *m.arms[i].body = parse_quote!(sailpoint_runtime::glue::other_status(&crate::API, response, &info).await);
            }
            Success::Empty => {
                m.arms.insert(i, parse_quote!(_ if response.status().is_success() => Ok(ResponseValue::empty(response)),));
            }
            Success::Stream => {
                m.arms.insert(i, parse_quote!(_ if response.status().is_success() => Ok(ResponseValue::stream(response)),));
            }
        }
        self.rewritten = true;
    }
}

impl VisitMut for Rewrite {
    fn visit_impl_item_fn_mut(&mut self, f: &mut ImplItemFn) {
        if f.sig.ident != "send" {
            return;
        }
        let Some(success) = success_of(f) else {
            self.failed.push(operation_id(f));
            return;
        };
        let mut arms = Arms { success, declared_success: false, rewritten: false };
        arms.visit_block_mut(&mut f.block);
        if !arms.rewritten {
            self.failed.push(operation_id(f));
            return;
        }
        self.done.count += 1;
        if !arms.declared_success {
            self.done.without_success.push(operation_id(f));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(ret: syn::Type, arms: proc_macro2::TokenStream) -> syn::File {
        parse_quote! {
            impl<'a> Thing<'a> {
                pub async fn send(self) -> Result<#ret, sailpoint_runtime::Error> {
                    let info = OperationInfo { operation_id: "thing" };
                    let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info).await?;
                    match response.status().as_u16() { #arms }
                }
            }
        }
    }

    /// The code without whitespace, trailing commas or the braces around an arm's body.
    fn text(file: &syn::File) -> String {
        prettyplease::unparse(file).replace(char::is_whitespace, "").replace(",)", ")").replace("=>{", "=>").replace("}}", "}")
    }

    const ERROR: &str = "Err(sailpoint_runtime::glue::error_response(&crate::API,response,&info).await)";

    #[test]
    fn a_json_success_decodes_any_2xx() {
        let mut file = send(
            parse_quote!(ResponseValue<types::Source>),
            quote::quote! {
                200u16 => sailpoint_runtime::glue::decode(response, &info).await,
                400u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
            },
        );
        let done = apply(&mut file).unwrap();
        assert_eq!((done.count, done.without_success.len()), (1, 0));
        let text = text(&file);
        assert!(text.contains("_=>sailpoint_runtime::glue::other_status(&crate::API,response,&info).await}"), "{text}");
        assert_eq!(text.matches(ERROR).count(), 1, "the 400 arm stays: {text}");
    }

    #[test]
    fn an_empty_or_streamed_success_takes_any_2xx_first() {
        for (ret, answer) in [
            (parse_quote!(ResponseValue<()>), "Ok(ResponseValue::empty(response))"),
            (parse_quote!(ResponseValue<ByteStream>), "Ok(ResponseValue::stream(response))"),
        ] {
            let mut file = send(
                ret,
                quote::quote! {
                    204u16 => Ok(ResponseValue::empty(response)),
                    _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                },
            );
            assert_eq!(apply(&mut file).unwrap().count, 1);
            let text = text(&file);
            let guarded = format!("_ifresponse.status().is_success()=>{answer},_=>{ERROR}");
            assert!(!text.contains("other_status"), "{text}");
            assert!(text.contains(&guarded), "{text}");
        }
    }

    #[test]
    fn reports_an_operation_without_a_declared_success() {
        let mut file = send(
            parse_quote!(ResponseValue<ByteStream>),
            quote::quote! {
                400u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
            },
        );
        let done = apply(&mut file).unwrap();
        assert_eq!(done.without_success, ["thing"]);
        assert!(text(&file).contains("_ifresponse.status().is_success()=>Ok(ResponseValue::stream(response))"));
    }

    #[test]
    fn refuses_a_send_without_a_catch_all() {
        let mut file = send(
            parse_quote!(ResponseValue<types::Source>),
            quote::quote! { 200u16 => sailpoint_runtime::glue::decode(response, &info).await },
        );
        let e = apply(&mut file).unwrap_err().to_string();
        assert!(e.contains("thing"), "{e}");
    }
}
