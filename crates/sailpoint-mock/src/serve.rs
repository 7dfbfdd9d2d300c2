//! The accept loop: each connection served by hyper with the tenant's
//! router, one task per connection, all stopped with the tenant.
//!
//! Like `axum::serve` over HTTP/1.1, with one addition: a response marked
//! [`ResetConnection`] is not sent; the service fails instead, and hyper
//! closes the connection without an answer, as a server that crashes or a
//! proxy that resets does. Unlike it, stopping drops the open connections
//! at once, requests in flight included.

use std::convert::Infallible;

use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use crate::faults::ResetConnection;

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by the mock's fault injection")
    }
}

impl std::error::Error for Reset {}

/// Serves `router` on `listener` until `stop` completes; then every open
/// connection is dropped.
pub async fn serve(listener: TcpListener, router: Router, stop: impl Future<Output = ()>) {
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, say: wait rather than spin.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let router = router.clone();
            async move {
                let response =
                    router.oneshot(request.map(axum::body::Body::new)).await.unwrap_or_else(|e: Infallible| match e {});
                if response.extensions().get::<ResetConnection>().is_some() { Err(Reset) } else { Ok(response) }
            }
        });
        connections.spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
        // Reap finished connections as we go.
        while connections.try_join_next().is_some() {}
    }
}
