//! Response bodies decode through `sailpoint_runtime::decode_response`.
//!
//! progenitor's `ResponseValue::from_response` reports a body that does not
//! decode with serde_json's line and column only, and without the status.
//! This step rewrites each `ResponseValue::from_response(response)` call in
//! the generated code to `sailpoint_runtime::decode_response(response,
//! &info)`, which names the operation, the HTTP status and the JSON path of
//! the failure, and keeps the raw body.

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

impl VisitMut for Rewrite {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Call(call) = e {
            if is_from_response(&call.func) && call.args.len() == 1 {
                let arg = &call.args[0];
                *e = parse_quote!(sailpoint_runtime::decode_response(#arg, &info));
                self.count += 1;
                return;
            }
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
                    _ => ResponseValue::empty(response),
                }
            }
        };
        assert_eq!(apply(&mut file), 2);
        let text = prettyplease::unparse(&file);
        assert_eq!(text.matches("sailpoint_runtime::decode_response(response, &info)").count(), 2, "{text}");
        assert_eq!(apply(&mut file), 0);
    }
}
