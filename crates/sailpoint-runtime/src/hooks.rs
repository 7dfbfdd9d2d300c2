//! The per-request policy every generated client runs through.

use std::sync::Arc;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};

use crate::Operation;

/// The header experimental operations need.
pub const EXPERIMENTAL_HEADER: &str = "x-sailpoint-experimental";

/// State and policy shared by the clients of every API version.
///
/// Cheap to clone: clones share their state.
#[derive(Clone, Debug, Default)]
pub struct Runtime {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    experimental: bool,
}

/// Builds a [`Runtime`].
#[derive(Debug, Default)]
pub struct RuntimeBuilder {
    experimental: bool,
}

impl RuntimeBuilder {
    /// Allows experimental operations: they are sent with
    /// `X-SailPoint-Experimental: true`. Off by default, in which case
    /// calling one is an error raised before anything is sent.
    pub fn experimental(mut self, allow: bool) -> Self {
        self.experimental = allow;
        self
    }

    /// The runtime.
    pub fn build(self) -> Runtime {
        Runtime { shared: Arc::new(Shared { experimental: self.experimental }) }
    }
}

impl Runtime {
    /// A builder, with every option at its default.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// Whether experimental operations may be called.
    pub fn experimental(&self) -> bool {
        self.shared.experimental
    }

    /// Runs before a request is sent: sets the headers the operation table
    /// calls for. Fails, before anything is sent, for an experimental
    /// operation without the opt-in.
    pub fn prepare(&self, request: &mut reqwest::Request, operation: Option<&Operation>, id: &str) -> Result<(), String> {
        // progenitor adds an `api-version` header (a Dropshot convention) that
        // SailPoint does not define.
        request.headers_mut().remove("api-version");
        let Some(op) = operation else { return Ok(()) };
        if op.experimental {
            if !self.shared.experimental {
                return Err(format!(
                    "`{id}` is an experimental operation: enable experimental operations on the client \
                     (Runtime::builder().experimental(true)) to call it"
                ));
            }
            request.headers_mut().insert(HeaderName::from_static(EXPERIMENTAL_HEADER), HeaderValue::from_static("true"));
        }
        if let Some(ct) = op.request_content_type.filter(|ct| ct.starts_with("application/json-patch+json")) {
            if request.body().is_some() {
                request.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(ct));
            }
        }
        if let Some(accept) = op.accept.filter(|a| !a.starts_with("application/json")) {
            if let Ok(value) = HeaderValue::from_str(accept) {
                request.headers_mut().insert(ACCEPT, value);
            }
        }
        Ok(())
    }

    /// Sends the request. For an operation whose success responses may be
    /// empty, an empty success body is handed on as `null` (same status and
    /// headers), so it decodes as `None`.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: Option<&Operation>,
    ) -> reqwest::Result<reqwest::Response> {
        let response = client.execute(request).await?;
        if !operation.is_some_and(|o| o.empty_success_is_null) || !response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let version = response.version();
        let body = response.bytes().await?;
        let body = if body.iter().all(u8::is_ascii_whitespace) { bytes_null() } else { body.to_vec() };
        let mut rebuilt = http::Response::new(reqwest::Body::from(body));
        *rebuilt.status_mut() = status;
        *rebuilt.headers_mut() = headers;
        *rebuilt.version_mut() = version;
        rebuilt.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
        Ok(reqwest::Response::from(rebuilt))
    }
}

fn bytes_null() -> Vec<u8> {
    b"null".to_vec()
}
