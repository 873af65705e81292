//! Backfill of `kms_key_index` (key id → owning account, per Region) for keys stored before the
//! index existed, so that another account's Decrypt without KeyId can find them from the
//! ciphertext alone. Idempotent: a key that already has its row is skipped.

use crate::KmsService;
use crate::domain::KmsError;

/// Keys read per page of the scan (and index rows written per transaction at most).
const PAGE: usize = 500;

impl KmsService {
    /// Writes the missing `kms_key_index` rows of every stored key; returns how many were
    /// written. Run once in the background when the service starts. A key deleted between the
    /// scan and the write can leave its row behind; that is harmless: the row only says which
    /// account to look in, and the lookup there answers NotFoundException as for any deleted key.
    pub async fn backfill_key_index(&self) -> Result<usize, KmsError> {
        let tables = &self.tables;
        let mut written = 0;
        let mut after: Option<String> = None;
        loop {
            let page = tables.keys.scan("", after.as_deref(), PAGE).await?;
            let done = page.len() < PAGE;
            after = page.last().map(|(row, _)| row.clone());
            let mut writes = Vec::new();
            for (_, key) in &page {
                let key = &key.value;
                if tables
                    .key_account(&key.region, &key.key_id)
                    .await?
                    .is_none()
                {
                    writes.push(tables.index_write(key)?);
                }
            }
            written += writes.len();
            if !writes.is_empty() {
                tables.store.transact(writes).await?;
            }
            if done {
                return Ok(written);
            }
        }
    }
}
