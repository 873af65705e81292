//! The cluster's CA in the store: every node that shares a database and its unseal secret
//! serves certificates from one CA.
//!
//! The record `meta/tls-ca` holds the CA certificate (PEM) and its private key sealed under
//! the TLS domain key (AES-256-GCM, AAD naming the record); the key is never stored in
//! plaintext. The first node to unseal a store without a CA puts one there (its data dir's
//! `ca.key` + `ca.pem` when present, so existing installs keep their CA; a new one otherwise),
//! created with `Expect::Absent` so nodes starting together agree on one (a loser re-reads).
//! After unseal each node then adopts that CA ([`adopt`]): `ca.pem` is rewritten, a server
//! certificate from another CA is reissued and swapped into the listener, and `ca.key` leaves
//! the data dir.

use crate::tls::{LiveCert, TlsFiles};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rampart_crypto::root::DomainKey;
use rampart_crypto::tls::CaBundle;
use rampart_store::{Expect, Store, StoreError, Table};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::Path;

/// The row of the CA record in the meta table.
const CA_ROW: &str = "tls-ca";
/// Associated data of the sealed CA key: the record format and the row it belongs to.
const CA_AAD: &[u8] = b"rampart/tls-ca/v1\0meta/tls-ca";
const FORMAT: u32 = 1;

/// The stored CA: its certificate and its private key sealed under the TLS domain key.
#[derive(Serialize, Deserialize)]
struct CaRecord {
    format: u32,
    cert_pem: String,
    /// base64 of the AES-256-GCM envelope of the key PEM.
    sealed_key: String,
}

fn table(store: &Store) -> Table<CaRecord> {
    Table::new(store.clone(), crate::bootstrap::META_TABLE)
}

fn seal(ca: &CaBundle, key: &DomainKey) -> CaRecord {
    CaRecord {
        format: FORMAT,
        cert_pem: ca.cert_pem.clone(),
        sealed_key: B64.encode(key.wrap(ca.key_pem.as_bytes(), CA_AAD)),
    }
}

fn open(record: &CaRecord, key: &DomainKey) -> Result<CaBundle, String> {
    if record.format != FORMAT {
        return Err(format!("unknown CA record format {}", record.format));
    }
    let blob = B64
        .decode(&record.sealed_key)
        .map_err(|_| "the stored CA key is not base64".to_owned())?;
    let mut plain = key
        .unwrap(&blob, CA_AAD)
        .map_err(|e| format!("the stored CA key cannot be opened: {e}"))?;
    let key_pem = String::from_utf8(std::mem::take(&mut *plain))
        .map_err(|_| "the stored CA key is not PEM text".to_owned())?;
    Ok(CaBundle {
        cert_pem: record.cert_pem.clone(),
        key_pem,
    })
}

/// The CA in the store, after putting one there if it had none: `files`' local CA when
/// present, else a new one. Two nodes doing this at once end up with the same CA.
pub async fn load_or_create(
    store: &Store,
    key: &DomainKey,
    files: &TlsFiles,
) -> Result<CaBundle, String> {
    let table = table(store);
    if let Some(found) = table.get(CA_ROW).await.map_err(|e| e.to_string())? {
        return open(&found.value, key);
    }
    let (ca, origin) = match files.local_ca()? {
        Some(ca) => {
            crate::tls::check_ca(&ca).map_err(|e| format!("{}: {e}", files.ca_key.display()))?;
            (ca, "imported the data dir's CA")
        }
        None => (new_ca()?, "generated a new CA"),
    };
    let write = table
        .put(CA_ROW, &seal(&ca, key), Expect::Absent)
        .map_err(|e| e.to_string())?;
    match store.transact(vec![write]).await {
        Ok(()) => {
            tracing::info!("cluster CA stored (sealed): {origin}");
            Ok(ca)
        }
        Err(StoreError::Conflict { .. }) => {
            let found = table.get(CA_ROW).await.map_err(|e| e.to_string())?;
            let found = found.ok_or("the cluster CA record vanished")?;
            open(&found.value, key)
        }
        Err(err) => Err(err.to_string()),
    }
}

fn new_ca() -> Result<CaBundle, String> {
    rampart_crypto::tls::generate_ca("Rampart CA").map_err(|e| e.to_string())
}

/// After unseal: makes the node serve a certificate from the store's CA (see the module doc).
pub async fn adopt(
    store: &Store,
    key: &DomainKey,
    tls_dir: &Path,
    listen: SocketAddr,
    live: &LiveCert,
) -> Result<(), String> {
    crate::bootstrap::create_private_dir(tls_dir)?;
    let files = TlsFiles::in_dir(tls_dir);
    let ca = load_or_create(store, key, &files).await?;
    if files.write_ca_cert(&ca.cert_pem)? {
        tracing::info!(
            ca = %files.ca_cert.display(),
            "ca.pem now holds the cluster CA from the store (it held another CA)"
        );
    }
    let current = crate::tls::read(&files.server_cert).unwrap_or_default();
    if !crate::tls::issued_by(&current, &ca.cert_pem) {
        let leaf = crate::tls::issue(&ca, listen)?;
        files.write_server(&leaf)?;
        live.replace(&leaf)?;
        tracing::info!("server certificate issued by the cluster CA and now served");
    }
    if files.remove_ca_key()? {
        tracing::info!("removed the data dir's ca.key: the store keeps the CA key sealed");
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "ca_store_tests.rs"]
mod tests;
