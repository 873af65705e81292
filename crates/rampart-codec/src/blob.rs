//! `Blob`: binary members, carried as standard padded base64 strings in AWS JSON.

use base64_simd::STANDARD;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Bytes of a `blob` member. `Debug` shows only the length, never the content.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Blob(pub Vec<u8>);

impl Blob {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes the bytes out.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl Serialize for Blob {
    /// Base64 never needs JSON escaping, so the quoted text goes out as a raw JSON value:
    /// serde_json's per-byte escape scan of a 5 KiB string was ~12% of server CPU per Encrypt.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            // CBOR: a byte string.
            return serializer.serialize_bytes(&self.0);
        }
        let mut quoted = String::with_capacity(STANDARD.encoded_length(self.0.len()) + 2);
        quoted.push('"');
        STANDARD.encode_append(&self.0, &mut quoted);
        quoted.push('"');
        match serde_json::value::RawValue::from_string(quoted) {
            Ok(raw) => raw.serialize(serializer),
            Err(_) => serializer.serialize_str(&STANDARD.encode_to_string(&self.0)),
        }
    }
}

struct BlobVisitor;

impl Visitor<'_> for BlobVisitor {
    type Value = Blob;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base64-encoded string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
        STANDARD
            .decode_to_vec(v)
            .map(Blob)
            .map_err(|_| E::custom(INVALID_BASE64))
    }
}

/// The error text a blob decoder reports; `decode_input` recognises it.
pub(crate) const INVALID_BASE64: &str = "invalid base64";

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(BlobVisitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_padded_standard_base64() {
        let blob = Blob(b"hello?>".to_vec());
        let json = serde_json::to_string(&blob).unwrap();
        assert_eq!(json, "\"aGVsbG8/Pg==\"");
        let back: Blob = serde_json::from_str(&json).unwrap();
        assert_eq!(back, blob);
    }

    #[test]
    fn rejects_invalid_base64() {
        let bad_cases = [
            "\"not base64!\"",
            "\"aGVsbG8\"",
            "\"aGVsbG8_Pg==\"",
            "12",
            // Non-zero bits after the last byte, padding in the middle, a lone padding.
            "\"aGVsbG9=\"",
            "\"aG=sbG8/Pg==\"",
            "\"=\"",
        ];
        for bad in bad_cases {
            assert!(serde_json::from_str::<Blob>(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<Blob>("\"%%%\"").unwrap_err();
        assert!(err.to_string().contains(INVALID_BASE64));
    }

    #[test]
    fn debug_shows_only_length() {
        let blob = Blob(b"secret".to_vec());
        assert_eq!(format!("{blob:?}"), "Blob(6 bytes)");
        assert_eq!(blob.len(), 6);
        assert!(!blob.is_empty());
    }
}
