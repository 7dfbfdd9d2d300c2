//! Edits to progenitor's output, as a `syn` tree, each with its own test.

pub mod call_options;
pub mod doc_aliases;
pub mod inline_methods;
pub mod listing_fields;
pub mod open_enums;
pub mod other_version_names;
pub mod required_bodies;
pub mod response_decoding;
pub mod runtime_send;
pub mod send_as;
pub mod send_futures;
pub mod serde_impls;
pub mod shared_types;
pub mod status_arms;
pub mod struct_builders;
pub mod tag_features;
pub mod undeclared_success;
pub mod unknown_field_maps;
