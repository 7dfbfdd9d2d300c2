//! Loading the specs: the pin (`openapi/specs.toml` and its hashes), the
//! bundling of a multi-file root into one document, YAML parsing, and our
//! overlay of what the specs lag (`openapi/experimental.toml`).

pub mod bundle;
pub mod overlay;
pub mod pin;
pub mod yaml;
