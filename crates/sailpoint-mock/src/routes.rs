//! The HTTP routes: OAuth, collections (CRUD, JSON Patch, queries), source
//! details (schemas, provisioning policies, schedules, CSV, uploads), search,
//! trigger invocations (and the mock's own `/mock/triggers/…`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use sailpoint_runtime::{Operation, Pagination};
use serde_json::{Value, json};
use tower_http::compression::CompressionLayer;

use crate::errors::{bad_request, not_found};
use crate::query::{parse_filters, sort};
use crate::service_paths::{self, ServiceOperation};
use crate::tenant::{COLLECTIONS, SourceDetails, Tenant, default_account_schema, find_operation};
use crate::{bandwidth, faults, search, triggers};

type Shared = State<Arc<Tenant>>;
type Params = Query<HashMap<String, String>>;

/// The status to answer with: the operation's first declared 2xx, else `default`.
fn success(op: &Operation, default: u16) -> StatusCode {
    StatusCode::from_u16(op.success_statuses.first().copied().unwrap_or(default)).unwrap_or(StatusCode::OK)
}

fn reply(op: &Operation, default: u16, body: Value) -> Response {
    let status = success(op, default);
    if status == StatusCode::NO_CONTENT { status.into_response() } else { (status, Json(body)).into_response() }
}

pub fn router(tenant: Arc<Tenant>) -> Router {
    let paced = tenant.clone();
    let compress = tenant.config.compression;
    let api = Router::new()
        .route("/{version}/search", post(search::search))
        .route("/{version}/{collection}", get(list).post(create))
        .route("/{version}/{collection}/{id}", get(get_one).put(put_one).patch(patch_one).delete(delete_one))
        .route("/{version}/sources/{id}/schemas", get(list_schemas).post(create_schema))
        .route("/{version}/sources/{id}/schemas/accounts", get(schema_csv).post(upload_schema))
        .route("/{version}/sources/{id}/schemas/entitlements", get(schema_csv).post(upload_schema))
        .route("/{version}/sources/{id}/provisioning-policies", get(list_policies).post(create_policy))
        .route("/{version}/sources/{id}/provisioning-policies/bulk-update", post(bulk_update_policies))
        .route(
            "/{version}/sources/{id}/provisioning-policies/{usage}",
            get(get_policy).put(put_policy).patch(patch_policy).delete(delete_policy),
        )
        .route("/{version}/sources/{id}/schedules", get(list_schedules).post(create_schedule))
        .route(
            "/{version}/sources/{id}/schedules/{kind}",
            get(get_schedule).put(put_schedule).patch(patch_schedule).delete(delete_schedule),
        )
        .route("/{version}/sources/{id}/upload-connector-file", post(upload_connector_file))
        .route("/{version}/sources/{id}/load-accounts", post(load_accounts))
        .route("/{version}/trigger-invocations/test", post(triggers::test_invocation))
        .route("/{version}/trigger-invocations/{id}/complete", post(triggers::complete))
        .fallback(|| async { crate::errors::dto(StatusCode::NOT_FOUND, "No such resource.") })
        .layer(axum::middleware::from_fn_with_state(tenant.clone(), gate))
        .layer(axum::middleware::from_fn_with_state(tenant.clone(), faults::inject));
    let routes = Router::new()
        .route("/oauth/token", post(token))
        .route("/mock/triggers/fire", post(triggers::fire))
        .route("/mock/triggers/completions", get(triggers::completions))
        .merge(api)
        .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
        .with_state(tenant);
    // The per-service paths are rewritten before the routes see them. What
    // goes out is compressed (when asked, and configured), then paced: the
    // faults act on the body before compression, the cap on the bytes sent.
    let compression = CompressionLayer::new().no_deflate();
    let compression = if compress { compression } else { compression.no_gzip().no_br().no_zstd() };
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn(service_paths::rewrite))
        .layer(compression)
        .layer(axum::middleware::from_fn_with_state(paced, bandwidth::cap))
}

#[derive(serde::Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn token(State(t): Shared, body: Bytes) -> Response {
    if let Some(to) = &t.config.faults.token_redirect {
        return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to.clone())]).into_response();
    }
    if let Some(refused) = faults::token_error(&t) {
        return refused;
    }
    let Ok(form) = serde_urlencoded_form(&body) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_request"}))).into_response();
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "unsupported_grant_type"}))).into_response();
    }
    match t.issue_token(form.client_id.as_deref().unwrap_or_default(), form.client_secret.as_deref().unwrap_or_default()) {
        Some((token, expires_in)) => Json(json!({
            "access_token": token, "token_type": "bearer", "expires_in": expires_in, "scope": "sp:scopes:all"
        }))
        .into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "Bad credentials"})))
            .into_response(),
    }
}

fn serde_urlencoded_form(body: &[u8]) -> Result<TokenForm, serde_urlencoded::de::Error> {
    serde_urlencoded::from_bytes(body)
}

/// Authentication, rate limit, the operation (404 if the API has none),
/// the experimental header and the page size, in that order.
async fn gate(State(t): Shared, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some((version, rest)) = path.trim_start_matches('/').split_once('/') else {
        return crate::errors::dto(StatusCode::NOT_FOUND, "No such resource.");
    };
    // A per-service request (see `service_paths`) has its operation already,
    // and the service's own rate-limit budget.
    let service = req.extensions().get::<ServiceOperation>().copied();
    let version = service.map_or(version, |s| s.service).to_string();
    let token = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let client = match token.map(|tok| t.client_of(tok)) {
        Some(Ok(c)) => c,
        refused => {
            t.count_unauthorized();
            return crate::errors::unauthorized(match refused {
                Some(Err(why)) => why,
                _ => "JWT validation failed: no token",
            });
        }
    };
    if let Err(wait) = t.check_rate(&client, &version) {
        return crate::errors::rate_limited(wait.as_secs_f64().ceil() as u64);
    }
    let op = match service {
        Some(s) => Some(s.operation),
        None => find_operation(&version, req.method().as_str(), &format!("/{rest}")),
    };
    let Some(op) = op else {
        return crate::errors::dto(StatusCode::NOT_FOUND, format!("No operation {} /{version}/{rest}.", req.method()));
    };
    if op.experimental && req.headers().get("x-sailpoint-experimental").and_then(|v| v.to_str().ok()) != Some("true") {
        return bad_request(format!("{} is experimental: send X-SailPoint-Experimental: true", op.operation_id));
    }
    if let Some(Pagination::Offset { max_limit } | Pagination::SearchAfter { max_limit }) = op.pagination {
        let limit = req.uri().query().unwrap_or_default().split('&').find_map(|kv| kv.strip_prefix("limit="));
        if let Some(limit) = limit {
            match limit.parse::<u64>() {
                Ok(l) if l >= 1 && l <= max_limit => {}
                _ => return bad_request(format!("limit must be between 1 and {max_limit}")),
            }
        }
    }
    req.extensions_mut().insert(op);
    next.run(req).await
}

fn body_json(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("The request body is not valid JSON: {e}")))
}

fn check_collection(c: &str) -> Result<&'static str, Response> {
    COLLECTIONS.iter().find(|k| **k == c).copied().ok_or_else(|| crate::errors::dto(StatusCode::NOT_FOUND, "No such resource."))
}

/// Required string fields of a created resource.
fn required(collection: &str) -> &'static [&'static str] {
    match collection {
        "sources" => &["name", "connector"],
        "password-sync-groups" | "password-policies" => &["name"],
        _ => &[],
    }
}

fn validate(collection: &str, v: &Value) -> Result<(), Response> {
    if !v.is_object() {
        return Err(bad_request("The request body must be a JSON object."));
    }
    for f in required(collection) {
        if !v.get(*f).is_some_and(Value::is_string) {
            return Err(bad_request(format!("`{f}` is required and must be a string.")));
        }
    }
    for f in ["sourceIds"] {
        if v.get(f).is_some_and(|x| !x.is_array() && !x.is_null()) {
            return Err(bad_request(format!("`{f}` must be an array.")));
        }
    }
    Ok(())
}

fn page_params(q: &HashMap<String, String>) -> Result<(usize, usize, bool), Response> {
    let num = |k: &str, d: usize| match q.get(k) {
        None => Ok(d),
        Some(v) => v.parse::<usize>().map_err(|_| bad_request(format!("`{k}` must be a non-negative integer"))),
    };
    Ok((num("offset", 0)?, num("limit", 250)?, q.get("count").is_some_and(|c| c == "true")))
}

/// Every item of a collection, stored and synthetic, in id order of storage.
fn all_items(t: &Tenant, collection: &'static str) -> Vec<Value> {
    let data = t.data.lock().unwrap_or_else(|e| e.into_inner());
    let stored = data.items.get(collection);
    let deleted = data.deleted.get(collection);
    let mut out: Vec<Value> = Vec::new();
    for i in 0..t.synthetic_count(collection) {
        let item = t.synthetic(collection, i);
        let id = item["id"].as_str().unwrap_or_default().to_string();
        if deleted.is_some_and(|d| d.contains(&id)) {
            continue;
        }
        out.push(stored.and_then(|s| s.get(&id)).cloned().unwrap_or(item));
    }
    for (id, v) in stored.into_iter().flatten() {
        if t.synthetic_by_id(collection, id).is_none() {
            out.push(v.clone());
        }
    }
    out
}

fn page_response(items: Vec<Value>, total: usize, count: bool) -> Response {
    let mut r = Json(Value::Array(items)).into_response();
    if count {
        r.headers_mut().insert("x-total-count", HeaderValue::from(total as u64));
    }
    r
}

async fn list(State(t): Shared, Path((_, collection)): Path<(String, String)>, Query(q): Params) -> Response {
    let collection = match check_collection(&collection) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (offset, limit, count) = match page_params(&q) {
        Ok((_, limit, count)) if t.config.faults.ignore_offset => (0, limit, count),
        Ok(p) => p,
        Err(r) => return r,
    };
    let filters = match q.get("filters").map(|f| parse_filters(f)).transpose() {
        Ok(f) => f.unwrap_or_default(),
        Err(e) => return bad_request(e),
    };
    // Fast path: untouched synthetic items, no filter, no sort.
    let untouched = {
        let d = t.data.lock().unwrap_or_else(|e| e.into_inner());
        d.items.get(collection).is_none_or(|m| m.is_empty()) && d.deleted.get(collection).is_none_or(|s| s.is_empty())
    };
    if untouched && filters.is_empty() && !q.contains_key("sorters") && t.synthetic_count(collection) > 0 {
        let total = t.synthetic_count(collection) as usize;
        let items = (offset..(offset + limit).min(total)).map(|i| t.synthetic(collection, i as u64)).collect();
        return page_response(items, total, count);
    }
    let mut items: Vec<Value> = all_items(&t, collection).into_iter().filter(|v| filters.iter().all(|c| c.matches(v))).collect();
    if let Some(s) = q.get("sorters") {
        sort(&mut items, s);
    }
    let total = items.len();
    let page = items.into_iter().skip(offset).take(limit).collect();
    page_response(page, total, count)
}

fn find_item(t: &Tenant, collection: &'static str, id: &str) -> Option<Value> {
    let data = t.data.lock().unwrap_or_else(|e| e.into_inner());
    if data.deleted.get(collection).is_some_and(|d| d.contains(id)) {
        return None;
    }
    data.items.get(collection).and_then(|m| m.get(id)).cloned().or_else(|| t.synthetic_by_id(collection, id))
}

fn store(t: &Tenant, collection: &'static str, id: &str, v: Value) {
    let mut data = t.data.lock().unwrap_or_else(|e| e.into_inner());
    data.items.entry(collection).or_default().insert(id.to_string(), v);
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn create(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, collection)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let collection = match check_collection(&collection) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = validate(collection, &v) {
        return r;
    }
    let id = t.new_id();
    v["id"] = json!(id);
    v["created"] = json!(now());
    v["modified"] = json!(now());
    t.add(collection, &id, v.clone());
    reply(op, 201, v)
}

async fn get_one(State(t): Shared, Path((_, collection, id)): Path<(String, String, String)>) -> Response {
    let collection = match check_collection(&collection) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match find_item(&t, collection, &id) {
        Some(v) => Json(v).into_response(),
        None => not_found(collection, &id),
    }
}

async fn put_one(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, collection, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let collection = match check_collection(&collection) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(old) = find_item(&t, collection, &id) else { return not_found(collection, &id) };
    let mut v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = validate(collection, &v) {
        return r;
    }
    v["id"] = json!(id);
    v["created"] = old.get("created").cloned().unwrap_or(Value::Null);
    v["modified"] = json!(now());
    store(&t, collection, &id, v.clone());
    reply(op, 200, v)
}

/// Applies an RFC 6902 patch; the result must still be valid.
fn apply_patch(collection: &str, target: &Value, body: &Bytes) -> Result<Value, Response> {
    let ops: json_patch::Patch =
        serde_json::from_slice(body).map_err(|e| bad_request(format!("The body is not a JSON Patch document: {e}")))?;
    let mut out = target.clone();
    json_patch::patch(&mut out, &ops).map_err(|e| bad_request(format!("The patch does not apply: {e}")))?;
    validate(collection, &out)?;
    Ok(out)
}

async fn patch_one(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, collection, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let collection = match check_collection(&collection) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(old) = find_item(&t, collection, &id) else { return not_found(collection, &id) };
    let mut v = match apply_patch(collection, &old, &body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    v["id"] = json!(id);
    v["modified"] = json!(now());
    store(&t, collection, &id, v.clone());
    reply(op, 200, v)
}

async fn delete_one(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, collection, id)): Path<(String, String, String)>,
) -> Response {
    let collection = match check_collection(&collection) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if find_item(&t, collection, &id).is_none() {
        return not_found(collection, &id);
    }
    let mut data = t.data.lock().unwrap_or_else(|e| e.into_inner());
    data.items.entry(collection).or_default().remove(&id);
    data.deleted.entry(collection).or_default().insert(id.clone());
    data.sources.remove(&id);
    drop(data);
    reply(op, 204, json!({}))
}

/// Runs `f` on the details of source `id` (404 when there is no such source).
fn with_source<R>(t: &Tenant, id: &str, f: impl FnOnce(&mut SourceDetails) -> R) -> Result<R, Response> {
    if find_item(t, "sources", id).is_none() {
        return Err(not_found("source", id));
    }
    let mut data = t.data.lock().unwrap_or_else(|e| e.into_inner());
    Ok(f(data.sources.entry(id.to_string()).or_default()))
}

fn unwrap_or_response(r: Result<Response, Response>) -> Response {
    r.unwrap_or_else(|e| e)
}

async fn list_schemas(State(t): Shared, Path((_, id)): Path<(String, String)>) -> Response {
    unwrap_or_response(with_source(&t, &id, |s| Json(Value::Array(s.schemas.clone())).into_response()))
}

async fn create_schema(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut v = match body_json(&body) {
        Ok(v) if v.is_object() => v,
        Ok(_) => return bad_request("The request body must be a JSON object."),
        Err(r) => return r,
    };
    v["id"] = json!(t.new_id());
    unwrap_or_response(with_source(&t, &id, |s| {
        s.schemas.push(v.clone());
        reply(op, 201, v)
    }))
}

/// The accounts (or entitlements) schema as a CSV template.
async fn schema_csv(State(t): Shared, Path((_, id)): Path<(String, String)>) -> Response {
    let header_line = with_source(&t, &id, |s| {
        let schema = s.schemas.first().cloned().unwrap_or_else(default_account_schema);
        schema["attributes"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect::<Vec<_>>().join(","))
            .unwrap_or_default()
    });
    match header_line {
        Ok(line) => ([(header::CONTENT_TYPE, "text/csv")], format!("{line}\n")).into_response(),
        Err(r) => r,
    }
}

/// Reads a multipart body: the file part's bytes and the text fields.
async fn read_multipart(mut m: Multipart) -> Result<(Option<(String, Bytes)>, HashMap<String, String>), Response> {
    let mut file = None;
    let mut fields = HashMap::new();
    loop {
        match m.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or_default().to_string();
                let file_name = f.file_name().map(str::to_string);
                let bytes = f.bytes().await.map_err(|e| bad_request(format!("The multipart body is malformed: {e}")))?;
                match file_name {
                    Some(n) => file = Some((n, bytes)),
                    None => {
                        fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                }
            }
            Ok(None) => return Ok((file, fields)),
            Err(e) => return Err(bad_request(format!("The multipart body is malformed: {e}"))),
        }
    }
}

async fn upload_schema(State(t): Shared, Path((_, id)): Path<(String, String)>, m: Multipart) -> Response {
    let (file, _) = match read_multipart(m).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some((_, bytes)) = file else { return bad_request("A file part is required.") };
    let text = String::from_utf8_lossy(&bytes);
    let columns: Vec<&str> =
        text.lines().next().unwrap_or_default().split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
    if columns.is_empty() {
        return bad_request("The CSV has no header line.");
    }
    let schema = json!({
        "id": t.new_id(), "name": "account", "nativeObjectType": "User",
        "identityAttribute": columns[0], "displayAttribute": columns[0],
        "attributes": columns.iter().map(|c| json!({"name": c, "type": "STRING", "isMulti": false, "isEntitlement": false, "isGroup": false})).collect::<Vec<_>>()
    });
    unwrap_or_response(with_source(&t, &id, |s| {
        s.schemas.insert(0, schema.clone());
        Json(schema).into_response()
    }))
}

async fn upload_connector_file(State(t): Shared, Path((_, id)): Path<(String, String)>, m: Multipart) -> Response {
    let (file, _) = match read_multipart(m).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if file.is_none() {
        return bad_request("A file part is required.");
    }
    match find_item(&t, "sources", &id) {
        Some(v) => Json(v).into_response(),
        None => not_found("source", &id),
    }
}

async fn load_accounts(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, id)): Path<(String, String)>,
    m: Multipart,
) -> Response {
    if let Err(r) = read_multipart(m).await {
        return r;
    }
    if find_item(&t, "sources", &id).is_none() {
        return not_found("source", &id);
    }
    reply(
        op,
        202,
        json!({"success": true, "task": {"id": t.new_id(), "type": "QUARTZ", "name": "Cloud Account Aggregation", "created": now()}}),
    )
}

async fn list_policies(State(t): Shared, Path((_, id)): Path<(String, String)>) -> Response {
    unwrap_or_response(with_source(&t, &id, |s| {
        Json(s.provisioning_policies.values().cloned().collect::<Vec<_>>()).into_response()
    }))
}

fn usage_of(v: &Value) -> Result<String, Response> {
    v.get("usageType").and_then(Value::as_str).map(str::to_string).ok_or_else(|| bad_request("`usageType` is required."))
}

async fn create_policy(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let v = match body_json(&body)
        .and_then(|v| if v.is_object() { Ok(v) } else { Err(bad_request("The body must be an object.")) })
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let usage = match usage_of(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    unwrap_or_response(with_source(&t, &id, |s| {
        s.provisioning_policies.insert(usage, v.clone());
        reply(op, 201, v)
    }))
}

async fn bulk_update_policies(State(t): Shared, Path((_, id)): Path<(String, String)>, body: Bytes) -> Response {
    let list = match body_json(&body) {
        Ok(Value::Array(l)) => l,
        Ok(_) => return bad_request("The body must be an array of provisioning policies."),
        Err(r) => return r,
    };
    let mut usages = Vec::new();
    for p in &list {
        match usage_of(p) {
            Ok(u) => usages.push(u),
            Err(r) => return r,
        }
    }
    unwrap_or_response(with_source(&t, &id, |s| {
        for (u, p) in usages.into_iter().zip(list.iter()) {
            s.provisioning_policies.insert(u, p.clone());
        }
        Json(Value::Array(list.clone())).into_response()
    }))
}

/// The keyed details of a source: provisioning policies by usage type, or
/// schedules by type.
type Details = fn(&mut SourceDetails) -> &mut std::collections::BTreeMap<String, Value>;

fn policies(s: &mut SourceDetails) -> &mut std::collections::BTreeMap<String, Value> {
    &mut s.provisioning_policies
}

fn schedules(s: &mut SourceDetails) -> &mut std::collections::BTreeMap<String, Value> {
    &mut s.schedules
}

fn detail_get(t: &Tenant, id: &str, key: &str, what: &str, details: Details) -> Response {
    unwrap_or_response(with_source(t, id, |s| match details(s).get(key) {
        Some(v) => Json(v.clone()).into_response(),
        None => not_found(what, key),
    }))
}

/// PUT: the body replaces the detail; `key_field` is set to the key.
fn detail_put(t: &Tenant, id: &str, key: &str, key_field: &str, body: &Bytes, details: Details) -> Response {
    let mut v = match body_json(body) {
        Ok(v) if v.is_object() => v,
        Ok(_) => return bad_request("The body must be an object."),
        Err(r) => return r,
    };
    v[key_field] = json!(key);
    unwrap_or_response(with_source(t, id, |s| {
        details(s).insert(key.to_string(), v.clone());
        Json(v).into_response()
    }))
}

fn detail_patch(t: &Tenant, id: &str, key: &str, what: &str, body: &Bytes, details: Details) -> Response {
    unwrap_or_response(with_source(t, id, |s| {
        let map = details(s);
        let Some(old) = map.get(key) else { return not_found(what, key) };
        match apply_patch(what, old, body) {
            Ok(v) => {
                map.insert(key.to_string(), v.clone());
                Json(v).into_response()
            }
            Err(r) => r,
        }
    }))
}

fn detail_delete(t: &Tenant, op: &Operation, id: &str, key: &str, what: &str, details: Details) -> Response {
    unwrap_or_response(with_source(t, id, |s| match details(s).remove(key) {
        Some(_) => reply(op, 204, json!({})),
        None => not_found(what, key),
    }))
}

type DetailPath = Path<(String, String, String)>;
type Op = Extension<&'static Operation>;

async fn get_policy(State(t): Shared, Path((_, id, usage)): DetailPath) -> Response {
    detail_get(&t, &id, &usage, "provisioning policy", policies)
}

async fn put_policy(State(t): Shared, Path((_, id, usage)): DetailPath, body: Bytes) -> Response {
    detail_put(&t, &id, &usage, "usageType", &body, policies)
}

async fn patch_policy(State(t): Shared, Path((_, id, usage)): DetailPath, body: Bytes) -> Response {
    detail_patch(&t, &id, &usage, "provisioning policy", &body, policies)
}

async fn delete_policy(State(t): Shared, Extension(op): Op, Path((_, id, usage)): DetailPath) -> Response {
    detail_delete(&t, op, &id, &usage, "provisioning policy", policies)
}

async fn get_schedule(State(t): Shared, Path((_, id, kind)): DetailPath) -> Response {
    detail_get(&t, &id, &kind, "schedule", schedules)
}

async fn put_schedule(State(t): Shared, Path((_, id, kind)): DetailPath, body: Bytes) -> Response {
    detail_put(&t, &id, &kind, "type", &body, schedules)
}

async fn patch_schedule(State(t): Shared, Path((_, id, kind)): DetailPath, body: Bytes) -> Response {
    detail_patch(&t, &id, &kind, "schedule", &body, schedules)
}

async fn delete_schedule(State(t): Shared, Extension(op): Op, Path((_, id, kind)): DetailPath) -> Response {
    detail_delete(&t, op, &id, &kind, "schedule", schedules)
}

async fn list_schedules(State(t): Shared, Path((_, id)): Path<(String, String)>) -> Response {
    unwrap_or_response(with_source(&t, &id, |s| Json(s.schedules.values().cloned().collect::<Vec<_>>()).into_response()))
}

async fn create_schedule(
    State(t): Shared,
    Extension(op): Extension<&'static Operation>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let v = match body_json(&body) {
        Ok(v) if v.get("type").is_some_and(Value::is_string) && v.get("cronExpression").is_some_and(Value::is_string) => v,
        Ok(_) => return bad_request("`type` and `cronExpression` are required."),
        Err(r) => return r,
    };
    let kind = v["type"].as_str().unwrap_or_default().to_string();
    unwrap_or_response(with_source(&t, &id, |s| {
        s.schedules.insert(kind, v.clone());
        reply(op, 201, v)
    }))
}
