//! Event triggers: subscriptions (the `trigger-subscriptions` collection,
//! through the generic collection routes), deliveries to them, and the
//! invocations they answer or complete.
//!
//! A delivery POSTs a trigger's payload (the spec's example unless one is
//! given: `sailpoint_triggers::events::EXAMPLES`) with `_metadata` to each
//! enabled HTTP subscription of the trigger, with the subscription's
//! credentials, to loopback addresses only. A request-response delivery
//! carries an invocation id, a secret and a callback URL; a `SYNC` answer
//! (the response body) and a completion through
//! `POST …/trigger-invocations/{id}/complete` are each recorded.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sailpoint_runtime::triggers::TriggerType;
use serde_json::{Map, Value, json};

use crate::errors::{bad_request, not_found};
use crate::tenant::Tenant;

/// One invocation of a request-response trigger.
pub struct Invocation {
    pub trigger_id: String,
    pub secret: String,
    pub completed: bool,
}

/// What one delivery did.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivered {
    /// The subscription delivered to.
    pub subscription_id: String,
    /// The invocation's id (a request-response trigger's).
    pub invocation_id: Option<String>,
    /// The subscriber's status; 0 when nothing was sent or nothing came back.
    pub status: u16,
    /// The subscriber's response body, or why nothing was sent.
    pub body: String,
}

/// The trigger's type as `sailpoint-triggers` describes it (an unknown
/// trigger is fire and forget).
fn trigger_type(trigger_id: &str) -> TriggerType {
    sailpoint_triggers::events::TRIGGERS
        .iter()
        .find(|t| t.id == trigger_id)
        .map_or(TriggerType::FireAndForget, |t| t.trigger_type)
}

/// The spec's example payload of `trigger_id`.
pub fn example(trigger_id: &str) -> Option<Value> {
    let (_, text) = sailpoint_triggers::events::EXAMPLES.iter().find(|(id, _)| *id == trigger_id)?;
    serde_json::from_str(text).ok()
}

/// `url` parsed, if it is `http` or `https` to a loopback host, without
/// user or password: where a delivery may go.
fn loopback(url: &str) -> Option<reqwest::Url> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let scheme_ok = matches!(parsed.scheme(), "http" | "https");
    let no_user = parsed.username().is_empty() && parsed.password().is_none();
    let host_ok = match parsed.host()? {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
    };
    (scheme_ok && no_user && host_ok).then_some(parsed)
}

/// `Authorization` for the subscription's `httpConfig`, if it has one.
fn authorization(config: &Value) -> Option<String> {
    match config.get("httpAuthenticationType").and_then(Value::as_str) {
        Some("BEARER_TOKEN") => {
            config.pointer("/bearerTokenAuthConfig/bearerToken").and_then(Value::as_str).map(|t| format!("Bearer {t}"))
        }
        Some("BASIC_AUTH") => {
            let user = config.pointer("/basicAuthConfig/userName").and_then(Value::as_str).unwrap_or_default();
            let password = config.pointer("/basicAuthConfig/password").and_then(Value::as_str).unwrap_or_default();
            use base64::Engine;
            Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))))
        }
        _ => None,
    }
}

/// Delivers `payload` (else the trigger's example) of `trigger_id` to its
/// subscriptions: every enabled one, or those of `only` whether enabled or
/// not (a test invocation). `base_url` is the tenant's, for callback URLs.
pub async fn deliver(
    tenant: &Arc<Tenant>,
    base_url: &str,
    trigger_id: &str,
    payload: Option<Value>,
    only: Option<&[String]>,
) -> Result<Vec<Delivered>, String> {
    let Some(Value::Object(payload)) = payload.or_else(|| example(trigger_id)) else {
        return Err(format!("no payload for {trigger_id}: give one (a JSON object)"));
    };
    let subscriptions: Vec<Value> = {
        let data = tenant.data.lock().unwrap_or_else(|e| e.into_inner());
        let all = data.items.get("trigger-subscriptions").map(|m| m.values().cloned().collect::<Vec<_>>()).unwrap_or_default();
        all.into_iter()
            .filter(|s| s.get("triggerId").and_then(Value::as_str) == Some(trigger_id))
            .filter(|s| s.get("type").and_then(Value::as_str).is_none_or(|t| t == "HTTP"))
            .filter(|s| match only {
                Some(ids) => s.get("id").and_then(Value::as_str).is_some_and(|id| ids.iter().any(|i| i == id)),
                None => s.get("enabled") != Some(&Value::Bool(false)),
            })
            .collect()
    };
    let kind = trigger_type(trigger_id);
    // No redirect and no proxy: a delivery goes to the subscriber's loopback address or nowhere.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for subscription in subscriptions {
        let subscription_id = subscription.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        let config = subscription.get("httpConfig").cloned().unwrap_or(Value::Null);
        let url = config.get("url").and_then(Value::as_str).unwrap_or_default().to_string();
        let Some(target) = loopback(&url) else {
            let body = format!("not sent: the mock delivers to http(s) loopback addresses only, not {url}");
            out.push(Delivered { subscription_id, invocation_id: None, status: 0, body });
            continue;
        };
        let mut metadata = Map::new();
        metadata.insert("triggerId".into(), json!(trigger_id));
        let mut invocation_id = None;
        let mode = config.get("httpDispatchMode").and_then(Value::as_str).unwrap_or("SYNC").to_ascii_lowercase();
        match kind {
            TriggerType::FireAndForget => {
                metadata.insert("triggerType".into(), json!("fireAndForget"));
            }
            TriggerType::RequestResponse => {
                let id = tenant.new_id();
                let secret = tenant.new_id();
                tenant.invocations.lock().unwrap_or_else(|e| e.into_inner()).insert(
                    id.clone(),
                    Invocation { trigger_id: trigger_id.to_string(), secret: secret.clone(), completed: false },
                );
                metadata.insert("triggerType".into(), json!("requestResponse"));
                metadata.insert("responseMode".into(), json!(mode));
                metadata.insert("invocationId".into(), json!(id));
                metadata.insert("secret".into(), json!(secret));
                metadata.insert("callbackURL".into(), json!(format!("{base_url}/beta/trigger-invocations/{id}/complete")));
                invocation_id = Some(id);
            }
        }
        let mut body = payload.clone();
        body.insert("_metadata".into(), Value::Object(metadata));
        let mut request = http.post(target).json(&body);
        if let Some(auth) = authorization(&config) {
            request = request.header(header::AUTHORIZATION, auth);
        }
        let (status, text) = match request.send().await {
            Ok(response) => (response.status().as_u16(), response.text().await.unwrap_or_default()),
            Err(e) => (0, format!("not delivered: {e}")),
        };
        // A 200 is the answer in SYNC mode, and in DYNAMIC mode (where a 202 defers it).
        if let (TriggerType::RequestResponse, "sync" | "dynamic", 200, Some(id)) = (kind, mode.as_str(), status, &invocation_id) {
            let output = serde_json::from_str::<Value>(&text).unwrap_or(Value::Null);
            record(tenant, id, json!({"invocationId": id, "triggerId": trigger_id, "mode": "sync", "output": output}));
        }
        out.push(Delivered { subscription_id, invocation_id, status, body: text });
    }
    Ok(out)
}

fn record(tenant: &Tenant, invocation_id: &str, completion: Value) {
    if let Some(invocation) = tenant.invocations.lock().unwrap_or_else(|e| e.into_inner()).get_mut(invocation_id) {
        invocation.completed = true;
    }
    tenant.completions.lock().unwrap_or_else(|e| e.into_inner()).push(completion);
}

/// The tenant's own URL, as the request reached it.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// `POST /{version}/trigger-invocations/{id}/complete`: `{secret, output, error?}`.
pub async fn complete(State(t): State<Arc<Tenant>>, Path((_, id)): Path<(String, String)>, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The request body must be a JSON object.");
    };
    let trigger_id = {
        let invocations = t.invocations.lock().unwrap_or_else(|e| e.into_inner());
        let Some(invocation) = invocations.get(&id) else { return not_found("trigger invocation", &id) };
        if body.get("secret").and_then(Value::as_str) != Some(invocation.secret.as_str()) {
            return bad_request("The invocation secret does not match.");
        }
        if invocation.completed {
            return bad_request("The invocation is completed already.");
        }
        if !body.get("output").is_some_and(Value::is_object) {
            return bad_request("`output` is required and must be an object.");
        }
        invocation.trigger_id.clone()
    };
    let mut completion = json!({"invocationId": id, "triggerId": trigger_id, "mode": "async", "output": body["output"]});
    if let Some(error) = body.get("error") {
        completion["error"] = error.clone();
    }
    record(&t, &id, completion);
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /{version}/trigger-invocations/test`: `{triggerId, input?, contentJson, subscriptionIds?}`.
pub async fn test_invocation(State(t): State<Arc<Tenant>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return bad_request("The request body is not valid JSON.") };
    let Some(trigger_id) = body.get("triggerId").and_then(Value::as_str) else {
        return bad_request("`triggerId` is required.");
    };
    let only: Vec<String> = match body.get("subscriptionIds").and_then(Value::as_array) {
        Some(ids) => ids.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        None => {
            let data = t.data.lock().unwrap_or_else(|e| e.into_inner());
            let all = data.items.get("trigger-subscriptions");
            all.into_iter()
                .flat_map(|m| m.values())
                .filter(|s| s.get("triggerId").and_then(Value::as_str) == Some(trigger_id))
                .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        }
    };
    match deliver(&t, &base_url(&headers), trigger_id, body.get("input").cloned(), Some(&only)).await {
        Err(why) => bad_request(why),
        Ok(delivered) if delivered.is_empty() => StatusCode::NO_CONTENT.into_response(),
        Ok(delivered) => {
            let secrets = t.invocations.lock().unwrap_or_else(|e| e.into_inner());
            let invocations: Vec<Value> = delivered
                .iter()
                .map(|d| {
                    let id = d.invocation_id.clone().unwrap_or_else(|| t.new_id());
                    let secret = d.invocation_id.as_ref().and_then(|i| secrets.get(i)).map(|i| i.secret.clone());
                    json!({"id": id, "triggerId": trigger_id, "secret": secret, "contentJson": body.get("contentJson").cloned().unwrap_or(json!({}))})
                })
                .collect();
            Json(invocations).into_response()
        }
    }
}

/// `POST /mock/triggers/fire` (mock only, no token): `{triggerId, payload?}`;
/// answers what each delivery did.
pub async fn fire(State(t): State<Arc<Tenant>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return bad_request("The request body is not valid JSON.") };
    let Some(trigger_id) = body.get("triggerId").and_then(Value::as_str) else {
        return bad_request("`triggerId` is required.");
    };
    match deliver(&t, &base_url(&headers), trigger_id, body.get("payload").cloned(), None).await {
        Ok(delivered) => Json(delivered).into_response(),
        Err(why) => bad_request(why),
    }
}

/// `GET /mock/triggers/completions` (mock only): every answer recorded.
pub async fn completions(State(t): State<Arc<Tenant>>) -> Response {
    Json(t.completions.lock().unwrap_or_else(|e| e.into_inner()).clone()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_go_to_loopback_only_with_the_subscription_credentials() {
        for ok in
            ["http://127.0.0.1:8080/events", "http://localhost/x", "HTTP://LOCALHOST/x", "http://[::1]:9/x", "https://127.0.0.2/"]
        {
            assert!(loopback(ok).is_some(), "{ok}");
        }
        for refused in [
            "https://example.com/events",
            "http://127.0.0.1.example.com/",
            "ftp://127.0.0.1/",
            "http://user@evil.example/",
            "http://user@127.0.0.1/",
            "http://evil.example\\@127.0.0.1/events",
            "http://evil.example%5C@127.0.0.1/events",
            "http://evil.example\t@127.0.0.1/",
            "not a url",
        ] {
            assert!(loopback(refused).is_none(), "{refused}");
        }
        let bearer = json!({"httpAuthenticationType": "BEARER_TOKEN", "bearerTokenAuthConfig": {"bearerToken": "t"}});
        assert_eq!(authorization(&bearer).as_deref(), Some("Bearer t"));
        let basic = json!({"httpAuthenticationType": "BASIC_AUTH", "basicAuthConfig": {"userName": "isc", "password": "pw"}});
        assert_eq!(authorization(&basic).as_deref(), Some("Basic aXNjOnB3"));
        assert_eq!(authorization(&json!({"httpAuthenticationType": "NO_AUTH"})), None);
        assert!(example("idn:access-request-dynamic-approver").is_some_and(|e| e.is_object()));
        assert_eq!(trigger_type("idn:access-request-dynamic-approver"), TriggerType::RequestResponse);
    }
}
