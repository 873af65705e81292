//! KMS authorization: every operation authorizes `kms:<Action>` with the request's condition
//! keys. Key operations are checked on the key ARN against the key policy (which must allow,
//! even within the account: the default policy's account-root statement is what makes IAM
//! policies count) and the caller's policies, then against the key's grants; operations without
//! a key (CreateKey, ListKeys, ListAliases, GenerateRandom, ListRetirableGrants) against the
//! caller's identity policies on `*`; alias operations also on the alias ARN. Principals of
//! another account may use a key only for the operations AWS allows across accounts.

pub(crate) mod context;
pub mod facts;
mod grants;
pub(crate) mod key_policy;
pub(crate) mod via;

use crate::KmsService;
use crate::domain::grants::GrantRequest;
use crate::domain::{KeyRecord, KmsError};
use rampart_core::rampart_policy::{Context, Decision};
use rampart_core::{AccessCheck, AccessDenied, RequestContext};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Actions AWS lets a principal of another account perform on a key ("Cross-account use: Yes"
/// in the API reference). Any other action on another account's key is denied.
const CROSS_ACCOUNT: [&str; 22] = [
    "kms:CreateGrant",
    "kms:Decapsulate",
    "kms:Decrypt",
    "kms:DeriveSharedSecret",
    "kms:DescribeKey",
    "kms:Encapsulate",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:GetKeyRotationStatus",
    "kms:GetPublicKey",
    "kms:ListGrants",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:Sign",
    "kms:Verify",
    "kms:VerifyMac",
];

tokio::task_local! {
    /// The Rampart service making the current KMS request on its caller's behalf.
    static VIA_SERVICE: Arc<str>;
}

/// Request condition keys an operation adds once the key is known (algorithms, grant
/// parameters, rotation period, ...).
pub(crate) type Extra<'a> = &'a (dyn Fn(&KeyRecord, &mut Context) + Sync);

/// What a request asks of a key: the action, its encryption context (condition keys and grant
/// constraints) and its other condition keys.
#[derive(Clone, Copy)]
pub(crate) struct Ask<'a> {
    /// `kms:<Action>`.
    pub action: &'static str,
    /// The request's encryption context (for CreateGrant: the constraints' context).
    pub context: Option<&'a BTreeMap<String, String>>,
    /// The operation's other condition keys.
    pub extra: Option<Extra<'a>>,
    /// CreateGrant: the grant asked for (held to its parent grant when only a grant allows).
    pub grant: Option<&'a GrantRequest>,
    /// A verified `Recipient` (the kms:RecipientAttestation:* condition keys).
    pub recipient: Option<&'a crate::recipient::Attested>,
}

impl<'a> Ask<'a> {
    /// `action` with no request condition keys.
    pub(crate) fn new(action: &'static str) -> Self {
        Ask {
            action,
            context: None,
            extra: None,
            grant: None,
            recipient: None,
        }
    }

    /// With the request's encryption context.
    pub(crate) fn context(mut self, context: &'a BTreeMap<String, String>) -> Self {
        self.context = Some(context);
        self
    }

    /// With the operation's other condition keys.
    pub(crate) fn extra(mut self, extra: Extra<'a>) -> Self {
        self.extra = Some(extra);
        self
    }

    /// With the request's verified `Recipient`, if any.
    pub(crate) fn recipient(mut self, recipient: Option<&'a crate::recipient::Attested>) -> Self {
        self.recipient = recipient;
        self
    }

    /// CreateGrant: with the grant asked for.
    pub(crate) fn grant(mut self, grant: &'a GrantRequest) -> Self {
        self.grant = Some(grant);
        self
    }
}

/// AWS's AccessDeniedException for a denial.
pub(crate) fn access_denied(denied: AccessDenied) -> KmsError {
    KmsError::AccessDenied(denied.message)
}

/// `kms:ViaService` of the current request (`<service>.<region>.amazonaws.com`), when another
/// Rampart service makes it on its caller's behalf.
pub(crate) fn via_service(region: &str) -> Option<String> {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    VIA_SERVICE
        .try_with(|service| format!("{service}.{region}.{domain}"))
        .ok()
}

impl KmsService {
    /// Authorizes `ask` on `key` (named by alias `alias` when the request gave one): the key
    /// policy and the caller's policies, then the key's grants when no policy allowed and none
    /// denied.
    pub(crate) async fn authorize_key(
        &self,
        ctx: &RequestContext,
        key: &KeyRecord,
        ask: &Ask<'_>,
        alias: Option<&str>,
    ) -> Result<(), KmsError> {
        let arn = key.arn();
        let mut check = AccessCheck {
            action: ask.action,
            resource: &arn,
            resource_account: &key.account,
            resource_policy: None,
            require_resource_allow: true,
        };
        if key.account != ctx.account().as_str() && !CROSS_ACCOUNT.contains(&ask.action) {
            let reason = format!(
                "because no resource-based policy allows the {} action",
                ask.action
            );
            return Err(access_denied(ctx.denied(&check, reason, false)));
        }
        let facts = self.key_facts(key).await?;
        check.resource_policy = Some(&facts.policy);
        // The condition keys are built only when a policy can read them: with none (the
        // default key policy and a caller without conditions) every decision is the same.
        let context = if facts.policy.reads_context() || ctx.caller.reads_context() {
            context::for_key(ctx, key, &facts, ask, alias)
        } else {
            Context::new()
        };
        let verdict = ctx.evaluate(&check, &context);
        if verdict.decision == Decision::ImplicitDeny && self.granted(ctx, key, ask).await? {
            return Ok(());
        }
        ctx.conclude(&check, &context, verdict)
            .map_err(access_denied)
    }

    /// Bench hook: authorizes `kms:Encrypt` of the key `key_id` names with encryption context
    /// `context` exactly as Encrypt does (cached key lookup, condition keys, key policy, the
    /// caller's policies, grants). Not part of the service API.
    #[doc(hidden)]
    pub async fn authorize_encrypt_for_bench(
        &self,
        ctx: &RequestContext,
        key_id: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<(), KmsError> {
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        };
        let ask = Ask::new("kms:Encrypt").context(context).extra(&extra);
        self.cached_key(ctx, key_id, &ask).await.map(drop)
    }

    /// Authorizes `action` on `resource` (`*`, an alias ARN, a key ARN not yet created) against
    /// the caller's identity policies, with the request's condition keys `extra` adds.
    pub(crate) fn authorize_identity(
        &self,
        ctx: &RequestContext,
        action: &'static str,
        resource: &str,
        extra: Option<&dyn Fn(&mut Context)>,
    ) -> Result<(), KmsError> {
        let mut context = ctx.policy_context();
        if let Some(extra) = extra {
            extra(&mut context);
        }
        ctx.authorize_own(action, resource, &context)
            .map_err(access_denied)
    }
}
