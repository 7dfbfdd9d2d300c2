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
//! - After a 401, a call gets a new token and a replay for each token not
//!   rejected before (see `pipeline::replaces_token`); after SailPoint's 400
//!   refusal for a missing experimental header, one resend with it (see
//!   `experimental`); a request ahead of need gets one attempt.
//!
//! [`decide`] is all of it, as a pure function from an attempt's outcome
//! to the next step; `Retries` pays for a retry from the budget and counts
//! it. The pipeline carries the steps out.
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
    /// No retries: no status, broken connection or `Retry-After` is tried
    /// again. Not a retry, and still done: a request refused with a 401
    /// after the token changed goes once more with the new token, and one
    /// refused for the experimental header (with the opt-in) once more
    /// with it, when the request may be resent.
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

/// What one attempt came to, as far as the next step depends on it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// A response with its status and headers. `refusal`: a 400 whose
    /// body is SailPoint's refusal for a missing experimental header (read
    /// only when the call may resend with the header).
    Response { status: StatusCode, headers: &'a HeaderMap, refusal: bool },
    /// A success whose body broke off, or stalled, while it was read.
    BrokenBody,
    /// No response. `never_sent`: the connection failed, so the request
    /// never left. `transient`: worth another try (a timeout, a connection
    /// that failed or broke), unlike a request that could not be built.
    NoResponse { never_sent: bool, transient: bool },
}

impl Outcome<'_> {
    /// The outcome of a transport error.
    pub(crate) fn of_error(error: &reqwest::Error) -> Self {
        let never_sent = error.is_connect();
        Outcome::NoResponse { never_sent, transient: never_sent || error.is_timeout() || error.is_request() }
    }
}

/// What the pipeline knows of the call when it decides.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Call {
    /// A request ahead of need: one attempt, and no waiting.
    pub ahead: bool,
    /// The request can be sent again (its body is not a reader).
    pub can_resend: bool,
    /// It may be repeated without changing what it does.
    pub replay_safe: bool,
    /// The client gets its own tokens (client credentials).
    pub can_refresh: bool,
    /// The token sent had not been rejected before in this call, and the
    /// call has token replays left (see `pipeline::replaces_token`).
    pub token_is_new: bool,
    /// No token has been rejected in this call yet.
    pub none_rejected: bool,
    /// A 400 refusal for a missing experimental header may be answered by
    /// sending again with it (see `experimental::may_resend`), which this
    /// call has not done yet.
    pub may_add_experimental: bool,
    /// The retries made so far.
    pub counts: Counts,
}

/// The retries a call has made, by kind: each kind has its own bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// After a 5xx, a transport failure or a broken body.
    pub failures: u32,
    /// After a 429.
    pub rate_limited: u32,
}

/// What the pipeline does after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Give the caller what came.
    Return,
    /// Give the caller what came (a 401 that cannot be replayed), and drop
    /// the token it was refused with, so that the next call gets a new one.
    ReturnDroppingToken,
    /// A request ahead of need got no answer worth giving: the stream
    /// sends it again, in the ordinary way, when its turn comes.
    Defer,
    /// Wait, then send again. The retry counts as `kind`, and only if the
    /// shared budget pays for it (see [`Retries::take`]).
    Retry {
        /// How long to wait.
        wait: Wait,
        /// Which bound it counts against.
        kind: RetryKind,
    },
    /// Drop the token the server rejected, get a new one, send again.
    ReplayWithNewToken,
    /// Send again, with the experimental header the server asked for.
    ResendWithExperimentalHeader,
}

/// How long to wait before a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// What the server asked (`Retry-After`), plus a little jitter.
    Asked(Duration),
    /// The backoff before retry number `n` (1-based), with full jitter.
    Backoff(u32),
}

/// Which bound a retry counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryKind {
    /// A 5xx, a transport failure, a broken body.
    Failure,
    /// A 429.
    RateLimited,
}

/// The next step after an attempt of `call` that came to `outcome`, under
/// `config`, at `now` (for a `Retry-After` given as a date). A pure
/// function: the pipeline carries the step out.
pub(crate) fn decide(outcome: Outcome<'_>, call: &Call, config: &RetryConfig, now: SystemTime) -> Step {
    let Counts { failures, rate_limited } = call.counts;
    if call.ahead {
        // One attempt: anything but an answer the caller would get on the
        // first try is left for the stream to send in the ordinary way.
        return match outcome {
            Outcome::Response { status, .. }
                if status == StatusCode::UNAUTHORIZED
                    || status == StatusCode::TOO_MANY_REQUESTS
                    || status.is_server_error()
                    || is_retryable_status(status) =>
            {
                Step::Defer
            }
            Outcome::Response { .. } => Step::Return,
            Outcome::BrokenBody | Outcome::NoResponse { .. } => Step::Defer,
        };
    }
    match outcome {
        Outcome::Response { status: StatusCode::UNAUTHORIZED, .. } => {
            if call.can_resend && call.can_refresh && call.token_is_new {
                Step::ReplayWithNewToken
            } else if call.can_refresh && call.none_rejected {
                Step::ReturnDroppingToken
            } else {
                Step::Return
            }
        }
        Outcome::Response { status: StatusCode::BAD_REQUEST, refusal: true, .. }
            if call.can_resend && call.may_add_experimental =>
        {
            Step::ResendWithExperimentalHeader
        }
        Outcome::Response { .. } | Outcome::BrokenBody | Outcome::NoResponse { .. } if !call.can_resend => Step::Return,
        Outcome::Response { status: StatusCode::TOO_MANY_REQUESTS, headers, .. } => {
            after_response(config, headers, now, rate_limited, config.max_rate_limited_retries, RetryKind::RateLimited)
        }
        Outcome::Response { status, headers, .. } if is_retryable_status(status) && call.replay_safe => {
            after_response(config, headers, now, failures, config.max_retries, RetryKind::Failure)
        }
        Outcome::Response { .. } => Step::Return,
        Outcome::BrokenBody if call.replay_safe => after_failure(config, failures),
        Outcome::NoResponse { never_sent, transient } if transient && (call.replay_safe || never_sent) => {
            after_failure(config, failures)
        }
        Outcome::BrokenBody | Outcome::NoResponse { .. } => Step::Return,
    }
}

/// A retry after a response, within `max`: after its `Retry-After`, or
/// the backoff; none when the server asks for longer than the cap.
fn after_response(config: &RetryConfig, headers: &HeaderMap, now: SystemTime, count: u32, max: u32, kind: RetryKind) -> Step {
    if count >= max {
        return Step::Return;
    }
    match retry_after(headers, now) {
        Some(asked) if asked > config.max_retry_after => Step::Return,
        Some(asked) => Step::Retry { wait: Wait::Asked(asked), kind },
        None => Step::Retry { wait: Wait::Backoff(count + 1), kind },
    }
}

/// A retry after a failure without a response to go by: the backoff.
fn after_failure(config: &RetryConfig, failures: u32) -> Step {
    if failures >= config.max_retries {
        return Step::Return;
    }
    Step::Retry { wait: Wait::Backoff(failures + 1), kind: RetryKind::Failure }
}

/// The retries of one call: their counts, and the shared budget that pays
/// for them.
pub(crate) struct Retries<'a> {
    config: &'a RetryConfig,
    budget: &'a RetryBudget,
    counts: Counts,
}

impl<'a> Retries<'a> {
    pub(crate) fn new(config: &'a RetryConfig, budget: &'a RetryBudget) -> Self {
        Self { config, budget, counts: Counts::default() }
    }

    /// The retries made so far.
    pub(crate) fn counts(&self) -> Counts {
        self.counts
    }

    /// The settings.
    pub(crate) fn config(&self) -> &'a RetryConfig {
        self.config
    }

    /// For a [`Step::Retry`]: the wait, if the budget pays for the retry
    /// (it is then counted); `None` for any other step, or when the
    /// budget is spent.
    pub(crate) fn take(&mut self, step: Step) -> Option<Duration> {
        let Step::Retry { wait, kind } = step else { return None };
        if !self.budget.try_spend() {
            return None;
        }
        match kind {
            RetryKind::Failure => self.counts.failures += 1,
            RetryKind::RateLimited => self.counts.rate_limited += 1,
        }
        Some(match wait {
            Wait::Asked(asked) => self.config.at_least(asked),
            Wait::Backoff(n) => self.config.backoff(n),
        })
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

    const NOW: SystemTime = SystemTime::UNIX_EPOCH;

    fn response(status: u16, headers: &HeaderMap) -> Outcome<'_> {
        Outcome::Response { status: StatusCode::from_u16(status).unwrap(), headers, refusal: false }
    }

    /// A GET that can be sent again, with a token of its own.
    fn get() -> Call {
        Call {
            can_resend: true,
            replay_safe: true,
            can_refresh: true,
            token_is_new: true,
            none_rejected: true,
            ..Call::default()
        }
    }

    fn post() -> Call {
        Call { replay_safe: false, ..get() }
    }

    fn retry(n: u32, kind: RetryKind) -> Step {
        Step::Retry { wait: Wait::Backoff(n), kind }
    }

    #[test]
    fn statuses_by_method() {
        use RetryKind::*;
        let none = HeaderMap::new();
        let c = fast();
        // (status, call, step)
        let table = [
            (200, get(), Step::Return),
            (404, get(), Step::Return),
            (501, get(), Step::Return),
            (500, get(), retry(1, Failure)),
            (408, get(), retry(1, Failure)),
            (502, get(), retry(1, Failure)),
            (503, get(), retry(1, Failure)),
            (504, get(), retry(1, Failure)),
            (503, post(), Step::Return),
            (429, get(), retry(1, RateLimited)),
            (429, post(), retry(1, RateLimited)),
            (503, Call { can_resend: false, ..get() }, Step::Return),
            (429, Call { can_resend: false, ..get() }, Step::Return),
        ];
        for (status, call, step) in table {
            assert_eq!(decide(response(status, &none), &call, &c, NOW), step, "{status} {call:?}");
        }
    }

    #[test]
    fn each_kind_of_retry_has_its_own_bound() {
        use RetryKind::*;
        let none = HeaderMap::new();
        let c = fast();
        let counts = |failures, rate_limited| Call { counts: Counts { failures, rate_limited }, ..get() };
        let table = [
            (response(503, &none), counts(1, 3), retry(2, Failure)),
            (response(503, &none), counts(2, 0), Step::Return),
            (response(429, &none), counts(2, 2), retry(3, RateLimited)),
            (response(429, &none), counts(0, 3), Step::Return),
            (Outcome::BrokenBody, counts(1, 3), retry(2, Failure)),
            (Outcome::BrokenBody, counts(2, 0), Step::Return),
            (Outcome::NoResponse { never_sent: true, transient: true }, counts(2, 0), Step::Return),
        ];
        for (outcome, call, step) in table {
            assert_eq!(decide(outcome, &call, &c, NOW), step, "{outcome:?} {call:?}");
        }
    }

    #[test]
    fn failures_without_a_response() {
        use RetryKind::*;
        let c = fast();
        let never_sent = Outcome::NoResponse { never_sent: true, transient: true };
        let maybe_sent = Outcome::NoResponse { never_sent: false, transient: true };
        let not_transient = Outcome::NoResponse { never_sent: false, transient: false };
        let table = [
            (never_sent, get(), retry(1, Failure)),
            (never_sent, post(), retry(1, Failure)),
            (maybe_sent, get(), retry(1, Failure)),
            (maybe_sent, post(), Step::Return),
            (not_transient, get(), Step::Return),
            (Outcome::BrokenBody, get(), retry(1, Failure)),
            (Outcome::BrokenBody, post(), Step::Return),
        ];
        for (outcome, call, step) in table {
            assert_eq!(decide(outcome, &call, &c, NOW), step, "{outcome:?} {call:?}");
        }
    }

    #[test]
    fn retry_after_is_waited_or_returned_over_the_cap() {
        let c = RetryConfig { max_retry_after: Duration::from_secs(5), ..fast() };
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "3".parse().unwrap());
        let asked = Step::Retry { wait: Wait::Asked(Duration::from_secs(3)), kind: RetryKind::RateLimited };
        assert_eq!(decide(response(429, &h), &get(), &c, NOW), asked);
        h.insert(RETRY_AFTER, "30".parse().unwrap());
        assert_eq!(decide(response(429, &h), &get(), &c, NOW), Step::Return, "longer than the cap");
        assert_eq!(decide(response(503, &h), &get(), &c, NOW), Step::Return);
        h.insert(RETRY_AFTER, httpdate::fmt_http_date(NOW + Duration::from_secs(4)).parse().unwrap());
        let dated = Step::Retry { wait: Wait::Asked(Duration::from_secs(4)), kind: RetryKind::Failure };
        assert_eq!(decide(response(503, &h), &get(), &c, NOW), dated, "an HTTP date, from now");
    }

    #[test]
    fn a_401_is_replayed_once_per_new_token() {
        let none = HeaderMap::new();
        let c = fast();
        let table = [
            (get(), Step::ReplayWithNewToken),
            (post(), Step::ReplayWithNewToken),
            (Call { token_is_new: false, none_rejected: false, ..get() }, Step::Return),
            (Call { can_resend: false, ..get() }, Step::ReturnDroppingToken),
            (Call { can_resend: false, none_rejected: false, ..get() }, Step::Return),
            (Call { can_refresh: false, ..get() }, Step::Return),
        ];
        for (call, step) in table {
            assert_eq!(decide(response(401, &none), &call, &c, NOW), step, "{call:?}");
        }
    }

    #[test]
    fn a_refusal_for_the_experimental_header_is_resent_once_with_it() {
        let none = HeaderMap::new();
        let c = fast();
        let refusal = Outcome::Response { status: StatusCode::BAD_REQUEST, headers: &none, refusal: true };
        let may = Call { may_add_experimental: true, ..get() };
        assert_eq!(decide(refusal, &may, &c, NOW), Step::ResendWithExperimentalHeader);
        assert_eq!(decide(refusal, &get(), &c, NOW), Step::Return, "not opted in, or done once");
        assert_eq!(decide(refusal, &Call { can_resend: false, ..may }, &c, NOW), Step::Return);
        assert_eq!(decide(response(400, &none), &may, &c, NOW), Step::Return, "another 400");
    }

    #[test]
    fn a_request_ahead_gets_one_attempt() {
        let none = HeaderMap::new();
        let c = fast();
        let ahead = Call { ahead: true, may_add_experimental: true, ..get() };
        for status in [401, 429, 500, 501, 502, 503, 504, 408] {
            assert_eq!(decide(response(status, &none), &ahead, &c, NOW), Step::Defer, "{status}");
        }
        for status in [200, 400, 403, 404] {
            assert_eq!(decide(response(status, &none), &ahead, &c, NOW), Step::Return, "{status}");
        }
        let refusal = Outcome::Response { status: StatusCode::BAD_REQUEST, headers: &none, refusal: true };
        assert_eq!(decide(refusal, &ahead, &c, NOW), Step::Return);
        assert_eq!(decide(Outcome::BrokenBody, &ahead, &c, NOW), Step::Defer);
        assert_eq!(decide(Outcome::NoResponse { never_sent: true, transient: true }, &ahead, &c, NOW), Step::Defer);
    }

    #[test]
    fn the_budget_pays_for_retries_and_is_shared() {
        let config = fast();
        let budget = RetryBudget::new(1, 0.0);
        let mut retries = Retries::new(&config, &budget);
        assert_eq!(retries.take(Step::Return), None);
        assert!(retries.take(retry(1, RetryKind::RateLimited)).is_some());
        assert_eq!(retries.counts(), Counts { failures: 0, rate_limited: 1 });
        assert_eq!(retries.take(retry(1, RetryKind::Failure)), None, "budget spent");
        assert_eq!(retries.counts().failures, 0, "a retry not made is not counted");
        let mut other_call = Retries::new(&config, &budget);
        assert_eq!(other_call.take(retry(1, RetryKind::Failure)), None, "the budget is shared");
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
