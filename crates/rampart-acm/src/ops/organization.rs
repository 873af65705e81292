//! The 15 operations of ACM's certificate inventory and member-account management across an
//! AWS Organization (`*Member*`, `*Inventory*`). Rampart has no AWS Organizations, so every
//! account is outside an organization: after the model's input validation (the generated
//! codec) and the caller's IAM authorization (`acm:<Operation>` on `*`), each answers
//! `AccessDeniedException`, the error code AWS documents for callers that are not the
//! organization's management account or a delegated administrator.
//!
//! Doubt: AWS's message for an account outside an organization is not documented; the
//! wording of [`NOT_IN_ORGANIZATION`] is Rampart's own.

use crate::generated::*;
use crate::service::{AcmService, authorize};
use rampart_core::RequestContext;

/// The message of the refusal.
pub(crate) const NOT_IN_ORGANIZATION: &str = "This operation can be called only from the \
management account or a delegated administrator account of an organization, and account \
{account} is not a member of an organization.";

/// Authorizes `operation` for the caller, then refuses it: the account has no organization.
fn refuse<T>(ctx: &RequestContext, operation: &str) -> Result<T, ServiceError> {
    let account = ctx.account().as_str();
    authorize(ctx, operation, "*", account)?;
    Err(ServiceError::access_denied(
        NOT_IN_ORGANIZATION.replace("{account}", account),
    ))
}

/// Implements each listed operation as [`refuse`].
macro_rules! outside_organization {
    ($($op:ident, $method:ident, $input:ident, $output:ident;)*) => {$(
        impl $op for AcmService {
            async fn $method(
                &self,
                ctx: &RequestContext,
                _input: $input,
            ) -> Result<$output, ServiceError> {
                refuse(ctx, stringify!($op))
            }
        }
    )*};
}

outside_organization! {
    DeleteMemberCertificate, delete_member_certificate,
        DeleteMemberCertificateInput, DeleteMemberCertificateOutput;
    DeleteMemberCertificateAuthority, delete_member_certificate_authority,
        DeleteMemberCertificateAuthorityInput, DeleteMemberCertificateAuthorityOutput;
    GetInventoryConfiguration, get_inventory_configuration,
        GetInventoryConfigurationInput, GetInventoryConfigurationOutput;
    GetInventoryInsights, get_inventory_insights,
        GetInventoryInsightsInput, GetInventoryInsightsOutput;
    ListInventoryFindings, list_inventory_findings,
        ListInventoryFindingsInput, ListInventoryFindingsOutput;
    ListInventoryRelatedResources, list_inventory_related_resources,
        ListInventoryRelatedResourcesInput, ListInventoryRelatedResourcesOutput;
    ListInventoryUsages, list_inventory_usages,
        ListInventoryUsagesInput, ListInventoryUsagesOutput;
    PutInventoryConfiguration, put_inventory_configuration,
        PutInventoryConfigurationInput, PutInventoryConfigurationOutput;
    RenewMemberCertificate, renew_member_certificate,
        RenewMemberCertificateInput, RenewMemberCertificateOutput;
    RestoreMemberCertificateAuthority, restore_member_certificate_authority,
        RestoreMemberCertificateAuthorityInput, RestoreMemberCertificateAuthorityOutput;
    RevokeMemberCertificate, revoke_member_certificate,
        RevokeMemberCertificateInput, RevokeMemberCertificateOutput;
    RevokeMemberIssuedCertificate, revoke_member_issued_certificate,
        RevokeMemberIssuedCertificateInput, RevokeMemberIssuedCertificateOutput;
    SearchInventory, search_inventory,
        SearchInventoryInput, SearchInventoryOutput;
    UpdateMemberCertificateAuthority, update_member_certificate_authority,
        UpdateMemberCertificateAuthorityInput, UpdateMemberCertificateAuthorityOutput;
    UpdateMemberCertificateOptions, update_member_certificate_options,
        UpdateMemberCertificateOptionsInput, UpdateMemberCertificateOptionsOutput;
}
