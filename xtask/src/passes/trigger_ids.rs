//! Each event trigger gets its id and type, and a line in the report.
//!
//! An `x-webhooks` entry describes one trigger: the payload ISC posts (its
//! request body) and, for a request-response trigger, the answer (its
//! `200`). Its type is in its description (``This is a `FIRE_AND_FORGET`
//! event trigger``); without that sentence, a trigger with an answer is
//! `REQUEST_RESPONSE`. Its id (`idn:identity-created`) is nowhere in the
//! entry: it comes from our `openapi/trigger-ids.toml` by payload, else
//! from the payload's name in kebab case, and is looked up in the table of
//! "Available Event Triggers" in the `Triggers` tag's description.
//!
//! The result is kept on the entry as `x-sailpoint-trigger` (`id`, `type`,
//! `idInSpec`, `idFrom`), which the `events` emitter reads; the log lists every
//! trigger, grouped by where its id came from.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Log, schema_ref_name};
use crate::spec::overlay::trigger_ids;

pub const WHY: &str = "each event trigger gets its id and type (the trigger files carry no id)";

/// The extension this pass writes on each trigger's `post`.
pub const EXTENSION: &str = "x-sailpoint-trigger";

pub fn run(doc: &mut Value, log: &mut Log) {
    let table = tag_table(doc);
    let Some(Value::Object(webhooks)) = doc.get_mut("x-webhooks") else { return };
    for (name, item) in webhooks.iter_mut() {
        let Some(Value::Object(post)) = item.get_mut("post") else { continue };
        if post.contains_key(EXTENSION) {
            continue;
        }
        // An inline payload has no type to name: `events` leaves the entry out.
        let Some(payload) =
            post.get("requestBody").and_then(|b| b.pointer("/content/application~1json/schema")).and_then(schema_ref_name)
        else {
            continue;
        };
        let payload = payload.to_string();
        let description = post.get("description").and_then(Value::as_str).unwrap_or_default();
        let has_answer = post.get("responses").and_then(|r| r.get("200")).is_some();
        let kind = match declared_type(description) {
            Some(kind) => kind,
            None if has_answer => "REQUEST_RESPONSE",
            None => "FIRE_AND_FORGET",
        };
        let listed = trigger_ids().iter().find(|t| crate::names::norm(&t.payload) == crate::names::norm(&payload));
        let id = match listed {
            Some(t) => t.id.clone(),
            None => format!("idn:{}", heck::ToKebabCase::to_kebab_case(payload.as_str())),
        };
        let in_table = table.get(&id);
        let id_from = match (listed, in_table) {
            (_, Some(_)) => "the Triggers tag's table",
            (Some(_), None) => "openapi/trigger-ids.toml",
            (None, None) => "the payload's name",
        };
        post.insert(EXTENSION.into(), json!({"id": id, "type": kind, "idInSpec": in_table.is_some(), "idFrom": id_from}));
        let from = match (listed, in_table) {
            (_, Some(_)) => "trigger id in the Triggers tag's table".to_string(),
            (Some(t), None) => {
                format!("trigger id from openapi/trigger-ids.toml ({}), not in the Triggers tag's table", t.source)
            }
            (None, None) => "trigger id made from the payload's name, not in the Triggers tag's table".to_string(),
        };
        let answer =
            post.get("responses").and_then(|r| r.pointer("/200/content/application~1json/schema")).and_then(schema_ref_name);
        let answer = answer.map(|a| format!(", answer {a}")).unwrap_or_default();
        log.note(&from, format!("{name}: {id} ({kind}, payload {payload}{answer})"));
        if let Some(listed_kind) = in_table.filter(|k| **k != kind) {
            log.note(
                "trigger type differs from the Triggers tag's table (the trigger's own description kept)",
                format!("{name}: {listed_kind}"),
            );
        }
        if !has_answer && kind == "REQUEST_RESPONSE" {
            log.note("REQUEST_RESPONSE trigger without an answer schema (answered with any JSON value)", name.clone());
        }
    }
}

/// `FIRE_AND_FORGET` or `REQUEST_RESPONSE`, where the description says
/// ``This is a `…` event trigger``.
fn declared_type(description: &str) -> Option<&'static str> {
    ["FIRE_AND_FORGET", "REQUEST_RESPONSE"]
        .into_iter()
        .find(|kind| description.contains(&format!("This is a `{kind}` event trigger")))
}

/// Trigger id → type, from the `Triggers` tag's markdown table
/// (`| Name | ID | Type | Trigger condition |`).
fn tag_table(doc: &Value) -> BTreeMap<String, String> {
    let description = doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|t| t.get("name").and_then(Value::as_str) == Some("Triggers"))
        .and_then(|t| t.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for line in description.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        if let [_, id, kind, ..] = cells.as_slice()
            && id.starts_with("idn:")
        {
            out.insert(id.to_string(), kind.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    fn entry(payload: &str, description: &str, answer: bool) -> Value {
        let content = |s: &str| json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{s}")}}});
        let mut post = json!({"description": description, "requestBody": {"content": content(payload)}});
        if answer {
            post["responses"] = json!({"200": {"description": "answer", "content": content("Answer")}});
        }
        json!({"post": post})
    }

    #[test]
    fn ids_come_from_our_table_or_the_payload_and_are_looked_up_in_the_tags() {
        let mut doc = json!({
            "tags": [{"name": "Triggers", "description": "## Available\n| Name | ID | Type | When |\n|-|-|-|-|\n\
                | [Identity Created](https://x/) | idn:identity-created | FIRE_AND_FORGET | After. |\n\
                | Accounts Collected |  idn:aggregation-accounts-collected | FIRE_AND_FORGET | After. |\n\
                | Pre | idn:access-request-pre-approval | REQUEST_RESPONSE | Before. |"}],
            "x-webhooks": {
                "IdentityCreated": entry("IdentityCreated", "This is a `FIRE_AND_FORGET` event trigger.", false),
                "Collected": entry("AccountsCollectedForAggregation", "This is a `FIRE_AND_FORGET` event trigger.", false),
                "PreApproval": entry("AccessRequestPreApproval", "no sentence", true),
                "Sod": entry("SODViolationCreatedPayload", "This is a `FIRE_AND_FORGET` event trigger.", false),
                "New": entry("MachineIdentityCreated", "This is a `FIRE_AND_FORGET` event trigger.", false),
                "Inline": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}}
            }
        });
        let log = run_twice(run, &mut doc);
        let trigger = |name: &str| doc["x-webhooks"][name]["post"][EXTENSION].clone();
        assert_eq!(
            trigger("IdentityCreated"),
            json!({"id": "idn:identity-created", "type": "FIRE_AND_FORGET", "idInSpec": true, "idFrom": "the Triggers tag's table"})
        );
        assert_eq!(trigger("Collected")["id"], "idn:aggregation-accounts-collected");
        assert_eq!(trigger("Collected")["idInSpec"], true);
        assert_eq!(
            trigger("PreApproval"),
            json!({"id": "idn:access-request-pre-approval", "type": "REQUEST_RESPONSE", "idInSpec": true, "idFrom": "the Triggers tag's table"})
        );
        assert_eq!(
            trigger("Sod"),
            json!({"id": "idn:sod-violation-created", "type": "FIRE_AND_FORGET", "idInSpec": false, "idFrom": "openapi/trigger-ids.toml"})
        );
        assert_eq!(
            trigger("New"),
            json!({"id": "idn:machine-identity-created", "type": "FIRE_AND_FORGET", "idInSpec": false, "idFrom": "the payload's name"})
        );
        assert_eq!(trigger("Inline"), Value::Null);
        assert_eq!(log.count(), 5, "one line per trigger with a named payload: {log:?}");
    }
}
