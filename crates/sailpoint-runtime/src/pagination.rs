//! Offset pagination as streams: every `limit`/`offset` list operation's
//! builder implements [`Paginate`], which gives it `.pages()` ([`Pages`])
//! and `.stream()` ([`Items`]).
//!
//! - The page size is the operation's largest `limit` unless set lower.
//! - There is no cap on the total: the stream ends at the first short page
//!   (an empty page after a full one adds nothing).
//! - Nothing is lost silently. A 400 for the offset after a full page ends
//!   the stream only when the end is proven: the offset is at or past the
//!   total, from the pages (with [`PageOptions::count`]) or else asked for
//!   then (`count=true`, one request of one item). Otherwise, and for an
//!   operation that cannot count, the 400 is the stream's error.
//! - Nothing is repeated: a page with more items than asked for, or one
//!   that repeats the previous page (a server that ignores `offset`), ends
//!   the stream with an [`ErrorKind::Paging`](crate::ErrorKind::Paging)
//!   error naming the operation and the offset, before any of its items.
//! - Up to [`PageOptions::prefetch`] requests are in flight (default
//!   [`DEFAULT_PREFETCH`]), so that the round trip is hidden: the first
//!   alone, the others once a page has come back full (a listing of one
//!   page costs one request), none ahead past a known total, so at most
//!   `prefetch − 1` past the end; they are cancelled as soon as the
//!   listing ends. A request ahead goes only when the client-side rate
//!   limit has room at once (see `ahead`): prefetching never causes a 429.
//! - Call options set on the builder (`.with_options(CallOptions::new()…)`)
//!   apply to every request of the stream; their page size and prefetch
//!   win over [`PageOptions`]'s.
//! - Every request of a stream runs on a task of its own: it completes,
//!   and frees its place in the rate limit, while the stream is not
//!   polled, so a stream never holds up another call of the client.
//! - The repeat check compares each page's size and its first, middle and
//!   last items with the previous page's: it catches a server that ignores
//!   `offset`, not one that also reorders the same items every time.

use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};

use futures_util::stream::{self, FuturesOrdered, StreamExt};
use serde::Serialize;

use crate::{CallOptions, Error, Items, Pages, ResponseValue};

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

/// Requests a listing keeps in flight by default (see [`PageOptions::prefetch`]).
pub const DEFAULT_PREFETCH: usize = 4;

/// How to page through a listing. The fields can be read; set them with
/// the `with_` methods (new options may come without a breaking change):
///
/// ```
/// let options = sailpoint_runtime::PageOptions::default().with_page_size(100).with_count(true);
/// assert_eq!((options.page_size, options.count), (Some(100), true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageOptions {
    /// Items per request; `None` (the default) uses the operation's maximum.
    pub page_size: Option<u32>,
    /// Requests in flight at once, counting the one being read (default
    /// [`DEFAULT_PREFETCH`]; 1 turns prefetching off; at most 8). The
    /// first request goes alone; the others only after a full page, and
    /// only when the client-side rate limit has room for them at once, so
    /// they never delay another call. Up to `prefetch − 1` of them may
    /// ask past the end: each counts against the rate limit.
    pub prefetch: usize,
    /// Ask for the total (`count=true`, read from `X-Total-Count`).
    pub count: bool,
}

impl Default for PageOptions {
    fn default() -> Self {
        Self { page_size: None, prefetch: DEFAULT_PREFETCH, count: false }
    }
}

impl PageOptions {
    /// Items per request (see [`page_size`](Self::page_size)).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Requests in flight at once (see [`prefetch`](Self::prefetch)).
    pub fn with_prefetch(mut self, prefetch: usize) -> Self {
        self.prefetch = prefetch;
        self
    }

    /// Whether to ask for the total (see [`count`](Self::count)).
    pub fn with_count(mut self, count: bool) -> Self {
        self.count = count;
        self
    }
}

/// What a generated list builder tells the paginator (implemented with
/// one `offset_listing!` line per operation; not for users).
#[doc(hidden)]
pub trait OffsetListing: Clone + Send + Sized {
    /// One item of the listing.
    type Item: Send + Serialize;
    /// What one request returns.
    type Page: Send;
    /// The largest `limit` the operation accepts.
    const MAX_LIMIT: u32;
    /// The operation's name (snake_case), for error messages.
    const OPERATION: &'static str;
    /// Whether the operation can return its total (`count=true`).
    const COUNTS: bool;

    /// The `limit` and `offset` set on the builder, if any (the page size
    /// and the first item of a stream).
    fn preset(&self) -> (Option<u64>, Option<u64>);
    /// The call options set on the builder.
    fn call_options(&self) -> &CallOptions;
    /// The same request with these call options.
    fn with_call_options(self, options: CallOptions) -> Self;
    /// The same request for the page at `offset`, of `limit` items.
    fn with_page(self, limit: u32, offset: u64) -> Self;
    /// The same request asking for `X-Total-Count` (unchanged if the
    /// operation cannot count).
    fn with_count(self) -> Self;
    /// Sends the request for one page.
    fn send_page(self) -> impl Future<Output = Result<ResponseValue<Self::Page>, Error>> + Send;
    /// The items of a page.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
}

/// A list operation that pages with `limit` and `offset`: every such
/// operation's builder is one. Bring it into scope to call `.stream()`:
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
pub trait Paginate: OffsetListing {
    /// Every page, with the default options.
    fn pages<'a>(self) -> Pages<'a, Self::Item>
    where
        Self: 'a,
    {
        self.pages_with(PageOptions::default())
    }

    /// Every item, with the default options.
    fn stream<'a>(self) -> Items<'a, Self::Item>
    where
        Self: 'a,
    {
        self.stream_with(PageOptions::default())
    }

    /// Every item, with `options`.
    fn stream_with<'a>(self, options: PageOptions) -> Items<'a, Self::Item>
    where
        Self: 'a,
    {
        self.pages_with(options).items()
    }

    /// Every page, with `options`.
    fn pages_with<'a>(self, options: PageOptions) -> Pages<'a, Self::Item>
    where
        Self: 'a,
    {
        let (preset_limit, preset_offset) = self.preset();
        // The call's options first, then the stream's, then the builder's `limit`.
        let call = self.call_options().clone();
        let page_size = call.page_size.or(options.page_size).or(preset_limit.map(|l| u32::try_from(l).unwrap_or(u32::MAX)));
        let limit = page_size.unwrap_or(Self::MAX_LIMIT).clamp(1, Self::MAX_LIMIT.max(1));
        let prefetch = call.prefetch.unwrap_or(options.prefetch);
        let start = preset_offset.unwrap_or(0);
        let lister = Lister {
            base: if options.count { self.clone().with_count() } else { self.clone() },
            unchanged: self,
            limit,
            ahead: prefetch.clamp(1, 8),
            call,
            next_request: start,
            queue: FuturesOrdered::new(),
            progress: Progress::starting_at(start),
            done: false,
        };
        Pages::new(
            Self::OPERATION,
            stream::unfold(lister, |mut lister| async move {
                if lister.done {
                    return None;
                }
                // One request until a page has come back full, then `ahead`;
                // none ahead at or past a known total (the next one always
                // goes: a total can be stale, and the pages decide the end).
                let wanted = if lister.progress.previous_full { lister.ahead } else { 1 };
                while lister.queue.len() < wanted {
                    let offset = lister.next_request;
                    let first = lister.queue.is_empty();
                    if !first && lister.progress.total.is_some_and(|total| offset >= total) {
                        break;
                    }
                    let request = lister.base.clone().with_page(lister.limit, offset);
                    let (options, deferral) = if first {
                        (crate::ahead::next(&lister.call), None)
                    } else {
                        let (options, deferral) = crate::ahead::ahead(&lister.call);
                        (options, Some(deferral))
                    };
                    let request = request.with_call_options(options);
                    lister.queue.push_back(async move { (offset, request.send_page().await, deferral) });
                    lister.next_request += u64::from(lister.limit);
                }
                let (offset, mut result, deferral) = lister.queue.next().await?;
                if deferral.is_some_and(|d| d.is_deferred()) {
                    // A request ahead that could not go: its turn has come.
                    let request = lister.base.clone().with_page(lister.limit, offset);
                    result = request.with_call_options(crate::ahead::next(&lister.call)).send_page().await;
                }
                let step = lister.progress.step::<Self>(offset, lister.limit, result);
                if !matches!(step, Step::Page(_)) {
                    // Requests sent ahead are cancelled now, not when the stream is dropped.
                    lister.done = true;
                    lister.queue = FuturesOrdered::new();
                }
                match step {
                    Step::Page(page) | Step::Last(page) => Some((Ok(page), lister)),
                    Step::Failed(e) => Some((Err(e), lister)),
                    Step::Done => None,
                    Step::RefusedAfterFull(offset, e) => {
                        let probe = lister.unchanged.clone().with_call_options(crate::ahead::next(&lister.call));
                        let proven = total(probe).await.is_some_and(|total| offset >= total);
                        if proven { None } else { Some((Err(e), lister)) }
                    }
                }
            }),
        )
    }
}

impl<L: OffsetListing> Paginate for L {}

/// A listing being paged: the requests in flight, in order, and what the
/// pages so far have shown.
struct Lister<L, F: Future> {
    /// The request, with `count` when asked for.
    base: L,
    /// The request as the caller made it (for the count probe).
    unchanged: L,
    limit: u32,
    /// Requests kept in flight once a page has come back full.
    ahead: usize,
    /// The call options of every request.
    call: CallOptions,
    /// The offset of the next request to send.
    next_request: u64,
    queue: FuturesOrdered<F>,
    progress: Progress,
    done: bool,
}

/// What the stream does with one response.
enum Step<T> {
    /// A full page: yield it, more follow.
    Page(Page<T>),
    /// The last page: yield it and end.
    Last(Page<T>),
    /// End without yielding.
    Done,
    /// End with this error.
    Failed(Error),
    /// A 400 for `offset` after a full page: the end only if the total says so.
    RefusedAfterFull(u64, Error),
}

/// What the stream has seen so far.
#[derive(Default)]
struct Progress {
    /// The offset the next page must start at.
    next_offset: u64,
    /// Whether the previous page was full.
    previous_full: bool,
    /// The previous page's fingerprint (see [`fingerprint`]).
    previous: Option<u64>,
    /// The total, when a page carried it.
    total: Option<u64>,
}

impl Progress {
    /// Before the first page, which starts at `offset`.
    fn starting_at(offset: u64) -> Self {
        Self { next_offset: offset, ..Self::default() }
    }

    fn step<L: OffsetListing>(
        &mut self,
        offset: u64,
        limit: u32,
        result: Result<ResponseValue<L::Page>, Error>,
    ) -> Step<L::Item> {
        let rv = match result {
            Ok(rv) => rv,
            Err(e) if offset > 0 && self.previous_full && e.status().is_some_and(|s| s.as_u16() == 400) => {
                return match self.total {
                    Some(total) if offset >= total => Step::Done,
                    Some(_) => Step::Failed(e),
                    None if L::COUNTS => Step::RefusedAfterFull(offset, e),
                    None => Step::Failed(e),
                };
            }
            Err(e) => return Step::Failed(e),
        };
        if offset != self.next_offset {
            return Step::Failed(Error::paging(format!(
                "{}: the page at offset {offset} does not follow the previous one (expected offset {})",
                L::OPERATION,
                self.next_offset
            )));
        }
        let total = total_of(rv.headers());
        self.total = total.or(self.total);
        let items = match rv.into_inner() {
            Ok(page) => L::into_items(page),
            Err(e) => return Step::Failed(e),
        };
        if items.len() > limit as usize {
            return Step::Failed(Error::paging(format!(
                "{}: the server returned {} items at offset {offset} for a limit of {limit}",
                L::OPERATION,
                items.len()
            )));
        }
        if items.is_empty() {
            return if offset == 0 { Step::Last(Page { items, offset, total }) } else { Step::Done };
        }
        let print = fingerprint(&items);
        if self.previous == Some(print) {
            return Step::Failed(Error::paging(format!(
                "{}: the page at offset {offset} repeats the previous page (does the server ignore `offset`?)",
                L::OPERATION
            )));
        }
        self.previous = Some(print);
        self.next_offset = offset + items.len() as u64;
        self.previous_full = items.len() == limit as usize;
        let page = Page { items, offset, total };
        if self.previous_full { Step::Page(page) } else { Step::Last(page) }
    }
}

fn total_of(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers.get(TOTAL_COUNT_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok())
}

/// The listing's total, asked for with one request of one item (with the
/// listing's call options).
async fn total<L: OffsetListing>(listing: L) -> Option<u64> {
    let rv = listing.with_count().with_page(1, 0).send_page().await.ok()?;
    total_of(rv.headers())
}

/// Identifies a page by its size and its first, middle and last items as
/// JSON: equal for a repeated page, different for the next one.
fn fingerprint<T: Serialize>(items: &[T]) -> u64 {
    let mut h = DefaultHasher::new();
    items.len().hash(&mut h);
    for i in [0, items.len() / 2, items.len().saturating_sub(1)] {
        if let Some(item) = items.get(i) {
            serde_json::to_vec(item).unwrap_or_default().hash(&mut h);
        }
    }
    h.finish()
}
