//! A recording proxy between the SDK and Prism: it forwards every request
//! unchanged and keeps, per exchange, what Prism said about it in its
//! `sl-violations` header (request and response violations alike). It can
//! also add a `Prefer` header, to make Prism answer a given status.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, StatusCode, Uri};
use serde_json::Value;

/// One request and what Prism answered.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The request body as sent.
    pub body: Bytes,
    /// `sl-violations`, one entry per violation (`location`, `severity`, `message`).
    pub violations: Vec<Value>,
}

impl Exchange {
    /// Violations whose location starts with `kind` (`"request"` or `"response"`).
    pub fn violations_of(&self, kind: &str) -> Vec<String> {
        self.violations
            .iter()
            .filter(|v| v["location"].get(0).and_then(Value::as_str) == Some(kind))
            .map(|v| {
                let at: Vec<String> =
                    v["location"].as_array().into_iter().flatten().map(|l| l.to_string().trim_matches('"').to_string()).collect();
                format!("{} at {}: {}", v["severity"].as_str().unwrap_or("?"), at.join("."), v["message"].as_str().unwrap_or("?"))
            })
            .collect()
    }
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    http: reqwest::Client,
    prefer: Arc<Mutex<Option<String>>>,
    log: Arc<Mutex<Vec<Exchange>>>,
}

pub struct Proxy {
    pub url: String,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: &str) -> Proxy {
        let shared = Shared {
            upstream: upstream.to_string(),
            http: reqwest::Client::builder().no_proxy().build().expect("a plain HTTP client"),
            prefer: Arc::default(),
            log: Arc::default(),
        };
        let app = axum::Router::new().fallback(forward).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("proxy server");
        });
        Proxy { url, shared, server }
    }

    /// Adds `Prefer: <value>` to every forwarded API request, not the token requests (`None`: stop).
    pub fn prefer(&self, value: Option<&str>) {
        *self.shared.prefer.lock().unwrap() = value.map(str::to_string);
    }

    /// The exchanges so far, and forgets them.
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.shared.log.lock().unwrap())
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response<Body> {
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let mut request = shared.http.request(method.clone(), format!("{}{path}", shared.upstream)).body(body.clone());
    for (name, value) in &headers {
        // hop-by-hop and framing headers are the proxy's own
        if !matches!(name.as_str(), "host" | "content-length" | "transfer-encoding" | "connection") {
            request = request.header(name, value);
        }
    }
    let prefer = shared.prefer.lock().unwrap().clone();
    if let Some(prefer) = prefer.filter(|_| uri.path() != "/oauth/token") {
        request = request.header("prefer", prefer);
    }
    let (status, response_headers, bytes) = match request.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            match r.bytes().await {
                Ok(b) => (status, headers, b),
                Err(e) => (502, HeaderMap::new(), Bytes::from(format!("proxy: reading Prism's body: {e}"))),
            }
        }
        Err(e) => {
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why = format!("{s}: {why}");
                source = s.source();
            }
            eprintln!("proxy: Prism did not answer {method} {path}: {why}");
            (502, HeaderMap::new(), Bytes::from(format!("proxy: Prism did not answer: {why}")))
        }
    };
    let violations = response_headers
        .get("sl-violations")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str::<Vec<Value>>(v).ok())
        .unwrap_or_default();
    shared.log.lock().unwrap().push(Exchange {
        method: method.to_string(),
        path: uri.path().to_string(),
        status,
        body,
        violations,
    });
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in &response_headers {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}
