//! Decoding response bodies with errors that say where and why.

use progenitor_client::{Error, OperationInfo, ResponseValue};
use serde::de::{DeserializeOwned, Error as _};

/// Decodes a JSON response body into `T`.
///
/// On failure the error is `Error::InvalidResponsePayload` with the raw body
/// and a message naming the operation, the HTTP status and the JSON path of
/// the value that did not decode, e.g.
/// ``list_sources: HTTP 200 OK: at `[0].features[2]`: invalid type: …``.
pub async fn decode_response<T: DeserializeOwned, E>(
    response: reqwest::Response,
    info: &OperationInfo,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    match decode_json::<T>(&body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(message) => {
            // An error body that is not the JSON the spec describes (a proxy's
            // HTML page, an empty body) is kept as `rawBody` of the error type.
            if !status.is_success()
                && let Some(value) = raw_body_value::<T>(&body) {
                    return Ok(ResponseValue::new(value, status, headers));
                }
            Err(Error::InvalidResponsePayload(
            body,
            serde_json::Error::custom(format!("{}: HTTP {status}: {message}", info.operation_id)),
        ))
        }
    }
}

/// `T` (an error type with a `rawBody` field) holding `body` as text.
fn raw_body_value<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let text = String::from_utf8_lossy(body);
    serde_json::from_value(serde_json::json!({ "rawBody": text })).ok()
}

/// The catch-all of a generated method: a status the operation does not
/// declare. An error status becomes `Error::ErrorResponse` with the body
/// decoded into the error type (or kept in its `rawBody`), so that status,
/// headers and body reach the caller; anything else stays
/// `Error::UnexpectedResponse`.
pub async fn unexpected_response<E: DeserializeOwned>(response: reqwest::Response, info: &OperationInfo) -> Error<E> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Error::UnexpectedResponse(response);
    }
    let headers = response.headers().clone();
    let body = match response.bytes().await {
        Ok(b) => b,
        Err(e) => return Error::ResponseBodyError(e),
    };
    let decoded = decode_json::<E>(&body).ok().or_else(|| raw_body_value::<E>(&body));
    match decoded {
        Some(value) => Error::ErrorResponse(ResponseValue::new(value, status, headers)),
        None => Error::InvalidResponsePayload(
            body,
            serde_json::Error::custom(format!("{}: HTTP {status}: undeclared status", info.operation_id)),
        ),
    }
}

/// Decodes `bytes` as `T`; the error names the JSON path of the failure.
///
/// Decoding runs at full speed; only a body that fails is decoded a second
/// time, tracking the path, to say where.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(_) => decode_json_with_path(bytes),
    }
}

fn decode_json_with_path<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." { inner.to_string() } else { format!("at `{path}`: {inner}") }
    })?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Item {
        #[allow(dead_code)]
        n: u32,
    }

    #[test]
    fn names_the_path() {
        let err = decode_json::<Vec<Item>>(br#"[{"n": 1}, {"n": "x"}]"#).unwrap_err();
        assert!(err.starts_with("at `[1].n`: invalid type"), "{err}");
        assert!(decode_json::<Vec<Item>>(b"[] trailing").is_err());
        assert!(decode_json::<Vec<Item>>(b"").is_err());
    }
}
