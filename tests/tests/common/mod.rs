//! Helpers shared by the integration tests.
#![allow(dead_code)]

use sailpoint_runtime::{Runtime, RuntimeBuilder};

/// A runtime for a local server: `http` on loopback allowed, no credentials.
pub fn local(base_url: &str) -> RuntimeBuilder {
    Runtime::builder().base_url(base_url).allow_http_loopback(true)
}

/// A v2024 client on `server`, configured by `configure`.
pub fn v2024(base_url: &str, configure: impl FnOnce(RuntimeBuilder) -> RuntimeBuilder) -> sailpoint_v2024::Client {
    let runtime = configure(local(base_url)).build().expect("valid test configuration");
    let url = runtime.version_url(sailpoint_v2024::API_VERSION).unwrap();
    sailpoint_v2024::Client::new_with_client(&url, runtime.http().clone(), runtime)
}

/// A facade client of the mock tenant `mock`, with the default runtime.
pub fn mock_client(mock: &sailpoint_mock::MockTenant) -> sailpoint::Client {
    sailpoint::Client::builder()
        .base_url(mock.url())
        .client_credentials(mock.client_id(), mock.client_secret())
        .allow_http_loopback(true)
        .build()
        .expect("valid mock configuration")
}

/// A token endpoint on `server` issuing `token-0`, `token-1`… with the
/// lifetime `lifetime(n)` (seconds) after `delay`; counts what it issued.
pub async fn numbered_tokens(
    server: &wiremock::MockServer,
    lifetime: fn(usize) -> f64,
    delay: std::time::Duration,
) -> std::sync::Arc<std::sync::atomic::AtomicUsize> {
    use std::sync::atomic::Ordering;
    let issued = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = issued.clone();
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/oauth/token"))
        .respond_with(move |_: &wiremock::Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let body =
                serde_json::json!({"access_token": format!("token-{n}"), "token_type": "bearer", "expires_in": lifetime(n)});
            wiremock::ResponseTemplate::new(200).set_body_json(body).set_delay(delay)
        })
        .mount(server)
        .await;
    issued
}

/// A `tracing` writer into a shared buffer (what a test's subscriber logged).
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
