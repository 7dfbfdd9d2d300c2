//! Where the tenant and the credentials come from.
//!
//! Each setting is taken from the first of these that has it:
//! 1. values given to the builder;
//! 2. the environment: `SAIL_BASE_URL`, `SAIL_CLIENT_ID`,
//!    `SAIL_CLIENT_SECRET`, or `SAIL_ACCESS_TOKEN` for a token obtained
//!    elsewhere;
//! 3. `./config.json` with the keys `BaseURL`, `ClientId`, `ClientSecret`
//!    (the file the official SDKs read and `sail sdk init config` writes);
//! 4. the SailPoint CLI's `~/.sailpoint/config.yaml`: the environment named
//!    by `activeenvironment`, with `baseurl`, `pat.clientid` and
//!    `pat.clientsecret`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use sailpoint_runtime::{Credentials, Error};
use serde_json::Value;

/// A tenant and how to authenticate to it.
#[derive(Clone)]
pub struct Config {
    /// The tenant's base URL, e.g. `https://acme.api.identitynow.com`.
    pub base_url: String,
    /// The credentials.
    pub credentials: Credentials,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config").field("base_url", &self.base_url).field("credentials", &self.credentials).finish()
    }
}

/// Settings as read from one source; any may be missing.
#[derive(Clone, Default)]
pub(crate) struct Partial {
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub access_token: Option<String>,
}

impl fmt::Debug for Partial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("Partial")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("access_token", &redacted(&self.access_token))
            .finish()
    }
}

/// Reads an environment variable.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the settings are looked for (the real places, or a test's).
pub struct Sources {
    /// Reads an environment variable.
    pub env: EnvLookup,
    /// The official SDKs' `config.json` (default `./config.json`).
    pub config_json: PathBuf,
    /// The CLI's `config.yaml` (default `~/.sailpoint/config.yaml`).
    pub cli_config: Option<PathBuf>,
}

impl Default for Sources {
    fn default() -> Self {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
        Self {
            env: Box::new(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty())),
            config_json: PathBuf::from("config.json"),
            cli_config: home.map(|h| h.join(".sailpoint").join("config.yaml")),
        }
    }
}

impl Sources {
    /// Test sources: these environment variables, and these files.
    pub fn new(env: HashMap<String, String>, config_json: impl Into<PathBuf>, cli_config: Option<PathBuf>) -> Self {
        Self { env: Box::new(move |k| env.get(k).cloned()), config_json: config_json.into(), cli_config }
    }
}

/// The names a setting has in each source, for error messages.
const WHERE: [(&str, &str, &str, &str); 3] = [
    ("base URL", "SAIL_BASE_URL", "BaseURL", "baseurl"),
    ("client id", "SAIL_CLIENT_ID", "ClientId", "pat.clientid"),
    ("client secret", "SAIL_CLIENT_SECRET", "ClientSecret", "pat.clientsecret"),
];

fn malformed(path: &Path, what: &str, line: usize, column: usize) -> Error {
    // The parser's own message may quote the value, which could be a secret.
    Error::configuration(format!("{} is not valid {what} (line {line}, column {column})", path.display()))
}

fn from_env(sources: &Sources) -> Partial {
    Partial {
        base_url: (sources.env)("SAIL_BASE_URL"),
        client_id: (sources.env)("SAIL_CLIENT_ID"),
        client_secret: (sources.env)("SAIL_CLIENT_SECRET"),
        access_token: (sources.env)("SAIL_ACCESS_TOKEN"),
    }
}

fn string_at(v: &Value, path: &Path, key: &str) -> Result<Option<String>, Error> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(Error::configuration(format!("{}: `{key}` must be a string", path.display()))),
    }
}

fn from_config_json(path: &Path) -> Result<Partial, Error> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(Partial::default()) };
    let v: Value = serde_json::from_str(&text).map_err(|e| malformed(path, "JSON", e.line(), e.column()))?;
    if !v.is_object() {
        return Err(Error::configuration(format!("{} must hold a JSON object", path.display())));
    }
    Ok(Partial {
        base_url: string_at(&v, path, "BaseURL")?,
        client_id: string_at(&v, path, "ClientId")?,
        client_secret: string_at(&v, path, "ClientSecret")?,
        access_token: None,
    })
}

fn from_cli_config(path: Option<&Path>) -> Result<Partial, Error> {
    let Some(path) = path else { return Ok(Partial::default()) };
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(Partial::default()) };
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        malformed(path, "YAML", line, column)
    })?;
    let v = serde_json::to_value(&yaml).map_err(|_| Error::configuration(format!("{} is not a YAML mapping", path.display())))?;
    let Some(active) = string_at(&v, path, "activeenvironment")? else { return Ok(Partial::default()) };
    let Some(env) = v.get("environments").and_then(|e| e.get(&active)) else {
        return Err(Error::configuration(format!(
            "{}: activeenvironment is `{active}` but environments.{active} is missing",
            path.display()
        )));
    };
    let pat = env.get("pat").cloned().unwrap_or(Value::Null);
    Ok(Partial {
        base_url: string_at(env, path, "baseurl")?,
        client_id: string_at(&pat, path, "clientid")?,
        client_secret: string_at(&pat, path, "clientsecret")?,
        access_token: None,
    })
}

impl Config {
    /// Loads the configuration from the environment and the files (see the
    /// module docs).
    pub fn load() -> Result<Self, Error> {
        Self::resolve(Partial::default(), &Sources::default())
    }

    /// Loads the configuration from `sources`, below the values in `explicit`.
    pub(crate) fn resolve(explicit: Partial, sources: &Sources) -> Result<Self, Error> {
        let layers = [
            ("the builder", explicit),
            ("the environment", from_env(sources)),
            ("config.json", from_config_json(&sources.config_json)?),
            ("the CLI config", from_cli_config(sources.cli_config.as_deref())?),
        ];
        let pick = |get: fn(&Partial) -> &Option<String>| layers.iter().find_map(|(_, p)| get(p).clone());
        let base_url = pick(|p| &p.base_url);
        let access_token = pick(|p| &p.access_token);
        let client_id = pick(|p| &p.client_id);
        let client_secret = pick(|p| &p.client_secret);
        let searched = format!(
            "looked in the builder, the environment, {} and {}",
            sources.config_json.display(),
            sources.cli_config.as_ref().map_or("(no home directory)".into(), |p| p.display().to_string())
        );
        let missing = |i: usize| {
            let (what, env, json, yaml) = WHERE[i];
            Error::configuration(format!(
                "no {what}: set {env}, `{json}` in config.json, or `environments.<active>.{yaml}` in the CLI config ({searched})"
            ))
        };
        let base_url = base_url.ok_or_else(|| missing(0))?.trim_end_matches('/').to_string();
        let credentials = match (access_token, client_id, client_secret) {
            (Some(token), _, _) => Credentials::access_token(token),
            (None, Some(id), Some(secret)) => Credentials::client_credentials(id, secret),
            (None, None, _) => return Err(missing(1)),
            (None, Some(_), None) => return Err(missing(2)),
        };
        Ok(Self { base_url, credentials })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sailpoint-config-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    const SECRET: &str = "canary-secret-42";

    #[test]
    fn precedence_each_source_in_turn() {
        let json = temp(
            "config.json",
            &format!(r#"{{"BaseURL": "https://json.api.identitynow.com", "ClientId": "json-id", "ClientSecret": "{SECRET}"}}"#),
        );
        let yaml = temp(
            "config.yaml",
            &format!(
                "activeenvironment: prod\nenvironments:\n  prod:\n    baseurl: https://cli.api.identitynow.com\n    pat:\n      clientid: cli-id\n      clientsecret: {SECRET}\n"
            ),
        );
        let none = PathBuf::from("/nonexistent/config.json");
        // CLI config alone
        let c = Config::resolve(Partial::default(), &Sources::new(env(&[]), &none, Some(yaml.clone()))).unwrap();
        assert_eq!(c.base_url, "https://cli.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("cli-id"));
        // config.json above the CLI config
        let c = Config::resolve(Partial::default(), &Sources::new(env(&[]), &json, Some(yaml.clone()))).unwrap();
        assert_eq!(c.base_url, "https://json.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("json-id"));
        // the environment above both
        let e = env(&[("SAIL_BASE_URL", "https://env.api.identitynow.com/"), ("SAIL_CLIENT_ID", "env-id")]);
        let c = Config::resolve(Partial::default(), &Sources::new(e.clone(), &json, Some(yaml.clone()))).unwrap();
        assert_eq!(c.base_url, "https://env.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("env-id"));
        // the builder above everything
        let explicit = Partial { base_url: Some("https://explicit.api.identitynow.com".into()), ..Partial::default() };
        let c = Config::resolve(explicit, &Sources::new(e, &json, Some(yaml))).unwrap();
        assert_eq!(c.base_url, "https://explicit.api.identitynow.com");
        // an access token wins over client credentials
        let e = env(&[("SAIL_BASE_URL", "https://t.api.identitynow.com"), ("SAIL_ACCESS_TOKEN", "tok")]);
        let c = Config::resolve(Partial::default(), &Sources::new(e, &json, None)).unwrap();
        assert!(matches!(c.credentials, Credentials::AccessToken(_)));
        assert!(!format!("{c:?}").contains(SECRET));
    }

    #[test]
    fn errors_name_the_missing_key_and_never_the_secret() {
        let none = PathBuf::from("/nonexistent/config.json");
        let err = |e: HashMap<String, String>, json: &Path, yaml: Option<PathBuf>| {
            Config::resolve(Partial::default(), &Sources::new(e, json, yaml)).unwrap_err().to_string()
        };
        let m = err(env(&[]), &none, None);
        assert!(m.contains("no base URL") && m.contains("SAIL_BASE_URL") && m.contains("BaseURL"), "{m}");
        let m = err(env(&[("SAIL_BASE_URL", "https://x")]), &none, None);
        assert!(m.contains("no client id") && m.contains("SAIL_CLIENT_ID"), "{m}");
        let m = err(env(&[("SAIL_BASE_URL", "https://x"), ("SAIL_CLIENT_ID", "id")]), &none, None);
        assert!(m.contains("no client secret") && m.contains("ClientSecret"), "{m}");
        let bad_json = temp("bad.json", &format!(r#"{{"ClientSecret": "{SECRET}", "BaseURL": }}"#));
        let m = err(env(&[]), &bad_json, None);
        assert!(m.contains("not valid JSON") && m.contains("line 1") && !m.contains(SECRET), "{m}");
        let wrong_type = temp("wrong.json", r#"{"ClientSecret": 4242424242}"#);
        let m = err(env(&[]), &wrong_type, None);
        assert!(m.contains("`ClientSecret` must be a string") && !m.contains("4242424242"), "{m}");
        let bad_yaml = temp("bad.yaml", &format!("activeenvironment: prod\nenvironments: [{SECRET}\n"));
        let m = err(env(&[]), &none, Some(bad_yaml));
        assert!(m.contains("not valid YAML") && !m.contains(SECRET), "{m}");
        let no_env = temp("noenv.yaml", "activeenvironment: prod\nenvironments: {}\n");
        let m = err(env(&[]), &none, Some(no_env));
        assert!(m.contains("environments.prod is missing"), "{m}");
    }
}
