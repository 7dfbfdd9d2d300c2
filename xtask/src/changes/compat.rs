//! Code a user wrote against a crate, written from that crate's surface,
//! to compile against the next crate: the check that a change the
//! changelog calls additive breaks no one.
//!
//! The code names every item of the surface the way a user does: it calls
//! each operation's method, every setter with a value of its type and
//! `send()`, reading the success as its type; `.stream()` where there is
//! one; reads every field as its type and builds every struct with a
//! literal that names all its fields; matches every enum exhaustively;
//! names every newtype's inner value, alias and re-export. It is only
//! type-checked (`cargo check`), never run. Compiled against the crate it
//! was written from, it must compile (else this writer is wrong); against
//! the crate after an additive change, it must still compile.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::surface::{Kind, Surface};

/// The Rust source of a library that uses every item of `surface`, a
/// crate imported as `api`.
pub fn user_code(surface: &Surface) -> String {
    let mut out = String::from(
        "#![allow(unused, deprecated, unreachable_code, unreachable_patterns, non_snake_case, non_camel_case_types, clippy::all)]\n\
         use api::*;\nuse api::types::*;\n\
         use ::sailpoint_runtime::{FilePart, Paginate as _, SearchAfter as _};\n\n\
         fn v<T>() -> T {\n    unimplemented!()\n}\n",
    );
    let by_subject = group(surface);
    for (i, (subject, facts)) in by_subject.iter().enumerate() {
        if let Some(method) = facts.get(&(Kind::Operation, String::new())) {
            operation(&mut out, i, subject, method, facts);
        } else if let Some(kind) = facts.get(&(Kind::Type, String::new())) {
            type_use(&mut out, i, subject, kind, facts);
        }
    }
    for (k, _) in surface.0.iter().filter(|(k, _)| k.kind == Kind::Alias) {
        let _ =
            writeln!(out, "\npub fn alias_{}(c: &api::Client) {{\n    let _ = c.{};\n}}", k.name.trim_end_matches("()"), k.name);
    }
    out
}

type Facts = BTreeMap<(Kind, String), String>;

/// The facts of each subject (an operation or a type).
fn group(surface: &Surface) -> BTreeMap<String, Facts> {
    let mut out: BTreeMap<String, Facts> = BTreeMap::new();
    for (k, v) in &surface.0 {
        if k.kind != Kind::Alias {
            out.entry(k.subject.clone()).or_default().insert((k.kind, k.name.clone()), v.clone());
        }
    }
    out
}

fn operation(out: &mut String, i: usize, subject: &str, method: &str, facts: &Facts) {
    let name = method.trim_end_matches("()");
    let mut call = format!("c.{name}()");
    for ((kind, setter), value) in facts {
        if *kind != Kind::Setter {
            continue;
        }
        let ty = value.strip_suffix(", required").unwrap_or(value);
        let ty = if ty.starts_with("impl ") && ty.ends_with("ToString") { "String" } else { ty };
        // A closure's setter (`body_map`) or one of several arguments: not called.
        if ty.contains(" where ") || ty.contains("impl ") || top_level_comma(ty) {
            continue;
        }
        let _ = write!(call, ".{setter}(v::<{ty}>())");
    }
    let _ = writeln!(out, "\n/// {subject}\npub async fn op_{i}(c: &api::Client) {{");
    match facts.get(&(Kind::Response, String::new())) {
        Some(ty) => {
            let _ = writeln!(out, "    let _: Option<{ty}> = {call}.send().await.ok().and_then(|r| r.into_inner().ok());");
        }
        None => {
            let _ = writeln!(out, "    let _ = {call}.send().await;");
        }
    }
    if facts.contains_key(&(Kind::Stream, String::new())) {
        let _ = writeln!(out, "    let _ = c.{name}().stream();");
    }
    out.push_str("}\n");
}

fn type_use(out: &mut String, i: usize, name: &str, kind: &str, facts: &Facts) {
    let _ = writeln!(out, "\npub fn type_{i}(x: {name}) {{");
    if kind == "struct" {
        let mut literal = Vec::new();
        for ((k, _), value) in facts {
            if *k != Kind::Field {
                continue;
            }
            let value = value.strip_suffix(", defaulted").unwrap_or(value);
            let Some((field, ty)) = value.split_once(": ") else { continue };
            let _ = writeln!(out, "    let _: &{ty} = &x.{field};");
            literal.push(format!("{field}: v()"));
        }
        let _ = writeln!(out, "    let _ = {name} {{ {} }};", literal.join(", "));
    } else if kind == "enum" {
        let mut arms = Vec::new();
        for ((k, _), value) in facts {
            if *k != Kind::Variant {
                continue;
            }
            let variant = value.split(['(', ' ']).next().unwrap_or(value);
            let pattern = if value.contains('(') {
                format!("{name}::{variant}(..)")
            } else if value.contains('{') {
                format!("{name}::{variant} {{ .. }}")
            } else {
                format!("{name}::{variant}")
            };
            arms.push(format!("        {pattern} => {{}}"));
        }
        let _ = writeln!(out, "    match x {{\n{}\n    }}", arms.join("\n"));
    } else if let Some(inner) = kind.strip_prefix("newtype (").and_then(|s| s.strip_suffix(')')) {
        // A private newtype (`newtype, private (…)`) is only named.
        if !top_level_comma(inner) {
            let _ = writeln!(out, "    let _: &{inner} = &x.0;");
        }
    } else if let Some(target) = kind.strip_prefix("alias of ") {
        let _ = writeln!(out, "    let _: {target} = x;");
    }
    out.push_str("}\n");
}

/// Whether `ty` has a comma outside angle brackets and parentheses.
fn top_level_comma(ty: &str) -> bool {
    let mut depth = 0i32;
    for c in ty.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// A crate to check code against: its package, its directory, and the
/// features to turn on.
pub struct Target<'a> {
    pub package: &'a str,
    pub dir: &'a Path,
    pub features: &'a [&'a str],
    /// The services' shared types' crate, which a service's types name.
    pub shared: Option<&'a Path>,
}

/// Type-checks `code` as a library depending on `target` (as `api`) and
/// on the runtime beside it (`runtime_dir`), with the lockfile `lock`, in
/// `work` (created), sharing `target_dir`. Returns the compiler's errors,
/// or `None` when it compiles.
pub fn check(
    code: &str,
    target: &Target,
    runtime_dir: &Path,
    lock: &Path,
    work: &Path,
    target_dir: &Path,
) -> Result<Option<String>> {
    std::fs::create_dir_all(work.join("src"))?;
    let features = target.features.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
    let shared = target
        .shared
        .map(|d| format!("{} = {{ path = {:?} }}\n", crate::spec::layout::SHARED_PACKAGE, d.display().to_string()))
        .unwrap_or_default();
    let manifest = format!(
        "[package]\nname = \"compat-check\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\napi = {{ package = {:?}, path = {:?}, features = [{features}] }}\n\
         sailpoint-runtime = {{ path = {:?} }}\nserde_json = \"1\"\n\
         chrono = {{ version = \"0.4\", default-features = false }}\n{shared}\n[workspace]\n",
        target.package,
        target.dir.display().to_string(),
        runtime_dir.display().to_string(),
    );
    std::fs::write(work.join("Cargo.toml"), manifest)?;
    std::fs::write(work.join("src/lib.rs"), code)?;
    if lock.is_file() {
        std::fs::copy(lock, work.join("Cargo.lock")).context("copying Cargo.lock")?;
    }
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--offline", "--quiet", "--message-format", "short"])
        .current_dir(work)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("RUSTFLAGS")
        .output()
        .context("running cargo check")?;
    if out.status.success() {
        return Ok(None);
    }
    let errors = String::from_utf8_lossy(&out.stderr);
    if !errors.contains("error") {
        bail!("cargo check failed without a compiler error in {}: {errors}", work.display());
    }
    let lines: Vec<&str> = errors.lines().filter(|l| l.contains("error")).take(20).collect();
    Ok(Some(lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_names_every_item() {
        let text = "operation\tGET /a\t\tget_a()\nsetter\tGET /a\tlimit\ti32\nsetter\tGET /a\tbody_map\tF where FnOnce(A) -> A\n\
                    response\tGET /a\t\tVec<A>\nstream\tGET /a\t\toffset\n\
                    type\tA\t\tstruct\nfield\tA\tn\tn: Option<String>\n\
                    type\tE\t\tenum\nvariant\tE\tX\tX\nvariant\tE\tUnknown\tUnknown(String)\n\
                    type\tN\t\tnewtype (String)\nalias\t\tlist_as()\tbuilder GetA\n";
        let code = user_code(&Surface::parse(text).unwrap());
        for part in [
            "c.get_a().limit(v::<i32>()).send().await",
            "let _: Option<Vec<A>>",
            "c.get_a().stream()",
            "let _: &Option<String> = &x.n;",
            "A { n: v() }",
            "E::X => {}",
            "E::Unknown(..) => {}",
            "let _: &String = &x.0;",
            "c.list_as()",
        ] {
            assert!(code.contains(part), "{part}:\n{code}");
        }
        assert!(!code.contains("body_map"), "{code}");
    }
}
