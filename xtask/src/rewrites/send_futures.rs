//! A `send()` builds its request and returns the runtime's future.
//!
//! After the other rewrites, each `async fn send()` builds its request,
//! awaits `glue::send`, and answers by the status in one of three ways:
//! any 2xx decoded as the success type (`glue::other_status`), any 2xx
//! with no body (`ResponseValue::empty`), or any 2xx as a byte stream
//! (`ResponseValue::stream`); any other status is `glue::error_response`'s.
//! As an `async fn`, each is a state machine of its own, type-checked,
//! borrow-checked and compiled once per operation: about a tenth of a
//! year crate's build (`-Z self-profile` of v2024, December 2026).
//!
//! This step, run last, makes each such `send()` a plain function: it
//! builds the request (or the error that stopped it) as before, in a
//! closure, and returns `glue::send_json`, `send_empty` or `send_stream`,
//! whose awaits are compiled once in the runtime. The signature becomes
//! `fn send(self) -> impl Future<Output = ..> + Send + 'a`; callers still
//! write `.send().await`. The request is now built when `send()` is
//! called rather than at the first poll; nothing is sent before the
//! future is polled. A `send()` in any other shape (a search's `send_as`,
//! the multipart file's, which this step is not run on) stays as it is.

use syn::{Expr, ImplItem, ImplItemFn, Item, Pat, ReturnType, Stmt, parse_quote};

/// Rewrites every `send()` of `mod builder` that it can; returns how many.
pub fn apply(file: &mut syn::File) -> usize {
    let mut count = 0;
    for item in crate::syntax::module_items_mut(file, "builder") {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || imp.generics.lifetimes().count() != 1 {
            continue;
        }
        let lifetime = imp.generics.lifetimes().next().map(|l| l.lifetime.clone());
        for f in imp.items.iter_mut() {
            if let ImplItem::Fn(f) = f
                && f.sig.ident == "send"
                && let Some(lifetime) = &lifetime
                && rewrite(f, lifetime)
            {
                count += 1;
            }
        }
    }
    count
}

/// How a `send()` answers a 2xx.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Success {
    Json,
    Empty,
    Stream,
}

fn rewrite(f: &mut ImplItemFn, lifetime: &syn::Lifetime) -> bool {
    if f.sig.asyncness.is_none() || !f.sig.generics.params.is_empty() {
        return false;
    }
    let ReturnType::Type(_, output) = &f.sig.output else { return false };
    let stmts = &f.block.stmts;
    // `let Self { .. } = self;`, the request's statements, `let info = ..;`,
    // `let response = glue::send(..).await?;`, then the `match`.
    let Some(info_at) = stmts.iter().position(|s| binds(s, "info")) else { return false };
    let (Some(Stmt::Local(first)), Some(response), Some(Stmt::Expr(answer, None))) =
        (stmts.first(), stmts.get(info_at + 1), stmts.get(info_at + 2))
    else {
        return false;
    };
    let expected_send: Stmt = parse_quote! {
        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info, &call_options).await?;
    };
    let same = |a: &Stmt, b: &Stmt| quote::quote!(#a).to_string() == quote::quote!(#b).to_string();
    if stmts.len() != info_at + 3 || !same(response, &expected_send) || !quote::quote!(#first).to_string().starts_with("let Self")
    {
        return false;
    }
    let Some(operation) = operation_id(&stmts[info_at]) else { return false };
    let Some(success) = success(answer) else { return false };
    let call = match success {
        Success::Json => quote::quote!(send_json),
        Success::Empty => quote::quote!(send_empty),
        Success::Stream => quote::quote!(send_stream),
    };
    let destructure = first.clone();
    let building = &stmts[1..info_at];
    f.block = parse_quote!({
        #destructure
        let request = (move || -> ::std::result::Result<::reqwest::Request, sailpoint_runtime::Error> {
            #(#building)*
            ::std::result::Result::Ok(request)
        })();
        sailpoint_runtime::glue::#call(&client.inner, &crate::API, request, #operation, call_options)
    });
    f.sig.asyncness = None;
    f.sig.output = parse_quote!(-> impl ::std::future::Future<Output = #output> + Send + #lifetime);
    true
}

/// Whether `stmt` is `let <name> = ..;`.
fn binds(stmt: &Stmt, name: &str) -> bool {
    matches!(stmt, Stmt::Local(l) if matches!(&l.pat, Pat::Ident(p) if p.ident == name))
}

/// The operation of `let info = OperationInfo { operation_id: "<id>" };`.
fn operation_id(stmt: &Stmt) -> Option<syn::LitStr> {
    let Stmt::Local(l) = stmt else { return None };
    let Expr::Struct(s) = l.init.as_ref()?.expr.as_ref() else { return None };
    s.fields.iter().find_map(|f| match (&f.member, &f.expr) {
        (syn::Member::Named(m), Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(id), .. })) if m == "operation_id" => {
            Some(id.clone())
        }
        _ => None,
    })
}

/// How the final `match` answers, when it is one of the three shapes:
/// `_ => glue::other_status(..)` alone (any 2xx decoded, any other status
/// an error), or 2xx arms, `_ if response.status().is_success()` and
/// `_ => Err(glue::error_response(..))`, all successes answered the same
/// way (empty or a stream). Anything else: `None`.
fn success(answer: &Expr) -> Option<Success> {
    let Expr::Match(m) = answer else { return None };
    let text = |e: &Expr| quote::quote!(#e).to_string();
    if let [arm] = m.arms.as_slice() {
        let json = matches!(arm.pat, Pat::Wild(_)) && arm.guard.is_none() && text(&arm.body).contains("glue :: other_status");
        return json.then_some(Success::Json);
    }
    let (last, successes) = m.arms.split_last()?;
    let (catch_all, numbered) = successes.split_last()?;
    let errors = matches!(last.pat, Pat::Wild(_)) && last.guard.is_none() && text(&last.body).contains("glue :: error_response");
    let any_2xx = matches!(catch_all.pat, Pat::Wild(_))
        && catch_all.guard.as_ref().is_some_and(|(_, g)| text(g) == "response . status () . is_success ()");
    if !errors || !any_2xx {
        return None;
    }
    let kind = |body: &Expr| match text(body).replace(char::is_whitespace, "").as_str() {
        "Ok(ResponseValue::empty(response))" => Some(Success::Empty),
        "Ok(ResponseValue::stream(response))" => Some(Success::Stream),
        _ => None,
    };
    let found = kind(&catch_all.body)?;
    for arm in numbered {
        let Pat::Lit(lit) = &arm.pat else { return None };
        let lit = &lit.lit;
        let code: u16 = quote::quote!(#lit).to_string().trim_end_matches("u16").parse().ok()?;
        if arm.guard.is_some() || !(200..300).contains(&code) || kind(&arm.body) != Some(found) {
            return None;
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(file: &syn::File) -> String {
        quote::quote!(#file).to_string().replace(char::is_whitespace, "")
    }

    fn has(code: &str, needle: &str) -> bool {
        code.contains(&needle.replace(char::is_whitespace, ""))
    }

    #[test]
    fn each_send_builds_its_request_and_returns_the_runtimes_future() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, sailpoint_runtime::Error> {
                        let Self { client, id, call_options } = self;
                        let id = id.map_err(sailpoint_runtime::glue::invalid_request("get_thing"))?;
                        let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()));
                        let mut request = client.client.get(url).build().map_err(sailpoint_runtime::glue::request_error("get_thing"))?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info, &call_options).await?;
                        match response.status().as_u16() {
                            _ => sailpoint_runtime::glue::other_status(&crate::API, response, &info).await,
                        }
                    }
                }
                impl<'a> DeleteThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, sailpoint_runtime::Error> {
                        let Self { client, call_options } = self;
                        let mut request = client.client.delete("x").build().map_err(sailpoint_runtime::glue::request_error("delete_thing"))?;
                        let info = OperationInfo { operation_id: "delete_thing" };
                        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info, &call_options).await?;
                        match response.status().as_u16() {
                            204u16 => Ok(ResponseValue::empty(response)),
                            _ if response.status().is_success() => Ok(ResponseValue::empty(response)),
                            _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                        }
                    }
                }
                impl<'a> GetFile<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, sailpoint_runtime::Error> {
                        let Self { client, call_options } = self;
                        let mut request = client.client.get("f").build().map_err(sailpoint_runtime::glue::request_error("get_file"))?;
                        let info = OperationInfo { operation_id: "get_file" };
                        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info, &call_options).await?;
                        match response.status().as_u16() {
                            200u16 => Ok(ResponseValue::stream(response)),
                            _ if response.status().is_success() => Ok(ResponseValue::stream(response)),
                            _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                        }
                    }
                }
            }
        };
        assert_eq!(apply(&mut file), 3);
        let code = code(&file);
        assert!(!code.contains("async") && !code.contains(".await"), "{code}");
        for needle in [
            "pub fn send(self) -> impl ::std::future::Future<Output = Result<ResponseValue<types::Thing>, sailpoint_runtime::Error>> + Send + 'a",
            "let Self { client, id, call_options } = self;",
            "let request = (move || -> ::std::result::Result<::reqwest::Request, sailpoint_runtime::Error> {",
            r#"let id = id.map_err(sailpoint_runtime::glue::invalid_request("get_thing"))?;"#,
            "::std::result::Result::Ok(request) })();",
            r#"sailpoint_runtime::glue::send_json(&client.inner, &crate::API, request, "get_thing", call_options)"#,
            r#"sailpoint_runtime::glue::send_empty(&client.inner, &crate::API, request, "delete_thing", call_options)"#,
            r#"sailpoint_runtime::glue::send_stream(&client.inner, &crate::API, request, "get_file", call_options)"#,
        ] {
            assert!(has(&code, needle), "{needle} in {code}");
        }
    }

    #[test]
    fn a_send_in_another_shape_stays_async() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                impl<'a> Redirect<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, sailpoint_runtime::Error> {
                        let Self { client, call_options } = self;
                        let mut request = client.client.get("r").build().map_err(sailpoint_runtime::glue::request_error("redirect"))?;
                        let info = OperationInfo { operation_id: "redirect" };
                        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info, &call_options).await?;
                        match response.status().as_u16() {
                            302u16 => Ok(ResponseValue::empty(response)),
                            _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                        }
                    }
                }
                impl<'a> OnlyOk<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, sailpoint_runtime::Error> {
                        let Self { client, call_options } = self;
                        let mut request = client.client.get("f").build().map_err(sailpoint_runtime::glue::request_error("only_ok"))?;
                        let info = OperationInfo { operation_id: "only_ok" };
                        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info, &call_options).await?;
                        match response.status().as_u16() {
                            200u16 => Ok(ResponseValue::stream(response)),
                            _ => Err(sailpoint_runtime::glue::error_response(&crate::API, response, &info).await),
                        }
                    }
                }
                impl<'a> OtherOptions<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, sailpoint_runtime::Error> {
                        let Self { client, call_options } = self;
                        let mut request = client.client.get("o").build().map_err(sailpoint_runtime::glue::request_error("other_options"))?;
                        let info = OperationInfo { operation_id: "other_options" };
                        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info, &call_options.strict()).await?;
                        match response.status().as_u16() {
                            _ => sailpoint_runtime::glue::other_status(&crate::API, response, &info).await,
                        }
                    }
                }
                impl<'a> Search<'a> {
                    pub async fn send(self) -> Result<ResponseValue<Vec<types::Doc>>, sailpoint_runtime::Error> {
                        self.send_as::<Vec<types::Doc>>().await
                    }
                }
            }
        };
        assert_eq!(apply(&mut file), 0);
        assert_eq!(code(&file).matches("pubasyncfnsend").count(), 4);
    }
}
