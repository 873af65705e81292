//! CreatePermission, DeletePermission and ListPermissions: what the ACM service principal
//! (`acm.amazonaws.com`, the only one AWS accepts) may do with a CA of the same account, so
//! ACM can issue and renew private certificates (`acm_access.rs` answers ACM's question).
//! A permission is one per (principal, source account), and reads back with its `Policy`: the
//! resource-policy statement it amounts to.

use crate::generated::errors::{
    invalid_next_token_exception, permission_already_exists_exception, resource_not_found_exception,
};
use crate::generated::*;
use crate::ops::lifecycle::wrong_state;
use crate::record::PermissionRecord;
use crate::service::{AcmPcaService, authorize, ca_ref};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use serde_json::json;

/// The only principal AWS lets a permission name.
pub const ACM_PRINCIPAL: &str = "acm.amazonaws.com";
/// ListPermissions' page size when MaxResults is absent.
const DEFAULT_PAGE: usize = 100;

/// A CA whose permissions can no longer change or be read.
fn unusable(status: &str) -> bool {
    matches!(status, "DELETED" | "FAILED")
}

/// The principal, checked: only ACM.
fn checked_principal(principal: Option<String>) -> Result<String, ServiceError> {
    match principal {
        Some(p) if p == ACM_PRINCIPAL => Ok(p),
        // Doubt: AWS's exception and wording for another principal are not documented (the
        // operation lists no validation exception); the API reference says "the only valid
        // principal is acm.amazonaws.com".
        other => Err(ServiceError::new(
            "ValidationException",
            400,
            format!(
                "Invalid principal {}: the only valid principal is {ACM_PRINCIPAL}.",
                other.unwrap_or_default()
            ),
        )),
    }
}

impl CreatePermission for AcmPcaService {
    async fn create_permission(
        &self,
        ctx: &RequestContext,
        input: CreatePermissionRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "CreatePermission", &ca.arn, &ca.account)?;
        let principal = checked_principal(input.principal)?;
        let mut actions: Vec<String> = Vec::new();
        for action in input.actions.unwrap_or_default() {
            let name = action.as_str().to_owned();
            if !actions.contains(&name) {
                actions.push(name);
            }
        }
        let granted = PermissionRecord {
            principal,
            source_account: Some(input.source_account.unwrap_or(ca.account.clone())),
            actions,
            created_ms: self.now_ms(),
        };
        self.mutate(&ca, |record| {
            if unusable(&record.status) {
                return Err(wrong_state(&ca.arn, &record.status));
            }
            let permissions = &mut record.governance.permissions;
            if permissions.iter().any(|p| same_grantee(p, &granted)) {
                // The API reference's description of PermissionAlreadyExistsException.
                return Err(permission_already_exists_exception(
                    "The designated permission has already been given to the user.",
                ));
            }
            permissions.push(granted.clone());
            Ok(Vec::new())
        })
        .await?;
        Ok(())
    }
}

/// Whether two permissions are for the same principal and source account.
fn same_grantee(a: &PermissionRecord, b: &PermissionRecord) -> bool {
    a.principal == b.principal && a.source_account == b.source_account
}

impl DeletePermission for AcmPcaService {
    async fn delete_permission(
        &self,
        ctx: &RequestContext,
        input: DeletePermissionRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "DeletePermission", &ca.arn, &ca.account)?;
        let principal = checked_principal(input.principal)?;
        let source = Some(input.source_account.unwrap_or(ca.account.clone()));
        self.mutate(&ca, |record| {
            if unusable(&record.status) {
                return Err(wrong_state(&ca.arn, &record.status));
            }
            let permissions = &mut record.governance.permissions;
            let before = permissions.len();
            permissions.retain(|p| !(p.principal == principal && p.source_account == source));
            if permissions.len() == before {
                // Doubt: AWS's wording for a permission that does not exist is not documented.
                return Err(resource_not_found_exception(format!(
                    "Could not find a permission for {principal} on certificate authority {}.",
                    ca.arn
                )));
            }
            Ok(Vec::new())
        })
        .await?;
        Ok(())
    }
}

impl ListPermissions for AcmPcaService {
    async fn list_permissions(
        &self,
        ctx: &RequestContext,
        input: ListPermissionsRequest,
    ) -> Result<ListPermissionsResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        self.authorize_ca(ctx, "ListPermissions", &ca, &[]).await?;
        let record = self.load(&ca).await?.value;
        if unusable(&record.status) {
            return Err(wrong_state(&ca.arn, &record.status));
        }
        let all = &record.governance.permissions;
        let start = match input.next_token.as_deref() {
            None => 0,
            Some(token) => page_start(token, all.len())?,
        };
        let limit = input
            .max_results
            .map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
        let end = (start + limit).min(all.len());
        let permissions = all[start..end]
            .iter()
            .map(|p| permission_shape(&ca.arn, p))
            .collect();
        Ok(ListPermissionsResponse {
            permissions: Some(permissions),
            next_token: (end < all.len()).then(|| URL_SAFE_NO_PAD.encode(end.to_string())),
        })
    }
}

/// The index a NextToken continues at.
fn page_start(token: &str, len: usize) -> Result<usize, ServiceError> {
    // Doubt: AWS's wording for a bad NextToken is not documented.
    let bad = || invalid_next_token_exception("The token is invalid.");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.parse::<usize>()
        .ok()
        .filter(|n| *n > 0 && *n < len)
        .ok_or_else(bad)
}

/// A stored permission as the wire `Permission`.
fn permission_shape(ca_arn: &str, p: &PermissionRecord) -> Permission {
    Permission {
        actions: Some(p.actions.iter().map(|a| a.as_str().into()).collect()),
        certificate_authority_arn: Some(ca_arn.to_owned()),
        created_at: Some(Timestamp::from_epoch_millis(p.created_ms)),
        policy: Some(permission_policy(ca_arn, p)),
        principal: Some(p.principal.clone()),
        source_account: p.source_account.clone(),
    }
}

/// The resource-policy document a permission amounts to: the service principal allowed its
/// actions on the CA, for the source account.
pub(crate) fn permission_policy(ca_arn: &str, p: &PermissionRecord) -> String {
    let actions: Vec<String> = p.actions.iter().map(|a| format!("acm-pca:{a}")).collect();
    let mut statement = json!({
        "Sid": format!("{}-{}", p.principal, p.source_account.as_deref().unwrap_or_default()),
        "Effect": "Allow",
        "Principal": {"Service": p.principal},
        "Action": actions,
        "Resource": ca_arn,
    });
    if let Some(account) = &p.source_account {
        statement["Condition"] = json!({"StringEquals": {"aws:SourceAccount": account}});
    }
    json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}
