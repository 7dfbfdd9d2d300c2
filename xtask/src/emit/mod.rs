//! The generated files progenitor does not write: the operation table,
//! pagination, multipart builders, the event triggers' types, each crate's manifest and `lib.rs`, the
//! version registry (every list of versions outside the version crates),
//! the normalization report, and the list of what a removed version left.

pub mod events;
pub mod metadata;
pub mod multipart;
pub mod pagination;
pub mod registry;
pub mod removed_versions;
pub mod report;
pub mod scaffold;

/// Rust source of `tokens`, as prettyplease prints a file.
pub fn pretty(tokens: proc_macro2::TokenStream) -> anyhow::Result<String> {
    let file: syn::File = anyhow::Context::context(syn::parse2(tokens), "generated code does not parse")?;
    Ok(prettyplease::unparse(&file))
}
