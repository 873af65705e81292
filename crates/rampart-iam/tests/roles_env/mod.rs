//! Test bench of the role, inline-policy and permissions-boundary tests: an `IamService` over
//! a SQLite store in a temporary folder, root and IAM-user request contexts, query-form calls,
//! users, groups and managed policies written straight into their tables (their operations
//! belong to other parts of the service) and a minimal reading of the XML answers.

#![allow(clippy::unwrap_used, dead_code)]

use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::generated::dispatch;
use rampart_iam::records::{
    GroupRecord, ManagedPolicyRecord, PolicyVersionRecord, RoleRecord, UserRecord,
};
use rampart_iam::tables::entity_row;
use rampart_iam::{Directory, IamService};
use rampart_store::{Expect, Store};
use rampart_wire::codec::{QueryNode, ServiceError};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ACCOUNT: &str = "123456789012";

/// A trust policy letting EC2 assume the role.
pub const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// An identity policy allowing every IAM action.
pub const ALLOW_IAM: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// An IAM service over a fresh store; the folder is removed on drop.
pub struct Bench {
    pub dir: Arc<Directory>,
    pub iam: IamService,
    folder: PathBuf,
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Form-encodes `text` (every byte but unreserved ones percent-encoded).
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

/// Decodes `%XX` escapes (what botocore's `unquote` does to returned documents).
pub fn unquote(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

impl Bench {
    pub async fn new() -> Bench {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let folder =
            std::env::temp_dir().join(format!("rampart-iam-roles-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let store = Store::open_sqlite(&folder.join("db")).await.unwrap();
        let key = RootKey::generate().domain_key(Domain::Credentials);
        let dir = Arc::new(Directory::new(store, key, Arc::new(SystemClock)));
        let iam = IamService::new(dir.clone());
        Bench { dir, iam, folder }
    }

    /// The account root.
    pub fn root(&self) -> RequestContext {
        let account = AccountId::parse(ACCOUNT).unwrap();
        RequestContext::new(
            Principal::root(account, "AKIAROOTEXAMPLE00000"),
            Region::new("us-east-1"),
        )
    }

    /// A request signed by the IAM user `name` (stored), with its compiled policies.
    pub async fn as_user(&self, name: &str) -> RequestContext {
        let user = self.user(name).await.unwrap();
        let principal = Principal {
            account: AccountId::parse(ACCOUNT).unwrap(),
            arn: user.arn(),
            principal_id: user.user_id.clone(),
            access_key_id: format!("AKIA{:0>16}", name.to_ascii_uppercase()),
            kind: PrincipalKind::IamUser,
            session: None,
        };
        let mut ctx = RequestContext::new(principal.clone(), Region::new("us-east-1"));
        ctx.caller = self.dir.caller_policies(&principal, None).await.unwrap();
        ctx
    }

    /// Calls `action` with the form parameters `params` (`k=v&...`, already encoded).
    pub async fn call_as(
        &self,
        ctx: &RequestContext,
        action: &str,
        params: &str,
    ) -> Result<String, ServiceError> {
        let form = format!("Action={action}&Version=2010-05-08&{params}");
        let node = QueryNode::parse_form(form.as_bytes());
        let invocation = dispatch(&self.iam, ctx, action, &node).await;
        invocation
            .result
            .map(|body| String::from_utf8(body).unwrap())
    }

    /// Calls `action` as the root; panics on an error.
    pub async fn ok(&self, action: &str, params: &str) -> String {
        match self.call_as(&self.root(), action, params).await {
            Ok(xml) => xml,
            Err(e) => panic!("{action} {params}: {} {}", e.code, e.message),
        }
    }

    /// Calls `action` as the root; panics unless it fails.
    pub async fn err(&self, action: &str, params: &str) -> ServiceError {
        match self.call_as(&self.root(), action, params).await {
            Ok(xml) => panic!("{action} {params} succeeded: {xml}"),
            Err(e) => e,
        }
    }

    /// CreateRole `name` with the EC2 trust policy and extra parameters.
    pub async fn create_role(&self, name: &str, extra: &str) -> String {
        let params = format!(
            "RoleName={name}&AssumeRolePolicyDocument={}{extra}",
            enc(TRUST)
        );
        self.ok("CreateRole", &params).await
    }

    /// The stored role `name`.
    pub async fn role(&self, name: &str) -> Option<RoleRecord> {
        let row = entity_row(ACCOUNT, name);
        self.dir
            .tables
            .roles
            .get(&row)
            .await
            .unwrap()
            .map(|r| r.value)
    }

    /// The stored user `name`.
    pub async fn user(&self, name: &str) -> Option<UserRecord> {
        let row = entity_row(ACCOUNT, name);
        self.dir
            .tables
            .users
            .get(&row)
            .await
            .unwrap()
            .map(|u| u.value)
    }

    /// The stored customer managed policy `name`.
    pub async fn policy(&self, name: &str) -> Option<ManagedPolicyRecord> {
        let row = entity_row(ACCOUNT, name);
        let found = self.dir.tables.policies.get(&row).await.unwrap();
        found.map(|p| p.value)
    }

    /// Writes the user `name` (path `/`) straight into the users table.
    pub async fn add_user(&self, name: &str) {
        let user = UserRecord {
            schema: 1,
            account: ACCOUNT.into(),
            name: name.into(),
            path: "/".into(),
            user_id: format!("AIDA{:0>17}", name.to_ascii_uppercase()),
            created_ms: 0,
            tags: Vec::new(),
            boundary_arn: None,
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            groups: Vec::new(),
            access_keys: Vec::new(),
        };
        let tables = &self.dir.tables;
        let write = tables
            .users
            .put(&entity_row(ACCOUNT, name), &user, Expect::Absent)
            .unwrap();
        tables.commit(ACCOUNT, vec![write]).await.unwrap();
    }

    /// Writes the group `name` (path `/`) straight into the groups table.
    pub async fn add_group(&self, name: &str) {
        let group = GroupRecord {
            schema: 1,
            account: ACCOUNT.into(),
            name: name.into(),
            path: "/".into(),
            group_id: format!("AGPA{:0>17}", name.to_ascii_uppercase()),
            created_ms: 0,
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            members: Vec::new(),
        };
        let tables = &self.dir.tables;
        let write = tables
            .groups
            .put(&entity_row(ACCOUNT, name), &group, Expect::Absent)
            .unwrap();
        tables.commit(ACCOUNT, vec![write]).await.unwrap();
    }

    /// Writes the customer managed policy `name` (path `/`, one version) straight into the
    /// policies table; answers its ARN.
    pub async fn add_policy(&self, name: &str, document: &str) -> String {
        let policy = ManagedPolicyRecord {
            schema: 1,
            account: ACCOUNT.into(),
            name: name.into(),
            path: "/".into(),
            policy_id: format!("ANPA{:0>17}", name.to_ascii_uppercase()),
            description: None,
            created_ms: 0,
            updated_ms: 0,
            default_version: "v1".into(),
            versions: vec![PolicyVersionRecord {
                version_id: "v1".into(),
                document: document.into(),
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
            .put(&entity_row(ACCOUNT, name), &policy, Expect::Absent)
            .unwrap();
        tables.commit(ACCOUNT, vec![write]).await.unwrap();
        policy.arn()
    }
}

/// Every text value of the elements `<name>` in `xml`, in document order.
pub fn values(xml: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        let Some(end) = rest.find(&close) else { break };
        out.push(rest[..end].to_owned());
        rest = &rest[end + close.len()..];
    }
    out
}

/// The first value of `<name>`, if any.
pub fn value(xml: &str, name: &str) -> Option<String> {
    values(xml, name).into_iter().next()
}

/// Asserts an error's code and message.
pub fn assert_error(err: &ServiceError, code: &str, message: &str) {
    assert_eq!(
        (err.code.as_ref(), err.message.as_str()),
        (code, message),
        "unexpected error"
    );
}
