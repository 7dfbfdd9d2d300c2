//! What the generated call tables (`tests/tests/generated/contract_calls_*.rs`)
//! are made of, and running them through the recording proxy.

use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;

use sailpoint_runtime::ErrorKind;

use crate::proxy::{Exchange, Proxy};

pub type CallFuture<'a> = Pin<Box<dyn Future<Output = Result<(), CallError>> + Send + 'a>>;

/// One operation called with spec-valid arguments.
pub struct Call<C: 'static> {
    pub operation_id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// The JSON body the call sends (the spec's example, or one built from its schema).
    pub body: Option<&'static str>,
    /// `body` is the spec's own request example (not one made from the schema).
    pub body_is_spec_example: bool,
    pub call: for<'a> fn(&'a C) -> CallFuture<'a>,
    /// The same call with a body built from the schema, for when the spec's
    /// request example breaks the schema.
    pub fallback: Option<Fallback<C>>,
}

pub struct Fallback<C: 'static> {
    pub call: for<'a> fn(&'a C) -> CallFuture<'a>,
}

#[derive(Debug)]
pub enum CallError {
    /// The SDK's error (transport, status, decoding).
    Sdk(sailpoint_runtime::Error),
    /// The spec's request example does not decode into the SDK's body type.
    Example(String),
}

/// Any generated client's error, as the runtime's one error type.
pub fn sdk<E: Into<sailpoint_runtime::Error>>(e: E) -> CallError {
    CallError::Sdk(e.into())
}

/// The spec's request body example as the SDK's type.
pub fn example<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, CallError> {
    serde_json::from_str(json).map_err(|e| CallError::Example(e.to_string()))
}

/// A parameter value of a typed parameter (enum, date, ...). The generator
/// only writes values valid for the spec, so a failure is a generator bug.
pub fn parsed<T: std::str::FromStr>(value: &str) -> T
where
    T::Err: std::fmt::Display,
{
    value.parse().unwrap_or_else(|e| panic!("generated argument `{value}` is not a {}: {e}", std::any::type_name::<T>()))
}

/// How one call went.
#[derive(Debug)]
pub enum Verdict {
    /// Sent without a request violation, and the response decoded.
    Decoded,
    /// The spec's request example breaks its schema (Prism's reason); the
    /// body made from the schema was sent instead, and the response decoded.
    DecodedWithSchemaBody(String),
    /// The spec's response example did not decode (the reason), and an
    /// answer Prism made from the schema (`Prefer: dynamic=true`) did: the
    /// failure is the example's alone.
    DecodedSchemaAnswer(String),
    /// Prism refused the request body, sent exactly as the spec's example.
    RequestExampleBreaksSchema(String),
    /// The spec's request example does not decode into the SDK's body type.
    RequestExampleRefused(String),
    /// The response did not decode and Prism says its answer (the spec's
    /// example) breaks the spec's schema.
    ResponseExampleBreaksSchema(String),
    /// A defect of the spec itself, listed by the tests after reading it.
    SpecDefect(String),
    /// Prism refused the request body, which differs from the spec's example
    /// (the SDK's types leave out what they do not know): a failure unless
    /// the body made from the schema passes.
    BodyRefused(String),
    /// The response did not decode, and Prism found nothing wrong with it.
    DecodeFailed(String),
    /// Anything else: a request violation, an error status, a transport error.
    Failed(String),
}

impl Verdict {
    /// The SDK's fault, as far as these tests can tell.
    pub fn is_failure(&self) -> bool {
        matches!(self, Verdict::BodyRefused(_) | Verdict::DecodeFailed(_) | Verdict::Failed(_))
    }

    /// The call went through and the response decoded (maybe after a fallback).
    pub fn is_decoded(&self) -> bool {
        matches!(self, Verdict::Decoded | Verdict::DecodedWithSchemaBody(_) | Verdict::DecodedSchemaAnswer(_))
    }
}

pub struct Outcome {
    pub operation_id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub verdict: Verdict,
}

/// `v` without its `null` members (an absent optional field is sent as nothing).
fn without_nulls(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// The body was sent as the example says (the same JSON, `null` members aside).
fn sent_as_example(exchange: &Exchange, example: Option<&str>) -> bool {
    let sent = serde_json::from_slice(&exchange.body).ok().map(without_nulls);
    let example = example.and_then(|e| serde_json::from_str(e).ok()).map(without_nulls);
    sent.is_some() && sent == example
}

/// `body`: the spec's request example the call sent, if it sent one.
fn classify(result: Result<(), CallError>, exchanges: &[Exchange], body: Option<&str>) -> Verdict {
    let request_violations: Vec<String> = exchanges.iter().flat_map(|e| e.violations_of("request")).collect();
    if !request_violations.is_empty() {
        let only_body = exchanges.iter().flat_map(|e| &e.violations).all(|v| {
            v["location"].get(0).and_then(serde_json::Value::as_str) != Some("request")
                || v["location"].get(1).and_then(serde_json::Value::as_str) == Some("body")
        });
        if only_body && exchanges.iter().all(|e| sent_as_example(e, body)) {
            return Verdict::RequestExampleBreaksSchema(request_violations.join("; "));
        }
        if only_body {
            return Verdict::BodyRefused(format!(
                "request body (the example as the SDK's types keep it): {}",
                request_violations.join("; ")
            ));
        }
        return Verdict::Failed(format!("request violation: {}", request_violations.join("; ")));
    }
    let response_violations: Vec<String> = exchanges.iter().flat_map(|e| e.violations_of("response")).collect();
    match result {
        Ok(()) => Verdict::Decoded,
        Err(CallError::Example(e)) => Verdict::RequestExampleRefused(e),
        Err(CallError::Sdk(e)) if e.kind() == ErrorKind::Decode && !response_violations.is_empty() => {
            Verdict::ResponseExampleBreaksSchema(format!("{e} (Prism: {})", response_violations.join("; ")))
        }
        Err(CallError::Sdk(e)) if e.kind() == ErrorKind::Decode => Verdict::DecodeFailed(e.to_string()),
        Err(CallError::Sdk(e)) => {
            let status = exchanges.last().map_or(String::new(), |x| format!(" [{} {} -> {}]", x.method, x.path, x.status));
            Verdict::Failed(format!("{:?}: {e}{status}", e.kind()))
        }
    }
}

/// Calls each operation in turn through `client` (whose base URL is the proxy's).
pub async fn run<C>(client: &C, proxy: &Proxy, calls: &[Call<C>]) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(calls.len());
    for call in calls {
        let example = call.body.filter(|_| call.body_is_spec_example);
        let mut verdict = once(client, proxy, call.call, example).await;
        // A request body Prism or the SDK refused: try the one made from the schema.
        if let (
            Verdict::RequestExampleBreaksSchema(why) | Verdict::RequestExampleRefused(why) | Verdict::BodyRefused(why),
            Some(fallback),
        ) = (&verdict, &call.fallback)
        {
            let why = why.clone();
            verdict = match once(client, proxy, fallback.call, None).await {
                Verdict::Decoded => Verdict::DecodedWithSchemaBody(why),
                other => other,
            };
        }
        // A response that did not decode: ask for an answer made from the schema.
        if let Verdict::ResponseExampleBreaksSchema(why) | Verdict::DecodeFailed(why) = &verdict {
            let why = why.clone();
            let prism_blamed_the_example = matches!(verdict, Verdict::ResponseExampleBreaksSchema(_));
            proxy.prefer(Some("dynamic=true"));
            let again = once(client, proxy, call.call, example).await;
            proxy.prefer(None);
            verdict = match again {
                Verdict::Decoded => Verdict::DecodedSchemaAnswer(why),
                again if prism_blamed_the_example => {
                    Verdict::ResponseExampleBreaksSchema(format!("{why}; with an answer made from the schema: {again:?}"))
                }
                again => Verdict::DecodeFailed(format!("{why}; with an answer made from the schema: {again:?}")),
            };
        }
        out.push(Outcome { operation_id: call.operation_id, method: call.method, path: call.path, verdict });
    }
    out
}

async fn once<C>(client: &C, proxy: &Proxy, call: for<'a> fn(&'a C) -> CallFuture<'a>, body: Option<&str>) -> Verdict {
    proxy.take();
    let result = call(client).await;
    let exchanges: Vec<Exchange> = proxy.take().into_iter().filter(|x| x.path != "/oauth/token").collect();
    classify(result, &exchanges, body)
}

/// A per-version summary and the reason of each failure, as Markdown.
pub fn report(version: &str, outcomes: &[Outcome]) -> String {
    let count = |f: fn(&Verdict) -> bool| outcomes.iter().filter(|o| f(&o.verdict)).count();
    let decoded = count(|v| matches!(v, Verdict::Decoded | Verdict::DecodedWithSchemaBody(_)));
    let schema_answer = count(|v| matches!(v, Verdict::DecodedSchemaAnswer(_)));
    let failed = count(Verdict::is_failure);
    let defects = outcomes.len() - decoded - schema_answer - failed;
    let mut text = format!(
        "### {version}: {} called, {decoded} decoded, {failed} failed; {schema_answer} refused only because the spec's example breaks its schema (an answer made from the schema decoded){}\n\n",
        outcomes.len(),
        if defects > 0 { format!(", {defects} spec defects") } else { String::new() },
    );
    for o in outcomes {
        let (tag, why) = match &o.verdict {
            Verdict::Decoded => continue,
            Verdict::DecodedWithSchemaBody(w) => ("decoded, sent a body made from the schema: the request example breaks it", w),
            Verdict::DecodedSchemaAnswer(w) => ("the spec's example breaks its schema; the schema-made answer decoded", w),
            Verdict::RequestExampleBreaksSchema(w) => ("spec defect: the request example breaks the schema", w),
            Verdict::RequestExampleRefused(w) => ("spec defect: the request example does not fit the SDK's type", w),
            Verdict::ResponseExampleBreaksSchema(w) => ("spec defect: the response example breaks the schema", w),
            Verdict::SpecDefect(w) => ("spec defect", w),
            Verdict::BodyRefused(w) | Verdict::DecodeFailed(w) | Verdict::Failed(w) => ("FAILED", w),
        };
        let _ = writeln!(text, "- `{}` ({} {}; {tag}): {why}", o.operation_id, o.method, o.path);
    }
    text
}
