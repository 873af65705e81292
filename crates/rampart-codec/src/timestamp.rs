//! `Timestamp`: AWS JSON timestamps as epoch seconds (integer, or fractional to the millisecond).

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::OffsetDateTime;

/// A `timestamp` member. Serialized the way botocore parses awsJson timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    /// Milliseconds since the Unix epoch (floored).
    pub fn epoch_millis(&self) -> i128 {
        self.0.unix_timestamp_nanos().div_euclid(1_000_000)
    }

    /// The time `ms` milliseconds after the Unix epoch (the epoch itself if out of range):
    /// how services keep times in their records.
    pub fn from_epoch_millis(ms: i64) -> Self {
        let nanos = i128::from(ms) * 1_000_000;
        Timestamp(
            OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        )
    }
}

impl Timestamp {
    /// ISO 8601 in UTC as the AWS query and XML protocols write it: `2024-01-07T10:20:30Z`,
    /// with `.123` milliseconds only when they are not zero.
    pub fn to_iso8601(&self) -> String {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        let millis = t.millisecond();
        let fraction = if millis == 0 {
            String::new()
        } else {
            format!(".{millis:03}")
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// Parses an RFC 3339 / ISO 8601 date-time (`2024-01-07T10:20:30Z`, fractions and offsets
    /// allowed) or epoch seconds, as query-protocol clients send timestamps.
    pub fn parse_iso8601(text: &str) -> Option<Self> {
        let rfc3339 = &time::format_description::well_known::Rfc3339;
        if let Ok(t) = OffsetDateTime::parse(text, rfc3339) {
            return Some(Self(t));
        }
        let seconds: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && v.abs() <= 1e12)?;
        let millis = (seconds * 1000.0).round() as i128;
        OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000)
            .ok()
            .map(Self)
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Self(t)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let millis = self.epoch_millis();
        if !serializer.is_human_readable() {
            // CBOR: tag 1 epoch seconds.
            return super::cbor::serialize_epoch(millis, serializer);
        }
        if millis % 1000 == 0 {
            serializer.serialize_i64(self.0.unix_timestamp())
        } else {
            // Millisecond precision: exact enough for any date an f64 can carry.
            serializer.serialize_f64(millis as f64 / 1000.0)
        }
    }
}

struct TimestampVisitor;

impl TimestampVisitor {
    fn from_nanos<E: de::Error>(nanos: i128) -> Result<Timestamp, E> {
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .map(Timestamp)
            .map_err(|_| E::custom("timestamp out of range"))
    }
}

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("epoch seconds as a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
        Self::from_nanos(i128::from(v) * 1_000_000_000)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
        Self::from_nanos(i128::from(v) * 1_000_000_000)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
        if !v.is_finite() || v.abs() > 1e12 {
            return Err(E::custom("timestamp out of range"));
        }
        // Round to the millisecond, the precision AWS keeps.
        let millis = (v * 1000.0).round() as i128;
        Self::from_nanos(millis * 1_000_000)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimestampVisitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn whole_seconds_serialize_as_integer() {
        let t = Timestamp(datetime!(2023-11-14 22:13:20 UTC));
        assert_eq!(serde_json::to_string(&t).unwrap(), "1700000000");
    }

    #[test]
    fn fractions_serialize_with_milliseconds() {
        let t = Timestamp(datetime!(2023-11-14 22:13:20.123456 UTC));
        assert_eq!(serde_json::to_string(&t).unwrap(), "1700000000.123");
        let t = Timestamp(datetime!(2023-11-14 22:13:20.5 UTC));
        assert_eq!(serde_json::to_string(&t).unwrap(), "1700000000.5");
    }

    #[test]
    fn deserializes_integers_and_floats() {
        let t: Timestamp = serde_json::from_str("1700000000").unwrap();
        assert_eq!(t.0, datetime!(2023-11-14 22:13:20 UTC));
        let t: Timestamp = serde_json::from_str("1700000000.25").unwrap();
        assert_eq!(t.0, datetime!(2023-11-14 22:13:20.25 UTC));
        let t: Timestamp = serde_json::from_str("-1.5").unwrap();
        assert_eq!(t.0, datetime!(1969-12-31 23:59:58.5 UTC));
        assert_eq!(serde_json::to_string(&t).unwrap(), "-1.5");
    }

    #[test]
    fn iso8601_round_trips() {
        let t = Timestamp(datetime!(2024-01-07 10:20:30 UTC));
        assert_eq!(t.to_iso8601(), "2024-01-07T10:20:30Z");
        let t = Timestamp(datetime!(2024-01-07 10:20:30.045678 UTC));
        assert_eq!(t.to_iso8601(), "2024-01-07T10:20:30.045Z");
        let t = Timestamp(datetime!(2024-01-07 12:20:30 +02:00));
        assert_eq!(t.to_iso8601(), "2024-01-07T10:20:30Z");
        let parsed = Timestamp::parse_iso8601("2024-01-07T10:20:30.5Z").unwrap();
        assert_eq!(parsed.0, datetime!(2024-01-07 10:20:30.5 UTC));
        let parsed = Timestamp::parse_iso8601("1700000000").unwrap();
        assert_eq!(parsed.0, datetime!(2023-11-14 22:13:20 UTC));
        for bad in ["2024-01-07", "yesterday", "1e300", ""] {
            assert!(Timestamp::parse_iso8601(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn rejects_strings_and_absurd_values() {
        assert!(serde_json::from_str::<Timestamp>("\"2023-01-01\"").is_err());
        assert!(serde_json::from_str::<Timestamp>("1e300").is_err());
        assert!(serde_json::from_str::<Timestamp>("9223372036854775807").is_err());
    }
}
