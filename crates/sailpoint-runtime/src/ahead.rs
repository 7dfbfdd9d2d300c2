//! The requests of a stream: the page it waits for, and the pages a
//! listing stream prefetches (requests *ahead* of need).
//!
//! A stream marks each of its requests in the request's
//! [`CallOptions`](crate::CallOptions) ([`StreamRequest`]); the pipeline
//! reads the rules from there.
//!
//! A stream's own futures make progress only while the stream is polled,
//! and a caller may stop polling it for a while (to make another call per
//! item, say). A request that waited meanwhile for a shared resource (its
//! turn in the rate limit, the token refresh) would hold that resource and
//! stall every other call of the client. So every request of a stream runs
//! on a task of its own (see `Runtime::send`): it completes, reads its
//! body and frees its place in the rate limit whether the stream is polled
//! or not, and it is cancelled when the stream drops it.
//!
//! A request ahead also never takes what another call waits for:
//! - it takes a place in the rate limit only if nobody is waiting for one
//!   and a place stays free after it;
//! - it uses the cached token and never refreshes one;
//! - it gets one attempt: a 401, a status the policy would retry, or a
//!   broken connection is not an answer.
//!
//! When it cannot go, or gets no answer, it is *deferred*: its
//! [`Deferral`] cell says so, its call fails, and the stream
//! sends it again, in the ordinary way, when its turn comes. Only
//! operations that may be replayed are ever sent ahead.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a request of a stream is.
#[derive(Debug, Clone)]
pub(crate) enum StreamRequest {
    /// The page the stream waits for: sent in the ordinary way, on a task
    /// of its own.
    Next,
    /// A page ahead of need, with the cell that says it was deferred.
    Ahead(Arc<Deferral>),
}

/// Set when a request ahead of need did not go, or got no answer: the
/// stream sends it again when its turn comes.
#[derive(Debug, Default)]
pub(crate) struct Deferral(AtomicBool);

impl Deferral {
    /// Marks the request deferred.
    pub(crate) fn defer(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether the request was deferred.
    pub(crate) fn is_deferred(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The options of the page a stream waits for.
pub(crate) fn next(options: &crate::CallOptions) -> crate::CallOptions {
    options.in_stream(StreamRequest::Next)
}

/// The options of a page ahead of need, and its deferral cell.
pub(crate) fn ahead(options: &crate::CallOptions) -> (crate::CallOptions, Arc<Deferral>) {
    let deferral = Arc::new(Deferral::default());
    (options.in_stream(StreamRequest::Ahead(deferral.clone())), deferral)
}
