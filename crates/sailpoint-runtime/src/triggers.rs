//! Event triggers: what the generated `events` modules are made of.
//!
//! ISC delivers an event of a trigger (`idn:identity-created`) to each
//! subscriber as an HTTP `POST` of its payload. A crate whose API describes
//! triggers (the year versions from beta on, and the `triggers` service)
//! has an `events` module, generated from the spec, with:
//! - `Event`, one variant per trigger holding its typed payload, read by
//!   trigger id ([`Events::decode`]); an unknown trigger, or a payload its
//!   type does not read, is `Event::Other` with the JSON as delivered;
//! - `TRIGGERS`, the triggers it describes ([`TriggerInfo`]);
//! - for each payload type, the [`Trigger`] that delivers it, with its
//!   answer type when ISC waits for one.
//!
//! ```
//! use sailpoint_runtime::triggers::{OtherEvent, TriggerType};
//! let other = OtherEvent::unknown("idn:new-trigger", serde_json::json!({"id": "1"}));
//! assert_eq!(other.trigger_id(), Some("idn:new-trigger"));
//! assert_eq!(other.payload()["id"], "1");
//! assert_eq!(TriggerType::RequestResponse.as_str(), "REQUEST_RESPONSE");
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Whether ISC waits for the subscriber's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerType {
    /// ISC only notifies (`FIRE_AND_FORGET`); it does not resend.
    FireAndForget,
    /// ISC waits for an answer (`REQUEST_RESPONSE`), such as an approval
    /// decision; one subscription per trigger.
    RequestResponse,
}

impl TriggerType {
    /// The name the API gives it: `FIRE_AND_FORGET` or `REQUEST_RESPONSE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FireAndForget => "FIRE_AND_FORGET",
            Self::RequestResponse => "REQUEST_RESPONSE",
        }
    }
}

impl std::fmt::Display for TriggerType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One trigger an API describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriggerInfo {
    /// Its id (`idn:identity-created`): what a subscription names and what
    /// a delivery's `_metadata.triggerId` says.
    pub id: &'static str,
    /// Its name in the spec (`Identity created`).
    pub name: &'static str,
    /// Whether ISC waits for an answer.
    pub trigger_type: TriggerType,
    /// Whether the id is in the spec's table of available triggers (the
    /// `Triggers` tag). The spec gives no id for the others; theirs is
    /// made from the payload's name, or taken from this SDK's
    /// `openapi/trigger-ids.toml`.
    pub id_in_spec: bool,
}

/// A payload type and the trigger that delivers it.
pub trait Trigger: Serialize + DeserializeOwned + Send + 'static {
    /// The trigger's id.
    const ID: &'static str;
    /// Whether ISC waits for an answer.
    const TYPE: TriggerType;
    /// The answer ISC waits for; `()` for a fire-and-forget trigger.
    type Answer: Serialize + DeserializeOwned + Send + 'static;
}

/// The events one API describes: its generated `events::Event`.
pub trait Events: Sized + Send + 'static {
    /// The triggers it describes.
    const TRIGGERS: &'static [TriggerInfo];

    /// The event of trigger `trigger_id` carrying `payload` (the delivered
    /// object; its `_metadata` is dropped). Never fails: an unknown
    /// trigger, or a payload its type does not read, is the `Other` variant.
    fn decode(trigger_id: &str, payload: Value) -> Self;

    /// The trigger id, as given to [`decode`](Self::decode).
    fn trigger_id(&self) -> Option<&str>;

    /// Whether ISC waits for an answer; `None` for an unknown trigger.
    fn trigger_type(&self) -> Option<TriggerType>;

    /// The payload as JSON again: the typed payload written back, with the
    /// fields its type does not name; an `Other` event's JSON as delivered.
    fn to_json(&self) -> serde_json::Result<Value>;

    /// The `Other` variant's event, if it is one.
    fn as_other(&self) -> Option<&OtherEvent>;
}

/// An event the generated types do not read: a trigger the API does not
/// describe, or a payload that its trigger's type does not read (then
/// [`error`](Self::error) says why). Nothing of it is lost.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherEvent {
    trigger_id: Option<String>,
    payload: Value,
    error: Option<String>,
}

impl OtherEvent {
    /// An event of a trigger the API does not describe. A `_metadata` key
    /// (the delivery's, with the invocation's secret) is dropped: it is not
    /// part of the payload.
    pub fn unknown(trigger_id: &str, payload: Value) -> Self {
        let payload = without_metadata(payload);
        Self { trigger_id: Some(trigger_id.to_string()).filter(|id| !id.is_empty()), payload, error: None }
    }

    /// The trigger id it was delivered with; `None` when there was none.
    pub fn trigger_id(&self) -> Option<&str> {
        self.trigger_id.as_deref()
    }

    /// The payload, as delivered.
    pub fn payload(&self) -> &Value {
        &self.payload
    }

    /// The payload, as delivered.
    pub fn into_payload(self) -> Value {
        self.payload
    }

    /// Why the trigger's payload type did not read it, when the trigger is
    /// known.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// `payload` without its `_metadata` key, which a delivery carries beside
/// the payload (with the invocation's secret): an event never holds it.
fn without_metadata(mut payload: Value) -> Value {
    if let Value::Object(object) = &mut payload {
        object.remove("_metadata");
    }
    payload
}

/// `payload` (without `_metadata`) as `T`, else the `OtherEvent` that keeps
/// it with the reason.
#[doc(hidden)]
pub fn read_payload<T: DeserializeOwned>(trigger_id: &str, payload: Value) -> Result<T, OtherEvent> {
    let payload = without_metadata(payload);
    match T::deserialize(&payload) {
        Ok(typed) => Ok(typed),
        Err(e) => Err(OtherEvent { trigger_id: Some(trigger_id.to_string()), payload, error: Some(e.to_string()) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Payload {
        id: String,
    }

    #[test]
    fn a_payload_its_type_does_not_read_is_kept_with_the_reason() {
        let typed: Payload = read_payload("idn:x", json!({"id": "1"})).unwrap();
        assert_eq!(typed.id, "1");
        let other = read_payload::<Payload>("idn:x", json!({"id": 1, "more": true})).unwrap_err();
        assert_eq!(other.trigger_id(), Some("idn:x"));
        assert_eq!(other.payload(), &json!({"id": 1, "more": true}));
        assert!(other.error().is_some_and(|e| e.contains("invalid type")), "{other:?}");
        assert_eq!(OtherEvent::unknown("", json!({})).trigger_id(), None);
        let delivered = json!({"id": "1", "_metadata": {"secret": "s3cret"}});
        assert_eq!(OtherEvent::unknown("idn:x", delivered.clone()).payload(), &json!({"id": "1"}));
        let typed: Payload = read_payload("idn:x", delivered).unwrap();
        assert_eq!(typed.id, "1");
        let other = read_payload::<Payload>("idn:x", json!({"_metadata": {"secret": "s3cret"}})).unwrap_err();
        assert!(!format!("{other:?}").contains("s3cret"), "the secret never reaches an event");
    }
}
