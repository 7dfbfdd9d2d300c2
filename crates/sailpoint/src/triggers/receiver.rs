//! [`Receiver`]: the HTTP endpoint a trigger subscription points at.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::{Trigger, TriggerType};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
/// A handler's work for one event, once its payload has been read: the
/// answer as JSON (`null` for a fire-and-forget trigger).
type Prepared = BoxFuture<Result<Value, BoxError>>;
/// A handler: reads the payload as its type, or says why it cannot.
type Handler = Arc<dyn Fn(Value, Delivery<()>) -> Result<Prepared, serde_json::Error> + Send + Sync>;

/// The default limit of a delivered body: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// One delivered event, as a handler receives it: the payload, and what
/// ISC said of the delivery in `_metadata` (never its secret).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery<T> {
    /// The payload: the trigger's payload type, or the JSON object for
    /// [`ReceiverBuilder::fallback`].
    pub payload: T,
    /// The trigger id (`_metadata.triggerId`, else the receiver's
    /// [`default_trigger`](ReceiverBuilder::default_trigger)).
    pub trigger_id: Option<String>,
    /// The invocation's id, for a request-response event.
    pub invocation_id: Option<String>,
    /// How ISC waits for the answer, for a request-response event.
    pub response_mode: Option<ResponseMode>,
}

impl<T> Delivery<T> {
    fn with<U>(self, payload: U) -> Delivery<U> {
        Delivery { payload, trigger_id: self.trigger_id, invocation_id: self.invocation_id, response_mode: self.response_mode }
    }
}

/// How a request-response subscription takes its answer
/// (`_metadata.responseMode`; the subscription's `httpDispatchMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// The answer is the response, within 10 seconds.
    Sync,
    /// A `200 {}` within 10 seconds, then the answer through the
    /// invocation API before the subscription's deadline.
    Async,
    /// Either; the receiver answers as [`Async`](Self::Async) does, with a `202`.
    Dynamic,
}

impl ResponseMode {
    fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "sync" => Some(Self::Sync),
            "async" => Some(Self::Async),
            "dynamic" => Some(Self::Dynamic),
            _ => None,
        }
    }
}

/// How the subscription authenticates the tenant to the receiver.
enum Auth {
    /// `NO_AUTH`: anyone who can reach the receiver may deliver.
    None,
    /// The `Authorization` expected: its scheme (`Basic`, `Bearer`;
    /// compared without case, as HTTP says) and its credentials (compared
    /// in constant time).
    Header(&'static str, SecretBox<[u8]>),
}

/// Receives the events of trigger subscriptions: a [`tower_service::Service`]
/// over `http` types, to mount in any server that hosts one (axum, hyper…).
///
/// For each `POST`, in this order, with nothing dispatched on a refusal:
/// - the subscription's credentials (Basic or Bearer), compared in
///   constant time: `401` when they do not match;
/// - the body's size: `413` above [`max_body`](ReceiverBuilder::max_body);
/// - the body: `400` unless it is a JSON object;
/// - the handler of its trigger (by `_metadata.triggerId`), else the
///   fallback: `501` when there is neither; `400` when the payload does
///   not read as the trigger's type and there is no fallback to take it.
///
/// Then, by trigger type and response mode:
/// - fire and forget: `200` at once, the handler runs afterwards (ISC's
///   10-second acknowledgement never waits for it);
/// - request-response, `SYNC` (or no mode): the handler's answer as the
///   `200` body; `500` for that event alone if the handler fails or panics;
/// - `ASYNC`: `200 {}` at once, `DYNAMIC`: `202 {}` at once; then the
///   handler runs and its answer (or its error) completes the invocation
///   through the `triggers` service (`POST /trigger-invocations/v1/{id}/complete`)
///   with the invocation's secret, as any call of the client, retried.
///
/// Each handler is called at most once per delivery. Neither the
/// credentials nor an invocation's secret is ever logged or given to a
/// handler.
///
/// ```no_run
/// use sailpoint::Client;
/// use sailpoint::services::triggers::types::{AccessRequestDynamicApprover, Accessrequestdynamicapprover2};
/// use sailpoint::services::triggers::types::IdentityCreated;
/// use sailpoint::triggers::{Delivery, Receiver};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder().from_env().build()?;
/// let receiver = Receiver::builder()
///     .bearer_token(std::env::var("SUBSCRIPTION_TOKEN")?)
///     .completions(&client)
///     .on(|event: Delivery<IdentityCreated>| async move {
///         println!("identity {} created", event.payload.identity.name);
///         Ok::<_, std::io::Error>(())
///     })
///     .on(|event: Delivery<AccessRequestDynamicApprover>| async move {
///         let _ = event.payload.access_request_id;
///         Ok::<Option<Accessrequestdynamicapprover2>, std::io::Error>(None) // no extra approver
///     })
///     .build();
/// let app = axum::Router::new().route_service("/events", receiver);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    auth: Auth,
    max_body: usize,
    handlers: HashMap<String, (TriggerType, Handler)>,
    fallback: Option<Handler>,
    default_trigger: Option<String>,
    completions: Option<sailpoint_triggers::Client>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut triggers: Vec<&str> = self.inner.handlers.keys().map(String::as_str).collect();
        triggers.sort_unstable();
        f.debug_struct("Receiver")
            .field("authenticated", &matches!(self.inner.auth, Auth::Header(..)))
            .field("max_body", &self.inner.max_body)
            .field("triggers", &triggers)
            .field("fallback", &self.inner.fallback.is_some())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Receiver`].
pub struct ReceiverBuilder {
    inner: Inner,
}

impl Receiver {
    /// A receiver with no handler, that takes no delivery until it is told
    /// the subscription's credentials (or [`no_auth`](ReceiverBuilder::no_auth)).
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder {
            inner: Inner {
                auth: Auth::Header("Bearer", SecretBox::new(Box::default())),
                max_body: DEFAULT_MAX_BODY,
                handlers: HashMap::new(),
                fallback: None,
                default_trigger: None,
                completions: None,
            },
        }
    }
}

impl ReceiverBuilder {
    /// A `BEARER_TOKEN` subscription: `Authorization: Bearer <token>`.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.inner.auth = expected("Bearer", token.into());
        self
    }

    /// A `BASIC_AUTH` subscription: `Authorization: Basic <user:password>`.
    pub fn basic_auth(mut self, user: impl AsRef<str>, password: impl AsRef<str>) -> Self {
        use base64::Engine;
        let pair = format!("{}:{}", user.as_ref(), password.as_ref());
        self.inner.auth = expected("Basic", base64::engine::general_purpose::STANDARD.encode(pair));
        self
    }

    /// A `NO_AUTH` subscription: any delivery is taken. Only behind
    /// something that authenticates the tenant otherwise.
    pub fn no_auth(mut self) -> Self {
        self.inner.auth = Auth::None;
        self
    }

    /// The largest body taken (default [`DEFAULT_MAX_BODY`]); a larger one is a `413`.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.inner.max_body = bytes;
        self
    }

    /// The trigger of a delivery that has no `_metadata.triggerId` (a
    /// receiver mounted at a URL of one subscription).
    pub fn default_trigger(mut self, trigger_id: impl Into<String>) -> Self {
        self.inner.default_trigger = Some(trigger_id.into());
        self
    }

    /// The client that completes `ASYNC` and `DYNAMIC` invocations, through
    /// its `triggers` service.
    pub fn completions(mut self, client: &crate::Client) -> Self {
        self.inner.completions = Some(client.triggers().clone());
        self
    }

    /// The handler of the trigger that delivers `T` (a payload type of an
    /// `events` module: `T::ID` is the trigger). Its `Ok` is the answer of a
    /// request-response trigger (`()` for a fire-and-forget one); its `Err`
    /// fails that event alone. A second handler for a trigger replaces the first.
    pub fn on<T, F, Fut, E>(mut self, handler: F) -> Self
    where
        T: Trigger,
        F: Fn(Delivery<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T::Answer, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let handler = Arc::new(handler);
        let handler: Handler = Arc::new(move |payload: Value, delivery: Delivery<()>| {
            let typed = T::deserialize(&payload)?;
            let handler = handler.clone();
            // The user's code runs inside the future, on the task the receiver spawns.
            Ok(Box::pin(async move {
                let answer = handler(delivery.with(typed)).await.map_err(Into::into)?;
                Ok(serde_json::to_value(answer)?)
            }) as Prepared)
        });
        self.inner.handlers.insert(T::ID.to_string(), (T::TYPE, handler));
        self
    }

    /// The handler of every delivery no [`on`](Self::on) handler takes (an
    /// unknown trigger, or a payload its type does not read), with the JSON
    /// object as delivered. Its `Ok` is the answer of a request-response
    /// event.
    pub fn fallback<F, Fut, E>(mut self, handler: F) -> Self
    where
        F: Fn(Delivery<Map<String, Value>>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let handler = Arc::new(handler);
        self.inner.fallback = Some(Arc::new(move |payload: Value, delivery: Delivery<()>| {
            // The receiver dispatches objects only; anything else would be kept whole under `value`.
            let object = match payload {
                Value::Object(object) => object,
                other => Map::from_iter([("value".to_string(), other)]),
            };
            let handler = handler.clone();
            Ok(Box::pin(async move { handler(delivery.with(object)).await.map_err(Into::into) }) as Prepared)
        }));
        self
    }

    /// The receiver.
    pub fn build(self) -> Receiver {
        Receiver { inner: Arc::new(self.inner) }
    }
}

fn expected(scheme: &'static str, credentials: String) -> Auth {
    Auth::Header(scheme, SecretBox::new(credentials.into_bytes().into_boxed_slice()))
}

/// What `_metadata` says, every key optional.
#[derive(Default)]
struct Metadata {
    trigger_id: Option<String>,
    trigger_type: Option<String>,
    response_mode: Option<String>,
    invocation_id: Option<String>,
    callback_url: Option<String>,
    secret: Option<SecretString>,
}

impl Metadata {
    fn read(value: Option<Value>) -> Self {
        let Some(Value::Object(m)) = value else { return Self::default() };
        let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        Self {
            trigger_id: text("triggerId"),
            trigger_type: text("triggerType"),
            response_mode: text("responseMode"),
            invocation_id: text("invocationId"),
            callback_url: text("callbackURL"),
            secret: text("secret").map(SecretString::from),
        }
    }

    /// The invocation id: `invocationId`, else the segment before
    /// `/complete` in `callbackURL`.
    /// Only letters, digits, `-` and `_`: the id goes into a path.
    fn invocation(&self) -> Option<String> {
        let id = self.invocation_id.clone().or_else(|| {
            let path = self.callback_url.as_deref()?.split(['?', '#']).next()?;
            let mut segments = path.trim_end_matches('/').rsplit('/');
            (segments.next()? == "complete").then(|| segments.next().map(str::to_string)).flatten()
        })?;
        let plain = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plain.then_some(id)
    }
}

fn json(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn refuse(status: StatusCode, why: &str) -> Response<Full<Bytes>> {
    json(status, serde_json::json!({ "error": why }))
}

impl Inner {
    fn authorized(&self, headers: &http::HeaderMap) -> bool {
        match &self.auth {
            Auth::None => true,
            Auth::Header(scheme, expected) => {
                let given = headers.get(header::AUTHORIZATION).map(HeaderValue::as_bytes).unwrap_or_default();
                let (given_scheme, given) = match given.iter().position(|b| *b == b' ') {
                    Some(space) => (&given[..space], &given[space + 1..]),
                    None => (given, &[][..]),
                };
                let expected = expected.expose_secret();
                given_scheme.eq_ignore_ascii_case(scheme.as_bytes()) && !expected.is_empty() && bool::from(given.ct_eq(expected))
            }
        }
    }

    async fn handle<B>(self: Arc<Self>, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        if request.method() != Method::POST {
            return refuse(StatusCode::METHOD_NOT_ALLOWED, "deliveries are POSTed");
        }
        if !self.authorized(request.headers()) {
            return refuse(StatusCode::UNAUTHORIZED, "the credentials do not match the subscription's");
        }
        let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_body as u64) {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the body is larger than the receiver takes");
        }
        let body = match Limited::new(request.into_body(), self.max_body).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => {
                return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the body is larger than the receiver takes");
            }
            Err(_) => return refuse(StatusCode::BAD_REQUEST, "the body could not be read"),
        };
        let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(&body) else {
            return refuse(StatusCode::BAD_REQUEST, "the body is not a JSON object");
        };
        let meta = Metadata::read(object.remove("_metadata"));
        let trigger_id = meta.trigger_id.clone().or_else(|| self.default_trigger.clone());
        let response_mode = meta.response_mode.as_deref().and_then(ResponseMode::parse);
        let delivery = Delivery { payload: (), trigger_id: trigger_id.clone(), invocation_id: meta.invocation(), response_mode };
        let registered = trigger_id.as_deref().and_then(|id| self.handlers.get(id));
        if registered.is_none() && self.fallback.is_none() {
            return refuse(StatusCode::NOT_IMPLEMENTED, "no handler for this trigger");
        }
        let request_response = match registered {
            Some((kind, _)) => *kind == TriggerType::RequestResponse,
            None => {
                meta.response_mode.is_some()
                    || meta.secret.is_some()
                    || meta
                        .trigger_type
                        .as_deref()
                        .is_some_and(|t| t.eq_ignore_ascii_case("requestResponse") || t == "REQUEST_RESPONSE")
            }
        };
        let trigger = trigger_id.clone().unwrap_or_default();
        if meta.response_mode.is_some() && response_mode.is_none() {
            tracing::warn!(trigger, mode = meta.response_mode.as_deref(), "unknown response mode: answered as SYNC");
        }
        // What an asynchronous answer needs, checked before any handler is called.
        let deferred = match response_mode {
            Some(mode @ (ResponseMode::Async | ResponseMode::Dynamic)) if request_response => {
                let (Some(client), Some(invocation), Some(secret)) = (self.completions.clone(), meta.invocation(), meta.secret)
                else {
                    tracing::warn!(trigger, "asynchronous event without a client, an invocation id or a secret to complete it");
                    return refuse(StatusCode::INTERNAL_SERVER_ERROR, "the receiver cannot complete this invocation");
                };
                Some((mode, client, invocation, secret))
            }
            _ => None,
        };
        let payload = Value::Object(object);
        let prepared = match registered.map(|(_, handler)| handler(payload.clone(), delivery.clone())) {
            Some(Ok(prepared)) => prepared,
            unread => {
                if let Some(Err(e)) = &unread {
                    tracing::warn!(trigger, error = %e, "event payload does not read as its trigger's type");
                }
                match self.fallback.as_ref().map(|fallback| fallback(payload, delivery)) {
                    Some(Ok(prepared)) => prepared,
                    _ => return refuse(StatusCode::BAD_REQUEST, "the payload does not read as its trigger's"),
                }
            }
        };
        if !request_response {
            tokio::spawn(run_logged(trigger, prepared));
            return Response::new(Full::new(Bytes::new()));
        }
        if let Some((mode, client, invocation, secret)) = deferred {
            tokio::spawn(complete(client, trigger, invocation, secret, prepared));
            let status = if mode == ResponseMode::Dynamic { StatusCode::ACCEPTED } else { StatusCode::OK };
            return json(status, Value::Object(Map::new()));
        }
        match tokio::spawn(prepared).await {
            Ok(Ok(answer)) => match answer_object(answer) {
                Ok(answer) => json(StatusCode::OK, Value::Object(answer)),
                Err(why) => {
                    tracing::warn!(trigger, "{why}");
                    refuse(StatusCode::INTERNAL_SERVER_ERROR, "the handler failed")
                }
            },
            Ok(Err(e)) => {
                tracing::warn!(trigger, error = %e, "event handler failed");
                refuse(StatusCode::INTERNAL_SERVER_ERROR, "the handler failed")
            }
            Err(_) => {
                tracing::warn!(trigger, "event handler panicked");
                refuse(StatusCode::INTERNAL_SERVER_ERROR, "the handler failed")
            }
        }
    }
}

/// An answer as ISC takes it: a JSON object; `null` (no answer, such as
/// no extra approver) is `{}`.
fn answer_object(answer: Value) -> Result<Map<String, Value>, &'static str> {
    match answer {
        Value::Object(answer) => Ok(answer),
        Value::Null => Ok(Map::new()),
        _ => Err("the subscriber's answer is not a JSON object"),
    }
}

/// Runs a fire-and-forget handler, logging its failure or panic.
async fn run_logged(trigger: String, prepared: Prepared) {
    match tokio::spawn(prepared).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(trigger, error = %e, "event handler failed"),
        Err(_) => tracing::warn!(trigger, "event handler panicked"),
    }
}

/// Runs a request-response handler, then completes the invocation with its
/// answer (an object; `null` is `{}`), or with its error.
async fn complete(
    client: sailpoint_triggers::Client,
    trigger: String,
    invocation: String,
    secret: SecretString,
    prepared: Prepared,
) {
    let (output, error) = match tokio::spawn(prepared).await {
        Ok(Ok(answer)) => match answer_object(answer) {
            Ok(answer) => (answer, None),
            Err(why) => (Map::new(), Some(why.to_string())),
        },
        Ok(Err(e)) => {
            tracing::warn!(trigger, error = %e, "event handler failed");
            (Map::new(), Some(format!("the subscriber's handler failed: {e}")))
        }
        Err(_) => {
            tracing::warn!(trigger, "event handler panicked");
            (Map::new(), Some("the subscriber's handler failed".to_string()))
        }
    };
    let body = sailpoint_triggers::types::CompleteInvocation { error, output, secret: secret.expose_secret().to_string() };
    // The secret makes a second completion harmless (ISC refuses it): the
    // call is retried as a replayable one, after a 5xx or a broken connection too.
    let options = crate::CallOptions::new().replay_safe(true);
    let call = client.complete_trigger_invocation_v1().id(invocation).body(body).with_options(options);
    if let Err(e) = call.send().await {
        tracing::warn!(trigger, error = %e, "completing the invocation failed");
    }
}

impl<B> tower_service::Service<Request<B>> for Receiver
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let inner = self.inner.clone();
        Box::pin(async move { Ok(inner.handle(request).await) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invocation_id_comes_from_metadata_or_the_callback_url() {
        let meta = |v: Value| Metadata::read(Some(v));
        let url = "https://acme.api.identitynow.com/beta/trigger-invocations/e9103ca9-02c4-47c7-b1a2-a3b0c3a1e9c1/complete";
        assert_eq!(
            meta(serde_json::json!({"callbackURL": url})).invocation().as_deref(),
            Some("e9103ca9-02c4-47c7-b1a2-a3b0c3a1e9c1")
        );
        assert_eq!(meta(serde_json::json!({"invocationId": "i", "callbackURL": url})).invocation().as_deref(), Some("i"));
        assert_eq!(meta(serde_json::json!({"callbackURL": "https://x/other"})).invocation(), None);
        assert_eq!(Metadata::read(Some(Value::Null)).invocation(), None);
        for unsafe_id in ["..", "", "a/b", "x?y"] {
            assert_eq!(meta(serde_json::json!({"invocationId": unsafe_id})).invocation(), None, "{unsafe_id:?} goes into a path");
        }
        assert_eq!(ResponseMode::parse("ASYNC"), Some(ResponseMode::Async));
    }

    #[test]
    fn credentials_are_compared_whole_and_never_printed() {
        let receiver = Receiver::builder().bearer_token("s3cret-token").build();
        let mut headers = http::HeaderMap::new();
        assert!(!receiver.inner.authorized(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer s3cret-token"));
        assert!(receiver.inner.authorized(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer s3cret-toke"));
        assert!(!receiver.inner.authorized(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer s3cret-token"));
        assert!(receiver.inner.authorized(&headers), "the scheme without case");
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic s3cret-token"));
        assert!(!receiver.inner.authorized(&headers), "another scheme");
        assert!(!format!("{receiver:?}").contains("s3cret"));
        let unset = Receiver::builder().build();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static(""));
        assert!(!unset.inner.authorized(&headers), "no credentials told: nothing is taken");
        let basic = Receiver::builder().basic_auth("isc", "pw").build();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic aXNjOnB3"));
        assert!(basic.inner.authorized(&headers));
    }
}
