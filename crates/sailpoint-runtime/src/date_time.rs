//! A date-time that keeps the text the API sent.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp as SailPoint sends it.
///
/// The API sends RFC 3339 timestamps, but also some without a time zone or
/// with other precisions. `DateTime` accepts any string, writes it back
/// unchanged, and parses it when asked: [`DateTime::to_utc`].
///
/// ```
/// use sailpoint_runtime::DateTime;
/// let t: DateTime = "2024-01-02T03:04:05".parse().unwrap();
/// assert_eq!(t.to_utc().unwrap().to_rfc3339(), "2024-01-02T03:04:05+00:00");
/// assert_eq!(t.as_str(), "2024-01-02T03:04:05");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime(String);

impl DateTime {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant in UTC: RFC 3339, or without an offset (read as UTC).
    /// `None` when the text is not a timestamp.
    pub fn to_utc(&self) -> Option<chrono::DateTime<Utc>> {
        let s = self.0.trim();
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return Some(t.with_timezone(&Utc));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
                return Some(t.and_utc());
            }
        }
        None
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(t: chrono::DateTime<Utc>) -> Self {
        Self(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl FromStr for DateTime {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({:?})", self.0)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_text() {
        for s in ["2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05", "2024-01-02T03:04:05.1+02:00", "not a date"] {
            let json = format!("\"{s}\"");
            let t: DateTime = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), json);
        }
        let t: DateTime = "2024-01-02T03:04:05.1+02:00".parse().unwrap();
        assert_eq!(t.to_utc().unwrap().to_rfc3339(), "2024-01-02T01:04:05.100+00:00");
        assert!(DateTime::from_str("soon").unwrap().to_utc().is_none());
    }
}
