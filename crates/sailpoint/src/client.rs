//! One client for every API version.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use sailpoint_runtime::{Error, RateLimit, RetryConfig, Runtime, RuntimeBuilder};

use crate::config::{Config, ConfigSources, Partial};
use crate::generated_services::Services;
use crate::generated_versions::Versions;

/// A client for one tenant, with every API version enabled by features.
///
/// The version clients share one connection pool, one token cache, one rate
/// limiter and one retry budget. Cheap to clone: clones share all of it.
#[derive(Clone, Debug)]
pub struct Client {
    runtime: Runtime,
    /// One client per version feature, with its accessor (`client.v3()`),
    /// written from `openapi/specs.toml` (`generated_versions.rs`).
    #[allow(dead_code)] // read by the accessors, none without a version feature
    pub(crate) versions: Versions,
    #[allow(dead_code)] // read by the service accessors, each behind its feature
    pub(crate) services: Services,
}

impl Client {
    /// A client configured from the environment and the configuration files
    /// (see [`Config`](crate::Config) for the order).
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().from_env().build()
    }

    /// A builder: set what you need, the rest has defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The runtime all versions share.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }
}

/// Builds a [`Client`]. Values set here win over the environment and the
/// configuration files, which are read only after [`from_env`](Self::from_env)
/// (see [`Config`](crate::Config) for the order, and how the base URL and the
/// credentials pair up).
#[derive(Debug, Default)]
pub struct ClientBuilder {
    explicit: Partial,
    runtime: Option<RuntimeBuilder>,
    load_from_env: bool,
}

impl ClientBuilder {
    fn with(mut self, f: impl FnOnce(RuntimeBuilder) -> RuntimeBuilder) -> Self {
        self.runtime = Some(f(self.runtime.take().unwrap_or_default()));
        self
    }

    /// Also read the environment and the configuration files, below the
    /// values set on this builder.
    pub fn from_env(mut self) -> Self {
        self.load_from_env = true;
        self
    }
    /// The tenant's base URL, `https://{tenant}.api.identitynow.com`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.explicit.base_url = Some(url.into());
        self
    }
    /// OAuth2 client credentials (an API client or a personal access token).
    pub fn client_credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.explicit.client_id = Some(client_id.into());
        self.explicit.client_secret = Some(client_secret.into());
        self
    }
    /// An access token obtained elsewhere (never refreshed).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.explicit.access_token = Some(token.into());
        self
    }
    /// Allows experimental operations (sent with `X-SailPoint-Experimental: true`).
    pub fn experimental(self, allow: bool) -> Self {
        self.with(|r| r.experimental(allow))
    }
    /// Allows `http://` to loopback addresses (tests, the mock tenant).
    pub fn allow_http_loopback(self, allow: bool) -> Self {
        self.with(|r| r.allow_http_loopback(allow))
    }
    /// Connection timeout (default 10 s).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.with(|r| r.connect_timeout(timeout))
    }
    /// Longest wait for more bytes of a response (default 60 s).
    pub fn read_timeout(self, timeout: Option<Duration>) -> Self {
        self.with(|r| r.read_timeout(timeout))
    }
    /// Total time limit of one attempt (default none).
    pub fn timeout(self, timeout: Option<Duration>) -> Self {
        self.with(|r| r.timeout(timeout))
    }
    /// Sends every request through a proxy.
    pub fn proxy(self, proxy: reqwest::Proxy) -> Self {
        self.with(|r| r.proxy(proxy))
    }
    /// Adds a header to every request.
    pub fn default_header(self, name: HeaderName, value: HeaderValue) -> Self {
        self.with(|r| r.default_header(name, value))
    }
    /// Uses this `reqwest::Client` instead of building one.
    pub fn http_client(self, client: reqwest::Client) -> Self {
        self.with(|r| r.http_client(client))
    }
    /// Retry settings.
    pub fn retry(self, retry: RetryConfig) -> Self {
        self.with(|r| r.retry(retry))
    }
    /// The client-side rate limit (`None`: none).
    pub fn rate_limit(self, limit: Option<RateLimit>) -> Self {
        self.with(|r| r.rate_limit(limit))
    }

    /// Resolves the configuration from the values set here and, after
    /// [`from_env`](Self::from_env), from `sources` (tests give their own).
    pub fn build_with_sources(self, sources: &ConfigSources) -> Result<Client, Error> {
        let config = Config::resolve(self.explicit, self.load_from_env.then_some(sources))?;
        Client::with_config(config, self.runtime.unwrap_or_default())
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        self.build_with_sources(&ConfigSources::default())
    }
}

impl Client {
    /// A client for `config`, with the runtime options of `runtime`.
    pub fn with_config(config: Config, runtime: RuntimeBuilder) -> Result<Self, Error> {
        let runtime = runtime.base_url(config.base_url).credentials(config.credentials).build()?;
        Self::with_runtime(runtime)
    }

    /// A client on a runtime built elsewhere (it must have a base URL).
    pub fn with_runtime(runtime: Runtime) -> Result<Self, Error> {
        Ok(Self { versions: Versions::new(&runtime)?, services: Services::new(&runtime)?, runtime })
    }
}
