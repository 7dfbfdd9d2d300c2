//! A bandwidth cap: each response body goes out at most
//! [`MockConfig::bandwidth`](crate::MockConfig::bandwidth) bytes per
//! second, in slices of [`SLICE`] bytes, as over a slow link. With HTTP/1.1
//! a connection carries one response at a time, so this is a cap per
//! connection.

use std::sync::Arc;
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

pub async fn cap(State(t): State<Arc<Tenant>>, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let Some(rate) = t.config.bandwidth.filter(|&r| r > 0) else { return response };
    let (parts, body) = response.into_parts();
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
            async move {
                tokio::time::sleep_until(due).await;
                piece
            }
        });
    Response::from_parts(parts, Body::from_stream(paced))
}
