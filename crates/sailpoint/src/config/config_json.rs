//! `./config.json`, the file the official SDKs read (`BaseURL`,
//! `ClientId`, `ClientSecret`).

use sailpoint_runtime::Error;
use serde_json::Value;

use super::layer::{Layer, Partial, malformed, text_at};
use super::sources::ConfigSources;

/// `config.json`: an error when it is reached and does not parse.
pub(super) fn read(sources: &ConfigSources) -> Result<Layer, Error> {
    let path = &sources.config_json;
    let mut layer = Layer {
        place: path.display().to_string(),
        settings: Partial::default(),
        note: None,
        no_base_url: "no `BaseURL`".into(),
        no_credentials: "no `ClientId` and `ClientSecret`".into(),
        client_id: "`ClientId`".into(),
        client_secret: "`ClientSecret`".into(),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            layer.note =
                Some(if e.kind() == std::io::ErrorKind::NotFound { "not found".into() } else { format!("not read: {e}") });
            return Ok(layer);
        }
    };
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| Error::configuration(format!("{} is {}", path.display(), malformed("JSON", e.line(), e.column()))))?;
    if !v.is_object() {
        return Err(Error::configuration(format!("{} must hold a JSON object", path.display())));
    }
    let field = |key: &str| {
        text_at(v.get(key)).map_err(|()| Error::configuration(format!("{}: `{key}` must be a string", path.display())))
    };
    layer.settings = Partial {
        base_url: field("BaseURL")?,
        client_id: field("ClientId")?,
        client_secret: field("ClientSecret")?,
        access_token: None,
    };
    Ok(layer)
}
