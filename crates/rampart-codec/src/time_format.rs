//! Body timestamps whose model overrides the JSON default of epoch seconds
//! (`timestampFormat: iso8601 | rfc822`): `#[serde(with = "...")]` modules for
//! `Option<Timestamp>` members. Non-human-readable formats (CBOR) keep tag 1 epoch seconds.

use super::Timestamp;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes with `render` for JSON, as the plain `Timestamp` otherwise.
fn write<S: Serializer>(
    value: &Option<Timestamp>,
    serializer: S,
    render: fn(&Timestamp) -> String,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(t) if serializer.is_human_readable() => serializer.serialize_str(&render(t)),
        other => other.serialize(serializer),
    }
}

/// Reads a string with `parse`, or any timestamp the plain `Timestamp` accepts.
fn read<'de, D: Deserializer<'de>>(
    deserializer: D,
    parse: fn(&str) -> Option<Timestamp>,
) -> Result<Option<Timestamp>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Text(String),
        Plain(Timestamp),
    }
    match Option::<Wire>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Wire::Plain(t)) => Ok(Some(t)),
        Some(Wire::Text(s)) => parse(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom("invalid timestamp")),
    }
}

/// `timestampFormat: iso8601` (`2024-01-07T10:20:30.5Z`).
pub mod iso8601 {
    use super::{Timestamp, read, write};
    use serde::{Deserializer, Serializer};

    /// Writes ISO 8601.
    pub fn serialize<S: Serializer>(v: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        write(v, s, Timestamp::to_iso8601)
    }

    /// Reads ISO 8601 (or epoch seconds).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        read(d, Timestamp::parse_iso8601)
    }
}

/// `timestampFormat: rfc822` (`Sun, 07 Jan 2024 10:20:30 GMT`).
pub mod http_date {
    use super::{Timestamp, read, write};
    use crate::rest_bind::{http_date, parse_http_date};
    use serde::{Deserializer, Serializer};

    /// Writes an IMF-fixdate.
    pub fn serialize<S: Serializer>(v: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        write(v, s, http_date)
    }

    /// Reads an IMF-fixdate (or epoch seconds).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        read(d, parse_http_date)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct S {
        #[serde(default, with = "iso8601")]
        a: Option<Timestamp>,
        #[serde(default, with = "http_date")]
        b: Option<Timestamp>,
    }

    #[test]
    fn formats_round_trip() {
        let t = Timestamp(datetime!(2024-01-07 10:20:30 UTC));
        let s = S {
            a: Some(t),
            b: Some(t),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"a":"2024-01-07T10:20:30Z","b":"Sun, 07 Jan 2024 10:20:30 GMT"}"#
        );
        assert_eq!(serde_json::from_str::<S>(&json).unwrap(), s);
        let epoch: S = serde_json::from_str(r#"{"a":1704622830,"b":null}"#).unwrap();
        assert_eq!((epoch.a, epoch.b), (Some(t), None));
        assert!(serde_json::from_str::<S>(r#"{"a":"yesterday"}"#).is_err());
    }
}
