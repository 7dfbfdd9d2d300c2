//! The client-side rate limit: SailPoint allows 100 requests per 10 seconds
//! per client id and API version, and answers 429 beyond that. Waiting
//! here costs less than a 429 and its `Retry-After`.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A request rate: `requests` per `period`, with bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per period.
    pub requests: u32,
    /// The period.
    pub period: Duration,
    /// Requests that may go at once before the pace applies.
    pub burst: u32,
}

impl Default for RateLimit {
    /// SailPoint's documented limit, 100 requests per 10 s, in bursts of 10.
    fn default() -> Self {
        Self { requests: 100, period: Duration::from_secs(10), burst: 10 }
    }
}

/// One limiter per (client id, API version).
#[derive(Debug)]
pub(crate) struct Limiter {
    inner: DefaultKeyedRateLimiter<String>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Result<Self, String> {
        let requests = NonZeroU32::new(limit.requests).ok_or("the rate limit needs at least one request per period")?;
        let burst = NonZeroU32::new(limit.burst.min(limit.requests)).ok_or("the rate limit burst must be at least 1")?;
        let per_request = limit.period / requests.get();
        let quota = Quota::with_period(per_request).ok_or("the rate limit period must not be zero")?.allow_burst(burst);
        Ok(Self { inner: RateLimiter::keyed(quota) })
    }

    /// Waits until a request for `key` may go.
    pub async fn acquire(&self, key: &str) {
        self.inner.until_key_ready(&key.to_string()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn paces_after_the_burst() {
        let l = Limiter::new(RateLimit { requests: 10, period: Duration::from_secs(1), burst: 2 }).unwrap();
        let start = std::time::Instant::now();
        for _ in 0..4 {
            l.acquire("c/v3").await;
        }
        // two at once, then one per 100 ms
        assert!(start.elapsed() >= Duration::from_millis(190), "{:?}", start.elapsed());
        assert!(l.inner.check_key(&"c/beta".to_string()).is_ok(), "keys are independent");
        assert!(l.inner.check_key(&"c/v3".to_string()).is_err(), "c/v3 is being paced");
        assert!(Limiter::new(RateLimit { requests: 0, ..RateLimit::default() }).is_err());
    }
}
