//! An event trigger's answer is its `200` response.
//!
//! A `REQUEST_RESPONSE` trigger's file under `x-webhooks` describes the
//! answer the subscriber sends back as the operation's response. Some
//! upstream files leave out the status code, so that `required` and
//! `content` sit directly under `responses`:
//!
//! ```yaml
//! responses:
//!   required: true
//!   content: { application/json: { schema: … } }
//! ```
//!
//! and one gives `'200'` no `description`, which OpenAPI requires. This
//! pass moves such `content` under `'200'` (dropping `required`, which a
//! response does not have) and gives a `200` without a description one,
//! so that every later stage reads an answer in one place.

use serde_json::{Map, Value, json};

use super::Log;

pub const WHY: &str = "an event trigger's answer is its `200` response (upstream files leave out the status)";

const DESCRIPTION: &str = "The subscriber's answer.";

pub fn run(doc: &mut Value, log: &mut Log) {
    let Some(Value::Object(webhooks)) = doc.get_mut("x-webhooks") else { return };
    for (name, item) in webhooks.iter_mut() {
        let Some(Value::Object(responses)) = item.pointer_mut("/post/responses") else { continue };
        if let Some(content) = responses.remove("content") {
            responses.remove("required");
            let mut answer = Map::new();
            answer.insert("description".into(), json!(DESCRIPTION));
            answer.insert("content".into(), content);
            responses.insert("200".into(), Value::Object(answer));
            log.note("answer `content` without a status code moved under `200`", name.clone());
        }
        if let Some(Value::Object(ok)) = responses.get_mut("200")
            && !ok.contains_key("description")
        {
            ok.insert("description".into(), json!(DESCRIPTION));
            log.note("`200` without a description given one", name.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn an_answer_without_status_goes_under_200() {
        let schema = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}});
        let mut doc = json!({
            "paths": {"/x": {"post": {"responses": {"required": true, "content": {}}}}},
            "x-webhooks": {
                "Malformed": {"post": {"responses": {"required": true, "content": schema}}},
                "NoDescription": {"post": {"responses": {"200": {"content": schema}}}},
                "Fine": {"post": {"responses": {"200": {"description": "kept", "content": schema}}}},
                "FireAndForget": {"post": {"requestBody": {}}}
            }
        });
        let log = run_twice(run, &mut doc);
        assert_eq!(log.count(), 2);
        let fixed = json!({"200": {"description": DESCRIPTION, "content": schema}});
        assert_eq!(doc["x-webhooks"]["Malformed"]["post"]["responses"], fixed);
        assert_eq!(doc["x-webhooks"]["NoDescription"]["post"]["responses"], fixed);
        assert_eq!(doc["x-webhooks"]["Fine"]["post"]["responses"]["200"]["description"], "kept");
        assert!(doc["x-webhooks"]["FireAndForget"]["post"].get("responses").is_none());
        assert_eq!(doc["paths"]["/x"]["post"]["responses"]["required"], true, "paths are not webhooks");
    }
}
