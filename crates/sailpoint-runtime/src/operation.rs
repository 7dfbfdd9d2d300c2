//! The operation table the generator emits for each API version.

/// What the runtime and the facade need to know about one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub enum Pagination {
    /// `limit` and `offset` query parameters; `max_limit` is the largest page.
    Offset {
        /// The largest `limit` the operation accepts.
        max_limit: u64,
    },
}

/// Looks an operation up by [`Operation::id`] in a table sorted by id.
pub fn find(operations: &'static [Operation], id: &str) -> Option<&'static Operation> {
    operations.binary_search_by(|o| o.id.cmp(id)).ok().map(|i| &operations[i])
}
