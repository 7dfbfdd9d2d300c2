//! What every contract test binary shares: Prism and a client on its
//! proxy ([`fixture`]), the seed and sweep runs of a call table, and the
//! spec defects Prism blames on the request. `main.rs` (the services, the
//! multipart calls, the blind spots) and each version's generated binary
//! (`tests/tests/contract_<version>.rs`) include it.

use std::collections::BTreeSet;

use sailpoint_runtime::{Operation, RetryConfig};

use crate::calls::{self, Call, Outcome, Verdict};
use crate::prism::Prism;
use crate::proxy::Proxy;

pub struct Fixture {
    pub client: sailpoint::Client,
    pub proxy: Proxy,
    // Dropped last: stops Prism.
    _prism: Prism,
}

/// Prism for `version`, the proxy, and a client on the proxy (no retries:
/// every answer reaches the test as Prism gave it). `None`: skipped.
pub async fn fixture(version: &str) -> Option<Fixture> {
    let prism = Prism::start(version).await?;
    let proxy = Proxy::start(&prism.url).await;
    let client = sailpoint::Client::builder()
        .base_url(&proxy.url)
        .allow_http_loopback(true)
        .client_credentials("prism-client-id", "prism-client-secret")
        .experimental(true)
        .retry(RetryConfig::default().with_max_retries(0).with_max_rate_limited_retries(0))
        .rate_limit(None)
        .build()
        .expect("a client for Prism");
    Some(Fixture { client, proxy, _prism: prism })
}

/// The operations with one of `tags` (the seed tags, which the xtask writes
/// into each call table as `SEED_TAGS`).
pub fn tagged(operations: &[Operation], tags: &[&str]) -> BTreeSet<&'static str> {
    operations.iter().filter(|o| tags.contains(&o.tag)).map(|o| o.operation_id).collect()
}

/// Spec defects Prism reports as the request's fault. Each was checked by
/// reading the spec. A listed operation that no longer fails, or a failure
/// not listed, fails the test.
pub const SPEC_DEFECTS_BLAMED_ON_THE_REQUEST: &[(&[&str], &str, &str)] = &[
    (
        &["beta", "v2024", "v2025", "v2026"],
        "getBulkUpdateStatusById",
        "its security is `UserContextAuth`, a scheme the spec does not define",
    ),
    (&["roles"], "getBulkUpdateStatusByIdV1", "its security is `UserContextAuth`, a scheme the spec does not define"),
    // Not a defect of the spec but of Prism's reading of it: `security: [{}]`
    // lets a request go with or without credentials, and Prism refuses the
    // bearer token the client sends.
    (&["v2025", "v2026"], "getJWKSData", ANONYMOUS_ALLOWED),
    (&["v2025", "v2026"], "getSSFConfiguration", ANONYMOUS_ALLOWED),
    (&["shared-signals-framework-ssf"], "getJWKSDataV1", ANONYMOUS_ALLOWED),
    (&["shared-signals-framework-ssf"], "getSSFConfigurationV1", ANONYMOUS_ALLOWED),
];

pub const ANONYMOUS_ALLOWED: &str = "its security is `[{}]` (anonymous allowed); Prism refuses the bearer token";

/// Moves the listed spec defects from `Failed` to `SpecDefect`; panics on
/// a listed operation, called here, that did not fail.
pub fn apply_known_spec_defects(version: &str, outcomes: &mut [Outcome]) {
    for (_, operation_id, why) in SPEC_DEFECTS_BLAMED_ON_THE_REQUEST.iter().filter(|(v, _, _)| v.contains(&version)) {
        let Some(o) = outcomes.iter_mut().find(|o| o.operation_id == *operation_id) else { continue };
        match &o.verdict {
            Verdict::Failed(detail) => o.verdict = Verdict::SpecDefect(format!("read from the spec: {why} ({detail})")),
            other => panic!(
                "{version} {operation_id} is listed as a spec defect but gave {other:?}: update SPEC_DEFECTS_BLAMED_ON_THE_REQUEST"
            ),
        }
    }
}

/// Every seed outcome must be decoded (with the spec's request example, or
/// a body made from the schema where that example breaks it).
pub fn assert_all_decoded(version: &str, outcomes: &mut [Outcome]) {
    apply_known_spec_defects(version, outcomes);
    let report = calls::report(&format!("{version} seed"), outcomes);
    eprintln!("{report}");
    let bad = outcomes.iter().filter(|o| !o.verdict.is_decoded()).count();
    assert_eq!(bad, 0, "{bad} seed operations of {version} failed:\n{report}");
}

/// Writes the sweep's report next to the served documents and prints it.
pub fn write_report(version: &str, report: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/prism");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("sweep-{version}.md")), report);
    eprintln!("{report}");
}

/// Every non-multipart operation of the seed tags in `version`, called and
/// decoded. Called by each version's generated `seed_every_operation`.
pub async fn seed<C>(
    version: &str,
    client: impl FnOnce(&sailpoint::Client) -> &C,
    (calls, tags): (&[Call<C>], &[&str]),
    operations: &[Operation],
) {
    let Some(f) = fixture(version).await else { return };
    let mut outcomes = calls::run(client(&f.client), &f.proxy, calls).await;
    let called: BTreeSet<&'static str> = outcomes.iter().map(|o| o.operation_id).collect();
    let multipart: BTreeSet<&str> = operations.iter().filter(|o| o.multipart).map(|o| o.operation_id).collect();
    let expected: BTreeSet<&str> = tagged(operations, tags).difference(&multipart).copied().collect();
    assert_eq!(called, expected, "{version}: every operation of {tags:?} but the multipart ones is called");
    assert_all_decoded(version, &mut outcomes);
}

/// Every `GET` operation of `version`, called; what the SDK gets wrong
/// fails. Called by each version's generated `sweep_every_get`.
pub async fn sweep<C>(version: &str, client: impl FnOnce(&sailpoint::Client) -> &C, gets: &[Call<C>], operations: &[Operation]) {
    let Some(f) = fixture(version).await else { return };
    let all_gets = operations.iter().filter(|o| o.method == "GET" && !o.multipart).count();
    assert_eq!(gets.len(), all_gets, "the sweep calls every GET operation of {version}");
    let mut outcomes = calls::run(client(&f.client), &f.proxy, gets).await;
    apply_known_spec_defects(version, &mut outcomes);
    let report = calls::report(version, &outcomes);
    write_report(version, &report);
    // What the SDK gets wrong fails the test; what the spec's own examples
    // get wrong is reported (above, and in target/prism/sweep-<version>.md).
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.verdict.is_failure()).collect();
    assert!(failed.is_empty(), "{} GET operations of {version} failed:\n{report}", failed.len());
}
