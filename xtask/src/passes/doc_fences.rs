//! Descriptions do not become doctests.
//!
//! progenitor copies descriptions into doc comments, and rustdoc compiles
//! every unlabelled code block (a bare fence, or text indented four spaces)
//! as a Rust doctest. Bare fences get the `text` label, and indented blocks
//! are put inside a `text` fence.

use serde_json::Value;

use super::Log;

pub const WHY: &str = "code blocks in descriptions are labelled text, so rustdoc does not run them";

/// Rewrites one Markdown text; returns `None` when nothing changes.
pub fn fix_markdown(text: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    let mut in_indented = false;
    let mut prev_blank = true;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if in_indented {
                out.push("```".into());
                in_indented = false;
            }
            let fence = &trimmed[..3];
            if !in_fence && trimmed[3..].trim().is_empty() {
                let indent = &line[..line.len() - trimmed.len()];
                out.push(format!("{indent}{fence}text"));
            } else {
                out.push(line.to_string());
            }
            in_fence = !in_fence;
            prev_blank = false;
            continue;
        }
        let indented = line.starts_with("    ") || line.starts_with('\t');
        if !in_fence && !in_indented && indented && prev_blank && !line.trim().is_empty() {
            out.push("```text".into());
            in_indented = true;
        } else if in_indented && !indented && !line.trim().is_empty() {
            out.push("```".into());
            in_indented = false;
        }
        prev_blank = line.trim().is_empty();
        out.push(line.to_string());
    }
    if in_indented {
        out.push("```".into());
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    (joined != text).then_some(joined)
}

pub fn run(doc: &mut Value, log: &mut Log) {
    fn walk(node: &mut Value, at: &mut Vec<String>, log: &mut Log) {
        match node {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if matches!(k.as_str(), "example" | "examples" | "enum" | "default") {
                        continue;
                    }
                    if k == "description" {
                        if let Value::String(text) = v
                            && let Some(fixed) = fix_markdown(text)
                        {
                            *text = fixed;
                            log.note("code block in a description labelled text", at.join("/"));
                        }
                        continue;
                    }
                    at.push(k.clone());
                    walk(v, at, log);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    at.push(i.to_string());
                    walk(v, at, log);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    walk(doc, &mut Vec::new(), log);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;
    use serde_json::json;

    #[test]
    fn labels_code_blocks() {
        assert_eq!(fix_markdown("a\n```\nx\n```\n").unwrap(), "a\n```text\nx\n```\n");
        assert_eq!(fix_markdown("a\n\n    code\n\nb").unwrap(), "a\n\n```text\n    code\n\n```\nb");
        assert_eq!(fix_markdown("```json\n{}\n```"), None);
        let mut doc = json!({"info": {"description": "```\nx\n```"}});
        let log = run_twice(run, &mut doc);
        assert_eq!(log.count(), 1);
    }
}
