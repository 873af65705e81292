//! Service-linked roles: CreateServiceLinkedRole (the role AWS names for the service, at
//! `/aws-service-role/<principal>/`, trusting the service principal, with the service's AWS
//! managed policy attached; `CustomSuffix` only where the service takes one),
//! DeleteServiceLinkedRole (the role and its policies go at once, since no Rampart service
//! uses such roles; the deletion task is recorded) and GetServiceLinkedRoleDeletionStatus.
//! Messages for a service Rampart does not know, a role that is not service-linked and a
//! malformed task id are Rampart's own (AWS's are not documented).

use super::common::{ATTEMPTS, required, store_failure, too_busy};
use super::entity::{Keys, entity_arn};
use super::roles::{RoleView, role_out};
use crate::generated::enums::DeletionTaskStatusType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateServiceLinkedRole, DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus,
};
use crate::records::RoleRecord;
use crate::service_linked::{self, DELETION_TASKS, DeletionTaskRecord, LinkedService};
use crate::tables::entity_row;
use crate::{IamService, ids};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Table};

/// Schema version of role records written here.
const SCHEMA: u32 = 1;

impl CreateServiceLinkedRole for IamService {
    async fn create_service_linked_role(
        &self,
        ctx: &RequestContext,
        input: CreateServiceLinkedRoleRequest,
    ) -> Result<CreateServiceLinkedRoleResponse, ServiceError> {
        let principal = required(input.aws_service_name, "awsServiceName")?;
        let suffix = input.custom_suffix;
        let account = ctx.account().to_string();
        let mut context = ctx.policy_context();
        context.set("iam:AWSServiceName", &principal);
        let service = service_linked::find(&principal);
        let arn = match service {
            Some(s) => entity_arn(&account, "role", &s.path(), &s.name_with(suffix.as_deref())),
            None => entity_arn(&account, "role", service_linked::PATH_PREFIX, &principal),
        };
        self.authorize_with(ctx, "iam:CreateServiceLinkedRole", &arn, &context)?;
        let service = service.ok_or_else(|| {
            errors::invalid_input_exception(format!("Unrecognized service principal: {principal}"))
        })?;
        if suffix.is_some() && !service.suffix {
            return Err(errors::invalid_input_exception(format!(
                "Custom suffix is not allowed for {principal}"
            )));
        }
        let role = self.linked_role(ctx, service, suffix.as_deref(), input.description);
        self.insert_linked_role(&role).await?;
        Ok(CreateServiceLinkedRoleResponse {
            role: Some(role_out(&role, RoleView::Created)),
        })
    }
}

impl DeleteServiceLinkedRole for IamService {
    async fn delete_service_linked_role(
        &self,
        ctx: &RequestContext,
        input: DeleteServiceLinkedRoleRequest,
    ) -> Result<DeleteServiceLinkedRoleResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let account = ctx.account().as_str();
        let tasks: Table<DeletionTaskRecord> =
            Table::new(self.dir.tables.store.clone(), DELETION_TASKS);
        for _ in 0..ATTEMPTS {
            let action = "iam:DeleteServiceLinkedRole";
            let found = self
                .existing::<RoleRecord>(ctx, action, &name, Keys::Plain)
                .await?;
            let role = &found.value;
            let principal = linked_principal(role).ok_or_else(|| {
                errors::invalid_input_exception(format!(
                    "Role {} is not a service-linked role.",
                    role.name
                ))
            })?;
            let task_id = service_linked::deletion_task_id(principal, &role.name);
            let task = DeletionTaskRecord {
                role_name: role.name.clone(),
                role_arn: role.arn(),
                created_ms: self.now_ms(),
            };
            let row = entity_row(account, &role.name);
            let roles = &self.dir.tables.roles;
            let mut writes = roles.delete(&row, role, Expect::Version(found.version));
            let task_row = format!("{account}/{task_id}");
            writes.push(
                tasks
                    .put(&task_row, &task, Expect::Absent)
                    .map_err(store_failure)?,
            );
            if self.commit(account, writes).await? {
                return Ok(DeleteServiceLinkedRoleResponse {
                    deletion_task_id: Some(task_id),
                });
            }
        }
        Err(too_busy())
    }
}

impl GetServiceLinkedRoleDeletionStatus for IamService {
    async fn get_service_linked_role_deletion_status(
        &self,
        ctx: &RequestContext,
        input: GetServiceLinkedRoleDeletionStatusRequest,
    ) -> Result<GetServiceLinkedRoleDeletionStatusResponse, ServiceError> {
        let id = required(input.deletion_task_id, "deletionTaskId")?;
        let account = ctx.account().as_str();
        let role_arn = service_linked::task_role_arn(account, &id).ok_or_else(|| {
            errors::invalid_input_exception(format!("Invalid deletion task id: {id}"))
        })?;
        let action = "iam:GetServiceLinkedRoleDeletionStatus";
        self.authorize_with(ctx, action, &role_arn, &ctx.policy_context())?;
        let tasks: Table<DeletionTaskRecord> =
            Table::new(self.dir.tables.store.clone(), DELETION_TASKS);
        let found = tasks
            .get(&format!("{account}/{id}"))
            .await
            .map_err(store_failure)?;
        if found.is_none() {
            return Err(errors::no_such_entity_exception(format!(
                "Deletion task {id} cannot be found."
            )));
        }
        Ok(GetServiceLinkedRoleDeletionStatusResponse {
            reason: None,
            status: Some(DeletionTaskStatusType::Succeeded),
        })
    }
}

impl IamService {
    /// The new service-linked role of `service` in the caller's account.
    fn linked_role(
        &self,
        ctx: &RequestContext,
        service: &LinkedService,
        suffix: Option<&str>,
        description: Option<String>,
    ) -> RoleRecord {
        RoleRecord {
            schema: SCHEMA,
            account: ctx.account().to_string(),
            name: service.name_with(suffix),
            path: service.path(),
            role_id: ids::unique_id("AROA"),
            created_ms: self.now_ms(),
            trust_policy: service.trust_policy(),
            description: description.filter(|d| !d.is_empty()),
            max_session_duration: 3600,
            tags: Vec::new(),
            boundary_arn: None,
            inline_policies: Default::default(),
            attached_policies: vec![service.policy_arn()],
            last_used_ms: None,
            last_used_region: None,
        }
    }

    /// Writes `role` unless a role of its name exists (AWS asks for another suffix then).
    async fn insert_linked_role(&self, role: &RoleRecord) -> Result<(), ServiceError> {
        let row = entity_row(&role.account, &role.name);
        let roles = &self.dir.tables.roles;
        for _ in 0..ATTEMPTS {
            if roles.get(&row).await.map_err(store_failure)?.is_some() {
                return Err(errors::invalid_input_exception(format!(
                    "Service role name {} has been taken in this account, please try a \
                     different suffix.",
                    role.name
                )));
            }
            let put = roles.put(&row, role, Expect::Absent, None);
            if self
                .commit(&role.account, put.map_err(store_failure)?)
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// The service principal of a service-linked role (from its path), `None` for other roles.
fn linked_principal(role: &RoleRecord) -> Option<&str> {
    role.path
        .strip_prefix(service_linked::PATH_PREFIX)?
        .strip_suffix('/')
        .filter(|p| !p.is_empty() && !p.contains('/'))
}
