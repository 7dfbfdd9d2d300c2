//! Contract tests: the SDK against SailPoint's own spec, served by Prism.
//!
//! Each test starts one Prism for one API version (see `prism`), puts a
//! recording proxy in front of it (see `proxy`), and calls operations
//! through the SDK with spec-valid arguments (the tables generated into
//! `tests/tests/generated/`). A call fails when Prism reports a violation
//! in the request, or when the SDK cannot decode the response.
//! Setup: `cargo xtask test` (installs Prism, writes the served documents).

mod blind_spots;
mod calls;
mod harness;
mod prism;
mod proxy;
mod triggers;

// The services' call tables and their seed and sweep tests. Each version's
// seed and sweep are a test binary of their own (`contract_<version>.rs`):
// one compilation holding every version's calls took 9 GB.
#[rustfmt::skip]
#[path = "../generated/contract_calls.rs"]
mod call_tables;
#[rustfmt::skip]
#[path = "../generated/versions.rs"]
mod versions;

use std::collections::BTreeSet;

pub use calls::{Call, Fallback, example, parsed, sdk};
use calls::{Outcome, Verdict};
pub use harness::*;
use proxy::Proxy;
use sailpoint_runtime::Operation;

/// The six multipart operations of Sources (each version or service names
/// them alike, with its own suffix and path prefix), each called once.
macro_rules! multipart_sources {
    ($client:ty, $suffix:literal, $prefix:literal, $c:expr, $proxy:expr,
     $accounts:ident, $accounts_schema:ident, $connector_file:ident, $entitlements:ident,
     $entitlements_schema:ident, $uncorrelated_accounts:ident) => {{
        let (client, proxy) = ($c, $proxy);
        const ID: &str = "2c9180835d2e5168015d32f890ca1581";
        let calls: [Call<$client>; 6] = [
            Call {
                operation_id: concat!("importAccounts", $suffix),
                method: "POST",
                path: concat!($prefix, "/{id}/load-accounts"),
                body: None,
                body_is_spec_example: false,
                fallback: None,
                call: |c| {
                    Box::pin(async move {
                        c.$accounts()
                            .id(ID)
                            .file_bytes("accounts.csv", b"id,name\n1,Ada\n".to_vec())
                            .disable_optimization("true")
                            .send()
                            .await
                            .and_then(|r| r.into_inner())
                            .map(drop)
                            .map_err(sdk)
                    })
                },
            },
            Call {
                operation_id: concat!("importAccountsSchema", $suffix),
                method: "POST",
                path: concat!($prefix, "/{id}/schemas/accounts"),
                body: None,
                body_is_spec_example: false,
                fallback: None,
                call: |c| {
                    Box::pin(async move {
                        c.$accounts_schema()
                            .id(ID)
                            .file_bytes("schema.csv", b"name,type\nid,STRING\n".to_vec())
                            .send()
                            .await
                            .and_then(|r| r.into_inner())
                            .map(drop)
                            .map_err(sdk)
                    })
                },
            },
            Call {
                operation_id: concat!("importConnectorFile", $suffix),
                method: "POST",
                path: concat!($prefix, "/{sourceId}/upload-connector-file"),
                body: None,
                body_is_spec_example: false,
                fallback: None,
                call: |c| {
                    Box::pin(async move {
                        c.$connector_file()
                            .source_id(ID)
                            .file_bytes("driver.jar", vec![0x50, 0x4b, 3, 4])
                            .send()
                            .await
                            .and_then(|r| r.into_inner())
                            .map(drop)
                            .map_err(sdk)
                    })
                },
            },
            Call {
                operation_id: concat!("importEntitlements", $suffix),
                method: "POST",
                path: concat!($prefix, "/{sourceId}/load-entitlements"),
                body: None,
                body_is_spec_example: false,
                fallback: None,
                call: |c| {
                    Box::pin(async move {
                        c.$entitlements()
                            .source_id(ID)
                            .file_bytes("entitlements.csv", b"id,name\ng1,Admins\n".to_vec())
                            .send()
                            .await
                            .and_then(|r| r.into_inner())
                            .map(drop)
                            .map_err(sdk)
                    })
                },
            },
            Call {
                operation_id: concat!("importEntitlementsSchema", $suffix),
                method: "POST",
                path: concat!($prefix, "/{id}/schemas/entitlements"),
                body: None,
                body_is_spec_example: false,
                fallback: None,
                call: |c| {
                    Box::pin(async move {
                        c.$entitlements_schema()
                            .id(ID)
                            .schema_name("group")
                            .file_bytes("schema.csv", b"name,type\nid,STRING\n".to_vec())
                            .send()
                            .await
                            .and_then(|r| r.into_inner())
                            .map(drop)
                            .map_err(sdk)
                    })
                },
            },
            Call {
                operation_id: concat!("importUncorrelatedAccounts", $suffix),
                method: "POST",
                path: concat!($prefix, "/{id}/load-uncorrelated-accounts"),
                body: None,
                body_is_spec_example: false,
                fallback: None,
                call: |c| {
                    Box::pin(async move {
                        c.$uncorrelated_accounts()
                            .id(ID)
                            .file_bytes("accounts.csv", b"id,name\n1,Ada\n".to_vec())
                            .send()
                            .await
                            .and_then(|r| r.into_inner())
                            .map(drop)
                            .map_err(sdk)
                    })
                },
            },
        ];
        calls::run(client, proxy, &calls).await
    }};
}

async fn multipart_sources_v2024(client: &sailpoint_v2024::Client, proxy: &Proxy) -> Vec<Outcome> {
    multipart_sources!(
        sailpoint_v2024::Client,
        "",
        "/sources",
        client,
        proxy,
        import_accounts,
        import_accounts_schema,
        import_connector_file,
        import_entitlements,
        import_entitlements_schema,
        import_uncorrelated_accounts
    )
}

async fn multipart_sources_v1(client: &sailpoint_sources::Client, proxy: &Proxy) -> Vec<Outcome> {
    multipart_sources!(
        sailpoint_sources::Client,
        "V1",
        "/sources/v1",
        client,
        proxy,
        import_accounts_v1,
        import_accounts_schema_v1,
        import_connector_file_v1,
        import_entitlements_v1,
        import_entitlements_schema_v1,
        import_uncorrelated_accounts_v1
    )
}

/// The multipart operations of the seed tags in v2024 (the generated seed
/// tables leave multipart operations out), each called and decoded.
#[tokio::test]
async fn seed_multipart_v2024() {
    let Some(f) = fixture("v2024").await else { return };
    let mut outcomes = multipart_sources_v2024(f.client.v2024(), &f.proxy).await;
    let called: BTreeSet<&str> = outcomes.iter().map(|o| o.operation_id).collect();
    let multipart: BTreeSet<&str> = sailpoint_v2024::OPERATIONS.iter().filter(|o| o.multipart).map(|o| o.operation_id).collect();
    let tags = call_tables::SEED_TAGS;
    let expected: BTreeSet<&str> = tagged(sailpoint_v2024::OPERATIONS, tags).intersection(&multipart).copied().collect();
    assert_eq!(called, expected, "every multipart operation of {tags:?} is called once");
    assert_all_decoded("v2024", &mut outcomes);
}

/// The multipart operations of the Sources service (`/sources/v1/…`), on
/// the services' Prism, each called and decoded.
#[tokio::test]
async fn seed_multipart_sources_v1() {
    let Some(f) = fixture(SERVICES).await else { return };
    let mut outcomes = multipart_sources_v1(f.client.sources(), &f.proxy).await;
    let called: BTreeSet<&str> = outcomes.iter().map(|o| o.operation_id).collect();
    let expected: BTreeSet<&str> = sailpoint_sources::OPERATIONS.iter().filter(|o| o.multipart).map(|o| o.operation_id).collect();
    assert_eq!(called, expected, "every multipart operation of the Sources service is called once");
    assert_all_decoded(SERVICES, &mut outcomes);
}

/// The document of every service of the per-service layout, served by one
/// Prism (`cargo xtask mock-spec` writes it as `target/prism/services.json`).
pub const SERVICES: &str = "services";

/// Every operation of one seed service but the multipart ones, on the
/// services' Prism (`f`); the outcomes, checked by `finish_services_seed`.
/// Called by the generated `seed_every_operation_of_the_seed_services`.
async fn seed_service<C>(
    f: &Fixture,
    service: &str,
    client: &C,
    calls: &[Call<C>],
    operations: &[Operation],
) -> (String, Vec<Outcome>) {
    let outcomes = calls::run(client, &f.proxy, calls).await;
    let called: BTreeSet<&'static str> = outcomes.iter().map(|o| o.operation_id).collect();
    let expected: BTreeSet<&str> = operations.iter().filter(|o| !o.multipart).map(|o| o.operation_id).collect();
    assert_eq!(called, expected, "{service}: every operation but the multipart ones is called");
    (service.to_string(), outcomes)
}

/// Every seed service's operations decoded, with no request violation.
fn finish_services_seed(mut outcomes: Vec<(String, Vec<Outcome>)>) {
    let mut reports = String::new();
    let mut bad = 0;
    for (service, outcomes) in &mut outcomes {
        apply_known_spec_defects(service, outcomes);
        reports.push_str(&calls::report(&format!("{service} seed"), outcomes));
        bad += outcomes.iter().filter(|o| !o.verdict.is_decoded()).count();
    }
    eprintln!("{reports}");
    assert_eq!(bad, 0, "{bad} seed operations of the services failed:\n{reports}");
}

/// Every `GET` operation of one service, on the services' Prism. Called by
/// the generated `sweep_every_service_get`.
async fn sweep_service<C>(
    f: &Fixture,
    service: &str,
    client: &C,
    gets: &[Call<C>],
    operations: &[Operation],
) -> (String, Vec<Outcome>) {
    let all_gets = operations.iter().filter(|o| o.method == "GET" && !o.multipart).count();
    assert_eq!(gets.len(), all_gets, "the sweep calls every GET operation of {service}");
    let mut outcomes = calls::run(client, &f.proxy, gets).await;
    apply_known_spec_defects(service, &mut outcomes);
    (service.to_string(), outcomes)
}

/// One report for every service (`target/prism/sweep-services.md`: the
/// totals, then each service's lines); what the SDK gets wrong fails.
fn finish_services_sweep(outcomes: Vec<(String, Vec<Outcome>)>) {
    let all: Vec<&Outcome> = outcomes.iter().flat_map(|(_, o)| o).collect();
    let count = |f: fn(&calls::Verdict) -> bool| all.iter().filter(|o| f(&o.verdict)).count();
    let failed = count(Verdict::is_failure);
    let mut report = format!(
        "## every service: {} services, {} GET operations called, {} decoded, {failed} failed, {} refused only because the spec's example breaks its schema, {} spec defects\n\n",
        outcomes.len(),
        all.len(),
        count(|v| matches!(v, Verdict::Decoded | Verdict::DecodedWithSchemaBody(_))),
        count(|v| matches!(v, Verdict::DecodedSchemaAnswer(_))),
        count(|v| !v.is_failure()
            && !matches!(v, Verdict::Decoded | Verdict::DecodedWithSchemaBody(_) | Verdict::DecodedSchemaAnswer(_))),
    );
    for (service, o) in &outcomes {
        report.push_str(&calls::report(service, o));
    }
    write_report(SERVICES, &report);
    assert_eq!(failed, 0, "{failed} GET operations of the services failed:\n{report}");
}

/// `Prefer: code=N` makes Prism answer the operation's documented error
/// example; the SDK must turn each into its error type, status and details.
#[tokio::test]
async fn forced_errors_decode_into_the_sdk_error() {
    let Some(f) = fixture("v2024").await else { return };
    for code in [400u16, 401, 403, 404, 429, 500] {
        f.proxy.prefer(Some(&format!("code={code}")));
        let error = f
            .client
            .v2024()
            .get_source()
            .id("2c9180835d2e5168015d32f890ca1581")
            .send()
            .await
            .map(drop)
            .expect_err("Prism answers the forced status");
        let exchanges = f.proxy.take();
        let sent: Vec<&proxy::Exchange> = exchanges.iter().filter(|x| x.path != "/oauth/token").collect();
        assert!(sent.iter().all(|x| x.violations_of("request").is_empty()), "{code}: {sent:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(code), "{code}: {error}");
        // The spec documents two body shapes: ErrorResponseDto (detailCode,
        // trackingId, messages) and, for 401 and 429, a bare `error`/`message`.
        assert!(!error.message().is_empty(), "{code}: the API's message is kept: {error:?}");
        if !matches!(code, 401 | 429) {
            assert!(
                error.detail_code().is_some() && error.tracking_id().is_some() && !error.messages().is_empty(),
                "{code}: {error:?}"
            );
        }
        match code {
            401 => assert!(error.is_unauthorized(), "{error:?}"),
            403 => assert!(error.is_forbidden(), "{error:?}"),
            404 => assert!(error.is_not_found(), "{error:?}"),
            429 => assert!(error.is_rate_limited(), "{error:?}"),
            _ => assert_eq!(error.kind(), sailpoint_runtime::ErrorKind::Api, "{error:?}"),
        }
        if code == 401 {
            // one refresh and one replay, as after any 401
            assert_eq!(sent.len(), 2, "{sent:?}");
        }
    }
}
