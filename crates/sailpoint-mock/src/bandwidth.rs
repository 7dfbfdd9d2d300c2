//! A bandwidth cap: each response body goes out at most
//! [`MockConfig::bandwidth`](crate::MockConfig::bandwidth) bytes per
//! second, in slices of [`SLICE`] bytes, as over a slow link, and its bytes
//! are counted as they go ([`MockTenant::body_bytes_sent`](crate::MockTenant::body_bytes_sent)).
//! With HTTP/1.1 a connection carries one response at a time, so this is a
//! cap per connection.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::time::Instant;

use crate::tenant::Tenant;

/// The largest piece of a body sent at once.
pub const SLICE: usize = 16 * 1024;

/// Paces each response body when there is a cap, and counts its bytes as
/// they go out (in `Tenant::body_bytes_sent`). Without a cap the body goes
/// as it is (its length known, not counted).
pub async fn cap(State(t): State<Arc<Tenant>>, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let Some(rate) = t.config.bandwidth.filter(|&r| r > 0) else { return response };
    let (parts, body) = response.into_parts();
    let tenant = t.clone();
    let start = Instant::now();
    let mut sent = 0u64;
    let paced = body
        .into_data_stream()
        .flat_map(|chunk| {
            let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
                Ok(bytes) => (0..bytes.len()).step_by(SLICE).map(|i| Ok(bytes.slice(i..(i + SLICE).min(bytes.len())))).collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(pieces)
        })
        .then(move |piece| {
            // A piece leaves when the link would have carried it and everything before it.
            sent += piece.as_ref().map_or(0, |b| b.len() as u64);
            let due = start + Duration::from_secs_f64(sent as f64 / rate as f64);
            let tenant = tenant.clone();
            async move {
                tokio::time::sleep_until(due).await;
                count(&tenant, &piece);
                piece
            }
        });
    Response::from_parts(parts, Body::from_stream(paced))
}

fn count(tenant: &Tenant, piece: &Result<Bytes, axum::Error>) {
    if let Ok(bytes) = piece {
        tenant.body_bytes_sent.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    }
}
