//! Key policy documents given to CreateKey, PutKeyPolicy and ReplicateKey: the size quota and
//! the policy language's rules (rampart-policy, as a resource policy), with KMS's
//! MalformedPolicyDocumentException / LimitExceededException, and the key policy lockout safety
//! check: unless bypassed, the new policy must still let the caller call PutKeyPolicy.

use crate::domain::KmsError;
use rampart_core::rampart_policy::{
    Decision, LIMIT_EXCEEDED, Policy, PolicyError, PolicyKind, SizeLimit, check_size,
};
use rampart_core::{AccessCheck, RequestContext};

/// KMS's message for a key policy the caller could not change afterwards.
pub const LOCKOUT: &str =
    "The new key policy will not allow you to update the key policy in the future.";

/// KMS's message for a Principal element it does not accept.
const INVALID_PRINCIPALS: &str = "Policy contains a statement with one or more invalid principals.";

/// Checks and compiles a key policy document.
pub(crate) fn compile_key_policy(document: &str) -> Result<Policy, KmsError> {
    check_size(document, SizeLimit::KeyPolicy).map_err(policy_error)?;
    Policy::parse(document, PolicyKind::Resource).map_err(policy_error)
}

/// The KMS error for a rejected document.
fn policy_error(e: PolicyError) -> KmsError {
    if e.code == LIMIT_EXCEEDED {
        return KmsError::LimitExceeded(e.message);
    }
    if e.message.starts_with("Invalid principal in policy") {
        return KmsError::MalformedPolicy(INVALID_PRINCIPALS.into());
    }
    KmsError::MalformedPolicy(e.message)
}

/// Where a new key policy goes: the key's ARN and account.
pub(crate) struct PolicyTarget<'a> {
    /// ARN of the key (which may not exist yet).
    pub key_arn: &'a str,
    /// Account owning the key.
    pub account: &'a str,
}

/// The lockout safety check: unless `bypass`, `policy` on `target` must allow the caller
/// (with its own IAM policies) kms:PutKeyPolicy.
pub(crate) fn check_lockout(
    ctx: &RequestContext,
    policy: &Policy,
    target: &PolicyTarget<'_>,
    bypass: bool,
) -> Result<(), KmsError> {
    if bypass {
        return Ok(());
    }
    let check = AccessCheck {
        action: "kms:PutKeyPolicy",
        resource: target.key_arn,
        resource_account: target.account,
        resource_policy: Some(policy),
        require_resource_allow: true,
    };
    let mut context = ctx.policy_context();
    context.set("kms:CallerAccount", ctx.account().as_str());
    context.set("kms:BypassPolicyLockoutSafetyCheck", "false");
    match ctx.evaluate(&check, &context).decision {
        Decision::Allow => Ok(()),
        Decision::ImplicitDeny | Decision::ExplicitDeny => {
            Err(KmsError::MalformedPolicy(LOCKOUT.into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{AccountId, Principal, Region};

    fn root_ctx() -> RequestContext {
        let account = AccountId::parse("111122223333").unwrap_or_else(|_| unreachable!());
        RequestContext::new(Principal::root(account, "AKID"), Region::new("us-east-1"))
    }

    #[test]
    fn documents_are_checked() {
        assert!(matches!(
            compile_key_policy("not json"),
            Err(KmsError::MalformedPolicy(_))
        ));
        let bad_principal = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"kms:*","Resource":"*"}]}"#;
        assert_eq!(
            compile_key_policy(bad_principal).err(),
            Some(KmsError::MalformedPolicy(INVALID_PRINCIPALS.into()))
        );
        let huge = format!(
            r#"{{"Statement":[{{"Sid":"{}","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}]}}"#,
            "x".repeat(33_000)
        );
        assert!(matches!(
            compile_key_policy(&huge),
            Err(KmsError::LimitExceeded(_))
        ));
    }

    #[test]
    fn lockout_unless_bypassed() {
        let ctx = root_ctx();
        let target = PolicyTarget {
            key_arn: "arn:aws:kms:us-east-1:111122223333:key/k",
            account: "111122223333",
        };
        let only_role = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"kms:*","Resource":"*"}]}"#;
        let policy = compile_key_policy(only_role).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            check_lockout(&ctx, &policy, &target, false),
            Err(KmsError::MalformedPolicy(LOCKOUT.into()))
        );
        assert_eq!(check_lockout(&ctx, &policy, &target, true), Ok(()));
        let root = only_role.replace("role/admin", "root");
        let policy = compile_key_policy(&root).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(check_lockout(&ctx, &policy, &target, false), Ok(()));
    }
}
