//! IAM temporary delegation requests, no I/O: the stored record and the state machine of IAM's
//! user guide ("Understanding the request lifecycle"). A partner creates a request
//! (`UNASSIGNED`); a customer identity associates it (`ASSIGNED`, it becomes the owner), may
//! forward it with notes (`PENDING_APPROVAL`), accepts (`ACCEPTED`, the accepting identity is
//! recorded as approver) or rejects it (`REJECTED`, possible until the token is sent); sending
//! the exchange token finalizes it (`FINALIZED`, the delegation period of `SessionDuration`
//! starting then) and mints the trade-in token (`crate::trade_in`) the partner exchanges with
//! STS GetDelegatedAccessToken. Rows of `iam_delegation_requests` are keyed by request id (requests cross
//! accounts); `iam_delegation_requests_owned` indexes owned requests by
//! `<owner account>/<request id>` for ListDelegationRequests.

use serde::{Deserialize, Serialize};

/// Delegation requests. Row: the request id.
pub const REQUESTS: &str = "iam_delegation_requests";
/// Owned delegation requests. Row: `<owner account>/<request id>`, value the request id.
pub const OWNED: &str = "iam_delegation_requests_owned";
/// The partner workflows that created a request. Row: `<requestor account>/<workflow id>`,
/// value the request id (a workflow files one request).
pub const WORKFLOWS: &str = "iam_delegation_requests_workflows";

/// Row key of an owned request in [`OWNED`] (or of a workflow in [`WORKFLOWS`]).
pub fn scoped_row(account: &str, id: &str) -> String {
    format!("{account}/{id}")
}

/// Where a request is in its lifecycle (the model's `stateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    Unassigned,
    Assigned,
    PendingApproval,
    Accepted,
    Finalized,
    Rejected,
}

impl State {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unassigned => "UNASSIGNED",
            Self::Assigned => "ASSIGNED",
            Self::PendingApproval => "PENDING_APPROVAL",
            Self::Accepted => "ACCEPTED",
            Self::Finalized => "FINALIZED",
            Self::Rejected => "REJECTED",
        }
    }
}

/// A step a customer takes on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Associate,
    Update,
    Accept,
    Reject,
    SendToken,
}

impl Step {
    /// The operation taking the step.
    pub fn operation(self) -> &'static str {
        match self {
            Self::Associate => "AssociateDelegationRequest",
            Self::Update => "UpdateDelegationRequest",
            Self::Accept => "AcceptDelegationRequest",
            Self::Reject => "RejectDelegationRequest",
            Self::SendToken => "SendDelegationToken",
        }
    }
}

/// The state `step` leads to from `from`; `None` when the lifecycle has no such transition.
pub fn next(from: State, step: Step) -> Option<State> {
    use State::*;
    match (step, from) {
        (Step::Associate, Unassigned) => Some(Assigned),
        (Step::Update, Assigned | PendingApproval) => Some(PendingApproval),
        (Step::Accept, Assigned | PendingApproval) => Some(Accepted),
        (Step::Reject, Assigned | PendingApproval | Accepted) => Some(Rejected),
        (Step::SendToken, Accepted) => Some(Finalized),
        _ => None,
    }
}

/// A policy parameter of the requested permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterRecord {
    pub name: Option<String>,
    /// `string` or `stringList`.
    pub kind: Option<String>,
    pub values: Vec<String>,
}

/// A stored delegation request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationRecord {
    pub id: String,
    /// The partner account that created it.
    pub requestor_account: String,
    pub requestor_workflow_id: String,
    pub description: String,
    pub policy_template_arn: Option<String>,
    pub parameters: Vec<ParameterRecord>,
    pub request_message: Option<String>,
    pub redirect_url: Option<String>,
    pub notification_channel: String,
    pub session_duration: i32,
    pub only_send_by_owner: bool,
    pub owner_account: Option<String>,
    /// The ARN of the identity that associated the request.
    pub owner_id: Option<String>,
    /// The ARN of the identity that accepted it.
    pub approver_id: Option<String>,
    pub state: State,
    pub notes: Option<String>,
    pub rejection_reason: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// When the delegation period ends (set when the token is sent).
    pub expires_ms: Option<i64>,
    /// The trade-in token minted when the token was sent, sealed (`crate::trade_in`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_in_token: Option<String>,
}

impl DelegationRecord {
    /// `arn:aws:iam::<requestor account>:delegation-request/<id>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:delegation-request/{}",
            self.requestor_account, self.id
        )
    }

    /// Whether `account` may see the request: its requestor, any account while no owner
    /// account is set, otherwise the owner account only.
    pub fn visible_to(&self, account: &str) -> bool {
        self.requestor_account == account
            || self.owner_account.as_deref().is_none_or(|a| a == account)
    }
}

/// The request id of a `delegation-request` ARN (`arn:<partition>:iam::<account>:
/// delegation-request/<id>`); `None` for any other ARN.
pub fn id_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let id = resource.strip_prefix("delegation-request/")?;
    let valid_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (valid_account && !id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_path() {
        let mut state = State::Unassigned;
        for step in [Step::Associate, Step::Update, Step::Accept, Step::SendToken] {
            state = next(state, step).expect("allowed");
        }
        assert_eq!(state, State::Finalized);
        assert_eq!(next(State::Assigned, Step::Accept), Some(State::Accepted));
        assert_eq!(
            next(State::PendingApproval, Step::Update),
            Some(State::PendingApproval)
        );
    }

    #[test]
    fn rejection_until_the_token_is_sent() {
        for from in [State::Assigned, State::PendingApproval, State::Accepted] {
            assert_eq!(next(from, Step::Reject), Some(State::Rejected));
        }
        for from in [State::Unassigned, State::Finalized, State::Rejected] {
            assert_eq!(next(from, Step::Reject), None);
        }
    }

    #[test]
    fn no_other_transitions() {
        assert_eq!(next(State::Assigned, Step::Associate), None);
        assert_eq!(next(State::Unassigned, Step::Accept), None);
        assert_eq!(next(State::Unassigned, Step::Update), None);
        assert_eq!(next(State::Assigned, Step::SendToken), None);
        assert_eq!(next(State::Finalized, Step::SendToken), None);
        assert_eq!(next(State::Rejected, Step::Accept), None);
        assert_eq!(next(State::Accepted, Step::Update), None);
    }

    #[test]
    fn arns() {
        let arn = "arn:aws:iam::123456789012:delegation-request/dr-0123456789abcdef";
        assert_eq!(id_of_arn(arn), Some("dr-0123456789abcdef"));
        assert_eq!(id_of_arn("arn:aws:iam::123456789012:user/alice"), None);
        assert_eq!(id_of_arn("arn:aws:iam::1234:delegation-request/x"), None);
        assert_eq!(id_of_arn("arn:aws:s3:::delegation-request/x"), None);
        assert_eq!(id_of_arn("not an arn at all, really"), None);
    }
}
