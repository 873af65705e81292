//! The organizations-only operations: centralized root access (ListOrganizationsFeatures,
//! Enable/DisableOrganizationsRootCredentialsManagement, Enable/DisableOrganizationsRootSessions)
//! organization-level resources (Enable/DisableOrganizationLevelResources) and the
//! Organizations access report (GenerateOrganizationsAccessReport). Rampart's accounts belong
//! to no AWS Organizations organization, so each answers, after authorizing `iam:<Action>` on
//! `*`, what IAM answers an account outside an organization: `OrganizationNotFoundException`
//! (the model's code), with the reason IAM's API reference gives. As no Organizations report
//! can be generated, GetOrganizationsAccessReport finds no job: `NoSuchEntity`, as for an
//! unknown job id.

use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DisableOrganizationLevelResources, DisableOrganizationsRootCredentialsManagement,
    DisableOrganizationsRootSessions, EnableOrganizationLevelResources,
    EnableOrganizationsRootCredentialsManagement, EnableOrganizationsRootSessions,
    GenerateOrganizationsAccessReport, GetOrganizationsAccessReport, ListOrganizationsFeatures,
};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

impl IamService {
    /// Authorizes `action` on `*`, then refuses: the account is in no organization.
    fn outside_organization<T>(
        &self,
        ctx: &RequestContext,
        action: &str,
    ) -> Result<T, ServiceError> {
        self.authorize(ctx, action, "*")?;
        Err(errors::organization_not_found_exception(
            "The request was rejected because no organization is associated with your account.",
        ))
    }
}

impl ListOrganizationsFeatures for IamService {
    async fn list_organizations_features(
        &self,
        ctx: &RequestContext,
        _input: ListOrganizationsFeaturesRequest,
    ) -> Result<ListOrganizationsFeaturesResponse, ServiceError> {
        self.outside_organization(ctx, "iam:ListOrganizationsFeatures")
    }
}

impl EnableOrganizationsRootCredentialsManagement for IamService {
    async fn enable_organizations_root_credentials_management(
        &self,
        ctx: &RequestContext,
        _input: EnableOrganizationsRootCredentialsManagementRequest,
    ) -> Result<EnableOrganizationsRootCredentialsManagementResponse, ServiceError> {
        self.outside_organization(ctx, "iam:EnableOrganizationsRootCredentialsManagement")
    }
}

impl DisableOrganizationsRootCredentialsManagement for IamService {
    async fn disable_organizations_root_credentials_management(
        &self,
        ctx: &RequestContext,
        _input: DisableOrganizationsRootCredentialsManagementRequest,
    ) -> Result<DisableOrganizationsRootCredentialsManagementResponse, ServiceError> {
        self.outside_organization(ctx, "iam:DisableOrganizationsRootCredentialsManagement")
    }
}

impl EnableOrganizationsRootSessions for IamService {
    async fn enable_organizations_root_sessions(
        &self,
        ctx: &RequestContext,
        _input: EnableOrganizationsRootSessionsRequest,
    ) -> Result<EnableOrganizationsRootSessionsResponse, ServiceError> {
        self.outside_organization(ctx, "iam:EnableOrganizationsRootSessions")
    }
}

impl DisableOrganizationsRootSessions for IamService {
    async fn disable_organizations_root_sessions(
        &self,
        ctx: &RequestContext,
        _input: DisableOrganizationsRootSessionsRequest,
    ) -> Result<DisableOrganizationsRootSessionsResponse, ServiceError> {
        self.outside_organization(ctx, "iam:DisableOrganizationsRootSessions")
    }
}

impl EnableOrganizationLevelResources for IamService {
    async fn enable_organization_level_resources(
        &self,
        ctx: &RequestContext,
        _input: EnableOrganizationLevelResourcesRequest,
    ) -> Result<EnableOrganizationLevelResourcesResponse, ServiceError> {
        self.outside_organization(ctx, "iam:EnableOrganizationLevelResources")
    }
}

impl DisableOrganizationLevelResources for IamService {
    async fn disable_organization_level_resources(
        &self,
        ctx: &RequestContext,
        _input: DisableOrganizationLevelResourcesRequest,
    ) -> Result<DisableOrganizationLevelResourcesResponse, ServiceError> {
        self.outside_organization(ctx, "iam:DisableOrganizationLevelResources")
    }
}

impl GenerateOrganizationsAccessReport for IamService {
    async fn generate_organizations_access_report(
        &self,
        ctx: &RequestContext,
        _input: GenerateOrganizationsAccessReportRequest,
    ) -> Result<GenerateOrganizationsAccessReportResponse, ServiceError> {
        self.outside_organization(ctx, "iam:GenerateOrganizationsAccessReport")
    }
}

impl GetOrganizationsAccessReport for IamService {
    async fn get_organizations_access_report(
        &self,
        ctx: &RequestContext,
        input: GetOrganizationsAccessReportRequest,
    ) -> Result<GetOrganizationsAccessReportResponse, ServiceError> {
        self.authorize(ctx, "iam:GetOrganizationsAccessReport", "*")?;
        let job_id = input.job_id.unwrap_or_default();
        Err(errors::no_such_entity_exception(format!(
            "No such job exists with id {job_id}."
        )))
    }
}
