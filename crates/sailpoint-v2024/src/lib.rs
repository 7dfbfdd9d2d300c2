//! Client for the SailPoint Identity Security Cloud **v2024** API.
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
pub use generated_operations::{API_VERSION, OPERATIONS};

sailpoint_runtime::client_hooks!(Client, OPERATIONS, API_VERSION);
