//! Typed tables: serde_json values inside a one-byte versioned envelope.
//!
//! # Record envelope
//!
//! Every value a [`Table`] writes is `[format byte] ++ payload`:
//!
//! | first byte | payload |
//! |---|---|
//! | `0x01` ([`RECORD_FORMAT_V1`]) | the value as serde_json (UTF-8 JSON text) |
//!
//! JSON text never starts with byte `0x01`, so the envelope is unambiguous. A future encoding
//! (say a binary format, or an encrypted wrapper) takes the next byte value and
//! [`decode_record`] keeps reading every earlier one, so stored rows never need a rewrite.
//! Changes to a record's *shape* stay within JSON: add fields with `#[serde(default)]`, or
//! decode into the previous struct and migrate (`Previous::decode(bytes).map(Self::migrate)`).

use crate::{Expect, Record, Store, StoreError, Write};
use serde::{Serialize, de::DeserializeOwned};
use std::marker::PhantomData;

/// Envelope byte for serde_json records; the format this version writes.
pub const RECORD_FORMAT_V1: u8 = 1;

/// Encodes a value as `[RECORD_FORMAT_V1] ++ json`.
pub fn encode_record<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![RECORD_FORMAT_V1];
    serde_json::to_writer(&mut out, value).map_err(|e| StoreError::Encode(e.to_string()))?;
    Ok(out)
}

/// Decodes a value written by [`encode_record`] (any known envelope version).
pub fn decode_record<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&RECORD_FORMAT_V1, json)) => {
            serde_json::from_slice(json).map_err(|e| StoreError::Decode(e.to_string()))
        }
        Some((format, _)) => Err(StoreError::Decode(format!(
            "unknown record format version {format}"
        ))),
        None => Err(StoreError::Decode("empty record".into())),
    }
}

/// A stored value and the version it was read at.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    pub value: T,
    pub version: u64,
}

/// A typed view of one table: values are serde_json-encoded.
pub struct Table<T> {
    store: Store,
    name: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Table<T> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            name: self.name,
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table").field("name", &self.name).finish()
    }
}

pub(crate) fn versioned<T: DeserializeOwned>(record: &Record) -> Result<Versioned<T>, StoreError> {
    Ok(Versioned {
        value: decode_record(&record.value)?,
        version: record.version,
    })
}

impl<T: Serialize + DeserializeOwned> Table<T> {
    pub fn new(store: Store, name: &'static str) -> Self {
        Self {
            store,
            name,
            _t: PhantomData,
        }
    }

    /// The table's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The store this table reads from (to run `transact` with this table's writes).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub async fn get(&self, key: &str) -> Result<Option<Versioned<T>>, StoreError> {
        let record = self.store.get(self.name, key).await?;
        record.as_ref().map(versioned).transpose()
    }

    /// Several rows in one read ([`Store::get_many`]): one entry per key, in order, `None`
    /// where the row does not exist.
    pub async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Versioned<T>>>, StoreError> {
        let records = self.store.get_many(self.name, keys).await?;
        records
            .iter()
            .map(|r| r.as_ref().map(versioned).transpose())
            .collect()
    }

    /// A `Write::Put` of `value` under `key` (to combine in `Store::transact`).
    pub fn put(&self, key: &str, value: &T, expect: Expect) -> Result<Write, StoreError> {
        Ok(Write::Put {
            table: self.name,
            key: key.to_owned(),
            value: encode_record(value)?,
            expect,
        })
    }

    pub fn delete(&self, key: &str, expect: Expect) -> Write {
        Write::Delete {
            table: self.name,
            key: key.to_owned(),
            expect,
        }
    }

    pub async fn scan(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Versioned<T>)>, StoreError> {
        let records = self
            .store
            .scan(self.name, prefix, start_after, limit)
            .await?;
        records
            .into_iter()
            .map(|r| Ok((r.key.clone(), versioned(&r)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trip() -> Result<(), StoreError> {
        let bytes = encode_record(&vec!["a", "b"])?;
        assert_eq!(bytes.first(), Some(&RECORD_FORMAT_V1));
        assert_eq!(&bytes[1..], br#"["a","b"]"#);
        assert_eq!(decode_record::<Vec<String>>(&bytes)?, vec!["a", "b"]);
        Ok(())
    }

    #[test]
    fn unknown_or_empty_envelope_is_rejected() {
        assert!(matches!(
            decode_record::<u8>(b"\x09{}"),
            Err(StoreError::Decode(_))
        ));
        assert!(matches!(
            decode_record::<u8>(b""),
            Err(StoreError::Decode(_))
        ));
        assert!(matches!(
            decode_record::<u8>(b"{}"),
            Err(StoreError::Decode(_))
        ));
    }
}
