//! Options for one call: [`CallOptions`], set on any operation builder with
//! `.with_options(..)` before `send()` or `stream()`. What is not set is the
//! client's.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::ahead::{Deferral, StreamRequest};
use crate::{Operation, RetryConfig};

/// Options for one call alone, over the client's configuration.
///
/// Every operation builder takes them with `.with_options(..)`, before `send()`
/// or, for a listing, `stream()` and `pages()` (then every page request of
/// the stream has them):
///
/// ```
/// use std::time::Duration;
/// use sailpoint_runtime::{CallOptions, RetryConfig};
///
/// // An export that may take ten minutes, retries included.
/// let long = CallOptions::new().timeout(Duration::from_secs(600));
/// // One POST without retries, whatever the client's retry policy.
/// let once = CallOptions::new().retry(RetryConfig::none());
/// // One experimental call on a client without the opt-in.
/// let experimental = CallOptions::new().experimental(true);
/// # let _ = (long, once, experimental);
/// ```
///
/// The facade's documentation shows them on calls (`sailpoint::CallOptions`).
///
/// Cheap to clone; `CallOptions::default()` changes nothing.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) experimental: Option<bool>,
    pub(crate) headers: HeaderMap,
    pub(crate) replay_safe: Option<bool>,
    pub(crate) page_size: Option<u32>,
    pub(crate) prefetch: Option<usize>,
    /// Set by a stream on its own requests (see `ahead`).
    pub(crate) stream: Option<StreamRequest>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header names only: a value may be a credential.
        let headers: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("experimental", &self.experimental)
            .field("headers", &headers)
            .field("replay_safe", &self.replay_safe)
            .field("page_size", &self.page_size)
            .field("prefetch", &self.prefetch)
            .field("stream", &self.stream)
            .finish()
    }
}

impl CallOptions {
    /// No option set: the client's configuration applies.
    pub fn new() -> Self {
        Self::default()
    }

    /// The longest the whole call may take, from `send()` until its answer
    /// (its body read, for a JSON answer), every retry and wait included.
    /// When it passes, the call ends with an error whose
    /// [`kind`](crate::Error::kind) is [`Timeout`](crate::ErrorKind::Timeout);
    /// if the request may have reached the server and is not replay-safe,
    /// the error says so ([`Error::is_retryable`](crate::Error::is_retryable)
    /// is false). For a stream, each page request has this deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy for this call: [`RetryConfig::none()`] retries
    /// nothing (a 401's replay with a new token, and the resend with the
    /// experimental header, are not retries and still happen). Retries still
    /// draw on the client's shared retry budget.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Opts this call in to experimental operations (`true`), or out
    /// (`false`), whatever the client says: an experimental operation is
    /// sent with `X-SailPoint-Experimental: true` only when opted in.
    pub fn experimental(mut self, experimental: bool) -> Self {
        self.experimental = Some(experimental);
        self
    }

    /// Sends `name: value` with the request, in place of any value the
    /// operation would send; a second value for the same name is added to
    /// the first. `Authorization` is the client's when it has credentials.
    /// Values are never shown by `Debug` (they may be secrets).
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.headers.append(name, value);
        self
    }

    /// Declares the call replay-safe (`true`: it may be sent again after
    /// a 5xx or a broken connection, like a search that only reads) or not
    /// (`false`: a PUT whose effect must not be repeated), in place of
    /// what the operation table says.
    pub fn replay_safe(mut self, replay_safe: bool) -> Self {
        self.replay_safe = Some(replay_safe);
        self
    }

    /// For a stream: items per request, in place of the operation's
    /// largest page (or a `.limit(..)` set on the builder).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// For a stream: requests in flight at once (1 turns prefetching off;
    /// see [`PageOptions::prefetch`](crate::PageOptions::prefetch)).
    pub fn prefetch(mut self, prefetch: usize) -> Self {
        self.prefetch = Some(prefetch);
        self
    }

    /// These options, as a request of a stream in `role`.
    pub(crate) fn in_stream(&self, role: StreamRequest) -> Self {
        Self { stream: Some(role), ..self.clone() }
    }

    /// Whether `operation` may be sent again, for this call.
    pub(crate) fn replay_safe_for(&self, operation: &Operation) -> bool {
        self.replay_safe.unwrap_or(operation.replay_safe)
    }

    /// Whether experimental operations may be called, for this call.
    pub(crate) fn experimental_or(&self, client: bool) -> bool {
        self.experimental.unwrap_or(client)
    }

    /// The retry policy for this call.
    pub(crate) fn retry_or<'a>(&'a self, client: &'a RetryConfig) -> &'a RetryConfig {
        self.retry.as_ref().unwrap_or(client)
    }

    /// The deferral cell, when this is a request ahead of need.
    pub(crate) fn ahead(&self) -> Option<&Deferral> {
        match &self.stream {
            Some(StreamRequest::Ahead(d)) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn unset_options_are_the_clients() {
        let op = Operation::new("create_thing", "createThing", "POST", "/things", "Things").with_success_statuses(&[201]);
        let client_retry = RetryConfig::default();
        let none = CallOptions::new();
        assert!(!none.replay_safe_for(&op));
        assert!(none.experimental_or(true) && !none.experimental_or(false));
        assert_eq!(none.retry_or(&client_retry).max_retries, client_retry.max_retries);
        let set = CallOptions::new().replay_safe(true).experimental(false).retry(RetryConfig::none());
        assert!(set.replay_safe_for(&op));
        assert!(!set.experimental_or(true));
        assert_eq!(set.retry_or(&client_retry).max_retries, 0);
        assert!(set.ahead().is_none());
        let ahead = set.in_stream(StreamRequest::Ahead(Arc::default()));
        assert!(ahead.ahead().is_some_and(|d| !d.is_deferred()));
        ahead.ahead().unwrap().defer();
        assert!(ahead.ahead().unwrap().is_deferred());
        let secret = CallOptions::new().header(reqwest::header::AUTHORIZATION, "Bearer canary-42".parse().unwrap());
        let shown = format!("{secret:?}");
        assert!(shown.contains("authorization") && !shown.contains("canary-42"), "{shown}");
    }
}
