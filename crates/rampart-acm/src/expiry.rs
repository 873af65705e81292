//! Expiry: an issued certificate within its account's DaysBeforeExpiry (default 45) of NotAfter
//! gets one "ACM Certificate Approaching Expiration" event a day; once NotAfter passes it is
//! stored EXPIRED and, unless imported (as AWS), "ACM Certificate Expired" is published, each
//! in the transaction that records it.

use crate::events::{self, DAY_MS};
use crate::ops::account::DEFAULT_DAYS;
use crate::record::CertRecord;
use crate::service::AcmService;
use crate::validation::progress::Change;
use std::collections::HashMap;

/// Days before expiry per `<account>/<region>`, read once per pass.
#[derive(Debug, Default)]
pub struct ExpirySettings(HashMap<String, i64>);

impl AcmService {
    /// The change expiry makes to the issued `record` at `now_ms`, if any.
    pub(crate) async fn expiry_step(
        &self,
        settings: &mut ExpirySettings,
        record: &CertRecord,
        now_ms: i64,
    ) -> Result<Option<Change>, String> {
        let Some(not_after) = record.facts.as_ref().map(|f| f.not_after_ms) else {
            return Ok(None);
        };
        if record.status != "ISSUED" {
            return Ok(None);
        }
        let mut next = record.clone();
        if now_ms >= not_after {
            next.status = "EXPIRED".into();
            let mut writes = Vec::new();
            if record.cert_type != "IMPORTED" && !record.expired_event_sent {
                writes.push(events::expired(&next, now_ms));
                next.expired_event_sent = true;
            }
            return Ok(Some((next, writes)));
        }
        let days = self.days_before_expiry(settings, &record.arn).await?;
        let today = now_ms.div_euclid(DAY_MS);
        if not_after - now_ms > days * DAY_MS || record.expiry_event_day == Some(today) {
            return Ok(None);
        }
        next.expiry_event_day = Some(today);
        let approaching = events::approaching(&next, now_ms);
        Ok(Some((next, vec![approaching])))
    }

    /// The DaysBeforeExpiry of the account and Region of certificate `arn`.
    async fn days_before_expiry(
        &self,
        settings: &mut ExpirySettings,
        arn: &str,
    ) -> Result<i64, String> {
        let parts: Vec<&str> = arn.split(':').collect();
        let row = format!(
            "{}/{}",
            parts.get(4).unwrap_or(&""),
            parts.get(3).unwrap_or(&"")
        );
        if let Some(days) = settings.0.get(&row) {
            return Ok(*days);
        }
        let found = self.tables.accounts.get(&row).await;
        let found = found.map_err(|e| e.to_string())?;
        let days = i64::from(found.map_or(DEFAULT_DAYS, |f| f.value.days_before_expiry));
        settings.0.insert(row, days);
        Ok(days)
    }
}
