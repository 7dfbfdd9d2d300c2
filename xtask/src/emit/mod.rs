//! The generated files progenitor does not write: the operation table,
//! pagination, multipart builders, each crate's manifest and `lib.rs`, the
//! version registry of the facade and the mock, and the normalization
//! report.

pub mod metadata;
pub mod multipart;
pub mod pagination;
pub mod registry;
pub mod report;
pub mod scaffold;
