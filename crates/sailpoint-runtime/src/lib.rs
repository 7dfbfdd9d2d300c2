//! Runtime shared by the generated SailPoint client crates (`sailpoint-v3`,
//! `sailpoint-beta`, `sailpoint-v2024`).
//!
//! Each generated `Client` carries a [`Runtime`] and runs every request
//! through it (progenitor's `ClientHooks`, implemented by
//! [`client_hooks!`]). The runtime owns the policy, in one place for every
//! API version:
//! - the access token ([`Credentials`]): OAuth2 client credentials, cached,
//!   refreshed before it expires by one request for all concurrent callers,
//!   and replaced once after a 401;
//! - what the generator had to erase from the spec, from the operation
//!   table ([`Operation`]): the JSON Patch content type, the experimental
//!   header (with an explicit opt-in), the `Accept` header of non-JSON
//!   responses, empty success bodies;
//! - retries ([`RetryConfig`]) and the client-side rate limit ([`RateLimit`]);
//! - a `tracing` span per request (method, operation, status, attempts,
//!   duration; never a header);
//! - one error type, [`Error`], for every version.
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

#![warn(missing_docs)]

mod auth;
mod body;
mod date_time;
mod decode;
mod error;
mod hooks;
mod limiter;
mod multipart;
mod operation;
mod pagination;
mod retry;

pub use auth::Credentials;
pub use body::BodyLimits;
pub use date_time::DateTime;
pub use decode::{decode_json, decode_response, unexpected_response};
pub use error::{Error, ErrorKind, ErrorMessage, REQUEST_ID_HEADER};
pub use hooks::{EXPERIMENTAL_HEADER, NOT_REPLAYABLE_HEADER, Runtime, RuntimeBuilder, user_agent};
pub use limiter::RateLimit;
pub use multipart::file_part;
pub use operation::{Operation, Pagination, find};
pub use pagination::{Page, PageOptions, Paginate, TOTAL_COUNT_HEADER};
pub use retry::RetryConfig;

/// Implements progenitor's `ClientHooks` for a generated `Client` whose inner
/// value is a [`Runtime`]: `$operations` is the version's operation table
/// and `$version` its name (`"v2024"`). Requests go out through the
/// runtime's HTTP client.
#[macro_export]
macro_rules! client_hooks {
    ($client:ty, $operations:expr, $version:expr) => {
        impl ::progenitor_client::ClientHooks<$crate::Runtime> for $client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                let operation = $crate::find($operations, info.operation_id);
                ::progenitor_client::ClientInfo::inner(self)
                    .prepare(request, operation, info.operation_id)
                    .await
                    .map_err(::progenitor_client::Error::Custom)
            }

            async fn post<E>(
                &self,
                result: &::reqwest::Result<::reqwest::Response>,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                let operation = $crate::find($operations, info.operation_id);
                ::progenitor_client::ClientInfo::inner(self).after(result, operation).map_err(::progenitor_client::Error::Custom)
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                let operation = $crate::find($operations, info.operation_id);
                ::progenitor_client::ClientInfo::inner(self).execute(request, operation, $version).await
            }
        }
    };
}
