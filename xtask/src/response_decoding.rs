//! Response bodies decode through `sailpoint_runtime::decode_response`.
//!
//! progenitor's `ResponseValue::from_response` reports a body that does not
//! decode with serde_json's line and column only, and without the status.
//! This step rewrites each `ResponseValue::from_response(response)` call in
//! the generated code to `sailpoint_runtime::decode_response(response,
//! &info)`, which names the operation, the HTTP status and the JSON path of
//! the failure, and keeps the raw body. The catch-all arm
//! `_ => Err(Error::UnexpectedResponse(response))` becomes
//! `_ => Err(sailpoint_runtime::unexpected_response(response, &info).await)`,
//! which turns an undeclared error status into a typed error response
//! (status, headers and body kept) instead of an unread response.

use syn::visit_mut::VisitMut;
use syn::{Expr, parse_quote};

/// Rewrites the calls; returns how many.
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

fn is_unexpected_response(e: &Expr) -> bool {
    // Err(Error::UnexpectedResponse(response))
    let Expr::Call(err) = e else { return false };
    let Expr::Path(p) = &*err.func else { return false };
    if !p.path.is_ident("Err") || err.args.len() != 1 {
        return false;
    }
    let Expr::Call(inner) = &err.args[0] else { return false };
    let Expr::Path(ip) = &*inner.func else { return false };
    ip.path.segments.last().is_some_and(|s| s.ident == "UnexpectedResponse") && inner.args.len() == 1
}

impl VisitMut for Rewrite {
    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        if matches!(arm.pat, syn::Pat::Wild(_)) && is_unexpected_response(&arm.body) {
            *arm.body = parse_quote!(Err(sailpoint_runtime::unexpected_response(response, &info).await));
            self.count += 1;
            return;
        }
        syn::visit_mut::visit_arm_mut(self, arm);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Call(call) = e
            && is_from_response(&call.func) && call.args.len() == 1 {
                let arg = &call.args[0];
                *e = parse_quote!(sailpoint_runtime::decode_response(#arg, &info));
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
    fn rewrites_calls() {
        let mut file: syn::File = parse_quote! {
            async fn send() {
                match s {
                    200u16 => ResponseValue::from_response(response).await,
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    201u16 => ResponseValue::empty(response),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        assert_eq!(apply(&mut file), 3);
        let text = prettyplease::unparse(&file);
        assert!(text.contains("_ => Err(sailpoint_runtime::unexpected_response(response, &info).await)"), "{text}");
        assert_eq!(text.matches("sailpoint_runtime::decode_response(response, &info)").count(), 2, "{text}");
        assert_eq!(apply(&mut file), 0);
    }
}
