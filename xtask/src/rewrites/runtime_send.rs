//! Every generated `send()` returns the runtime's one `Error`, and hands its
//! request to the runtime's pipeline.
//!
//! progenitor's `send()` returns `progenitor_client::Error<E>` and runs the
//! request through `ClientHooks`, whose only way to fail is a `String`. This
//! rewrite changes, in each `send()` (of progenitor's builders and of the
//! multipart emitter's):
//! - the return type to `Result<ResponseValue<T>, sailpoint_runtime::Error>`;
//! - the hook calls (`pre`, `exec`, `post`) to one
//!   `sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info)`
//!   (to which `call_options` adds the call's options);
//! - `Error::InvalidRequest` (a missing or unconvertible argument) to
//!   `sailpoint_runtime::glue::invalid_request("<operation>")`, and a
//!   request that does not build to `glue::request_error`, so that every
//!   error names its operation.
//!
//! The status arms are `response_decoding`'s. The file's public re-export
//! of progenitor's `Error` becomes a private import (no second `Error` is
//! public); its re-export of progenitor's `ResponseValue` becomes the
//! runtime's, which keeps a 2xx body that does not decode instead of
//! failing the call; and progenitor's assertion that `ClientHooks` is
//! implemented goes: no hook is called.

use anyhow::{Result, bail};
use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItemFn, Item, Lit, ReturnType, Stmt, Type, UseTree, parse_quote};

use crate::syntax::generic_arg;

/// Rewrites every `send()` of `file`; returns how many.
pub fn apply(file: &mut syn::File) -> Result<usize> {
    use_runtime_types(file);
    // progenitor's check that `ClientHooks` is implemented: no hook is called any more.
    file.items.retain(|i| !matches!(i, Item::Const(c) if quote::quote!(#c).to_string().contains("assert_client_hooks")));
    let mut v = Rewrite { count: 0, failed: Vec::new() };
    v.visit_file_mut(file);
    if !v.failed.is_empty() {
        bail!("send() not in progenitor's shape, not rewritten: {}", v.failed.join(", "));
    }
    Ok(v.count)
}

struct Rewrite {
    count: usize,
    failed: Vec<String>,
}

/// `pub use progenitor_client::{…, Error, ResponseValue, …}` → the same
/// without `Error` and `ResponseValue`, plus a private
/// `use progenitor_client::Error` and `pub use sailpoint_runtime::ResponseValue`.
fn use_runtime_types(file: &mut syn::File) {
    let mut found = false;
    let mut response_value = false;
    for item in &mut file.items {
        let Item::Use(u) = item else { continue };
        if !matches!(u.vis, syn::Visibility::Public(_)) {
            continue;
        }
        let UseTree::Path(p) = &mut u.tree else { continue };
        if p.ident != "progenitor_client" {
            continue;
        }
        let UseTree::Group(g) = &mut *p.tree else { continue };
        let before = g.items.len();
        response_value |= g.items.iter().any(|t| matches!(t, UseTree::Name(n) if n.ident == "ResponseValue"));
        g.items = g
            .items
            .iter()
            .filter(|t| !matches!(t, UseTree::Name(n) if ["Error", "ClientInfo", "ResponseValue"].iter().any(|x| n.ident == x)))
            .cloned()
            .collect();
        found |= g.items.len() != before;
    }
    if response_value {
        file.items.insert(
            0,
            parse_quote!(
                pub use sailpoint_runtime::ResponseValue;
            ),
        );
    }
    if found {
        file.items.insert(
            0,
            parse_quote!(
                #[allow(unused_imports)]
                use progenitor_client::{ClientInfo, Error};
            ),
        );
    }
}

/// The operation id of `OperationInfo { operation_id: "…" }` in the body.
fn operation_id(f: &mut ImplItemFn) -> Option<String> {
    struct Find(Option<String>);
    impl VisitMut for Find {
        fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
            if s.path.is_ident("OperationInfo") {
                for field in &s.fields {
                    if let (syn::Member::Named(n), Expr::Lit(l)) = (&field.member, &field.expr)
                        && n == "operation_id"
                        && let Lit::Str(lit) = &l.lit
                    {
                        self.0 = Some(lit.value());
                    }
                }
            }
            syn::visit_mut::visit_expr_struct_mut(self, s);
        }
    }
    let mut find = Find(None);
    find.visit_impl_item_fn_mut(f);
    find.0
}

/// Whether `stmts[i..i + 4]` are progenitor's four hook statements.
fn is_hook_sequence(stmts: &[Stmt]) -> bool {
    let text: Vec<String> = stmts.iter().take(4).map(|s| quote::quote!(#s).to_string().replace(' ', "")).collect();
    text.len() == 4
        && text[0] == "client.pre(&mutrequest,&info).await?;"
        && text[1] == "letresult=client.exec(request,&info).await;"
        && text[2] == "client.post(&result,&info).await?;"
        && text[3] == "letresponse=result?;"
}

/// Rewrites within one `send()` body.
struct Body<'a> {
    operation: &'a str,
    hooks: usize,
}

impl VisitMut for Body<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        if let Some(i) = (0..block.stmts.len()).find(|&i| is_hook_sequence(&block.stmts[i..])) {
            let send: Stmt = parse_quote! {
                let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info).await?;
            };
            block.stmts.splice(i..i + 4, [send]);
            self.hooks += 1;
        }
        syn::visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let op = self.operation;
        match e {
            Expr::Path(p)
                if p.path.segments.len() == 2
                    && p.path.segments[0].ident == "Error"
                    && p.path.segments[1].ident == "InvalidRequest" =>
            {
                *e = parse_quote!(sailpoint_runtime::glue::invalid_request(#op));
                return;
            }
            Expr::Try(t) => {
                if let Expr::MethodCall(m) = &*t.expr
                    && m.method == "build"
                    && m.args.is_empty()
                {
                    let inner = &*t.expr;
                    *t.expr = parse_quote!(#inner.map_err(sailpoint_runtime::glue::request_error(#op)));
                }
            }
            _ => {}
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// `Result<ResponseValue<T>, Error<E>>` → `Result<ResponseValue<T>, sailpoint_runtime::Error>`.
fn runtime_result(ret: &Type) -> Option<Type> {
    let ok = generic_arg(ret, "Result")?;
    generic_arg(ok, "ResponseValue")?;
    Some(parse_quote!(Result<#ok, sailpoint_runtime::Error>))
}

impl VisitMut for Rewrite {
    fn visit_impl_item_fn_mut(&mut self, f: &mut ImplItemFn) {
        if f.sig.ident != "send" {
            return;
        }
        let ReturnType::Type(_, ret) = &f.sig.output else { return };
        let new_ret = runtime_result(ret);
        let (Some(new_ret), Some(op)) = (new_ret, operation_id(f)) else {
            self.failed.push(f.sig.ident.to_string());
            return;
        };
        let mut body = Body { operation: &op, hooks: 0 };
        body.visit_block_mut(&mut f.block);
        if body.hooks != 1 {
            self.failed.push(op);
            return;
        }
        f.sig.output = parse_quote!(-> #new_ret);
        self.count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_send() {
        let mut file: syn::File = parse_quote! {
            pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
            const _: () = {
                fn assert_client_hooks() where Client: ClientHooks<sailpoint_runtime::Runtime> {}
            };
            impl<'a> GetThing<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Oops>> {
                    let Self { client, id } = self;
                    let id = id.map_err(Error::InvalidRequest)?;
                    let name = name.ok_or_else(|| Error::InvalidRequest("`name` is required".to_string()))?;
                    let mut request = client.client.get(url).build()?;
                    let info = OperationInfo { operation_id: "get_thing" };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    let response = result?;
                    match response.status().as_u16() {
                        200u16 => ResponseValue::from_response(response).await,
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
            }
        };
        assert_eq!(apply(&mut file).unwrap(), 1);
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "").replace(",)", ")");
        assert!(text.contains("pubuseprogenitor_client::ByteStream;"), "{text}");
        assert!(text.contains("pubusesailpoint_runtime::ResponseValue;"), "{text}");
        assert!(text.contains("->Result<ResponseValue<types::Thing>,sailpoint_runtime::Error>"), "{text}");
        assert!(text.contains("id.map_err(sailpoint_runtime::glue::invalid_request(\"get_thing\"))?"), "{text}");
        assert!(
            text.contains("sailpoint_runtime::glue::invalid_request(\"get_thing\")(\"`name`isrequired\".to_string())"),
            "{text}"
        );
        assert!(text.contains(".build().map_err(sailpoint_runtime::glue::request_error(\"get_thing\"))?"), "{text}");
        assert!(
            text.contains("letresponse=sailpoint_runtime::glue::send(&client.inner,&crate::API,request,&info).await?;"),
            "{text}"
        );
        assert!(!text.contains("client.pre") && !text.contains("client.post(&result"), "{text}");
        assert!(!text.contains("assert_client_hooks"), "{text}");
    }

    #[test]
    fn refuses_an_unknown_shape() {
        let mut file: syn::File = parse_quote! {
            impl<'a> GetThing<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Oops>> {
                    let info = OperationInfo { operation_id: "get_thing" };
                    let response = client.exec(request, &info).await?;
                    Ok(response)
                }
            }
        };
        assert!(apply(&mut file).unwrap_err().to_string().contains("get_thing"));
    }
}
