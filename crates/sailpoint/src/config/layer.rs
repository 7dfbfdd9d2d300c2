//! What one place holds ([`Layer`]: the settings it gives, and how to
//! name what it lacks in an error), and the helpers the readers share.

use std::fmt;

use sailpoint_runtime::{Credentials, Error};
use serde_json::Value;

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

/// Says "no client id" (for the tests that look for it).
pub(super) const NO_CREDENTIALS: &str = "no credentials (no client id and client secret, nor an access token)";
pub(super) const OR_FROM_ENV: &str = "or `from_env()` to read the environment and the configuration files";

/// What one place holds, and its names for messages (never a value).
pub(crate) struct Layer {
    /// The place: `the builder`, `the environment`, a path.
    pub(crate) place: String,
    pub(crate) settings: Partial,
    /// Why it holds nothing: `not found`, `skipped: …`.
    pub(crate) note: Option<String>,
    /// What it lacks when it has no base URL, e.g. `no SAIL_BASE_URL`.
    pub(crate) no_base_url: String,
    /// What it lacks, or why it has nothing, when it has no credentials.
    pub(crate) no_credentials: String,
    /// The names of its client id and client secret.
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
}

impl Layer {
    pub(super) fn builder(settings: Partial) -> Self {
        Self {
            place: "the builder".into(),
            settings,
            note: None,
            no_base_url: "no base URL".into(),
            no_credentials: "no credentials".into(),
            client_id: "`client_credentials(..)`".into(),
            client_secret: "`client_credentials(..)`".into(),
        }
    }

    pub(super) fn has_credentials(&self) -> bool {
        let s = &self.settings;
        s.access_token.is_some() || s.client_id.is_some() || s.client_secret.is_some()
    }

    /// Its credentials as one unit: the access token, else the client id
    /// and secret; half a pair is an error.
    pub(super) fn credentials(&self) -> Result<Option<Credentials>, Error> {
        let s = &self.settings;
        if let Some(token) = &s.access_token {
            return Ok(Some(Credentials::access_token(token.clone())));
        }
        let (has, has_key, lacks, lacks_key) = match (&s.client_id, &s.client_secret) {
            (Some(id), Some(secret)) => return Ok(Some(Credentials::client_credentials(id.clone(), secret.clone()))),
            (None, None) => return Ok(None),
            (Some(_), None) => ("a client id", &self.client_id, "client secret", &self.client_secret),
            (None, Some(_)) => ("a client secret", &self.client_secret, "client id", &self.client_id),
        };
        Err(Error::configuration(format!(
            "{} has {has} ({has_key}) but no {lacks} ({lacks_key}); a client id and its secret must come from the same place",
            self.place
        )))
    }

    pub(super) fn lacking_base_url(&self) -> String {
        match &self.note {
            Some(note) => format!("{} ({note})", self.place),
            None if self.has_credentials() => {
                format!("{} ({}, so its credentials are not used)", self.place, self.no_base_url)
            }
            None => format!("{} ({})", self.place, self.no_base_url),
        }
    }

    pub(super) fn lacking_credentials(&self) -> String {
        match &self.note {
            Some(note) => format!("{} ({note})", self.place),
            None => format!("{} ({})", self.place, self.no_credentials),
        }
    }

    /// The error when this place gives the base URL but no credentials.
    pub(super) fn no_credentials_error(&self) -> Error {
        Error::configuration(format!(
            "{NO_CREDENTIALS} in {}, which gives the base URL: {}; the credentials are taken from the place that gives \
             the base URL, or from the builder: set SAIL_BASE_URL with SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (or \
             SAIL_ACCESS_TOKEN), or call `client_credentials(..)` on the builder",
            self.place, self.no_credentials
        ))
    }
}

pub(crate) fn malformed(what: &str, line: usize, column: usize) -> String {
    // The parser's own message may quote the value, which could be a secret.
    format!("not valid {what} (line {line}, column {column})")
}

/// A string setting, trimmed; `None` when absent, null or blank; `Err` when
/// it is not a string.
pub(crate) fn text_at(v: Option<&Value>) -> Result<Option<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some(_) => Err(()),
    }
}
