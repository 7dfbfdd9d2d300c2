//! `POST /{version}/search` over the synthetic identities, with `sort`,
//! `searchAfter`, and the 10,000 `offset + limit` window the API enforces.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::errors::bad_request;
use crate::synthetic;
use crate::tenant::Tenant;

fn field(v: &Value, path: &str) -> String {
    let v = path.split('.').fold(v, |v, k| v.get(k).unwrap_or(&Value::Null));
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub async fn search(State(t): State<Arc<Tenant>>, Query(q): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return bad_request("The request body is not valid JSON.") };
    if !body.is_object() {
        return bad_request("The request body must be a JSON object.");
    }
    let num = |k: &str, d: usize| q.get(k).map_or(Ok(d), |v| v.parse::<usize>().map_err(|_| bad_request(format!("`{k}` must be an integer"))));
    let (offset, limit) = match (num("offset", 0), num("limit", 250)) {
        (Ok(o), Ok(l)) => (o, l),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if limit == 0 || limit > 10_000 || offset + limit > 10_000 {
        return bad_request("offset + limit must not exceed 10000; page with searchAfter instead");
    }
    let sort: Vec<String> = body["sort"].as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default();
    let mut docs: Vec<Value> = (0..t.config.identities).map(synthetic::identity_document).collect();
    let keys: Vec<(String, bool)> = sort
        .iter()
        .map(|s| match s.strip_prefix('-') {
            Some(f) => (f.to_string(), true),
            None => (s.trim_start_matches('+').to_string(), false),
        })
        .collect();
    let cmp = |a: &Value, b: &[String]| {
        for (i, (k, desc)) in keys.iter().enumerate() {
            let o = field(a, k).cmp(b.get(i).unwrap_or(&String::new()));
            let o = if *desc { o.reverse() } else { o };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    };
    docs.sort_by(|a, b| {
        let bk: Vec<String> = keys.iter().map(|(k, _)| field(b, k)).collect();
        cmp(a, &bk)
    });
    let after: Option<Vec<String>> = body["searchAfter"].as_array().map(|a| a.iter().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).collect());
    let start = match &after {
        Some(a) => docs.partition_point(|d| cmp(d, a).is_le()),
        None => 0,
    };
    let page: Vec<Value> = docs.into_iter().skip(start + offset).take(limit).collect();
    Json(page).into_response()
}
