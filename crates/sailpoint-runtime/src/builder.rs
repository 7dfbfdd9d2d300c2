//! Building a [`Runtime`]: its options, their defaults, and the checks of
//! the base URL.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::Error;
use crate::auth::{Auth, Credentials};
use crate::body::BodyLimits;
use crate::limiter::{Limiter, RateLimit};
use crate::retry::{RetryBudget, RetryConfig};
use crate::runtime::{Runtime, Shared, join};

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
        let budget = Arc::new(RetryBudget::new(self.retry.budget, self.retry.budget_refill));
        Ok(Shared {
            base_url,
            http,
            auth: Auth::new(self.credentials, token_url, self.retry.clone(), budget.clone()),
            experimental: self.experimental,
            asked_by_server: Default::default(),
            budget,
            body_limits: self.body_limits,
            retry: self.retry,
            limiter,
        })
    }

    /// The runtime; fails on an invalid base URL or an incomplete
    /// configuration.
    pub fn build(self) -> Result<Runtime, Error> {
        Ok(Runtime::from_shared(Arc::new(self.shared()?)))
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

impl Runtime {
    /// A builder, with every option at its default.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }
}
