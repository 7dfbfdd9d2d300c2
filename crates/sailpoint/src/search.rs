//! Search as a stream that goes past the 10,000-result window.
//!
//! SailPoint's search (`POST /search`) returns at most 10,000 results by
//! `offset`; beyond that it pages with `searchAfter`: the sort values of the
//! last result. The stream sorts by the query's `sort` plus `id` as a
//! tie-breaker, so that every result arrives exactly once.
//!
//! Documents are decoded by their `_type` into the v3 document types
//! ([`Document`]); an unknown kind, or one that does not decode, stays
//! JSON ([`Document::Other`]).

use futures_util::stream::{self, Stream};
use sailpoint_runtime::{Error, Runtime};
use serde_json::{Value, json};

/// Largest page the search endpoint serves.
pub const MAX_PAGE: u32 = 10_000;

/// A search request: the body of `POST /search` (`indices`, `query`,
/// `sort`…), as JSON.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    body: Value,
    page_size: u32,
    api_version: &'static str,
}

impl SearchRequest {
    /// A search with this body, e.g.
    /// `json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]})`.
    pub fn new(body: Value) -> Self {
        Self { body, page_size: 250, api_version: "v3" }
    }

    /// Results per request (1 to 10,000; default 250).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE);
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
        let mut sort: Vec<String> = self.body["sort"]
            .as_array()
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
            fn typed<T: serde::de::DeserializeOwned>(v: &Value, wrap: fn(Box<T>) -> Document) -> Option<Document> {
                serde_json::from_value::<T>(v.clone()).ok().map(|t| wrap(Box::new(t)))
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

/// The value of a sort field (`a.b`, without its `+`/`-`) in a document,
/// as `searchAfter` takes it.
fn sort_value(doc: &Value, field: &str) -> String {
    let mut v = doc;
    for part in field.trim_start_matches(['+', '-']).split('.') {
        v = v.get(part).unwrap_or(&Value::Null);
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Pages through a search; yields raw JSON results.
pub(crate) fn raw_stream(runtime: Runtime, request: SearchRequest) -> impl Stream<Item = Result<Value, Error>> + Send {
    let sort = request.sort();
    let mut body = request.body.clone();
    body["sort"] = json!(sort);
    if let Some(map) = body.as_object_mut() {
        map.remove("searchAfter");
    }
    // state: the next body, or None when done
    let pages = stream::try_unfold(Some(body), move |next| {
        let runtime = runtime.clone();
        let sort = sort.clone();
        let request = request.clone();
        async move {
            let Some(body) = next else { return Ok::<_, Error>(None) };
            let page = fetch(&runtime, &request, &body).await?;
            let done = page.len() < request.page_size as usize;
            let next = match (done, page.last()) {
                (false, Some(last)) => {
                    let mut b = body.clone();
                    b["searchAfter"] = json!(sort.iter().map(|f| sort_value(last, f)).collect::<Vec<_>>());
                    Some(b)
                }
                _ => None,
            };
            Ok(Some((stream::iter(page.into_iter().map(Ok::<Value, Error>)), next)))
        }
    });
    futures_util::TryStreamExt::try_flatten(pages)
}

async fn fetch(runtime: &Runtime, request: &SearchRequest, body: &Value) -> Result<Vec<Value>, Error> {
    let operations = operations(request.api_version)
        .ok_or_else(|| Error::configuration(format!("no `{}` API in this build", request.api_version)))?;
    let op = sailpoint_runtime::find(operations, "search_post")
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
    let response = runtime.call(http, op, request.api_version).await?;
    let bytes = response.bytes().await.map_err(Error::transport)?;
    sailpoint_runtime::decode_json::<Vec<Value>>(&bytes).map_err(|m| Error::decoding(format!("search results: {m}"), &bytes))
}

fn operations(version: &str) -> Option<&'static [sailpoint_runtime::Operation]> {
    match version {
        #[cfg(feature = "v3")]
        "v3" => Some(sailpoint_v3::OPERATIONS),
        #[cfg(feature = "beta")]
        "beta" => Some(sailpoint_beta::OPERATIONS),
        #[cfg(feature = "v2024")]
        "v2024" => Some(sailpoint_v2024::OPERATIONS),
        _ => None,
    }
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
        assert_eq!(sort_value(&d, "-attributes.cloudLifecycleState"), "active");
        assert_eq!(sort_value(&d, "n"), "3");
        assert_eq!(sort_value(&d, "missing"), "");
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
