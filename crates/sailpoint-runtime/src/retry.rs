//! When and how long to wait before trying a request again.
//!
//! - 429: the request was refused before it was processed, so every method
//!   is retried.
//! - 408, 500, 502, 503, 504, timeouts and broken connections: requests
//!   the operation table marks replay-safe (idempotent methods, and POSTs
//!   that only read, such as search) are retried; other requests only when
//!   they never left (a failed connection). 501 and other statuses
//!   are never retried.
//! - The wait: the response's `Retry-After` (seconds or an HTTP date), never
//!   less, plus a little jitter; a `Retry-After` longer than the cap is not
//!   waited out (the response is returned at once). Without `Retry-After`,
//!   an exponential backoff with full jitter.
//! - Attempts are bounded, and every retry (429s included) draws on a
//!   shared budget that successes refill, so that retries add at most a
//!   tenth to the load however many calls fail.
//!
//! The jitter is one line of arithmetic; the well-known backoff crates add
//! jitter to the delay instead of drawing the whole delay (full jitter).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Retry settings. The fields can be read; set them with the `with_`
/// methods (new settings may come without a breaking change):
///
/// ```
/// use std::time::Duration;
/// let retry = sailpoint_runtime::RetryConfig::default().with_max_retries(5).with_max_delay(Duration::from_secs(5));
/// assert_eq!(retry.max_retries, 5);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// returns the response (429, 503…) to the caller at once.
    pub max_retry_after: Duration,
    /// Retry budget: retries the client may make before successes earn
    /// more (default 20). Shared by the clones of a runtime.
    pub budget: u32,
    /// Retries each success earns (default 0.08). With the defaults, any
    /// 1,000 calls make at most 100 retries: 20 from the budget, 80 earned.
    pub budget_refill: f64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_rate_limited_retries: 10,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            budget: 20,
            budget_refill: 0.08,
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_retries: 0, max_rate_limited_retries: 0, ..Self::default() }
    }

    /// Retries after a 5xx or a transport failure.
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Retries after a 429.
    pub fn with_max_rate_limited_retries(mut self, retries: u32) -> Self {
        self.max_rate_limited_retries = retries;
        self
    }

    /// The first backoff ceiling; it doubles each attempt.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest backoff.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` the client waits.
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The retry budget: retries the client may make before successes earn more.
    pub fn with_budget(mut self, retries: u32) -> Self {
        self.budget = retries;
        self
    }

    /// Retries each success earns (0 to 1).
    pub fn with_budget_refill(mut self, per_success: f64) -> Self {
        self.budget_refill = per_success;
        self
    }

    /// Full-jitter backoff before retry number `retry` (1-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }

    /// The wait the server asked for, plus up to one base delay of jitter so
    /// that clients told the same `Retry-After` do not come back at once.
    pub fn at_least(&self, asked: Duration) -> Duration {
        asked.saturating_add(self.base_delay.mul_f64(fastrand::f64()))
    }

    /// The wait before retry number `retry` (1-based) of a response with
    /// these headers: at least its `Retry-After`, else the backoff; `None`
    /// when the server asks for longer than the cap (do not retry).
    pub(crate) fn wait_before(&self, headers: &HeaderMap, retry: u32) -> Option<Duration> {
        match retry_after(headers, SystemTime::now()) {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(self.at_least(asked)),
            None => Some(self.backoff(retry)),
        }
    }
}

/// One retry, in thousandths of a retry.
const RETRY_COST: i64 = 1000;

/// A token bucket shared by the clones of a runtime, counted in
/// thousandths of a retry.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: AtomicI64,
    capacity: i64,
    refill: i64,
}

impl RetryBudget {
    pub fn new(retries: u32, refill: f64) -> Self {
        let capacity = i64::from(retries) * RETRY_COST;
        let refill = if refill.is_finite() { (refill.clamp(0.0, 1.0) * RETRY_COST as f64) as i64 } else { 0 };
        Self { tokens: AtomicI64::new(capacity), capacity, refill }
    }

    /// Takes the cost of one retry; false when the budget is spent.
    pub fn try_spend(&self) -> bool {
        self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| (t >= RETRY_COST).then_some(t - RETRY_COST)).is_ok()
    }

    /// A success earns a share of a retry.
    pub fn refill(&self) {
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
            (t < self.capacity).then(|| (t + self.refill).min(self.capacity))
        });
    }
}

/// The retry decisions of one call: each answers "wait this long and try
/// again" or `None` (give the caller what came). They count the call's
/// retries against the settings and draw on the shared budget; the
/// pipeline asks only while the request can still be sent again.
pub(crate) struct Retries<'a> {
    config: &'a RetryConfig,
    budget: &'a RetryBudget,
    /// The operation may be repeated (`Operation::replay_safe`).
    replay_safe: bool,
    /// Retries after a 5xx, a transport failure or a broken body.
    failures: u32,
    /// Retries after a 429.
    rate_limited: u32,
}

impl<'a> Retries<'a> {
    pub(crate) fn new(config: &'a RetryConfig, budget: &'a RetryBudget, replay_safe: bool) -> Self {
        Self { config, budget, replay_safe, failures: 0, rate_limited: 0 }
    }

    /// After a response with `status` and `headers`.
    pub(crate) fn after_status(&mut self, status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
        let (count, max) = if status == StatusCode::TOO_MANY_REQUESTS {
            (&mut self.rate_limited, self.config.max_rate_limited_retries)
        } else if is_retryable_status(status) && self.replay_safe {
            (&mut self.failures, self.config.max_retries)
        } else {
            return None;
        };
        if *count >= max {
            return None;
        }
        let wait = self.config.wait_before(headers, *count + 1)?;
        if !self.budget.try_spend() {
            return None;
        }
        *count += 1;
        Some(wait)
    }

    /// After a success whose body broke off while it was read.
    pub(crate) fn after_broken_body(&mut self) -> Option<Duration> {
        self.after_failure(self.replay_safe)
    }

    /// After a transport error. A failed connection means the request never
    /// left; a connection that broke while sending (a stale pooled
    /// connection) may or may not have delivered it, which only replay-safe
    /// requests may ignore.
    pub(crate) fn after_transport_error(&mut self, error: &reqwest::Error) -> Option<Duration> {
        let never_sent = error.is_connect();
        let transient = never_sent || error.is_timeout() || error.is_request();
        self.after_failure(transient && (self.replay_safe || never_sent))
    }

    fn after_failure(&mut self, may_retry: bool) -> Option<Duration> {
        if !may_retry || self.failures >= self.config.max_retries || !self.budget.try_spend() {
            return None;
        }
        self.failures += 1;
        Some(self.config.backoff(self.failures))
    }
}

/// Statuses worth retrying for a request that may be repeated: 408, 500,
/// 502, 503, 504 (not 501: the server does not implement the request).
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 500 | 502..=504)
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

    fn fast() -> RetryConfig {
        RetryConfig { max_retries: 2, max_rate_limited_retries: 3, base_delay: Duration::from_millis(1), ..Default::default() }
    }

    /// How many retries `decide` allows in a row.
    fn allowed(mut decide: impl FnMut() -> Option<Duration>) -> usize {
        (0..100).take_while(|_| decide().is_some()).count()
    }

    #[test]
    fn each_kind_of_retry_has_its_own_bound() {
        let (config, budget) = (fast(), RetryBudget::new(100, 0.0));
        let none = HeaderMap::new();
        let mut unsafe_post = Retries::new(&config, &budget, false);
        assert_eq!(allowed(|| unsafe_post.after_status(StatusCode::SERVICE_UNAVAILABLE, &none)), 0, "not replay-safe");
        assert_eq!(allowed(|| unsafe_post.after_status(StatusCode::TOO_MANY_REQUESTS, &none)), 3, "a 429 is never processed");
        assert_eq!(allowed(|| unsafe_post.after_broken_body()), 0);
        let mut get = Retries::new(&config, &budget, true);
        assert_eq!(allowed(|| get.after_status(StatusCode::BAD_GATEWAY, &none)), 2);
        assert_eq!(allowed(|| get.after_broken_body()), 0, "5xx and broken bodies share one bound");
        let mut get = Retries::new(&config, &budget, true);
        assert_eq!(allowed(|| get.after_status(StatusCode::NOT_IMPLEMENTED, &none)), 0);
        assert_eq!(allowed(|| get.after_status(StatusCode::NOT_FOUND, &none)), 0);
        assert_eq!(allowed(|| get.after_broken_body()), 2);
    }

    #[test]
    fn the_budget_and_the_retry_after_cap_end_retries() {
        let config = RetryConfig { max_retry_after: Duration::from_secs(5), ..fast() };
        let budget = RetryBudget::new(1, 0.0);
        let mut retries = Retries::new(&config, &budget, true);
        let mut long = HeaderMap::new();
        long.insert(RETRY_AFTER, "30".parse().unwrap());
        assert_eq!(retries.after_status(StatusCode::TOO_MANY_REQUESTS, &long), None, "longer than the cap");
        assert!(retries.after_status(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new()).is_some());
        assert_eq!(retries.after_status(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new()), None, "budget spent");
        let mut other_call = Retries::new(&config, &budget, true);
        assert_eq!(other_call.after_broken_body(), None, "the budget is shared");
    }

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
        let c = RetryConfig {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetryConfig::default()
        };
        for retry in 1..10 {
            let d = c.backoff(retry);
            let ceiling = Duration::from_millis((100u64 << (retry - 1)).min(300));
            assert!(d <= ceiling, "{d:?} > {ceiling:?}");
        }
    }

    #[test]
    fn budget_runs_out_and_refills() {
        let b = RetryBudget::new(2, 0.25);
        assert!(b.try_spend() && b.try_spend());
        assert!(!b.try_spend());
        for _ in 0..3 {
            b.refill();
        }
        assert!(!b.try_spend(), "three successes earn three quarters of a retry");
        b.refill();
        assert!(b.try_spend());
        // never above the capacity
        for _ in 0..100 {
            b.refill();
        }
        assert!(b.try_spend() && b.try_spend() && !b.try_spend());
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 404, 409, 429, 501, 505] {
            assert!(!is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }
}
