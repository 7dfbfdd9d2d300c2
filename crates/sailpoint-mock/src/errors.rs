//! Errors in SailPoint's shapes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An `ErrorResponseDto` with `status` and one English message.
pub fn dto(status: StatusCode, text: impl Into<String>) -> Response {
    let detail = match status.as_u16() {
        400 => "400.1 Bad Request Content",
        404 => "404 Object Not Found",
        403 => "403 Forbidden",
        409 => "409 Conflict",
        413 => "413 Payload Too Large",
        _ => "500.0 Internal Fault",
    };
    let body = json!({
        "detailCode": detail,
        "trackingId": format!("{:032x}", fastrand::u128(..)),
        "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": text.into()}],
        "causes": []
    });
    (status, axum::Json(body)).into_response()
}

pub fn bad_request(text: impl Into<String>) -> Response {
    dto(StatusCode::BAD_REQUEST, text)
}

pub fn not_found(what: &str, id: &str) -> Response {
    dto(StatusCode::NOT_FOUND, format!("The {what} \"{id}\" was not found."))
}

/// 401 in the shape the API uses for token problems.
pub fn unauthorized(text: &str) -> Response {
    (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": text}))).into_response()
}

/// 429 with `Retry-After` (whole seconds, at least 1).
pub fn rate_limited(retry_after_secs: u64) -> Response {
    rate_limited_after(Some(retry_after_secs.max(1)))
}

/// 429 with `Retry-After` as given (whole seconds), or none.
pub fn rate_limited_after(retry_after_secs: Option<u64>) -> Response {
    let mut r = (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({"message": "Rate Limit Exceeded"}))).into_response();
    if let Some(secs) = retry_after_secs {
        r.headers_mut().insert("retry-after", secs.into());
    }
    r
}
