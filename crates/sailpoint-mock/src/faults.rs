//! Fault injection: a share of API requests get a 429, a 5xx, a closed
//! connection, a cut, truncated, slow or non-JSON body, a refused token, or
//! added latency (see [`crate::Faults`]). The dice are the tenant's, seeded:
//! the sequence of draws repeats, one draw per request (which request gets
//! which draw follows the order requests arrive in). Each fault is counted
//! by kind.

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
    TokenUnavailable,
    TokenRateLimited,
}

impl Fault {
    /// The name the counts use.
    pub fn name(self) -> &'static str {
        match self {
            Fault::RateLimited => "429 with Retry-After",
            Fault::RateLimitedBare => "429 without Retry-After",
            Fault::ServerError => "500/503/504",
            Fault::Html502 => "502 HTML",
            Fault::ResetBefore => "reset before the request is carried out",
            Fault::ResetAfter => "reset after the request is carried out",
            Fault::Dropped => "cut after the headers",
            Fault::Truncated => "body cut mid-way",
            Fault::Slow => "slow body",
            Fault::RevokedToken => "token refused as expired",
            Fault::TokenUnavailable => "token endpoint 503",
            Fault::TokenRateLimited => "token endpoint 429",
        }
    }
}

/// The fault a roll `r` (0.0 to 1.0) of the dice picks, if any: each kind
/// takes its share of the unit interval, in a fixed order. With it, where
/// `r` fell within that share (0.0 to 1.0), to choose among a fault's
/// variants from the same draw.
pub fn pick(f: &Faults, r: f64) -> Option<(Fault, f64)> {
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
        let share = share.max(0.0);
        if r < edge + share {
            return Some((fault, (r - edge) / share));
        }
        edge += share;
    }
    None
}

/// Whether any share of `f` is above 0 (else no dice are drawn).
fn any(f: &Faults) -> bool {
    [
        f.rate_limited,
        f.rate_limited_bare,
        f.server_errors,
        f.non_json,
        f.reset_before,
        f.reset_after,
        f.dropped,
        f.truncated,
        f.slow,
        f.revoked_tokens,
    ]
    .iter()
    .any(|share| *share > 0.0)
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
    if !any(f) {
        return next.run(req).await;
    }
    let Some((fault, within)) = pick(f, t.roll()) else { return next.run(req).await };
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
    match fault {
        Fault::RateLimited => crate::errors::rate_limited_after(Some(f.retry_after_secs.unwrap_or(1))),
        Fault::RateLimitedBare => crate::errors::rate_limited_after(None),
        Fault::ServerError => {
            let status = [500u16, 503, 504][((within * 3.0) as usize).min(2)];
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
            // Half of the body goes out, then the connection is cut (the
            // body is chunked: the client sees it end before its last chunk).
            let (parts, bytes) = carried_out(next, req).await;
            let half = bytes.slice(..bytes.len() / 2);
            let cut = futures_util::stream::iter([Ok(half), Err(std::io::Error::other("cut mid-way"))]);
            Response::from_parts(parts, Body::from_stream(cut))
        }
        Fault::Slow => {
            let (parts, bytes) = carried_out(next, req).await;
            Response::from_parts(parts, Body::from_stream(in_pieces(bytes, 4, f.slow_pause)))
        }
        Fault::RevokedToken => {
            t.count_unauthorized();
            crate::errors::unauthorized("JWT validation failed: JWT is expired")
        }
        // Drawn for the token endpoint only (`token_error`).
        Fault::TokenUnavailable | Fault::TokenRateLimited => next.run(req).await,
    }
}

/// The request carried out: the response's head, and its whole body.
async fn carried_out(next: Next, req: Request) -> (axum::http::response::Parts, bytes::Bytes) {
    let (parts, body) = next.run(req).await.into_parts();
    (parts, axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default())
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
    if share <= 0.0 {
        return None;
    }
    let r = t.roll_token();
    if r >= share {
        return None;
    }
    // The lower half of the share: 503; the upper: 429.
    let fault = if r < share / 2.0 { Fault::TokenUnavailable } else { Fault::TokenRateLimited };
    t.count_fault(fault.name());
    Some(match fault {
        Fault::TokenUnavailable => crate::errors::dto(StatusCode::SERVICE_UNAVAILABLE, "Injected fault."),
        _ => crate::errors::rate_limited_after(Some(0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_takes_its_share_in_order() {
        let f = Faults { rate_limited: 0.1, server_errors: 0.2, reset_after: 0.1, ..Faults::default() };
        let kind = |r| pick(&f, r).map(|(fault, _)| fault);
        assert_eq!(kind(0.05), Some(Fault::RateLimited));
        assert_eq!(kind(0.15), Some(Fault::ServerError));
        assert_eq!(kind(0.35), Some(Fault::ResetAfter));
        assert_eq!(kind(0.45), None);
        assert_eq!(pick(&Faults::default(), 0.0), None);
        // Where the draw fell within the share: 0.2 into ServerError's 0.1..0.3.
        let (_, within) = pick(&f, 0.14).unwrap();
        assert!((within - 0.2).abs() < 1e-9, "{within}");
    }
}
