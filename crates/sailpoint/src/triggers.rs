//! Event triggers: the events ISC pushes to a service of yours, typed.
//!
//! Each API that describes event triggers has an `events` module generated
//! from its spec: the year versions from beta on (`sailpoint::v2024::events`)
//! and the `triggers` service (`sailpoint::services::triggers::events`). Its
//! `Event` has one variant per trigger, holding the trigger's payload type,
//! and reads a delivered payload by trigger id ([`Events::decode`]). An
//! unknown trigger, or a payload its type does not read, is `Event::Other`
//! with the JSON as delivered: an event is never lost. Unknown fields of a
//! payload are kept, and written back by [`Events::to_json`].
//!
//! Each payload type also implements [`Trigger`]: its trigger's id, type,
//! and the answer a request-response trigger waits for.
//!
//! With the feature `trigger-receiver`, `Receiver` is the endpoint a
//! subscription points at: a `tower::Service` that checks the
//! subscription's credentials, dispatches each event to its handler and
//! answers ISC in each response mode.
//!
//! ```
//! use sailpoint::triggers::{Events, Trigger, TriggerType};
//! use sailpoint::v2024::events::Event;
//! use sailpoint::v2024::types::{AccessRequestPreApproval, IdentityCreated};
//!
//! let payload = serde_json::json!({
//!     "identity": {"id": "2c9180835d2e5168015d32f890ca1581", "name": "Ada Lovelace", "type": "IDENTITY"},
//!     "attributes": {"department": "Engineering"},
//!     "addedLater": true
//! });
//! let event = Event::decode("idn:identity-created", payload.clone());
//! let Event::IdentityCreated(created) = &event else { panic!("{event:?}") };
//! assert_eq!(created.identity.name, "Ada Lovelace");
//! assert_eq!(event.trigger_type(), Some(TriggerType::FireAndForget));
//! assert_eq!(event.to_json()?, payload, "every field, the unknown one too");
//!
//! assert_eq!(IdentityCreated::ID, "idn:identity-created");
//! assert_eq!(AccessRequestPreApproval::TYPE, TriggerType::RequestResponse);
//!
//! let unknown = Event::decode("idn:added-next-year", serde_json::json!({"id": "1"}));
//! assert_eq!(unknown.as_other().and_then(|o| o.trigger_id()), Some("idn:added-next-year"));
//! # Ok::<(), serde_json::Error>(())
//! ```

pub use sailpoint_runtime::triggers::{Events, OtherEvent, Trigger, TriggerInfo, TriggerType};

#[cfg(feature = "trigger-receiver")]
mod receiver;
#[cfg(feature = "trigger-receiver")]
pub use receiver::{DEFAULT_MAX_BODY, Delivery, Receiver, ReceiverBuilder, ResponseMode};
