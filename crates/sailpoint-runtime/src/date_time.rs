//! A date-time that keeps the text the API sent.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp as SailPoint sends it.
///
/// The API sends RFC 3339 timestamps, but also some without a time zone or
/// with other precisions, and some as milliseconds since the Unix epoch (a
/// JSON number, e.g. password policies' `dateCreated`). `DateTime` accepts
/// any string or integer, writes it back unchanged (a number stays a
/// number), and parses it when asked: [`DateTime::to_utc`].
///
/// ```
/// use sailpoint_runtime::DateTime;
/// let t: DateTime = "2024-01-02T03:04:05".parse().unwrap();
/// assert_eq!(t.to_utc().unwrap().to_rfc3339(), "2024-01-02T03:04:05+00:00");
/// assert_eq!(t.as_str(), "2024-01-02T03:04:05");
///
/// let millis: DateTime = serde_json::from_str("1639056206564").unwrap();
/// assert_eq!(millis.to_utc().unwrap().to_rfc3339(), "2021-12-09T13:23:26.564+00:00");
/// assert_eq!(serde_json::to_string(&millis).unwrap(), "1639056206564");
/// ```
///
/// Values order by instant, whatever their form (see [`Ord`](#impl-Ord-for-DateTime)).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DateTime(String, WireForm);

/// Chronological, across forms: epoch milliseconds and text compare by the
/// instant they name (each comparison parses both, as
/// [`DateTime::to_utc`] does). Two texts of the same instant
/// (`…05Z`, `…05+00:00`) order by their text. A value that is not a
/// timestamp comes after every timestamp, ordered by its text.
///
/// ```
/// use sailpoint_runtime::DateTime;
/// let millis: DateTime = serde_json::from_str("1639056206564").unwrap(); // 2021-12-09
/// let text: DateTime = "2020-01-01T00:00:00Z".parse().unwrap();
/// let offset: DateTime = "2021-12-09T15:00:00+0100".parse().unwrap(); // 14:00 UTC
/// let junk: DateTime = "not a date".parse().unwrap();
/// let mut all = vec![junk.clone(), offset.clone(), millis.clone(), text.clone()];
/// all.sort();
/// assert_eq!(all, [text, millis, offset, junk]);
/// ```
impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (a, b) = (self.to_utc(), other.to_utc());
        (a.is_none(), a, &self.0, self.1).cmp(&(b.is_none(), b, &other.0, other.1))
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// How the timestamp was written.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum WireForm {
    Text,
    EpochMillis,
}

impl DateTime {
    /// The text as received (a number as its decimal digits).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant in UTC, from any of the forms SailPoint writes:
    ///
    /// - RFC 3339: `Z` or an offset with a colon (`+05:30`);
    /// - an offset without a colon (`+0000`, `-0700`), as Java's
    ///   `SimpleDateFormat` writes it (SailPoint's `Schedule` examples);
    /// - no zone at all, read as UTC;
    /// - milliseconds since the epoch (a JSON number).
    ///
    /// `None` when it is not a timestamp.
    ///
    /// ```
    /// use sailpoint_runtime::DateTime;
    /// let at = |s: &str| s.parse::<DateTime>().unwrap().to_utc().unwrap().to_rfc3339();
    /// assert_eq!(at("2023-09-25T14:07:27.000+0000"), "2023-09-25T14:07:27+00:00");
    /// assert_eq!(at("2023-09-25T07:07:27-0700"), "2023-09-25T14:07:27+00:00");
    /// assert_eq!(at("2023-09-25T19:37:27+05:30"), "2023-09-25T14:07:27+00:00");
    /// ```
    pub fn to_utc(&self) -> Option<chrono::DateTime<Utc>> {
        if self.1 == WireForm::EpochMillis {
            return self.0.parse().ok().and_then(chrono::DateTime::from_timestamp_millis);
        }
        let s = self.0.trim();
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return Some(t.with_timezone(&Utc));
        }
        // `%z` takes an offset with or without its colon.
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
            if let Ok(t) = chrono::DateTime::parse_from_str(s, fmt) {
                return Some(t.with_timezone(&Utc));
            }
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
        Self(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), WireForm::Text)
    }
}

impl FromStr for DateTime {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string(), WireForm::Text))
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
        match (self.1, self.0.parse::<i64>()) {
            (WireForm::EpochMillis, Ok(n)) => s.serialize_i64(n),
            _ => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Visitor)
    }
}

struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = DateTime;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timestamp (a string, or milliseconds since the epoch)")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
        Ok(DateTime(v.to_string(), WireForm::Text))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<DateTime, E> {
        Ok(DateTime(v, WireForm::Text))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DateTime, E> {
        Ok(DateTime(v.to_string(), WireForm::EpochMillis))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DateTime, E> {
        i64::try_from(v).map(|v| DateTime(v.to_string(), WireForm::EpochMillis)).map_err(|_| E::custom("timestamp out of range"))
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
        let n: DateTime = serde_json::from_str("0").unwrap();
        assert_eq!(n.to_utc().unwrap().timestamp(), 0);
        assert_eq!(serde_json::to_string(&n).unwrap(), "0");
        assert!(serde_json::from_str::<DateTime>("1.5").is_err());
        assert!(serde_json::from_str::<DateTime>("[]").is_err());
    }

    /// Every form SailPoint writes reads as the same instant, 14:07:27.5 UTC.
    #[test]
    fn reads_every_offset_form() {
        let instant = chrono::DateTime::parse_from_rfc3339("2023-09-25T14:07:27.5Z").unwrap().with_timezone(&Utc);
        for s in [
            "2023-09-25T14:07:27.500Z",
            "2023-09-25T14:07:27.500z",
            "2023-09-25T14:07:27.500+00:00",
            "2023-09-25T14:07:27.500+0000",
            "2023-09-25T14:07:27.500-0000",
            "2023-09-25T07:07:27.500-0700",
            "2023-09-25T07:07:27.500-07:00",
            "2023-09-25T19:37:27.500+05:30",
            "2023-09-25T19:37:27.500+0530",
            "2023-09-25 19:37:27.500+0530",
            "2023-09-25T14:07:27.500",
            "2023-09-25 14:07:27.5",
            " 2023-09-25T14:07:27.5Z ",
        ] {
            assert_eq!(s.parse::<DateTime>().unwrap().to_utc(), Some(instant), "{s}");
        }
        let millis: DateTime = serde_json::from_str("1695650847500").unwrap();
        assert_eq!(millis.to_utc(), Some(instant));
        for s in ["2023-09-25T14:07:27+00", "2023-09-25T14:07:27 +0000x", "2023-09-25T14:07:27+2500", "1695650847500"] {
            assert_eq!(s.parse::<DateTime>().unwrap().to_utc(), None, "{s}");
        }
    }

    /// The order is the instant's, and agrees with equality: two values
    /// compare equal only when they are equal.
    #[test]
    fn orders_by_instant_across_forms() {
        let millis = |n: &str| serde_json::from_str::<DateTime>(n).unwrap();
        let text = |s: &str| s.parse::<DateTime>().unwrap();
        let sorted = [
            millis("0"),
            text("1970-01-01T00:00:00.001Z"),
            text("2023-09-25T07:07:27-0700"),
            text("2023-09-25T14:07:27+00:00"),
            text("2023-09-25T14:07:27Z"),
            millis("1695650847500"),
            text("2023-09-25T14:07:28"),
            text("not a date"),
            text("soon"),
        ];
        let mut shuffled: Vec<DateTime> = sorted.iter().rev().cloned().collect();
        shuffled.swap(0, 4);
        shuffled.sort();
        assert_eq!(shuffled, sorted);
        for a in &sorted {
            for b in &sorted {
                assert_eq!(a.cmp(b) == std::cmp::Ordering::Equal, a == b, "{a:?} {b:?}");
            }
        }
    }
}
