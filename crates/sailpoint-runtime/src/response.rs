//! What a successful `send()` returns: the status, the headers, and the
//! body decoded as the operation's success type, or, when the server
//! answered a 2xx whose body is empty or does not decode, that body as it
//! came.
//!
//! A 2xx means the server did what was asked. A create answered with an
//! empty `201`, or with a shape the pinned spec does not know, has still
//! created its object; reporting it as a failed call would invite the
//! caller to send it again. So `send()` returns `Ok` for every 2xx whose
//! body was read, and the decoding problem is the value's, not the call's.
//! (A body that breaks off before its end is the call's error: see the
//! README's Reliability table.)

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::Error;

/// A 2xx answer to an operation: its status and headers, and its body
/// decoded as `T` when it decodes.
///
/// - [`into_inner`](Self::into_inner) gives the decoded value, or the
///   [`Decode`](crate::ErrorKind::Decode) error that says why there is
///   none (with the status and the body); use `?` on it as on `send()`.
/// - [`value`](Self::value) borrows the value, if there is one.
/// - [`raw_body`](Self::raw_body) is the body as received when it did not
///   decode, so that nothing the server sent is lost.
///
/// This replaces progenitor's `ResponseValue` in the generated crates. It
/// does not dereference to `T`: there may be no `T`.
///
/// ```
/// use sailpoint_runtime::ResponseValue;
/// use reqwest::{StatusCode, header::HeaderMap};
///
/// // A create whose 201 came with an empty body: the call succeeded.
/// let created: ResponseValue<serde_json::Value> =
///     ResponseValue::undecoded(StatusCode::CREATED, HeaderMap::new(), "".into(), "the body is empty");
/// assert_eq!(created.status(), StatusCode::CREATED);
/// assert!(created.value().is_none());
/// assert_eq!(created.raw_body(), Some(&b""[..]));
/// let err = created.into_inner().unwrap_err();
/// assert_eq!(err.kind(), sailpoint_runtime::ErrorKind::Decode);
/// assert_eq!(err.status(), Some(StatusCode::CREATED));
/// ```
#[derive(Debug)]
pub struct ResponseValue<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: Body<T>,
}

#[derive(Debug)]
enum Body<T> {
    Decoded(T),
    Undecoded { raw: Bytes, error: Error },
}

impl<T> ResponseValue<T> {
    /// A response whose body decoded as `value`.
    #[doc(hidden)]
    pub fn new(value: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self { status, headers, body: Body::Decoded(value) }
    }

    /// A 2xx response whose body `raw` did not decode; `problem` says why.
    pub fn undecoded(status: StatusCode, headers: HeaderMap, raw: Bytes, problem: impl Into<String>) -> Self {
        let error = Error::decoding_status(status, problem, &raw);
        Self::failed_to_decode(status, headers, raw, error)
    }

    /// A 2xx response whose body `raw` did not decode, with the error that
    /// says why.
    pub(crate) fn failed_to_decode(status: StatusCode, headers: HeaderMap, raw: Bytes, error: Error) -> Self {
        Self { status, headers, body: Body::Undecoded { raw, error } }
    }

    /// The HTTP status the server answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body, if it decoded.
    pub fn value(&self) -> Option<&T> {
        match &self.body {
            Body::Decoded(v) => Some(v),
            Body::Undecoded { .. } => None,
        }
    }

    /// The decoded body, mutably, if it decoded.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match &mut self.body {
            Body::Decoded(v) => Some(v),
            Body::Undecoded { .. } => None,
        }
    }

    /// The body as received, when it did not decode (`None` when it did:
    /// the decoded value holds it).
    pub fn raw_body(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Decoded(_) => None,
            Body::Undecoded { raw, .. } => Some(raw),
        }
    }

    /// Whether the body decoded as `T`.
    pub fn is_decoded(&self) -> bool {
        matches!(self.body, Body::Decoded(_))
    }

    /// The decoded body; or, when it did not decode, a
    /// [`Decode`](crate::ErrorKind::Decode) error with the 2xx status, the
    /// reason and the body. The request was still carried out: that error
    /// is never [retryable](Error::is_retryable).
    pub fn into_inner(self) -> Result<T, Error> {
        match self.body {
            Body::Decoded(v) => Ok(v),
            Body::Undecoded { error, .. } => Err(error),
        }
    }
}

impl ResponseValue<()> {
    /// The answer of an operation with no success body (its body, if any,
    /// is not read).
    #[doc(hidden)]
    pub fn empty(response: reqwest::Response) -> Self {
        Self::new((), response.status(), response.headers().clone())
    }
}

impl ResponseValue<progenitor_client::ByteStream> {
    /// The answer of an operation whose body is bytes, streamed as it
    /// arrives.
    #[doc(hidden)]
    pub fn stream(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        Self::new(progenitor_client::ByteStream::new(Box::pin(response.bytes_stream())), status, headers)
    }
}
