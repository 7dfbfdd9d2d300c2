//! When and how long to wait before trying a request again.
//!
//! - 429: the request was refused before it was processed, so every method
//!   is retried, after `Retry-After` (seconds or an HTTP date), never
//!   sooner; a wait longer than the cap is not made (the 429 is returned).
//! - 502, 503, 504, timeouts and connection failures: idempotent methods,
//!   read-only POSTs (search, `/oauth/token`) and requests that never left
//!   are retried after an exponential backoff with full jitter.
//! - Attempts are bounded, and a shared budget stops retries during an
//!   outage so that they do not multiply the load.
//!
//! The jitter is one line of arithmetic; the well-known backoff crates add
//! jitter to the delay instead of drawing the whole delay (full jitter).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

/// Retry settings.
#[derive(Debug, Clone)]
pub struct RetryConfig {
    /// Retries after a 5xx or a transport failure (default 3).
    pub max_retries: u32,
    /// Retries after a 429 (default 10): the server said when to come back.
    pub max_rate_limited_retries: u32,
    /// First backoff ceiling (default 250 ms); doubles each attempt.
    pub base_delay: Duration,
    /// Largest backoff (default 20 s).
    pub max_delay: Duration,
    /// Longest `Retry-After` the client waits (default 60 s); a longer one
    /// returns the 429 to the caller.
    pub max_retry_after: Duration,
    /// Wait after a 429 without `Retry-After` (default 1 s).
    pub default_retry_after: Duration,
    /// Retry budget: tokens in the shared bucket (default 500). A retry
    /// after a failure costs 5, a success gives 1 back.
    pub budget: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_rate_limited_retries: 10,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            default_retry_after: Duration::from_secs(1),
            budget: 500,
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_retries: 0, max_rate_limited_retries: 0, ..Self::default() }
    }

    /// Full-jitter backoff before retry number `retry` (1-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

const RETRY_COST: i64 = 5;

/// A token bucket shared by the clones of a runtime.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: AtomicI64,
    capacity: i64,
}

impl RetryBudget {
    pub fn new(capacity: u32) -> Self {
        Self { tokens: AtomicI64::new(capacity.into()), capacity: capacity.into() }
    }

    /// Takes the cost of one retry; false when the budget is spent.
    pub fn try_spend(&self) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| (t >= RETRY_COST).then_some(t - RETRY_COST))
            .is_ok()
    }

    /// A success refills one token.
    pub fn refill(&self) {
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| (t < self.capacity).then_some(t + 1));
    }
}

/// Methods whose repetition has the effect of one request.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
}

/// POSTs that only read: the search endpoints.
pub fn is_read_only_post(path_template: &str) -> bool {
    path_template == "/search" || path_template.starts_with("/search/")
}

/// 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 502..=504)
}

/// `Retry-After` as a duration from `now`: delta-seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, httpdate::fmt_http_date(now + Duration::from_secs(30)).parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        h.insert(RETRY_AFTER, httpdate::fmt_http_date(now - Duration::from_secs(30)).parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn backoff_is_full_jitter_and_capped() {
        let c = RetryConfig { base_delay: Duration::from_millis(100), max_delay: Duration::from_millis(300), ..RetryConfig::default() };
        for retry in 1..10 {
            let d = c.backoff(retry);
            let ceiling = Duration::from_millis((100u64 << (retry - 1)).min(300));
            assert!(d <= ceiling, "{d:?} > {ceiling:?}");
        }
    }

    #[test]
    fn budget_runs_out_and_refills() {
        let b = RetryBudget::new(10);
        assert!(b.try_spend() && b.try_spend());
        assert!(!b.try_spend());
        for _ in 0..5 {
            b.refill();
        }
        assert!(b.try_spend());
    }

    #[test]
    fn methods() {
        assert!(is_idempotent(&Method::PUT) && !is_idempotent(&Method::POST) && !is_idempotent(&Method::PATCH));
        assert!(is_read_only_post("/search") && is_read_only_post("/search/count") && !is_read_only_post("/sources"));
    }
}
