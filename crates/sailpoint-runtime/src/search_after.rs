//! Search past the 10,000-result window, as a stream: [`SearchAfter`].
//!
//! SailPoint's search operations (`POST /search` of each year version,
//! `POST /search/v1` of the search service) serve at most 10,000 results by
//! `offset`; beyond that they page with `searchAfter`: the sort values of
//! the last result received. Every operation the generator's `search-after`
//! pass marks has this stream instead of an offset one; bring
//! [`SearchAfter`] into scope and call `.stream()` on its builder.
//!
//! How the stream pages:
//! - It sorts by the body's `sort` plus `id` as a tie-breaker (unless `id`
//!   is already a sort field), so that results tied on the sort key are
//!   neither skipped nor repeated at a page boundary.
//! - Each request asks for the page size (the call options' page size, else
//!   the builder's `limit`, else the operation's largest `limit`: 10,000,
//!   the most SailPoint's search serves) with
//!   `searchAfter` set to the last result's sort values. A `searchAfter` or
//!   `offset` set on the builder is replaced: the stream starts at the top.
//! - It ends at the first page that is not full.
//!
//! What it refuses rather than guess (each an
//! [`ErrorKind::Paging`](crate::ErrorKind::Paging) error, after the items
//! already received):
//! - the last result of a full page has no value for a sort field (absent,
//!   `null`, a list or an object): no key continues exactly after it, and
//!   an empty one would restart from the top;
//! - a page holds more results than asked for;
//! - a page starts or ends with the result it was asked to start after (a
//!   server that ignores `searchAfter`).
//!
//! It does not check the order of the results beyond that: the server's
//! sort is trusted.
//!
//! Results decode by their `_type` (`identity`, `accessprofile`, …) into
//! the version's or service's own document type. A result of a kind the
//! type has no variant for (SailPoint adds kinds without notice), or one
//! that does not decode, ends the stream with a
//! [`Decode`](crate::ErrorKind::Decode) error carrying the result (never a
//! result typed as another kind); `stream_json()` yields every result as
//! JSON instead.

use std::future::Future;

use futures_util::stream::{self, Stream, TryStreamExt};
use serde_json::{Value, json};

use crate::{CallOptions, Error, Items};

/// The most results one search request may ask for, and the most `offset`
/// paging reaches.
pub const SEARCH_WINDOW: u32 = 10_000;

/// What a search builder tells the `searchAfter` paginator (implemented
/// with one `search_after_listing!` line per operation, and by the
/// facade's search; not for users).
#[doc(hidden)]
pub trait SearchAfterListing: Clone + Send + Sized {
    /// One result, typed.
    type Document: Send;
    /// The operation's name (snake_case), for error messages.
    const OPERATION: &'static str;
    /// The largest `limit` the operation accepts (10,000 for SailPoint's
    /// searches, [`SEARCH_WINDOW`]).
    const MAX_LIMIT: u32;

    /// The call options set on the builder.
    fn call_options(&self) -> &CallOptions;
    /// The `limit` set on the builder, if any (the page size).
    fn preset_limit(&self) -> Option<u64>;
    /// The request body, as JSON.
    fn body(&self) -> Result<Value, Error>;
    /// Sends one page's request: this body, at most `limit` results, these
    /// options; the results as JSON.
    fn send_page(self, body: Value, limit: u32, options: CallOptions) -> impl Future<Output = Result<Vec<Value>, Error>> + Send;
    /// One result, typed.
    fn decode(document: Value) -> Result<Self::Document, Error>;
}

/// A search operation that pages past 10,000 results with `searchAfter`:
/// every such operation's builder is one. Bring it into scope to call
/// `.stream()`:
///
/// ```
/// use futures_util::TryStreamExt;
/// use sailpoint_runtime::{Error, SearchAfter};
///
/// /// Every result of any search (e.g. `client.search_post_v1().body(query)`).
/// async fn all<S: SearchAfter>(search: S) -> Result<Vec<S::Document>, Error> {
///     search.stream().try_collect().await
/// }
/// ```
pub trait SearchAfter: SearchAfterListing {
    /// Every result, each exactly once, typed by its `_type`.
    fn stream<'a>(self) -> Items<'a, Self::Document>
    where
        Self: 'a,
    {
        Items::new(Self::OPERATION, results(self).and_then(|d| std::future::ready(Self::decode(d))))
    }

    /// Every result, each exactly once, as JSON.
    fn stream_json<'a>(self) -> Items<'a, Value>
    where
        Self: 'a,
    {
        Items::new(Self::OPERATION, results(self))
    }
}

impl<S: SearchAfterListing> SearchAfter for S {}

/// The sort with `id` as a tie-breaker (SailPoint's sort fields, `-` for
/// descending).
fn sort_with_tie_breaker(body: &Value) -> Vec<String> {
    let mut sort: Vec<String> = body
        .get("sort")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if !sort.iter().any(|s| s.trim_start_matches(['+', '-']) == "id") {
        sort.push("id".into());
    }
    sort
}

/// The `searchAfter` value of a sort field (`a.b`, without its `+`/`-`)
/// in a result: the field's JSON value as the result has it (a string, a
/// date as its string, a number, a boolean). `None` when the result lacks
/// the field or holds `null` or a list or object there.
fn sort_value(doc: &Value, field: &str) -> Option<Value> {
    let mut v = doc;
    for part in field.trim_start_matches(['+', '-']).split('.') {
        v = v.get(part)?;
    }
    match v {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(v.clone()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The `searchAfter` key of the last result of a page.
fn search_after_key(operation: &str, last: &Value, sort: &[String]) -> Result<Value, Error> {
    let values = sort
        .iter()
        .map(|field| {
            sort_value(last, field).ok_or_else(|| {
                let id = last.get("id").map_or_else(|| "?".to_string(), Value::to_string);
                Error::paging(format!(
                    "{operation}: result {id} has no value for the sort field `{field}`, so the next page cannot \
                     start exactly after it (searchAfter); sort on fields every result has"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(values))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first request's body: the caller's, sorted with the tie-breaker,
/// without `searchAfter`.
fn first_body(operation: &str, body: Result<Value, Error>, sort: &[String]) -> Result<Value, Error> {
    let body = body?;
    let Some(map) = body.as_object() else {
        return Err(Error::invalid_request(format!(
            "{operation}: a search body must be a JSON object (`indices`, `query`, `sort`…), not {}",
            kind_of(&body)
        )));
    };
    let mut map = map.clone();
    map.insert("sort".into(), json!(sort));
    map.remove("searchAfter");
    Ok(Value::Object(map))
}

/// Where the stream stands.
enum Cursor {
    /// Nothing sent yet: the first body, or why there is none.
    Start(Result<Value, Error>),
    /// The next body, and the `searchAfter` key it sends.
    After(Value, Value),
    /// The last page has been read.
    Done,
}

/// Every result of `search`, as JSON, each once.
fn results<'a, S: SearchAfterListing + 'a>(search: S) -> impl Stream<Item = Result<Value, Error>> + Send + 'a {
    let options = search.call_options().clone();
    let page_size = options
        .page_size
        .or_else(|| search.preset_limit().map(|l| u32::try_from(l).unwrap_or(u32::MAX)))
        .unwrap_or(S::MAX_LIMIT)
        .clamp(1, S::MAX_LIMIT.max(1));
    let body = search.body();
    let sort = match &body {
        Ok(b) => sort_with_tie_breaker(b),
        Err(_) => Vec::new(),
    };
    let first = first_body(S::OPERATION, body, &sort);
    let pages = stream::try_unfold(Cursor::Start(first), move |cursor| {
        let search = search.clone();
        let sort = sort.clone();
        // On a task of its own: a stream that is not polled holds nothing.
        let options = crate::ahead::next(&options);
        async move {
            let (body, sent) = match cursor {
                Cursor::Start(first) => (first?, None),
                Cursor::After(body, key) => (body, Some(key)),
                Cursor::Done => return Ok::<_, Error>(None),
            };
            let page = search.send_page(body.clone(), page_size, options).await?;
            let (next, failed) = next_page(S::OPERATION, body, sent.as_ref(), &page, page_size, &sort)?;
            let items = page.into_iter().map(Ok::<Value, Error>).chain(failed.map(Err));
            Ok(Some((stream::iter(items), next)))
        }
    });
    pages.try_flatten()
}

/// What follows `page`, the answer to `body` (which sent the key `sent`):
/// the next request, and an error to yield after the page when the next
/// key cannot be made. An error of its own when the page cannot be yielded.
fn next_page(
    operation: &str,
    body: Value,
    sent: Option<&Value>,
    page: &[Value],
    page_size: u32,
    sort: &[String],
) -> Result<(Cursor, Option<Error>), Error> {
    let size = page_size as usize;
    if page.len() > size {
        return Err(Error::paging(format!("{operation}: the server returned {} results for a page of {size}", page.len())));
    }
    // A server that ignores searchAfter sends the same page again, or starts
    // the page with the result it was asked to start after.
    if let Some(sent) = sent
        && [page.first(), page.last()]
            .into_iter()
            .flatten()
            .any(|d| search_after_key(operation, d, sort).ok().as_ref() == Some(sent))
    {
        return Err(Error::paging(format!(
            "{operation}: the page after searchAfter {sent} holds that result again (does the server ignore searchAfter?)"
        )));
    }
    // A full page is followed by the next one, from its last key; when that
    // key cannot be made, the page is yielded, then the error.
    Ok(match page.last() {
        Some(last) if page.len() == size => match search_after_key(operation, last, sort) {
            Ok(key) => {
                let mut body = body;
                body["searchAfter"] = key.clone();
                (Cursor::After(body, key), None)
            }
            Err(e) => (Cursor::Done, Some(e)),
        },
        _ => (Cursor::Done, None),
    })
}

/// A result's `_type`, lowercased (`identity`, `accessprofile`…), for
/// `search_after_listing!`'s decoding.
#[doc(hidden)]
pub fn document_kind(document: &Value) -> String {
    document.get("_type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase()
}

/// The error for a result of `operation` that does not decode: with
/// serde's `error`, or, without one, because its `_type` has no variant in
/// the document type (SailPoint may add kinds without notice).
#[doc(hidden)]
pub fn undecodable(operation: &'static str, document: &Value, error: Option<&serde_json::Error>) -> Error {
    let id = document.get("id").map_or_else(|| "?".to_string(), Value::to_string);
    let kind = document_kind(document);
    let why = match error {
        Some(e) => format!("does not decode: {e}"),
        None => "is of a kind this crate has no type for; `stream_json()` reads every kind".to_string(),
    };
    let body = serde_json::to_vec(document).unwrap_or_default();
    Error::decoding(format!("search result {id} (`_type` `{kind}`) {why}"), &body).for_operation(operation)
}

/// A body for a typed search builder: SailPoint's spec declares
/// `searchAfter` a list of strings, so a number or boolean sort value
/// travels as its text (`2.5`, `true`).
#[doc(hidden)]
pub fn with_text_key(mut body: Value) -> Value {
    if let Some(Value::Array(key)) = body.get_mut("searchAfter") {
        for v in key.iter_mut() {
            if let Value::Number(_) | Value::Bool(_) = v {
                *v = Value::String(v.to_string());
            }
        }
    }
    body
}

/// Implements [`SearchAfterListing`] for a generated search builder, in one
/// line: `search_after_listing!(Builder, Body, Document, max_limit, "operation", ["kind" => Document::Variant, …], |body| typed)`,
/// where each `_type` (lowercased) names the variant its results decode as,
/// and `typed` reads the builder's `body` field (`&Result<_, String>`) as the
/// typed body (`Result<Body, String>`). The builder's `body`, `limit`,
/// `offset` and `call_options` fields must be visible to the crate, and it
/// must have `send_as` (see the generator's `listing_fields` and `send_as`
/// rewrites).
#[macro_export]
#[doc(hidden)]
macro_rules! __search_after_listing {
    ($builder:ident, $body:ty, $document:ty, $max:literal, $operation:literal, [$($kind:literal => $variant:path),* $(,)?], |$b:ident| $typed:expr) => {
        impl<'a> $crate::glue::SearchAfterListing for builder::$builder<'a> {
            type Document = $document;
            const OPERATION: &'static str = $operation;
            const MAX_LIMIT: u32 = $max;
            #[inline]
            fn call_options(&self) -> &$crate::CallOptions {
                &self.call_options
            }
            #[inline]
            fn preset_limit(&self) -> ::std::option::Option<u64> {
                $crate::glue::preset(&self.limit)
            }
            #[inline]
            fn body(&self) -> ::std::result::Result<::serde_json::Value, $crate::Error> {
                let $b = &self.body;
                let body = $typed.map_err(|m| $crate::Error::invalid_request(m).for_operation($operation))?;
                ::serde_json::to_value(&body)
                    .map_err(|e| $crate::Error::invalid_request(e.to_string()).for_operation($operation))
            }
            #[inline]
            fn send_page(
                self,
                body: ::serde_json::Value,
                limit: u32,
                options: $crate::CallOptions,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<::std::vec::Vec<::serde_json::Value>, $crate::Error>> + Send
            {
                let mut page = self.with_options(options).limit(limit);
                page.offset = Ok(None);
                let typed = ::serde_json::from_value::<$body>($crate::glue::with_text_key(body));
                async move {
                    let typed = typed.map_err(|e| $crate::Error::invalid_request(e.to_string()).for_operation($operation))?;
                    page.body(typed).send_as::<::std::vec::Vec<::serde_json::Value>>().await?.into_inner()
                }
            }
            #[inline]
            fn decode(document: ::serde_json::Value) -> ::std::result::Result<$document, $crate::Error> {
                let decoded = match $crate::glue::document_kind(&document).as_str() {
                    $($kind => ::serde::Deserialize::deserialize(&document).map($variant),)*
                    _ => return Err($crate::glue::undecodable($operation, &document, None)),
                };
                decoded.map_err(|e| $crate::glue::undecodable($operation, &document, Some(&e)))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_gets_an_id_tie_breaker() {
        assert_eq!(sort_with_tie_breaker(&json!({"sort": ["-created", "name"]})), ["-created", "name", "id"]);
        assert_eq!(sort_with_tie_breaker(&json!({"sort": ["-id"]})), ["-id"]);
        assert_eq!(sort_with_tie_breaker(&json!({})), ["id"]);
    }

    #[test]
    fn sort_values_from_nested_fields() {
        let d = json!({"id": "a", "attributes": {"cloudLifecycleState": "active"}, "n": 3});
        assert_eq!(sort_value(&d, "-attributes.cloudLifecycleState"), Some(json!("active")));
        assert_eq!(sort_value(&d, "n"), Some(json!(3)));
        assert_eq!(sort_value(&d, "missing"), None);
        assert_eq!(sort_value(&json!({"id": null}), "id"), None);
        let key = search_after_key("s", &json!({"id": "a", "n": 2.5, "ok": true}), &["n".into(), "ok".into(), "id".into()]);
        assert_eq!(key.unwrap(), json!([2.5, true, "a"]));
        let e = search_after_key("s", &json!({"id": "a"}), &["created".into(), "id".into()]).unwrap_err();
        assert!(e.to_string().contains("`created`"), "{e}");
    }

    #[test]
    fn typed_keys_travel_as_text() {
        let body = with_text_key(json!({"searchAfter": [2.5, true, "a", null], "sort": ["n"]}));
        assert_eq!(body, json!({"searchAfter": ["2.5", "true", "a", null], "sort": ["n"]}));
        assert_eq!(with_text_key(json!({"sort": ["n"]})), json!({"sort": ["n"]}));
    }

    #[test]
    fn the_first_body_is_an_object_sorted_from_the_top() {
        let sort = ["name".to_string(), "id".to_string()];
        let body = first_body("s", Ok(json!({"sort": ["name"], "searchAfter": ["x"]})), &sort).unwrap();
        assert_eq!(body, json!({"sort": ["name", "id"]}));
        let e = first_body("s", Ok(json!([1])), &sort).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidRequest);
        assert!(e.to_string().contains("an array"), "{e}");
    }

    #[test]
    fn pages_follow_from_the_last_key_and_refuse_repeats() {
        let sort = ["n".to_string(), "id".to_string()];
        let page = vec![json!({"id": "a", "n": 1}), json!({"id": "b", "n": 1})];
        // a full page: the next body carries the last key
        let (next, failed) = next_page("s", json!({}), None, &page, 2, &sort).unwrap();
        assert!(failed.is_none());
        let Cursor::After(body, key) = next else { panic!("a next page") };
        assert_eq!((body["searchAfter"].clone(), key), (json!([1, "b"]), json!([1, "b"])));
        // a short page ends the stream
        assert!(matches!(next_page("s", json!({}), None, &page, 3, &sort).unwrap(), (Cursor::Done, None)));
        // the same page again, after its own key: refused
        let e = next_page("s", json!({}), Some(&json!([1, "b"])), &page, 2, &sort).err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::Paging);
        // more than asked for: refused
        assert!(next_page("s", json!({}), None, &page, 1, &sort).is_err());
        // a full page whose last result lacks a sort value: yielded, then an error
        let lacking = vec![json!({"id": "a", "n": 1}), json!({"id": "b"})];
        let (next, failed) = next_page("s", json!({}), None, &lacking, 2, &sort).unwrap();
        assert!(matches!(next, Cursor::Done) && failed.is_some_and(|e| e.to_string().contains("`n`")));
    }
}
