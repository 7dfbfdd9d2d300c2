//! An embedded fake SailPoint Identity Security Cloud tenant, for the demo,
//! tests, benchmarks, and your own offline tests.
//!
//! It serves `/oauth/token` and every API version (`/v3`, `/v2024`…) on 127.0.0.1,
//! and the same resources on the per-service paths (`/sources/v1`,
//! `/password-sync-groups/v1`, `/password-policies/v1`), with
//! state: password policies, password sync groups, sources (schemas,
//! provisioning policies, schedules, the accounts-schema CSV, uploads),
//! accounts and identities (synthetic, deterministic, as many as you ask).
//! Collections honour `limit`, `offset`, `count`, `filters` (`eq`, `sw`,
//! `co`, `in`, joined by `and`) and `sorters`; JSON Patch is applied for
//! real; experimental operations need their header; bodies are compressed
//! for clients that ask; the rate limit, faults, latency and a bandwidth
//! cap are configurable.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let mock = sailpoint_mock::MockTenant::start(sailpoint_mock::MockConfig::default()).await?;
//! println!("{} (client {} / {})", mock.url(), mock.client_id(), mock.client_secret());
//! # Ok(()) }
//! ```

// Handlers return `Result<_, Response>`; the response is the error reply, by value.
#![allow(clippy::result_large_err)]

mod bandwidth;
mod config;
mod errors;
mod faults;
#[rustfmt::skip]
mod generated_versions;
mod query;
mod routes;
mod search;
mod serve;
mod service_paths;
mod synthetic;
mod tenant;
mod triggers;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::{Faults, MockConfig};
pub use synthetic::{directory_source_id, id as synthetic_id};
pub use triggers::Delivered;

/// A running mock tenant; it stops when dropped.
pub struct MockTenant {
    tenant: Arc<tenant::Tenant>,
    addr: SocketAddr,
    client: (String, String),
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl MockTenant {
    /// Starts a tenant on 127.0.0.1 (the configured port, or a free one).
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let client = config.clients.first().cloned().unwrap_or_default();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let tenant = Arc::new(tenant::Tenant::new(config));
        let app = routes::router(tenant.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve::serve(listener, app, async { rx.await.unwrap_or(()) }));
        Ok(Self { tenant, addr, client, shutdown: Some(tx) })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The first configured client id.
    pub fn client_id(&self) -> &str {
        &self.client.0
    }

    /// The first configured client secret.
    pub fn client_secret(&self) -> &str {
        &self.client.1
    }

    /// The response body bytes sent so far under a bandwidth cap
    /// ([`MockConfig::bandwidth`]), as they went out on the wire (compressed
    /// when the client asked for it; headers not counted); 0 without a cap.
    pub fn body_bytes_sent(&self) -> u64 {
        self.tenant.body_bytes_sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many access tokens the token endpoint has issued (including
    /// [`MockTenant::access_token`]'s).
    pub fn tokens_issued(&self) -> u64 {
        self.tenant.tokens_issued.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many API requests were refused with 401: no token, or an
    /// unknown or expired one.
    pub fn unauthorized_requests(&self) -> u64 {
        self.tenant.unauthorized.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many API requests have arrived (token requests not counted),
    /// faulted or not.
    pub fn api_requests(&self) -> u64 {
        self.tenant.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The faults injected so far ([`MockConfig::faults`]), by kind.
    pub fn faults_injected(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.tenant.fault_counts()
    }

    /// Stores `item` (a JSON object) in `collection` (`"sources"`,
    /// `"password-sync-groups"`, `"password-policies"`) as it is, with a new
    /// `id`, which it returns: a fixture for a test, whatever fields it
    /// carries. `None` for another collection, or an item that is not an
    /// object.
    pub fn insert(&self, collection: &str, mut item: serde_json::Value) -> Option<String> {
        let collection = tenant::COLLECTIONS.iter().copied().find(|c| *c == collection)?;
        let id = self.tenant.new_id();
        item.as_object_mut()?.insert("id".into(), serde_json::Value::String(id.clone()));
        self.tenant.add(collection, &id, item);
        Some(id)
    }

    /// The items created in or stored to `collection`, as the tenant holds
    /// them (synthetic accounts and identities are not listed).
    pub fn items(&self, collection: &str) -> Vec<serde_json::Value> {
        let data = self.tenant.data.lock().unwrap_or_else(|e| e.into_inner());
        data.items.get(collection).map(|items| items.values().cloned().collect()).unwrap_or_default()
    }

    /// Delivers an event of `trigger_id` to its enabled subscriptions (the
    /// `trigger-subscriptions` the tenant holds), as ISC would: `payload`,
    /// else the spec's example payload of the trigger, with `_metadata` and
    /// each subscription's credentials; only to loopback addresses. A
    /// request-response delivery gets an invocation that its `SYNC` answer
    /// or its completion closes ([`completions`](Self::completions)).
    /// What each delivery did; an error when there is no payload to send.
    pub async fn fire(&self, trigger_id: &str, payload: Option<serde_json::Value>) -> Result<Vec<Delivered>, String> {
        triggers::deliver(&self.tenant, &self.url(), trigger_id, payload, None).await
    }

    /// The answers to request-response deliveries, in order: each `SYNC`
    /// answer (`"mode": "sync"`) and each completion through the
    /// invocation API (`"mode": "async"`), with `invocationId`,
    /// `triggerId`, `output` and `error`.
    pub fn completions(&self) -> Vec<serde_json::Value> {
        self.tenant.completions.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A fresh access token for the first configured client, for raw
    /// requests (`Authorization: Bearer …`).
    pub fn access_token(&self) -> String {
        self.tenant.issue_token(&self.client.0, &self.client.1).map(|(t, _)| t).unwrap_or_default()
    }
}

impl Drop for MockTenant {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
