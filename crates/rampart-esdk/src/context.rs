//! The encryption context: key-value pairs bound to the message, and their serialization
//! (count, then each key and value with its length, sorted by key).

use crate::error::{Error, Result};
use crate::wire::{Cursor, put_short_bytes};
use std::collections::BTreeMap;

/// Context keys starting with this are reserved to the SDK.
pub const RESERVED_PREFIX: &str = "aws-crypto-";
/// The key under which signed messages carry the verification key.
pub const PUBLIC_KEY: &str = "aws-crypto-public-key";

/// An encryption context. Keys sort by their UTF-8 bytes, as the serialization requires.
pub type EncryptionContext = BTreeMap<String, String>;

/// Checks a caller's context: no reserved key.
pub fn check_caller_context(context: &EncryptionContext) -> Result<()> {
    match context.keys().find(|k| k.starts_with(RESERVED_PREFIX)) {
        Some(key) => Err(Error::Context(format!(
            "the key {key:?} is reserved (keys starting with {RESERVED_PREFIX:?})"
        ))),
        None => Ok(()),
    }
}

/// The serialized pairs (empty for an empty context, no count).
pub fn serialize(context: &EncryptionContext) -> Result<Vec<u8>> {
    if context.is_empty() {
        return Ok(Vec::new());
    }
    let count = u16::try_from(context.len())
        .map_err(|_| Error::Context("more than 65,535 pairs".into()))?;
    let mut out = count.to_be_bytes().to_vec();
    for (key, value) in context {
        put_short_bytes(&mut out, key.as_bytes(), "encryption context key too long")?;
        put_short_bytes(
            &mut out,
            value.as_bytes(),
            "encryption context value too long",
        )?;
    }
    Ok(out)
}

/// Parses serialized pairs: UTF-8, no duplicate key, nothing left over.
pub fn parse(bytes: &[u8]) -> Result<EncryptionContext> {
    let mut context = EncryptionContext::new();
    if bytes.is_empty() {
        return Ok(context);
    }
    let mut cursor = Cursor::new(bytes);
    let count = cursor.u16("encryption context count")?;
    if count == 0 {
        return Err(Error::Malformed("encryption context with a zero count"));
    }
    for _ in 0..count {
        let key = text(cursor.short_bytes("encryption context key")?)?;
        let value = text(cursor.short_bytes("encryption context value")?)?;
        if context.insert(key, value).is_some() {
            return Err(Error::Malformed("duplicate encryption context key"));
        }
    }
    if !cursor.is_empty() {
        return Err(Error::Malformed("bytes after the encryption context"));
    }
    Ok(context)
}

fn text(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::Malformed("encryption context not UTF-8"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serializes_sorted_and_parses_back() {
        let mut context = EncryptionContext::new();
        context.insert("b".into(), "2".into());
        context.insert("a".into(), "1".into());
        let bytes = serialize(&context).unwrap();
        assert_eq!(hex::encode(&bytes), "0002000161000131000162000132");
        assert_eq!(parse(&bytes).unwrap(), context);
        assert!(serialize(&EncryptionContext::new()).unwrap().is_empty());
    }

    #[test]
    fn rejects_duplicates_trailing_bytes_and_reserved_keys() {
        assert!(parse(&hex::decode("0002000161000131000161000132").unwrap()).is_err());
        assert!(parse(&hex::decode("00010001610001310a").unwrap()).is_err());
        let mut context = EncryptionContext::new();
        context.insert(PUBLIC_KEY.into(), "x".into());
        assert!(check_caller_context(&context).is_err());
    }
}
