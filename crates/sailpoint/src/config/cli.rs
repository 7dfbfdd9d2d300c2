//! The SailPoint CLI's `~/.sailpoint/config.yaml`, as `sail` 2.x writes it,
//! and the OS keyring where the CLI keeps its personal access token (see
//! [`Config`](crate::Config) for where this place comes in the order).

use std::path::Path;

use sailpoint_runtime::Error;
use serde_json::Value;

use super::layer::{Layer, Partial, malformed, text_at};
use super::sources::ConfigSources;

pub(crate) const PAT_CLIENT_ID: &str = "environments.pat.clientid";
pub(crate) const PAT_CLIENT_SECRET: &str = "environments.pat.clientsecret";

/// The CLI's `config.yaml`: never an error; a file that cannot be used is
/// skipped with a warning and a note for the final error.
pub(super) fn read(sources: &ConfigSources) -> Result<Layer, Error> {
    let mut layer = Layer {
        place: sources.cli_config.as_ref().map_or_else(|| "the SailPoint CLI config".to_string(), |p| p.display().to_string()),
        settings: Partial::default(),
        note: None,
        no_base_url: "no `environments.<active>.baseurl`".into(),
        no_credentials: "no PAT".into(),
        client_id: "the PAT's client id".into(),
        client_secret: "the PAT's client secret".into(),
    };
    let Some(path) = sources.cli_config.as_deref() else {
        layer.note = Some("no home directory".into());
        return Ok(layer);
    };
    if let Err(why) = read_cli_file(path, sources, &mut layer) {
        tracing::warn!(path = %path.display(), "skipping the SailPoint CLI config: {why}");
        layer.settings = Partial::default();
        layer.note = Some(format!("skipped: {why}"));
    }
    Ok(layer)
}

/// `key` of the mapping `v`, in any case (the CLI's viper ignores case).
fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let map = v.as_object()?;
    let lower = key.to_lowercase();
    map.get(key).or_else(|| map.iter().find(|(k, _)| k.to_lowercase() == lower).map(|(_, value)| value))
}

fn cli_text(v: Option<&Value>, key: &str) -> Result<Option<String>, String> {
    text_at(v).map_err(|()| format!("`{key}` must be a string"))
}

/// Fills `layer` from the CLI's file; `Err` says why the file is skipped
/// (never quoting a value).
fn read_cli_file(path: &Path, sources: &ConfigSources, layer: &mut Layer) -> Result<(), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            layer.note = Some("not found".into());
            return Ok(());
        }
        Err(e) => return Err(format!("not read: {e}")),
    };
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        malformed("YAML", line, column)
    })?;
    let v = serde_json::to_value(&yaml).map_err(|_| "not in the CLI's format".to_string())?;
    if !(v.is_object() || v.is_null()) {
        return Err("not a YAML mapping".into());
    }
    let active = match sources.var("SAIL_ACTIVEENVIRONMENT") {
        Some(name) => name,
        None => cli_text(get_ci(&v, "activeenvironment"), "activeenvironment")?.unwrap_or_else(|| "default".into()),
    }
    .to_lowercase();
    let Some(env) = get_ci(&v, "environments").and_then(|e| get_ci(e, &active)) else {
        return Err(format!("no environment `{active}`"));
    };
    let prefix = format!("environments.{active}");
    layer.no_base_url = format!("no `{prefix}.baseurl`");
    layer.settings.base_url = cli_text(get_ci(env, "baseurl"), &format!("{prefix}.baseurl"))?;
    let authtype = cli_text(get_ci(&v, "authtype"), "authtype")?.map_or_else(|| "pat".to_string(), |a| a.to_lowercase());
    if authtype != "pat" {
        if authtype == "oauth" {
            tracing::warn!(
                path = %path.display(),
                "the SailPoint CLI's authtype is `oauth`: its user token cannot be used, so the CLI config gives no credentials"
            );
        }
        layer.no_credentials = format!(
            "authtype `{authtype}`: only a personal access token (`authtype: pat`) can be used, not the CLI's user token"
        );
        return Ok(());
    }
    // Since 2.0 the CLI keeps the PAT in the OS keyring.
    if let Some(store) = sources.secrets.as_deref() {
        let get = |service: &str| store.get(service, &active).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let (id, secret) = (get(PAT_CLIENT_ID), get(PAT_CLIENT_SECRET));
        if id.is_some() || secret.is_some() {
            layer.settings.client_id = id;
            layer.settings.client_secret = secret;
            layer.client_id = format!("the OS keyring's `{PAT_CLIENT_ID}` for `{active}`");
            layer.client_secret = format!("the OS keyring's `{PAT_CLIENT_SECRET}` for `{active}`");
            return Ok(());
        }
        layer.no_credentials = format!("no PAT for `{active}` in the OS keyring, where the CLI keeps it");
    } else {
        layer.no_credentials =
            "no PAT: the CLI keeps it in the OS keyring, which this crate reads with its `keyring` feature".into();
    }
    // Before 2.0 it kept the PAT in the file.
    let pat = get_ci(env, "pat");
    layer.settings.client_id = cli_text(pat.and_then(|p| get_ci(p, "clientid")), &format!("{prefix}.pat.clientid"))?;
    layer.settings.client_secret = cli_text(pat.and_then(|p| get_ci(p, "clientsecret")), &format!("{prefix}.pat.clientsecret"))?;
    layer.client_id = format!("`{prefix}.pat.clientid`");
    layer.client_secret = format!("`{prefix}.pat.clientsecret`");
    Ok(())
}
