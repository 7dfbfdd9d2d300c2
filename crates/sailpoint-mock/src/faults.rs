//! Fault injection: a share of API requests get a 429, a 5xx, a closed
//! connection, a cut, truncated, slow or non-JSON body, a refused token, or
//! added latency (see [`crate::Faults`]). The dice are the tenant's, seeded,
//! so the sequence of faults is repeatable; each fault is counted by kind.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;

use crate::config::Faults;
use crate::tenant::Tenant;

/// One fault, as counted by [`crate::MockTenant::faults_injected`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    RateLimited,
    RateLimitedBare,
    ServerError,
    Html502,
    ResetBefore,
    ResetAfter,
    Dropped,
    Truncated,
    Slow,
    RevokedToken,
}

impl Fault {
    /// The name the counts use.
    pub fn name(self) -> &'static str {
        match self {
            Fault::RateLimited => "429 with Retry-After",
            Fault::RateLimitedBare => "429 without Retry-After",
            Fault::ServerError => "500/503/504",
            Fault::Html502 => "502 HTML",
            Fault::ResetBefore => "reset before the request is read",
            Fault::ResetAfter => "reset after the request is carried out",
            Fault::Dropped => "cut after the headers",
            Fault::Truncated => "body cut mid-way",
            Fault::Slow => "slow body",
            Fault::RevokedToken => "token refused as expired",
        }
    }
}

/// The fault a roll `r` (0.0 to 1.0) of the dice picks, if any: each kind
/// takes its share of the unit interval, in a fixed order.
pub fn pick(f: &Faults, r: f64) -> Option<Fault> {
    let shares = [
        (f.rate_limited, Fault::RateLimited),
        (f.rate_limited_bare, Fault::RateLimitedBare),
        (f.server_errors, Fault::ServerError),
        (f.non_json, Fault::Html502),
        (f.reset_before, Fault::ResetBefore),
        (f.reset_after, Fault::ResetAfter),
        (f.dropped, Fault::Dropped),
        (f.truncated, Fault::Truncated),
        (f.slow, Fault::Slow),
        (f.revoked_tokens, Fault::RevokedToken),
    ];
    let mut edge = 0.0;
    for (share, fault) in shares {
        edge += share.max(0.0);
        if r < edge {
            return Some(fault);
        }
    }
    None
}

/// Marks a response whose connection the server closes instead of sending
/// it (see `serve.rs`).
#[derive(Clone, Copy, Debug)]
pub struct ResetConnection;

fn reset() -> Response {
    let mut r = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    r.extensions_mut().insert(ResetConnection);
    r
}

pub async fn inject(State(t): State<Arc<Tenant>>, req: Request, next: Next) -> Response {
    let f = &t.config.faults;
    if !f.latency.is_zero() {
        tokio::time::sleep(f.latency).await;
    }
    t.count_request();
    let Some(fault) = pick(f, t.roll()) else { return next.run(req).await };
    if fault == Fault::RevokedToken {
        let token =
            req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        // Only a token that is valid can expire early; others meet the gate.
        match token {
            Some(token) if t.revoke_token(token) => {}
            _ => return next.run(req).await,
        }
    }
    t.count_fault(fault.name());
    let nth = t.roll();
    match fault {
        Fault::RateLimited => crate::errors::rate_limited_after(Some(f.retry_after_secs.unwrap_or(1))),
        Fault::RateLimitedBare => crate::errors::rate_limited_after(None),
        Fault::ServerError => {
            let status = [500u16, 503, 504][((nth * 3.0) as usize).min(2)];
            crate::errors::dto(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "Injected fault.")
        }
        Fault::Html502 => {
            (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/html")], "<html><body><h1>502 Bad Gateway</h1></body></html>")
                .into_response()
        }
        Fault::ResetBefore => reset(),
        Fault::ResetAfter => {
            let _ = next.run(req).await;
            reset()
        }
        Fault::Dropped => {
            // headers go out, then the body fails: the connection is cut
            let broken =
                futures_util::stream::once(async { Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("dropped")) });
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, "1024")
                .body(Body::from_stream(broken))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Fault::Truncated => {
            // The whole length announced, half of it sent, then the connection cut.
            let (parts, body) = next.run(req).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let cut = futures_util::stream::iter([Ok(half), Err(std::io::Error::other("cut mid-way"))]);
            Response::from_parts(parts, Body::from_stream(cut))
        }
        Fault::Slow => {
            let (parts, body) = next.run(req).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            Response::from_parts(parts, Body::from_stream(in_pieces(bytes, 4, f.slow_pause)))
        }
        Fault::RevokedToken => {
            t.count_unauthorized();
            crate::errors::unauthorized("JWT validation failed: JWT is expired")
        }
    }
}

/// `bytes` as `n` pieces, each after a pause of `pause`.
fn in_pieces(
    bytes: bytes::Bytes,
    n: usize,
    pause: Duration,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send {
    let size = bytes.len().div_ceil(n).max(1);
    let pieces: Vec<bytes::Bytes> =
        (0..bytes.len()).step_by(size).map(|at| bytes.slice(at..(at + size).min(bytes.len()))).collect();
    futures_util::stream::iter(pieces).then(move |piece| async move {
        tokio::time::sleep(pause).await;
        Ok(piece)
    })
}

/// Whether a token request gets an error (503, or 429 with
/// `Retry-After: 0`) instead of a token; counted.
pub fn token_error(t: &Tenant) -> Option<Response> {
    let share = t.config.faults.token_errors;
    if share <= 0.0 || t.roll() >= share {
        return None;
    }
    if t.roll() < 0.5 {
        t.count_fault("token endpoint 503");
        Some(crate::errors::dto(StatusCode::SERVICE_UNAVAILABLE, "Injected fault."))
    } else {
        t.count_fault("token endpoint 429");
        Some(crate::errors::rate_limited_after(Some(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_takes_its_share_in_order() {
        let f = Faults { rate_limited: 0.1, server_errors: 0.2, reset_after: 0.1, ..Faults::default() };
        assert_eq!(pick(&f, 0.05), Some(Fault::RateLimited));
        assert_eq!(pick(&f, 0.15), Some(Fault::ServerError));
        assert_eq!(pick(&f, 0.35), Some(Fault::ResetAfter));
        assert_eq!(pick(&f, 0.45), None);
        assert_eq!(pick(&Faults::default(), 0.0), None);
    }
}
