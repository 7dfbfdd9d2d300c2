//! What the generated types' `Deserialize` impls share.
//!
//! The generator writes each object type's `Deserialize` as one
//! `visit_map` that matches the JSON names it knows (see the xtask rewrite
//! `serde_impls`), and each open string enum's as one `match` on the
//! value. They read names and values as an [`InputStr`], and a field that
//! is absent through [`missing_field`], which answers exactly as serde's
//! derive does.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A string read from the input: borrowed from it when the input allows
/// (a JSON key or value without escapes, read by `serde_json::from_slice`
/// or `from_str`, as the runtime reads bodies), owned otherwise (escapes,
/// `from_reader`, `from_value`).
#[derive(Debug)]
pub struct InputStr<'de>(Cow<'de, str>);

impl<'de> InputStr<'de> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for InputStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = InputStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(InputStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(InputStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(InputStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// The value of a field the object lacks, as serde's derive gives it: an
/// `Option` (or any type that reads through `deserialize_option`) is
/// `None`; any other type fails with "missing field `name`".
pub fn missing_field<'de, T: Deserialize<'de>, E: de::Error>(name: &'static str) -> Result<T, E> {
    T::deserialize(Missing(name, PhantomData))
}

/// A deserializer with nothing in it but the name of the absent field.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_without_escapes_are_borrowed_and_others_owned() {
        let plain: InputStr<'_> = serde_json::from_str(r#""name""#).unwrap();
        assert!(matches!(plain.0, Cow::Borrowed("name")));
        let escaped: InputStr<'_> = serde_json::from_str(r#""na\u006de""#).unwrap();
        assert!(matches!(&escaped.0, Cow::Owned(s) if s == "name"));
        assert_eq!(escaped.into_string(), "name");
        let not_text = serde_json::from_str::<InputStr<'_>>("1").unwrap_err();
        assert!(not_text.to_string().contains("expected a string"), "{not_text}");
    }

    #[test]
    fn an_absent_field_is_none_for_an_option_and_an_error_otherwise() {
        let none: Result<Option<String>, serde_json::Error> = missing_field("id");
        assert_eq!(none.unwrap(), None);
        let text: Result<String, serde_json::Error> = missing_field("id");
        assert_eq!(text.unwrap_err().to_string(), "missing field `id`");
        let value: Result<serde_json::Value, serde_json::Error> = missing_field("attributes");
        assert_eq!(value.unwrap_err().to_string(), "missing field `attributes`");
    }
}
