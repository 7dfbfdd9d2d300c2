//! The fault soak, small and seeded (`cargo xtask soak` runs it at scale):
//! against a tenant injecting every kind of fault, nothing is lost or
//! repeated without an error to the caller, no create is applied twice,
//! and read-modify-write keeps the fields the SDK does not know.

use sailpoint_bench::soak::{self, Plan, Report, TenantState};
use sailpoint_mock::MockTenant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_fault_soak_loses_and_duplicates_nothing() {
    let plan = Plan::small(7);
    let mock = MockTenant::start(plan.mock_config()).await.unwrap();
    plan.seed_tenant(&mock);
    let client = soak::client(&mock.url(), mock.client_id(), mock.client_secret()).unwrap();
    let outcomes = soak::run(&plan, &client).await;
    let report = Report::new(&plan, outcomes, TenantState::of(&mock));
    println!("{}", report.markdown());
    assert_eq!(report.violations(), Vec::<String>::new(), "{}", report.markdown());
    // It was a soak: faults of most kinds met a workload that got done.
    assert!(report.faults.len() >= 8 && report.faults_total() >= 50, "{:?}", report.faults);
    let o = &report.outcomes;
    assert!(o.items_received >= o.items_expected / 2, "{}", report.markdown());
    assert_eq!(report.shortfalls(), Vec::<String>::new(), "{}", report.markdown());
    assert!(report.tokens_issued >= 2, "tokens were refused or expired, and replaced");
}
