//! CreateDelegationRequest, GetDelegationRequest and ListDelegationRequests (IAM temporary
//! delegation, see `crate::delegation`). A request is visible to its requestor's account, to
//! any account while it names no owner account, then to the owner account only; others get
//! `NoSuchEntity`. The owner identity has the default permission on its request; anyone else
//! needs `iam:<Action>` on the request's ARN.
//!
//! Not there, for want of the parts: partner onboarding (any caller allowed
//! `iam:CreateDelegationRequest` may file requests), the console (no `ConsoleDeepLink`), the
//! partner's policy templates (no rendered `PermissionPolicy`, no `PermissionCheckResult`, no
//! `RolePermissionRestrictionArns`), partner names (no `RequestorName`), the SNS notifications
//! and the expiry of idle requests (no `EXPIRED`).

use super::common::{page, required, store_failure, timestamp, too_busy};
use super::entity::scan_all;
use crate::IamService;
use crate::delegation::{
    DelegationRecord, OWNED, ParameterRecord, REQUESTS, State, WORKFLOWS, scoped_row,
};
use crate::generated::enums::{PolicyParameterTypeEnum, StateType};
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{CreateDelegationRequest, GetDelegationRequest, ListDelegationRequests};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, Table, Versioned};

impl CreateDelegationRequest for IamService {
    async fn create_delegation_request(
        &self,
        ctx: &RequestContext,
        input: CreateDelegationRequestRequest,
    ) -> Result<CreateDelegationRequestResponse, ServiceError> {
        self.authorize(ctx, "iam:CreateDelegationRequest", "*")?;
        let record = new_record(ctx, self.now_ms(), input)?;
        let account = ctx.account().as_str();
        let workflow = self.workflows().put(
            &scoped_row(account, &record.requestor_workflow_id),
            &record.id,
            Expect::Absent,
        );
        let request = self.delegations().put(&record.id, &record, Expect::Absent);
        let writes = vec![
            workflow.map_err(store_failure)?,
            request.map_err(store_failure)?,
        ];
        match self.dir.tables.store.transact(writes).await {
            Ok(()) => Ok(CreateDelegationRequestResponse {
                console_deep_link: None,
                delegation_request_id: Some(record.id),
            }),
            Err(StoreError::Conflict { .. }) => {
                Err(errors::entity_already_exists_exception(format!(
                    "Delegation request for workflow {} already exists.",
                    record.requestor_workflow_id
                )))
            }
            Err(err) => Err(store_failure(err)),
        }
    }
}

/// The record of a new request filed by the caller's account.
fn new_record(
    ctx: &RequestContext,
    now_ms: i64,
    input: CreateDelegationRequestRequest,
) -> Result<DelegationRecord, ServiceError> {
    let permissions = required(input.permissions, "permissions")?;
    let parameters = permissions.parameters.unwrap_or_default();
    Ok(DelegationRecord {
        id: crate::ids::delegation_request_id(),
        requestor_account: ctx.account().as_str().to_owned(),
        requestor_workflow_id: required(input.requestor_workflow_id, "requestorWorkflowId")?,
        description: required(input.description, "description")?,
        policy_template_arn: permissions.policy_template_arn,
        parameters: parameters.into_iter().map(parameter_in).collect(),
        request_message: input.request_message,
        redirect_url: input.redirect_url,
        notification_channel: required(input.notification_channel, "notificationChannel")?,
        session_duration: required(input.session_duration, "sessionDuration")?,
        only_send_by_owner: input.only_send_by_owner.unwrap_or(false),
        owner_account: input.owner_account_id,
        owner_id: None,
        approver_id: None,
        state: State::Unassigned,
        notes: None,
        rejection_reason: None,
        created_ms: now_ms,
        updated_ms: now_ms,
        expires_ms: None,
        trade_in_token: None,
    })
}

fn parameter_in(p: PolicyParameter) -> ParameterRecord {
    ParameterRecord {
        name: p.name,
        kind: p.type_.map(|t| t.as_str().to_owned()),
        values: p.values.unwrap_or_default(),
    }
}

impl GetDelegationRequest for IamService {
    async fn get_delegation_request(
        &self,
        ctx: &RequestContext,
        input: GetDelegationRequestRequest,
    ) -> Result<GetDelegationRequestResponse, ServiceError> {
        let id = required(input.delegation_request_id, "delegationRequestId")?;
        let found = self
            .visible_delegation(ctx, "GetDelegationRequest", &id)
            .await?;
        Ok(GetDelegationRequestResponse {
            delegation_request: Some(delegation_out(&found.value)),
            permission_check_result: None,
            permission_check_status: None,
        })
    }
}

impl ListDelegationRequests for IamService {
    async fn list_delegation_requests(
        &self,
        ctx: &RequestContext,
        input: ListDelegationRequestsRequest,
    ) -> Result<ListDelegationRequestsResponse, ServiceError> {
        self.authorize(ctx, "iam:ListDelegationRequests", "*")?;
        let prefix = scoped_row(ctx.account().as_str(), "");
        let owned = scan_all(&self.owned(), &prefix).await?;
        let ids: Vec<String> = owned.into_iter().map(|(_, id)| id).collect();
        let found = self.delegations().get_many(&ids).await;
        let mut requests: Vec<DelegationRecord> = found
            .map_err(store_failure)?
            .into_iter()
            .flatten()
            .map(|row| row.value)
            .filter(|r| input.owner_id.is_none() || r.owner_id == input.owner_id)
            .collect();
        requests.sort_by(|a, b| a.id.cmp(&b.id));
        let paged = page(requests, input.marker.as_deref(), input.max_items, |r| {
            r.id.clone()
        })?;
        Ok(ListDelegationRequestsResponse {
            delegation_requests: Some(paged.items.iter().map(delegation_out).collect()),
            marker: paged.marker,
            is_truncated: Some(paged.is_truncated),
        })
    }
}

impl IamService {
    /// Delegation requests by id.
    pub(super) fn delegations(&self) -> Table<DelegationRecord> {
        Table::new(self.dir.tables.store.clone(), REQUESTS)
    }

    /// The owned-requests index.
    pub(super) fn owned(&self) -> Table<String> {
        Table::new(self.dir.tables.store.clone(), OWNED)
    }

    fn workflows(&self) -> Table<String> {
        Table::new(self.dir.tables.store.clone(), WORKFLOWS)
    }

    /// The request `id` if the caller's account may see it and the caller may take
    /// `operation` on it (the owner may; others need `iam:<operation>` on its ARN).
    pub(super) async fn visible_delegation(
        &self,
        ctx: &RequestContext,
        operation: &str,
        id: &str,
    ) -> Result<Versioned<DelegationRecord>, ServiceError> {
        let found = self.delegations().get(id).await.map_err(store_failure)?;
        let Some(found) = found.filter(|f| f.value.visible_to(ctx.account().as_str())) else {
            return Err(errors::no_such_entity_exception(format!(
                "The delegation request with id {id} cannot be found."
            )));
        };
        if found.value.owner_id.as_deref() != Some(ctx.principal.arn.as_str()) {
            self.authorize(ctx, &format!("iam:{operation}"), &found.value.arn())?;
        }
        Ok(found)
    }

    /// Stores `record` over the version read; `ConcurrentModification` when it changed since.
    pub(super) async fn save_delegation(
        &self,
        found: &Versioned<DelegationRecord>,
        record: &DelegationRecord,
        owned_row: Option<String>,
    ) -> Result<(), ServiceError> {
        let put = self
            .delegations()
            .put(&record.id, record, Expect::Version(found.version));
        let mut writes = vec![put.map_err(store_failure)?];
        if let Some(row) = owned_row {
            let owned = self.owned().put(&row, &record.id, Expect::Absent);
            writes.push(owned.map_err(store_failure)?);
        }
        match self.dir.tables.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => Err(too_busy()),
            Err(err) => Err(store_failure(err)),
        }
    }
}

/// A request as the wire shows it.
pub(super) fn delegation_out(r: &DelegationRecord) -> DelegationRequest {
    let parameters = r.parameters.iter().map(|p| PolicyParameter {
        name: p.name.clone(),
        type_: p.kind.as_deref().map(PolicyParameterTypeEnum::from),
        values: Some(p.values.clone()),
    });
    DelegationRequest {
        approver_id: r.approver_id.clone(),
        create_date: Some(timestamp(r.created_ms)),
        delegation_request_id: Some(r.id.clone()),
        description: Some(r.description.clone()),
        expiration_time: r.expires_ms.map(timestamp),
        notes: r.notes.clone(),
        only_send_by_owner: Some(r.only_send_by_owner),
        owner_account_id: r.owner_account.clone(),
        owner_id: r.owner_id.clone(),
        permission_policy: None,
        permissions: Some(DelegationPermission {
            parameters: Some(parameters.collect()),
            policy_template_arn: r.policy_template_arn.clone(),
        }),
        redirect_url: r.redirect_url.clone(),
        rejection_reason: r.rejection_reason.clone(),
        request_message: r.request_message.clone(),
        requestor_id: Some(r.requestor_account.clone()),
        requestor_name: None,
        role_permission_restriction_arns: None,
        session_duration: Some(r.session_duration),
        state: Some(StateType::from(r.state.as_str())),
        updated_time: Some(timestamp(r.updated_ms)),
    }
}
