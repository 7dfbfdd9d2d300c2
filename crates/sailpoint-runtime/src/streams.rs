//! The named stream types of listings and searches: [`Items`] and
//! [`Pages`]. Both are `Stream`s (of `Result`s), `Send`, `Unpin` and
//! `Debug`, so that they can be stored in a struct, returned from a
//! function and named in a signature. The lifetime is the client's: a
//! listing borrows the client it was made from. Both end after their first
//! error: nothing is polled, and so nothing is sent, once it is yielded.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;

use crate::{Error, Page};

/// Every item of a listing or search, in order, each once; ends with the
/// listing, or with its first error.
///
/// ```
/// use sailpoint_runtime::Items;
/// /// A listing kept for later, in a struct.
/// struct Pending<'c, T> {
///     items: Items<'c, T>,
/// }
/// fn keep<T>(items: Items<'_, T>) -> Pending<'_, T> {
///     Pending { items }
/// }
/// # let _ = keep::<u8>;
/// ```
pub struct Items<'a, T> {
    operation: &'static str,
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>,
    /// An error was yielded: the stream has ended.
    ended: bool,
}

/// Every page of a listing or search, in order; ends with the listing, or
/// with its first error.
pub struct Pages<'a, T> {
    operation: &'static str,
    inner: Pin<Box<dyn Stream<Item = Result<Page<T>, Error>> + Send + 'a>>,
    /// An error was yielded: the stream has ended.
    ended: bool,
}

impl<'a, T> Items<'a, T> {
    /// The items of `stream`, a listing of `operation`.
    pub fn new(operation: &'static str, stream: impl Stream<Item = Result<T, Error>> + Send + 'a) -> Self {
        Self { operation, inner: Box::pin(stream), ended: false }
    }
    /// The operation listed (its method name).
    pub fn operation(&self) -> &'static str {
        self.operation
    }
}

impl<'a, T> Pages<'a, T> {
    /// The pages of `stream`, a listing of `operation`.
    pub fn new(operation: &'static str, stream: impl Stream<Item = Result<Page<T>, Error>> + Send + 'a) -> Self {
        Self { operation, inner: Box::pin(stream), ended: false }
    }
    /// The operation listed (its method name).
    pub fn operation(&self) -> &'static str {
        self.operation
    }
}

impl<'a, T: Send + 'a> Pages<'a, T> {
    /// The items of these pages, in order.
    pub fn items(self) -> Items<'a, T> {
        use futures_util::TryStreamExt;
        let operation = self.operation;
        Items::new(operation, self.map_ok(|p| futures_util::stream::iter(p.items.into_iter().map(Ok))).try_flatten())
    }
}

impl<T> Stream for Items<'_, T> {
    type Item = Result<T, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let next = self.inner.as_mut().poll_next(cx);
        self.ended = matches!(next, Poll::Ready(Some(Err(_))));
        next
    }
}

impl<T> Stream for Pages<'_, T> {
    type Item = Result<Page<T>, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let next = self.inner.as_mut().poll_next(cx);
        self.ended = matches!(next, Poll::Ready(Some(Err(_))));
        next
    }
}

impl<T> fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").field("operation", &self.operation).finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Pages<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").field("operation", &self.operation).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[tokio::test]
    async fn a_stream_ends_after_its_first_error() {
        let inner = futures_util::stream::iter([Ok(1), Err(Error::paging("x")), Ok(2)]);
        let got: Vec<Result<i32, Error>> = Items::new("op", inner).collect().await;
        assert_eq!(got.len(), 2);
        assert!(matches!(got[..], [Ok(1), Err(_)]));
    }
}
