//! How a mock tenant behaves.

use std::time::Duration;

/// Faults to inject, each a share of API requests (0.0 to 1.0), drawn
/// from dice seeded with [`Faults::seed`] (one draw per request: the
/// sequence repeats, and which request gets which draw follows the order
/// requests arrive in); the token endpoint has its own
/// ([`Faults::token_errors`]). [`MockTenant::faults_injected`](crate::MockTenant::faults_injected)
/// counts them by kind.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer 429 with `Retry-After` ([`Faults::retry_after_secs`]).
    pub rate_limited: f64,
    /// Answer 429 without `Retry-After`.
    pub rate_limited_bare: f64,
    /// Seconds in the `Retry-After` of [`Faults::rate_limited`] (`None`: 1).
    pub retry_after_secs: Option<u64>,
    /// Answer 500, 503 or 504 with SailPoint's error body (the request is
    /// not carried out).
    pub server_errors: f64,
    /// Answer 502 with an HTML page, as a proxy does (not carried out).
    pub non_json: f64,
    /// Close the connection without an answer, before the request is
    /// carried out.
    pub reset_before: f64,
    /// Carry the request out, then close the connection without an answer.
    pub reset_after: f64,
    /// Answer 200 and its headers, then cut the connection (not carried out).
    pub dropped: f64,
    /// Carry the request out, then send half of its body and cut the
    /// connection.
    pub truncated: f64,
    /// Carry the request out, then send its body in four pieces,
    /// [`Faults::slow_pause`] apart.
    pub slow: f64,
    /// The pause between the pieces of a [`Faults::slow`] body.
    pub slow_pause: Duration,
    /// Refuse a valid token with 401 "JWT is expired" and forget it, as if
    /// it had expired early: the client must get a new one.
    pub revoked_tokens: f64,
    /// Share of token requests answered 503, or 429 with `Retry-After: 0`,
    /// drawn from dice of their own (seeded too): the n-th token request
    /// meets the same draw in every run.
    pub token_errors: f64,
    /// Wait this long before answering.
    pub latency: Duration,
    /// Listings ignore `offset` and always serve the first page (a broken
    /// server: a client must not loop or yield duplicates).
    pub ignore_offset: bool,
    /// The token endpoint answers `307` to this URL instead of a token (a
    /// client must not send its secret there).
    pub token_redirect: Option<String>,
    /// Seed of the fault dice (the same seed, the same sequence of draws).
    pub seed: u64,
}

/// A mock tenant's configuration.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// Client ids and secrets that may get tokens.
    pub clients: Vec<(String, String)>,
    /// Lifetime of the tokens it issues.
    pub token_lifetime: Duration,
    /// Synthetic accounts.
    pub accounts: u64,
    /// Synthetic identities (also the search index).
    pub identities: u64,
    /// Requests per period per client id and API version, counted in fixed
    /// windows as SailPoint does (`None`: no limit).
    pub rate_limit: Option<(u32, Duration)>,
    /// Injected faults.
    pub faults: Faults,
    /// Compress response bodies for clients that ask (`Accept-Encoding`:
    /// zstd, br or gzip), as SailPoint's servers do. Default: on.
    pub compression: bool,
    /// Send each response at most this many bytes per second, as over a
    /// slow link (`None`, the default: as fast as the machine goes). The
    /// cap applies to the bytes on the wire, after compression.
    pub bandwidth: Option<u64>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            port: 0,
            clients: vec![("mock-client-id".into(), "mock-client-secret".into())],
            token_lifetime: Duration::from_secs(3600),
            accounts: 1_000,
            identities: 1_000,
            rate_limit: Some((100, Duration::from_secs(10))),
            faults: Faults::default(),
            compression: true,
            bandwidth: None,
        }
    }
}
