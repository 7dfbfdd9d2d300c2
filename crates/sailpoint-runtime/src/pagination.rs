//! Offset pagination as streams: every `limit`/`offset` list operation's
//! builder implements [`Paginate`] (generated), which gives it `.pages()`
//! and `.stream()`.
//!
//! - The page size is the operation's largest `limit` unless set lower.
//! - There is no cap on the total: the stream ends at the first short page.
//! - After a full page, a 400 for the next offset ends the stream cleanly
//!   (SailPoint answers so when the total is an exact multiple of the
//!   page size).
//! - Up to `prefetch` pages are requested ahead (default 1: none ahead).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use progenitor_client::ResponseValue;

use crate::Error;

/// The header in which SailPoint returns the total when `count=true`.
pub const TOTAL_COUNT_HEADER: &str = "x-total-count";

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in the order the API returned them.
    pub items: Vec<T>,
    /// The offset of the first item.
    pub offset: u64,
    /// The total (`X-Total-Count`), when asked for with `count` (see [`PageOptions::count`]).
    pub total: Option<u64>,
}

/// How to page through a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOptions {
    /// Items per request; `None` (the default) uses the operation's maximum.
    pub page_size: Option<u32>,
    /// Pages requested ahead of the one being read (default 1: none ahead;
    /// at most 8). Ahead-of-time requests past the end are wasted.
    pub prefetch: usize,
    /// Ask for the total (`count=true`, read from `X-Total-Count`).
    pub count: bool,
}

impl Default for PageOptions {
    fn default() -> Self {
        Self { page_size: None, prefetch: 1, count: false }
    }
}

/// A list operation that pages with `limit` and `offset`. Implemented by
/// the generated builders; bring it into scope to call `.stream()`:
///
/// ```
/// use futures_util::TryStreamExt;
/// use sailpoint_runtime::{Error, Paginate};
///
/// /// Every item of any listing (e.g. `client.list_sources().filters(…)`).
/// async fn all<L: Paginate>(listing: L) -> Result<Vec<L::Item>, Error> {
///     listing.stream().try_collect().await
/// }
/// ```
pub trait Paginate: Clone + Send + Sized {
    /// One item of the listing.
    type Item: Send;
    /// What one request returns.
    type Page: Send;
    /// The largest `limit` the operation accepts.
    const MAX_LIMIT: u32;

    /// The same request for the page at `offset`, of `limit` items.
    fn with_page(self, limit: u32, offset: u64) -> Self;
    /// The same request asking for `X-Total-Count` (unchanged if the
    /// operation cannot count).
    fn with_count(self) -> Self;
    /// Sends the request for one page.
    fn send_page(self) -> impl Future<Output = Result<ResponseValue<Self::Page>, Error>> + Send;
    /// The items of a page.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;

    /// Every page, with the default options.
    fn pages(self) -> impl Stream<Item = Result<Page<Self::Item>, Error>> + Send {
        self.pages_with(PageOptions::default())
    }

    /// Every item, with the default options.
    fn stream(self) -> impl Stream<Item = Result<Self::Item, Error>> + Send {
        self.stream_with(PageOptions::default())
    }

    /// Every item, with `options`.
    fn stream_with(self, options: PageOptions) -> impl Stream<Item = Result<Self::Item, Error>> + Send {
        self.pages_with(options).map_ok(|p| stream::iter(p.items.into_iter().map(Ok))).try_flatten()
    }

    /// Every page, with `options`.
    fn pages_with(self, options: PageOptions) -> impl Stream<Item = Result<Page<Self::Item>, Error>> + Send {
        let limit = options.page_size.unwrap_or(Self::MAX_LIMIT).clamp(1, Self::MAX_LIMIT.max(1));
        let base = if options.count { self.with_count() } else { self };
        // Set when the last page is seen, so that no further request starts.
        let finished = Arc::new(AtomicBool::new(false));
        let stop = finished.clone();
        let offsets = stream::iter(0u64..).take_while(move |_| std::future::ready(!stop.load(Ordering::Acquire)));
        let requests = offsets.map(move |i| {
            let offset = i * u64::from(limit);
            let request = base.clone().with_page(limit, offset);
            async move { (offset, request.send_page().await) }
        });
        // state: whether the previous page was full; `None` ends the stream.
        requests.buffered(options.prefetch.clamp(1, 8)).scan(false, move |previous_full, (offset, result)| {
            let done = |out| {
                finished.store(true, Ordering::Release);
                out
            };
            let out = if finished.load(Ordering::Acquire) {
                None
            } else {
                match result {
                    Ok(rv) => {
                        let total = rv
                            .headers()
                            .get(TOTAL_COUNT_HEADER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse().ok());
                        let items = Self::into_items(rv.into_inner());
                        let full = items.len() >= limit as usize;
                        *previous_full = full;
                        // an empty page after a full one adds nothing
                        let page = (offset == 0 || !items.is_empty()).then_some(Ok(Page { items, offset, total }));
                        if full { page } else { done(page) }
                    }
                    Err(e) if offset > 0 && *previous_full && e.status().is_some_and(|s| s.as_u16() == 400) => done(None),
                    Err(e) => done(Some(Err(e))),
                }
            };
            std::future::ready(out)
        })
    }
}
