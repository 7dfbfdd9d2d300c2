//! Requests sent ahead of need: the pages a listing stream prefetches.
//!
//! A stream's requests make progress only while the stream is polled. A
//! caller may stop polling it for a while (to make another call per item,
//! say), and a request ahead that waited meanwhile for a shared resource
//! (its turn in the rate limit, the token refresh) would hold that
//! resource and stall every other call of the client. So a request ahead
//! goes only when it can go at once, and never takes what another call
//! waits for:
//! - it takes a place in the rate limit only if nobody is waiting for one
//!   and a place stays free after it;
//! - it uses the cached token and never refreshes one;
//! - it gets one attempt: a 401, a status the policy would retry, or a
//!   broken connection is not an answer.
//!
//! When it cannot go, or gets no answer, it is *deferred*: the stream
//! sends it again, in the ordinary way, when its turn comes. Only
//! operations that may be replayed are ever sent ahead.

use std::future::Future;

tokio::task_local! {
    static AHEAD: ();
}

/// Runs `request` as a request ahead of need.
pub(crate) fn ahead<F: Future>(request: F) -> impl Future<Output = F::Output> {
    AHEAD.scope((), request)
}

/// Whether the request being sent is one ahead of need.
pub(crate) fn is_ahead() -> bool {
    AHEAD.try_with(|_| ()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_inside_the_scope() {
        assert!(!is_ahead());
        assert!(ahead(async { is_ahead() }).await);
        assert!(!is_ahead());
    }
}
