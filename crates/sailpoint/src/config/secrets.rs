//! Secrets kept outside the files: the [`SecretStore`] trait, and the
//! OS keyring (`keyring` feature) where the SailPoint CLI keeps a PAT.

/// Reads the secrets the SailPoint CLI keeps in the OS keyring.
///
/// `service` and `user` are those of the CLI's go-keyring: the CLI stores
/// its personal access token under the services `environments.pat.clientid`
/// and `environments.pat.clientsecret`, with the environment's name as the
/// user. `OsKeyring` (feature `keyring`) reads the real keyring; tests give
/// their own.
pub trait SecretStore: Send + Sync {
    /// The secret stored for `service` and `user`; `None` when there is none
    /// or the store cannot be read.
    fn get(&self, service: &str, user: &str) -> Option<String>;
}

/// The OS keyring (macOS Keychain, Windows Credential Manager, the Secret
/// Service on Linux and the BSDs), read as the SailPoint CLI's go-keyring
/// writes it.
#[cfg(feature = "keyring")]
#[cfg_attr(docsrs, doc(cfg(feature = "keyring")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct OsKeyring;

#[cfg(feature = "keyring")]
impl SecretStore for OsKeyring {
    fn get(&self, service: &str, user: &str) -> Option<String> {
        // go-keyring names a Windows credential `service:user` (keyring's
        // own default is `user.service`).
        #[cfg(windows)]
        let entry = keyring::Entry::new_with_target(&format!("{service}:{user}"), service, user);
        #[cfg(not(windows))]
        let entry = keyring::Entry::new(service, user);
        // The stored bytes: go-keyring writes UTF-8 even where keyring's
        // passwords are UTF-16 (Windows).
        match entry.and_then(|e| e.get_secret()) {
            Ok(bytes) => decode_go_keyring(String::from_utf8(bytes).ok()?.trim()),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => {
                tracing::warn!(service, user, error = %e, "could not read the OS keyring");
                None
            }
        }
    }
}

/// A secret as go-keyring stores it: on macOS, newer versions write
/// `go-keyring-base64:` and base64, older ones `go-keyring-encoded:` and hex;
/// anything else is the secret itself.
#[cfg(any(feature = "keyring", test))]
fn decode_go_keyring(stored: &str) -> Option<String> {
    let bytes = if let Some(b64) = stored.strip_prefix("go-keyring-base64:") {
        base64(b64)?
    } else if let Some(hex) = stored.strip_prefix("go-keyring-encoded:") {
        hex_bytes(hex)?
    } else {
        return Some(stored.to_string()).filter(|s| !s.is_empty());
    };
    String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
}

/// Standard base64, padded or not.
#[cfg(any(feature = "keyring", test))]
fn base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

#[cfg(any(feature = "keyring", test))]
fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(feature = "keyring")]
pub(super) fn os_keyring() -> Option<Box<dyn SecretStore>> {
    Some(Box::new(OsKeyring))
}

#[cfg(not(feature = "keyring"))]
pub(super) fn os_keyring() -> Option<Box<dyn SecretStore>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "canary-secret-42";

    #[test]
    fn go_keyring_encodings_decode() {
        assert_eq!(decode_go_keyring("go-keyring-base64:Y2FuYXJ5LXNlY3JldC00Mg==").as_deref(), Some(SECRET));
        assert_eq!(decode_go_keyring("go-keyring-base64:Y2FuYXJ5LXNlY3JldC00Mg").as_deref(), Some(SECRET));
        assert_eq!(decode_go_keyring("go-keyring-encoded:63616e6172792d7365637265742d3432").as_deref(), Some(SECRET));
        assert_eq!(decode_go_keyring(SECRET).as_deref(), Some(SECRET));
        assert_eq!(decode_go_keyring("go-keyring-base64:not*base64"), None);
        assert_eq!(decode_go_keyring("go-keyring-encoded:abc"), None);
        assert_eq!(decode_go_keyring(""), None);
    }
}
