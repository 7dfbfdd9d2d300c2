//! Normalization passes: what progenitor and typify need, and what makes the
//! generated types decode what the API really sends.
//!
//! Each pass is one module with a `run(doc, log)` function. Passes are
//! ordered, idempotent (a second run changes nothing) and record what they
//! changed in a [`Log`], which becomes `openapi/<version>.normalization.md`.
//! Facts that the runtime needs (a JSON Patch body, an experimental header)
//! are kept on the operation as `x-sailpoint-*` extensions, which the
//! metadata emitter reads.

use serde_json::Value;

// The document model, for the passes (`super::deref`…).
use crate::spec::document::*;

pub mod defaults;
pub mod doc_fences;
pub mod enums;
pub mod error_responses;
pub mod experimental_header;
pub mod experimental_overlay;
pub mod field_clash;
pub mod format_types;
pub mod hoist_allof_bases;
pub mod hoist_inline;
pub mod json_patch_values;
pub mod lenient_date_times;
pub mod nullable_roots;
pub mod opaque_ids;
pub mod operation_ids;
pub mod optional_nulls;
pub mod path_params;
pub mod read_only_posts;
pub mod request_bodies;
pub mod required_nullables;
pub mod response_no_schema;
pub mod round_trip_fields;
pub mod search_after;
pub mod shared_enums;
pub mod success_responses;
pub mod titles;
pub mod trigger_examples;
pub mod trigger_ids;
pub mod undeclared_required;
pub mod unexpressible_schemas;
pub mod unknown_fields;
pub mod version_drift;
pub mod webhook_responses;

/// One normalization pass.
pub struct Pass {
    pub name: &'static str,
    pub why: &'static str,
    pub step: Step,
}

/// What a pass reads besides the document, and so where it runs.
pub enum Step {
    /// The document alone.
    Document(fn(&mut Value, &mut Log)),
    /// The other versions' documents too ([`version_drift`]); a year version only.
    OtherVersions,
    /// Our overlay too ([`experimental_overlay`]); a year version only.
    Overlay,
    /// The generator, which it runs on the document until it takes it
    /// ([`unexpressible_schemas`]); as the crate is emitted, after the others.
    Generator,
}

/// Every pass, in the order it runs ([`Step`] says what each reads).
pub const PASSES: &[Pass] = &[
    Pass { name: version_drift::NAME, why: version_drift::WHY, step: Step::OtherVersions },
    Pass { name: "operation-ids", why: operation_ids::WHY, step: Step::Document(operation_ids::run) },
    Pass { name: "webhook-responses", why: webhook_responses::WHY, step: Step::Document(webhook_responses::run) },
    Pass { name: "trigger-examples", why: trigger_examples::WHY, step: Step::Document(trigger_examples::run) },
    Pass { name: "trigger-ids", why: trigger_ids::WHY, step: Step::Document(trigger_ids::run) },
    Pass { name: "format-types", why: format_types::WHY, step: Step::Document(format_types::run) },
    Pass { name: "undeclared-required", why: undeclared_required::WHY, step: Step::Document(undeclared_required::run) },
    Pass { name: "path-params", why: path_params::WHY, step: Step::Document(path_params::run) },
    Pass { name: "experimental-header", why: experimental_header::WHY, step: Step::Document(experimental_header::run) },
    Pass { name: "request-bodies", why: request_bodies::WHY, step: Step::Document(request_bodies::run) },
    Pass { name: "search-after", why: search_after::WHY, step: Step::Document(search_after::run) },
    Pass { name: "read-only-posts", why: read_only_posts::WHY, step: Step::Document(read_only_posts::run) },
    Pass { name: "response-no-schema", why: response_no_schema::WHY, step: Step::Document(response_no_schema::run) },
    Pass { name: "success-responses", why: success_responses::WHY, step: Step::Document(success_responses::run) },
    Pass { name: "error-responses", why: error_responses::WHY, step: Step::Document(error_responses::run) },
    Pass { name: "enums", why: enums::WHY, step: Step::Document(enums::run) },
    Pass { name: "shared-enums", why: shared_enums::WHY, step: Step::Document(shared_enums::run) },
    Pass { name: "defaults", why: defaults::WHY, step: Step::Document(defaults::run) },
    Pass { name: "titles", why: titles::WHY, step: Step::Document(titles::run) },
    Pass { name: "opaque-ids", why: opaque_ids::WHY, step: Step::Document(opaque_ids::run) },
    Pass { name: "lenient-date-times", why: lenient_date_times::WHY, step: Step::Document(lenient_date_times::run) },
    Pass { name: "unknown-fields", why: unknown_fields::WHY, step: Step::Document(unknown_fields::run) },
    Pass { name: "required-nullables", why: required_nullables::WHY, step: Step::Document(required_nullables::run) },
    Pass { name: "optional-nulls", why: optional_nulls::WHY, step: Step::Document(optional_nulls::run) },
    Pass { name: "nullable-roots", why: nullable_roots::WHY, step: Step::Document(nullable_roots::run) },
    Pass { name: "json-patch-values", why: json_patch_values::WHY, step: Step::Document(json_patch_values::run) },
    Pass { name: "hoist-allof-bases", why: hoist_allof_bases::WHY, step: Step::Document(hoist_allof_bases::run) },
    Pass { name: "hoist-inline", why: hoist_inline::WHY, step: Step::Document(hoist_inline::run) },
    Pass { name: "field-clash", why: field_clash::WHY, step: Step::Document(field_clash::run) },
    Pass { name: "round-trip-fields", why: round_trip_fields::WHY, step: Step::Document(round_trip_fields::run) },
    Pass { name: "doc-fences", why: doc_fences::WHY, step: Step::Document(doc_fences::run) },
    Pass { name: experimental_overlay::NAME, why: experimental_overlay::WHY, step: Step::Overlay },
    Pass { name: unexpressible_schemas::NAME, why: unexpressible_schemas::WHY, step: Step::Generator },
];

/// What one pass changed: for each kind of change, where.
#[derive(Default, Debug)]
pub struct Log {
    pub changes: Vec<(String, Vec<String>)>,
}

impl Log {
    /// Records one change of kind `what` at `at` (an operation id or a schema path).
    pub fn note(&mut self, what: &str, at: impl Into<String>) {
        let at = at.into();
        match self.changes.iter_mut().find(|(w, _)| w == what) {
            Some((_, places)) => places.push(at),
            None => self.changes.push((what.to_string(), vec![at])),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.changes.iter().map(|(_, p)| p.len()).sum()
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Runs a pass twice: returns the log of the first run, and checks that
    /// the second run changes nothing (idempotence).
    pub fn run_twice(pass: fn(&mut Value, &mut Log), doc: &mut Value) -> Log {
        let mut log = Log::default();
        pass(doc, &mut log);
        let once = doc.clone();
        let mut again = Log::default();
        pass(doc, &mut again);
        assert_eq!(*doc, once, "second run changed the document");
        assert!(again.is_empty(), "second run logged changes: {again:?}");
        log
    }
}
