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
