//! The identity directory: who an access key or session is, and the compiled policies bound
//! to it ([`CallerPolicies`]). Policies are parsed once per identity and cached; a cache entry
//! is trusted for [`RECHECK`], then kept only if the account's IAM generation has not moved
//! (one small read per account per second), so an IAM change anywhere applies within about a
//! second and a local change at once.

use crate::aws_managed;
use crate::credentials::Credentials;
use crate::records::{RoleRecord, TagRecord, UserRecord};
use crate::tables::{IamTables, entity_row};
use rampart_core::rampart_policy::{self, Policy, PolicyKind};
use rampart_core::{CallerPolicies, Clock, Principal, PrincipalKind};
use rampart_crypto::root::DomainKey;
use rampart_store::Store;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a cached entry is trusted before the account's generation is read again.
const RECHECK: Duration = Duration::from_secs(1);
/// Entries above which the cache is emptied.
const MAX_ENTRIES: usize = 50_000;

/// What an STS session adds to its role's (or user's) policies: session policies and tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionPolicies {
    /// The inline session policy (`Policy` of AssumeRole), as given.
    pub inline: Option<String>,
    /// Managed session policies (`PolicyArns`).
    pub managed_arns: Vec<String>,
    /// Session tags (aws:PrincipalTag), overriding the role's tags with the same key.
    pub tags: Vec<(String, String)>,
}

struct Entry {
    caller: Arc<CallerPolicies>,
    generation: u64,
    checked: Instant,
}

/// Users, groups, roles, policies and access keys, with the caller-policy cache.
pub struct Directory {
    pub tables: IamTables,
    pub credentials: Credentials,
    pub clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<String, Entry>>,
}

/// Why a caller's policies could not be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// The user or role behind the credentials no longer exists.
    #[error("the identity behind these credentials no longer exists")]
    Gone,
    /// A storage failure or a stored document that does not parse.
    #[error("{0}")]
    Internal(String),
}

impl Directory {
    /// A directory over `store`, access-key secrets wrapped under `credentials_key`.
    pub fn new(store: Store, credentials_key: DomainKey, clock: Arc<dyn Clock>) -> Self {
        let tables = IamTables::new(store);
        Directory {
            credentials: Credentials::new(tables.clone(), credentials_key),
            tables,
            clock,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        let millis = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).unwrap_or(i64::MAX)
    }

    fn cache(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets every cached caller (called after each local IAM write).
    pub fn invalidate(&self) {
        self.cache().clear();
    }

    /// The compiled policies of `principal` (and of its STS session, if any), cached by
    /// access key id.
    pub async fn caller_policies(
        &self,
        principal: &Principal,
        session: Option<&SessionPolicies>,
    ) -> Result<Arc<CallerPolicies>, DirectoryError> {
        if matches!(
            principal.kind,
            PrincipalKind::Root | PrincipalKind::DevAnonymous | PrincipalKind::Anonymous
        ) {
            return Ok(Arc::new(root_task_session(principal, session)?));
        }
        let key = principal.access_key_id.as_str();
        let account = principal.account.as_str();
        let cached = self
            .cache()
            .get(key)
            .map(|e| (e.caller.clone(), e.generation, e.checked));
        if let Some((caller, _, checked)) = &cached
            && checked.elapsed() < RECHECK
        {
            return Ok(caller.clone());
        }
        let generation = self.tables.generation(account).await.map_err(internal)?;
        let caller = match cached {
            Some((caller, seen, _)) if seen == generation => caller,
            _ => Arc::new(self.build(principal, session).await?),
        };
        let mut cache = self.cache();
        if cache.len() >= MAX_ENTRIES {
            cache.clear();
        }
        let entry = Entry {
            caller: caller.clone(),
            generation,
            checked: Instant::now(),
        };
        cache.insert(key.to_owned(), entry);
        Ok(caller)
    }

    async fn build(
        &self,
        principal: &Principal,
        session: Option<&SessionPolicies>,
    ) -> Result<CallerPolicies, DirectoryError> {
        match principal.kind {
            PrincipalKind::AssumedRole => self.role_session_policies(principal, session).await,
            PrincipalKind::FederatedUser => self.federated_policies(principal, session).await,
            _ => self.user_policies(principal).await,
        }
    }

    /// An IAM user's policies: its inline and attached policies, those of its groups, and
    /// its permissions boundary.
    async fn user_policies(&self, principal: &Principal) -> Result<CallerPolicies, DirectoryError> {
        let account = principal.account.as_str();
        let name = last_segment(&principal.arn);
        let user = self
            .tables
            .users
            .get(&entity_row(account, name))
            .await
            .map_err(internal)?
            .ok_or(DirectoryError::Gone)?
            .value;
        let identity = self.user_identity(account, &user).await?;
        Ok(CallerPolicies {
            principal: user_principal(&user, principal),
            identity,
            boundary: self.boundary_of(user.boundary_arn.as_deref()).await?,
            session: Vec::new(),
        })
    }

    /// The identity-based policies of `user`: its own and its groups'.
    pub(crate) async fn user_identity(
        &self,
        account: &str,
        user: &UserRecord,
    ) -> Result<Vec<Policy>, DirectoryError> {
        let mut identity = self
            .entity_policies(&user.inline_policies, &user.attached_policies)
            .await?;
        for group_name in &user.groups {
            let row = entity_row(account, group_name);
            if let Some(group) = self.tables.groups.get(&row).await.map_err(internal)? {
                let group = group.value;
                identity.extend(
                    self.entity_policies(&group.inline_policies, &group.attached_policies)
                        .await?,
                );
            }
        }
        Ok(identity)
    }

    /// A role session's policies: the role's inline and attached policies and boundary, plus
    /// the session policies; session tags override the role's tags.
    async fn role_session_policies(
        &self,
        principal: &Principal,
        session: Option<&SessionPolicies>,
    ) -> Result<CallerPolicies, DirectoryError> {
        let account = principal.account.as_str();
        let role_name = principal
            .session
            .as_ref()
            .map(|s| s.issuer_name.as_str())
            .ok_or(DirectoryError::Gone)?;
        let role = self
            .tables
            .roles
            .get(&entity_row(account, role_name))
            .await
            .map_err(internal)?
            .ok_or(DirectoryError::Gone)?
            .value;
        let identity = self
            .entity_policies(&role.inline_policies, &role.attached_policies)
            .await?;
        Ok(CallerPolicies {
            principal: role_principal(&role, principal, session),
            identity,
            boundary: self.boundary_of(role.boundary_arn.as_deref()).await?,
            session: self.session_policies(session).await?,
        })
    }

    /// The policies of a session of role `name` of `account` that an AWS service opens for
    /// its own work (`session_name`; no session policies or session tags): the role's inline
    /// and attached policies and its boundary, as STS sessions of the role get them; `None`
    /// when the role does not exist. The caller checks the role's trust policy first.
    pub async fn service_session(
        &self,
        account: &str,
        name: &str,
        session_name: &str,
    ) -> Result<Option<(RoleRecord, CallerPolicies)>, DirectoryError> {
        let Some(role) = self.role(account, name).await? else {
            return Ok(None);
        };
        let identity = self
            .entity_policies(&role.inline_policies, &role.attached_policies)
            .await?;
        let principal = rampart_policy::Principal {
            arn: format!(
                "arn:aws:sts::{account}:assumed-role/{}/{session_name}",
                role.name
            ),
            account: account.to_owned(),
            kind: rampart_policy::PrincipalKind::AssumedRole {
                role_arn: role.arn(),
                session_name: session_name.to_owned(),
            },
            user_id: format!("{}:{session_name}", role.role_id),
            username: None,
            tags: tag_map(&role.tags),
        };
        let caller = CallerPolicies {
            principal,
            identity,
            boundary: self.boundary_of(role.boundary_arn.as_deref()).await?,
            session: Vec::new(),
        };
        Ok(Some((role, caller)))
    }

    /// The session policies passed to AssumeRole or GetFederationToken, parsed.
    pub(crate) async fn session_policies(
        &self,
        session: Option<&SessionPolicies>,
    ) -> Result<Vec<Policy>, DirectoryError> {
        let mut session_policies = Vec::new();
        if let Some(s) = session {
            if let Some(doc) = &s.inline {
                session_policies.push(parse(doc, PolicyKind::Session)?);
            }
            for arn in &s.managed_arns {
                // A managed session policy deleted since the session began allows nothing
                // (skipping it would widen the session to the role's full permissions).
                let doc = self.managed_document(arn).await?;
                let doc = doc.as_deref().unwrap_or(ALLOW_NOTHING);
                session_policies.push(parse(doc, PolicyKind::Session)?);
            }
        }
        Ok(session_policies)
    }

    /// Inline policies plus the default versions of attached managed policies.
    async fn entity_policies(
        &self,
        inline: &BTreeMap<String, String>,
        attached: &[String],
    ) -> Result<Vec<Policy>, DirectoryError> {
        let mut out = Vec::with_capacity(inline.len() + attached.len());
        for doc in inline.values() {
            out.push(parse(doc, PolicyKind::Identity)?);
        }
        for arn in attached {
            if let Some(doc) = self.managed_document(arn).await? {
                out.push(parse(&doc, PolicyKind::Identity)?);
            }
        }
        Ok(out)
    }

    pub(crate) async fn boundary_of(
        &self,
        arn: Option<&str>,
    ) -> Result<Option<Policy>, DirectoryError> {
        let Some(arn) = arn else { return Ok(None) };
        match self.managed_document(arn).await? {
            Some(doc) => Ok(Some(parse(&doc, PolicyKind::PermissionsBoundary)?)),
            // A boundary that no longer exists allows nothing.
            None => Ok(Some(parse(DENY_ALL, PolicyKind::PermissionsBoundary)?)),
        }
    }

    /// The default version's document of the managed policy `arn` (customer or AWS managed).
    pub async fn managed_document(&self, arn: &str) -> Result<Option<String>, DirectoryError> {
        if let Some(policy) = aws_managed::find(arn) {
            return Ok(Some(policy.document.to_owned()));
        }
        let Some((account, name)) = customer_policy_name(arn) else {
            return Ok(None);
        };
        let row = entity_row(account, name);
        let found = self.tables.policies.get(&row).await.map_err(internal)?;
        Ok(found
            .filter(|p| p.value.arn() == arn)
            .and_then(|p| p.value.default_document().map(str::to_owned)))
    }

    /// The role `name` of `account`.
    pub async fn role(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<RoleRecord>, DirectoryError> {
        let found = self
            .tables
            .roles
            .get(&entity_row(account, name))
            .await
            .map_err(internal)?;
        Ok(found.map(|r| r.value))
    }

    /// The user `name` of `account`.
    pub async fn user(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<UserRecord>, DirectoryError> {
        let found = self
            .tables
            .users
            .get(&entity_row(account, name))
            .await
            .map_err(internal)?;
        Ok(found.map(|r| r.value))
    }
}

/// The policies of a root, anonymous or `--dev` caller: none, except that an AssumeRoot
/// session of the root user carries its root-task policy as an identity-based policy (its
/// `Deny` statements scope the root's permissions; an unknown task denies everything).
fn root_task_session(
    principal: &Principal,
    session: Option<&SessionPolicies>,
) -> Result<CallerPolicies, DirectoryError> {
    let mut caller = CallerPolicies::for_principal(principal);
    let assumed_root = principal.session.as_ref().is_some_and(|s| s.assumed_root);
    if principal.kind == PrincipalKind::Root && assumed_root {
        let tasks = session
            .map(|s| s.managed_arns.as_slice())
            .unwrap_or_default();
        if tasks.is_empty() {
            caller.identity.push(parse(DENY_ALL, PolicyKind::Identity)?);
        }
        for arn in tasks {
            let doc = crate::root_task::find(arn).unwrap_or(DENY_ALL);
            caller.identity.push(parse(doc, PolicyKind::Identity)?);
        }
    }
    Ok(caller)
}

/// A policy that allows nothing (stands in for a deleted permissions boundary).
const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;

/// A policy that allows nothing and denies nothing (stands in for a deleted managed session
/// policy: the other session policies still apply).
pub(crate) const ALLOW_NOTHING: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}"#;

pub(crate) fn parse(doc: &str, kind: PolicyKind) -> Result<Policy, DirectoryError> {
    Policy::parse(doc, kind).map_err(|e| DirectoryError::Internal(format!("stored policy: {e}")))
}

pub(crate) fn internal(err: impl std::fmt::Display) -> DirectoryError {
    DirectoryError::Internal(err.to_string())
}

/// The text after the last `/` of an ARN (a user's or role's name).
pub fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// `(account, name)` of a customer managed policy ARN `arn:aws:iam::<acct>:policy/<path><name>`.
pub fn customer_policy_name(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("policy/")?;
    Some((account, last_segment(path_and_name)))
}

fn tag_map(tags: &[TagRecord]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

fn user_principal(user: &UserRecord, caller: &Principal) -> rampart_policy::Principal {
    rampart_policy::Principal {
        arn: user.arn(),
        account: caller.account.to_string(),
        kind: rampart_policy::PrincipalKind::User,
        user_id: user.user_id.clone(),
        username: Some(user.name.clone()),
        tags: tag_map(&user.tags),
    }
}

fn role_principal(
    role: &RoleRecord,
    caller: &Principal,
    session: Option<&SessionPolicies>,
) -> rampart_policy::Principal {
    let session_name = last_segment(&caller.arn).to_owned();
    let mut tags = tag_map(&role.tags);
    for (k, v) in session.map(|s| s.tags.as_slice()).unwrap_or_default() {
        tags.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
        tags.insert(k.clone(), v.clone());
    }
    rampart_policy::Principal {
        arn: caller.arn.clone(),
        account: caller.account.to_string(),
        kind: rampart_policy::PrincipalKind::AssumedRole {
            role_arn: role.arn(),
            session_name: session_name.clone(),
        },
        user_id: format!("{}:{session_name}", role.role_id),
        username: None,
        tags,
    }
}
