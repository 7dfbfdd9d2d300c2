//! The client-side rate limit: SailPoint allows 100 requests per 10 seconds
//! per client id and API version, and answers 429 beyond that. Waiting
//! here costs less than a 429 and its `Retry-After`.
//!
//! A request holds its place in the limit from the moment it may go until
//! one `period` after it completed: a request goes only when fewer than
//! `requests` are in flight or completed within the last `period`. The
//! server sees a request between those two moments, so no window of that
//! length, however it is placed (SailPoint counts in fixed windows) and
//! however late the network delivers, ever holds more than `requests`.
//! Bursts of the whole quota still go at once. Waiting callers go in the
//! order they came (tokio's mutex is fair).
//!
//! governor's GCRA, used before, cannot express this: its burst comes on
//! top of the rate, which lets `burst + requests` through in the first
//! period, and it cannot see network delays.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// A request rate: at most `requests` in any `period`.
///
/// ```
/// use std::time::Duration;
/// let limit = sailpoint_runtime::RateLimit::new(50, Duration::from_secs(10));
/// assert_eq!((limit.requests, limit.period), (50, Duration::from_secs(10)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in any window of `period`.
    pub requests: u32,
    /// The window.
    pub period: Duration,
}

impl RateLimit {
    /// At most `requests` in any window of `period`.
    pub fn new(requests: u32, period: Duration) -> Self {
        Self { requests, period }
    }
}

impl Default for RateLimit {
    /// SailPoint's documented limit: 100 requests per 10 s.
    fn default() -> Self {
        Self { requests: 100, period: Duration::from_secs(10) }
    }
}

/// The requests of one key that still count.
#[derive(Debug, Default)]
struct Counted {
    in_flight: usize,
    /// When the completed ones completed, oldest first.
    completed: VecDeque<Instant>,
}

/// The limit of one (client id, API version).
#[derive(Debug, Default)]
struct Window {
    /// Held by the caller whose turn it is; the others queue in order.
    turn: tokio::sync::Mutex<()>,
    counted: Mutex<Counted>,
    /// Told when a request completes.
    completed: Notify,
}

impl Window {
    fn counted(&self) -> MutexGuard<'_, Counted> {
        self.counted.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A place in the limit, held while the request is in flight.
#[derive(Debug)]
pub(crate) struct Permit {
    window: Arc<Window>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counted = self.window.counted();
        counted.in_flight = counted.in_flight.saturating_sub(1);
        counted.completed.push_back(Instant::now());
        drop(counted);
        self.window.completed.notify_one();
    }
}

/// One window per (client id, API version).
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    windows: Mutex<HashMap<String, Arc<Window>>>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Result<Self, String> {
        if limit.requests == 0 {
            return Err("the rate limit needs at least one request per period".into());
        }
        if limit.period.is_zero() {
            return Err("the rate limit period must not be zero".into());
        }
        Ok(Self { limit, windows: Mutex::new(HashMap::new()) })
    }

    fn window(&self, key: &str) -> Arc<Window> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        match windows.get(key) {
            Some(w) => w.clone(),
            None => windows.entry(key.to_string()).or_default().clone(),
        }
    }

    /// A place for a request ahead of need (see `ahead`), if one is free
    /// now: nobody is waiting for one, and one stays free after it.
    pub fn try_acquire(&self, key: &str) -> Option<Permit> {
        let window = self.window(key);
        let _turn = window.turn.try_lock().ok()?;
        let mut counted = window.counted();
        let now = Instant::now();
        while counted.completed.front().is_some_and(|&t| now.duration_since(t) >= self.limit.period) {
            counted.completed.pop_front();
        }
        if counted.in_flight + counted.completed.len() + 1 < self.limit.requests as usize {
            counted.in_flight += 1;
            drop(counted);
            return Some(Permit { window: window.clone() });
        }
        None
    }

    /// Waits until a request for `key` may go; it counts until the permit
    /// is dropped, and for one period after.
    pub async fn acquire(&self, key: &str) -> Permit {
        let window = self.window(key);
        let _turn = window.turn.lock().await;
        loop {
            let next_free = {
                let mut counted = window.counted();
                let now = Instant::now();
                while counted.completed.front().is_some_and(|&t| now.duration_since(t) >= self.limit.period) {
                    counted.completed.pop_front();
                }
                if counted.in_flight + counted.completed.len() < self.limit.requests as usize {
                    counted.in_flight += 1;
                    return Permit { window: window.clone() };
                }
                counted.completed.front().map(|&t| t + self.limit.period)
            };
            // A completion (its notice is kept if it comes before we wait) or the oldest leaving the window.
            match next_free {
                Some(at) => {
                    let _ = tokio::time::timeout_at(at, window.completed.notified()).await;
                }
                None => window.completed.notified().await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_quota_in_any_window() {
        let period = Duration::from_secs(1);
        let l = Limiter::new(RateLimit { requests: 10, period }).unwrap();
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..35 {
            drop(l.acquire("c/v3").await);
            times.push(start.elapsed());
        }
        // the first 10 at once, then 10 per second
        assert!(times[9] < Duration::from_millis(1), "{:?}", times[9]);
        assert!(times[10] >= period, "{:?}", times[10]);
        for (i, t) in times.iter().enumerate().skip(10) {
            assert!(*t - times[i - 10] >= period, "requests {} and {i} within one window", i - 10);
        }
        // keys are independent
        let other = Instant::now();
        drop(l.acquire("c/beta").await);
        assert_eq!(other.elapsed(), Duration::ZERO);
        assert!(Limiter::new(RateLimit { requests: 0, ..RateLimit::default() }).is_err());
        assert!(Limiter::new(RateLimit { period: Duration::ZERO, ..RateLimit::default() }).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_ahead_never_waits_nor_takes_the_last_place() {
        let period = Duration::from_secs(1);
        let l = Arc::new(Limiter::new(RateLimit { requests: 3, period }).unwrap());
        let first = l.try_acquire("k").expect("free");
        let second = l.try_acquire("k").expect("free");
        assert!(l.try_acquire("k").is_none(), "the last place stays for a call that waits");
        let last = l.acquire("k").await;
        // a caller waiting for its turn is not overtaken
        let waiter = tokio::spawn({
            let l = l.clone();
            async move { drop(l.acquire("k").await) }
        });
        tokio::task::yield_now().await;
        drop((first, second, last));
        assert!(l.try_acquire("k").is_none(), "the waiter comes first");
        waiter.await.unwrap();
        tokio::time::sleep(period).await;
        assert!(l.try_acquire("k").is_some(), "free again a period later");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_counts_until_it_completes() {
        let period = Duration::from_secs(1);
        let l = Arc::new(Limiter::new(RateLimit { requests: 2, period }).unwrap());
        let slow = l.acquire("k").await;
        drop(l.acquire("k").await);
        let start = Instant::now();
        let waiter = tokio::spawn({
            let l = l.clone();
            async move {
                drop(l.acquire("k").await);
                Instant::now()
            }
        });
        // the slow request completes after 5 s; the waiter goes a period after the quicker one
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(slow);
        let went = waiter.await.unwrap();
        assert_eq!(went - start, period, "the completed request left the window after one period");
    }
}
