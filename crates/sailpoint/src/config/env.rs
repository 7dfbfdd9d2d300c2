//! The environment: `SAIL_BASE_URL`, `SAIL_CLIENT_ID`,
//! `SAIL_CLIENT_SECRET`, `SAIL_ACCESS_TOKEN`.

use sailpoint_runtime::Error;

use super::layer::{Layer, Partial};
use super::sources::ConfigSources;

/// The environment's settings.
pub(super) fn read(sources: &ConfigSources) -> Result<Layer, Error> {
    Ok(Layer {
        place: "the environment".into(),
        settings: Partial {
            base_url: sources.var("SAIL_BASE_URL"),
            client_id: sources.var("SAIL_CLIENT_ID"),
            client_secret: sources.var("SAIL_CLIENT_SECRET"),
            access_token: sources.var("SAIL_ACCESS_TOKEN"),
        },
        note: None,
        no_base_url: "no SAIL_BASE_URL".into(),
        no_credentials: "no SAIL_CLIENT_ID and SAIL_CLIENT_SECRET, nor SAIL_ACCESS_TOKEN".into(),
        client_id: "SAIL_CLIENT_ID".into(),
        client_secret: "SAIL_CLIENT_SECRET".into(),
    })
}
