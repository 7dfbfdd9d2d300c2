//! Import accounts from a CSV file into a delimited-file source (v2024),
//! then follow the import task until it completes.
//!
//! `cargo run --example import_accounts -- SOURCE_ID accounts.csv`
//! (configuration from the environment or the configuration files; see the
//! README). SailPoint's pages mark both calls experimental, so the client
//! opts in.

use std::time::Duration;

use sailpoint::prelude::*;

type Res = std::result::Result<(), Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Res {
    let mut args = std::env::args().skip(1);
    let (Some(source_id), Some(csv_path)) = (args.next(), args.next()) else {
        return Err("usage: import_accounts SOURCE_ID accounts.csv".into());
    };
    let client = Client::builder().from_env().experimental(true).build()?;
    let api = client.v2024();

    // Streamed from disk, and sent again if a retry is due (a 429, a 401).
    let started = api.import_accounts().id(&source_id).file_path(&csv_path).send().await?.into_inner()?;
    let task_id = started.task.and_then(|t| t.id).ok_or("the import returned no task")?;
    println!("import started: task {task_id}");

    // The import runs on the tenant; its task says when it is done.
    loop {
        let status = api.get_task_status().id(&task_id).send().await?.into_inner()?;
        println!("{}%", status.percent_complete);
        if let Some(result) = status.completion_status {
            println!("import finished: {result}");
            for message in &status.messages {
                println!("  {message:?}");
            }
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}
