//! Every status arm of a generated `send()` goes through the runtime.
//!
//! progenitor decodes a success with `ResponseValue::from_response`, whose
//! error gives serde_json's line and column only, without the status; it
//! decodes an error status into the spec's error type, and leaves an
//! undeclared status unread. This step rewrites, in each `send()`:
//! - `ResponseValue::from_response(response)` to
//!   `sailpoint_runtime::glue::decode(response, &info)`, whose error names
//!   the operation, the status and the JSON path that failed, and keeps the
//!   body;
//! - each error arm `Err(Error::ErrorResponse(…))` and the catch-all
//!   `_ => Err(Error::UnexpectedResponse(response))` to
//!   `Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await)`,
//!   which reads any of SailPoint's error shapes (or keeps the raw body)
//!   into the runtime's `Error`, with status, headers and operation.

use syn::visit_mut::VisitMut;
use syn::{Expr, parse_quote};

/// Rewrites the arms; returns how many.
pub fn apply(file: &mut syn::File) -> usize {
    let mut v = Rewrite { count: 0 };
    v.visit_file_mut(file);
    v.count
}

struct Rewrite {
    count: usize,
}

fn is_from_response(func: &Expr) -> bool {
    let Expr::Path(p) = func else { return false };
    let segs: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
    segs.ends_with(&["ResponseValue".to_string(), "from_response".to_string()])
}

/// `Err(Error::<variant>(…))` for a variant of `variants`.
fn is_err_of(e: &Expr, variants: &[&str]) -> bool {
    let e = match e {
        Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
            syn::Stmt::Expr(e, None) => e,
            _ => return false,
        },
        e => e,
    };
    let Expr::Call(err) = e else { return false };
    let Expr::Path(p) = &*err.func else { return false };
    if !p.path.is_ident("Err") || err.args.len() != 1 {
        return false;
    }
    let Expr::Call(inner) = &err.args[0] else { return false };
    let Expr::Path(ip) = &*inner.func else { return false };
    ip.path.segments.last().is_some_and(|s| variants.iter().any(|v| s.ident == v)) && inner.args.len() == 1
}

impl VisitMut for Rewrite {
    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        if is_err_of(&arm.body, &["ErrorResponse", "UnexpectedResponse"]) {
            *arm.body = parse_quote!(Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await));
            self.count += 1;
            return;
        }
        syn::visit_mut::visit_arm_mut(self, arm);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Call(call) = e
            && is_from_response(&call.func)
            && call.args.len() == 1
        {
            let arg = &call.args[0];
            *e = parse_quote!(sailpoint_runtime::glue::decode(#arg, &info));
            self.count += 1;
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_arms() {
        let mut file: syn::File = parse_quote! {
            async fn send() {
                match s {
                    200u16 => ResponseValue::from_response(response).await,
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    404u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)) }
                    201u16 => Ok(ResponseValue::empty(response)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        assert_eq!(apply(&mut file), 4);
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "").replace(",)", ")");
        assert_eq!(
            text.matches("Err(sailpoint_runtime::glue::error_response(&crate::API,response,&info).await)").count(),
            3,
            "{text}"
        );
        assert_eq!(text.matches("sailpoint_runtime::glue::decode(response,&info)").count(), 1, "{text}");
        assert!(text.contains("Ok(ResponseValue::empty(response))"), "{text}");
        assert_eq!(apply(&mut file), 0);
    }
}
