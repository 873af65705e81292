//! Finding a CA from an OCSP request: the request names its issuer by the SHA-1 or SHA-256
//! hash of the issuer's public key, so each CA's key hashes are indexed
//! (`acmpca_ocsp_issuers`, `<sha1|sha256>/<hex>` → the CA) when it is created, and again when
//! a configuration enabling OCSP is stored (for CAs created before the index).

use crate::issuer::{sha1, sha256};
use crate::service::CaRef;
use rampart_store::{Expect, Store, StoreError, Table, Write};
use serde::{Deserialize, Serialize};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

/// The key-hash index of CAs.
pub const OCSP_ISSUERS: &str = "acmpca_ocsp_issuers";

/// The CA a key hash names.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuerEntry {
    pub account: String,
    pub region: String,
    pub id: String,
}

/// The hash algorithms OCSP requests name issuers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHash {
    Sha1,
    Sha256,
}

impl KeyHash {
    fn label(self) -> &'static str {
        match self {
            KeyHash::Sha1 => "sha1",
            KeyHash::Sha256 => "sha256",
        }
    }
}

/// The row of the key hash `hash` made with `alg`.
pub fn index_row(alg: KeyHash, hash: &[u8]) -> String {
    format!("{}/{}", alg.label(), hex::encode(hash))
}

/// The writes indexing the CA `ca` by the hashes of its key (`spki_der`).
pub fn index_writes(store: &Store, ca: &CaRef, spki_der: &[u8]) -> Result<Vec<Write>, StoreError> {
    let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(spki_der) else {
        return Err(StoreError::Encode("a CA key that does not parse".into()));
    };
    let bits = spki.subject_public_key.data.as_ref();
    let entry = IssuerEntry {
        account: ca.account.clone(),
        region: ca.region.clone(),
        id: ca.id.clone(),
    };
    let table: Table<IssuerEntry> = Table::new(store.clone(), OCSP_ISSUERS);
    Ok(vec![
        table.put(&index_row(KeyHash::Sha1, &sha1(bits)), &entry, Expect::Any)?,
        table.put(
            &index_row(KeyHash::Sha256, &sha256(bits)),
            &entry,
            Expect::Any,
        )?,
    ])
}

/// The CA whose key hashes to `hash` under `alg`.
pub async fn find(
    store: &Store,
    alg: KeyHash,
    hash: &[u8],
) -> Result<Option<IssuerEntry>, StoreError> {
    let table: Table<IssuerEntry> = Table::new(store.clone(), OCSP_ISSUERS);
    Ok(table
        .get(&index_row(alg, hash))
        .await?
        .map(|found| found.value))
}
