//! Secret resource policies: parsed and validated with the IAM policy language
//! (`rampart_policy`, IAM's MalformedPolicyDocument rules), judged for public access
//! (BlockPublicPolicy), and evaluated with the caller's policies on every secret operation, so
//! a policy can let another account read a secret (and a Deny in it binds the owner too).

use crate::generated::ServiceError;
use crate::generated::errors::malformed_policy_document_exception;
use crate::record::SecretRecord;
use rampart_core::RequestContext;
use rampart_core::authz::AccessCheck;
use rampart_core::rampart_policy::{
    Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request, evaluate,
};

/// The actions a public-access judgement tries: every action on a secret.
const SECRET_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:RotateSecret",
    "secretsmanager:CancelRotateSecret",
];

/// Accounts no policy is expected to name: a root user of two of them (not the owner) allowed
/// alike stands for "anyone".
const STRANGER_ACCOUNTS: [&str; 3] = ["000000000000", "999999999999", "135791357913"];

/// `json` parsed as a resource policy, or MalformedPolicyDocumentException with IAM's reason.
pub fn parse(json: &str) -> Result<Policy, ServiceError> {
    Policy::parse(json, PolicyKind::Resource)
        .map_err(|e| malformed_policy_document_exception(e.message))
}

/// Whether `policy` on the secret `arn` (owned by `owner`) grants access to anyone: an
/// anonymous caller, or the roots of two accounts it does not name, are allowed some action
/// on the secret with no condition key known (so a condition on the caller's account, ARN or
/// organization keeps it private, as AWS's judgement does).
pub fn grants_public_access(policy: &Policy, arn: &str, owner: &str) -> bool {
    let allows = |principal: &Principal| allows_any(policy, principal, arn, owner);
    let mut strangers = STRANGER_ACCOUNTS.iter().filter(|a| **a != owner).take(2);
    allows(&Principal::anonymous()) || strangers.all(|a| allows(&Principal::root(a)))
}

/// Whether `policy` alone allows `principal` some action on the secret `arn`.
fn allows_any(policy: &Policy, principal: &Principal, arn: &str, owner: &str) -> bool {
    let context = Context::new();
    let set = PolicySet {
        resource: Some(policy),
        ..PolicySet::default()
    };
    SECRET_ACTIONS.iter().any(|action| {
        let request = Request {
            principal,
            action,
            resource: arn,
            resource_account: owner,
            context: &context,
        };
        evaluate(&request, &set) == Decision::Allow
    })
}

/// The account in a secret's ARN (`arn:aws:secretsmanager:<region>:<account>:secret:...`).
pub fn owner_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// The Region in a secret's ARN.
pub fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or_default()
}

/// Authorizes `action` on `record` with the caller's policies and the secret's resource
/// policy: outside the owner's account only that policy can allow.
pub(crate) fn authorize_secret(
    ctx: &RequestContext,
    action: &str,
    record: &SecretRecord,
) -> Result<(), ServiceError> {
    let policy = record
        .resource_policy
        .as_deref()
        .and_then(|json| Policy::parse(json, PolicyKind::Resource).ok());
    let check = AccessCheck {
        action,
        resource: &record.arn,
        resource_account: owner_of(&record.arn),
        resource_policy: policy.as_ref(),
        require_resource_allow: false,
    };
    ctx.authorize(&check, &ctx.policy_context())
        .map_err(|denied| ServiceError::access_denied(denied.message))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";

    fn doc(principal: &str, condition: &str) -> Policy {
        let json = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},
            "Action":"secretsmanager:GetSecretValue","Resource":"*"{condition}}}]}}"#
        );
        parse(&json).unwrap()
    }

    #[test]
    fn wildcard_principals_without_conditions_are_public() {
        for principal in [r#""*""#, r#"{"AWS":"*"}"#] {
            assert!(grants_public_access(
                &doc(principal, ""),
                ARN,
                "111122223333"
            ));
        }
    }

    #[test]
    fn named_accounts_and_restricting_conditions_are_not_public() {
        let named = doc(r#"{"AWS":"arn:aws:iam::444455556666:root"}"#, "");
        assert!(!grants_public_access(&named, ARN, "111122223333"));
        // Whatever the owner's account, a policy naming one other account is not public.
        for owner in STRANGER_ACCOUNTS {
            assert!(!grants_public_access(&named, ARN, owner), "{owner}");
        }
        let owner = doc(r#"{"AWS":"arn:aws:iam::000000000000:root"}"#, "");
        assert!(!grants_public_access(&owner, ARN, "111122223333"));
        let cond = r#","Condition":{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}"#;
        assert!(!grants_public_access(
            &doc(r#""*""#, cond),
            ARN,
            "111122223333"
        ));
    }

    #[test]
    fn malformed_documents_are_refused() {
        for bad in [
            "{",
            r#"{"Statement":[{"Effect":"Allow","Action":"x","Resource":"*"}]}"#,
        ] {
            assert_eq!(
                parse(bad).unwrap_err().code,
                "MalformedPolicyDocumentException"
            );
        }
    }

    #[test]
    fn arns_name_their_owner_and_region() {
        assert_eq!(owner_of(ARN), "111122223333");
        assert_eq!(region_of(ARN), "us-east-1");
    }
}
