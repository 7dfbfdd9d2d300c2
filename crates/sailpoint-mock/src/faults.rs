//! Fault injection: a share of API requests get a 429, a 5xx, a dropped
//! connection, a truncated or non-JSON body, or added latency. The dice are
//! seeded, so a run is repeatable.

use std::sync::Arc;
use std::sync::Mutex;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::tenant::Tenant;

static DICE: Mutex<Option<fastrand::Rng>> = Mutex::new(None);

fn roll(seed: u64) -> f64 {
    let mut dice = DICE.lock().unwrap_or_else(|e| e.into_inner());
    dice.get_or_insert_with(|| fastrand::Rng::with_seed(seed)).f64()
}

pub async fn inject(State(t): State<Arc<Tenant>>, req: Request, next: Next) -> Response {
    let f = &t.config.faults;
    if !f.latency.is_zero() {
        tokio::time::sleep(f.latency).await;
    }
    let any = f.rate_limited + f.server_errors + f.dropped + f.truncated + f.non_json;
    if any <= 0.0 {
        return next.run(req).await;
    }
    let r = roll(f.seed);
    let mut edge = f.rate_limited;
    if r < edge {
        return crate::errors::rate_limited(1);
    }
    edge += f.server_errors;
    if r < edge {
        let status = [502u16, 503, 504][((r * 1e6) as usize) % 3];
        return crate::errors::dto(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "Injected fault.");
    }
    edge += f.non_json;
    if r < edge {
        return (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response();
    }
    edge += f.dropped;
    if r < edge {
        // headers go out, then the body fails: the connection is cut
        let broken = futures_util::stream::once(async { Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("dropped")) });
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, "1024")
            .body(Body::from_stream(broken))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    edge += f.truncated;
    let response = next.run(req).await;
    if r < edge {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let half = bytes.slice(..bytes.len() / 2);
        let mut parts = parts;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(half));
    }
    response
}
