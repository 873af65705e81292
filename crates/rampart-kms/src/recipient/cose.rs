//! The Nitro Enclaves attestation document: a COSE_Sign1 structure (RFC 9052) over a CBOR map,
//! signed with ES384 by the enclave's certificate. Parsed with ciborium; the signature is checked
//! with aws-lc-rs over the COSE `Sig_structure`.

use aws_lc_rs::signature::{ECDSA_P384_SHA384_FIXED, UnparsedPublicKey};
use ciborium::Value;
use std::collections::BTreeMap;

/// COSE algorithm id of ES384 (ECDSA with SHA-384).
const ES384: i64 = -35;
/// CBOR tag of a COSE_Sign1 message.
const COSE_SIGN1_TAG: u64 = 18;

/// The parts of a COSE_Sign1 message.
pub struct Sign1 {
    protected: Vec<u8>,
    /// The signed payload (the attestation document's CBOR map).
    pub payload: Vec<u8>,
    signature: Vec<u8>,
}

/// What the attestation document's payload says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// `digest`: the PCR digest algorithm (`SHA384`).
    pub digest: String,
    /// `timestamp`: when the document was made, epoch milliseconds.
    pub timestamp_ms: u64,
    /// `pcrs`: platform configuration registers by index.
    pub pcrs: BTreeMap<u32, Vec<u8>>,
    /// `certificate`: the enclave's certificate (DER), whose key signed the document.
    pub certificate: Vec<u8>,
    /// `cabundle`: the issuing chain, root first (DER).
    pub cabundle: Vec<Vec<u8>>,
    /// `public_key`: the recipient's public key (DER SubjectPublicKeyInfo).
    pub public_key: Option<Vec<u8>>,
}

/// Splits a COSE_Sign1 message (tagged or not) into its parts; the protected header must name
/// ES384.
pub fn parse_sign1(bytes: &[u8]) -> Result<Sign1, String> {
    let value: Value = ciborium::from_reader(bytes).map_err(|_| "it is not CBOR".to_owned())?;
    let value = match value {
        Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
        other => other,
    };
    let Value::Array(parts) = value else {
        return Err("it is not a COSE_Sign1 array".into());
    };
    let [protected, _unprotected, payload, signature] = <[Value; 4]>::try_from(parts)
        .map_err(|_| "a COSE_Sign1 array has four members".to_owned())?;
    let (Value::Bytes(protected), Value::Bytes(payload), Value::Bytes(signature)) =
        (protected, payload, signature)
    else {
        return Err("COSE_Sign1 members are not byte strings".into());
    };
    if protected_alg(&protected) != Some(ES384) {
        return Err("the COSE algorithm is not ES384".into());
    }
    Ok(Sign1 {
        protected,
        payload,
        signature,
    })
}

/// The `alg` (label 1) of a serialized protected header.
fn protected_alg(protected: &[u8]) -> Option<i64> {
    let Ok(Value::Map(entries)) = ciborium::from_reader::<Value, _>(protected) else {
        return None;
    };
    entries.into_iter().find_map(|(k, v)| match (k, v) {
        (Value::Integer(k), Value::Integer(v)) if i128::from(k) == 1 => i64::try_from(v).ok(),
        _ => None,
    })
}

impl Sign1 {
    /// Checks the ES384 signature with `public_point` (an uncompressed P-384 point).
    pub fn verify(&self, public_point: &[u8]) -> Result<(), String> {
        let sig_structure = Value::Array(vec![
            Value::Text("Signature1".into()),
            Value::Bytes(self.protected.clone()),
            Value::Bytes(Vec::new()),
            Value::Bytes(self.payload.clone()),
        ]);
        let mut signed = Vec::new();
        ciborium::into_writer(&sig_structure, &mut signed)
            .map_err(|_| "the COSE Sig_structure cannot be encoded".to_owned())?;
        UnparsedPublicKey::new(&ECDSA_P384_SHA384_FIXED, public_point)
            .verify(&signed, &self.signature)
            .map_err(|_| "its COSE signature does not verify".to_owned())
    }
}

/// Reads the attestation document's payload map.
pub fn parse_document(payload: &[u8]) -> Result<Document, String> {
    let Ok(Value::Map(entries)) = ciborium::from_reader::<Value, _>(payload) else {
        return Err("its payload is not a CBOR map".into());
    };
    let mut doc = Document::default();
    for (key, value) in entries {
        let Value::Text(key) = key else { continue };
        match (key.as_str(), value) {
            ("digest", Value::Text(d)) => doc.digest = d,
            ("timestamp", Value::Integer(t)) => doc.timestamp_ms = u64::try_from(t).unwrap_or(0),
            ("pcrs", Value::Map(pcrs)) => doc.pcrs = parse_pcrs(pcrs)?,
            ("certificate", Value::Bytes(c)) => doc.certificate = c,
            ("cabundle", Value::Array(certs)) => doc.cabundle = byte_strings(certs)?,
            ("public_key", Value::Bytes(k)) => doc.public_key = Some(k),
            _ => {}
        }
    }
    if doc.certificate.is_empty() || doc.cabundle.is_empty() {
        return Err("it has no certificate or no cabundle".into());
    }
    Ok(doc)
}

fn parse_pcrs(entries: Vec<(Value, Value)>) -> Result<BTreeMap<u32, Vec<u8>>, String> {
    entries
        .into_iter()
        .map(|(k, v)| match (k, v) {
            (Value::Integer(k), Value::Bytes(v)) => u32::try_from(k)
                .map(|k| (k, v))
                .map_err(|_| "a PCR index is out of range".to_owned()),
            _ => Err("pcrs is not a map of indexes to byte strings".to_owned()),
        })
        .collect()
}

fn byte_strings(values: Vec<Value>) -> Result<Vec<Vec<u8>>, String> {
    values
        .into_iter()
        .map(|v| match v {
            Value::Bytes(b) => Ok(b),
            _ => Err("cabundle holds something other than certificates".to_owned()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).unwrap_or_default();
        out
    }

    fn protected(alg: i64) -> Vec<u8> {
        encode(&Value::Map(vec![(
            Value::Integer(1.into()),
            Value::Integer(alg.into()),
        )]))
    }

    #[test]
    fn parses_tagged_and_untagged_sign1_and_refuses_other_algorithms() {
        let sign1 = |alg| {
            Value::Array(vec![
                Value::Bytes(protected(alg)),
                Value::Map(Vec::new()),
                Value::Bytes(b"payload".to_vec()),
                Value::Bytes(vec![0; 96]),
            ])
        };
        let plain = encode(&sign1(ES384));
        assert_eq!(
            parse_sign1(&plain).map(|s| s.payload).ok(),
            Some(b"payload".to_vec())
        );
        let tagged = encode(&Value::Tag(COSE_SIGN1_TAG, Box::new(sign1(ES384))));
        assert!(parse_sign1(&tagged).is_ok());
        assert!(
            parse_sign1(&encode(&sign1(-7))).is_err(),
            "ES256 is refused"
        );
        assert!(parse_sign1(b"\xff\x00").is_err());
        let bad_sig = parse_sign1(&plain).map(|s| s.verify(&[4; 97]));
        assert!(matches!(bad_sig, Ok(Err(_))));
    }

    #[test]
    fn reads_the_payload_fields() {
        let payload = encode(&Value::Map(vec![
            (Value::Text("digest".into()), Value::Text("SHA384".into())),
            (Value::Text("timestamp".into()), Value::Integer(5.into())),
            (
                Value::Text("pcrs".into()),
                Value::Map(vec![(Value::Integer(0.into()), Value::Bytes(vec![7; 48]))]),
            ),
            (Value::Text("certificate".into()), Value::Bytes(vec![1])),
            (
                Value::Text("cabundle".into()),
                Value::Array(vec![Value::Bytes(vec![2])]),
            ),
            (Value::Text("public_key".into()), Value::Bytes(vec![3])),
            (Value::Text("user_data".into()), Value::Null),
        ]));
        let doc = parse_document(&payload).unwrap_or_default();
        assert_eq!(doc.digest, "SHA384");
        assert_eq!(doc.timestamp_ms, 5);
        assert_eq!(doc.pcrs.get(&0), Some(&vec![7; 48]));
        assert_eq!(doc.cabundle, vec![vec![2]]);
        assert_eq!(doc.public_key, Some(vec![3]));
        let empty = encode(&Value::Map(Vec::new()));
        assert!(parse_document(&empty).is_err());
    }
}
