//! Files in `multipart/form-data` requests.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::multipart::Part;

/// A file part named `file_name`, with the media type its extension says
/// (`accounts.csv` → `text/csv`, unknown → `application/octet-stream`).
///
/// Servers read a part without `Content-Type` as text; some parsers refuse
/// it outright, so every file part the SDK sends carries one.
///
/// ```
/// let part = sailpoint_runtime::file_part("accounts.csv", b"id,name\n".to_vec());
/// # let _ = part;
/// ```
pub fn file_part(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Part {
    let file_name = file_name.into();
    let media_type = mime_guess::from_path(&file_name).first_or_octet_stream();
    let value =
        HeaderValue::from_str(media_type.essence_str()).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, value);
    Part::bytes(bytes.into()).file_name(file_name).headers(headers)
}

#[cfg(test)]
mod tests {
    #[test]
    fn media_types_follow_the_extension() {
        for (name, expected) in
            [("a.csv", "text/csv"), ("driver.jar", "application/java-archive"), ("x.unknownext", "application/octet-stream")]
        {
            assert_eq!(mime_guess::from_path(name).first_or_octet_stream().essence_str(), expected, "{name}");
        }
    }
}
