//! One error type for every API version.

use std::fmt;

use reqwest::StatusCode;
use serde_json::Value;

/// The header in which SailPoint returns its request id.
pub const REQUEST_ID_HEADER: &str = "slpt-request-id";

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The API answered with an error status (4xx, 5xx).
    Api,
    /// No access token could be obtained.
    Authentication,
    /// The request was refused before it was sent: a missing required
    /// parameter, a value that does not convert, an experimental operation
    /// without the opt-in.
    InvalidRequest,
    /// The connection failed or broke.
    Transport,
    /// A timeout elapsed.
    Timeout,
    /// A success response whose body does not decode.
    Decode,
    /// A status the operation does not declare, other than an error.
    UnexpectedStatus,
    /// Invalid configuration.
    Configuration,
    /// The server's pages do not add up: a page that repeats the previous
    /// one, more items than asked for, a search key that does not advance.
    /// Returned instead of looping or yielding an item twice.
    Paging,
    /// A file could not be read (an upload) or written (a download).
    Io,
}

/// One message of an error body (`messages` or `causes`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorMessage {
    /// The message's locale, e.g. `en-US`.
    pub locale: Option<String>,
    /// The text.
    pub text: String,
}

/// An error from the SailPoint API or on the way to it.
///
/// `Display` is one line. The predicates ([`status`](Error::status),
/// [`is_not_found`](Error::is_not_found), [`is_rate_limited`](Error::is_rate_limited),
/// [`is_retryable`](Error::is_retryable)…) answer the usual questions
/// without matching on the kind. Secrets never appear in an error.
///
/// Every generated operation's `send()` returns it, as do the streams and
/// the facade. `Display` names the operation and the status:
///
/// ```
/// use sailpoint_runtime::{Error, ErrorKind};
/// let e = Error::invalid_request("`id` is required").for_operation("get_source");
/// assert_eq!(e.kind(), ErrorKind::InvalidRequest);
/// assert_eq!(e.operation(), Some("get_source"));
/// assert_eq!(e.to_string(), "get_source failed: invalid request: `id` is required");
/// ```
#[derive(Debug)]
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    /// The operation (method name) the error is of.
    operation: Option<&'static str>,
    status: Option<StatusCode>,
    message: String,
    detail_code: Option<String>,
    tracking_id: Option<String>,
    messages: Vec<ErrorMessage>,
    causes: Vec<ErrorMessage>,
    request_id: Option<String>,
    raw_body: Option<String>,
    retry_after: Option<std::time::Duration>,
    /// False when the request may have changed something on the server
    /// and must not be sent again blindly.
    replayable: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// At most this much of a raw body is kept in an error.
const RAW_BODY_LIMIT: usize = 64 * 1024;

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            kind,
            operation: None,
            status: None,
            message: message.into(),
            detail_code: None,
            tracking_id: None,
            messages: Vec::new(),
            causes: Vec::new(),
            request_id: None,
            raw_body: None,
            retry_after: None,
            replayable: true,
            source: None,
        }))
    }

    /// Marks the error as one of a request that must not be replayed.
    pub(crate) fn not_replayable(mut self) -> Self {
        self.0.replayable = false;
        self
    }

    /// Names the operation the error is of (shown by `Display`); kept if
    /// already named.
    pub fn for_operation(mut self, operation: &'static str) -> Self {
        self.0.operation.get_or_insert(operation);
        self
    }

    /// Adds what the caller can do about it to the message (shown by `Display`).
    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        let mut first = self.0.message.lines().next().unwrap_or_default().to_string();
        if first.is_empty() {
            // Keep what the server said, as `Display` shows it without a message.
            let raw = self.0.raw_body.as_deref().unwrap_or_default();
            first = raw.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim().chars().take(120).collect();
        }
        let rest: String = self.0.message.lines().skip(1).map(|l| format!("\n{l}")).collect();
        self.0.message = if first.is_empty() { format!("{hint}{rest}") } else { format!("{first}; {hint}{rest}") };
        self
    }

    /// Says which form field the error is of (`` `file`: … ``).
    pub(crate) fn in_field(mut self, field: &str) -> Self {
        self.0.message = format!("`{field}`: {}", self.0.message);
        self
    }

    /// An authentication failure: no access token could be obtained.
    pub(crate) fn authentication(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Authentication, message)
    }

    /// A decoding failure of a success response with this status.
    pub(crate) fn decoding_status(status: StatusCode, message: impl Into<String>, body: &[u8]) -> Self {
        let mut e = Self::decoding(message, body);
        e.0.status = Some(status);
        e
    }

    /// A response with a status the operation does not declare, neither
    /// success nor error (a redirect, a 1xx).
    pub(crate) fn unexpected_status(status: StatusCode, headers: &reqwest::header::HeaderMap) -> Self {
        let mut e = Self::new(ErrorKind::UnexpectedStatus, "a status the operation does not declare");
        e.0.status = Some(status);
        e.0.request_id = header(headers, REQUEST_ID_HEADER);
        e
    }

    fn with_response_headers(mut self, headers: &reqwest::header::HeaderMap) -> Self {
        self.0.request_id = header(headers, REQUEST_ID_HEADER);
        self.0.retry_after = crate::retry::retry_after(headers, std::time::SystemTime::now());
        self
    }

    /// A configuration error (used by the builders).
    pub fn configuration(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Configuration, message)
    }

    /// A request refused before it was sent (an argument that cannot be sent).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, message)
    }

    /// A listing or search whose pages do not add up (see [`ErrorKind::Paging`]).
    pub fn paging(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Paging, message)
    }

    /// A file that could not be read (an upload) or written (a download).
    pub(crate) fn io(e: std::io::Error) -> Self {
        let mut error = Self::new(ErrorKind::Io, e.to_string());
        error.0.source = Some(Box::new(e));
        error
    }

    /// A connection or timeout error from the HTTP client.
    pub fn transport(e: reqwest::Error) -> Self {
        transport(e)
    }

    /// A success body that did not decode: `message` says where, `body` is kept.
    pub fn decoding(message: impl Into<String>, body: &[u8]) -> Self {
        let mut e = Self::new(ErrorKind::Decode, message);
        e.0.raw_body = raw(body);
        e
    }

    /// An error for an HTTP error status with its body, decoded from any of
    /// the shapes SailPoint uses (`ErrorResponseDto`, `{message}`,
    /// `{error}`, `{detailMessage}`), or kept raw when it is not JSON.
    pub fn from_response_parts(status: StatusCode, headers: &reqwest::header::HeaderMap, body: &[u8]) -> Self {
        let mut e = Self::new(ErrorKind::Api, String::new()).with_response_headers(headers);
        e.0.status = Some(status);
        match serde_json::from_slice::<Value>(body) {
            Ok(v @ Value::Object(_)) => e.absorb_body(&v),
            _ => e.0.raw_body = raw(body),
        }
        e
    }

    fn absorb_body(&mut self, body: &Value) {
        let text = |k: &str| match body.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        self.0.detail_code = text("detailCode");
        self.0.tracking_id = text("trackingId");
        self.0.messages = messages(body.get("messages"));
        self.0.causes = messages(body.get("causes"));
        if let Some(raw_body) = text("rawBody") {
            self.0.raw_body = Some(truncate(raw_body));
        }
        let summary = self.0.messages.first().map(|m| m.text.clone());
        let described = [text("error_description"), text("error")].into_iter().flatten().collect::<Vec<_>>().join(": ");
        self.0.message = summary
            .or_else(|| text("message"))
            .or_else(|| (!described.is_empty()).then_some(described))
            .or_else(|| text("detailMessage"))
            .or_else(|| text("formatted_msg"))
            .unwrap_or_default();
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }
    /// The operation (method name, e.g. `list_sources`), when the error is
    /// of one.
    pub fn operation(&self) -> Option<&'static str> {
        self.0.operation
    }
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.0.status
    }
    /// What went wrong, in words: the API's own message (of its first
    /// `messages`, or `message`, `error`, `error_description`,
    /// `detailMessage`), else the SDK's description. May be empty when the
    /// API answered an error status with no text.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// SailPoint's `detailCode`, e.g. `404 Object Not Found`.
    pub fn detail_code(&self) -> Option<&str> {
        self.0.detail_code.as_deref()
    }
    /// SailPoint's `trackingId`, to quote to SailPoint support.
    pub fn tracking_id(&self) -> Option<&str> {
        self.0.tracking_id.as_deref()
    }
    /// The error's messages, one per locale.
    pub fn messages(&self) -> &[ErrorMessage] {
        &self.0.messages
    }
    /// The error's causes.
    pub fn causes(&self) -> &[ErrorMessage] {
        &self.0.causes
    }
    /// The `SLPT-Request-ID` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The body as received when it was not JSON (a proxy's HTML page, an
    /// empty body), or did not decode; at most 64 KiB.
    pub fn raw_body(&self) -> Option<&str> {
        self.0.raw_body.as_deref()
    }
    /// How long the server asked to wait (`Retry-After`), on a 429 or 503.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.0.retry_after
    }
    /// 404.
    pub fn is_not_found(&self) -> bool {
        self.0.status == Some(StatusCode::NOT_FOUND)
    }
    /// 429.
    pub fn is_rate_limited(&self) -> bool {
        self.0.status == Some(StatusCode::TOO_MANY_REQUESTS)
    }
    /// 401, or no token could be obtained.
    pub fn is_unauthorized(&self) -> bool {
        self.0.status == Some(StatusCode::UNAUTHORIZED) || self.0.kind == ErrorKind::Authentication
    }
    /// 403.
    pub fn is_forbidden(&self) -> bool {
        self.0.status == Some(StatusCode::FORBIDDEN)
    }
    /// A timeout.
    pub fn is_timeout(&self) -> bool {
        self.0.kind == ErrorKind::Timeout
    }
    /// Worth trying again later, and safe to: a 429 (refused before it was
    /// processed), or a transport failure, a timeout, 408, 500, 502, 503 or
    /// 504 of a request that may be repeated (an idempotent method, a
    /// search, or one that never reached the server). False for a POST or
    /// PATCH the server may have received. (The runtime has already retried
    /// what it safely could.)
    pub fn is_retryable(&self) -> bool {
        if self.0.status == Some(StatusCode::TOO_MANY_REQUESTS) {
            return true;
        }
        self.0.replayable
            && (matches!(self.0.kind, ErrorKind::Transport | ErrorKind::Timeout)
                || self.0.status.is_some_and(|s| matches!(s.as_u16(), 408 | 500 | 502 | 503 | 504)))
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn truncate(mut s: String) -> String {
    if s.len() > RAW_BODY_LIMIT {
        let mut end = RAW_BODY_LIMIT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

fn raw(body: &[u8]) -> Option<String> {
    Some(truncate(String::from_utf8_lossy(body).into_owned()))
}

fn messages(v: Option<&Value>) -> Vec<ErrorMessage> {
    let Some(Value::Array(items)) = v else { return Vec::new() };
    items
        .iter()
        .map(|m| match m {
            Value::String(s) => ErrorMessage { locale: None, text: s.clone() },
            other => ErrorMessage {
                locale: other.get("locale").and_then(Value::as_str).map(str::to_string),
                text: other.get("text").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| other.to_string()),
            },
        })
        .collect()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.0.operation {
            write!(f, "{op} failed: ")?;
        }
        match (self.0.status, self.0.kind) {
            (Some(s), ErrorKind::Api) => write!(f, "HTTP {s}")?,
            (Some(s), ErrorKind::Decode) => write!(f, "HTTP {s}, but the response body did not decode")?,
            (Some(s), ErrorKind::UnexpectedStatus) => write!(f, "HTTP {s}")?,
            (Some(s), kind) => write!(f, "{} (HTTP {s})", kind_name(kind))?,
            (None, kind) => write!(f, "{}", kind_name(kind))?,
        }
        if let Some(code) = &self.0.detail_code {
            write!(f, " ({code})")?;
        }
        let message = self.0.message.lines().next().unwrap_or_default();
        if !message.is_empty() {
            write!(f, ": {message}")?;
        } else if let Some(raw) = self.0.raw_body.as_deref().filter(|r| !r.trim().is_empty()) {
            let line = raw.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim();
            let short: String = line.chars().take(120).collect();
            write!(f, ": body: {short}")?;
        }
        if let Some(id) = &self.0.tracking_id {
            write!(f, " [tracking id {id}]")?;
        }
        if let Some(id) = &self.0.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Api => "API error",
        ErrorKind::Authentication => "authentication failed",
        ErrorKind::InvalidRequest => "invalid request",
        ErrorKind::Transport => "transport error",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Decode => "response did not decode",
        ErrorKind::UnexpectedStatus => "unexpected status",
        ErrorKind::Configuration => "configuration error",
        ErrorKind::Paging => "paging failed",
        ErrorKind::Io => "file error",
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

fn transport(e: reqwest::Error) -> Error {
    // A success body over its cap, or cut off: a decoding error with the
    // status; one that stalled past the read timeout: a timeout.
    if let Some(b) = crate::body::body_error(&e) {
        let kind = if b.timed_out { ErrorKind::Timeout } else { ErrorKind::Decode };
        let mut err = Error::new(kind, b.message.clone());
        err.0.status = Some(b.status);
        // The server answered: only a request that may be repeated is worth sending again.
        err.0.replayable = b.replay_safe;
        err.0.source = Some(Box::new(e));
        return err;
    }
    // An upload's file that could not be read (or changed) during an attempt.
    if let Some(f) = crate::multipart::file_read_error(&e) {
        let mut err = Error::new(ErrorKind::Io, f.to_string());
        err.0.source = Some(Box::new(e));
        return err;
    }
    let kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Transport };
    // reqwest's message names the URL (never a header), which is safe to show.
    let mut err = Error::new(kind, e.to_string());
    err.0.status = e.status();
    err.0.source = Some(Box::new(e));
    err
}

/// A failure of the HTTP client (building a request, connecting, reading).
impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        transport(e)
    }
}

/// A header parameter whose value cannot be sent (a line break in an
/// `Accept-Language`, say): an invalid request, raised before sending.
impl From<reqwest::header::InvalidHeaderValue> for Error {
    fn from(e: reqwest::header::InvalidHeaderValue) -> Self {
        Error::invalid_request(format!("a header parameter's value cannot be sent: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn parts(status: u16, body: &str) -> Error {
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID_HEADER, "req-1".parse().unwrap());
        Error::from_response_parts(StatusCode::from_u16(status).unwrap(), &h, body.as_bytes())
    }

    #[test]
    fn every_body_shape() {
        let dto = parts(
            404,
            r#"{"detailCode":"404 Object Not Found","trackingId":"t1","messages":[{"locale":"en-US","localeOrigin":"DEFAULT","text":"No source"}],"causes":[]}"#,
        );
        assert!(dto.is_not_found());
        assert_eq!(dto.detail_code(), Some("404 Object Not Found"));
        assert_eq!(dto.tracking_id(), Some("t1"));
        assert_eq!(dto.messages()[0].locale.as_deref(), Some("en-US"));
        assert_eq!(dto.to_string(), "HTTP 404 Not Found (404 Object Not Found): No source [tracking id t1] [request id req-1]");
        let limited = parts(429, r#"{"message":"Rate Limit Exceeded"}"#);
        assert!(limited.is_rate_limited() && limited.is_retryable());
        assert!(limited.to_string().contains("Rate Limit Exceeded"));
        let unauth = parts(401, r#"{"error":"JWT validation failed: JWT is expired"}"#);
        assert!(unauth.is_unauthorized() && unauth.to_string().contains("JWT is expired"));
        let detail = parts(400, r#"{"detailMessage":"bad filter"}"#);
        assert!(detail.to_string().ends_with("bad filter [request id req-1]"));
        let html = parts(502, "<html>\n<body>Bad Gateway</body></html>");
        assert_eq!(html.status().map(|s| s.as_u16()), Some(502));
        assert!(html.raw_body().unwrap().contains("Bad Gateway"));
        let empty = parts(503, "");
        assert_eq!(empty.to_string(), "HTTP 503 Service Unavailable [request id req-1]");
        let named = parts(404, "").for_operation("get_source").for_operation("other");
        assert_eq!(named.to_string(), "get_source failed: HTTP 404 Not Found [request id req-1]");
        let cut =
            Error::decoding_status(StatusCode::CREATED, "the body broke off after 10 bytes", b"{").for_operation("create_source");
        assert_eq!(
            cut.to_string(),
            "create_source failed: HTTP 201 Created, but the response body did not decode: the body broke off after 10 bytes"
        );
    }
}
