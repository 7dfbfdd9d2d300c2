//! The fault soak: the SDK against a mock tenant that injects seeded,
//! random faults (see [`sailpoint_mock::Faults`]), under a workload whose
//! every outcome can be checked.
//!
//! - Listings of the synthetic accounts and searches of the synthetic
//!   identities, whose data does not change during the run: each item is
//!   checked against what the tenant holds at its position, so that an item
//!   lost, repeated or out of place is seen.
//! - Creates of password sync groups, each named with a unique marker,
//!   checked against the tenant's state after the run: a create the caller
//!   was told succeeded must be there exactly once, and no marker may be
//!   there twice.
//! - Updates by read-modify-write (GET a source, change its description,
//!   PUT it back) of sources that carry fields the SDK does not know, at
//!   the top level and nested: after the run each must still carry them.
//!
//! [`Report::violations`] lists what must never happen: an item lost or
//! repeated without an error to the caller, a duplicate create, a create
//! reported as done that is not there, a field lost. `src/bin/soak.rs` runs
//! it at scale (`cargo xtask soak`); a small seeded run is a test.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use sailpoint::Client;
use sailpoint::search::SearchRequest;
use sailpoint_mock::{Faults, MockConfig, MockTenant, synthetic_id};
use sailpoint_runtime::{Paginate as _, RetryConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Kinds of synthetic items (as `sailpoint_mock`'s ids derive them).
const ACCOUNT: u64 = 1;
const IDENTITY: u64 = 2;

/// The name marker of this run's fixtures and creates.
fn marker(seed: u64) -> String {
    format!("soak-{seed}")
}

/// What a soak does, and the faults it meets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// Seed of the tenant's fault dice.
    pub seed: u64,
    /// Synthetic accounts (each listing pass reads them all).
    pub accounts: u64,
    /// Listing passes over the accounts, `listing_concurrency` at a time.
    pub listing_passes: u64,
    /// Listings running at once.
    pub listing_concurrency: usize,
    /// Synthetic identities (each search pass reads them all).
    pub identities: u64,
    /// Search passes over the identities, one at a time.
    pub search_passes: u64,
    /// Results per search page.
    pub search_page: u32,
    /// Password sync groups to create.
    pub creates: u64,
    /// Sources (with fields the SDK does not know) to update.
    pub sources: u64,
    /// Read-modify-write rounds over every source.
    pub update_rounds: u64,
    /// Creates and updates running at once.
    pub concurrency: usize,
    /// Lifetime of the tenant's tokens, in seconds.
    pub token_lifetime_secs: u64,
}

impl Plan {
    /// A run of a few seconds, for CI.
    pub fn small(seed: u64) -> Self {
        Self {
            seed,
            accounts: 3_000,
            listing_passes: 4,
            listing_concurrency: 2,
            identities: 1_200,
            search_passes: 2,
            search_page: 250,
            creates: 300,
            sources: 20,
            update_rounds: 5,
            concurrency: 8,
            token_lifetime_secs: 2,
        }
    }

    /// The full soak: 1,000,000 listed items and 200,000 searched, 20,000
    /// creates, 30,000 read-modify-writes.
    pub fn full(seed: u64) -> Self {
        Self {
            seed,
            accounts: 100_000,
            listing_passes: 10,
            listing_concurrency: 4,
            identities: 20_000,
            search_passes: 10,
            search_page: 1_000,
            creates: 20_000,
            sources: 300,
            update_rounds: 100,
            concurrency: 32,
            token_lifetime_secs: 20,
        }
    }

    /// The faults: about one API request in eight, and one token request
    /// in five.
    pub fn faults(&self) -> Faults {
        Faults {
            rate_limited: 0.02,
            rate_limited_bare: 0.015,
            retry_after_secs: Some(0),
            server_errors: 0.02,
            non_json: 0.01,
            reset_before: 0.01,
            reset_after: 0.01,
            dropped: 0.01,
            truncated: 0.01,
            slow: 0.015,
            slow_pause: Duration::from_millis(20),
            revoked_tokens: 0.005,
            token_errors: 0.2,
            seed: self.seed,
            ..Faults::default()
        }
    }

    /// The tenant this plan runs against.
    pub fn mock_config(&self) -> MockConfig {
        MockConfig {
            accounts: self.accounts,
            identities: self.identities,
            rate_limit: None,
            token_lifetime: Duration::from_secs(self.token_lifetime_secs),
            faults: self.faults(),
            ..MockConfig::default()
        }
    }

    /// Stores the sources the updates work on, each with fields the SDK
    /// does not know (top level and nested in `owner`).
    pub fn seed_tenant(&self, mock: &MockTenant) {
        for i in 0..self.sources {
            let source = json!({
                "name": format!("{}-source-{i}", marker(self.seed)), "description": "round none",
                "connector": "active-directory", "type": "Active Directory - Direct", "connectorAttributes": {},
                "owner": {"type": "IDENTITY", "id": synthetic_id(IDENTITY, 0), "name": "user000000", "soakNested": format!("kept-{i}")},
                "soakUnknown": {"marker": format!("kept-{i}"), "list": [1, 2, 3]},
                "created": "2024-01-02T03:04:05.000Z"
            });
            mock.insert("sources", source);
        }
    }
}

/// What the tenant holds after a run, and what it counted.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TenantState {
    /// API requests that arrived.
    pub api_requests: u64,
    /// Tokens issued.
    pub tokens_issued: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<String, u64>,
    /// The password sync groups.
    pub groups: Vec<Value>,
    /// The sources.
    pub sources: Vec<Value>,
}

impl TenantState {
    /// The state of `mock` now.
    pub fn of(mock: &MockTenant) -> Self {
        Self {
            api_requests: mock.api_requests(),
            tokens_issued: mock.tokens_issued(),
            faults: mock.faults_injected().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            groups: mock.items("password-sync-groups"),
            sources: mock.items("sources"),
        }
    }
}

/// The client a soak uses: no client-side rate limit (the tenant has none)
/// and a retry budget that a one-in-eight fault rate does not exhaust.
pub fn client(url: &str, client_id: &str, secret: &str) -> Result<Client, sailpoint::Error> {
    let retry = RetryConfig::default().with_budget(1_000_000);
    Client::builder()
        .base_url(url)
        .client_credentials(client_id, secret)
        .allow_http_loopback(true)
        .rate_limit(None)
        .retry(retry)
        .read_timeout(Some(Duration::from_secs(10)))
        .build()
}

/// What the caller saw, by stream or call.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Outcomes {
    /// Items every listing and search should have given.
    pub items_expected: u64,
    /// Items received.
    pub items_received: u64,
    /// Items received twice or more in one stream.
    pub items_duplicated: u64,
    /// Items received that are not the one due at that position (after an
    /// item lost or repeated, every later one of its stream too).
    pub items_out_of_place: u64,
    /// Items not received by streams that ended in an error.
    pub items_lost_with_error: u64,
    /// Items not received by streams that ended without an error.
    pub items_lost_silently: u64,
    /// Creates sent; and, by their markers, those the caller was told
    /// succeeded.
    pub creates_sent: u64,
    /// Markers of the creates that returned `Ok`.
    pub created_ok: Vec<String>,
    /// Sources found to update (the plan's `sources`, unless listing them failed).
    pub sources_found: u64,
    /// Read-modify-writes attempted.
    pub updates_sent: u64,
    /// Read-modify-writes that returned `Ok`.
    pub updates_ok: u64,
    /// By source id, the last round whose read-modify-write returned `Ok`.
    pub last_update_ok: BTreeMap<String, u64>,
    /// Calls (or streams) that failed, by operation and error kind.
    pub failures: BTreeMap<String, u64>,
    /// The first error message of each kind of failure.
    pub failure_examples: BTreeMap<String, String>,
    /// Seconds the workload took.
    pub seconds: f64,
}

impl Outcomes {
    fn failed(&mut self, what: &str, e: &sailpoint::Error) {
        let key = format!("{what}: {:?}", e.kind());
        self.failure_examples.entry(key.clone()).or_insert_with(|| e.to_string());
        *self.failures.entry(key).or_default() += 1;
    }
}

/// One stream's items against those due at each position.
fn check_stream(out: &mut Outcomes, due: &[String], got: &[String], ended_in_error: Option<&sailpoint::Error>, what: &str) {
    out.items_expected += due.len() as u64;
    out.items_received += got.len() as u64;
    let mut seen = HashSet::with_capacity(got.len());
    for (i, id) in got.iter().enumerate() {
        if !seen.insert(id) {
            out.items_duplicated += 1;
        } else if due.get(i) != Some(id) {
            out.items_out_of_place += 1;
        }
    }
    let lost = due.iter().filter(|id| !seen.contains(id)).count() as u64;
    match ended_in_error {
        Some(e) => {
            out.items_lost_with_error += lost;
            out.failed(what, e);
        }
        None => out.items_lost_silently += lost,
    }
}

/// Ids of a stream's items, and its error if it ended in one.
async fn ids_of<T, S>(stream: S, id: impl Fn(&T) -> Option<String>) -> (Vec<String>, Option<sailpoint::Error>)
where
    S: futures::Stream<Item = Result<T, sailpoint::Error>>,
{
    let mut stream = std::pin::pin!(stream);
    let mut ids = Vec::new();
    loop {
        match stream.next().await {
            Some(Ok(item)) => ids.push(id(&item).unwrap_or_default()),
            Some(Err(e)) => return (ids, Some(e)),
            None => return (ids, None),
        }
    }
}

/// Runs the workload of `plan` with `client` against a tenant seeded with
/// [`Plan::seed_tenant`].
pub async fn run(plan: &Plan, client: &Client) -> Outcomes {
    let started = Instant::now();
    let out = Arc::new(std::sync::Mutex::new(Outcomes::default()));
    tokio::join!(
        listings(plan, client, &out),
        searches(plan, client, &out),
        creates(plan, client, &out),
        updates(plan, client, &out)
    );
    let mut out = std::mem::take(&mut *out.lock().unwrap_or_else(|e| e.into_inner()));
    out.seconds = started.elapsed().as_secs_f64();
    out
}

type Shared = Arc<std::sync::Mutex<Outcomes>>;

fn record(out: &Shared, f: impl FnOnce(&mut Outcomes)) {
    f(&mut out.lock().unwrap_or_else(|e| e.into_inner()));
}

async fn listings(plan: &Plan, client: &Client, out: &Shared) {
    let due: Arc<Vec<String>> = Arc::new((0..plan.accounts).map(|i| synthetic_id(ACCOUNT, i)).collect());
    futures::stream::iter(0..plan.listing_passes)
        .for_each_concurrent(plan.listing_concurrency, |_| {
            let due = due.clone();
            async move {
                let (got, error) = ids_of(client.v3().list_accounts().stream(), |a| a.id.clone()).await;
                record(out, |o| check_stream(o, &due, &got, error.as_ref(), "list_accounts"));
            }
        })
        .await;
}

async fn searches(plan: &Plan, client: &Client, out: &Shared) {
    // Sorted by `name` (user000000…): the ids in index order.
    let due: Vec<String> = (0..plan.identities).map(|i| synthetic_id(IDENTITY, i)).collect();
    for _ in 0..plan.search_passes {
        // v3's endpoint whatever the build's features (the search service's
        // is the default where a crate of the build turns on `search`).
        let request = SearchRequest::new(json!({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]}))
            .page_size(plan.search_page)
            .api_version("v3");
        let (got, error) = ids_of(client.search_json(request), |d: &Value| d["id"].as_str().map(str::to_string)).await;
        record(out, |o| check_stream(o, &due, &got, error.as_ref(), "search"));
    }
}

async fn creates(plan: &Plan, client: &Client, out: &Shared) {
    let prefix = marker(plan.seed);
    futures::stream::iter(0..plan.creates)
        .for_each_concurrent(plan.concurrency, |n| {
            let name = format!("{prefix}-group-{n}");
            async move {
                let group = sailpoint::v3::types::PasswordSyncGroup { name: Some(name.clone()), ..Default::default() };
                let result = client.v3().create_password_sync_group().body(group).send().await;
                record(out, |o| {
                    o.creates_sent += 1;
                    match result {
                        Ok(_) => o.created_ok.push(name),
                        Err(e) => o.failed("create_password_sync_group", &e),
                    }
                });
            }
        })
        .await;
}

async fn updates(plan: &Plan, client: &Client, out: &Shared) {
    let prefix = format!("{}-source-", marker(plan.seed));
    // The fixtures, found by listing (retried until a listing gets through).
    let mut ids: Vec<String> = Vec::new();
    for _ in 0..20 {
        let listed: Result<Vec<_>, _> =
            client.v3().list_sources().filters(format!("name sw \"{prefix}\"")).stream().try_collect().await;
        match listed {
            Ok(sources) => {
                ids = sources.into_iter().filter_map(|s| s.id).collect();
                record(out, |o| o.sources_found = ids.len() as u64);
                break;
            }
            Err(e) => record(out, |o| o.failed("list_sources", &e)),
        }
    }
    for round in 0..plan.update_rounds {
        futures::stream::iter(ids.iter())
            .for_each_concurrent(plan.concurrency, |id| async move {
                let result = read_modify_write(client, id, round).await;
                record(out, |o| {
                    o.updates_sent += 1;
                    match result {
                        Ok(()) => {
                            o.updates_ok += 1;
                            o.last_update_ok.insert(id.clone(), round);
                        }
                        Err((what, e)) => o.failed(what, &e),
                    }
                });
            })
            .await;
    }
}

async fn read_modify_write(client: &Client, id: &str, round: u64) -> Result<(), (&'static str, sailpoint::Error)> {
    let got = client.v3().get_source().id(id).send().await.and_then(|r| r.into_inner());
    let mut source = got.map_err(|e| ("get_source", e))?;
    source.description = Some(format!("round {round}"));
    client.v3().put_source().id(id).body(source).send().await.map_err(|e| ("put_source", e))?;
    Ok(())
}

/// The soak's figures: the plan, what the tenant counted, what the caller
/// saw, and what was checked.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    /// The plan run.
    pub plan: Plan,
    /// What the caller saw.
    pub outcomes: Outcomes,
    /// API requests the tenant received.
    pub api_requests: u64,
    /// Tokens the tenant issued.
    pub tokens_issued: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<String, u64>,
    /// Creates applied (their marker is in the tenant), and applied twice or more.
    pub creates_applied: u64,
    /// Markers in the tenant more than once.
    pub creates_duplicated: u64,
    /// Creates that returned `Ok` but are not in the tenant.
    pub creates_ok_missing: u64,
    /// Creates that failed with an error but were applied (a reset or a
    /// cut body after the tenant carried them out; allowed: the caller was
    /// told it cannot know).
    pub creates_failed_but_applied: u64,
    /// Sources that lost (or changed) a field the SDK does not know.
    pub fields_lost: u64,
    /// Sources whose description is older than their last update that
    /// returned `Ok`.
    pub updates_lost: u64,
    /// Client peak memory (MB), when measured in a process of its own.
    pub client_peak_rss_mb: Option<f64>,
}

impl Report {
    /// Checks `outcomes` against the tenant's `state`.
    pub fn new(plan: &Plan, outcomes: Outcomes, state: TenantState) -> Self {
        let prefix = format!("{}-group-", marker(plan.seed));
        let mut applied: HashMap<&str, u64> = HashMap::new();
        for g in &state.groups {
            if let Some(name) = g["name"].as_str().filter(|n| n.starts_with(&prefix)) {
                *applied.entry(name).or_default() += 1;
            }
        }
        let ok: HashSet<&str> = outcomes.created_ok.iter().map(String::as_str).collect();
        let creates_ok_missing = ok.iter().filter(|n| !applied.contains_key(*n)).count() as u64;
        let creates_failed_but_applied = applied.keys().filter(|n| !ok.contains(*n)).count() as u64;
        let source_prefix = format!("{}-source-", marker(plan.seed));
        let fields_lost = state
            .sources
            .iter()
            .filter_map(|s| Some((s["name"].as_str()?.strip_prefix(&source_prefix)?.to_string(), s)))
            .filter(|(i, s)| {
                let kept = format!("kept-{i}");
                s["soakUnknown"] != json!({"marker": kept, "list": [1, 2, 3]}) || s["owner"]["soakNested"] != json!(kept)
            })
            .count() as u64
            + plan.sources.saturating_sub(
                state.sources.iter().filter(|s| s["name"].as_str().is_some_and(|n| n.starts_with(&source_prefix))).count() as u64,
            );
        let round_of = |s: &Value| s["description"].as_str()?.strip_prefix("round ")?.parse::<u64>().ok();
        let updates_lost = state
            .sources
            .iter()
            .filter(|s| {
                let last_ok = s["id"].as_str().and_then(|id| outcomes.last_update_ok.get(id));
                last_ok.is_some_and(|ok| round_of(s).is_none_or(|r| r < *ok))
            })
            .count() as u64;
        Self {
            plan: plan.clone(),
            updates_lost,
            api_requests: state.api_requests,
            tokens_issued: state.tokens_issued,
            faults: state.faults,
            creates_applied: applied.len() as u64,
            creates_duplicated: applied.values().filter(|n| **n > 1).count() as u64,
            creates_ok_missing,
            creates_failed_but_applied,
            fields_lost,
            outcomes,
            client_peak_rss_mb: None,
        }
    }

    /// Faults injected, all kinds.
    pub fn faults_total(&self) -> u64 {
        self.faults.values().sum()
    }

    /// Where the run did too little for its checks to mean much: fewer
    /// sources found than seeded, or fewer than half of the creates or the
    /// updates answered `Ok`.
    pub fn shortfalls(&self) -> Vec<String> {
        let (o, p) = (&self.outcomes, &self.plan);
        let mut v = Vec::new();
        if o.sources_found != p.sources {
            v.push(format!("{} of the {} sources found to update", o.sources_found, p.sources));
        }
        if (o.created_ok.len() as u64) < p.creates / 2 {
            v.push(format!("only {} of {} creates answered Ok", o.created_ok.len(), p.creates));
        }
        if o.updates_ok < p.sources * p.update_rounds / 2 {
            v.push(format!("only {} of {} read-modify-writes answered Ok", o.updates_ok, p.sources * p.update_rounds));
        }
        v
    }

    /// What must never happen, if it did.
    pub fn violations(&self) -> Vec<String> {
        let o = &self.outcomes;
        let mut v = Vec::new();
        let mut check = |n: u64, what: &str| {
            if n > 0 {
                v.push(format!("{n} {what}"));
            }
        };
        check(o.items_lost_silently, "items lost without an error");
        check(o.items_duplicated, "items received twice");
        check(o.items_out_of_place, "items out of place");
        check(self.creates_duplicated, "creates applied twice");
        check(self.creates_ok_missing, "creates reported done but not applied");
        check(self.fields_lost, "sources that lost an unknown field");
        check(self.updates_lost, "updates reported done but not applied");
        v
    }

    /// The report as a Markdown table.
    pub fn markdown(&self) -> String {
        let o = &self.outcomes;
        let mut rows: Vec<(String, String)> = vec![
            ("seed".into(), self.plan.seed.to_string()),
            ("wall time".into(), format!("{:.1} s", o.seconds)),
            ("API requests received".into(), self.api_requests.to_string()),
            ("tokens issued".into(), self.tokens_issued.to_string()),
            ("faults injected".into(), self.faults_total().to_string()),
        ];
        rows.extend(self.faults.iter().map(|(k, n)| (format!("- {k}"), n.to_string())));
        let figures = [
            ("items expected", o.items_expected.to_string()),
            ("items received", o.items_received.to_string()),
            ("items duplicated", o.items_duplicated.to_string()),
            ("items out of place", o.items_out_of_place.to_string()),
            ("items lost without an error", o.items_lost_silently.to_string()),
            ("items not received, stream ended with an error", o.items_lost_with_error.to_string()),
            ("creates sent", o.creates_sent.to_string()),
            ("creates answered Ok", o.created_ok.len().to_string()),
            ("creates applied", self.creates_applied.to_string()),
            ("creates applied twice", self.creates_duplicated.to_string()),
            ("creates Ok but not applied", self.creates_ok_missing.to_string()),
            ("creates failed (error to the caller) but applied", self.creates_failed_but_applied.to_string()),
            ("read-modify-writes sent / Ok", format!("{} / {}", o.updates_sent, o.updates_ok)),
            ("read-modify-writes Ok but not applied", self.updates_lost.to_string()),
            ("sources that lost an unknown field", self.fields_lost.to_string()),
            ("client peak RSS", self.client_peak_rss_mb.map_or("not measured".into(), |m| format!("{m:.0} MB"))),
        ];
        rows.extend(figures.into_iter().map(|(k, v)| (k.to_string(), v)));
        rows.extend(o.failures.iter().map(|(k, n)| {
            let example = o.failure_examples.get(k).map(|m| m.replace('|', "\\|").replace('<', "&lt;")).unwrap_or_default();
            (format!("failed: {k}"), format!("{n} (e.g. {example})"))
        }));
        let mut s = String::from("| figure | value |\n| --- | --- |\n");
        for (k, v) in rows {
            s.push_str(&format!("| {k} | {v} |\n"));
        }
        s
    }
}
