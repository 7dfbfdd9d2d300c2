//! Every payload the `Trigger` schema lists is a trigger's.
//!
//! `Trigger.exampleInput` (what `GET /triggers` returns for each trigger) is
//! a `oneOf` of every payload schema, and `exampleOutput` a `oneOf` of the
//! answers. Two consequences:
//! - The per-service layout has no `x-webhooks`, and the year roots list
//!   fewer triggers there than in this `oneOf` (`AccountCorrelated` is in
//!   the Triggers tag's table and in `exampleInput`, not in `x-webhooks`).
//!   So each payload of `exampleInput` that no `x-webhooks` entry posts
//!   becomes an entry of its own, named after the payload, whose answer is
//!   the `exampleOutput` member with the payload's title (the spec pairs
//!   them so: `Access Request Pre Approval`); with an answer it is a
//!   `REQUEST_RESPONSE` trigger, else `FIRE_AND_FORGET`.
//! - An untagged enum of thirty structs reads an object as the first one
//!   that fits, which for these is mostly the wrong one. `exampleInput`
//!   and `exampleOutput` become any JSON value; `events::Event::decode`
//!   reads one by the trigger's id.

use serde_json::{Map, Value, json};

use super::{Log, schema_ref_name};
use crate::spec::pointer::escape;

pub const WHY: &str = "every payload the Trigger schema lists is a trigger's; its example unions are read by trigger id";

pub fn run(doc: &mut Value, log: &mut Log) {
    let holders: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.pointer("/properties/exampleInput/oneOf").is_some())
        .map(|(name, _)| name.clone())
        .collect();
    for holder in holders {
        let at = format!("/components/schemas/{}/properties", escape(&holder));
        let members = |key: &str| -> Vec<String> {
            doc.pointer(&format!("{at}/{key}/oneOf"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(schema_ref_name)
                .map(str::to_string)
                .collect()
        };
        let (inputs, outputs) = (members("exampleInput"), members("exampleOutput"));
        let posted = posted_payloads(doc);
        for payload in inputs.iter().filter(|p| !posted.contains(*p)) {
            let title = title(doc, payload);
            let answer = outputs.iter().find(|o| title.is_some() && self::title(doc, o) == title);
            add_trigger(doc, &holder, payload, title.as_deref(), answer.map(String::as_str), log);
        }
        for key in ["exampleInput", "exampleOutput"] {
            if let Some(Value::Object(property)) = doc.pointer_mut(&format!("{at}/{key}"))
                && property.remove("oneOf").is_some()
            {
                log.note("payload union read by trigger id: any JSON value", format!("{holder}.{key}"));
            }
        }
    }
}

/// The payload schemas the `x-webhooks` entries post.
fn posted_payloads(doc: &Value) -> Vec<String> {
    doc.get("x-webhooks")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, item)| item.pointer("/post/requestBody/content/application~1json/schema"))
        .filter_map(schema_ref_name)
        .map(str::to_string)
        .collect()
}

fn title(doc: &Value, schema: &str) -> Option<String> {
    doc.pointer(&format!("/components/schemas/{}/title", escape(schema))).and_then(Value::as_str).map(str::to_string)
}

fn json_content(schema: &str) -> Value {
    json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}})
}

fn add_trigger(doc: &mut Value, holder: &str, payload: &str, title: Option<&str>, answer: Option<&str>, log: &mut Log) {
    let Some(root) = doc.as_object_mut() else { return };
    let webhooks = root.entry("x-webhooks").or_insert_with(|| Value::Object(Map::new()));
    let Some(webhooks) = webhooks.as_object_mut() else { return };
    if webhooks.contains_key(payload) {
        log.note("payload not made a trigger: an x-webhooks entry has its name", payload);
        return;
    }
    let kind = if answer.is_some() { "REQUEST_RESPONSE" } else { "FIRE_AND_FORGET" };
    let name = title.unwrap_or(payload);
    let mut post = Map::new();
    post.insert("summary".into(), json!(name));
    let mut id = heck::ToLowerCamelCase::to_lower_camel_case(payload);
    id.push_str("Event");
    post.insert("operationId".into(), json!(id));
    post.insert(
        "description".into(),
        json!(format!(
            "The `{name}` trigger, whose payload `{holder}.exampleInput` lists and no `x-webhooks` entry posts.\n\nThis is a `{kind}` event trigger."
        )),
    );
    post.insert("tags".into(), json!(["Triggers"]));
    post.insert("requestBody".into(), json!({"required": true, "content": json_content(payload)}));
    if let Some(answer) = answer {
        post.insert(
            "responses".into(),
            json!({"200": {"description": "The subscriber's answer.", "content": json_content(answer)}}),
        );
    }
    webhooks.insert(payload.to_string(), json!({"post": post}));
    let what = match answer {
        Some(_) => "trigger added from the example payloads (REQUEST_RESPONSE: an answer has its title)",
        None => "trigger added from the example payloads (FIRE_AND_FORGET)",
    };
    log.note(what, payload);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn unlisted_payloads_become_triggers_and_the_unions_any_value() {
        let r = |n: &str| json!({"$ref": format!("#/components/schemas/{n}")});
        let mut doc = json!({
            "components": {"schemas": {
                "Trigger": {"properties": {
                    "id": {"type": "string"},
                    "exampleInput": {"description": "kept", "oneOf": [r("Listed"), r("PreApproval"), r("Correlated")]},
                    "exampleOutput": {"nullable": true, "oneOf": [r("PreApprovalAnswer")]}
                }},
                "Listed": {"title": "Listed", "type": "object"},
                "PreApproval": {"title": "Access Request Pre Approval", "type": "object"},
                "PreApprovalAnswer": {"title": "Access Request Pre Approval", "type": "object"},
                "Correlated": {"type": "object"}
            }},
            "x-webhooks": {"ListedTrigger": {"post": {"requestBody": {"content": json_content("Listed")}}}}
        });
        let log = run_twice(run, &mut doc);
        assert_eq!(log.count(), 4, "{log:?}");
        let hooks = doc["x-webhooks"].as_object().unwrap();
        assert_eq!(hooks.keys().collect::<Vec<_>>(), ["ListedTrigger", "PreApproval", "Correlated"]);
        let pre = &hooks["PreApproval"]["post"];
        assert_eq!(pre["operationId"], "preApprovalEvent");
        assert_eq!(pre["summary"], "Access Request Pre Approval");
        assert!(pre["description"].as_str().unwrap().contains("This is a `REQUEST_RESPONSE` event trigger."));
        assert_eq!(pre["responses"]["200"]["content"], json_content("PreApprovalAnswer"));
        let correlated = &hooks["Correlated"]["post"];
        assert!(correlated["description"].as_str().unwrap().contains("`FIRE_AND_FORGET`"));
        assert!(correlated.get("responses").is_none());
        let props = &doc["components"]["schemas"]["Trigger"]["properties"];
        assert_eq!(props["exampleInput"], json!({"description": "kept"}));
        assert_eq!(props["exampleOutput"], json!({"nullable": true}));
    }
}
