//! The generated files progenitor does not write: the operation table,
//! pagination, multipart builders, each crate's manifest and `lib.rs`, and
//! the normalization report.

pub mod metadata;
pub mod multipart;
pub mod pagination;
pub mod report;
pub mod scaffold;
