//! The operation table the generator emits for each API version.

/// What the runtime and the facade need to know about one operation.
///
/// Each generated crate lists its operations in `OPERATIONS`; the fields
/// can be read. Built only by the generated tables (`Operation::new` and
/// the `with_` setters are plumbing), so that a new field is not a
/// breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The method name (snake_case), as in `OperationInfo::operation_id`.
    pub id: &'static str,
    /// The `operationId` in the spec (camelCase).
    pub operation_id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template below the version prefix, e.g. `/sources/{id}`.
    pub path: &'static str,
    /// The operation's first tag.
    pub tag: &'static str,
    /// Needs `X-SailPoint-Experimental: true`.
    pub experimental: bool,
    /// The request body's media type as the spec declares it.
    pub request_content_type: Option<&'static str>,
    /// The media types of the success responses, comma-separated.
    pub accept: Option<&'static str>,
    /// A success response may have an empty body, which decodes as `null`.
    pub empty_success_is_null: bool,
    /// Sent as `multipart/form-data` (emitted by the xtask, not progenitor).
    pub multipart: bool,
    /// May be sent again without changing what it does: an idempotent
    /// method (GET, HEAD, PUT, DELETE, OPTIONS), or a POST that only reads
    /// (search, count, preview… marked by the `read-only-posts`
    /// normalization pass). Such requests are retried after a transport
    /// failure or a 408/500/502/503/504.
    pub replay_safe: bool,
    /// The 2xx status codes the spec declares, ascending.
    pub success_statuses: &'static [u16],
    /// How the operation pages, if it does.
    pub pagination: Option<Pagination>,
}

/// How a list operation pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pagination {
    /// `limit` and `offset` query parameters; `max_limit` is the largest page.
    Offset {
        /// The largest `limit` the operation accepts.
        max_limit: u64,
    },
    /// A search: `limit` and `offset` up to the 10,000-result window, and
    /// past it `searchAfter`, the sort values of the last result. Those that
    /// answer a list of results have a [`SearchAfter`](crate::SearchAfter)
    /// stream (an aggregation does not).
    SearchAfter {
        /// The largest `limit` the operation accepts.
        max_limit: u64,
    },
}

#[doc(hidden)]
impl Operation {
    /// An operation with nothing flagged: no body, no declared success,
    /// not experimental, not replay-safe, no paging.
    pub const fn new(
        id: &'static str,
        operation_id: &'static str,
        method: &'static str,
        path: &'static str,
        tag: &'static str,
    ) -> Self {
        Self {
            id,
            operation_id,
            method,
            path,
            tag,
            experimental: false,
            request_content_type: None,
            accept: None,
            empty_success_is_null: false,
            multipart: false,
            replay_safe: false,
            success_statuses: &[],
            pagination: None,
        }
    }

    /// Needs the experimental header.
    pub const fn with_experimental(mut self) -> Self {
        self.experimental = true;
        self
    }

    /// The request body's media type.
    pub const fn with_request_content_type(mut self, media: &'static str) -> Self {
        self.request_content_type = Some(media);
        self
    }

    /// The success responses' media types, comma-separated.
    pub const fn with_accept(mut self, media: &'static str) -> Self {
        self.accept = Some(media);
        self
    }

    /// A success may have an empty body.
    pub const fn with_empty_success_is_null(mut self) -> Self {
        self.empty_success_is_null = true;
        self
    }

    /// Sent as `multipart/form-data`.
    pub const fn with_multipart(mut self) -> Self {
        self.multipart = true;
        self
    }

    /// May be sent again.
    pub const fn with_replay_safe(mut self) -> Self {
        self.replay_safe = true;
        self
    }

    /// The declared 2xx statuses, ascending.
    pub const fn with_success_statuses(mut self, statuses: &'static [u16]) -> Self {
        self.success_statuses = statuses;
        self
    }

    /// Pages with `limit` and `offset`, at most `max_limit` a page.
    pub const fn with_offset_paging(mut self, max_limit: u64) -> Self {
        self.pagination = Some(Pagination::Offset { max_limit });
        self
    }

    /// A search: `limit` and `offset` within the window, `searchAfter` past it.
    pub const fn with_search_after_paging(mut self, max_limit: u64) -> Self {
        self.pagination = Some(Pagination::SearchAfter { max_limit });
        self
    }
}

/// Looks an operation up by [`Operation::id`] in a table sorted by id.
pub fn find(operations: &'static [Operation], id: &str) -> Option<&'static Operation> {
    operations.binary_search_by(|o| o.id.cmp(id)).ok().map(|i| &operations[i])
}
