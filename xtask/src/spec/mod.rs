//! The OpenAPI document model (`document`), and loading the specs: the pin (`openapi/specs.toml` and its hashes), the
//! bundling of a multi-file root into one document, YAML parsing, what the
//! versions say of each other, JSON Pointer segments, and our overlay of what the specs lag
//! (`openapi/experimental.toml`).

pub mod bundle;
pub mod cross_version;
pub mod document;
pub mod layout;
pub mod overlay;
pub mod pin;
pub mod pointer;
pub mod yaml;
