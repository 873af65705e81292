//! Issuing AMAZON_ISSUED certificates once their domains are validated: a key of the requested
//! algorithm (kept for renewals) and a certificate from Rampart's public issuer
//! (`crate::issuer`), stored on the record with its chain and what ACM shows of it.

use crate::facts;
use crate::issuer::{self, Family};
use crate::keys::{self, HeldKey};
use crate::record::CertRecord;
use crate::service::AcmService;
use time::OffsetDateTime;

impl AcmService {
    /// Issues `record` with a new key (a first issuance) or its own key (a renewal), at
    /// `now_ms`; the record becomes ISSUED.
    pub(crate) async fn issue_public(
        &self,
        record: &mut CertRecord,
        now_ms: i64,
    ) -> Result<(), String> {
        let key = match &record.sealed_key {
            Some(sealed) => {
                let pkcs8 = keys::open(&self.domain, &record.arn, sealed)
                    .map_err(|_| "a certificate key could not be opened")?;
                keys::from_pkcs8(&pkcs8).map_err(|_| "a certificate key could not be read")?
            }
            None => keys::generate(&record.key_algorithm)
                .map_err(|_| "a certificate key could not be made")?,
        };
        let now = OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
            .map_err(|_| "the clock is out of range")?;
        let family = Family::for_key(key.algorithm);
        let hierarchy = issuer::hierarchy(&self.store, &self.domain, family, now)
            .await
            .map_err(|e| e.0)?;
        let (leaf, chain) =
            issuer::issue(&self.domain, &hierarchy, &record.sans, &key, now).map_err(|e| e.0)?;
        self.store_issued(record, &key, leaf, chain, now_ms)
    }

    /// Records the issued `leaf` and `chain` (and the sealed key) on `record`.
    fn store_issued(
        &self,
        record: &mut CertRecord,
        key: &HeldKey,
        leaf: String,
        chain: String,
        now_ms: i64,
    ) -> Result<(), String> {
        let ders = facts::pem_certificates(leaf.as_bytes()).map_err(|_| "no certificate")?;
        let der = ders.first().ok_or("no certificate")?;
        let cert = facts::parse(der).map_err(|_| "an unreadable certificate")?;
        let found = facts::facts_of(&cert).ok_or("an unreadable certificate")?;
        if record.sealed_key.is_none() {
            let sealed = keys::seal(&self.domain, &record.arn, &key.pkcs8)
                .map_err(|_| "a certificate key could not be sealed")?;
            record.sealed_key = Some(sealed);
        }
        record.status = "ISSUED".into();
        record.failure_reason = None;
        record.issued_ms = Some(now_ms);
        record.certificate_pem = Some(leaf);
        record.chain_pem = Some(chain);
        record.facts = Some(found);
        record.expiry_event_day = None;
        record.expired_event_sent = false;
        Ok(())
    }
}
