//! Methods for `multipart/form-data` operations, which progenitor cannot
//! generate.
//!
//! Each operation gets a builder in the style of progenitor's (a setter per
//! path and query parameter and per form field, then `send()`), in the
//! same shape, so that the same rewrites (`runtime_send`,
//! `response_decoding`) send it through the runtime and decode its
//! responses. File fields take a `sailpoint_runtime::FilePart` (bytes, a
//! path or an async reader), with `_bytes` and `_path` shortcuts. The form
//! goes to the runtime as a recipe (`glue::Form`) beside the request, so
//! that it is built again for each attempt.

use anyhow::{Result, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::names::{method_name, type_name};
use crate::spec::document::{deref, operations, schema_ref_name};

enum FieldKind {
    Text,
    Bool,
    Integer,
    File,
    Json,
}

struct Field {
    wire: String,
    ident: proc_macro2::Ident,
    kind: FieldKind,
    required: bool,
    doc: String,
}

fn kind_of(doc: &Value, schema: &Value) -> FieldKind {
    let s = deref(doc, schema);
    match (s.get("type").and_then(Value::as_str), s.get("format").and_then(Value::as_str)) {
        (Some("string"), Some("binary")) => FieldKind::File,
        (Some("string"), _) => FieldKind::Text,
        (Some("boolean"), _) => FieldKind::Bool,
        (Some("integer"), _) => FieldKind::Integer,
        _ => FieldKind::Json,
    }
}

fn doc_text(v: &Value) -> String {
    let summary = v.get("summary").and_then(Value::as_str).unwrap_or_default();
    let description = v.get("description").and_then(Value::as_str).unwrap_or_default();
    [summary, description].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("\n\n")
}

fn field_type(kind: &FieldKind) -> TokenStream {
    match kind {
        FieldKind::Text => quote!(::std::string::String),
        FieldKind::Bool => quote!(bool),
        FieldKind::Integer => quote!(i64),
        FieldKind::File => quote!(sailpoint_runtime::FilePart),
        FieldKind::Json => quote!(::serde_json::Value),
    }
}

/// The Rust type of a success response, as the generated code names it.
fn response_type(doc: &Value, op: &Value) -> (TokenStream, bool) {
    for (code, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
        if !code.starts_with('2') {
            continue;
        }
        let r = deref(doc, r);
        let Some(content) = r.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else { continue };
        return match content.get("application/json").and_then(|m| m.get("schema")) {
            Some(schema) => match schema_ref_name(schema) {
                Some(name) => {
                    let ty = format_ident!("{}", type_name(name));
                    (quote!(types::#ty), true)
                }
                None => (quote!(::serde_json::Value), true),
            },
            None => (quote!(ByteStream), false),
        };
    }
    (quote!(()), false)
}

/// Rust source (tokens) for every multipart operation of `doc`.
pub fn emit(doc: &Value) -> Result<TokenStream> {
    let mut methods = Vec::new();
    let mut builders = Vec::new();
    for (path, method) in operations(doc) {
        let op = &doc["paths"][&path][&method];
        if op.get("x-sailpoint-multipart") != Some(&Value::Bool(true)) {
            continue;
        }
        let operation_id = op["operationId"].as_str().unwrap_or_default();
        let id = method_name(operation_id);
        let method_ident = format_ident!("{}", id);
        let builder_ident = format_ident!("{}", type_name(operation_id));
        let mut params: Vec<(Field, &str)> = Vec::new();
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let p = deref(doc, p);
            let wire = p["name"].as_str().unwrap_or_default().to_string();
            let location = p["in"].as_str().unwrap_or_default();
            if location != "path" && location != "query" {
                bail!("{operation_id}: multipart operations with {location} parameters are not supported");
            }
            let kind = match kind_of(doc, &p["schema"]) {
                FieldKind::Json | FieldKind::File => FieldKind::Text,
                k => k,
            };
            params.push((
                Field {
                    ident: format_ident!("{}", method_name(&wire)),
                    wire,
                    kind,
                    required: location == "path" || p.get("required") == Some(&Value::Bool(true)),
                    doc: p.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
                },
                if location == "path" { "path" } else { "query" },
            ));
        }
        let media = op.pointer("/requestBody/content/multipart~1form-data/schema").map(|s| deref(doc, s));
        let required_fields: Vec<&str> = media
            .and_then(|m| m.get("required"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut form = Vec::new();
        for (wire, schema) in media.and_then(|m| m.get("properties")).and_then(Value::as_object).into_iter().flatten() {
            let mut name = method_name(wire);
            if params.iter().any(|(p, _)| p.ident == name.as_str()) {
                name = format!("form_{name}");
            }
            form.push(Field {
                ident: format_ident!("{}", name),
                wire: wire.clone(),
                kind: kind_of(doc, schema),
                required: required_fields.contains(&wire.as_str()),
                doc: deref(doc, schema).get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
            });
        }
        let all: Vec<&Field> = params.iter().map(|(f, _)| f).chain(form.iter()).collect();
        let idents: Vec<_> = all.iter().map(|f| &f.ident).collect();
        let types: Vec<_> = all.iter().map(|f| field_type(&f.kind)).collect();
        let setters = all.iter().map(|f| {
            let ident = &f.ident;
            let doc = if f.doc.is_empty() { format!("Sets `{}`.", f.wire) } else { f.doc.clone() };
            match f.kind {
                FieldKind::Text => quote! {
                    #[doc = #doc]
                    pub fn #ident(mut self, value: impl ::std::string::ToString) -> Self {
                        self.#ident = Some(value.to_string());
                        self
                    }
                },
                FieldKind::File => {
                    let bytes_ident = format_ident!("{}_bytes", f.ident);
                    let path_ident = format_ident!("{}_path", f.ident);
                    let file_doc = format!(
                        "{doc}\n\nA [`FilePart`](sailpoint_runtime::FilePart) from bytes or a path is sent again when \
                         a retry is due; one from a reader is sent once."
                    );
                    let bytes_doc = format!(
                        "Sets `{}` to `bytes`, sent as a file named `file_name` (its media type from the extension).",
                        f.wire
                    );
                    let path_doc = format!(
                        "Sets `{}` to the file at `path`, streamed from disk (named after the path, its media type \
                         from the extension). A path that is not a readable file is an error before anything is sent.",
                        f.wire
                    );
                    quote! {
                        #[doc = #file_doc]
                        pub fn #ident(mut self, file: sailpoint_runtime::FilePart) -> Self {
                            self.#ident = Some(file);
                            self
                        }
                        #[doc = #bytes_doc]
                        pub fn #bytes_ident(
                            self,
                            file_name: impl ::std::convert::Into<::std::string::String>,
                            bytes: impl ::std::convert::Into<::bytes::Bytes>,
                        ) -> Self {
                            self.#ident(sailpoint_runtime::FilePart::bytes(file_name, bytes))
                        }
                        #[doc = #path_doc]
                        pub fn #path_ident(self, path: impl ::std::convert::Into<::std::path::PathBuf>) -> Self {
                            self.#ident(sailpoint_runtime::FilePart::path(path))
                        }
                    }
                }
                _ => {
                    let ty = field_type(&f.kind);
                    quote! {
                        #[doc = #doc]
                        pub fn #ident(mut self, value: #ty) -> Self {
                            self.#ident = Some(value);
                            self
                        }
                    }
                }
            }
        });
        let checks = all.iter().filter(|f| f.required).map(|f| {
            let ident = &f.ident;
            let msg = format!("`{}` is required", f.wire);
            quote! { let #ident = #ident.ok_or_else(|| Error::InvalidRequest(#msg.to_string()))?; }
        });
        // URL: path parameters percent-encoded into the template.
        let mut fmt = path.clone();
        let mut path_args = Vec::new();
        for (f, loc) in &params {
            if *loc == "path" {
                fmt = fmt.replace(&format!("{{{}}}", f.wire), "{}");
                let ident = &f.ident;
                path_args.push(quote!(encode_path(&#ident.to_string())));
            }
        }
        let fmt = format!("{{}}{fmt}");
        let query = params.iter().filter(|(_, l)| *l == "query").map(|(f, _)| {
            let ident = &f.ident;
            let wire = &f.wire;
            if f.required {
                quote! { query.push((#wire, #ident.to_string())); }
            } else {
                quote! { if let Some(v) = &#ident { query.push((#wire, v.to_string())); } }
            }
        });
        let parts = form.iter().map(|f| {
            let ident = &f.ident;
            let wire = &f.wire;
            let add = match f.kind {
                FieldKind::File => quote!(form.file(#wire, v);),
                FieldKind::Json => quote!(form.json(#wire, &v);),
                _ => quote!(form.text(#wire, v);),
            };
            if f.required {
                quote! { { let v = #ident; #add } }
            } else {
                quote! { if let Some(v) = #ident { #add } }
            }
        });
        let (success, typed) = response_type(doc, op);
        let mut arms = Vec::new();
        for (code, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            let Ok(n) = code.parse::<u16>() else { continue };
            let has_body = deref(doc, r).get("content").and_then(Value::as_object).is_some_and(|c| !c.is_empty());
            if code.starts_with('2') {
                arms.push(match (typed, has_body) {
                    (true, _) => quote!(#n => ResponseValue::from_response(response).await,),
                    (false, true) => quote!(#n => Ok(ResponseValue::stream(response)),),
                    (false, false) => quote!(#n => Ok(ResponseValue::empty(response)),),
                });
            }
        }
        let accept = if typed {
            quote!(.header(reqwest::header::ACCEPT, reqwest::header::HeaderValue::from_static("application/json")))
        } else {
            quote!()
        };
        let http_method = format_ident!("{}", method);
        let method_doc = format!("{}\n\nSends `{} {path}` as `multipart/form-data`.", doc_text(op), method.to_uppercase());
        let struct_doc = format!("Builder for [`Client::{id}`].");
        let field_decls = idents.iter().zip(types.iter()).map(|(i, t)| quote!(#i: ::std::option::Option<#t>));
        methods.push(quote! {
            #[doc = #method_doc]
            pub fn #method_ident(&self) -> multipart::#builder_ident<'_> {
                multipart::#builder_ident::new(self)
            }
        });
        builders.push(quote! {
            #[doc = #struct_doc]
            #[derive(Debug)]
            pub struct #builder_ident<'a> {
                client: &'a crate::Client,
                #(#field_decls,)*
            }

            impl<'a> #builder_ident<'a> {
                pub fn new(client: &'a crate::Client) -> Self {
                    Self { client, #(#idents: None,)* }
                }

                #(#setters)*

                #[doc = concat!("Sends the request: `", stringify!(#http_method), " ", #path, "`.")]
                pub async fn send(self) -> Result<ResponseValue<#success>, Error<types::IscErrorResponse>> {
                    let Self { client, #(#idents,)* } = self;
                    #(#checks)*
                    let url = format!(#fmt, client.baseurl, #(#path_args),*);
                    #[allow(unused_mut)]
                    let mut query: ::std::vec::Vec<(&str, ::std::string::String)> = ::std::vec::Vec::new();
                    #(#query)*
                    #[allow(unused_mut)]
                    let mut form = sailpoint_runtime::glue::Form::new();
                    #(#parts)*
                    #[allow(unused_mut)]
                    let mut request = sailpoint_runtime::glue::Outgoing::multipart(
                        client.client.#http_method(url)#accept.query(&query).build()?,
                        form,
                    );
                    let info = OperationInfo { operation_id: #id };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    let response = result?;
                    match response.status().as_u16() {
                        #(#arms)*
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
            }
        });
    }
    Ok(quote! {
        #[allow(unused_imports)]
        use progenitor_client::{encode_path, Error, OperationInfo};
        #[allow(unused_imports)]
        use crate::{types, ByteStream, ResponseValue};

        impl crate::Client {
            #(#methods)*
        }

        /// Builders for the `multipart/form-data` operations.
        pub mod multipart {
            #[allow(unused_imports)]
            use progenitor_client::{encode_path, Error, OperationInfo};
            #[allow(unused_imports)]
            use crate::{types, ByteStream, ResponseValue};

            #(#builders)*
        }
    })
}
