//! The rules for experimental operations, in one place.
//!
//! - An operation flagged experimental (by the spec or by
//!   `openapi/experimental.toml`) is sent with `X-SailPoint-Experimental:
//!   true` when the client, or the call ([`CallOptions::experimental`]),
//!   opted in; without the opt-in it is refused before anything is sent.
//! - The flags lag the service. When the service answers 400 "Experimental
//!   Header is missing or invalid" to an operation nothing flags, a call
//!   that opted in is sent once more with the header, and the client
//!   remembers the operation: its later calls send the header at once. A
//!   call that did not opt in gets the 400 with a hint saying how.
//!
//! [`CallOptions::experimental`]: crate::CallOptions::experimental

use std::collections::HashSet;
use std::sync::Mutex;

use reqwest::StatusCode;
use reqwest::header::{HeaderName, HeaderValue};

use crate::body::{self, Parts};
use crate::{Error, Operation};

/// The header experimental operations need.
pub const EXPERIMENTAL_HEADER: &str = "x-sailpoint-experimental";

/// What SailPoint answers (400) when an operation it treats as
/// experimental comes without the header (compared without regard to case).
const REFUSAL: &str = "experimental header is missing or invalid";

/// The operations the server asked the header for although no flag said
/// so, shared by the clones of a runtime.
#[derive(Debug, Default)]
pub(crate) struct AskedByServer(Mutex<HashSet<&'static str>>);

impl AskedByServer {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<&'static str>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers that the server asked the header for `operation`.
    pub(crate) fn remember(&self, operation: &'static str) {
        self.set().insert(operation);
    }

    fn contains(&self, operation: &str) -> bool {
        self.set().contains(operation)
    }
}

/// Whether a request of `op` carries the header, for a call that did
/// (`opted_in`) or did not opt in. An error for a flagged operation
/// without the opt-in: nothing is sent.
pub(crate) fn needs_header(op: &Operation, opted_in: bool, asked: &AskedByServer) -> Result<bool, Error> {
    if op.experimental && !opted_in {
        return Err(Error::invalid_request(format!(
            "`{}` is an experimental operation: enable experimental operations on the client \
             (`experimental(true)` on its builder), or for this call (`CallOptions::experimental(true)`), \
             to call it",
            op.id
        )));
    }
    Ok(op.experimental || (opted_in && asked.contains(op.id)))
}

/// Sets the header on `request`.
pub(crate) fn set_header(request: &mut reqwest::Request) {
    request.headers_mut().insert(HeaderName::from_static(EXPERIMENTAL_HEADER), HeaderValue::from_static("true"));
}

/// Whether `request` carries the header.
pub(crate) fn has_header(request: &reqwest::Request) -> bool {
    request.headers().contains_key(EXPERIMENTAL_HEADER)
}

/// Whether a 400 of this call may be SailPoint's refusal worth a resend
/// with the header: the call opted in, nothing flags the operation (a
/// flagged one already had the header), and the request did not carry it.
pub(crate) fn may_resend(op: &Operation, opted_in: bool, sent_header: bool) -> bool {
    opted_in && !op.experimental && !sent_header
}

/// Whether an error body is SailPoint's refusal for a missing header.
pub(crate) fn is_refusal(body: &[u8]) -> bool {
    String::from_utf8_lossy(body).to_ascii_lowercase().contains(REFUSAL)
}

/// The error response with its body read (at most `cap`), and whether it
/// is SailPoint's refusal for a missing header.
pub(crate) async fn read_refusal(mut response: reqwest::Response, cap: usize) -> (reqwest::Response, bool) {
    let read = body::read(&mut response, cap, false).await;
    let parts = Parts::of(&mut response);
    match read {
        body::Read::Whole(b) | body::Read::Capped(b) => {
            let refusal = is_refusal(&b);
            (parts.rebuild(b), refusal)
        }
        body::Read::Broken(b, _) => (parts.rebuild(b), false),
    }
}

/// `e` with a hint on how to opt in, when it is SailPoint's refusal for a
/// missing header and the call had not opted in.
pub(crate) fn with_hint(e: Error, status: StatusCode, body: &[u8], opted_in: bool) -> Error {
    if opted_in || status != StatusCode::BAD_REQUEST || !is_refusal(body) {
        return e;
    }
    e.with_hint(
        "SailPoint treats this operation as experimental: enable experimental operations on the client \
         (`experimental(true)` on its builder) or for this call (`CallOptions::experimental(true)`), and \
         the request is resent once with the header",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(experimental: bool) -> Operation {
        let op = Operation::new("list_things", "listThings", "GET", "/things", "Things").with_replay_safe();
        if experimental { op.with_experimental() } else { op }
    }

    #[test]
    fn the_header_follows_the_flag_the_opt_in_and_the_server() {
        let asked = AskedByServer::default();
        let (flagged, plain) = (op(true), op(false));
        assert!(needs_header(&flagged, false, &asked).is_err(), "flagged, not opted in: refused");
        assert!(needs_header(&flagged, true, &asked).unwrap());
        assert!(!needs_header(&plain, true, &asked).unwrap());
        assert!(may_resend(&plain, true, false));
        assert!(!may_resend(&plain, false, false) && !may_resend(&plain, true, true) && !may_resend(&flagged, true, false));
        asked.remember("list_things");
        assert!(needs_header(&plain, true, &asked).unwrap(), "asked by the server: sent at once");
        assert!(!needs_header(&plain, false, &asked).unwrap(), "never without the opt-in");
    }

    #[test]
    fn the_refusal_is_recognised_and_hinted_only_without_the_opt_in() {
        let body = br#"{"messages":[{"text":"Experimental Header is missing or invalid"}]}"#;
        assert!(is_refusal(body) && !is_refusal(b"Bad Request"));
        let hinted = with_hint(Error::invalid_request("400"), StatusCode::BAD_REQUEST, body, false);
        assert!(hinted.to_string().contains("CallOptions::experimental(true)"), "{hinted}");
        let kept = with_hint(Error::invalid_request("400"), StatusCode::BAD_REQUEST, body, true);
        assert!(!kept.to_string().contains("experimental"), "{kept}");
    }
}
