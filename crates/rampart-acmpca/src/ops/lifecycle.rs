//! UpdateCertificateAuthority (ACTIVE ⇄ DISABLED), DeleteCertificateAuthority (at once from
//! PENDING_CERTIFICATE / CREATING / FAILED, otherwise DELETED for a 7–30 day restore window)
//! and RestoreCertificateAuthority. A replica is deleted for good (not ACTIVE); a primary with
//! replicas and a CA with associations are not deleted.

use crate::deletion;
use crate::generated::errors::{invalid_args_exception, invalid_state_exception};
use crate::generated::*;
use crate::ops::create::{check_revocation, revocation_enabled};
use crate::record::CaRecord;
use crate::service::{AcmPcaService, CaRef, authorize, ca_ref, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;

/// The restore window when DeleteCertificateAuthority names none.
const DEFAULT_RESTORE_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

/// InvalidStateException for an operation the CA's status does not allow.
// Doubt: AWS words these per operation; this is the closest documented form.
pub(crate) fn wrong_state(arn: &str, status: &str) -> ServiceError {
    invalid_state_exception(format!(
        "The certificate authority {arn} is in the {status} state and cannot perform this operation."
    ))
}

impl UpdateCertificateAuthority for AcmPcaService {
    async fn update_certificate_authority(
        &self,
        ctx: &RequestContext,
        input: UpdateCertificateAuthorityRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "UpdateCertificateAuthority", &ca.arn, &ca.account)?;
        check_revocation(input.revocation_configuration.as_ref())?;
        let target = match &input.status {
            None => None,
            Some(CertificateAuthorityStatus::Active) => Some("ACTIVE"),
            Some(CertificateAuthorityStatus::Disabled) => Some("DISABLED"),
            Some(other) => {
                // Doubt: AWS's wording is not documented; only ACTIVE and DISABLED are settable.
                return Err(invalid_args_exception(format!(
                    "The status {other} is not valid: use ACTIVE or DISABLED."
                )));
            }
        };
        let revocation = input
            .revocation_configuration
            .as_ref()
            .and_then(|r| serde_json::to_value(r).ok());
        let now = self.now_ms();
        let enables = revocation_enabled(input.revocation_configuration.as_ref());
        self.mutate(&ca, |record| {
            if !matches!(record.status.as_str(), "ACTIVE" | "DISABLED") {
                return Err(wrong_state(&record.arn, &record.status));
            }
            if enables && record.affiliation.is_some() {
                // Doubt: AWS's wording is not documented.
                return Err(invalid_args_exception(
                    "A certificate authority with the IAM_WORKLOAD_IDENTITY service affiliation does not support CRLs or OCSP.",
                ));
            }
            let mut writes = Vec::new();
            if let Some(target) = target
                && record.status != target
            {
                record.status = target.to_owned();
                record.last_state_change_ms = now;
            }
            if revocation.is_some() {
                record.revocation = revocation.clone();
                writes = self.revocation_writes(&ca.arn, record, now)?;
            }
            Ok(writes)
        })
        .await?;
        Ok(())
    }
}

impl DeleteCertificateAuthority for AcmPcaService {
    async fn delete_certificate_authority(
        &self,
        ctx: &RequestContext,
        input: DeleteCertificateAuthorityRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "DeleteCertificateAuthority", &ca.arn, &ca.account)?;
        let days = input
            .permanent_deletion_time_in_days
            .map_or(DEFAULT_RESTORE_DAYS, i64::from);
        let found = self.load(&ca).await?;
        self.check_deletable(&ca, &found.value).await?;
        if found.value.is_replica() {
            return self.delete_replica(&ca, &found.value).await;
        }
        match found.value.status.as_str() {
            "PENDING_CERTIFICATE" | "CREATING" | "FAILED" => {
                self.delete_now(&ca, found.version).await
            }
            "DISABLED" | "EXPIRED" => self.schedule_deletion(&ca, days).await,
            status => Err(wrong_state(&ca.arn, status)),
        }
    }
}

impl AcmPcaService {
    /// Deletes a CA that never had a certificate, with no restore window.
    async fn delete_now(&self, ca: &CaRef, version: u64) -> Result<(), ServiceError> {
        let mut writes = self.certificate_deletes(&ca.id).await.map_err(internal)?;
        writes.push(
            self.tables
                .authorities
                .delete(&ca.row(), Expect::Version(version)),
        );
        self.store.transact(writes).await.map_err(internal)
    }

    /// Marks the CA DELETED until `days` from now and enqueues its permanent deletion.
    async fn schedule_deletion(&self, ca: &CaRef, days: i64) -> Result<(), ServiceError> {
        let now = self.now_ms();
        let due = now + days * DAY_MS;
        self.mutate(ca, |record| {
            if !matches!(record.status.as_str(), "DISABLED" | "EXPIRED") {
                return Err(wrong_state(&record.arn, &record.status));
            }
            record.status_before_delete = Some(record.status.clone());
            record.status = "DELETED".into();
            record.last_state_change_ms = now;
            record.restorable_until_ms = Some(due);
            Ok(vec![deletion::schedule(ca, due)])
        })
        .await?;
        Ok(())
    }
}

impl RestoreCertificateAuthority for AcmPcaService {
    async fn restore_certificate_authority(
        &self,
        ctx: &RequestContext,
        input: RestoreCertificateAuthorityRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "RestoreCertificateAuthority", &ca.arn, &ca.account)?;
        let now = self.now_ms();
        self.mutate(&ca, |record| {
            let open = record.restorable_until_ms.is_some_and(|until| now < until);
            if record.status != "DELETED" || !open {
                return Err(wrong_state(&record.arn, &record.status));
            }
            // AWS returns a restored CA to its state before deletion (DISABLED or EXPIRED).
            record.status = record
                .status_before_delete
                .take()
                .unwrap_or_else(|| "DISABLED".into());
            record.restorable_until_ms = None;
            record.last_state_change_ms = now;
            // CRLs stopped while it was deleted: a fresh one is due at once.
            let crl = crate::crl::Revocation::of_record(record.revocation.as_ref()).crl;
            Ok(crl
                .map(|_| crate::crl::schedule(&ca, now, crate::crl::Reason::Changed))
                .into_iter()
                .collect())
        })
        .await?;
        Ok(())
    }
}

impl AcmPcaService {
    /// A CA with associations, or a primary with replicas, cannot be deleted (AWS's order:
    /// associations removed, then each replica deleted in its Region, then the primary).
    // Doubt: AWS's wording for these refusals is not documented.
    async fn check_deletable(&self, ca: &CaRef, record: &CaRecord) -> Result<(), ServiceError> {
        if self.has_associations(ca).await? {
            return Err(invalid_state_exception(format!(
                "The certificate authority {} has associations. Delete them before you delete the certificate authority.",
                ca.arn
            )));
        }
        if record.replicas().is_empty() {
            return Ok(());
        }
        Err(invalid_state_exception(format!(
            "The certificate authority {} has replicas. Delete each replica in its Region before you delete the primary certificate authority.",
            ca.arn
        )))
    }

    /// Deletes a replica for good (a replica cannot be restored) unless ACTIVE, and takes it
    /// off its primary's list in the same transaction. Its certificates are the primary's.
    async fn delete_replica(&self, ca: &CaRef, record: &CaRecord) -> Result<(), ServiceError> {
        if record.status == "ACTIVE" {
            return Err(wrong_state(&ca.arn, &record.status));
        }
        let primary = record
            .multi_region
            .as_ref()
            .and_then(|m| m.primary_arn.as_deref())
            .map(ca_ref)
            .transpose()?;
        let Some(primary) = primary else {
            return Err(wrong_state(&ca.arn, &record.status));
        };
        self.mutate(&primary, |primary| {
            if let Some(multi) = primary.multi_region.as_mut() {
                multi.replicas.retain(|e| e.arn != ca.arn);
            }
            Ok(vec![self.tables.authorities.delete(&ca.row(), Expect::Any)])
        })
        .await?;
        Ok(())
    }
}
