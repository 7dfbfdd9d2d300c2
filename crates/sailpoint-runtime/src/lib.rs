//! Runtime shared by the generated SailPoint client crates: one per API
//! version (`sailpoint-v2024`…) and one per service of SailPoint's
//! per-service layout (`sailpoint-sources`…), as `openapi/specs.toml` lists
//! them.
//!
//! Each generated `Client` carries a [`Runtime`] and hands every request to
//! it. The runtime owns the policy, in one place for every API version:
//! - the access token ([`Credentials`]): OAuth2 client credentials, cached,
//!   refreshed before it expires by one request for all concurrent callers,
//!   and replaced once after a 401;
//! - what the generator had to erase from the spec, from the operation
//!   table ([`Operation`]): the JSON Patch content type, the experimental
//!   header (with an explicit opt-in), the `Accept` header of non-JSON
//!   responses, empty success bodies, which requests may be replayed;
//! - retries ([`RetryConfig`]) and the client-side rate limit ([`RateLimit`]);
//! - options for one call ([`CallOptions`]): a deadline, the retry policy,
//!   the experimental opt-in, headers, replay safety, a stream's paging;
//! - a `tracing` span per request (method, operation, status, attempts,
//!   duration; never a header);
//! - one error type, [`Error`], for every version and every operation;
//! - listings as named streams ([`Paginate`], [`Items`], [`Pages`]), and
//!   searches past the 10,000-result window ([`SearchAfter`]).
//!
//! ```
//! use sailpoint_runtime::{Credentials, Runtime};
//! let runtime = Runtime::builder()
//!     .base_url("https://acme.api.identitynow.com")
//!     .credentials(Credentials::client_credentials("client-id", "client-secret"))
//!     .experimental(true)
//!     .build()?;
//! assert_eq!(runtime.version_url("v2024")?, "https://acme.api.identitynow.com/v2024");
//! assert!(!format!("{runtime:?}").contains("client-secret"));
//! # Ok::<(), sailpoint_runtime::Error>(())
//! ```
//!
//! Modules, one concern each: `builder` (the client's options and their
//! checks), `options` (options for one call), `runtime` (the shared
//! state), `pipeline` (the path of one request), `retry` (when and how
//! long to wait), `auth`, `limiter`, `body` (reading bodies within
//! limits), `error`, `pagination` (with `ahead`, the rules for the pages a
//! stream requests ahead), `search_after`, `streams` and `triggers` (what the
//! generated `events` modules are made of); `glue` holds the plumbing the
//! generated crates and the facade call.

#![warn(missing_docs)]

mod ahead;
mod auth;
mod body;
mod builder;
mod date_time;
mod decode;
mod download;
mod error;
mod experimental;
mod generated_serde;
mod limiter;
mod multipart;
mod operation;
mod options;
mod pagination;
mod pipeline;
mod response;
mod retry;
mod runtime;
mod search_after;
mod streams;
pub mod triggers;

#[doc(hidden)]
pub mod glue;

pub use auth::Credentials;
pub use body::BodyLimits;
pub use builder::{RuntimeBuilder, user_agent};
pub use date_time::DateTime;
pub use download::Download;
pub use error::{Error, ErrorKind, ErrorMessage, REQUEST_ID_HEADER};
pub use experimental::EXPERIMENTAL_HEADER;
pub use limiter::RateLimit;
pub use multipart::FilePart;
pub use operation::{Operation, Pagination};
pub use options::CallOptions;
pub use pagination::{DEFAULT_PREFETCH, Page, PageOptions, Paginate, TOTAL_COUNT_HEADER};
pub use response::ResponseValue;
pub use retry::RetryConfig;
pub use runtime::Runtime;
pub use search_after::{SEARCH_WINDOW, SearchAfter};
pub use streams::{Items, Pages};
