//! The request pipeline every call runs through, in order: the headers
//! the operation table calls for (and the call's options), the access
//! token, the client-side rate limit, the send, the body read within its
//! limit, and a tracing span around it all. After each attempt,
//! [`retry::decide`] names the next step (return, defer, wait and retry,
//! replay with a new token, resend with the experimental header); the
//! loop here only carries it out.

use std::fmt;
use std::time::{Instant, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use tokio_util::task::AbortOnDropHandle;
use tracing::Instrument;

use crate::body::{self, Broken, Parts};
use crate::experimental;
use crate::multipart::Form;
use crate::retry::{self, Call, Outcome, Retries, Step};
use crate::{CallOptions, Error, ErrorKind, Operation, Runtime};

/// A request as a generated `send()` hands it to the pipeline: the request,
/// and for a `multipart/form-data` operation its form, which is built into
/// the body afresh for each attempt (so that it can be retried).
#[derive(Debug)]
pub struct Outgoing {
    request: reqwest::Request,
    form: Option<Form>,
}

impl Outgoing {
    /// `request` (built without a body) with `form` as its body.
    pub fn multipart(request: reqwest::Request, form: Form) -> Self {
        Self { request, form: Some(form) }
    }
}

impl From<reqwest::Request> for Outgoing {
    fn from(request: reqwest::Request) -> Self {
        Self { request, form: None }
    }
}

impl Runtime {
    /// Sends `request` for `operation` through the whole pipeline, with the
    /// call's `options` over the client's configuration. A transport
    /// failure of a request that may have reached the server, and must not
    /// be replayed, is marked so ([`Error::is_retryable`] is false for it).
    /// The errors name the operation. A request ahead of need (see
    /// [`crate::ahead`]) that cannot go at once, or gets no answer, is
    /// marked deferred in its options, and fails.
    pub(crate) async fn send(
        &self,
        outgoing: impl Into<Outgoing>,
        operation: &'static Operation,
        api_version: &str,
        options: &CallOptions,
    ) -> Result<reqwest::Response, Error> {
        let Outgoing { request, form } = outgoing.into();
        let replay_safe = options.replay_safe_for(operation);
        if options.ahead().is_some() && (!replay_safe || form.is_some()) {
            return Err(deferred(options));
        }
        let call = async {
            match &options.stream {
                // A stream's request runs on a task of its own, so that it
                // completes and frees what it holds while the stream is not
                // polled; dropping the handle cancels it (see `ahead`).
                Some(_) if form.is_none() => {
                    let (runtime, api_version, options) = (self.clone(), api_version.to_owned(), options.clone());
                    let task = async move { runtime.send_now(request, None, operation, &api_version, &options).await };
                    match AbortOnDropHandle::new(tokio::spawn(task.in_current_span())).await {
                        Ok(result) => result,
                        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                        Err(e) => Err(Error::new(ErrorKind::Transport, format!("the request's task ended: {e}"))
                            .for_operation(operation.id)),
                    }
                }
                _ => self.send_now(request, form, operation, api_version, options).await,
            }
        };
        match options.timeout {
            None => call.await,
            Some(limit) => match tokio::time::timeout(limit, call).await {
                Ok(result) => result,
                // A request ahead of need is sent again when its turn comes, like one that got no answer.
                Err(_) if options.ahead().is_some() => Err(deferred(options)),
                Err(_) => {
                    let e = Error::new(ErrorKind::Timeout, format!("the call's {limit:?} deadline passed"))
                        .for_operation(operation.id);
                    Err(if replay_safe { e } else { e.not_replayable() })
                }
            },
        }
    }

    async fn send_now(
        &self,
        mut request: reqwest::Request,
        mut form: Option<Form>,
        operation: &'static Operation,
        api_version: &str,
        options: &CallOptions,
    ) -> Result<reqwest::Response, Error> {
        if let Some(form) = &mut form {
            form.check().await.map_err(|e| e.for_operation(operation.id))?;
        }
        self.prepare(&mut request, operation, options).await.map_err(|e| e.for_operation(operation.id))?;
        match self.execute(request, form.as_ref(), operation, api_version, options).await {
            Ok(Some(response)) => Ok(response),
            Ok(None) => Err(deferred(options)),
            Err(e) => {
                let never_sent = e.is_connect();
                let e = Error::from(e).for_operation(operation.id);
                Err(if options.replay_safe_for(operation) || never_sent { e } else { e.not_replayable() })
            }
        }
    }

    /// Sets the headers the operation table calls for, and the access
    /// token. Fails, before anything is sent, for an experimental operation
    /// without the opt-in, or when no token can be had.
    async fn prepare(&self, request: &mut reqwest::Request, op: &Operation, options: &CallOptions) -> Result<(), Error> {
        // progenitor adds an `api-version` header (a Dropshot convention)
        // that SailPoint does not define.
        request.headers_mut().remove("api-version");
        let opted_in = options.experimental_or(self.shared.experimental);
        if experimental::needs_header(op, opted_in, &self.shared.asked_by_server)? {
            experimental::set_header(request);
        }
        if let Some(ct) = op.request_content_type.filter(|ct| ct.starts_with("application/json-patch+json"))
            && request.body().is_some()
        {
            request.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        if let Some(accept) = op.accept.filter(|a| !a.starts_with("application/json"))
            && let Ok(value) = HeaderValue::from_str(accept)
        {
            request.headers_mut().insert(ACCEPT, value);
        }
        // The call's headers replace the operation's, every value kept.
        for name in options.headers.keys() {
            request.headers_mut().remove(name);
        }
        for (name, value) in &options.headers {
            request.headers_mut().append(name, value.clone());
        }
        let bearer = if options.ahead().is_some() {
            self.shared.auth.cached_bearer().ok_or_else(|| deferred(options))?
        } else {
            self.shared.auth.bearer(&self.shared.http).await?
        };
        if let Some(bearer) = bearer {
            request.headers_mut().insert(AUTHORIZATION, bearer.header);
        }
        Ok(())
    }

    /// Sends the request under the client-side rate limit, replays it with a new token after a 401 (see
    /// [`replaces_token`]), retries
    /// what is safe to retry, and hands an empty success body on as `null`
    /// for operations whose success may be empty. `None`: a request ahead
    /// of need got no answer.
    async fn execute(
        &self,
        request: reqwest::Request,
        form: Option<&Form>,
        operation: &Operation,
        api_version: &str,
        options: &CallOptions,
    ) -> reqwest::Result<Option<reqwest::Response>> {
        let id = operation.id;
        let span = tracing::info_span!(
            "sailpoint.request",
            method = %request.method(),
            operation = id,
            api_version,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        async move {
            let started = Instant::now();
            let result = self.send_with_retries(request, form, operation, api_version, options).await;
            let span = tracing::Span::current();
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            match &result {
                Ok(Some((response, attempts))) => {
                    span.record("status", response.status().as_u16());
                    span.record("attempts", attempts);
                    tracing::debug!("response");
                }
                Ok(None) => tracing::debug!("a request ahead of need deferred"),
                Err(e) => tracing::debug!(error = %e, "request failed"),
            }
            Ok(result?.map(|(response, _)| response))
        }
        .instrument(span)
        .await
    }

    /// The attempts of one call: each attempt's outcome goes to
    /// [`retry::decide`], and this loop carries out the step it names.
    async fn send_with_retries(
        &self,
        request: reqwest::Request,
        form: Option<&Form>,
        operation: &Operation,
        api_version: &str,
        options: &CallOptions,
    ) -> reqwest::Result<Option<(reqwest::Response, u32)>> {
        let s = &self.shared;
        // A request ahead of need: one attempt, only if it can go at once.
        let ahead = options.ahead().is_some();
        let replay_safe = options.replay_safe_for(operation);
        let opted_in = options.experimental_or(s.experimental);
        // The rate limit's key (client id and version), made only when there is a limit.
        let key = s.limiter.as_ref().map(|_| format!("{}/{api_version}", s.auth.client_id().unwrap_or("-")));
        let mut retries = Retries::new(options.retry_or(&s.retry), &s.budget);
        // A body that is a stream cannot be sent twice (nor a form with a
        // reader): such requests get one attempt.
        let replayable = request.try_clone().is_some() && form.is_none_or(Form::is_replayable);
        let mut template = Some(request);
        // The tokens this call had rejected with a 401, each replaced once.
        let mut rejected: Vec<HeaderValue> = Vec::new();
        let (mut attempts, mut resent_experimental) = (0u32, false);
        loop {
            let req = if replayable { template.as_ref().and_then(reqwest::Request::try_clone) } else { template.take() };
            let Some(req) = req else { unreachable!("the first attempt always has the request") };
            // A form is built for each attempt; only a reader's is ever missing, and it gets one attempt.
            let mut req = match form {
                Some(form) => match form.attach(&s.http, req) {
                    Some(built) => built?,
                    None => unreachable!("a form with a reader gets one attempt"),
                },
                None => req,
            };
            // The request counts against the limit while in flight, and for a period after.
            let permit = match (&s.limiter, &key) {
                (Some(l), Some(key)) if ahead => match l.try_acquire(key) {
                    Some(permit) => Some(permit),
                    None => return Ok(None),
                },
                (Some(l), Some(key)) => Some(l.acquire(key).await),
                _ => None,
            };
            // The waits (for the limit, before a retry) may have outlived the
            // token: every attempt carries the current one, so a call that
            // waited across expiry keeps its 401 replay.
            if s.auth.can_refresh()
                && !ahead
                && let Ok(Some(bearer)) = s.auth.bearer(&s.http).await
            {
                req.headers_mut().insert(AUTHORIZATION, bearer.header);
            }
            attempts += 1;
            let sent_token = req.headers().get(AUTHORIZATION).cloned();
            let sent_header = experimental::has_header(&req);
            let result = s.http.execute(req).await;
            drop(permit);
            let call = Call {
                ahead,
                can_resend: replayable && template.is_some(),
                replay_safe,
                can_refresh: s.auth.can_refresh(),
                token_is_new: replaces_token(&rejected, sent_token.as_ref()),
                none_rejected: rejected.is_empty(),
                may_add_experimental: !resent_experimental && experimental::may_resend(operation, opted_in, sent_header),
                counts: retries.counts(),
            };
            let answer = self.read(result, operation, &call).await;
            let step = retry::decide(answer.outcome(), &call, retries.config(), SystemTime::now());
            match step {
                Step::Defer => return Ok(None),
                Step::Return => {}
                Step::ReturnDroppingToken => s.auth.invalidate(sent_token.as_ref()).await,
                Step::ReplayWithNewToken => {
                    rejected.extend(sent_token.clone());
                    s.auth.invalidate(sent_token.as_ref()).await;
                    // The replay picks the new token up like every attempt.
                    if let Ok(Some(_)) = s.auth.bearer(&s.http).await {
                        tracing::debug!("401: token refreshed, replaying");
                        continue;
                    }
                }
                Step::ResendWithExperimentalHeader => {
                    resent_experimental = true;
                    if let Some(template) = template.as_mut() {
                        s.asked_by_server.remember(operation.id);
                        experimental::set_header(template);
                        tracing::info!("400: the server treats the operation as experimental; resending once with the header");
                        continue;
                    }
                }
                Step::Retry { .. } => {
                    if let Some(wait) = retries.take(step) {
                        tracing::info!(outcome = %answer, wait_ms = wait.as_millis() as u64, "retrying");
                        // Free the response's connection before the wait.
                        drop(answer);
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
            }
            return self.give(answer, operation, options, replay_safe).await.map(|r| Some((r, attempts)));
        }
    }

    /// What an attempt came to, with what [`retry::decide`] needs read:
    /// a JSON success's body (so that a body that breaks off is retried
    /// like a connection that breaks before it), and a 400's body when the
    /// call may resend it with the experimental header.
    async fn read(&self, result: reqwest::Result<reqwest::Response>, operation: &Operation, call: &Call) -> Answer {
        let response = match result {
            Ok(response) => response,
            Err(e) => return Answer::Failed(e),
        };
        let status = response.status();
        if status.is_success() && reads_json(operation) {
            return match self.buffer_json(response, operation.empty_success_is_null).await {
                Ok(read) => Answer::Read(read),
                Err((broken, parts)) => Answer::Broken(broken, parts),
            };
        }
        if status == StatusCode::BAD_REQUEST && call.can_resend && call.may_add_experimental && !call.ahead {
            let (response, refusal) = experimental::read_refusal(response, self.shared.body_limits.error).await;
            return Answer::Refused(response, refusal);
        }
        Answer::Unread(response)
    }

    /// The answer the caller gets: the response, its body read as
    /// [`finish`](Self::finish) says; a success refills the retry budget.
    async fn give(
        &self,
        answer: Answer,
        operation: &Operation,
        options: &CallOptions,
        replay_safe: bool,
    ) -> reqwest::Result<reqwest::Response> {
        let response = match answer {
            Answer::Read(response) => response,
            Answer::Unread(response) | Answer::Refused(response, _) => self.finish(response, operation, options).await,
            Answer::Broken(broken, parts) => return Ok(parts.broken_off(&broken, replay_safe)),
            Answer::Failed(e) => return Err(e),
        };
        if response.status().is_success() {
            self.shared.budget.refill();
        }
        Ok(response)
    }

    /// A JSON success response with its body read (at most the cap); the
    /// error says why not, with the response's parts.
    async fn buffer_json(
        &self,
        mut response: reqwest::Response,
        null_if_empty: bool,
    ) -> Result<reqwest::Response, (Broken, Parts)> {
        let cap = self.shared.body_limits.success;
        let read = body::read(&mut response, cap, true).await;
        let parts = Parts::of(&mut response);
        match read {
            body::Read::Whole(b) if null_if_empty => Ok(parts.rebuild(empty_as_null(b))),
            body::Read::Whole(b) => Ok(parts.rebuild(b)),
            body::Read::Capped(_) => {
                let message = format!("the {} response's body is larger than the {cap}-byte limit", parts.status);
                Ok(parts.failing(message))
            }
            body::Read::Broken(b, e) => Err((Broken::new(b.len(), &e), parts)),
        }
    }

    /// The response as the generated code gets it: an error body read (at
    /// most its cap); a JSON success body read (at most its cap).
    async fn finish(&self, response: reqwest::Response, operation: &Operation, options: &CallOptions) -> reqwest::Response {
        let status = response.status();
        let replay_safe = options.replay_safe_for(operation);
        if status.is_client_error() || status.is_server_error() {
            let mut response = body::error_response(response, self.shared.body_limits.error).await;
            let opted_in = options.experimental_or(self.shared.experimental);
            response.extensions_mut().insert(crate::glue::CallFacts { opted_in, replay_safe });
            return response;
        }
        let null_if_empty = operation.empty_success_is_null;
        if status.is_success() && (reads_json(operation) || null_if_empty) {
            return match self.buffer_json(response, null_if_empty).await {
                Ok(r) => r,
                Err((e, parts)) => parts.broken_off(&e, replay_safe),
            };
        }
        response
    }
}

/// The error of a request ahead of need that did not go, or got no
/// answer: marked deferred in its options, for the stream to send again.
fn deferred(options: &CallOptions) -> Error {
    if let Some(deferral) = options.ahead() {
        deferral.defer();
    }
    Error::new(ErrorKind::Transport, "a request sent ahead of need was deferred")
}

/// What one attempt came to.
enum Answer {
    /// A JSON success, its body read.
    Read(reqwest::Response),
    /// A success whose body broke off while it was read.
    Broken(Broken, Parts),
    /// A 400 whose body was read to see whether it is the refusal for a
    /// missing experimental header (`true`).
    Refused(reqwest::Response, bool),
    /// Any other response, its body not read yet.
    Unread(reqwest::Response),
    /// No response.
    Failed(reqwest::Error),
}

impl Answer {
    fn outcome(&self) -> Outcome<'_> {
        match self {
            Answer::Read(r) | Answer::Unread(r) => Outcome::Response { status: r.status(), headers: r.headers(), refusal: false },
            Answer::Refused(r, refusal) => Outcome::Response { status: r.status(), headers: r.headers(), refusal: *refusal },
            Answer::Broken(..) => Outcome::BrokenBody,
            Answer::Failed(e) => Outcome::of_error(e),
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Read(r) | Answer::Unread(r) | Answer::Refused(r, _) => write!(f, "{}", r.status()),
            Answer::Broken(broken, parts) => write!(f, "the {} response's body broke off {}", parts.status, broken.how),
            Answer::Failed(e) => write!(f, "{e}"),
        }
    }
}

/// An empty body as `null`: some operations answer success with no body.
fn empty_as_null(body: bytes::Bytes) -> bytes::Bytes {
    if body.iter().all(u8::is_ascii_whitespace) { bytes::Bytes::from_static(b"null") } else { body }
}

/// Whether the operation's success body is JSON (not a download to stream).
fn reads_json(operation: &Operation) -> bool {
    operation.accept.is_some_and(|a| a.starts_with("application/json"))
}

/// Whether a 401 for `sent` is answered with a new token and a replay:
/// when `sent` is a token this call has not had rejected before (a token
/// that expired, or was revoked, while the call was under way), up to
/// [`MAX_TOKEN_REPLAYS`] times. A token rejected twice, or a fourth
/// rejection, is the answer: the credentials are not accepted.
fn replaces_token(rejected: &[HeaderValue], sent: Option<&HeaderValue>) -> bool {
    rejected.len() < MAX_TOKEN_REPLAYS && sent.is_some_and(|t| !rejected.contains(t))
}

/// Most replays of one call after a 401, each with a new token.
const MAX_TOKEN_REPLAYS: usize = 3;
