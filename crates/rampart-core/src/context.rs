//! The authenticated caller and the per-request context handed to every service.

use crate::authz::CallerPolicies;
use crate::{AccountId, Region};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// What kind of identity signed the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    IamUser,
    /// A role session from STS AssumeRole (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`).
    AssumedRole,
    /// A GetFederationToken session (`arn:aws:sts::<acct>:federated-user/<name>`); its
    /// session context names the IAM user (or root) that federated.
    FederatedUser,
    /// Any access key accepted by `--dev` mode.
    DevAnonymous,
    /// No signature: the STS calls AWS serves unsigned (AssumeRoleWithWebIdentity,
    /// AssumeRoleWithSAML), whose token or assertion proves who the caller is.
    Anonymous,
}

/// The identity that signed a request.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    /// Account the principal belongs to.
    pub account: AccountId,
    /// ARN of the principal, e.g. `arn:aws:iam::000000000000:root`.
    pub arn: String,
    /// Stable principal id (CloudTrail `principalId`).
    pub principal_id: String,
    /// Access key id used to sign.
    pub access_key_id: String,
    /// Kind of identity.
    pub kind: PrincipalKind,
    /// Set when the request was signed with temporary credentials (AssumeRole or
    /// GetSessionToken): who the session was issued to and when (CloudTrail `sessionContext`).
    #[serde(skip)]
    pub session: Option<Arc<SessionContext>>,
}

/// The session behind temporary credentials, as CloudTrail's `sessionContext` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionContext {
    /// `Role` (AssumeRole), `IAMUser` or `Root` (GetSessionToken).
    pub issuer_type: &'static str,
    /// ARN of the role or user the session belongs to.
    pub issuer_arn: String,
    /// Unique id of that role or user (`AROA...`, `AIDA...`, or the account id for root).
    pub issuer_principal_id: String,
    /// Name of that role or user (empty for root).
    pub issuer_name: String,
    /// When the credentials were issued.
    pub created_at: OffsetDateTime,
    /// When they expire.
    pub expires_at: OffsetDateTime,
    /// Whether MFA was used to obtain them.
    pub mfa_authenticated: bool,
    /// The SourceIdentity set when the role session was created (it persists through role
    /// chaining; CloudTrail `sessionContext.sourceIdentity`).
    pub source_identity: Option<String>,
    /// Session tags passed as transitive (TransitiveTagKeys): sessions created from this one
    /// by role chaining inherit them.
    pub transitive_tags: Vec<(String, String)>,
    /// A privileged root session from STS AssumeRoot (CloudTrail `sessionContext.assumedRoot`):
    /// the member account's root user scoped by a root-task policy.
    pub assumed_root: bool,
}

impl Principal {
    /// Whether the request is signed with GetSessionToken credentials obtained without MFA:
    /// AWS refuses every IAM call and every STS call but AssumeRole and GetCallerIdentity
    /// from those. AssumeRoot sessions are not of that kind (their task policy scopes them).
    pub fn is_session_without_mfa(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.issuer_type != "Role" && !s.mfa_authenticated && !s.assumed_root)
    }

    /// The root user of `account`, signing with `access_key_id`.
    pub fn root(account: AccountId, access_key_id: &str) -> Self {
        Principal {
            arn: format!("arn:aws:iam::{account}:root"),
            principal_id: account.to_string(),
            account,
            access_key_id: access_key_id.to_owned(),
            kind: PrincipalKind::Root,
            session: None,
        }
    }
}

/// A resource touched by a request, for the audit record (`resources` in CloudTrail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditResource {
    /// ARN of the resource.
    #[serde(rename = "ARN")]
    pub arn: String,
    /// CloudTrail resource type, e.g. `AWS::KMS::Key`.
    #[serde(rename = "type")]
    pub resource_type: &'static str,
}

/// Everything a service needs to know about the request it is serving.
#[derive(Debug)]
pub struct RequestContext {
    /// Request id returned in `x-amzn-RequestId` and written to the audit record.
    pub request_id: String,
    /// Region taken from the credential scope.
    pub region: Region,
    /// The authenticated caller; resources are created in `principal.account`.
    pub principal: Principal,
    /// Client address.
    pub source_ip: String,
    /// Client `User-Agent`.
    pub user_agent: String,
    /// When the request arrived.
    pub received_at: OffsetDateTime,
    /// Resources the service noted while serving the request (read by the audit writer).
    pub resources: Mutex<Vec<AuditResource>>,
    /// The caller's policies, compiled and cached (see [`crate::authz`]).
    pub caller: Arc<CallerPolicies>,
    /// Whether the request arrived over TLS (aws:SecureTransport).
    pub secure_transport: bool,
}

impl RequestContext {
    /// A context for `principal` in `region` with the root user's (empty) policies; the
    /// rest is defaulted. For tests and internal calls; the gateway fills every field.
    pub fn new(principal: Principal, region: Region) -> Self {
        let caller = Arc::new(CallerPolicies::for_principal(&principal));
        RequestContext {
            request_id: uuid::Uuid::new_v4().to_string(),
            region,
            principal,
            source_ip: "127.0.0.1".into(),
            user_agent: String::new(),
            received_at: OffsetDateTime::now_utc(),
            resources: Mutex::new(Vec::new()),
            caller,
            secure_transport: true,
        }
    }

    /// A context of the root user of `account` in `region`, for what a service does on the
    /// account's own behalf (a rotation, a replica sync, a forwarded event); `None` when
    /// `account` is not a valid account id.
    pub fn for_account_root(account: &str, region: &str) -> Option<Self> {
        let account = AccountId::parse(account).ok()?;
        Some(RequestContext::new(
            Principal::root(account, ""),
            Region::new(region),
        ))
    }

    /// The account that owns resources created by this request.
    pub fn account(&self) -> &AccountId {
        &self.principal.account
    }

    /// Records that the request touched `arn` (shown in the audit record's `resources`).
    pub fn note_resource(&self, arn: impl Into<String>, resource_type: &'static str) {
        let resource = AuditResource {
            arn: arn.into(),
            resource_type,
        };
        let mut list = match self.resources.lock() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A retried attempt (compare-and-swap conflict) notes the same resources again.
        if !list.contains(&resource) {
            list.push(resource);
        }
    }

    /// Takes the noted resources (called once by the audit writer).
    pub fn take_resources(&self) -> Vec<AuditResource> {
        match self.resources.lock() {
            Ok(mut list) => std::mem::take(&mut *list),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}
