//! Runtime shared by the generated SailPoint client crates (`sailpoint-v3`,
//! `sailpoint-beta`, `sailpoint-v2024`).
//!
//! Each generated `Client` carries a [`Runtime`] and runs every request
//! through it (progenitor's `ClientHooks`, implemented by
//! [`client_hooks!`]): the runtime restores what the generator had to erase
//! from the spec (the JSON Patch content type, the experimental header, the
//! `Accept` header of non-JSON responses) using the operation table
//! ([`Operation`]) that the generator emits for each version.

#![warn(missing_docs)]

mod date_time;
mod decode;
mod hooks;
mod operation;

pub use date_time::DateTime;
pub use decode::{decode_json, decode_response};
pub use hooks::{EXPERIMENTAL_HEADER, Runtime, RuntimeBuilder};
pub use operation::{Operation, Pagination, find};

/// Implements progenitor's `ClientHooks` for a generated `Client` whose inner
/// value is a [`Runtime`], looking operations up in `$operations`.
#[macro_export]
macro_rules! client_hooks {
    ($client:ty, $operations:expr) => {
        impl ::progenitor_client::ClientHooks<$crate::Runtime> for $client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                let operation = $crate::find($operations, info.operation_id);
                ::progenitor_client::ClientInfo::inner(self)
                    .prepare(request, operation, info.operation_id)
                    .map_err(::progenitor_client::Error::Custom)
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                let operation = $crate::find($operations, info.operation_id);
                let client = ::progenitor_client::ClientInfo::client(self);
                ::progenitor_client::ClientInfo::inner(self).execute(client, request, operation).await
            }
        }
    };
}
