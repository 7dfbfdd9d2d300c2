//! `cargo run -p sailpoint-mock -- [--port N] [--accounts N] [--no-rate-limit]
//! [--latency-ms N] [--bandwidth-mbit N] [--no-compression]`:
//! a mock tenant until Ctrl-C (or until its standard input closes, with
//! `--until-stdin-closes`, for scripts that drive it). When it stops it
//! prints `BODY_BYTES_SENT=N`: the response body bytes sent under
//! `--bandwidth-mbit`.

use std::process::ExitCode;

const USAGE: &str = "usage: sailpoint-mock [--port N] [--accounts N] [--identities N] [--no-rate-limit] \
                     [--latency-ms N] [--bandwidth-mbit N] [--no-compression] [--until-stdin-closes]";

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
    value.parse().map_err(|_| format!("{flag}: `{value}` is not a number\n{USAGE}"))
}

fn config() -> Result<(sailpoint_mock::MockConfig, bool), String> {
    let mut config = sailpoint_mock::MockConfig { accounts: 100_000, ..Default::default() };
    let mut until_stdin_closes = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => config.port = number("--port", args.next())?,
            "--accounts" => config.accounts = number("--accounts", args.next())?,
            "--identities" => config.identities = number("--identities", args.next())?,
            "--no-rate-limit" => config.rate_limit = None,
            // A WAN: time added to every API request, a cap on each response's bytes per second.
            "--latency-ms" => config.faults.latency = std::time::Duration::from_millis(number("--latency-ms", args.next())?),
            "--bandwidth-mbit" => {
                let mbit: f64 = number("--bandwidth-mbit", args.next())?;
                if !(mbit > 0.0 && mbit.is_finite()) {
                    return Err(format!("--bandwidth-mbit must be a positive number\n{USAGE}"));
                }
                config.bandwidth = Some((mbit * 1e6 / 8.0) as u64);
            }
            "--no-compression" => config.compression = false,
            "--until-stdin-closes" => until_stdin_closes = true,
            "-h" | "--help" => return Err(USAGE.into()),
            // The first version took the port as its only argument.
            port if port.parse::<u16>().is_ok() => config.port = number("PORT", Some(arg))?,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok((config, until_stdin_closes))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (config, until_stdin_closes) = match config() {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mock = match sailpoint_mock::MockTenant::start(config).await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("cannot start the mock tenant: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("SailPoint mock tenant at {}", mock.url());
    println!("SAIL_BASE_URL={} SAIL_CLIENT_ID={} SAIL_CLIENT_SECRET={}", mock.url(), mock.client_id(), mock.client_secret());
    if until_stdin_closes {
        // A blocking read on a thread of its own: returns at end of input.
        let _ = tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink())).await;
    } else {
        let _ = tokio::signal::ctrl_c().await;
    }
    println!("BODY_BYTES_SENT={}", mock.body_bytes_sent());
    ExitCode::SUCCESS
}
