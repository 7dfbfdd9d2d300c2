//! `openapi/<version>.normalization.md`: what bundling and every pass did,
//! so that a spec update shows up as a reviewable diff.

use std::collections::BTreeMap;

use crate::passes::Log;

pub struct Summary {
    pub version: String,
    pub root: String,
    pub commit: String,
    pub files: usize,
    pub operations: usize,
    pub schemas: usize,
    pub renamed: BTreeMap<String, String>,
    pub multipart: Vec<String>,
    pub open_enums: usize,
    /// Operations (method names) whose spec declares no 2xx status.
    pub without_success: Vec<String>,
    pub paginated: usize,
    pub not_paginated: Vec<String>,
    /// One table row per event trigger (`emit::events`).
    pub triggers: Vec<String>,
}

pub fn render(s: &Summary, logs: &[(&str, &str, Log)]) -> String {
    let mut out = format!(
        "# {v}: normalization report\n\n\
         Written by `cargo xtask regen`; do not edit. Upstream `{root}` at commit `{commit}`.\n\n\
         Bundled: {files} files, {ops} operations, {schemas} named schemas.\n",
        v = s.version,
        root = s.root,
        commit = s.commit,
        files = s.files,
        ops = s.operations,
        schemas = s.schemas,
    );
    if !s.renamed.is_empty() {
        out.push_str(&format!("\n## Bundling: components named other than their file ({})\n\n", s.renamed.len()));
        for (from, to) in &s.renamed {
            out.push_str(&format!("- `{from}` → `{to}`\n"));
        }
    }
    out.push_str(&format!(
        "\n## Emitted by the xtask: multipart/form-data operations ({})\n\n{}\n",
        s.multipart.len(),
        s.multipart.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
    ));
    out.push_str(&format!(
        "\n## After generation: string enums that keep unknown values ({})\n\nEach got an `Unknown(String)` variant (see xtask/src/open_enums.rs).\n",
        s.open_enums
    ));
    out.push_str(&format!(
        "\n## After generation: operations whose spec declares no success status ({})\n\n\
         Any 2xx is a success for every operation, declared or not (see xtask/src/rewrites/undeclared_success.rs); \
         these declare none at all, so their success type is progenitor's guess.{}\n",
        s.without_success.len(),
        if s.without_success.is_empty() { String::new() } else { format!("\n\n{}", s.without_success.join(", ")) }
    ));
    out.push_str(&format!(
        "\n## After generation: listings with `.pages()` / `.stream()` ({})\n\n{}\n",
        s.paginated,
        if s.not_paginated.is_empty() {
            "Every limit/offset operation.".to_string()
        } else {
            format!("Not streamable: {}", s.not_paginated.join("; "))
        }
    ));
    if !s.triggers.is_empty() {
        out.push_str(&format!(
            "\n## After generation: event triggers in `events::Event` ({})\n\n\
             | trigger id | type | payload | answer | id from |\n|-|-|-|-|-|\n{}\n",
            s.triggers.len(),
            s.triggers.join("\n")
        ));
    }
    for (i, (name, why, log)) in logs.iter().enumerate() {
        out.push_str(&format!("\n## {}. {name}: {why}\n\n", i + 1));
        out.push_str(&render_log(log));
    }
    out
}

/// What one pass changed, as a list (or "No change.").
pub fn render_log(log: &Log) -> String {
    if log.is_empty() {
        return "No change.\n".into();
    }
    let mut out = String::new();
    for (what, places) in &log.changes {
        out.push_str(&format!("- {what}: {}\n", places.len()));
        let mut places = places.clone();
        places.sort();
        places.dedup();
        out.push_str(&format!("  - {}\n", places.join(", ")));
    }
    out
}
