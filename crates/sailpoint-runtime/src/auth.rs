//! Access tokens: OAuth2 client credentials, cached and refreshed once for
//! all concurrent requests.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
// tokio's clock, so that tests can move time on (`tokio::time::advance`).
use tokio::time::Instant;

use crate::Error;
use crate::RetryConfig;
use crate::retry::{Call, Outcome, Retries, RetryBudget, decide};

/// How the client authenticates.
///
/// A personal access token is a client id and secret, and uses the client
/// credentials flow too. `Debug` never shows a secret.
#[derive(Clone)]
pub enum Credentials {
    /// OAuth2 client credentials (an API client or a personal access token).
    ClientCredentials {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: SecretString,
    },
    /// An access token obtained elsewhere; it is used as is, never refreshed.
    AccessToken(SecretString),
}

impl Credentials {
    /// Client credentials from an id and a secret.
    pub fn client_credentials(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self::ClientCredentials { client_id: client_id.into(), client_secret: SecretString::from(client_secret.into()) }
    }

    /// A pre-obtained access token.
    pub fn access_token(token: impl Into<String>) -> Self {
        Self::AccessToken(SecretString::from(token.into()))
    }

    /// The client id, if any (it is not a secret).
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::ClientCredentials { client_id, .. } => Some(client_id),
            Self::AccessToken(_) => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClientCredentials { client_id, .. } => {
                f.debug_struct("ClientCredentials").field("client_id", client_id).field("client_secret", &"[redacted]").finish()
            }
            Self::AccessToken(_) => f.write_str("AccessToken([redacted])"),
        }
    }
}

/// The `Authorization` header value of a token.
pub(crate) struct Bearer {
    pub header: HeaderValue,
}

struct Cached {
    /// `Bearer <token>`, marked sensitive, made once per token.
    header: HeaderValue,
    /// When to start asking for the next token.
    refresh_at: Instant,
    /// When the token stops being valid.
    expires_at: Instant,
}

/// A failed series of token requests, shared with every caller until `until`.
struct Failure {
    message: String,
    until: Instant,
}

#[derive(Default)]
struct State {
    token: Option<Cached>,
    failure: Option<Failure>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    expires_in: Option<f64>,
}

/// How long a failed token request series is reported to every caller
/// before the next series starts.
const FAILURE_TTL: Duration = Duration::from_secs(2);
/// The largest token response read (a token is a few KiB).
const TOKEN_BODY_LIMIT: usize = 64 * 1024;
/// The longest one series of token requests (with its retries) may take.
const SERIES_DEADLINE: Duration = Duration::from_secs(30);

/// The token source of a runtime, shared by its clones.
pub(crate) struct Auth {
    credentials: Option<Credentials>,
    token_url: Option<reqwest::Url>,
    state: std::sync::Mutex<State>,
    /// Held by the one caller asking for a token; the others wait on it.
    refresh: Mutex<()>,
    retry: RetryConfig,
    /// The runtime's retry budget: token retries draw on it like any other.
    budget: Arc<RetryBudget>,
}

/// Why one token request failed, and what may be tried next.
struct Failed {
    message: String,
    again: Again,
}

/// Whether a failed token request may be sent again, as any request would be.
enum Again {
    Never,
    /// An error status: retried by the same rules (and `Retry-After`) as an API call's.
    AfterStatus(reqwest::StatusCode, reqwest::header::HeaderMap),
    /// The request failed on the way.
    AfterTransport(reqwest::Error),
    /// The response body broke off.
    AfterBrokenBody,
}

impl Failed {
    fn never(message: String) -> Self {
        Self { message, again: Again::Never }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth").field("credentials", &self.credentials).field("token_url", &self.token_url).finish()
    }
}

fn bearer_header(token: &SecretString) -> Result<HeaderValue, String> {
    let mut v = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .map_err(|_| "the access token is not a valid header value".to_string())?;
    v.set_sensitive(true);
    Ok(v)
}

/// Refresh this long before the token expires: a tenth of its lifetime,
/// at most a minute.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

/// What the cache holds for a caller at `now`.
enum Lookup {
    /// A token, not yet due for refresh.
    Fresh(HeaderValue),
    /// A token due for refresh but still valid.
    Due(HeaderValue),
    /// A recent failure.
    Failed(String),
    /// Nothing usable.
    Empty,
}

impl Auth {
    pub fn new(
        credentials: Option<Credentials>,
        token_url: Option<reqwest::Url>,
        retry: RetryConfig,
        budget: Arc<RetryBudget>,
    ) -> Self {
        Self { credentials, token_url, state: Default::default(), refresh: Mutex::new(()), retry, budget }
    }

    pub fn client_id(&self) -> Option<&str> {
        self.credentials.as_ref().and_then(Credentials::client_id)
    }

    /// Whether a rejected token can be replaced by asking for a new one.
    pub fn can_refresh(&self) -> bool {
        matches!(self.credentials, Some(Credentials::ClientCredentials { .. }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lookup(&self, now: Instant) -> Lookup {
        let state = self.state();
        let recent_failure = state.failure.as_ref().filter(|f| now < f.until);
        match (&state.token, recent_failure) {
            (Some(t), _) if now < t.refresh_at => Lookup::Fresh(t.header.clone()),
            (Some(t), _) if now < t.expires_at => Lookup::Due(t.header.clone()),
            (_, Some(f)) => Lookup::Failed(f.message.clone()),
            _ => Lookup::Empty,
        }
    }

    /// The token to send, fetching one if there is none or it is due.
    ///
    /// One caller at a time asks the token endpoint; a token due for
    /// refresh but still valid is used by everyone else meanwhile, and
    /// kept if the refresh fails. Without a valid token, callers wait for
    /// the one series of requests and share its outcome; a failure is
    /// reported to every caller for a moment before a new series starts.
    /// `Ok(None)`: no credentials configured.
    pub async fn bearer(&self, http: &reqwest::Client) -> Result<Option<Bearer>, Error> {
        self.bearer_or_why(http).await.map_err(Error::authentication)
    }

    /// The token to send without asking for one (for a request ahead of
    /// need): `Some(None)` without credentials, `None` when there is no
    /// valid token now.
    pub fn cached_bearer(&self) -> Option<Option<Bearer>> {
        match &self.credentials {
            None => Some(None),
            Some(Credentials::AccessToken(t)) => bearer_header(t).ok().map(|header| Some(Bearer { header })),
            Some(Credentials::ClientCredentials { .. }) => match self.lookup(Instant::now()) {
                Lookup::Fresh(header) | Lookup::Due(header) => Some(Some(Bearer { header })),
                Lookup::Failed(_) | Lookup::Empty => None,
            },
        }
    }

    async fn bearer_or_why(&self, http: &reqwest::Client) -> Result<Option<Bearer>, String> {
        let (client_id, secret) = match &self.credentials {
            None => return Ok(None),
            Some(Credentials::AccessToken(t)) => return Ok(Some(Bearer { header: bearer_header(t)? })),
            Some(Credentials::ClientCredentials { client_id, client_secret }) => (client_id, client_secret),
        };
        match self.lookup(Instant::now()) {
            Lookup::Fresh(header) => return Ok(Some(Bearer { header })),
            Lookup::Due(header) => {
                // Refresh if nobody else is; the current token serves meanwhile.
                let Ok(_turn) = self.refresh.try_lock() else { return Ok(Some(Bearer { header })) };
                if self.state().failure.as_ref().is_some_and(|f| Instant::now() < f.until) {
                    return Ok(Some(Bearer { header }));
                }
                return match self.series(http, client_id, secret).await {
                    Ok(fresh) => Ok(Some(Bearer { header: fresh })),
                    Err(message) => {
                        tracing::warn!("token refresh failed ({message}); using the current token until it expires");
                        Ok(Some(Bearer { header }))
                    }
                };
            }
            Lookup::Failed(message) => return Err(message),
            Lookup::Empty => {}
        }
        let _turn = self.refresh.lock().await;
        // Someone else may have fetched a token, or failed to, meanwhile.
        match self.lookup(Instant::now()) {
            Lookup::Fresh(header) | Lookup::Due(header) => return Ok(Some(Bearer { header })),
            Lookup::Failed(message) => return Err(message),
            Lookup::Empty => {}
        }
        self.series(http, client_id, secret).await.map(|header| Some(Bearer { header }))
    }

    /// One series of token requests, under its deadline; records the token
    /// or the failure. The caller holds `refresh`.
    async fn series(&self, http: &reqwest::Client, client_id: &str, secret: &SecretString) -> Result<HeaderValue, String> {
        let outcome = match tokio::time::timeout(SERIES_DEADLINE, self.fetch(http, client_id, secret)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("no token within {} s", SERIES_DEADLINE.as_secs())),
        };
        let mut state = self.state();
        match outcome {
            Ok(fresh) => {
                let header = fresh.header.clone();
                state.token = Some(fresh);
                state.failure = None;
                Ok(header)
            }
            Err(message) => {
                state.failure = Some(Failure { message: message.clone(), until: Instant::now() + FAILURE_TTL });
                Err(message)
            }
        }
    }

    /// Forgets the token that was `sent` (and rejected with a 401), unless
    /// another request has replaced it already.
    pub async fn invalidate(&self, sent: Option<&HeaderValue>) {
        let mut state = self.state();
        if state.token.as_ref().is_some_and(|c| Some(&c.header) == sent) {
            state.token = None;
        }
    }

    /// Asks the token endpoint, retrying what an API call would retry, by
    /// the same rules: a 429 or a 408/500/502/503/504 after its
    /// `Retry-After` (seconds or an HTTP date) or the backoff, a connection
    /// error, a timeout, a body that broke off (the token request is
    /// read-only). A wait that would end past the series' deadline is not
    /// started: the failure is reported at once.
    async fn fetch(&self, http: &reqwest::Client, client_id: &str, secret: &SecretString) -> Result<Cached, String> {
        let deadline = Instant::now() + SERIES_DEADLINE;
        let mut retries = Retries::new(&self.retry, &self.budget);
        loop {
            let Failed { message, again } = match self.fetch_once(http, client_id, secret).await {
                Ok(token) => return Ok(token),
                Err(failed) => failed,
            };
            // The token request reads only: it may be sent again after any failure.
            let call = Call { can_resend: true, replay_safe: true, counts: retries.counts(), ..Call::default() };
            let outcome = match &again {
                Again::Never => None,
                Again::AfterStatus(status, headers) => Some(Outcome::Response { status: *status, headers, refusal: false }),
                Again::AfterTransport(e) => Some(Outcome::of_error(e)),
                Again::AfterBrokenBody => Some(Outcome::BrokenBody),
            };
            let wait = outcome.and_then(|o| retries.take(decide(o, &call, retries.config(), SystemTime::now())));
            let Some(wait) = wait else { return Err(message) };
            if Instant::now() + wait >= deadline {
                return Err(format!(
                    "{message} (not retried: the wait of {:.1} s would end past the token request's {} s deadline)",
                    wait.as_secs_f64(),
                    SERIES_DEADLINE.as_secs()
                ));
            }
            tracing::info!(wait_ms = wait.as_millis() as u64, "token request failed ({message}); retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One token request; the error says whether it is worth retrying.
    async fn fetch_once(&self, http: &reqwest::Client, client_id: &str, secret: &SecretString) -> Result<Cached, Failed> {
        let permanent = Failed::never;
        let url = self.token_url.clone().ok_or_else(|| permanent("no base URL to derive the token URL from".to_string()))?;
        let form = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret.expose_secret())];
        let body = serde_urlencoded::to_string(form).map_err(|e| permanent(format!("{e}")))?;
        let started = Instant::now();
        let response = http
            .post(url.clone())
            .header(ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| Failed { message: format!("token request to {url} failed: {e}"), again: Again::AfterTransport(e) })?;
        let status = response.status();
        if status.is_redirection() || response.url() != &url {
            let to = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("?").to_string();
            return Err(permanent(format!(
                "the token endpoint {url} answered HTTP {status} (to {to}); token requests follow no redirect"
            )));
        }
        let mut response = response;
        let bytes = match crate::body::read(&mut response, TOKEN_BODY_LIMIT, true).await {
            crate::body::Read::Whole(b) => b,
            crate::body::Read::Capped(_) => {
                return Err(permanent(format!("the token response from {url} is larger than {TOKEN_BODY_LIMIT} bytes")));
            }
            crate::body::Read::Broken(_, e) => {
                return Err(Failed { message: format!("reading the token response: {e}"), again: Again::AfterBrokenBody });
            }
        };
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.chars().take(500).collect();
            return Err(Failed {
                message: format!("token request to {url} returned HTTP {status}: {}", text.trim()),
                again: Again::AfterStatus(status, response.headers().clone()),
            });
        }
        let parsed: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| permanent(format!("token response from {url} (HTTP {status}) is not a token: {e}")))?;
        if parsed.access_token.expose_secret().is_empty() {
            return Err(permanent(format!("token response from {url} has an empty access_token")));
        }
        let lifetime = parsed
            .expires_in
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| Duration::from_secs_f64(s.min(86_400.0 * 365.0)))
            .ok_or_else(|| permanent(format!("token response from {url} has no usable expires_in")))?;
        tracing::debug!(client_id, lifetime_s = lifetime.as_secs_f64(), "access token obtained");
        let header = bearer_header(&parsed.access_token).map_err(permanent)?;
        Ok(Cached { header, refresh_at: started + lifetime - margin(lifetime), expires_at: started + lifetime })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::client_credentials("id-1", "canary-secret");
        let t = Credentials::access_token("canary-token");
        let shown = format!("{c:?} {t:?}");
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("id-1"));
    }

    #[test]
    fn margin_is_a_tenth_capped() {
        assert_eq!(margin(Duration::from_secs(10)), Duration::from_secs(1));
        assert_eq!(margin(Duration::from_secs(43_200)), Duration::from_secs(60));
    }
}
