//! CreateCertificateAuthorityAssociation, DeleteCertificateAuthorityAssociation and
//! ListCertificateAuthorityAssociations: the AWS resources (for IAM for agents and workloads,
//! workload identity providers) a service-affiliated CA issues certificates for. One
//! `acmpca_associations` row per association, under the primary CA's row
//! (`<account>/<region>/<ca id>/<SHA-256 of the resource ARN, hex>`). Both writes are
//! idempotent, as AWS documents; a CA with associations cannot be deleted.

use crate::generated::errors::{invalid_args_exception, invalid_state_exception};
use crate::generated::*;
use crate::ops::describe::decode_token;
use crate::record::CaRecord;
use crate::service::{AcmPcaService, CaRef, authorize, ca_ref, internal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use rampart_store::{Expect, Table};
use serde::{Deserialize, Serialize};

/// Association rows, keyed by [`association_row`].
pub const ASSOCIATIONS: &str = "acmpca_associations";
/// ListCertificateAuthorityAssociations' page size when MaxResults is absent.
// Doubt: AWS does not document its default page size.
const DEFAULT_PAGE: usize = 100;

/// One association of a CA with a resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssociationRecord {
    pub ca_arn: String,
    pub resource_arn: String,
    pub created_ms: i64,
}

/// The row of the association of CA `ca` with `resource_arn`.
fn association_row(ca: &CaRef, resource_arn: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, resource_arn.as_bytes());
    format!("{}/{}", ca.row(), hex::encode(digest.as_ref()))
}

impl AcmPcaService {
    /// The associations table.
    fn associations(&self) -> Table<AssociationRecord> {
        Table::new(self.store.clone(), ASSOCIATIONS)
    }

    /// Whether the CA `ca` has any association (such a CA cannot be deleted).
    pub(crate) async fn has_associations(&self, ca: &CaRef) -> Result<bool, ServiceError> {
        let prefix = format!("{}/", ca.row());
        let rows = self.associations().scan(&prefix, None, 1).await;
        Ok(!rows.map_err(internal)?.is_empty())
    }

    /// Whether `resource_arn` is associated with the CA `ca`.
    pub(crate) async fn is_associated(
        &self,
        ca: &CaRef,
        resource_arn: &str,
    ) -> Result<bool, ServiceError> {
        let found = self
            .associations()
            .get(&association_row(ca, resource_arn))
            .await;
        Ok(found.map_err(internal)?.is_some())
    }
}

impl CreateCertificateAuthorityAssociation for AcmPcaService {
    async fn create_certificate_authority_association(
        &self,
        ctx: &RequestContext,
        input: CreateCertificateAuthorityAssociationRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        let op = "CreateCertificateAuthorityAssociation";
        authorize(ctx, op, &ca.arn, &ca.account)?;
        let resource = input.associated_resource_arn.unwrap_or_default();
        let record = self.load(&ca).await?.value;
        check_affiliated(&record)?;
        if record.status != "ACTIVE" {
            return Err(not_now(&record));
        }
        let row = association_row(&ca, &resource);
        let value = AssociationRecord {
            ca_arn: ca.arn.clone(),
            resource_arn: resource,
            created_ms: self.now_ms(),
        };
        // Associating an associated resource succeeds and keeps the first CreatedAt.
        let put = self.associations().put(&row, &value, Expect::Absent);
        match self.store.transact(vec![put.map_err(internal)?]).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }
}

impl DeleteCertificateAuthorityAssociation for AcmPcaService {
    async fn delete_certificate_authority_association(
        &self,
        ctx: &RequestContext,
        input: DeleteCertificateAuthorityAssociationRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        let op = "DeleteCertificateAuthorityAssociation";
        authorize(ctx, op, &ca.arn, &ca.account)?;
        let resource = input.associated_resource_arn.unwrap_or_default();
        let record = self.load(&ca).await?.value;
        check_affiliated(&record)?;
        if record.status == "DELETED" {
            return Err(not_now(&record));
        }
        // Removing an association that does not exist succeeds.
        let delete = self
            .associations()
            .delete(&association_row(&ca, &resource), Expect::Any);
        self.store.transact(vec![delete]).await.map_err(internal)
    }
}

impl ListCertificateAuthorityAssociations for AcmPcaService {
    async fn list_certificate_authority_associations(
        &self,
        ctx: &RequestContext,
        input: ListCertificateAuthorityAssociationsRequest,
    ) -> Result<ListCertificateAuthorityAssociationsResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        let op = "ListCertificateAuthorityAssociations";
        authorize(ctx, op, &ca.arn, &ca.account)?;
        let record = self.load(&ca).await?.value;
        let after = input.next_token.as_deref().map(decode_token).transpose()?;
        let prefix = format!("{}/", ca.row());
        if after.as_ref().is_some_and(|row| !row.starts_with(&prefix)) {
            return Err(bad_token());
        }
        let limit = input
            .max_results
            .map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
        let table = self.associations();
        let rows = table.scan(&prefix, after.as_deref(), limit + 1).await;
        let mut rows = rows.map_err(internal)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_token = more
            .then(|| rows.last().map(|(key, _)| URL_SAFE_NO_PAD.encode(key)))
            .flatten();
        let associations = rows.into_iter().map(|(_, r)| wire(r.value)).collect();
        Ok(ListCertificateAuthorityAssociationsResponse {
            associations: Some(associations),
            next_token,
            service_affiliation: record.affiliation.map(|code| ServiceAffiliation {
                service_affiliation_code: Some(code),
            }),
        })
    }
}

/// Associations are for service-affiliated CAs, and are kept by the primary.
// Doubt: AWS's wording for these refusals is not documented.
fn check_affiliated(record: &CaRecord) -> Result<(), ServiceError> {
    if record.affiliation.is_none() {
        return Err(invalid_args_exception(format!(
            "The certificate authority {} is not a service-affiliated certificate authority.",
            record.arn
        )));
    }
    if record.is_replica() {
        return Err(invalid_args_exception(format!(
            "The certificate authority {} is a replica. Manage associations on the primary certificate authority.",
            record.arn
        )));
    }
    Ok(())
}

/// InvalidStateException for a CA whose status does not allow the change.
fn not_now(record: &CaRecord) -> ServiceError {
    // Doubt: AWS's wording is not documented.
    invalid_state_exception(format!(
        "The certificate authority {} is in the {} state and cannot perform this operation.",
        record.arn, record.status
    ))
}

/// InvalidNextTokenException.
fn bad_token() -> ServiceError {
    // Doubt: AWS's wording for a bad NextToken is not documented.
    crate::generated::errors::invalid_next_token_exception("The token is invalid.")
}

/// A stored association as the wire `Association`.
fn wire(record: AssociationRecord) -> Association {
    Association {
        certificate_authority_arn: Some(record.ca_arn),
        associated_resource_arn: Some(record.resource_arn),
        created_at: Some(Timestamp::from_epoch_millis(record.created_ms)),
    }
}
