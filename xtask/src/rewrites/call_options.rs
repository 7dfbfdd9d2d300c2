//! Every operation builder takes options for its call alone:
//! `.with_options(sailpoint_runtime::CallOptions)` before `send()` (or a
//! listing's `stream()`). The name cannot be a parameter's: `with_` is
//! no parameter's prefix (an `options` parameter exists: sp-config's import).
//!
//! For each builder with a `send()` (progenitor's and the multipart
//! emitter's), this rewrite:
//! - adds a field `call_options: sailpoint_runtime::CallOptions` (`pub(crate)`,
//!   for the paginator's `offset_listing!` impls), set to the default in
//!   `new()`;
//! - adds the setter `with_options(..)`;
//! - in `send()`, takes the field out with the others and hands it to
//!   `glue::send` (as written by `runtime_send`, which runs first).
//!
//! It fails the generation on a builder not in that shape, or one that
//! already has a field `call_options` or a method `with_options` (a
//! parameter of that name), rather than leave an operation without options.

use anyhow::{Result, bail};
use syn::visit_mut::VisitMut;
use syn::{Expr, Fields, ImplItem, Item, Pat, Stmt, parse_quote};

/// Gives every builder of `file` its call options; returns how many.
pub fn apply(file: &mut syn::File) -> Result<usize> {
    let mut failed = Vec::new();
    let mut count = 0;
    edit_items(&mut file.items, &mut failed, &mut count);
    if !failed.is_empty() {
        bail!("builders not given call options: {}", failed.join(", "));
    }
    Ok(count)
}

/// The name of the type an `impl` is for.
fn impl_name(i: &syn::ItemImpl) -> Option<String> {
    match &*i.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn has_fn(i: &syn::ItemImpl, name: &str) -> bool {
    i.items.iter().any(|item| matches!(item, ImplItem::Fn(f) if f.sig.ident == name))
}

/// Edits the builders among `items` (the types of this module whose
/// `impl` has a `send()`: a type of the same name in another module, such
/// as `types`, is not one), then those of the modules inside.
fn edit_items(items: &mut [Item], failed: &mut Vec<String>, count: &mut usize) {
    let builders: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(i) if i.trait_.is_none() && has_fn(i, "send") => impl_name(i),
            _ => None,
        })
        .collect();
    for item in items {
        match item {
            Item::Struct(s) if builders.contains(&s.ident.to_string()) => {
                let Fields::Named(fields) = &mut s.fields else {
                    failed.push(s.ident.to_string());
                    continue;
                };
                if fields.named.iter().any(|f| f.ident.as_ref().is_some_and(|i| i == "call_options")) {
                    failed.push(format!("{} (has a field `call_options`)", s.ident));
                    continue;
                }
                fields.named.push(parse_quote!(pub(crate) call_options: sailpoint_runtime::CallOptions));
            }
            Item::Impl(i) if i.trait_.is_none() && has_fn(i, "send") => {
                let name = impl_name(i).unwrap_or_default();
                match edit_impl(i) {
                    Ok(()) => *count += 1,
                    Err(why) => failed.push(format!("{name} ({why})")),
                }
            }
            Item::Mod(m) => {
                if let Some((_, items)) = &mut m.content {
                    edit_items(items, failed, count);
                }
            }
            _ => {}
        }
    }
}

fn edit_impl(i: &mut syn::ItemImpl) -> Result<(), &'static str> {
    if has_fn(i, "with_options") {
        return Err("has a method `with_options`");
    }
    for item in &mut i.items {
        let ImplItem::Fn(f) = item else { continue };
        if f.sig.ident == "new" {
            let mut v = DefaultInNew(0);
            v.visit_block_mut(&mut f.block);
            if v.0 != 1 {
                return Err("no `Self { .. }` in new()");
            }
        } else if f.sig.ident == "send" {
            let mut v = HandToSend { destructured: 0, sent: 0 };
            v.visit_block_mut(&mut f.block);
            if v.destructured != 1 || v.sent != 1 {
                return Err("send() does not take `Self { .. }` apart and call glue::send once");
            }
        }
    }
    i.items.push(parse_quote! {
        /// Options for this call alone, over the client's configuration: a
        /// deadline, the retry policy, the experimental opt-in, headers,
        /// replay safety and, for a stream, its paging. See
        /// [`sailpoint_runtime::CallOptions`].
        pub fn with_options(mut self, options: sailpoint_runtime::CallOptions) -> Self {
            self.call_options = options;
            self
        }
    });
    Ok(())
}

/// `Self { client, .. }` in `new()` gets `call_options: Default::default()`.
struct DefaultInNew(usize);

impl VisitMut for DefaultInNew {
    fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
        if s.path.is_ident("Self") {
            s.fields.push(parse_quote!(call_options: ::std::default::Default::default()));
            self.0 += 1;
        }
        syn::visit_mut::visit_expr_struct_mut(self, s);
    }
}

/// `let Self { client, .. } = self;` takes `call_options` too, and
/// `glue::send(.., &info)` gets `&call_options`.
struct HandToSend {
    destructured: usize,
    sent: usize,
}

impl VisitMut for HandToSend {
    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Local(local) = stmt
            && let Pat::Struct(p) = &mut local.pat
            && p.path.is_ident("Self")
        {
            let ident: syn::Ident = parse_quote!(call_options);
            p.fields.push(syn::FieldPat {
                attrs: Vec::new(),
                member: syn::Member::Named(ident.clone()),
                colon_token: None,
                pat: Box::new(Pat::Ident(syn::PatIdent {
                    attrs: Vec::new(),
                    by_ref: None,
                    mutability: None,
                    ident,
                    subpat: None,
                })),
            });
            self.destructured += 1;
        }
        syn::visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Call(call) = e
            && let Expr::Path(f) = &*call.func
            && f.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>() == ["sailpoint_runtime", "glue", "send"]
        {
            call.args.push(parse_quote!(&call_options));
            self.sent += 1;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builder_gets_options_and_hands_them_to_the_runtime() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(Debug, Clone, serde::Deserialize)]
                pub struct GetThing { pub id: String }
            }
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct GetThing<'a> {
                    client: &'a super::Client,
                    id: Result<String, String>,
                }
                impl<'a> GetThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, id: Err("id was not initialized".to_string()) }
                    }
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, sailpoint_runtime::Error> {
                        let Self { client, id } = self;
                        let response = sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info).await?;
                        todo!()
                    }
                }
            }
        };
        assert_eq!(apply(&mut file).unwrap(), 1);
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "").replace(",)", ")");
        assert!(text.contains("pub(crate)call_options:sailpoint_runtime::CallOptions,"), "{text}");
        assert!(text.contains("call_options:::std::default::Default::default(),"), "{text}");
        assert!(text.contains("letSelf{client,id,call_options}=self;"), "{text}");
        assert!(text.contains("glue::send(&client.inner,&crate::API,request,&info,&call_options)"), "{text}");
        assert!(text.contains("pubfnwith_options(mutself,options:sailpoint_runtime::CallOptions)->Self"), "{text}");
        assert!(text.contains("self.call_options=options;"), "{text}");
        assert!(text.contains("pubstructGetThing{pubid:String,}"), "a type of the same name is not a builder: {text}");
    }

    #[test]
    fn refuses_a_builder_with_a_parameter_of_the_same_name() {
        let mut file: syn::File = parse_quote! {
            pub struct ListThings<'a> { client: &'a super::Client, call_options: Result<Option<String>, String> }
            impl<'a> ListThings<'a> {
                pub fn new(client: &'a super::Client) -> Self { Self { client, call_options: Ok(None) } }
                pub fn with_options(mut self, value: String) -> Self { self }
                pub async fn send(self) -> Result<(), sailpoint_runtime::Error> {
                    let Self { client, call_options } = self;
                    sailpoint_runtime::glue::send(&client.inner, &crate::API, request, &info).await?;
                    Ok(())
                }
            }
        };
        let e = apply(&mut file).unwrap_err().to_string();
        assert!(e.contains("ListThings (has a field `call_options`)") && e.contains("has a method `with_options`"), "{e}");
    }

    #[test]
    fn refuses_a_send_it_cannot_read() {
        let mut file: syn::File = parse_quote! {
            pub struct GetThing<'a> { client: &'a super::Client }
            impl<'a> GetThing<'a> {
                pub fn new(client: &'a super::Client) -> Self { Self { client } }
                pub async fn send(self) -> Result<(), sailpoint_runtime::Error> {
                    let client = self.client;
                    Ok(())
                }
            }
        };
        assert!(apply(&mut file).unwrap_err().to_string().contains("GetThing"));
    }
}
