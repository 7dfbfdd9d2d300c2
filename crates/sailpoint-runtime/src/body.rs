//! Response bodies read into memory, never past a cap.
//!
//! - An error body (4xx, 5xx) is read up to [`BodyLimits::error`] (1 MiB
//!   by default); the rest is not read. A body that breaks while being read
//!   keeps what arrived: the status is never lost.
//! - A JSON success body larger than [`BodyLimits::success`] (256 MiB by
//!   default), or one cut off mid-way, becomes a body that fails when read
//!   with a [`BodyError`] carrying the status, which the error conversion
//!   turns into a decoding error with that status.
//!
//! Downloads (non-JSON bodies) are streamed to the caller and not capped.

use std::fmt;

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::Url;
use reqwest::header::{CONTENT_LENGTH, HeaderMap};

/// How much of a response body is read into memory. The fields can be
/// read; set them with the `with_` methods (new limits may come without a
/// breaking change):
///
/// ```
/// let limits = sailpoint_runtime::BodyLimits::default().with_success(64 << 20);
/// assert_eq!(limits.success, 64 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyLimits {
    /// Largest JSON success body, in bytes (default 256 MiB).
    pub success: usize,
    /// Largest part of an error body that is read, in bytes (default 1 MiB).
    pub error: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self { success: 256 << 20, error: 1 << 20 }
    }
}

impl BodyLimits {
    /// The largest JSON success body, in bytes.
    pub fn with_success(mut self, bytes: usize) -> Self {
        self.success = bytes;
        self
    }

    /// The largest part of an error body that is read, in bytes.
    pub fn with_error(mut self, bytes: usize) -> Self {
        self.error = bytes;
        self
    }
}

/// Why a success body could not be read: it is larger than the cap, the
/// connection broke, or it stalled past the read timeout. Reaches the
/// caller as a decoding error that keeps the status, or as a timeout.
#[derive(Debug)]
pub(crate) struct BodyError {
    pub status: StatusCode,
    pub message: String,
    /// The body stopped arriving for longer than the read timeout.
    pub timed_out: bool,
    /// The request may be sent again (`Operation::replay_safe`): a timeout
    /// of one that may not is not retryable, since the server completed it.
    pub replay_safe: bool,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BodyError {}

/// Finds a [`BodyError`] in an error's source chain.
pub(crate) fn body_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e BodyError> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(b) = e.downcast_ref::<BodyError>() {
            return Some(b);
        }
        next = e.source();
    }
    None
}

/// What a response is besides its body.
pub(crate) struct Parts {
    pub status: StatusCode,
    headers: HeaderMap,
    version: http::Version,
    url: Url,
}

impl Parts {
    /// Takes the headers out of `response` (only its body is read after this).
    pub fn of(response: &mut reqwest::Response) -> Self {
        let headers = std::mem::take(response.headers_mut());
        Self { status: response.status(), headers, version: response.version(), url: response.url().clone() }
    }

    /// The same response with `body` (its URL kept, for error messages).
    pub fn rebuild(self, body: Bytes) -> reqwest::Response {
        self.with_body(reqwest::Body::from(body))
    }

    /// The same response with a body that fails, when read, with `message`.
    pub fn failing(self, message: String) -> reqwest::Response {
        self.failing_with(message, false, false)
    }

    fn failing_with(self, message: String, timed_out: bool, replay_safe: bool) -> reqwest::Response {
        let error = BodyError { status: self.status, message, timed_out, replay_safe };
        let body = futures_util::stream::once(async move { Err::<Bytes, BodyError>(error) });
        self.with_body(reqwest::Body::wrap_stream(body))
    }

    /// The same response with a body that fails, when read, saying it
    /// broke off or stalled (after how many bytes, and why), for a request
    /// that may (`replay_safe`) or may not be sent again.
    pub fn broken_off(self, broken: &Broken, replay_safe: bool) -> reqwest::Response {
        let message = if broken.timed_out {
            format!("the {} response's body stalled past the read timeout {}", self.status, broken.how)
        } else {
            format!("the {} response's body broke off {}", self.status, broken.how)
        };
        self.failing_with(message, broken.timed_out, replay_safe)
    }

    fn with_body(mut self, body: reqwest::Body) -> reqwest::Response {
        use reqwest::ResponseBuilderExt;
        self.headers.remove(CONTENT_LENGTH);
        let mut rebuilt =
            http::Response::builder().status(self.status).version(self.version).url(self.url).body(body).unwrap_or_default();
        *rebuilt.headers_mut() = self.headers;
        reqwest::Response::from(rebuilt)
    }
}

/// A body that did not arrive whole.
pub(crate) struct Broken {
    /// After how many bytes, and why.
    pub how: String,
    /// It stopped arriving for longer than the read timeout.
    pub timed_out: bool,
}

impl Broken {
    pub fn new(received: usize, e: &reqwest::Error) -> Self {
        Self { how: format!("after {received} bytes: {e}"), timed_out: e.is_timeout() }
    }
}

/// How reading a body ended.
pub(crate) enum Read {
    /// All of it.
    Whole(Bytes),
    /// The first `cap` bytes; there was more.
    Capped(Bytes),
    /// The connection broke after these bytes.
    Broken(Bytes, reqwest::Error),
}

/// The most [`read`] sets aside before the body arrives.
const PREALLOCATED_AT_MOST: usize = 4 << 20;

/// Reads at most `cap` bytes of the body (a declared length over the cap
/// reads nothing when `skip_if_declared_larger`).
pub(crate) async fn read(response: &mut reqwest::Response, cap: usize, skip_if_declared_larger: bool) -> Read {
    if skip_if_declared_larger && response.content_length().is_some_and(|n| n > cap as u64) {
        return Read::Capped(Bytes::new());
    }
    // The declared length, read before any chunk (reqwest's counts down as the body is read).
    let declared = response.content_length();
    let mut buf = BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > cap {
                    buf.extend_from_slice(&chunk[..cap - buf.len()]);
                    return Read::Capped(buf.freeze());
                }
                // A body that came in one chunk needs no copy.
                if buf.is_empty() && !chunk.is_empty() && declared == Some(chunk.len() as u64) {
                    return Read::Whole(chunk);
                }
                if buf.is_empty() {
                    // Room for the declared length (within the cap), so that a
                    // body in many chunks is not copied again as it grows; a
                    // server that declares more than it sends costs at most
                    // `PREALLOCATED_AT_MOST`.
                    let declared = declared.unwrap_or(0).min(cap as u64).min(PREALLOCATED_AT_MOST as u64);
                    buf.reserve(chunk.len().max(declared as usize));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Read::Whole(buf.freeze()),
            Err(e) => return Read::Broken(buf.freeze(), e),
        }
    }
}

/// An error response with at most `cap` bytes of its body, read now.
pub(crate) async fn error_response(mut response: reqwest::Response, cap: usize) -> reqwest::Response {
    let read = read(&mut response, cap, false).await;
    let parts = Parts::of(&mut response);
    match read {
        Read::Whole(b) | Read::Capped(b) => parts.rebuild(b),
        Read::Broken(b, e) => {
            tracing::debug!(error = %e, "error body broken off; keeping what arrived");
            parts.rebuild(b)
        }
    }
}
