//! A new API version's crate: its manifest and its short `lib.rs`.
//!
//! Written by `regen` only when the crate has no manifest yet, so that a new
//! version takes one entry in `openapi/specs.toml`; afterwards both files are
//! the crate's own (hand-maintained, never overwritten).

use std::path::PathBuf;

/// `(path, contents)` of the files a new crate for `version` starts with.
pub fn files(version: &str) -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(crate::pin::Version::crate_dir(version));
    let manifest = format!(
        r#"[package]
name = "sailpoint-{version}"
version = "0.1.0"
description = "Generated client for the SailPoint Identity Security Cloud {version} API"
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true

[dependencies]
sailpoint-runtime = {{ workspace = true }}
progenitor-client = {{ workspace = true }}
reqwest = {{ workspace = true }}
serde = {{ workspace = true }}
serde_json = {{ workspace = true }}
chrono = {{ workspace = true }}
bytes = "1"
futures-core = "0.3"
regress = "0.10"

[lints]
workspace = true
"#
    );
    let lib = format!(
        r#"//! Client for the SailPoint Identity Security Cloud **{version}** API.
//!
//! Generated from SailPoint's published OpenAPI spec by `cargo xtask regen`
//! (progenitor, builder style): one method per operation on [`Client`],
//! each returning a builder with a setter per parameter and `send()`.
//! Types are in [`types`]; the `multipart/form-data` operations' builders
//! in [`multipart`]; every operation's metadata in [`OPERATIONS`].
//! Requests run through a [`sailpoint_runtime::Runtime`], which restores
//! the wire details the generator cannot express.
//!
//! Most users start from the `sailpoint` crate, which configures the client.

#![allow(clippy::all, unused_imports, unused_comparisons, mismatched_lifetime_syntaxes, rustdoc::all)]

mod generated;
mod generated_multipart;
mod generated_operations;
mod generated_pagination;

pub use generated::*;
pub use generated_multipart::multipart;
pub use generated_operations::{{API_VERSION, OPERATIONS}};

sailpoint_runtime::client_hooks!(Client, OPERATIONS, API_VERSION);
"#
    );
    vec![(dir.join("Cargo.toml"), manifest), (dir.join("src/lib.rs"), lib)]
}

#[cfg(test)]
mod tests {
    /// The committed crates started from this scaffold and still match it.
    #[test]
    fn committed_crates_match_the_scaffold() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        for version in ["v3", "beta", "v2024"] {
            for (path, text) in super::files(version) {
                let committed = std::fs::read_to_string(root.join(&path)).unwrap();
                assert_eq!(committed, text, "{}", path.display());
            }
        }
    }
}
