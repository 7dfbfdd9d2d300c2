//! The tenant's state: clients and tokens, collections, source details.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sailpoint_runtime::Operation;
use serde_json::{Value, json};

use crate::config::MockConfig;
use crate::synthetic;

/// Collections of stateful resources (shared by all API versions).
pub const COLLECTIONS: [&str; 6] =
    ["password-policies", "password-sync-groups", "sources", "accounts", "identities", "trigger-subscriptions"];

/// Details kept per source.
#[derive(Default)]
pub struct SourceDetails {
    pub schemas: Vec<Value>,
    pub provisioning_policies: BTreeMap<String, Value>,
    pub schedules: BTreeMap<String, Value>,
}

#[derive(Default)]
pub struct Data {
    /// Created or changed items, per collection, by id.
    pub items: HashMap<&'static str, BTreeMap<String, Value>>,
    /// Synthetic items that were deleted.
    pub deleted: HashMap<&'static str, std::collections::HashSet<String>>,
    pub sources: HashMap<String, SourceDetails>,
}

pub struct Tenant {
    pub config: MockConfig,
    tokens: Mutex<HashMap<String, (String, Instant)>>,
    pub data: Mutex<Data>,
    /// Per (client, version): when the current fixed window opened, and its requests.
    windows: Mutex<HashMap<String, (Instant, u32)>>,
    seq: AtomicU64,
    /// Response body bytes sent so far, as they went out (after compression).
    pub body_bytes_sent: AtomicU64,
    /// Access tokens issued so far.
    pub tokens_issued: AtomicU64,
    /// API requests refused with 401 (no token, an unknown or expired one).
    pub unauthorized: AtomicU64,
    /// API requests received (before any fault or check).
    pub requests: AtomicU64,
    /// Faults injected, by kind.
    faults: Mutex<BTreeMap<&'static str, u64>>,
    /// The fault dice, seeded with `config.faults.seed`.
    dice: Mutex<fastrand::Rng>,
    /// The token endpoint's own dice, from the same seed: a client asks for
    /// one token at a time, so its n-th token request always meets the
    /// same draw, whatever the API requests around it.
    token_dice: Mutex<fastrand::Rng>,
    /// Synthetic id → index, per kind.
    synthetic_index: HashMap<String, u64>,
    /// Invocations of request-response triggers, by id (`triggers`).
    pub invocations: Mutex<BTreeMap<String, crate::triggers::Invocation>>,
    /// The answers recorded: sync responses and completions (`triggers`).
    pub completions: Mutex<Vec<Value>>,
}

use crate::generated_versions::operations;

/// The operation `method path` (below the version prefix) calls.
pub fn find_operation(version: &str, method: &str, path: &str) -> Option<&'static Operation> {
    find_in(operations(version)?, method, path)
}

/// The operation of `ops` that `method path` calls: the one whose path
/// template fits with the fewest placeholders.
pub fn find_in(ops: &'static [Operation], method: &str, path: &str) -> Option<&'static Operation> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut best: Option<(&'static Operation, usize)> = None;
    for op in ops {
        if op.method != method {
            continue;
        }
        let template: Vec<&str> = op.path.trim_matches('/').split('/').collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut placeholders = 0;
        let fits = template.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') {
                placeholders += 1;
                !s.is_empty()
            } else {
                t == s
            }
        });
        if fits && best.is_none_or(|(_, p)| placeholders < p) {
            best = Some((op, placeholders));
        }
    }
    best.map(|(op, _)| op)
}

impl Tenant {
    pub fn new(config: MockConfig) -> Self {
        let mut synthetic_index = HashMap::new();
        for i in 0..config.accounts {
            synthetic_index.insert(synthetic::id(synthetic::ACCOUNT, i), i);
        }
        for i in 0..config.identities {
            synthetic_index.insert(synthetic::id(synthetic::IDENTITY, i), i);
        }
        let seed = config.faults.seed;
        let tenant = Self {
            config,
            tokens: Mutex::new(HashMap::new()),
            data: Mutex::new(Data::default()),
            windows: Mutex::new(HashMap::new()),
            seq: AtomicU64::new(1),
            body_bytes_sent: AtomicU64::new(0),
            tokens_issued: AtomicU64::new(0),
            unauthorized: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            faults: Mutex::new(BTreeMap::new()),
            dice: Mutex::new(fastrand::Rng::with_seed(seed)),
            token_dice: Mutex::new(fastrand::Rng::with_seed(seed ^ 0x7043_E45D_1CE5)),
            synthetic_index,
            invocations: Mutex::new(BTreeMap::new()),
            completions: Mutex::new(Vec::new()),
        };
        tenant.seed();
        tenant
    }

    /// The synthetic source of the synthetic accounts.
    fn seed(&self) {
        let id = synthetic::directory_source_id();
        let source = json!({
            "id": id, "name": "Directory", "description": "Synthetic accounts", "connector": "active-directory",
            "connectorAttributes": {}, "type": "Active Directory - Direct",
            "owner": {"type": "IDENTITY", "id": synthetic::id(synthetic::IDENTITY, 0), "name": "user000000"},
            "features": ["AUTHENTICATE", "PROVISIONING"], "created": "2024-01-02T03:04:05.000Z"
        });
        let mut data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        data.items.entry("sources").or_default().insert(id.clone(), source);
        data.sources.entry(id).or_default().schemas.push(default_account_schema());
    }

    /// A new 32-hex id; ids of created resources sort in creation order.
    pub fn new_id(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        format!("ff{n:08x}{}", &synthetic::id(0x5EED, n)[10..])
    }

    /// Issues a token for a configured client.
    pub fn issue_token(&self, client_id: &str, secret: &str) -> Option<(String, u64)> {
        self.config.clients.iter().find(|(id, s)| id == client_id && s == secret)?;
        let token = format!("mock.{}.{}", client_id.len(), self.new_id());
        self.tokens_issued.fetch_add(1, Ordering::Relaxed);
        let lifetime = self.config.token_lifetime;
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), (client_id.to_string(), Instant::now() + lifetime));
        Some((token, lifetime.as_secs().max(1)))
    }

    /// The client a token belongs to, if it is known and not expired.
    pub fn client_of(&self, token: &str) -> Result<String, &'static str> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.get(token) {
            None => Err("JWT validation failed: unknown token"),
            Some((_, expiry)) if Instant::now() >= *expiry => Err("JWT validation failed: JWT is expired"),
            Some((client, _)) => Ok(client.clone()),
        }
    }

    /// `Err(wait)` when `client` is over its rate for `version`. Counted in
    /// fixed windows of the period, at most `n` requests each: a window
    /// opens with the first request after the previous one closed, and the
    /// wait is to its end.
    pub fn check_rate(&self, client: &str, version: &str) -> Result<(), Duration> {
        let Some((n, period)) = self.config.rate_limit else { return Ok(()) };
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let (opened, count) = windows.entry(format!("{client}/{version}")).or_insert((now, 0));
        if now.duration_since(*opened) >= period {
            (*opened, *count) = (now, 0);
        }
        if *count >= n {
            return Err(period.saturating_sub(now.duration_since(*opened)));
        }
        *count += 1;
        Ok(())
    }

    /// Stores a new item under `id`; a source gets its details (the
    /// default account schema).
    pub fn add(&self, collection: &'static str, id: &str, item: Value) {
        let mut data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        if collection == "sources" {
            data.sources.insert(id.to_string(), SourceDetails { schemas: vec![default_account_schema()], ..Default::default() });
        }
        data.items.entry(collection).or_default().insert(id.to_string(), item);
    }

    /// Forgets `token`; whether it was valid.
    pub fn revoke_token(&self, token: &str) -> bool {
        let client = self.client_of(token).is_ok();
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).remove(token);
        client
    }

    /// The next roll of the fault dice, in `0.0..1.0`.
    pub fn roll(&self) -> f64 {
        self.dice.lock().unwrap_or_else(|e| e.into_inner()).f64()
    }

    /// The next roll of the token endpoint's dice, in `0.0..1.0`.
    pub fn roll_token(&self) -> f64 {
        self.token_dice.lock().unwrap_or_else(|e| e.into_inner()).f64()
    }

    pub fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_unauthorized(&self) {
        self.unauthorized.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_fault(&self, kind: &'static str) {
        *self.faults.lock().unwrap_or_else(|e| e.into_inner()).entry(kind).or_default() += 1;
    }

    /// Faults injected so far, by kind.
    pub fn fault_counts(&self) -> BTreeMap<&'static str, u64> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn synthetic_count(&self, collection: &str) -> u64 {
        match collection {
            "accounts" => self.config.accounts,
            "identities" => self.config.identities,
            _ => 0,
        }
    }

    pub fn synthetic(&self, collection: &str, i: u64) -> Value {
        if collection == "accounts" { synthetic::account(i) } else { synthetic::identity(i) }
    }

    pub fn synthetic_by_id(&self, collection: &str, id: &str) -> Option<Value> {
        let i = *self.synthetic_index.get(id)?;
        (i < self.synthetic_count(collection)).then(|| self.synthetic(collection, i)).filter(|v| v["id"] == id)
    }
}

pub fn default_account_schema() -> Value {
    json!({
        "id": synthetic::id(7, 1), "name": "account", "nativeObjectType": "User",
        "identityAttribute": "sAMAccountName", "displayAttribute": "displayName",
        "attributes": [
            {"name": "sAMAccountName", "type": "STRING", "isMulti": false, "isEntitlement": false, "isGroup": false},
            {"name": "displayName", "type": "STRING", "isMulti": false, "isEntitlement": false, "isGroup": false},
            {"name": "memberOf", "type": "STRING", "isMulti": true, "isEntitlement": true, "isGroup": true}
        ]
    })
}
