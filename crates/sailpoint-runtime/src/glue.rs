//! What the generated crates call, and nothing a user needs (hidden from
//! the docs). A generated `send()` builds its request, then hands it here:
//! [`send_json`], [`send_empty`] or [`send_stream`] run it through the
//! runtime's pipeline ([`send`]) and answer any 2xx (decoded as the
//! success type, empty, or a byte stream), any other status being
//! [`error_response`]'s. A `send()` the generator leaves `async` (a
//! search's, a multipart one) awaits [`send`] and [`decode`] or
//! [`other_status`] itself. [`invalid_request`] and [`request_error`]
//! name the operation in errors raised before anything is sent. Paginated
//! builders implement [`OffsetListing`] with one [`offset_listing!`] line
//! each, and search builders [`SearchAfterListing`] with one
//! [`search_after_listing!`]. The generated types' `Deserialize` impls
//! read names and values as [`InputStr`] and absent fields through
//! [`missing_field`].

use std::future::Future;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

pub use crate::decode::decode_json;
pub use crate::generated_serde::{InputStr, missing_field};
pub use crate::multipart::Form;
pub use crate::operation::find;
pub use crate::pagination::OffsetListing;
pub use crate::pipeline::Outgoing;
pub use crate::search_after::{SearchAfterListing, document_kind, undecodable, with_text_key};
pub use progenitor_client::OperationInfo;

use crate::{CallOptions, Error, Operation, ResponseValue, Runtime};

/// An API version as its generated crate describes it.
#[derive(Debug)]
pub struct Api {
    /// The version's name, the first segment of its paths (`v2024`).
    pub version: &'static str,
    /// Its operation table, sorted by [`Operation::id`].
    pub operations: &'static [Operation],
}

impl Api {
    fn operation(&self, id: &'static str) -> Result<&'static Operation, Error> {
        find(self.operations, id).ok_or_else(|| {
            Error::invalid_request(format!("`{id}` is not in the {} operation table (regenerate the crate)", self.version))
                .for_operation(id)
        })
    }
}

/// Sends the request of operation `info` (with its form, for a multipart
/// operation) through the runtime's pipeline, with the call's options.
pub async fn send(
    runtime: &Runtime,
    api: &Api,
    request: impl Into<Outgoing>,
    info: &OperationInfo,
    options: &CallOptions,
) -> Result<reqwest::Response, Error> {
    let operation = api.operation(info.operation_id)?;
    runtime.send(request, operation, api.version, options).await
}

/// Decodes a success response's JSON body. A body that does not decode
/// (empty, not JSON, or not the operation's type) is still a success: the
/// value keeps the body and a [`Decode`](crate::ErrorKind::Decode) error
/// that names the operation, the status and the JSON path. Only a body
/// that cannot be read is an error.
pub async fn decode<T: DeserializeOwned>(response: reqwest::Response, info: &OperationInfo) -> Result<ResponseValue<T>, Error> {
    let (status, headers, body) = read_body(response, info.operation_id).await?;
    Ok(decoded(status, headers, body, info.operation_id))
}

/// A response's status, headers and body; an error (naming `operation`)
/// only when the body cannot be read.
async fn read_body(response: reqwest::Response, operation: &'static str) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| Error::from(e).for_operation(operation))?;
    Ok((status, headers, body))
}

/// A success body decoded as `T`, or kept with its decoding error.
fn decoded<T: DeserializeOwned>(
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    operation: &'static str,
) -> ResponseValue<T> {
    match decode_json::<T>(&body) {
        Ok(value) => ResponseValue::new(value, status, headers),
        Err(message) => {
            let error = Error::decoding_status(status, message, &body).for_operation(operation);
            ResponseValue::failed_to_decode(status, headers, body, error)
        }
    }
}

/// The `send()` of an operation whose success is JSON: the built `request`
/// (or the error that stopped it being built) through the pipeline, any
/// 2xx decoded as `T` (see [`decode`]), any other status
/// [`error_response`]'s. A generated `send()` builds its request and
/// returns this future: the generated crates hold no state machine per
/// operation, and everything awaited here is compiled once.
pub fn send_json<'a, T: DeserializeOwned + 'a>(
    runtime: &'a Runtime,
    api: &'static Api,
    request: Result<reqwest::Request, Error>,
    operation: &'static str,
    options: CallOptions,
) -> impl Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a {
    let received = received(runtime, api, request, operation, options);
    async move {
        let (status, headers, body) = received.await?;
        Ok(decoded(status, headers, body, operation))
    }
}

/// A 2xx response's status, headers and body, or the error of any other
/// status (or of the request).
async fn received(
    runtime: &Runtime,
    api: &'static Api,
    request: Result<reqwest::Request, Error>,
    operation: &'static str,
    options: CallOptions,
) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
    let response = sent(runtime, api, request, operation, &options).await?;
    read_body(response, operation).await
}

/// A 2xx response (its body unread), or the error of any other status
/// (or of the request).
async fn sent(
    runtime: &Runtime,
    api: &'static Api,
    request: Result<reqwest::Request, Error>,
    operation: &'static str,
    options: &CallOptions,
) -> Result<reqwest::Response, Error> {
    let info = OperationInfo { operation_id: operation };
    let response = send(runtime, api, request?, &info, options).await?;
    if response.status().is_success() { Ok(response) } else { Err(error_response(api, response, &info).await) }
}

/// The `send()` of an operation whose success has no body: any 2xx is
/// [`ResponseValue::empty`], any other status [`error_response`]'s.
pub async fn send_empty(
    runtime: &Runtime,
    api: &'static Api,
    request: Result<reqwest::Request, Error>,
    operation: &'static str,
    options: CallOptions,
) -> Result<ResponseValue<()>, Error> {
    sent(runtime, api, request, operation, &options).await.map(ResponseValue::empty)
}

/// The `send()` of an operation whose success is a file: any 2xx is
/// [`ResponseValue::stream`] (its body read as the caller goes), any other
/// status [`error_response`]'s.
pub async fn send_stream(
    runtime: &Runtime,
    api: &'static Api,
    request: Result<reqwest::Request, Error>,
    operation: &'static str,
    options: CallOptions,
) -> Result<ResponseValue<progenitor_client::ByteStream>, Error> {
    sent(runtime, api, request, operation, &options).await.map(ResponseValue::stream)
}

/// The answer to a status the operation does not declare. Any 2xx is a
/// success, decoded as the operation's success type: SailPoint's specs
/// often name the wrong one (a create declared `200` answers `201`), and a
/// request the server completed must not read as failed (a body that does
/// not decode is kept, as for a declared status: see [`decode`]). Any
/// other status is [`error_response`]'s.
pub async fn other_status<T: DeserializeOwned>(
    api: &Api,
    response: reqwest::Response,
    info: &OperationInfo,
) -> Result<ResponseValue<T>, Error> {
    if response.status().is_success() { decode(response, info).await } else { Err(error_response(api, response, info).await) }
}

/// The error for a response that is not a declared success: an error
/// status with its body decoded from any of SailPoint's error shapes, or
/// a status the operation does not declare.
pub async fn error_response(api: &Api, response: reqwest::Response, info: &OperationInfo) -> Error {
    let operation = match api.operation(info.operation_id) {
        Ok(op) => op,
        Err(e) => return e,
    };
    let status = response.status();
    let headers = response.headers().clone();
    if !(status.is_client_error() || status.is_server_error()) {
        return Error::unexpected_status(status, &headers).for_operation(operation.id);
    }
    let facts = response.extensions().get::<CallFacts>().copied();
    let opted_in = facts.is_some_and(|f| f.opted_in);
    let replay_safe = facts.map_or(operation.replay_safe, |f| f.replay_safe);
    match response.bytes().await {
        Ok(body) => {
            crate::experimental::with_hint(error_of(operation, replay_safe, status, &headers, &body), status, &body, opted_in)
        }
        Err(e) => Error::from(e).for_operation(operation.id),
    }
}

/// The error of an error status of `operation`, with its body; marked not
/// replayable unless the call was `replay_safe`.
pub(crate) fn error_of(
    operation: &'static Operation,
    replay_safe: bool,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Error {
    let e = Error::from_response_parts(status, headers, body).for_operation(operation.id);
    if replay_safe { e } else { e.not_replayable() }
}

/// What the pipeline knew of the call that an error response answers,
/// for the error: whether it was opted in to experimental operations, and
/// whether it may be sent again (the call's options over the table's).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallFacts {
    pub opted_in: bool,
    pub replay_safe: bool,
}

/// An argument of `operation` that cannot be sent (missing, or not
/// convertible), as an error raised before anything is sent.
pub fn invalid_request(operation: &'static str) -> impl Fn(String) -> Error {
    move |message| Error::invalid_request(message).for_operation(operation)
}

/// A request of `operation` that the HTTP client could not build.
pub fn request_error(operation: &'static str) -> impl Fn(reqwest::Error) -> Error {
    move |e| Error::from(e).for_operation(operation)
}

/// Implements [`OffsetListing`] for a generated builder, in one line:
/// `offset_listing!(Builder, Page, Item, max_limit, "operation", counts, |b| with_count, |page| items)`,
/// where `counts` says whether the operation can return its total and
/// `with_count` asks for it.
#[macro_export]
#[doc(hidden)]
macro_rules! __offset_listing {
    ($builder:ident, $page:ty, $item:ty, $max:literal, $operation:literal, $counts:literal, |$b:ident| $with_count:expr, |$p:ident| $items:expr) => {
        impl<'a> $crate::glue::OffsetListing for builder::$builder<'a> {
            type Item = $item;
            type Page = $page;
            const MAX_LIMIT: u32 = $max;
            const OPERATION: &'static str = $operation;
            const COUNTS: bool = $counts;
            #[inline]
            fn preset(&self) -> (::std::option::Option<u64>, ::std::option::Option<u64>) {
                ($crate::glue::preset(&self.limit), $crate::glue::preset(&self.offset))
            }
            #[inline]
            fn call_options(&self) -> &$crate::CallOptions {
                &self.call_options
            }
            #[inline]
            fn with_call_options(self, options: $crate::CallOptions) -> Self {
                self.with_options(options)
            }
            #[inline]
            fn with_page(self, limit: u32, offset: u64) -> Self {
                self.limit(limit).offset(offset)
            }
            #[inline]
            fn with_count(self) -> Self {
                let $b = self;
                $with_count
            }
            #[inline]
            fn send_page(
                self,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<$crate::ResponseValue<$page>, $crate::Error>> + Send
            {
                self.send()
            }
            #[inline]
            fn into_items($p: $page) -> ::std::vec::Vec<$item> {
                $items
            }
        }
    };
}

pub use crate::__offset_listing as offset_listing;
pub use crate::__search_after_listing as search_after_listing;

/// A `limit` or `offset` the caller set on a listing builder, if it is a
/// valid non-negative number.
pub fn preset<T: ListingNumber>(field: &Result<Option<T>, String>) -> Option<u64> {
    field.as_ref().ok().copied().flatten().and_then(ListingNumber::to_u64)
}

/// The types a generated builder holds a `limit` or `offset` in: signed or
/// unsigned integers, and `NonZeroU32` where the spec says `minimum: 1`.
pub trait ListingNumber: Copy {
    /// The number, if it is not negative.
    fn to_u64(self) -> Option<u64>;
}

macro_rules! listing_numbers {
    ($($t:ty),*) => {$(
        impl ListingNumber for $t {
            fn to_u64(self) -> Option<u64> {
                u64::try_from(self).ok()
            }
        }
    )*};
}
listing_numbers!(i32, i64, u32, u64);

impl ListingNumber for std::num::NonZeroU32 {
    fn to_u64(self) -> Option<u64> {
        Some(self.get().into())
    }
}

impl ListingNumber for std::num::NonZeroU64 {
    fn to_u64(self) -> Option<u64> {
        Some(self.get())
    }
}
