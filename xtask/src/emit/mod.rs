//! The generated files progenitor does not write: the operation table,
//! pagination, multipart builders, each crate's manifest and `lib.rs`, the
//! version registry (every list of versions outside the version crates),
//! the normalization report, and the list of what a removed version left.

pub mod metadata;
pub mod multipart;
pub mod pagination;
pub mod registry;
pub mod removed_versions;
pub mod report;
pub mod scaffold;
