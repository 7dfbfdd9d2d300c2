//! `POST /{version}/search` (and the search service's `POST /search/v1`)
//! over the synthetic identities, with `sort`, `searchAfter`, and the
//! 10,000 `offset + limit` window the API enforces. `searchAfter` values
//! compare as text, as the service declares them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::errors::bad_request;
use crate::query::{compare, sort_keys, sort_values};
use crate::synthetic;
use crate::tenant::Tenant;

pub async fn search(State(t): State<Arc<Tenant>>, Query(q): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return bad_request("The request body is not valid JSON.") };
    if !body.is_object() {
        return bad_request("The request body must be a JSON object.");
    }
    let num = |k: &str, d: usize| {
        q.get(k).map_or(Ok(d), |v| v.parse::<usize>().map_err(|_| bad_request(format!("`{k}` must be an integer"))))
    };
    let (offset, limit) = match (num("offset", 0), num("limit", 250)) {
        (Ok(o), Ok(l)) => (o, l),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if limit == 0 || limit > 10_000 || offset + limit > 10_000 {
        return bad_request("offset + limit must not exceed 10000; page with searchAfter instead");
    }
    let sort: Vec<&str> = body["sort"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let keys = sort_keys(sort);
    let mut docs: Vec<Value> = (0..t.config.identities).map(synthetic::identity_document).collect();
    docs.sort_by(|a, b| compare(a, &keys, &sort_values(b, &keys)));
    let after: Option<Vec<String>> = body["searchAfter"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).collect());
    let start = match &after {
        Some(a) => docs.partition_point(|d| compare(d, &keys, a).is_le()),
        None => 0,
    };
    let page: Vec<Value> = docs.into_iter().skip(start + offset).take(limit).collect();
    Json(page).into_response()
}
