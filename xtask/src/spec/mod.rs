//! Loading the specs: the pin (`openapi/specs.toml` and its hashes), the
//! bundling of a multi-file root into one document, and YAML parsing.

pub mod bundle;
pub mod pin;
pub mod yaml;
