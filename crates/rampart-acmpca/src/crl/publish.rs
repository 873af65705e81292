//! Writing a CA's CRL: every revoked certificate of the CA that had not yet expired at the
//! previous CRL (AWS lists a revoked certificate until it expires and in one CRL after), signed
//! and stored as its S3 object with its CNAME alias, the CA's CRL number advanced and the next
//! refresh scheduled halfway through the CRL's validity, all in one transaction. A CA without
//! its certificate yet is retried every 15 minutes, as AWS retries failed CRL updates.

use super::build::{self, CrlContent, Revoked};
use super::config::{CrlSettings, Revocation};
use super::job::{CrlDue, Reason, schedule};
use super::store::{
    CRL_ALIASES, CRL_STATE, CRLS, CrlAlias, CrlObject, CrlState, alias_row, object_row,
};
use crate::AcmPcaService;
use crate::issuer;
use crate::record::CaRecord;
use crate::service::CaRef;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_store::{Expect, StoreError, Table};
use time::OffsetDateTime;

/// How long until a CRL that could not be written is tried again.
const RETRY_MS: i64 = 15 * 60 * 1000;
const DAY_MS: i64 = 86_400_000;
/// Certificate rows read per scan.
const SCAN_BATCH: usize = 500;

impl AcmPcaService {
    /// Writes the CRL `due` asks for, if it still applies; whether it did something.
    pub(crate) async fn publish_crl(&self, due: &CrlDue, now_ms: i64) -> Result<bool, StoreError> {
        let ca = CaRef {
            arn: String::new(),
            account: due.account.clone(),
            region: due.region.clone(),
            id: due.id.clone(),
        };
        let Some(found) = self.tables.authorities.get(&ca.row()).await? else {
            return Ok(false);
        };
        let mut record = found.value;
        record.expire_at(now_ms);
        let Some(settings) = Revocation::of_record(record.revocation.as_ref()).crl else {
            return Ok(false);
        };
        let (state, expect) = self.crl_state(&ca).await?;
        if due.reason == Reason::Refresh && state.refresh_due_ms != Some(due.due_ms) {
            return Ok(false);
        }
        let ready = matches!(record.status.as_str(), "ACTIVE" | "DISABLED" | "EXPIRED");
        if !ready {
            let waiting = matches!(record.status.as_str(), "PENDING_CERTIFICATE" | "CREATING");
            return match waiting {
                true => self.retry_later(&ca, state, expect, now_ms).await,
                false => Ok(false),
            };
        }
        let cutoff = state.last_this_update_ms.unwrap_or(now_ms);
        let revoked = self.revoked_since(&ca.id, cutoff).await?;
        let publication = Publication {
            ca: &ca,
            record: &record,
            settings: &settings,
            number: state.number + 1,
            now_ms,
        };
        match self.signed_crl(&publication, &revoked) {
            Some(der) => self.store_crl(&publication, &der, expect).await,
            None => self.retry_later(&ca, state, expect, now_ms).await,
        }
    }

    /// The CA's publication state and the condition for writing it anew.
    async fn crl_state(&self, ca: &CaRef) -> Result<(CrlState, Expect), StoreError> {
        let states: Table<CrlState> = Table::new(self.store.clone(), CRL_STATE);
        Ok(match states.get(&ca.row()).await? {
            Some(found) => (found.value, Expect::Version(found.version)),
            None => (CrlState::default(), Expect::Absent),
        })
    }

    /// Schedules another attempt in 15 minutes (the one pending refresh of the CA).
    async fn retry_later(
        &self,
        ca: &CaRef,
        mut state: CrlState,
        expect: Expect,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let at = now_ms + RETRY_MS;
        state.refresh_due_ms = Some(at);
        let states: Table<CrlState> = Table::new(self.store.clone(), CRL_STATE);
        let writes = vec![
            states.put(&ca.row(), &state, expect)?,
            schedule(ca, at, Reason::Refresh),
        ];
        self.store.transact(writes).await?;
        Ok(true)
    }

    /// Every revoked certificate of CA `ca_id` whose validity ended after `cutoff_ms`.
    async fn revoked_since(&self, ca_id: &str, cutoff_ms: i64) -> Result<Vec<Revoked>, StoreError> {
        let prefix = format!("{ca_id}/");
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let table = &self.tables.certificates;
            let rows = table.scan(&prefix, after.as_deref(), SCAN_BATCH).await?;
            let done = rows.len() < SCAN_BATCH;
            after = rows.last().map(|(key, _)| key.clone());
            for (key, found) in rows {
                let cert = found.value;
                let serial = hex::decode(key.trim_start_matches(&prefix)).ok();
                if let (Some((reason, at_ms)), Some(serial)) = (cert.revoked, serial)
                    && cert.not_after_ms > cutoff_ms
                {
                    out.push(Revoked {
                        serial,
                        at: at_of(at_ms),
                        reason,
                    });
                }
            }
            if done || after.is_none() {
                return Ok(out);
            }
        }
    }
}

/// One CRL to write.
struct Publication<'a> {
    ca: &'a CaRef,
    record: &'a CaRecord,
    settings: &'a CrlSettings,
    number: u64,
    now_ms: i64,
}

impl Publication<'_> {
    /// The CRL file's name: the CA id, or for PARTITIONED CRLs its (single) partition's GUID.
    fn file_name(&self) -> String {
        file_name(self.settings, &self.ca.id)
    }

    fn next_update_ms(&self) -> i64 {
        self.now_ms + self.settings.expiration_days * DAY_MS
    }
}

/// The file name of CA `ca_id`'s CRL under `settings`.
pub fn file_name(settings: &CrlSettings, ca_id: &str) -> String {
    if !settings.partitioned {
        return ca_id.to_owned();
    }
    let digest = issuer::sha256(format!("rampart/acm-pca/crl-partition/1|{ca_id}").as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

impl AcmPcaService {
    /// The signed CRL, or `None` (logged) when the CA cannot sign.
    fn signed_crl(&self, publication: &Publication<'_>, revoked: &[Revoked]) -> Option<Vec<u8>> {
        let record = publication.record;
        let signer =
            issuer::of(record).and_then(|i| Ok((i, issuer::open_key(&self.domain, record)?)));
        let (issuer, (key, _)) = match signer {
            Ok(found) => found,
            Err(fault) => {
                tracing::error!(ca = %record.arn, fault = fault.0, "ACM PCA cannot sign a CRL");
                return None;
            }
        };
        let settings = publication.settings;
        let content = CrlContent {
            number: publication.number,
            this_update: at_of(publication.now_ms),
            next_update: at_of(publication.next_update_ms()),
            revoked,
            partition_url: settings
                .partitioned
                .then(|| settings.url(&publication.ca.region, &publication.file_name())),
        };
        match build::build(&content, &issuer, &key) {
            Ok(der) => Some(der),
            Err(_) => {
                tracing::error!(ca = %record.arn, "ACM PCA could not sign a CRL");
                None
            }
        }
    }

    /// Stores the CRL object (and its CNAME alias), the CA's new state and its next refresh.
    async fn store_crl(
        &self,
        publication: &Publication<'_>,
        der: &[u8],
        expect: Expect,
    ) -> Result<bool, StoreError> {
        let settings = publication.settings;
        let key = settings.object_key(&publication.file_name());
        let row = object_row(&settings.bucket, &key);
        let next_update_ms = publication.next_update_ms();
        let object = CrlObject {
            ca_arn: publication.record.arn.clone(),
            der: STANDARD.encode(der),
            this_update_ms: publication.now_ms,
            next_update_ms,
            acl: acl_of(publication.record),
        };
        let refresh_ms = publication.now_ms + (next_update_ms - publication.now_ms) / 2;
        let state = CrlState {
            number: publication.number,
            last_this_update_ms: Some(publication.now_ms),
            refresh_due_ms: Some(refresh_ms),
        };
        let objects: Table<CrlObject> = Table::new(self.store.clone(), CRLS);
        let states: Table<CrlState> = Table::new(self.store.clone(), CRL_STATE);
        let mut writes = vec![
            objects.put(&row, &object, Expect::Any)?,
            states.put(&publication.ca.row(), &state, expect)?,
            schedule(publication.ca, refresh_ms, Reason::Refresh),
        ];
        if let Some(cname) = &settings.cname {
            let aliases: Table<CrlAlias> = Table::new(self.store.clone(), CRL_ALIASES);
            let alias = CrlAlias { object_row: row };
            writes.push(aliases.put(&alias_row(cname, &key), &alias, Expect::Any)?);
        }
        self.store.transact(writes).await?;
        Ok(true)
    }

    /// A published CRL object: `<bucket>/<key>`, or through a CNAME alias when `host` is one.
    pub(crate) async fn crl_object(
        &self,
        bucket_or_cname: &str,
        key: &str,
        through_alias: bool,
    ) -> Result<Option<CrlObject>, StoreError> {
        let row = if through_alias {
            let aliases: Table<CrlAlias> = Table::new(self.store.clone(), CRL_ALIASES);
            match aliases.get(&alias_row(bucket_or_cname, key)).await? {
                Some(found) => found.value.object_row,
                None => return Ok(None),
            }
        } else {
            object_row(bucket_or_cname, key)
        };
        let objects: Table<CrlObject> = Table::new(self.store.clone(), CRLS);
        Ok(objects.get(&row).await?.map(|found| found.value))
    }
}

/// The S3ObjectAcl of the CA's CRL configuration (PUBLIC_READ by default).
fn acl_of(record: &CaRecord) -> String {
    record
        .revocation
        .as_ref()
        .and_then(|r| r.pointer("/CrlConfiguration/S3ObjectAcl"))
        .and_then(|v| v.as_str())
        .unwrap_or("PUBLIC_READ")
        .to_owned()
}

/// A time from epoch milliseconds, in whole seconds.
fn at_of(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
