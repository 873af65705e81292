//! Test bench of the STS tests: an `StsService` over a SQLite store in a temporary folder with
//! a manual clock, roles, users and managed policies written straight into the IAM tables,
//! request contexts for the root user, IAM users and the sessions STS hands out (built the
//! way the authenticator builds them), and a minimal reading of the XML answers.

#![allow(clippy::unwrap_used, dead_code)]

use rampart_codec::{Invocation, QueryNode, ServiceError};
use rampart_core::rampart_policy::Decision;
use rampart_core::{
    AccessCheck, AccountId, ManualClock, Principal, PrincipalKind, Region, RequestContext,
};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::Directory;
use rampart_iam::records::{ManagedPolicyRecord, PolicyVersionRecord, RoleRecord, UserRecord};
use rampart_iam::tables::entity_row;
use rampart_store::{Expect, IndexedTable, Store, Write};
use rampart_sts::{SessionClaims, SessionTokens, StsService};
use std::sync::Arc;
use time::OffsetDateTime;
use time::macros::datetime;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER: &str = "444455556666";
pub const START: OffsetDateTime = datetime!(2026-03-01 12:00:00 UTC);

/// Allows every action on every resource.
pub const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// A trust policy naming `principal` (an ARN or account id) for `actions`, with an optional
/// condition block.
pub fn trust(principal: &str, actions: &str, condition: Option<&str>) -> String {
    let condition = condition
        .map(|c| format!(r#","Condition":{c}"#))
        .unwrap_or_default();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":{actions}{condition}}}]}}"#
    )
}

pub struct Bench {
    pub dir: Arc<Directory>,
    pub tokens: Arc<SessionTokens>,
    pub clock: Arc<ManualClock>,
    pub sts: StsService,
    _folder: tempfile::TempDir,
}

impl Bench {
    pub async fn new() -> Bench {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&folder.path().join("db")).await.unwrap();
        let root = RootKey::generate();
        let clock = Arc::new(ManualClock::new(START));
        let dir = Arc::new(Directory::new(
            store,
            root.domain_key(Domain::Credentials),
            clock.clone(),
        ));
        let tokens = Arc::new(SessionTokens::new(root.domain_key(Domain::Credentials)));
        let sts = StsService::new(dir.clone(), tokens.clone(), clock.clone());
        Bench {
            dir,
            tokens,
            clock,
            sts,
            _folder: folder,
        }
    }

    /// Stores role `name` (path `path`) in `account` with `trust_policy` and an inline policy
    /// allowing everything.
    pub async fn role(
        &self,
        account: &str,
        path: &str,
        name: &str,
        trust_policy: &str,
    ) -> RoleRecord {
        let record = RoleRecord {
            schema: 1,
            account: account.to_owned(),
            name: name.to_owned(),
            path: path.to_owned(),
            role_id: format!("AROA{:0>17}", name.to_ascii_uppercase()),
            created_ms: 0,
            trust_policy: trust_policy.to_owned(),
            description: None,
            max_session_duration: 3600,
            tags: Vec::new(),
            boundary_arn: None,
            inline_policies: [("all".to_owned(), ALLOW_ALL.to_owned())].into(),
            attached_policies: Vec::new(),
            last_used_ms: None,
            last_used_region: None,
        };
        self.put_role(&record).await;
        record
    }

    /// Writes `record` over whatever is stored.
    pub async fn put_role(&self, record: &RoleRecord) {
        let tables = &self.dir.tables;
        let row = entity_row(&record.account, &record.name);
        let writes = upsert(&tables.roles, &row, record).await;
        tables.commit(&record.account, writes).await.unwrap();
        self.dir.invalidate();
    }

    pub async fn stored_role(&self, account: &str, name: &str) -> Option<RoleRecord> {
        self.dir.role(account, name).await.unwrap()
    }

    pub async fn delete_role(&self, account: &str, name: &str) {
        let tables = &self.dir.tables;
        let row = entity_row(account, name);
        let Some(current) = tables.roles.get(&row).await.unwrap() else {
            return;
        };
        let expect = Expect::Version(current.version);
        let writes = tables.roles.delete(&row, &current.value, expect);
        tables.commit(account, writes).await.unwrap();
        self.dir.invalidate();
    }

    /// Stores IAM user `name` in `account` with `policy` as its only inline policy.
    pub async fn user(&self, account: &str, name: &str, policy: Option<&str>) -> UserRecord {
        let inline = policy.map(|p| ("p".to_owned(), p.to_owned()));
        let record = UserRecord {
            schema: 1,
            account: account.to_owned(),
            name: name.to_owned(),
            path: "/".to_owned(),
            user_id: format!("AIDA{:0>17}", name.to_ascii_uppercase()),
            created_ms: 0,
            tags: Vec::new(),
            boundary_arn: None,
            inline_policies: inline.into_iter().collect(),
            attached_policies: Vec::new(),
            groups: Vec::new(),
            access_keys: Vec::new(),
        };
        let tables = &self.dir.tables;
        let writes = upsert(&tables.users, &entity_row(account, name), &record).await;
        tables.commit(account, writes).await.unwrap();
        self.dir.invalidate();
        record
    }

    /// Stores customer managed policy `name` in `account`.
    pub async fn managed_policy(&self, account: &str, name: &str, document: &str) -> String {
        let record = ManagedPolicyRecord {
            schema: 1,
            account: account.to_owned(),
            name: name.to_owned(),
            path: "/".to_owned(),
            policy_id: format!("ANPA{:0>17}", name.to_ascii_uppercase()),
            description: None,
            created_ms: 0,
            updated_ms: 0,
            default_version: "v1".to_owned(),
            versions: vec![PolicyVersionRecord {
                version_id: "v1".to_owned(),
                document: document.to_owned(),
                created_ms: 0,
            }],
            next_version: 2,
            attachment_count: 0,
            boundary_usage_count: 0,
            tags: Vec::new(),
        };
        let tables = &self.dir.tables;
        let write = tables
            .policies
            .put(&entity_row(account, name), &record, Expect::Any)
            .unwrap();
        tables.commit(account, vec![write]).await.unwrap();
        self.dir.invalidate();
        record.arn()
    }

    pub async fn delete_policy(&self, account: &str, name: &str) {
        let tables = &self.dir.tables;
        let write = tables
            .policies
            .delete(&entity_row(account, name), Expect::Any);
        tables.commit(account, vec![write]).await.unwrap();
        self.dir.invalidate();
    }

    /// A request context for the root user of `account`.
    pub fn root(&self, account: &str) -> RequestContext {
        let principal = Principal::root(AccountId::parse(account).unwrap(), "AKIAROOTROOTROOTROOT");
        self.context(principal, None)
    }

    /// A `--dev` mode caller.
    pub fn dev(&self) -> RequestContext {
        let mut principal =
            Principal::root(AccountId::parse(ACCOUNT).unwrap(), "AKIADEVDEVDEVDEVDEV1");
        principal.kind = PrincipalKind::DevAnonymous;
        self.context(principal, None)
    }

    /// A request context for IAM user `user`, with its policies.
    pub async fn as_user(&self, user: &UserRecord) -> RequestContext {
        let principal = Principal {
            account: AccountId::parse(&user.account).unwrap(),
            arn: user.arn(),
            principal_id: user.user_id.clone(),
            access_key_id: format!("AKIA{:0>16}", user.name.to_ascii_uppercase()),
            kind: PrincipalKind::IamUser,
            session: None,
        };
        let caller = self.dir.caller_policies(&principal, None).await.unwrap();
        self.context(principal, Some(caller))
    }

    /// The request context of the session whose credentials `xml` answered: the token is
    /// opened and the caller built as the authenticator does.
    pub async fn as_session(&self, xml: &str) -> RequestContext {
        let claims = self.claims(xml);
        let principal = claims.principal().unwrap();
        let policies = claims.policies.session_policies();
        let caller = self
            .dir
            .caller_policies(&principal, Some(&policies))
            .await
            .unwrap();
        self.context(principal, Some(caller))
    }

    /// The claims of the session token `xml` answered.
    pub fn claims(&self, xml: &str) -> SessionClaims {
        let token = tag(xml, "SessionToken").unwrap();
        let key = tag(xml, "AccessKeyId").unwrap();
        self.tokens.open(&token, &key, self.now_ms()).unwrap()
    }

    pub fn now_ms(&self) -> i64 {
        i64::try_from(
            rampart_core::Clock::now(self.clock.as_ref()).unix_timestamp_nanos() / 1_000_000,
        )
        .unwrap()
    }

    fn context(
        &self,
        principal: Principal,
        caller: Option<Arc<rampart_core::CallerPolicies>>,
    ) -> RequestContext {
        let mut ctx = RequestContext::new(principal, Region::new("eu-west-1"));
        if let Some(caller) = caller {
            ctx.caller = caller;
        }
        ctx.received_at = START;
        ctx
    }

    /// Runs `form` (without `Action`) as `action` through the generated dispatcher (what the
    /// gateway's endpoint calls; audit JSON without the session token included).
    pub async fn invoke(&self, ctx: &RequestContext, action: &str, form: &str) -> Invocation {
        let params = QueryNode::parse_form(form.as_bytes());
        rampart_sts::generated::dispatch(&self.sts, ctx, action, &params).await
    }

    /// The XML answer of a call that must succeed.
    pub async fn ok(&self, ctx: &RequestContext, action: &str, form: &str) -> String {
        let invocation = self.invoke(ctx, action, form).await;
        match invocation.result {
            Ok(body) => String::from_utf8(body).unwrap(),
            Err(err) => panic!("{action} {form} failed: {err:?}"),
        }
    }

    /// The error of a call that must fail.
    pub async fn err(&self, ctx: &RequestContext, action: &str, form: &str) -> ServiceError {
        match self.invoke(ctx, action, form).await.result {
            Ok(body) => panic!(
                "{action} {form} succeeded: {}",
                String::from_utf8_lossy(&body)
            ),
            Err(err) => err,
        }
    }
}

/// Whether `ctx`'s caller may do `action` on `resource` of `account` (identity side only).
pub fn allowed(ctx: &RequestContext, action: &str, resource: &str, account: &str) -> bool {
    let check = AccessCheck {
        action,
        resource,
        resource_account: account,
        resource_policy: None,
        require_resource_allow: false,
    };
    ctx.evaluate(&check, &ctx.policy_context()).decision == Decision::Allow
}

/// The text of the first `<name>` element of `xml`.
pub fn tag(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].to_owned())
}

/// Form-encodes `text`.
pub fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The AssumeRole form for `role_arn` and `session`, plus `extra` (already encoded).
pub fn assume(role_arn: &str, session: &str, extra: &str) -> String {
    format!("RoleArn={}&RoleSessionName={session}{extra}", enc(role_arn))
}

/// The writes storing `value` at `row` over whatever is stored there (index entries kept).
async fn upsert<T>(table: &IndexedTable<T>, row: &str, value: &T) -> Vec<Write>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let current = table.get(row).await.unwrap();
    let (expect, previous) = match &current {
        Some(c) => (Expect::Version(c.version), Some(&c.value)),
        None => (Expect::Absent, None),
    };
    table.put(row, value, expect, previous).unwrap()
}
