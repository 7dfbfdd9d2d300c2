//! Decoding response bodies with errors that say where and why.

use serde::de::DeserializeOwned;

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
