//! The customer's steps on a delegation request (AssociateDelegationRequest,
//! UpdateDelegationRequest, AcceptDelegationRequest, RejectDelegationRequest,
//! SendDelegationToken), each a transition of `crate::delegation::next`; a step the lifecycle
//! does not allow from the request's state answers `InvalidInput` and changes nothing. Sending
//! the token finalizes the request, starts the delegation period and mints the trade-in token
//! (`crate::trade_in`), kept sealed on the request: Rampart has no SNS notification channel to
//! deliver it on, so `rampart iam delegation-token` reads it for the operator to hand over.
//!
//! GetHumanReadableSummary: AWS writes the summary of a delegation request with a large
//! language model, which Rampart does not reproduce: for a request the caller may read it
//! answers `SummaryState` `NOT_AVAILABLE` without content; an ARN that names no delegation
//! request (the only entity type AWS summarizes) is `InvalidInput`.

use super::common::required;
use crate::IamService;
use crate::delegation::{DelegationRecord, Step, id_of_arn, next, scoped_row};
use crate::generated::enums::SummaryStateType;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    AcceptDelegationRequest, AssociateDelegationRequest, GetHumanReadableSummary,
    RejectDelegationRequest, SendDelegationToken, UpdateDelegationRequest,
};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

impl IamService {
    /// Takes `step` on request `id` for the caller: checks visibility, permission and the
    /// lifecycle, lets `change` fill in the step's details, and stores the result.
    async fn take_step(
        &self,
        ctx: &RequestContext,
        step: Step,
        id: &str,
        change: impl FnOnce(&mut DelegationRecord),
    ) -> Result<(), ServiceError> {
        let found = self.visible_delegation(ctx, step.operation(), id).await?;
        let account = ctx.account().as_str();
        let mut record = found.value.clone();
        let Some(state) = next(record.state, step) else {
            return Err(errors::invalid_input_exception(format!(
                "{} is not allowed for delegation request {id} in state {}.",
                step.operation(),
                record.state.as_str()
            )));
        };
        check_party(&record, step, account, &ctx.principal.arn)?;
        record.state = state;
        record.updated_ms = self.now_ms();
        change(&mut record);
        let owned_row = (step == Step::Associate).then(|| scoped_row(account, id));
        self.save_delegation(&found, &record, owned_row).await
    }
}

/// Whether the caller's account and identity may take `step`: association by the targeted
/// account (any while none is named), the other steps by the owner account, and the token
/// sent by the owner only when the partner asked so.
fn check_party(
    record: &DelegationRecord,
    step: Step,
    account: &str,
    caller: &str,
) -> Result<(), ServiceError> {
    let owner_account = record.owner_account.as_deref();
    let allowed = match step {
        Step::Associate => owner_account.is_none_or(|a| a == account),
        _ => owner_account == Some(account),
    };
    if !allowed {
        return Err(errors::invalid_input_exception(format!(
            "Delegation request {} is not assigned to account {account}.",
            record.id
        )));
    }
    if step == Step::SendToken
        && record.only_send_by_owner
        && record.owner_id.as_deref() != Some(caller)
    {
        return Err(ServiceError::new(
            "AccessDenied",
            403,
            format!(
                "Only the owner of delegation request {} may send its delegation token.",
                record.id
            ),
        ));
    }
    Ok(())
}

impl AssociateDelegationRequest for IamService {
    async fn associate_delegation_request(
        &self,
        ctx: &RequestContext,
        input: AssociateDelegationRequestRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.delegation_request_id, "delegationRequestId")?;
        let account = ctx.account().as_str().to_owned();
        let caller = ctx.principal.arn.clone();
        self.take_step(ctx, Step::Associate, &id, |r| {
            r.owner_account = Some(account);
            r.owner_id = Some(caller);
        })
        .await
    }
}

impl UpdateDelegationRequest for IamService {
    async fn update_delegation_request(
        &self,
        ctx: &RequestContext,
        input: UpdateDelegationRequestRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.delegation_request_id, "delegationRequestId")?;
        self.take_step(ctx, Step::Update, &id, |r| {
            if input.notes.is_some() {
                r.notes = input.notes;
            }
        })
        .await
    }
}

impl AcceptDelegationRequest for IamService {
    async fn accept_delegation_request(
        &self,
        ctx: &RequestContext,
        input: AcceptDelegationRequestRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.delegation_request_id, "delegationRequestId")?;
        let caller = ctx.principal.arn.clone();
        self.take_step(ctx, Step::Accept, &id, |r| r.approver_id = Some(caller))
            .await
    }
}

impl RejectDelegationRequest for IamService {
    async fn reject_delegation_request(
        &self,
        ctx: &RequestContext,
        input: RejectDelegationRequestRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.delegation_request_id, "delegationRequestId")?;
        self.take_step(ctx, Step::Reject, &id, |r| r.rejection_reason = input.notes)
            .await
    }
}

impl SendDelegationToken for IamService {
    async fn send_delegation_token(
        &self,
        ctx: &RequestContext,
        input: SendDelegationTokenRequest,
    ) -> Result<(), ServiceError> {
        let id = required(input.delegation_request_id, "delegationRequestId")?;
        let key = self.dir.credentials.sealing_key();
        self.take_step(ctx, Step::SendToken, &id, |r| {
            r.expires_ms = Some(r.updated_ms + i64::from(r.session_duration) * 1000);
            r.trade_in_token = Some(crate::trade_in::mint(key, &r.id).1);
        })
        .await
    }
}

impl GetHumanReadableSummary for IamService {
    async fn get_human_readable_summary(
        &self,
        ctx: &RequestContext,
        input: GetHumanReadableSummaryRequest,
    ) -> Result<GetHumanReadableSummaryResponse, ServiceError> {
        let arn = required(input.entity_arn, "entityArn")?;
        let Some(id) = id_of_arn(&arn) else {
            return Err(errors::invalid_input_exception(format!(
                "Summaries are available for delegation requests only; {arn} is not the ARN of one."
            )));
        };
        let found = self
            .visible_delegation(ctx, "GetHumanReadableSummary", id)
            .await?;
        if found.value.arn() != arn {
            return Err(errors::no_such_entity_exception(format!(
                "The delegation request with id {id} cannot be found."
            )));
        }
        Ok(GetHumanReadableSummaryResponse {
            locale: input.locale,
            summary_content: None,
            summary_state: Some(SummaryStateType::NotAvailable),
        })
    }
}
