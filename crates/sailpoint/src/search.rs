//! `client.search()`: the short form of a search that goes past the
//! 10,000-result window.
//!
//! It is sent to the search service's `POST /search/v1` when the facade
//! has the `search` feature (on by default), else to v3's `POST
//! /v3/search`; [`SearchRequest::api_version`] picks a year version's
//! endpoint instead. The endpoints take the same body and answer the same
//! documents; each counts against its own API's rate limit.
//!
//! The paging itself is the runtime's ([`sailpoint_runtime::SearchAfter`],
//! which every search operation's builder also has): sorted by the query's
//! `sort` plus `id`, each result exactly once, an error rather than a
//! guess. Here a search takes its body as JSON, and its results are typed
//! by their `_type` into the v3 document types ([`Document`], with the
//! `v3` feature); an unknown kind, one that does not decode, or any result
//! of a build without `v3`, stays JSON ([`Document::Other`]).
//! `searchAfter` values travel as the results have them (a number as a
//! number, a boolean as a boolean).

use sailpoint_runtime::glue::SearchAfterListing;
use sailpoint_runtime::{CallOptions, Error, Runtime, SEARCH_WINDOW};
use serde_json::Value;

/// Largest page the search endpoint serves.
pub const MAX_PAGE: u32 = SEARCH_WINDOW;

/// The operation a search pages through on a year version.
pub const OPERATION: &str = "search_post";

/// The search service's operation.
#[cfg(feature = "search")]
const SERVICE_OPERATION: &str = "search_post_v1";

/// Where a search is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// A year version's `POST /{version}/search`.
    Version(&'static str),
    /// The search service's `POST /search/v1`.
    #[cfg(feature = "search")]
    Service,
}

impl Endpoint {
    /// The search service where the facade has it, else v3.
    #[cfg(feature = "search")]
    const DEFAULT: Endpoint = Endpoint::Service;
    /// The search service where the facade has it, else v3.
    #[cfg(not(feature = "search"))]
    const DEFAULT: Endpoint = Endpoint::Version("v3");
}

/// A search request: the body of `POST /search` (`indices`, `query`,
/// `sort`…), as JSON.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    body: Value,
    page_size: u32,
    endpoint: Endpoint,
    options: CallOptions,
}

impl SearchRequest {
    /// A search with this body, e.g.
    /// `json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]})`.
    pub fn new(body: Value) -> Self {
        Self { body, page_size: MAX_PAGE, endpoint: Endpoint::DEFAULT, options: CallOptions::new() }
    }

    /// Results per request (1 to 10,000; default 10,000, the most the
    /// endpoint serves: each request counts against the rate limit, so
    /// fewer, larger pages finish sooner). A smaller page gives the first
    /// result sooner and holds fewer results in memory at once. A page
    /// size in the search's options ([`with_options`](Self::with_options))
    /// wins over this one.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE);
        self
    }

    /// Options for every request of this search (a deadline per request,
    /// the retry policy, headers…); their page size, if set, is the
    /// search's (see [`page_size`](Self::page_size)).
    pub fn with_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Uses a year version's endpoint (`"v3"`, `"v2024"`), with that
    /// version's rate limit, instead of the search service's; a version
    /// this build lacks, or without `POST /search` (beta), fails the search
    /// with a configuration error.
    pub fn api_version(mut self, version: &'static str) -> Self {
        self.endpoint = Endpoint::Version(version);
        self
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

/// A search with a JSON body on the facade's runtime: what the runtime's
/// `searchAfter` stream pages through for `client.search()`.
#[derive(Clone)]
pub(crate) struct JsonSearch {
    pub(crate) runtime: Runtime,
    pub(crate) request: SearchRequest,
}

impl SearchAfterListing for JsonSearch {
    type Document = Value;
    const OPERATION: &'static str = OPERATION;
    const MAX_LIMIT: u32 = MAX_PAGE;

    fn call_options(&self) -> &CallOptions {
        &self.request.options
    }

    fn preset_limit(&self) -> Option<u64> {
        Some(self.request.page_size.into())
    }

    fn body(&self) -> Result<Value, Error> {
        Ok(self.request.body.clone())
    }

    async fn send_page(self, body: Value, limit: u32, options: CallOptions) -> Result<Vec<Value>, Error> {
        let JsonSearch { runtime, request } = self;
        let (operations, operation, api, base) = match request.endpoint {
            Endpoint::Version(version) => {
                let operations = crate::generated_versions::operations(version)
                    .ok_or_else(|| Error::configuration(format!("no `{version}` API in this build")))?;
                (operations, OPERATION, version, runtime.version_url(version)?)
            }
            #[cfg(feature = "search")]
            Endpoint::Service => {
                (sailpoint_search::OPERATIONS, SERVICE_OPERATION, sailpoint_search::API_VERSION, runtime.services_url()?)
            }
        };
        let op = sailpoint_runtime::glue::find(operations, operation)
            .ok_or_else(|| Error::configuration(format!("`{api}` has no search operation (`{operation}`)")))?;
        let url = format!("{base}{}", op.path);
        let http = runtime
            .http()
            .post(url)
            .query(&[("limit", limit)])
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&body)
            .build()
            .map_err(|e| Error::configuration(format!("building the search request: {e}")))?;
        let response = runtime.call(http, op, api, &options).await?;
        let bytes = response.bytes().await.map_err(|e| Error::transport(e).for_operation(op.id))?;
        sailpoint_runtime::glue::decode_json::<Vec<Value>>(&bytes)
            .map_err(|m| Error::decoding(format!("search results: {m}"), &bytes).for_operation(op.id))
    }

    fn decode(document: Value) -> Result<Value, Error> {
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
