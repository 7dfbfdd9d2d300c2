//! The [`Runtime`]: the state every generated client shares (one HTTP
//! client, the token cache, the rate limiter, the retry budget) and what
//! callers may ask of it.

use std::fmt;
use std::sync::Arc;

use reqwest::Url;

use crate::auth::Auth;
use crate::body::BodyLimits;
use crate::limiter::Limiter;
use crate::retry::{RetryBudget, RetryConfig};
use crate::{CallOptions, Error, Operation};

/// State and policy shared by the clients of every API version: the HTTP
/// client (one connection pool), the token cache, the rate limiter and the
/// retry budget.
///
/// Cheap to clone: clones share their state.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub base_url: Option<Url>,
    pub http: reqwest::Client,
    pub auth: Auth,
    pub experimental: bool,
    /// Operations the server refused without the experimental header
    /// although no flag said so: later calls send it at once.
    pub asked_by_server: crate::experimental::AskedByServer,
    pub retry: RetryConfig,
    pub budget: Arc<RetryBudget>,
    pub limiter: Option<Limiter>,
    pub body_limits: BodyLimits,
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

impl Runtime {
    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// The HTTP client all versions share (plumbing for the generated
    /// clients and the facade's search).
    #[doc(hidden)]
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

    /// The base URL of a service's client (the per-service layout): the
    /// tenant's base URL without a trailing `/`, since the services' paths
    /// carry their own version (`/sources/v1/…`).
    pub fn services_url(&self) -> Result<String, Error> {
        let base = self.base_url().ok_or_else(|| Error::configuration("no base URL configured"))?;
        Ok(base.as_str().trim_end_matches('/').to_string())
    }

    /// Whether experimental operations may be called.
    pub fn experimental(&self) -> bool {
        self.shared.experimental
    }

    /// Sends a request built by hand for `operation` of `api_version`
    /// through the same policy as the generated methods (headers, token,
    /// rate limit, retries, tracing), with the call's `options`. An error
    /// status is an [`Error`]. Plumbing for the facade's search.
    #[doc(hidden)]
    pub async fn call(
        &self,
        request: reqwest::Request,
        operation: &'static Operation,
        api_version: &str,
        options: &CallOptions,
    ) -> Result<reqwest::Response, Error> {
        let response = self.send(request, operation, api_version, options).await?;
        let status = response.status();
        if status.is_client_error() || status.is_server_error() {
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap_or_default();
            let replay_safe = options.replay_safe_for(operation);
            let e = crate::glue::error_of(operation, replay_safe, status, &headers, &body);
            let opted_in = options.experimental_or(self.shared.experimental);
            return Err(crate::experimental::with_hint(e, status, &body, opted_in));
        }
        Ok(response)
    }
}

/// `base` joined with `path` (one `/` between them).
pub(crate) fn join(base: &Url, path: &str) -> Result<Url, Error> {
    let mut s = base.as_str().trim_end_matches('/').to_string();
    s.push('/');
    s.push_str(path);
    Url::parse(&s).map_err(|e| Error::configuration(format!("{s}: {e}")))
}
