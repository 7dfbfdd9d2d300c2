//! The per-request policy every generated client runs through: headers
//! the operation table calls for, the access token, the client-side rate
//! limit, retries, and a tracing span.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use tracing::Instrument;

use crate::auth::{Auth, Credentials};
use crate::body::{self, BodyLimits, Parts};
use crate::error::{EXPERIMENTAL_REFUSED, TIMEOUT_NOT_REPLAYABLE, TRANSPORT_NOT_REPLAYABLE};
use crate::limiter::{Limiter, RateLimit};
use crate::retry::{RetryBudget, RetryConfig, is_idempotent, is_read_only_post, is_retryable_status, retry_after};
use crate::{Error, Operation};

/// Marks an error response to a request that must not be replayed (it may
/// have changed something): [`Error::is_retryable`] is false for it.
#[doc(hidden)]
pub const NOT_REPLAYABLE_HEADER: &str = "sailpoint-rs-not-replayable";

/// The header experimental operations need.
pub const EXPERIMENTAL_HEADER: &str = "x-sailpoint-experimental";

/// State and policy shared by the clients of every API version: the HTTP
/// client (one connection pool), the token cache, the rate limiter and the
/// retry budget.
///
/// Cheap to clone: clones share their state.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

struct Shared {
    base_url: Option<Url>,
    http: reqwest::Client,
    auth: Auth,
    experimental: bool,
    retry: RetryConfig,
    budget: RetryBudget,
    limiter: Option<Limiter>,
    body_limits: BodyLimits,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("base_url", &self.shared.base_url.as_ref().map(Url::as_str))
            .field("auth", &self.shared.auth)
            .field("experimental", &self.shared.experimental)
            .field("retry", &self.shared.retry)
            .field("rate_limited", &self.shared.limiter.is_some())
            .finish()
    }
}

/// Builds a [`Runtime`].
///
/// `Debug` shows the names of the default headers, never their values
/// (one may carry a credential).
pub struct RuntimeBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    experimental: bool,
    allow_http_loopback: bool,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    timeout: Option<Duration>,
    proxy: Option<reqwest::Proxy>,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
    retry: RetryConfig,
    rate_limit: Option<RateLimit>,
    body_limits: BodyLimits,
}

impl fmt::Debug for RuntimeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.default_headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("RuntimeBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("experimental", &self.experimental)
            .field("allow_http_loopback", &self.allow_http_loopback)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy.is_some())
            .field("default_headers", &header_names)
            .field("http", &self.http.is_some())
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("body_limits", &self.body_limits)
            .finish()
    }
}

impl Default for RuntimeBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            credentials: None,
            experimental: false,
            allow_http_loopback: false,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Some(Duration::from_secs(60)),
            timeout: None,
            proxy: None,
            default_headers: HeaderMap::new(),
            http: None,
            retry: RetryConfig::default(),
            rate_limit: Some(RateLimit::default()),
            body_limits: BodyLimits::default(),
        }
    }
}

/// The User-Agent: this SDK, its version and the Rust version.
pub fn user_agent() -> String {
    format!("sailpoint-rs/{} (rust {})", env!("CARGO_PKG_VERSION"), env!("SAILPOINT_RUSTC_VERSION"))
}

impl RuntimeBuilder {
    /// The tenant's base URL, `https://{tenant}.api.identitynow.com`; the
    /// token URL is `{base_url}/oauth/token`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// How to authenticate. Without credentials no `Authorization` is sent.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
    /// Allows experimental operations: they are sent with
    /// `X-SailPoint-Experimental: true`. Off by default, in which case
    /// calling one is an error raised before anything is sent.
    pub fn experimental(mut self, allow: bool) -> Self {
        self.experimental = allow;
        self
    }
    /// Allows `http://` for loopback addresses (127.0.0.0/8, `::1`,
    /// `localhost`): for tests and the mock tenant. Off by default: only
    /// `https` is accepted.
    pub fn allow_http_loopback(mut self, allow: bool) -> Self {
        self.allow_http_loopback = allow;
        self
    }
    /// Connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// Longest wait for the next bytes of a response (default 60 s); a large
    /// download that keeps flowing is never cut.
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }
    /// Total time limit of one attempt (default: none).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }
    /// Sends every request through this proxy.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }
    /// Adds a header to every request. Its value is marked sensitive and
    /// never shown by `Debug`.
    pub fn default_header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.default_headers.insert(name, value);
        self
    }
    /// Uses this `reqwest::Client` (its timeouts, proxy and TLS settings)
    /// instead of building one. Give it `redirect::Policy::none()`: the
    /// runtime's own client never follows a redirect of the token request
    /// (which carries the client secret), but a client given here follows
    /// its own policy, and reqwest's default re-posts the form on a 307. A
    /// token response from another URL is refused either way.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }
    /// Retry settings ([`RetryConfig::none`] turns retries off).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }
    /// The client-side rate limit, or `None` for none (default: SailPoint's
    /// 100 requests per 10 s per client id and API version).
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// How much of a response body is read into memory (see [`BodyLimits`]).
    pub fn body_limits(mut self, limits: BodyLimits) -> Self {
        self.body_limits = limits;
        self
    }

    fn http_client_built(&self, token_url: Option<&Url>) -> Result<reqwest::Client, Error> {
        // The token request carries the client secret: it never follows a
        // redirect (which could take the secret to another host).
        let token_url = token_url.cloned();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if token_url.as_ref().is_some_and(|t| attempt.previous().first() == Some(t)) {
                attempt.stop()
            } else if attempt.previous().len() >= 10 {
                attempt.error("more than 10 redirects")
            } else {
                attempt.follow()
            }
        });
        let mut b = reqwest::Client::builder()
            .redirect(redirects)
            .user_agent(user_agent())
            .connect_timeout(self.connect_timeout)
            .default_headers(self.default_headers.clone())
            .https_only(!self.allow_http_loopback);
        if let Some(t) = self.read_timeout {
            b = b.read_timeout(t);
        }
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        if let Some(p) = self.proxy.clone() {
            b = b.proxy(p);
        }
        b.build().map_err(|e| Error::configuration(format!("building the HTTP client: {e}")))
    }

    fn shared(self) -> Result<Shared, Error> {
        let base_url = match &self.base_url {
            Some(u) => Some(check_base_url(u, self.allow_http_loopback)?),
            None => None,
        };
        let token_url = base_url.as_ref().map(|u| join(u, "oauth/token")).transpose()?;
        if matches!(self.credentials, Some(Credentials::ClientCredentials { .. })) && token_url.is_none() {
            return Err(Error::configuration("client credentials need a base URL (the token URL is derived from it)"));
        }
        let http = match &self.http {
            Some(c) => c.clone(),
            None => self.http_client_built(token_url.as_ref())?,
        };
        let limiter = self.rate_limit.map(Limiter::new).transpose().map_err(Error::configuration)?;
        Ok(Shared {
            base_url,
            http,
            auth: Auth::new(self.credentials, token_url, self.retry.clone()),
            experimental: self.experimental,
            budget: RetryBudget::new(self.retry.budget, self.retry.budget_refill),
            body_limits: self.body_limits,
            retry: self.retry,
            limiter,
        })
    }

    /// The runtime; fails on an invalid base URL or an incomplete
    /// configuration.
    pub fn build(self) -> Result<Runtime, Error> {
        Ok(Runtime { shared: Arc::new(self.shared()?) })
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_base_url(raw: &str, allow_http_loopback: bool) -> Result<Url, Error> {
    let url = Url::parse(raw.trim()).map_err(|e| Error::configuration(format!("base URL `{raw}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http_loopback && is_loopback(&url) => {}
        "http" if is_loopback(&url) => {
            return Err(Error::configuration(format!(
                "base URL `{raw}` is http: allowed for loopback only when enabled (allow_http_loopback)"
            )));
        }
        _ => return Err(Error::configuration(format!("base URL `{raw}` must use https"))),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::configuration(format!("base URL `{raw}` must not have a query or fragment")));
    }
    Ok(url)
}

fn join(base: &Url, path: &str) -> Result<Url, Error> {
    let mut s = base.as_str().trim_end_matches('/').to_string();
    s.push('/');
    s.push_str(path);
    Url::parse(&s).map_err(|e| Error::configuration(format!("{s}: {e}")))
}

impl Runtime {
    /// A builder, with every option at its default.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// The HTTP client all versions share.
    pub fn http(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// The tenant's base URL, if configured.
    pub fn base_url(&self) -> Option<&Url> {
        self.shared.base_url.as_ref()
    }

    /// `{base_url}/{version}`: the base URL of an API version's client.
    pub fn version_url(&self, version: &str) -> Result<String, Error> {
        let base = self.base_url().ok_or_else(|| Error::configuration("no base URL configured"))?;
        Ok(join(base, version)?.to_string())
    }

    /// Sends a request built by hand for `operation` of `api_version`
    /// through the same policy as the generated methods (headers, token,
    /// rate limit, retries, tracing). An error status is an [`Error`].
    pub async fn call(&self, mut request: reqwest::Request, operation: &Operation, api_version: &str) -> Result<reqwest::Response, Error> {
        let generated = |e| Error::from(progenitor_client::Error::<()>::Custom(e));
        self.prepare(&mut request, Some(operation), operation.id).await.map_err(generated)?;
        let safe = replay_safe(request.method(), Some(operation));
        let response = self.execute(request, Some(operation), api_version).await.map_err(|e| {
            let never_sent = e.is_connect();
            let e = Error::transport(e);
            if safe || never_sent { e } else { e.not_replayable() }
        })?;
        let status = response.status();
        if status.is_client_error() || status.is_server_error() {
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap_or_default();
            return Err(Error::from_response_parts(status, &headers, &body));
        }
        Ok(response)
    }

    /// Runs after a request (progenitor's `post` hook): a transport failure
    /// of a request that may have reached the server, and must not be
    /// replayed, is marked so ([`Error::is_retryable`] is false for it).
    pub fn after(&self, result: &reqwest::Result<reqwest::Response>, operation: Option<&Operation>) -> Result<(), String> {
        let Err(e) = result else { return Ok(()) };
        let safe = operation.is_some_and(|o| o.method.parse::<reqwest::Method>().is_ok_and(|m| replay_safe(&m, Some(o))));
        if safe || e.is_connect() {
            return Ok(());
        }
        let prefix = if e.is_timeout() { TIMEOUT_NOT_REPLAYABLE } else { TRANSPORT_NOT_REPLAYABLE };
        Err(format!("{prefix}{e}"))
    }

    /// Whether experimental operations may be called.
    pub fn experimental(&self) -> bool {
        self.shared.experimental
    }

    /// Runs before a request is sent (progenitor's `pre` hook): sets the
    /// headers the operation table calls for, and the access token. Fails,
    /// before anything is sent, for an experimental operation without the
    /// opt-in, or when no token can be had.
    pub async fn prepare(&self, request: &mut reqwest::Request, operation: Option<&Operation>, id: &str) -> Result<(), String> {
        // progenitor adds an `api-version` header (a Dropshot convention)
        // that SailPoint does not define.
        request.headers_mut().remove("api-version");
        if let Some(op) = operation {
            if op.experimental {
                if !self.shared.experimental {
                    return Err(format!(
                        "{EXPERIMENTAL_REFUSED}`{id}` is an experimental operation: enable experimental operations \
                         on the client (`experimental(true)` on its builder) to call it"
                    ));
                }
                request.headers_mut().insert(HeaderName::from_static(EXPERIMENTAL_HEADER), HeaderValue::from_static("true"));
            }
            if let Some(ct) = op.request_content_type.filter(|ct| ct.starts_with("application/json-patch+json"))
                && request.body().is_some() {
                    request.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(ct));
                }
            if let Some(accept) = op.accept.filter(|a| !a.starts_with("application/json"))
                && let Ok(value) = HeaderValue::from_str(accept) {
                    request.headers_mut().insert(ACCEPT, value);
                }
        }
        if let Some(bearer) = self.shared.auth.bearer(&self.shared.http).await? {
            request.headers_mut().insert(AUTHORIZATION, bearer.header);
        }
        Ok(())
    }

    /// Sends the request (progenitor's `exec` hook) under the client-side
    /// rate limit, replays it once with a new token after a 401, retries
    /// what is safe to retry, and hands an empty success body on as `null`
    /// for operations whose success may be empty.
    pub async fn execute(
        &self,
        request: reqwest::Request,
        operation: Option<&Operation>,
        api_version: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let id = operation.map_or("unknown", |o| o.id);
        let span = tracing::info_span!(
            "sailpoint.request",
            method = %request.method(),
            operation = id,
            api_version,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        async move {
            let started = Instant::now();
            let result = self.send_with_retries(request, operation, api_version).await;
            let span = tracing::Span::current();
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            match &result {
                Ok((response, attempts)) => {
                    span.record("status", response.status().as_u16());
                    span.record("attempts", attempts);
                    tracing::debug!("response");
                }
                Err(e) => tracing::debug!(error = %e, "request failed"),
            }
            let (response, _) = result?;
            Ok(response)
        }
        .instrument(span)
        .await
    }

    async fn send_with_retries(
        &self,
        request: reqwest::Request,
        operation: Option<&Operation>,
        api_version: &str,
    ) -> reqwest::Result<(reqwest::Response, u32)> {
        let s = &self.shared;
        // The rate limit's key (client id and version), made only when there is a limit.
        let key = s.limiter.as_ref().map(|_| format!("{}/{api_version}", s.auth.client_id().unwrap_or("-")));
        let retry_on_failure = replay_safe(request.method(), operation);
        let json = reads_json(operation);
        let null_if_empty = operation.is_some_and(|o| o.empty_success_is_null);
        // A body that is a stream cannot be sent twice: such requests get one attempt.
        let replayable = request.try_clone().is_some();
        let mut template = Some(request);
        let (mut failures, mut rate_limited, mut refreshed, mut attempts) = (0u32, 0u32, false, 0u32);
        loop {
            let req = if replayable { template.as_ref().and_then(reqwest::Request::try_clone) } else { template.take() };
            let Some(req) = req else { unreachable!("the first attempt always has the request") };
            // The request counts against the limit while in flight, and for a period after.
            let permit = match (&s.limiter, &key) {
                (Some(l), Some(key)) => Some(l.acquire(key).await),
                _ => None,
            };
            // The waits (for the limit, before a retry) may have outlived the
            // token: every attempt carries the current one, so a call that
            // waited across expiry keeps its 401 replay.
            let mut req = req;
            if s.auth.can_refresh()
                && let Ok(Some(bearer)) = s.auth.bearer(&s.http).await
            {
                req.headers_mut().insert(AUTHORIZATION, bearer.header);
            }
            attempts += 1;
            let sent_token = req.headers().get(AUTHORIZATION).cloned();
            let result = s.http.execute(req).await;
            drop(permit);
            let more = replayable && template.is_some();
            // What to do: return the response, or wait this long and retry.
            let wait = match result {
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED && more && !refreshed && s.auth.can_refresh() => {
                    refreshed = true;
                    s.auth.invalidate(sent_token.as_ref()).await;
                    // The replay picks the new token up like every attempt.
                    if let Ok(Some(_)) = s.auth.bearer(&s.http).await {
                        tracing::debug!("401: token refreshed, replaying once");
                        continue;
                    }
                    return Ok((self.finish(resp, operation, retry_on_failure).await, attempts));
                }
                Ok(resp) => {
                    let status = resp.status();
                    let (retry, count, max) = if status == StatusCode::TOO_MANY_REQUESTS {
                        (true, &mut rate_limited, s.retry.max_rate_limited_retries)
                    } else {
                        (is_retryable_status(status) && retry_on_failure, &mut failures, s.retry.max_retries)
                    };
                    if retry && more && *count < max {
                        // Wait at least what the server asks; past the cap, not at all.
                        let wait = match retry_after(resp.headers(), SystemTime::now()) {
                            Some(asked) if asked > s.retry.max_retry_after => None,
                            Some(asked) => Some(s.retry.at_least(asked)),
                            None => Some(s.retry.backoff(*count + 1)),
                        };
                        match wait {
                            Some(wait) if s.budget.try_spend() => {
                                *count += 1;
                                tracing::info!(status = status.as_u16(), wait_ms = wait.as_millis() as u64, "retrying");
                                wait
                            }
                            _ => return Ok((self.finish(resp, operation, retry_on_failure).await, attempts)),
                        }
                    } else if status.is_success() && json {
                        // Read a JSON body here, so that a connection that breaks
                        // mid-body is retried like one that breaks before it.
                        match self.buffer_json(resp, null_if_empty).await {
                            Ok(resp) => {
                                s.budget.refill();
                                return Ok((resp, attempts));
                            }
                            Err((e, parts)) if retry_on_failure && more && failures < s.retry.max_retries && s.budget.try_spend() => {
                                drop(parts);
                                failures += 1;
                                let wait = s.retry.backoff(failures);
                                tracing::info!(error = %e, wait_ms = wait.as_millis() as u64, "retrying after a broken response body");
                                wait
                            }
                            Err((e, parts)) => return Ok((parts.broken_off(&e), attempts)),
                        }
                    } else {
                        if status.is_success() {
                            s.budget.refill();
                        }
                        return Ok((self.finish(resp, operation, retry_on_failure).await, attempts));
                    }
                }
                Err(e) => {
                    // A failed connection means the request never left; a
                    // connection that broke while sending (a stale pooled
                    // connection) may or may not have delivered it, which
                    // only idempotent requests may ignore.
                    let never_sent = e.is_connect();
                    let transient = never_sent || e.is_timeout() || e.is_request();
                    if transient
                        && (retry_on_failure || never_sent)
                        && more
                        && failures < s.retry.max_retries
                        && s.budget.try_spend()
                    {
                        failures += 1;
                        let wait = s.retry.backoff(failures);
                        tracing::info!(error = %e, wait_ms = wait.as_millis() as u64, "retrying after a transport error");
                        wait
                    } else {
                        return Err(e);
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// A JSON success response with its body read (at most the cap); the
    /// error says why not, with the response's parts.
    async fn buffer_json(&self, mut response: reqwest::Response, null_if_empty: bool) -> Result<reqwest::Response, (String, Parts)> {
        let cap = self.shared.body_limits.success;
        let read = body::read(&mut response, cap, true).await;
        let parts = Parts::of(&mut response);
        match read {
            body::Read::Whole(b) if null_if_empty => Ok(parts.rebuild(empty_as_null(b))),
            body::Read::Whole(b) => Ok(parts.rebuild(b)),
            body::Read::Capped(_) => {
                let message = format!("the {} response's body is larger than the {cap}-byte limit", parts.status);
                Ok(parts.failing(message))
            }
            body::Read::Broken(b, e) => Err((format!("after {} bytes: {e}", b.len()), parts)),
        }
    }

    /// The response as the generated code gets it: an error body read (at
    /// most its cap) and marked when the request must not be replayed; a
    /// JSON success body read (at most its cap).
    async fn finish(&self, response: reqwest::Response, operation: Option<&Operation>, replay_safe: bool) -> reqwest::Response {
        let status = response.status();
        if status.is_client_error() || status.is_server_error() {
            let mut response = body::error_response(response, self.shared.body_limits.error).await;
            if !replay_safe {
                response.headers_mut().insert(NOT_REPLAYABLE_HEADER, HeaderValue::from_static("true"));
            }
            return response;
        }
        let null_if_empty = operation.is_some_and(|o| o.empty_success_is_null);
        if status.is_success() && (reads_json(operation) || null_if_empty) {
            return match self.buffer_json(response, null_if_empty).await {
                Ok(r) => r,
                Err((e, parts)) => parts.broken_off(&e),
            };
        }
        response
    }
}

/// An empty body as `null`: some operations answer success with no body.
fn empty_as_null(body: bytes::Bytes) -> bytes::Bytes {
    if body.iter().all(u8::is_ascii_whitespace) { bytes::Bytes::from_static(b"null") } else { body }
}

/// Whether the request may be sent again without changing what it does:
/// an idempotent method, or a read-only POST (search).
pub(crate) fn replay_safe(method: &reqwest::Method, operation: Option<&Operation>) -> bool {
    is_idempotent(method) || (method == reqwest::Method::POST && operation.is_some_and(|o| is_read_only_post(o.path)))
}

/// Whether the operation's success body is JSON (not a download to stream).
fn reads_json(operation: Option<&Operation>) -> bool {
    operation.is_some_and(|o| o.accept.is_some_and(|a| a.starts_with("application/json")))
}

