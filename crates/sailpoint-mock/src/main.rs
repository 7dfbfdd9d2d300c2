//! `cargo run -p sailpoint-mock -- [PORT]`: a mock tenant until Ctrl-C.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    let config = sailpoint_mock::MockConfig { port, accounts: 100_000, ..Default::default() };
    let mock = sailpoint_mock::MockTenant::start(config).await?;
    println!("SailPoint mock tenant at {}", mock.url());
    println!("SAIL_BASE_URL={} SAIL_CLIENT_ID={} SAIL_CLIENT_SECRET={}", mock.url(), mock.client_id(), mock.client_secret());
    tokio::signal::ctrl_c().await
}
