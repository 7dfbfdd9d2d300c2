//! Search as a stream that goes past the 10,000-result window.
//!
//! SailPoint's search (`POST /search`) returns at most 10,000 results by
//! `offset`; beyond that it pages with `searchAfter`: the sort values of the
//! last result. The stream sorts by the query's `sort` plus `id` as a
//! tie-breaker, so that every result arrives exactly once.
//!
//! What `searchAfter` carries: for each sort field, the last result's value
//! as JSON, unchanged (a string, a date as the string the API sent, a
//! number as a number, a boolean as a boolean). When the last result of a
//! full page has no value for a sort field (absent, `null`, a list), no key
//! can start the next page exactly after it: the stream yields that page,
//! then fails with an [`ErrorKind::Paging`](sailpoint_runtime::ErrorKind)
//! error rather than guess (an empty string would restart from the top).
//! The stream also fails, before yielding a duplicate, when a page starts or
//! ends at the key it was asked to start after (a server that ignores
//! `searchAfter`), or holds more results than asked. It does not check the
//! order of the results beyond that: the server's sort is trusted.
//!
//! Documents are decoded by their `_type` into the v3 document types
//! ([`Document`]); an unknown kind, or one that does not decode, stays
//! JSON ([`Document::Other`]).

use futures_util::stream::{self, Stream};
use sailpoint_runtime::{CallOptions, Error, Runtime};
use serde_json::{Value, json};

/// Largest page the search endpoint serves.
pub const MAX_PAGE: u32 = 10_000;

/// The operation a search pages through.
pub const OPERATION: &str = "search_post";

/// A search request: the body of `POST /search` (`indices`, `query`,
/// `sort`…), as JSON.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    body: Value,
    page_size: u32,
    api_version: &'static str,
    options: CallOptions,
}

impl SearchRequest {
    /// A search with this body, e.g.
    /// `json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]})`.
    pub fn new(body: Value) -> Self {
        Self { body, page_size: MAX_PAGE, api_version: "v3", options: CallOptions::new() }
    }

    /// Results per request (1 to 10,000; default 10,000, the most the
    /// endpoint serves: each request counts against the rate limit, so
    /// fewer, larger pages finish sooner). A smaller page gives the first
    /// result sooner and holds fewer results in memory at once.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE);
        self
    }

    /// Options for every request of this search (a deadline per request,
    /// the retry policy, headers…); their page size, if set, is the
    /// search's (see [`page_size`](Self::page_size)).
    pub fn with_options(mut self, options: CallOptions) -> Self {
        if let Some(size) = sailpoint_runtime::glue::page_size(&options) {
            self = self.page_size(size);
        }
        self.options = options;
        self
    }

    /// Uses the beta or v2024 endpoint instead of v3's.
    pub fn api_version(mut self, version: &'static str) -> Self {
        self.api_version = version;
        self
    }

    /// The sort with `id` as a tie-breaker (SailPoint's sort fields,
    /// `-` for descending).
    fn sort(&self) -> Vec<String> {
        let mut sort: Vec<String> = self
            .body
            .get("sort")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if !sort.iter().any(|s| s.trim_start_matches(['+', '-']) == "id") {
            sort.push("id".into());
        }
        sort
    }
}

/// A search result, typed by its `_type`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// `_type: identity`.
    #[cfg(feature = "v3")]
    Identity(Box<sailpoint_v3::types::IdentityDocuments>),
    /// `_type: accessprofile`.
    #[cfg(feature = "v3")]
    AccessProfile(Box<sailpoint_v3::types::AccessProfileDocuments>),
    /// `_type: entitlement`.
    #[cfg(feature = "v3")]
    Entitlement(Box<sailpoint_v3::types::EntitlementDocuments>),
    /// `_type: role`.
    #[cfg(feature = "v3")]
    Role(Box<sailpoint_v3::types::RoleDocuments>),
    /// `_type: event`.
    #[cfg(feature = "v3")]
    Event(Box<sailpoint_v3::types::EventDocuments>),
    /// `_type: accountactivity`.
    #[cfg(feature = "v3")]
    AccountActivity(Box<sailpoint_v3::types::AccountActivityDocuments>),
    /// Any other kind, or a document that did not decode: the JSON as sent.
    Other(Value),
}

impl Document {
    /// Decodes one result by its `_type`.
    pub fn from_json(value: Value) -> Self {
        #[cfg(feature = "v3")]
        {
            // Decoded from a borrow of the JSON: nothing is copied first, and
            // a document that does not decode stays as it came.
            fn typed<T: serde::de::DeserializeOwned>(v: &Value, wrap: fn(Box<T>) -> Document) -> Option<Document> {
                T::deserialize(v).ok().map(|t| wrap(Box::new(t)))
            }
            let kind = value.get("_type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
            let decoded = match kind.as_str() {
                "identity" => typed(&value, Document::Identity),
                "accessprofile" => typed(&value, Document::AccessProfile),
                "entitlement" => typed(&value, Document::Entitlement),
                "role" => typed(&value, Document::Role),
                "event" => typed(&value, Document::Event),
                "accountactivity" => typed(&value, Document::AccountActivity),
                _ => None,
            };
            if let Some(d) = decoded {
                return d;
            }
        }
        Document::Other(value)
    }
}

/// The `searchAfter` value of a sort field (`a.b`, without its `+`/`-`)
/// in a document: the field's JSON value as the document has it (a
/// string, a date as its string, a number, a boolean). `None` when the
/// document lacks the field or holds `null` or a list or object there: no
/// value then continues the search exactly after the document.
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
fn search_after(last: &Value, sort: &[String]) -> Result<Value, Error> {
    let values = sort
        .iter()
        .map(|field| {
            sort_value(last, field).ok_or_else(|| {
                let id = last.get("id").map_or_else(|| "?".to_string(), Value::to_string);
                Error::paging(format!(
                    "search: result {id} has no value for the sort field `{field}`, so the next page cannot start \
                     exactly after it (searchAfter); sort on fields every result has"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(values))
}

/// Where the search stream stands.
enum Cursor {
    /// Nothing sent yet: the first body, or why there is none.
    Start(Result<Value, Error>),
    /// The next body, and the `searchAfter` key it sends.
    After(Value, Value),
    /// The last page has been read.
    Done,
}

/// Pages through a search; yields raw JSON results.
///
/// A body that is not a JSON object fails before anything is sent. A
/// `searchAfter` in the body is replaced: the stream starts from the top.
pub(crate) fn raw_stream(runtime: Runtime, request: SearchRequest) -> impl Stream<Item = Result<Value, Error>> + Send {
    let sort = request.sort();
    let first = match request.body.as_object() {
        Some(map) => {
            let mut map = map.clone();
            map.insert("sort".into(), json!(sort));
            map.remove("searchAfter");
            Ok(Value::Object(map))
        }
        None => Err(Error::invalid_request(format!(
            "a search body must be a JSON object (`indices`, `query`, `sort`…), not {}",
            kind_of(&request.body)
        ))),
    };
    let pages = stream::try_unfold(Cursor::Start(first), move |cursor| {
        let runtime = runtime.clone();
        let sort = sort.clone();
        let request = request.clone();
        async move {
            let (body, sent) = match cursor {
                Cursor::Start(first) => (first?, None),
                Cursor::After(body, key) => (body, Some(key)),
                Cursor::Done => return Ok::<_, Error>(None),
            };
            let page = fetch(&runtime, &request, &body).await?;
            let size = request.page_size as usize;
            if page.len() > size {
                return Err(Error::paging(format!("search: the server returned {} results for a page of {size}", page.len())));
            }
            // A server that ignores searchAfter sends the same page again, or
            // starts the page with the result it was asked to start after.
            if let Some(sent) = &sent
                && [page.first(), page.last()].into_iter().flatten().any(|d| search_after(d, &sort).ok().as_ref() == Some(sent))
            {
                return Err(Error::paging(format!(
                    "search: the page after searchAfter {sent} holds that result again (does the server ignore searchAfter?)"
                )));
            }
            // A full page is followed by the next one, from its last key; when
            // that key cannot be made, the page is yielded, then the error.
            let (next, failed) = match page.last() {
                Some(last) if page.len() == size => match search_after(last, &sort) {
                    Ok(key) => {
                        let mut body = body;
                        body["searchAfter"] = key.clone();
                        (Cursor::After(body, key), None)
                    }
                    Err(e) => (Cursor::Done, Some(e)),
                },
                _ => (Cursor::Done, None),
            };
            let items = page.into_iter().map(Ok::<Value, Error>).chain(failed.map(Err));
            Ok(Some((stream::iter(items), next)))
        }
    });
    futures_util::TryStreamExt::try_flatten(pages)
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

async fn fetch(runtime: &Runtime, request: &SearchRequest, body: &Value) -> Result<Vec<Value>, Error> {
    let operations = crate::generated_versions::operations(request.api_version)
        .ok_or_else(|| Error::configuration(format!("no `{}` API in this build", request.api_version)))?;
    let op = sailpoint_runtime::glue::find(operations, OPERATION)
        .ok_or_else(|| Error::configuration("the search operation is missing from the operation table"))?;
    let url = format!("{}{}", runtime.version_url(request.api_version)?, op.path);
    let http = runtime
        .http()
        .post(url)
        .query(&[("limit", request.page_size)])
        .header(reqwest::header::ACCEPT, "application/json")
        .json(body)
        .build()
        .map_err(|e| Error::configuration(format!("building the search request: {e}")))?;
    // On a task of its own: a search stream that is not polled holds nothing.
    let options = sailpoint_runtime::glue::stream_request(&request.options);
    let response = runtime.call(http, op, request.api_version, &options).await?;
    let bytes = response.bytes().await.map_err(|e| Error::transport(e).for_operation(OPERATION))?;
    sailpoint_runtime::glue::decode_json::<Vec<Value>>(&bytes)
        .map_err(|m| Error::decoding(format!("search results: {m}"), &bytes).for_operation(OPERATION))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_gets_an_id_tie_breaker() {
        let r = SearchRequest::new(json!({"sort": ["-created", "name"]}));
        assert_eq!(r.sort(), ["-created", "name", "id"]);
        let r = SearchRequest::new(json!({"sort": ["-id"]}));
        assert_eq!(r.sort(), ["-id"]);
        assert_eq!(SearchRequest::new(json!({})).sort(), ["id"]);
    }

    #[test]
    fn sort_values_from_nested_fields() {
        let d = json!({"id": "a", "attributes": {"cloudLifecycleState": "active"}, "n": 3});
        assert_eq!(sort_value(&d, "-attributes.cloudLifecycleState"), Some(json!("active")));
        assert_eq!(sort_value(&d, "n"), Some(json!(3)));
        assert_eq!(sort_value(&d, "missing"), None);
        assert_eq!(sort_value(&json!({"id": null}), "id"), None);
        let key = search_after(&json!({"id": "a", "n": 2.5, "ok": true}), &["n".into(), "ok".into(), "id".into()]).unwrap();
        assert_eq!(key, json!([2.5, true, "a"]));
        let e = search_after(&json!({"id": "a"}), &["created".into(), "id".into()]).unwrap_err();
        assert!(e.to_string().contains("`created`"), "{e}");
    }

    #[test]
    fn documents_by_type_with_fallback() {
        assert!(matches!(Document::from_json(json!({"_type": "unknownkind", "id": "x"})), Document::Other(_)));
        #[cfg(feature = "v3")]
        {
            let identity = Document::from_json(json!({"_type": "identity", "id": "2c9", "name": "ada", "_version": "v7"}));
            assert!(matches!(identity, Document::Identity(ref i) if i.name == "ada"), "{identity:?}");
            // a known kind that does not decode stays JSON
            let broken = Document::from_json(json!({"_type": "identity", "id": 42}));
            assert!(matches!(broken, Document::Other(_)), "{broken:?}");
        }
    }
}
