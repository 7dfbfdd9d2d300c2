//! The types' `Deserialize` and `Serialize` impls are written here, not
//! derived.
//!
//! serde's derive writes, for every struct, a field enum with its own
//! visitor (`visit_str`, `visit_bytes`, `visit_u64`), a `visit_seq` that
//! reads the struct from an array, and a `visit_map`; for every open string
//! enum (see `open_enums`), code that buffers the value and tries each
//! variant, then the `#[serde(untagged)]` one. A year crate has about 1,000
//! structs and 450 such enums, and type-checking and borrow-checking that
//! code was the largest part of its build (`-Z self-profile` of v2024,
//! December 2026: about 13 of 57 s). JSON needs only
//! the `visit_map`, and an enum only a `match` on the string.
//!
//! So, for each type of `mod types` whose serde attributes this step knows,
//! the `Deserialize` derive is replaced by:
//! - for a struct: one `visit_map` that matches each JSON name (its
//!   `rename`) and reads the field's own type; an unknown name is skipped,
//!   or kept in the struct's `#[serde(flatten)]` map of JSON values (see
//!   `unknown_field_maps`). An absent field is what the derive gives
//!   (`runtime::glue::missing_field`): `None` for an `Option`, the default
//!   with `#[serde(default)]`, an error otherwise, and an error for a
//!   nullable required field (`deserialize_with = Option::deserialize`).
//!   A repeated name keeps its last value, as `serde_json::Value` does
//!   (the derive refused it); an array is not read as a struct.
//! - for an open string enum: a `match` of the string on each variant's
//!   JSON value, anything else kept in the unknown variant.
//!
//! `Serialize` is written likewise: each field under its JSON name unless
//! its `skip_serializing_if` says so, then the flattened map's entries; an
//! enum's value as a string.
//!
//! Any other attribute (`transparent`, `untagged` on the type, a flattened
//! struct) leaves the type with serde's derives. The impls carry the type's
//! `#[cfg]`, and a type with no serde derive left loses its `#[serde]`
//! attributes. This step runs last, after the API surface (which reads the
//! JSON names from those attributes) is taken.

use syn::{Attribute, Fields, Item, ItemEnum, ItemStruct, LitStr, Type, parse_quote};

use crate::syntax::{derives, drop_derive, generic_arg, last_ident};

/// How many impls the rewrite wrote.
#[derive(Debug, Default, PartialEq)]
pub struct Written {
    pub deserialize: usize,
    pub serialize: usize,
}

/// Writes the `Deserialize` and `Serialize` impls of every type of
/// `mod types` it can, each right after its type, in place of the derive.
pub fn apply(file: &mut syn::File) -> Written {
    let mut written = Written::default();
    let Some(items) = file.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return written;
    };
    let mut out = Vec::with_capacity(items.len() * 3);
    for mut item in std::mem::take(items) {
        let (attrs, deserialize, serialize) = match &mut item {
            Item::Struct(s) => {
                let d = derives(&s.attrs, "Deserialize").then(|| struct_deserialize(s));
                let e = derives(&s.attrs, "Serialize").then(|| struct_serialize(s));
                (&mut s.attrs, d, e)
            }
            Item::Enum(e) => {
                let d = derives(&e.attrs, "Deserialize").then(|| enum_deserialize(e));
                let s = derives(&e.attrs, "Serialize").then(|| enum_serialize(e));
                (&mut e.attrs, d, s)
            }
            _ => {
                out.push(item);
                continue;
            }
        };
        // Both derived traits are written, or neither.
        if matches!(deserialize, Some(None)) || matches!(serialize, Some(None)) {
            out.push(item);
            continue;
        }
        let (deserialize, serialize) = (deserialize.flatten(), serialize.flatten());
        let cfg: Vec<Attribute> = attrs.iter().filter(|a| a.path().is_ident("cfg")).cloned().collect();
        if deserialize.is_some() {
            drop_derive(attrs, "Deserialize");
            written.deserialize += 1;
        }
        if serialize.is_some() {
            drop_derive(attrs, "Serialize");
            written.serialize += 1;
        }
        if !derives(attrs, "Deserialize") && !derives(attrs, "Serialize") {
            drop_serde_attrs(&mut item);
        }
        out.push(item);
        for mut impl_ in deserialize.into_iter().chain(serialize) {
            if let Item::Impl(i) = &mut impl_ {
                i.attrs.extend(cfg.iter().cloned());
            }
            out.push(impl_);
        }
    }
    *items = out;
    written
}

/// Removes the `#[serde(..)]` attributes of a type, its fields and its
/// variants, which no derive reads any more (its impls say the same).
fn drop_serde_attrs(item: &mut Item) {
    let not_serde = |a: &Attribute| !a.path().is_ident("serde");
    match item {
        Item::Struct(s) => {
            s.attrs.retain(not_serde);
            s.fields.iter_mut().for_each(|f| f.attrs.retain(not_serde));
        }
        Item::Enum(e) => {
            e.attrs.retain(not_serde);
            for v in e.variants.iter_mut() {
                v.attrs.retain(not_serde);
                v.fields.iter_mut().for_each(|f| f.attrs.retain(not_serde));
            }
        }
        _ => {}
    }
}

/// How a struct field is read.
struct Field<'s> {
    ident: &'s syn::Ident,
    ty: &'s Type,
    /// Its JSON name.
    name: String,
    absent: Absent,
}

/// What an absent field becomes.
enum Absent {
    /// `None` (the field is an `Option`).
    None,
    /// `Default::default()` (`#[serde(default)]`).
    Default,
    /// serde's answer for the type (`glue::missing_field`).
    Missing,
    /// An error (`deserialize_with = "::std::option::Option::deserialize"`:
    /// the field is required and may be `null`).
    Error,
}

fn struct_deserialize(s: &ItemStruct) -> Option<Item> {
    if !s.generics.params.is_empty() || has_serde_attr(&s.attrs) {
        return None;
    }
    let Fields::Named(named) = &s.fields else { return None };
    let mut fields = Vec::new();
    let mut extra = None;
    for f in &named.named {
        let attrs = FieldAttrs::of(&f.attrs)?;
        let ident = f.ident.as_ref()?;
        if attrs.untagged {
            return None;
        }
        if attrs.flatten {
            // Only the map of unknown fields, once.
            if extra.is_some() || !attrs.unknown_field_map(&f.ty) {
                return None;
            }
            extra = Some((ident, &f.ty));
            continue;
        }
        let absent = match (attrs.default, attrs.nullable_required, generic_arg(&f.ty, "Option").is_some()) {
            (false, true, _) => Absent::Error,
            (true, false, _) => Absent::Default,
            (false, false, true) => Absent::None,
            (false, false, false) => Absent::Missing,
            (true, true, _) => return None,
        };
        fields.push(Field { ident, ty: &f.ty, name: attrs.rename.unwrap_or_else(|| unraw(ident)), absent });
    }

    let name = &s.ident;
    let expecting = format!("struct {name}");
    let slots: Vec<syn::Ident> = (0..fields.len()).map(|i| quote::format_ident!("field{i}")).collect();
    let declare = fields.iter().zip(&slots).map(|(f, slot)| {
        let ty = f.ty;
        match f.absent {
            Absent::None => quote::quote!(let mut #slot: #ty = ::std::option::Option::None;),
            _ => quote::quote!(let mut #slot: ::std::option::Option<#ty> = ::std::option::Option::None;),
        }
    });
    let arms = fields.iter().zip(&slots).map(|(f, slot)| {
        let json = &f.name;
        match f.absent {
            Absent::None => quote::quote!(#json => #slot = map.next_value()?,),
            _ => quote::quote!(#json => #slot = ::std::option::Option::Some(map.next_value()?),),
        }
    });
    let other = match extra {
        Some(_) => quote::quote!(_ => { extra.insert(key.into_string(), map.next_value()?); }),
        None => quote::quote!(_ => { map.next_value::<::serde::de::IgnoredAny>()?; }),
    };
    let declare_extra = extra.map(|(_, ty)| quote::quote!(let mut extra: #ty = ::std::default::Default::default();));
    let values = fields.iter().zip(&slots).map(|(f, slot)| {
        let (ident, json) = (f.ident, &f.name);
        match f.absent {
            Absent::None => quote::quote!(#ident: #slot,),
            Absent::Default => quote::quote!(#ident: #slot.unwrap_or_default(),),
            Absent::Missing => quote::quote!(#ident: match #slot {
                ::std::option::Option::Some(value) => value,
                ::std::option::Option::None => sailpoint_runtime::glue::missing_field::<_, __A::Error>(#json)?,
            },),
            Absent::Error => quote::quote!(#ident: match #slot {
                ::std::option::Option::Some(value) => value,
                ::std::option::Option::None => return ::std::result::Result::Err(<__A::Error as ::serde::de::Error>::missing_field(#json)),
            },),
        }
    });
    let extra_value = extra.map(|(ident, _)| quote::quote!(#ident: extra,));
    let names = fields.iter().map(|f| &f.name);
    let read = match extra {
        Some(_) => quote::quote!(deserializer.deserialize_map(__Visitor)),
        None => {
            let type_name = name.to_string();
            quote::quote!(deserializer.deserialize_struct(#type_name, &[#(#names),*], __Visitor))
        }
    };
    Some(parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(self, mut map: __A) -> ::std::result::Result<#name, __A::Error> {
                        #(#declare)*
                        #declare_extra
                        while let ::std::option::Option::Some(key) = map.next_key::<sailpoint_runtime::glue::InputStr<'de>>()? {
                            match key.as_str() {
                                #(#arms)*
                                #other
                            }
                        }
                        ::std::result::Result::Ok(#name { #(#values)* #extra_value })
                    }
                }
                #read
            }
        }
    })
}

fn enum_deserialize(e: &ItemEnum) -> Option<Item> {
    let (known, unknown) = open_enum_values(e)?;
    let arms = known.iter().map(|(ident, json)| quote::quote!(#json => Self::#ident,));
    let name = &e.ident;
    Some(parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                let value = <sailpoint_runtime::glue::InputStr<'de> as ::serde::Deserialize<'de>>::deserialize(deserializer)?;
                ::std::result::Result::Ok(match value.as_str() {
                    #(#arms)*
                    _ => Self::#unknown(value.into_string()),
                })
            }
        }
    })
}

/// A struct's `Serialize`: each field under its JSON name, unless its
/// `skip_serializing_if` says so, then the flattened map's entries. The
/// length given to `serialize_struct` counts every field, skipped or not
/// (JSON ignores it; the derive counted the fields written).
fn struct_serialize(s: &ItemStruct) -> Option<Item> {
    if !s.generics.params.is_empty() || has_serde_attr(&s.attrs) {
        return None;
    }
    let Fields::Named(named) = &s.fields else { return None };
    // A struct with a flattened map is written as a map (as the derive does).
    let as_map = named.named.iter().any(|f| FieldAttrs::of(&f.attrs).is_some_and(|a| a.flatten));
    let write = quote::format_ident!("{}", if as_map { "serialize_entry" } else { "serialize_field" });
    let mut writes = Vec::new();
    let mut extra = None;
    for f in &named.named {
        let attrs = FieldAttrs::of(&f.attrs)?;
        let ident = f.ident.as_ref()?;
        if attrs.untagged {
            return None;
        }
        if attrs.flatten {
            if extra.is_some() || !attrs.unknown_field_map(&f.ty) {
                return None;
            }
            extra = Some(ident);
            continue;
        }
        let json = attrs.rename.unwrap_or_else(|| unraw(ident));
        writes.push(match attrs.skip_if {
            Some(skip) => quote::quote! {
                if !#skip(&self.#ident) {
                    fields.#write(#json, &self.#ident)?;
                }
            },
            None => quote::quote!(fields.#write(#json, &self.#ident)?;),
        });
    }
    let name = &s.ident;
    let type_name = name.to_string();
    let body = match extra {
        Some(extra) => {
            quote::quote! {
                use ::serde::ser::SerializeMap as _;
                let mut fields = serializer.serialize_map(::std::option::Option::None)?;
                #(#writes)*
                for (name, value) in &self.#extra {
                    fields.serialize_entry(name, value)?;
                }
                fields.end()
            }
        }
        None => {
            let len = writes.len();
            quote::quote! {
                use ::serde::ser::SerializeStruct as _;
                let mut fields = serializer.serialize_struct(#type_name, #len)?;
                #(#writes)*
                fields.end()
            }
        }
    };
    Some(parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                #body
            }
        }
    })
}

/// An open string enum's `Serialize`: the variant's JSON value, or the
/// unknown variant's text, as a string.
fn enum_serialize(e: &ItemEnum) -> Option<Item> {
    let (known, unknown) = open_enum_values(e)?;
    let name = &e.ident;
    let arms = known.iter().map(|(ident, json)| quote::quote!(Self::#ident => #json,));
    Some(parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(match self {
                    #(#arms)*
                    Self::#unknown(value) => value,
                })
            }
        }
    })
}

/// An open string enum's variants with their JSON values, and its
/// unknown variant (the last, `#[serde(untagged)] X(String)`); `None` for
/// any other enum.
fn open_enum_values(e: &ItemEnum) -> Option<(Vec<(&syn::Ident, String)>, &syn::Ident)> {
    if !e.generics.params.is_empty() || has_serde_attr(&e.attrs) {
        return None;
    }
    let (unknown, known) = e.variants.iter().collect::<Vec<_>>().split_last().map(|(l, k)| (*l, k.to_vec()))?;
    let last = FieldAttrs::of(&unknown.attrs)?;
    let only_untagged = last.untagged
        && last.rename.is_none()
        && !last.flatten
        && !last.default
        && !last.nullable_required
        && last.skip_if.is_none();
    let holds_text = matches!(&unknown.fields, Fields::Unnamed(f) if f.unnamed.len() == 1 && last_ident(&f.unnamed[0].ty).as_deref() == Some("String"));
    if !only_untagged || !holds_text || known.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    for v in known {
        let attrs = FieldAttrs::of(&v.attrs)?;
        if !matches!(v.fields, Fields::Unit)
            || attrs.flatten
            || attrs.untagged
            || attrs.default
            || attrs.nullable_required
            || attrs.skip_if.is_some()
        {
            return None;
        }
        values.push((&v.ident, attrs.rename.unwrap_or_else(|| unraw(&v.ident))));
    }
    Some((values, &unknown.ident))
}

/// The serde attributes of a field or variant this step knows; `None`
/// when there is another.
#[derive(Default)]
struct FieldAttrs {
    rename: Option<String>,
    default: bool,
    flatten: bool,
    /// `untagged`: only an open enum's last variant may have it.
    untagged: bool,
    nullable_required: bool,
    /// `skip_serializing_if`.
    skip_if: Option<syn::Path>,
}

impl FieldAttrs {
    /// Whether a `#[serde(flatten)]` field of type `ty` is the map of
    /// unknown fields, with nothing else said of it but when to skip it
    /// (an empty map writes nothing either way).
    fn unknown_field_map(&self, ty: &Type) -> bool {
        self.flatten
            && last_ident(ty).as_deref() == Some("Map")
            && self.rename.is_none()
            && !self.default
            && !self.nullable_required
            && !self.untagged
    }

    fn of(attrs: &[Attribute]) -> Option<Self> {
        let mut out = FieldAttrs::default();
        for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let mut known = true;
            let parsed = a.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                match key.as_str() {
                    "rename" => out.rename = Some(meta.value()?.parse::<LitStr>()?.value()),
                    "skip_serializing_if" => out.skip_if = Some(meta.value()?.parse::<LitStr>()?.parse()?),
                    "default" if meta.input.is_empty() || meta.input.peek(syn::Token![,]) => out.default = true,
                    "flatten" => out.flatten = true,
                    "untagged" => out.untagged = true,
                    "deserialize_with" => {
                        let with = meta.value()?.parse::<LitStr>()?.value();
                        known &= with == "::std::option::Option::deserialize";
                        out.nullable_required = true;
                    }
                    _ => {
                        known = false;
                        if meta.input.peek(syn::Token![=]) {
                            meta.value()?.parse::<syn::Expr>()?;
                        }
                    }
                }
                Ok(())
            });
            if parsed.is_err() || !known {
                return None;
            }
        }
        Some(out)
    }
}

fn has_serde_attr(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("serde"))
}

/// A field's Rust name without `r#` (its JSON name when not renamed).
fn unraw(ident: &syn::Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code without whitespace, and `needle` likewise.
    fn code(file: &syn::File) -> String {
        quote::quote!(#file).to_string().replace(char::is_whitespace, "")
    }

    fn has(code: &str, needle: &str) -> bool {
        code.contains(&needle.replace(char::is_whitespace, ""))
    }

    #[test]
    fn a_struct_reads_each_json_name_into_its_field() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Source {
                    pub id: ::std::string::String,
                    #[serde(rename = "type", skip_serializing_if = "::std::option::Option::is_none")]
                    pub type_: ::std::option::Option<SourceType>,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: ::std::vec::Vec<::std::string::String>,
                    #[serde(deserialize_with = "::std::option::Option::deserialize")]
                    pub owner: ::std::option::Option<::std::string::String>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
            }
        };
        assert_eq!(apply(&mut file), Written { deserialize: 1, serialize: 1 });
        let code = code(&file);
        assert!(has(&code, "#[derive(Clone, Debug)]"), "{code}");
        assert!(has(&code, "impl ::serde::Serialize for Source"), "{code}");
        assert!(has(&code, "impl<'de> ::serde::Deserialize<'de> for Source"), "{code}");
        for arm in [
            r#""id" => field0 = ::std::option::Option::Some(map.next_value()?)"#,
            r#""type" => field1 = map.next_value()?"#,
            r#""tags" => field2 = ::std::option::Option::Some(map.next_value()?)"#,
            r#""owner" => field3 = ::std::option::Option::Some(map.next_value()?)"#,
            "extra.insert(key.into_string(), map.next_value()?);",
            r#"sailpoint_runtime::glue::missing_field::<_, __A::Error>("id")?"#,
            "tags: field2.unwrap_or_default()",
            r#"<__A::Error as ::serde::de::Error>::missing_field("owner")"#,
            "deserializer.deserialize_map(__Visitor)",
            "let mut fields = serializer.serialize_map(::std::option::Option::None)?;",
            r#"fields.serialize_entry("id", &self.id)?;"#,
            r#"if !::std::option::Option::is_none(&self.type_) { fields.serialize_entry("type", &self.type_)?; }"#,
            r#"if !::std::vec::Vec::is_empty(&self.tags) { fields.serialize_entry("tags", &self.tags)?; }"#,
            r#"fields.serialize_entry("owner", &self.owner)?;"#,
            "for (name, value) in &self.extra { fields.serialize_entry(name, value)?; }",
        ] {
            assert!(has(&code, arm), "{arm} in {code}");
        }
    }

    #[test]
    fn a_struct_without_a_map_skips_unknown_names() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Debug)]
                pub struct Ref { pub r#type: ::std::string::String }
            }
        };
        apply(&mut file);
        let code = code(&file);
        assert!(has(&code, r#""type" => field0"#), "{code}");
        assert!(has(&code, "map.next_value::<::serde::de::IgnoredAny>()?"), "{code}");
        assert!(has(&code, r#"deserializer.deserialize_struct("Ref", &["type"], __Visitor)"#), "{code}");
        assert!(
            has(
                &code,
                r#"let mut fields = serializer.serialize_struct("Ref", 1usize)?; fields.serialize_field("type", &self.r#type)?; fields.end()"#
            ),
            "{code}"
        );
    }

    #[test]
    fn an_open_string_enum_matches_its_values() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
                pub enum Status {
                    #[serde(rename = "ACTIVE")]
                    Active,
                    #[serde(rename = "in progress")]
                    In,
                    #[serde(untagged)]
                    Unknown(::std::string::String),
                }
            }
        };
        assert_eq!(apply(&mut file), Written { deserialize: 1, serialize: 1 });
        let code = code(&file);
        assert!(has(&code, r#""ACTIVE" => Self::Active"#), "{code}");
        assert!(has(&code, r#""in progress" => Self::In"#), "{code}");
        assert!(has(&code, "_ => Self::Unknown(value.into_string())"), "{code}");
        assert!(has(&code, "#[derive(Clone)]"), "{code}");
        assert!(
            has(
                &code,
                r#"serializer.serialize_str(match self { Self::Active => "ACTIVE", Self::In => "in progress", Self::Unknown(value) => value, })"#
            ),
            "{code}"
        );
    }

    #[test]
    fn types_with_other_serde_attributes_keep_the_derive() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize)]
                #[serde(transparent)]
                pub struct Id(pub ::std::string::String);
                #[derive(::serde::Deserialize)]
                #[serde(untagged)]
                pub enum Either { A(A), B(B) }
                #[derive(::serde::Deserialize)]
                pub struct Composed { #[serde(flatten)] pub base: Base, pub name: ::std::string::String }
                #[derive(::serde::Deserialize)]
                pub struct Aliased { #[serde(alias = "n")] pub name: ::std::string::String }
                #[derive(::serde::Deserialize)]
                pub struct Custom {
                    #[serde(deserialize_with = "my_fn")]
                    pub name: ::std::string::String,
                }
                #[derive(::serde::Deserialize)]
                pub enum Closed { #[serde(rename = "a")] A }
                #[derive(::serde::Deserialize)]
                pub enum NullFirst {
                    #[serde(untagged)]
                    Nothing,
                    #[serde(rename = "a")]
                    A,
                    #[serde(untagged)]
                    Unknown(::std::string::String),
                }
                #[derive(::serde::Deserialize)]
                pub struct DefaultMap {
                    #[serde(flatten, default)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
            }
        };
        assert_eq!(apply(&mut file), Written::default());
        assert_eq!(code(&file).matches("derive(::serde::Deserialize)").count(), 8);
    }
}
