#![doc = include_str!("../../../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod client;
mod config;
pub mod search;
pub mod triggers;

pub use client::{Client, ClientBuilder};
#[cfg(feature = "keyring")]
pub use config::OsKeyring;
pub use config::{Config, ConfigSources, SecretStore};
pub use sailpoint_runtime::{
    CallOptions, Credentials, DEFAULT_PREFETCH, DateTime, Download, Error, ErrorKind, ErrorMessage, FilePart, Items, Page,
    PageOptions, Pages, Paginate, RateLimit, RetryConfig, Runtime, SearchAfter,
};

/// Each version of `openapi/specs.toml` behind its feature: the crate as
/// `sailpoint::<version>`, and the accessor `Client::<version>()`.
#[rustfmt::skip]
mod generated_versions;
#[allow(unused_imports)] // nothing to re-export without a version feature
pub use generated_versions::*;

/// Each service of the per-service layout behind its feature: the crate as
/// `sailpoint::services::<service>`, and the accessor `Client::<service>()`.
#[rustfmt::skip]
mod generated_services;
pub use generated_services::services;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What most programs need in scope: the client, the pagination traits
/// (which give every list operation `.stream()` and `.pages()`, and every
/// search operation a `.stream()` past 10,000 results), the
/// download trait (`bytes()`, `text()`, `write_to_file()` on CSV, ZIP and
/// other byte-stream responses), [`FilePart`], what uploads take, and
/// [`CallOptions`], options for one call.
pub mod prelude {
    pub use crate::search::{Document, SearchRequest};
    pub use crate::{CallOptions, Client, Download, Error, FilePart, Paginate, Result, SearchAfter};
    pub use futures_util::{StreamExt, TryStreamExt};
}

impl Client {
    /// Every result of a search, past the 10,000-result window, each
    /// exactly once, typed by its `_type` (see [`search`]).
    pub fn search(&self, request: search::SearchRequest) -> Items<'static, search::Document> {
        use futures_util::TryStreamExt;
        let items = self.search_json(request).map_ok(search::Document::from_json);
        Items::new(search::OPERATION, items)
    }

    /// Like [`search`](Self::search), as JSON.
    pub fn search_json(&self, request: search::SearchRequest) -> Items<'static, serde_json::Value> {
        SearchAfter::stream_json(search::JsonSearch { runtime: self.runtime().clone(), request })
    }
}
