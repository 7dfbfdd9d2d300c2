//! The requests of a stream: the page it waits for, and the pages a
//! listing stream prefetches (requests *ahead* of need).
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
//! When it cannot go, or gets no answer, it is *deferred*: the stream
//! sends it again, in the ordinary way, when its turn comes. Only
//! operations that may be replayed are ever sent ahead.

use std::future::Future;

/// What a request of a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The page the stream waits for: sent in the ordinary way.
    Next,
    /// A page ahead of need.
    Ahead,
}

tokio::task_local! {
    static ROLE: Role;
}

/// Runs `request` as a request of a stream, in `role`.
pub(crate) fn scope<F: Future>(role: Role, request: F) -> impl Future<Output = F::Output> {
    ROLE.scope(role, request)
}

/// Runs `request` as the page a stream waits for.
pub(crate) fn next<F: Future>(request: F) -> impl Future<Output = F::Output> {
    scope(Role::Next, request)
}

/// Runs `request` as a request ahead of need.
pub(crate) fn ahead<F: Future>(request: F) -> impl Future<Output = F::Output> {
    scope(Role::Ahead, request)
}

/// The role of the request being sent, if it is one of a stream.
pub(crate) fn role() -> Option<Role> {
    ROLE.try_with(|role| *role).ok()
}

/// Whether the request being sent is one ahead of need.
pub(crate) fn is_ahead() -> bool {
    role() == Some(Role::Ahead)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_inside_the_scope() {
        assert_eq!(role(), None);
        assert!(ahead(async { is_ahead() }).await);
        assert_eq!(next(async { role() }).await, Some(Role::Next));
        assert!(!next(async { is_ahead() }).await);
        assert!(!is_ahead());
    }
}
