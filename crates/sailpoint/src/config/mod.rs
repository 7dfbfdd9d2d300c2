//! Where the tenant and the credentials come from (the order and the rule
//! are documented on [`Config`]).
//!
//! One module per place: `env`, `config_json`, `cli` (the SailPoint CLI's
//! file) and `secrets` (the keyring); `sources` says where each is;
//! `layer` is what a place gives. This module puts them in order.

mod cli;
mod config_json;
mod env;
mod layer;
mod secrets;
mod sources;

use std::fmt;

use sailpoint_runtime::{Credentials, Error};

pub(crate) use layer::Partial;
use layer::{Layer, NO_CREDENTIALS, OR_FROM_ENV};
#[cfg(feature = "keyring")]
pub use secrets::OsKeyring;
pub use secrets::SecretStore;
pub use sources::ConfigSources;

/// A tenant and how to authenticate to it.
///
/// [`Config::load`] and [`Client::from_env`](crate::Client::from_env) look in
/// these places, in this order:
///
/// 1. the builder: [`base_url`](crate::ClientBuilder::base_url),
///    [`client_credentials`](crate::ClientBuilder::client_credentials),
///    [`access_token`](crate::ClientBuilder::access_token);
/// 2. the environment: `SAIL_BASE_URL`, `SAIL_CLIENT_ID`,
///    `SAIL_CLIENT_SECRET`, and `SAIL_ACCESS_TOKEN` for a token obtained
///    elsewhere;
/// 3. `./config.json` with the keys `BaseURL`, `ClientId`, `ClientSecret`
///    (the file the official SDKs read and `sail sdk init config` writes);
/// 4. the SailPoint CLI's `~/.sailpoint/config.yaml` (see below).
///
/// As in SailPoint's official SDKs, the base URL and the credentials come
/// from one place:
///
/// - The base URL is the builder's if it has one; else that of the first
///   place that has one, and the credentials are then that place's too.
/// - The builder's credentials, when it has any, always win, wherever the
///   base URL comes from. When the builder gives the base URL but no
///   credentials, they come from the first place that has any.
/// - A place's credentials are one unit: its access token if it has one,
///   else its client id and secret. A client id is never paired with a
///   secret from another place: a place with one and not the other is an
///   error naming the place and the missing key. Credentials in a place
///   that has no base URL are not used (unless the builder gives the base
///   URL), with a warning.
/// - The places after the one that configures the client are not read, so
///   a broken file there does no harm. A `config.json` that does not parse
///   is an error when it is reached. The CLI's file never is: one that does
///   not parse, has an unexpected shape or lacks the active environment is
///   skipped with a warning (through `tracing`), and named in the error when
///   nothing configures the client.
///
/// The CLI's file is read as `sail` 2.x writes it. The active environment is
/// `SAIL_ACTIVEENVIRONMENT` if set, else `activeenvironment`, else
/// `default`, lowercased as the CLI does. The base URL is
/// `environments.<active>.baseurl`. Only `authtype: pat` (the default) gives
/// credentials (with `oauth` the CLI holds a user token this SDK cannot
/// use): the personal access token's client id and secret, which the CLI
/// keeps in the OS keyring (services `environments.pat.clientid` and
/// `environments.pat.clientsecret`, the environment's name as the user).
/// They are read with this crate's `keyring` feature (see
/// [`ConfigSources::secrets`]). When the keyring has neither, the environment's
/// `pat.clientid` and `pat.clientsecret` keys, where CLIs before 2.0 kept
/// them, are used.
///
/// Errors name the places looked in and what is missing, never a value.
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

/// Reads one place.
type Reader = fn(&ConfigSources) -> Result<Layer, Error>;

impl Config {
    /// Loads the configuration from the environment and the files (see
    /// [`Config`] for the order).
    pub fn load() -> Result<Self, Error> {
        Self::resolve(Partial::default(), Some(&ConfigSources::default()))
    }

    fn from_parts(base_url: String, credentials: Credentials) -> Self {
        Self { base_url: base_url.trim_end_matches('/').to_string(), credentials }
    }

    /// Resolves the builder's settings (`explicit`) and, when given,
    /// `sources`, by the rule documented on [`Config`].
    pub(crate) fn resolve(explicit: Partial, sources: Option<&ConfigSources>) -> Result<Self, Error> {
        let builder = Layer::builder(explicit);
        let mut credentials = builder.credentials()?;
        let explicit_base_url = builder.settings.base_url.clone();
        let Some(sources) = sources else {
            let base_url = explicit_base_url
                .ok_or_else(|| Error::configuration(format!("no base URL: call `base_url(..)` on the builder, {OR_FROM_ENV}")))?;
            let credentials = credentials.ok_or_else(|| {
                Error::configuration(format!(
                    "{NO_CREDENTIALS}: call `client_credentials(..)` or `access_token(..)` on the builder, {OR_FROM_ENV}"
                ))
            })?;
            return Ok(Self::from_parts(base_url, credentials));
        };
        let readers: [Reader; 3] = [env::read, config_json::read, cli::read];
        let mut looked = Vec::new();

        if let Some(base_url) = explicit_base_url {
            // The builder's base URL: the builder's credentials, else those
            // of the first place that has any.
            if let Some(credentials) = credentials {
                return Ok(Self::from_parts(base_url, credentials));
            }
            looked.push(builder.lacking_credentials());
            for read in readers {
                let layer = read(sources)?;
                if let Some(credentials) = layer.credentials()? {
                    return Ok(Self::from_parts(base_url, credentials));
                }
                looked.push(layer.lacking_credentials());
            }
            return Err(Error::configuration(format!(
                "{NO_CREDENTIALS}: looked in {}; call `client_credentials(..)` on the builder, or set SAIL_CLIENT_ID and \
                 SAIL_CLIENT_SECRET (or SAIL_ACCESS_TOKEN)",
                looked.join(", ")
            )));
        }

        // The first place with a base URL gives it, and its credentials
        // unless the builder has some.
        looked.push("the builder (no base URL)".to_string());
        for read in readers {
            let layer = read(sources)?;
            let Some(base_url) = layer.settings.base_url.clone() else {
                if layer.has_credentials() {
                    tracing::warn!(
                        "{} has credentials but no base URL: they are not used, credentials go with the base URL of \
                         their place",
                        layer.place
                    );
                }
                looked.push(layer.lacking_base_url());
                continue;
            };
            let credentials = match credentials.take() {
                Some(credentials) => credentials,
                None => layer.credentials()?.ok_or_else(|| layer.no_credentials_error())?,
            };
            return Ok(Self::from_parts(base_url, credentials));
        }
        Err(Error::configuration(format!(
            "no base URL: looked in {}; set SAIL_BASE_URL with SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (or \
             SAIL_ACCESS_TOKEN), put `BaseURL`, `ClientId` and `ClientSecret` in {}, or set up an environment with the \
             SailPoint CLI (its personal access token is read from the OS keyring with this crate's `keyring` feature)",
            looked.join(", "),
            sources.config_json.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::cli::{PAT_CLIENT_ID, PAT_CLIENT_SECRET};
    use super::*;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

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

    fn resolve(explicit: Partial, sources: ConfigSources) -> Result<Config, Error> {
        Config::resolve(explicit, Some(&sources))
    }

    fn from(sources: ConfigSources) -> Result<Config, Error> {
        resolve(Partial::default(), sources)
    }

    fn message(result: Result<Config, Error>) -> String {
        result.unwrap_err().to_string()
    }

    const SECRET: &str = "canary-secret-42";
    const NONE: &str = "/nonexistent/config.json";

    /// Every `SAIL_*` variable a client needs.
    const SAIL: [(&str, &str); 3] =
        [("SAIL_BASE_URL", "https://env.api.identitynow.com"), ("SAIL_CLIENT_ID", "env-id"), ("SAIL_CLIENT_SECRET", SECRET)];

    /// The file every run of the CLI (2.x) writes when there is none.
    const CLI_DEFAULTS: &str = "activeenvironment: default\nauthtype: pat\ncustomexportfile: \"\"\ncustomsearchfile: \"\"\n\
                                debug: false\nenvironments: {}\nexportfile: \"\"\nsearchfile: \"\"\n";

    /// A file as the CLI 2.x writes it, for two tenants: no PAT in it.
    const CLI_2: &str = "activeenvironment: default\nauthtype: pat\nenvironments:\n  default:\n    \
                         baseurl: https://default.api.identitynow.com\n    tenanturl: https://default.identitynow.com\n  \
                         prod:\n    baseurl: https://prod.api.identitynow.com\n    tenanturl: https://prod.identitynow.com\n";

    /// An in-memory keyring: (service, user, secret).
    struct FakeKeyring(Vec<(&'static str, &'static str, &'static str)>);

    impl SecretStore for FakeKeyring {
        fn get(&self, service: &str, user: &str) -> Option<String> {
            self.0.iter().find(|(s, u, _)| *s == service && *u == user).map(|(_, _, v)| v.to_string())
        }
    }

    /// A keyring holding the CLI's PAT for the environment `user`.
    fn keyring(user: &'static str) -> FakeKeyring {
        FakeKeyring(vec![(PAT_CLIENT_ID, user, "keyring-id"), (PAT_CLIENT_SECRET, user, SECRET)])
    }

    #[test]
    fn precedence_each_source_in_turn() {
        let json = temp(
            "precedence.json",
            &format!(r#"{{"BaseURL": "https://json.api.identitynow.com", "ClientId": "json-id", "ClientSecret": "{SECRET}"}}"#),
        );
        let yaml = temp(
            "precedence.yaml",
            &format!(
                "activeenvironment: prod\nenvironments:\n  prod:\n    baseurl: https://cli.api.identitynow.com\n    pat:\n      clientid: cli-id\n      clientsecret: {SECRET}\n"
            ),
        );
        // the CLI config alone
        let c = from(ConfigSources::new(env(&[]), NONE, Some(yaml.clone()))).unwrap();
        assert_eq!(c.base_url, "https://cli.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("cli-id"));
        // config.json above the CLI config
        let c = from(ConfigSources::new(env(&[]), &json, Some(yaml.clone()))).unwrap();
        assert_eq!(c.base_url, "https://json.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("json-id"));
        // the environment above both
        let e = env(&[
            ("SAIL_BASE_URL", "https://env.api.identitynow.com/"),
            ("SAIL_CLIENT_ID", "env-id"),
            ("SAIL_CLIENT_SECRET", SECRET),
        ]);
        let c = from(ConfigSources::new(e.clone(), &json, Some(yaml.clone()))).unwrap();
        assert_eq!(c.base_url, "https://env.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("env-id"));
        // the builder's base URL above everything, with the first credentials found
        let explicit = Partial { base_url: Some("https://explicit.api.identitynow.com".into()), ..Partial::default() };
        let c = resolve(explicit, ConfigSources::new(e, &json, Some(yaml))).unwrap();
        assert_eq!(c.base_url, "https://explicit.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("env-id"));
        // within a place, an access token wins over client credentials
        let e = env(&[
            ("SAIL_BASE_URL", "https://t.api.identitynow.com"),
            ("SAIL_ACCESS_TOKEN", "tok"),
            ("SAIL_CLIENT_ID", "env-id"),
            ("SAIL_CLIENT_SECRET", SECRET),
        ]);
        let c = from(ConfigSources::new(e, &json, None)).unwrap();
        assert!(matches!(c.credentials, Credentials::AccessToken(_)));
        assert!(!format!("{c:?}").contains(SECRET));
    }

    #[test]
    fn the_base_url_and_the_credentials_come_from_one_place() {
        let json = temp(
            "paired.json",
            &format!(r#"{{"BaseURL": "https://json.api.identitynow.com", "ClientId": "json-id", "ClientSecret": "{SECRET}"}}"#),
        );
        // credentials without a base URL are not used with another place's
        let e = env(&[("SAIL_CLIENT_ID", "env-id"), ("SAIL_CLIENT_SECRET", SECRET)]);
        let c = from(ConfigSources::new(e, &json, None)).unwrap();
        assert_eq!(c.base_url, "https://json.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("json-id"));
        // a base URL without credentials is an error naming its place, not a mix
        let m = message(from(ConfigSources::new(env(&[("SAIL_BASE_URL", "https://env.api.identitynow.com")]), &json, None)));
        assert!(m.contains("no client id") && m.contains("in the environment") && m.contains("SAIL_CLIENT_ID"), "{m}");
        assert!(!m.contains(SECRET), "{m}");
    }

    #[test]
    fn builder_credentials_beat_the_environment_token() {
        let e = env(&[("SAIL_BASE_URL", "https://env.api.identitynow.com"), ("SAIL_ACCESS_TOKEN", "env-token")]);
        let explicit = Partial { client_id: Some("builder-id".into()), client_secret: Some(SECRET.into()), ..Partial::default() };
        let c = resolve(explicit.clone(), ConfigSources::new(e.clone(), NONE, None)).unwrap();
        assert_eq!(c.base_url, "https://env.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("builder-id"));
        let explicit = Partial { base_url: Some("https://builder.api.identitynow.com".into()), ..explicit };
        let c = resolve(explicit, ConfigSources::new(e, NONE, None)).unwrap();
        assert_eq!(c.base_url, "https://builder.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("builder-id"));
        assert!(!format!("{c:?}").contains(SECRET));
    }

    #[test]
    fn a_client_id_is_never_paired_with_a_secret_from_elsewhere() {
        let json = temp(
            "secret-only.json",
            &format!(r#"{{"BaseURL": "https://json.api.identitynow.com", "ClientSecret": "{SECRET}"}}"#),
        );
        let e = env(&[("SAIL_BASE_URL", "https://env.api.identitynow.com"), ("SAIL_CLIENT_ID", "env-id")]);
        let m = message(from(ConfigSources::new(e, &json, None)));
        assert!(m.contains("the environment has a client id (SAIL_CLIENT_ID) but no client secret (SAIL_CLIENT_SECRET)"), "{m}");
        assert!(!m.contains(SECRET), "{m}");
        // the same when the builder gives the base URL: the first place with credentials gives them whole
        let explicit = Partial { base_url: Some("https://builder.api.identitynow.com".into()), ..Partial::default() };
        let m = message(resolve(explicit, ConfigSources::new(env(&[("SAIL_CLIENT_ID", "env-id")]), &json, None)));
        assert!(m.contains("no client secret (SAIL_CLIENT_SECRET)") && !m.contains(SECRET), "{m}");
    }

    #[test]
    fn the_cli_file_as_the_cli_writes_it_never_blocks_the_environment() {
        let yaml = temp("defaults.yaml", CLI_DEFAULTS);
        let c = from(ConfigSources::new(env(&SAIL), NONE, Some(yaml.clone())).with_secret_store(keyring("default"))).unwrap();
        assert_eq!(c.base_url, "https://env.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("env-id"));
        // with nothing else, the error names it and why it was skipped
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(yaml.clone()))));
        let path = yaml.display().to_string();
        assert!(m.contains("no base URL") && m.contains(&path) && m.contains("no environment `default`"), "{m}");
        let other = temp("no-such-env.yaml", "activeenvironment: prod\nenvironments: {}\n");
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(other))));
        assert!(m.contains("no environment `prod`"), "{m}");
    }

    #[test]
    fn a_malformed_cli_file_is_skipped() {
        let yaml = temp("malformed.yaml", &format!("activeenvironment: prod\nenvironments: [{SECRET}\n"));
        let c = from(ConfigSources::new(env(&SAIL), NONE, Some(yaml.clone()))).unwrap();
        assert_eq!(c.credentials.client_id(), Some("env-id"));
        // nothing else: the error names the file
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(yaml.clone()))));
        let path = yaml.display().to_string();
        assert!(m.contains(&path) && m.contains("skipped: not valid YAML") && !m.contains(SECRET), "{m}");
        // the wrong shape, and a setting of the wrong type
        let list = temp("list.yaml", "- a\n- b\n");
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(list))));
        assert!(m.contains("not a YAML mapping"), "{m}");
        let number = temp("number.yaml", "activeenvironment: acme\nenvironments:\n  acme:\n    baseurl: 4242424242\n");
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(number))));
        assert!(m.contains("`environments.acme.baseurl` must be a string") && !m.contains("4242424242"), "{m}");
    }

    #[test]
    fn the_cli_pat_comes_from_the_keyring_for_the_active_environment() {
        let yaml = temp("cli2.yaml", CLI_2);
        let sources =
            |e: &[(&str, &str)], user| ConfigSources::new(env(e), NONE, Some(yaml.clone())).with_secret_store(keyring(user));
        let c = from(sources(&[], "default")).unwrap();
        assert_eq!(c.base_url, "https://default.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("keyring-id"));
        // SAIL_ACTIVEENVIRONMENT picks another, lowercased as the CLI does
        let c = from(sources(&[("SAIL_ACTIVEENVIRONMENT", "PROD")], "prod")).unwrap();
        assert_eq!(c.base_url, "https://prod.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("keyring-id"));
        // a keyring without this environment's PAT
        let m = message(from(sources(&[("SAIL_ACTIVEENVIRONMENT", "Prod")], "default")));
        assert!(m.contains("no PAT for `prod` in the OS keyring") && !m.contains(SECRET), "{m}");
        // no keyring: the error says where the PAT is and how to read it, not to edit the file
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(yaml.clone()))));
        assert!(m.contains("OS keyring") && m.contains("`keyring` feature") && !m.contains(".pat.clientid"), "{m}");
        assert!(m.contains("SAIL_CLIENT_ID") && m.contains("SAIL_CLIENT_SECRET"), "{m}");
    }

    #[test]
    fn pre_2_0_pat_keys_are_read_when_the_keyring_has_none() {
        let yaml = temp(
            "cli1.yaml",
            &format!(
                "activeenvironment: Acme\nenvironments:\n  acme:\n    baseurl: https://acme.api.identitynow.com\n    pat:\n      clientid: file-id\n      clientsecret: {SECRET}\n"
            ),
        );
        let c = from(ConfigSources::new(env(&[]), NONE, Some(yaml.clone()))).unwrap();
        assert_eq!(c.base_url, "https://acme.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("file-id"));
        let c = from(ConfigSources::new(env(&[]), NONE, Some(yaml.clone())).with_secret_store(keyring("other"))).unwrap();
        assert_eq!(c.credentials.client_id(), Some("file-id"));
        // the keyring, where the CLI 2.x keeps the PAT, wins
        let c = from(ConfigSources::new(env(&[]), NONE, Some(yaml)).with_secret_store(keyring("acme"))).unwrap();
        assert_eq!(c.credentials.client_id(), Some("keyring-id"));
        // half a PAT is an error naming the place and the missing key
        let half = temp(
            "cli1-half.yaml",
            "activeenvironment: acme\nenvironments:\n  acme:\n    baseurl: https://acme.api.identitynow.com\n    pat:\n      clientid: file-id\n",
        );
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(half.clone()))));
        assert!(m.contains(&half.display().to_string()) && m.contains("`environments.acme.pat.clientsecret`"), "{m}");
        let half_keyring = FakeKeyring(vec![(PAT_CLIENT_ID, "acme", "keyring-id")]);
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(half)).with_secret_store(half_keyring)));
        assert!(m.contains(&format!("`{PAT_CLIENT_SECRET}` for `acme`")), "{m}");
    }

    #[test]
    fn authtype_oauth_gives_no_credentials() {
        let yaml = temp(
            "oauth.yaml",
            &format!(
                "activeenvironment: acme\nauthtype: OAuth\nenvironments:\n  acme:\n    baseurl: https://acme.api.identitynow.com\n    pat:\n      clientid: file-id\n      clientsecret: {SECRET}\n"
            ),
        );
        let m = message(from(ConfigSources::new(env(&[]), NONE, Some(yaml.clone())).with_secret_store(keyring("acme"))));
        assert!(m.contains("no client id") && m.contains("authtype `oauth`") && !m.contains(SECRET), "{m}");
        // its base URL still serves, with the builder's credentials
        let explicit = Partial { client_id: Some("builder-id".into()), client_secret: Some("s".into()), ..Partial::default() };
        let c = resolve(explicit, ConfigSources::new(env(&[]), NONE, Some(yaml))).unwrap();
        assert_eq!(c.base_url, "https://acme.api.identitynow.com");
        assert_eq!(c.credentials.client_id(), Some("builder-id"));
    }

    #[test]
    fn errors_name_the_missing_key_and_never_the_secret() {
        let none = Path::new(NONE);
        let err =
            |e: HashMap<String, String>, json: &Path, yaml: Option<PathBuf>| message(from(ConfigSources::new(e, json, yaml)));
        let m = err(env(&[]), none, None);
        assert!(m.contains("no base URL") && m.contains("SAIL_BASE_URL") && m.contains("BaseURL"), "{m}");
        assert!(m.contains("the environment (no SAIL_BASE_URL)") && m.contains(&format!("{NONE} (not found)")), "{m}");
        let m = err(env(&[("SAIL_BASE_URL", "https://x")]), none, None);
        assert!(m.contains("no client id") && m.contains("SAIL_CLIENT_ID"), "{m}");
        let m = err(env(&[("SAIL_BASE_URL", "https://x"), ("SAIL_CLIENT_ID", "id")]), none, None);
        assert!(m.contains("no client secret") && m.contains("SAIL_CLIENT_SECRET"), "{m}");
        let bad_json = temp("bad.json", &format!(r#"{{"ClientSecret": "{SECRET}", "BaseURL": }}"#));
        let m = err(env(&[]), &bad_json, None);
        assert!(m.contains("not valid JSON") && m.contains("line 1") && !m.contains(SECRET), "{m}");
        // a malformed config.json is not read when the environment configures everything
        let c = from(ConfigSources::new(env(&SAIL), &bad_json, None)).unwrap();
        assert_eq!(c.credentials.client_id(), Some("env-id"));
        let wrong_type = temp("wrong.json", r#"{"ClientSecret": 4242424242}"#);
        let m = err(env(&[]), &wrong_type, None);
        assert!(m.contains("`ClientSecret` must be a string") && !m.contains("4242424242"), "{m}");
        // the builder alone (no `from_env()`)
        let explicit = Partial { base_url: Some("https://x".into()), ..Partial::default() };
        let m = Config::resolve(explicit, None).unwrap_err().to_string();
        assert!(m.contains("no client id") && m.contains("from_env"), "{m}");
        let m = Config::resolve(Partial::default(), None).unwrap_err().to_string();
        assert!(m.contains("no base URL"), "{m}");
        // Debug never shows a secret
        let p = Partial { client_secret: Some(SECRET.into()), access_token: Some(SECRET.into()), ..Partial::default() };
        assert!(!format!("{p:?}").contains(SECRET));
    }
}
