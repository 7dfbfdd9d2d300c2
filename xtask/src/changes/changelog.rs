//! `openapi/CHANGES.md`: the API changelog, newest first, one section per
//! pin move and one subsection per version and service that changed.

use super::diff::{Change, Effect};

pub const CHANGES_MD: &str = "openapi/CHANGES.md";

const PREAMBLE: &str = "# Changes of the SailPoint API, as the generated crates see them\n\n\
Written by `cargo xtask pin` each time the pin moves to another upstream commit\n\
of `sailpoint-oss/api-specs`, newest first. Each entry names the Rust item it\n\
changes and says what it does to code written against the previous crate:\n\
**breaking** (it may no longer compile, or may behave or decode differently) or\n\
**additive** (it compiles and behaves as before). The crate's version moves by\n\
that: at 0.x a breaking change bumps the minor version and an additive one the\n\
patch. The rules are in `xtask/src/changes/diff.rs`; the hand-written crates'\n\
changes are in the root `CHANGELOG.md`.\n";

/// One crate's part of a pin move.
pub struct CrateChanges {
    /// `v2024`, or the service's name.
    pub api: String,
    pub package: String,
    pub old_version: String,
    pub new_version: String,
    pub changes: Vec<Change>,
}

/// A pin move: from which commit to which, on which day.
pub struct Move<'a> {
    pub date: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// The year versions' changes, then the services'.
    pub versions: Vec<CrateChanges>,
    pub services: Vec<CrateChanges>,
    /// The facade's old and new version, if it moved.
    pub facade: Option<(String, String)>,
}

fn short(commit: &str) -> &str {
    commit.get(..8).unwrap_or(commit)
}

/// The section of one pin move.
pub fn section(m: &Move) -> String {
    let mut out = format!("## {}: upstream `{}` → `{}`\n\n", m.date, short(m.from), short(m.to));
    let count =
        |effect: Effect| m.versions.iter().chain(&m.services).flat_map(|c| &c.changes).filter(|c| c.effect == effect).count();
    let changed = m.versions.iter().chain(&m.services).filter(|c| !c.changes.is_empty()).count();
    out.push_str(&format!(
        "{} breaking and {} additive changes in {changed} crate(s).",
        count(Effect::Breaking),
        count(Effect::Additive)
    ));
    if let Some((old, new)) = &m.facade {
        out.push_str(&format!(" The facade `sailpoint` moves {old} → {new}."));
    }
    out.push('\n');
    for (title, crates, level) in [("", &m.versions, "###"), ("### Services\n", &m.services, "####")] {
        let changed: Vec<&CrateChanges> = crates.iter().filter(|c| !c.changes.is_empty()).collect();
        if changed.is_empty() {
            continue;
        }
        if !title.is_empty() {
            out.push('\n');
            out.push_str(title);
        }
        for c in changed {
            out.push_str(&subsection(c, level));
        }
        let same: Vec<&str> = crates.iter().filter(|c| c.changes.is_empty()).map(|c| c.api.as_str()).collect();
        if !same.is_empty() {
            out.push_str(&format!("\nUnchanged: {}.\n", same.join(", ")));
        }
    }
    out
}

fn subsection(c: &CrateChanges, level: &str) -> String {
    let effect = if c.changes.iter().any(|x| x.effect == Effect::Breaking) { "breaking" } else { "additive" };
    let mut out = format!("\n{level} {}: `{}` {} → {} ({effect})\n", c.api, c.package, c.old_version, c.new_version);
    for (effect, title) in [(Effect::Breaking, "Breaking"), (Effect::Additive, "Additive")] {
        let of: Vec<&Change> = c.changes.iter().filter(|x| x.effect == effect).collect();
        if of.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title}:\n"));
        for x in of {
            out.push_str(&format!("- {}: {}\n", x.subject, x.text));
        }
    }
    out
}

/// `current` (the file's text, empty when new) with `section` first after the preamble.
pub fn insert(current: &str, section: &str) -> String {
    let body = match current.find("\n## ") {
        Some(i) => &current[i + 1..],
        None => "",
    };
    format!("{PREAMBLE}\n{section}{}{body}", if body.is_empty() { "" } else { "\n" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_changes(api: &str, changes: Vec<Change>) -> CrateChanges {
        CrateChanges {
            api: api.into(),
            package: format!("sailpoint-{api}"),
            old_version: "0.1.0".into(),
            new_version: "0.2.0".into(),
            changes,
        }
    }

    #[test]
    fn the_newest_move_comes_first() {
        let change = |effect, text: &str| Change { effect, subject: "`GET /a`".into(), text: text.into() };
        let first = Move {
            date: "2026-07-15",
            from: "aaaaaaaaaaaa",
            to: "bbbbbbbbbbbb",
            versions: vec![crate_changes("v3", vec![change(Effect::Breaking, "gone")]), crate_changes("beta", vec![])],
            services: vec![crate_changes("sources", vec![change(Effect::Additive, "new")])],
            facade: Some(("0.1.0".into(), "0.2.0".into())),
        };
        let text = insert("", &section(&first));
        assert!(text.contains("### v3: `sailpoint-v3` 0.1.0 → 0.2.0 (breaking)"), "{text}");
        assert!(text.contains("#### sources") && text.contains("Unchanged: beta."), "{text}");
        let second = Move {
            date: "2026-08-22",
            from: "bbbbbbbbbbbb",
            to: "cccccccccccc",
            versions: vec![],
            services: vec![],
            facade: None,
        };
        let text = insert(&text, &section(&second));
        let (newer, older) = (text.find("2026-08-22").unwrap(), text.find("2026-07-15").unwrap());
        assert!(newer < older, "{text}");
        assert_eq!(text.matches("# Changes of the SailPoint API").count(), 1);
    }
}
