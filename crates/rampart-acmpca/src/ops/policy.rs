//! PutPolicy, GetPolicy and DeletePolicy: the CA's resource-based policy, validated as AWS
//! does (`resource_policy`), enforced on the shareable actions by `access.rs` and indexed for
//! ListCertificateAuthorities' OTHER_ACCOUNTS (`shared.rs`) in the same transaction.

use crate::generated::errors::resource_not_found_exception;
use crate::generated::*;
use crate::ops::lifecycle::wrong_state;
use crate::resource_policy;
use crate::service::{AcmPcaService, authorize, ca_ref, internal};
use rampart_core::RequestContext;

/// A CA whose policy can no longer change.
fn frozen(status: &str) -> bool {
    matches!(status, "DELETED" | "FAILED")
}

impl PutPolicy for AcmPcaService {
    async fn put_policy(
        &self,
        ctx: &RequestContext,
        input: PutPolicyRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.resource_arn.unwrap_or_default())?;
        authorize(ctx, "PutPolicy", &ca.arn, &ca.account)?;
        let json = input.policy.unwrap_or_default();
        resource_policy::validate(&json, &ca.arn)?;
        self.mutate(&ca, |record| {
            if frozen(&record.status) {
                return Err(wrong_state(&ca.arn, &record.status));
            }
            record.governance.policy = Some(json.clone());
            Ok(vec![self.shared_write(&ca.arn, true).map_err(internal)?])
        })
        .await?;
        Ok(())
    }
}

impl GetPolicy for AcmPcaService {
    async fn get_policy(
        &self,
        ctx: &RequestContext,
        input: GetPolicyRequest,
    ) -> Result<GetPolicyResponse, ServiceError> {
        let ca = ca_ref(&input.resource_arn.unwrap_or_default())?;
        authorize(ctx, "GetPolicy", &ca.arn, &ca.account)?;
        let record = self.load(&ca).await?.value;
        // AWS: "If either the private CA resource or the policy cannot be found, this action
        // returns a ResourceNotFoundException." Doubt: the wording is not documented.
        let policy = record.governance.policy.ok_or_else(|| {
            resource_not_found_exception(format!(
                "The certificate authority {} has no policy.",
                ca.arn
            ))
        })?;
        Ok(GetPolicyResponse {
            policy: Some(policy),
        })
    }
}

impl DeletePolicy for AcmPcaService {
    async fn delete_policy(
        &self,
        ctx: &RequestContext,
        input: DeletePolicyRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.resource_arn.unwrap_or_default())?;
        authorize(ctx, "DeletePolicy", &ca.arn, &ca.account)?;
        // AWS: "If there is no policy attached to the private CA, this action will return
        // successful."
        self.mutate(&ca, |record| {
            if frozen(&record.status) {
                return Err(wrong_state(&ca.arn, &record.status));
            }
            record.governance.policy = None;
            Ok(vec![self.shared_write(&ca.arn, false).map_err(internal)?])
        })
        .await?;
        Ok(())
    }
}
