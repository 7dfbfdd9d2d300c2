//! Only the status arms of a `send()` that its catch-all would not answer.
//!
//! After `response_decoding` and `undeclared_success`, a `send()` matches
//! the status with an arm per declared status, and ends in a catch-all:
//! - `_ => Err(…::error_response(&crate::API, response, &info).await)`, or
//! - `_ => …::other_status(&crate::API, response, &info).await`, which
//!   decodes any 2xx as the success type and answers `error_response` for
//!   any other status.
//!
//! Most declared arms answer what the catch-all would: each error status
//! (`400u16` … `500u16`, about six per operation) `Err(error_response(…))`,
//! and, before `other_status`, the declared success `decode(response,
//! &info)`. They change nothing at run time, but each is an `.await` of its
//! own, a state of the `send()` future that rustc type-checks,
//! borrow-checks and lays out. This step removes an arm, with no guard and
//! one status literal as its pattern, when it is
//! - a status of 300 or more answering `Err(error_response(…))`, before
//!   either catch-all;
//! - a 2xx answering `decode(response, &info)`, before `other_status`.
//!
//! Any other arm stays (a 2xx answered as empty, a stream, an error; a
//! guard); so does every arm of a match with another catch-all, and of any
//! match that is not on `response.status().as_u16()` or that has an arm
//! other than a status literal, `_ if …` or `_` (a range).

use syn::visit_mut::VisitMut;
use syn::{Arm, Expr, ExprMatch, Lit, Pat};

/// Removes the arms the catch-all answers the same; returns how many.
pub fn apply(file: &mut syn::File) -> usize {
    let mut v = Rewrite { removed: 0 };
    v.visit_file_mut(file);
    v.removed
}

struct Rewrite {
    removed: usize,
}

/// `e` without the braces of a block of one expression.
fn unblock(e: &Expr) -> &Expr {
    match e {
        Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
            syn::Stmt::Expr(inner, None) => unblock(inner),
            _ => e,
        },
        _ => e,
    }
}

/// `f` of `path::f(…).await`.
fn awaited_call(e: &Expr) -> Option<String> {
    let Expr::Await(a) = e else { return None };
    let Expr::Call(c) = &*a.base else { return None };
    let Expr::Path(p) = &*c.func else { return None };
    Some(p.path.segments.last()?.ident.to_string())
}

/// The arm's body is `Err(…::error_response(…).await)`.
fn answers_error(arm: &Arm) -> bool {
    let Expr::Call(c) = unblock(&arm.body) else { return false };
    matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Err"))
        && c.args.len() == 1
        && awaited_call(&c.args[0]).as_deref() == Some("error_response")
}

/// The status of an arm whose pattern is one integer literal.
fn status(arm: &Arm) -> Option<u16> {
    let Pat::Lit(lit) = &arm.pat else { return None };
    let Lit::Int(i) = &lit.lit else { return None };
    i.base10_parse().ok()
}

/// What the match's last arm, `_ =>` with no guard, answers.
#[derive(PartialEq)]
enum CatchAll {
    /// `error_response` for every status.
    Error,
    /// `decode` for a 2xx, `error_response` for any other status.
    OtherStatus,
}

/// The match is a `send()`'s status match: on `response.status().as_u16()`,
/// with no arm but status literals, `_ if …` and `_` (a range arm could
/// catch a status once its literal arm is gone).
fn is_status_match(m: &ExprMatch) -> bool {
    let expr = &m.expr;
    let scrutinee = quote::quote!(#expr).to_string().replace(' ', "");
    scrutinee == "response.status().as_u16()"
        && m.arms.iter().all(|arm| match &arm.pat {
            Pat::Lit(_) => status(arm).is_some(),
            Pat::Wild(_) => true,
            _ => false,
        })
}

fn catch_all(m: &ExprMatch) -> Option<CatchAll> {
    if !is_status_match(m) {
        return None;
    }
    let last = m.arms.last()?;
    if !matches!(last.pat, Pat::Wild(_)) || last.guard.is_some() {
        return None;
    }
    if answers_error(last) {
        return Some(CatchAll::Error);
    }
    (awaited_call(unblock(&last.body)).as_deref() == Some("other_status")).then_some(CatchAll::OtherStatus)
}

/// `…::decode(response, &info).await`.
fn answers_decode(arm: &Arm) -> bool {
    awaited_call(unblock(&arm.body)).as_deref() == Some("decode")
}

/// The catch-all answers what `arm` does.
fn redundant(arm: &Arm, catch_all: &CatchAll) -> bool {
    let Some(status) = status(arm).filter(|_| arm.guard.is_none()) else { return false };
    (status >= 300 && answers_error(arm))
        || ((200..300).contains(&status) && *catch_all == CatchAll::OtherStatus && answers_decode(arm))
}

impl VisitMut for Rewrite {
    fn visit_expr_match_mut(&mut self, m: &mut ExprMatch) {
        if let Some(catch_all) = catch_all(m) {
            let before = m.arms.len();
            m.arms.retain(|arm| !redundant(arm, &catch_all));
            self.removed += before - m.arms.len();
        }
        syn::visit_mut::visit_expr_match_mut(self, m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn arms(file: &syn::File) -> String {
        prettyplease::unparse(file).replace(char::is_whitespace, "")
    }

    #[test]
    fn removes_the_arms_the_catch_all_answers() {
        let mut file: syn::File = parse_quote! {
            async fn send() {
                match response.status().as_u16() {
                    200u16 => sailpoint_runtime::glue::decode(response, &info).await,
                    400u16 => { Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await) }
                    404u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                    _ => sailpoint_runtime::glue::other_status(&crate::API, response, &info).await,
                }
            }
            async fn delete() {
                match response.status().as_u16() {
                    204u16 => Ok(ResponseValue::empty(response)),
                    429u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                    _ if response.status().is_success() => Ok(ResponseValue::empty(response)),
                    _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                }
            }
        };
        assert_eq!(apply(&mut file), 4);
        let text = arms(&file);
        for gone in ["400u16", "404u16", "429u16", "200u16"] {
            assert!(!text.contains(gone), "{gone}: {text}");
        }
        for kept in
            ["_=>sailpoint_runtime::glue::other_status", "204u16=>Ok(ResponseValue::empty", "_ifresponse.status().is_success()"]
        {
            assert!(text.contains(kept), "{kept}: {text}");
        }
        assert_eq!(apply(&mut file), 0);
    }

    #[test]
    fn keeps_arms_that_answer_something_else() {
        let mut file: syn::File = parse_quote! {
            async fn send() {
                match response.status().as_u16() {
                    // a 2xx answered as an error, an error status answered otherwise, a guard
                    201u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                    404u16 => Ok(ResponseValue::empty(response)),
                    409u16 if retry => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                    _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                }
            }
            async fn other() {
                // no catch-all that errs: the error arms are what makes a 4xx an error
                match response.status().as_u16() {
                    400u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                    _ => Ok(ResponseValue::empty(response)),
                }
            }
            async fn ranged() {
                // a range arm would catch a 404 once its own arm is gone
                match response.status().as_u16() {
                    404u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                    400u16..=499u16 => Ok(ResponseValue::empty(response)),
                    _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                }
            }
            async fn not_a_status() {
                match kind {
                    404u16 => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                    _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                }
            }
            async fn decoded() {
                // a catch-all that errs on a 2xx: the declared success decodes
                match response.status().as_u16() {
                    200u16 => sailpoint_runtime::glue::decode(response, &info).await,
                    _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                }
            }
        };
        assert_eq!(apply(&mut file), 0);
    }
}
