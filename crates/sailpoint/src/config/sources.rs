//! Where the configuration is read from ([`ConfigSources`]): the
//! environment, `config.json`, the CLI's file, the keyring.

use std::collections::HashMap;
use std::path::PathBuf;

use super::secrets::{SecretStore, os_keyring};

/// Reads an environment variable.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the settings are looked for (the real places, or a test's).
pub struct ConfigSources {
    /// Reads an environment variable.
    pub env: EnvLookup,
    /// The official SDKs' `config.json` (default `./config.json`).
    pub config_json: PathBuf,
    /// The CLI's `config.yaml` (default `~/.sailpoint/config.yaml`).
    pub cli_config: Option<PathBuf>,
    /// Where the CLI's personal access token is read from: by default the OS
    /// keyring with the `keyring` feature, and nowhere (`None`) without it
    /// or in [`ConfigSources::new`] (see [`ConfigSources::with_secret_store`]).
    pub secrets: Option<Box<dyn SecretStore>>,
}

impl Default for ConfigSources {
    fn default() -> Self {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
        Self {
            env: Box::new(|k| std::env::var(k).ok()),
            config_json: PathBuf::from("config.json"),
            cli_config: home.map(|h| h.join(".sailpoint").join("config.yaml")),
            secrets: os_keyring(),
        }
    }
}

impl ConfigSources {
    /// Test sources: these environment variables, these files, and no
    /// secret store.
    pub fn new(env: HashMap<String, String>, config_json: impl Into<PathBuf>, cli_config: Option<PathBuf>) -> Self {
        Self { env: Box::new(move |k| env.get(k).cloned()), config_json: config_json.into(), cli_config, secrets: None }
    }

    /// These sources, reading the CLI's secrets from `store`.
    pub fn with_secret_store(mut self, store: impl SecretStore + 'static) -> Self {
        self.secrets = Some(Box::new(store));
        self
    }

    /// An environment variable, trimmed; `None` when unset or blank.
    pub(crate) fn var(&self, key: &str) -> Option<String> {
        (self.env)(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }
}
