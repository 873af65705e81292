//! The seal record as stored (table `meta`, key `seal`, JSON): format 1 (before share
//! commitments) and format 2 (current). Every format is decoded into its own struct and
//! migrated (`V1::decode(..).map(V1::migrate)`); only the current format is written.

use crate::seal::{Argon2Params, SealMode, SealedRoot};
use crate::share_check::ShareCheck;
use serde::{Deserialize, Serialize};

/// The format this version writes.
pub(crate) const FORMAT: u32 = 2;

/// Bytes stored as one standard base64 string.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Digest(#[serde(with = "b64")] pub(crate) Vec<u8>);

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Digest({} bytes)", self.0.len())
    }
}

/// Format 2: format 1 plus commitments to each Shamir share (Shamir seals only).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct V2 {
    mode: SealMode,
    format: u32,
    #[serde(with = "b64")]
    wrapped_root: Vec<u8>,
    #[serde(with = "b64")]
    kek_check: Vec<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    argon2: Option<Argon2Params>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    share_check: Option<ShareCheck>,
}

/// Format 1: no share commitments.
#[derive(Deserialize)]
struct V1 {
    mode: SealMode,
    #[serde(with = "b64")]
    wrapped_root: Vec<u8>,
    #[serde(with = "b64")]
    kek_check: Vec<u8>,
    #[serde(default)]
    argon2: Option<Argon2Params>,
}

impl V1 {
    fn decode(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        V1::deserialize(value)
    }

    /// A Shamir record of format 1 has no commitments: the unsealer falls back to trying
    /// candidate shares and computes the commitments once the root key opens.
    fn migrate(self) -> SealedRoot {
        SealedRoot {
            mode: self.mode,
            wrapped_root: self.wrapped_root,
            kek_check: self.kek_check,
            argon2: self.argon2,
            share_check: None,
        }
    }
}

impl TryFrom<serde_json::Value> for SealedRoot {
    type Error = String;

    fn try_from(value: serde_json::Value) -> Result<Self, String> {
        let format = value.get("format").and_then(serde_json::Value::as_u64);
        let decoded = match format {
            Some(1) => V1::decode(value).map(V1::migrate),
            Some(2) => V2::deserialize(value).map(SealedRoot::from),
            _ => return Err(format!("unsupported seal record format {format:?}")),
        };
        decoded.map_err(|e| format!("seal record: {e}"))
    }
}

impl From<V2> for SealedRoot {
    fn from(v: V2) -> Self {
        SealedRoot {
            mode: v.mode,
            wrapped_root: v.wrapped_root,
            kek_check: v.kek_check,
            argon2: v.argon2,
            share_check: v.share_check,
        }
    }
}

impl From<SealedRoot> for V2 {
    fn from(s: SealedRoot) -> Self {
        V2 {
            mode: s.mode,
            format: FORMAT,
            wrapped_root: s.wrapped_root,
            kek_check: s.kek_check,
            argon2: s.argon2,
            share_check: s.share_check,
        }
    }
}

/// Serde helper: bytes as standard base64 strings.
pub(crate) mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
