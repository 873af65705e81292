//! Test bench shared by the IAM integration tests: an `IamService` over a SQLite store in a
//! temporary folder, root, IAM-user and role-session request contexts, query-form calls,
//! users, groups, roles and managed policies written straight into their tables (for the
//! tests of the other parts of the service) and a minimal reading of the XML answers.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use rampart_codec::{QueryNode, ServiceError};
use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::generated::dispatch;
use rampart_iam::records::{
    GroupRecord, ManagedPolicyRecord, PolicyVersionRecord, RoleRecord, UserRecord,
};
use rampart_iam::tables::{entity_row, replace};
use rampart_iam::{Directory, IamService};
use rampart_store::{Expect, Store};
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

const PG_VAR: &str = "RAMPART_TEST_POSTGRES_URL";

/// Runs `sql` on the PostgreSQL server at `url`.
async fn pg_admin(url: &str, sql: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL server unreachable");
    let task = tokio::spawn(conn);
    client.batch_execute(sql).await.unwrap();
    drop(client);
    let _ = task.await;
}

/// Runs `fut` to completion on a fresh current-thread runtime (for `#[test]` functions).
pub fn run<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fut)
}

/// An IAM service over a fresh store; the folder is removed on drop (a PostgreSQL schema by
/// [`Bench::cleanup`]).
pub struct Bench {
    pub dir: Arc<Directory>,
    pub iam: IamService,
    folder: PathBuf,
    schema: Option<(String, String)>,
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

impl Bench {
    pub async fn new() -> Bench {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let folder =
            std::env::temp_dir().join(format!("rampart-iam-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let store = Store::open_sqlite(&folder.join("db")).await.unwrap();
        Bench::over(store, folder, None)
    }

    /// A bench over PostgreSQL in a schema of its own, when `RAMPART_TEST_POSTGRES_URL` is
    /// set (`None` otherwise: the caller skips the run).
    pub async fn postgres() -> Option<Bench> {
        let Ok(admin_url) = std::env::var(PG_VAR) else {
            eprintln!("{PG_VAR} not set: skipping the PostgreSQL run");
            return None;
        };
        let schema = format!("rampart_iam_{}", uuid::Uuid::new_v4().simple());
        pg_admin(&admin_url, &format!("CREATE SCHEMA {schema}")).await;
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let store = Store::open_postgres(&url).await.unwrap();
        let folder = std::env::temp_dir().join(&schema);
        Some(Bench::over(store, folder, Some((admin_url, schema))))
    }

    fn over(store: Store, folder: PathBuf, schema: Option<(String, String)>) -> Bench {
        let key = RootKey::generate().domain_key(Domain::Credentials);
        let dir = Arc::new(Directory::new(store, key, Arc::new(SystemClock)));
        let iam = IamService::new(dir.clone());
        Bench {
            dir,
            iam,
            folder,
            schema,
        }
    }

    /// Drops the PostgreSQL schema, if any (SQLite's folder goes on drop).
    pub async fn cleanup(self) {
        if let Some((url, schema)) = &self.schema {
            pg_admin(url, &format!("DROP SCHEMA {schema} CASCADE")).await;
        }
    }

    /// The account root, signing with a key that is not in the store.
    pub fn root(&self) -> RequestContext {
        let account = AccountId::parse(ACCOUNT).unwrap();
        RequestContext::new(
            Principal::root(account, "AKIAROOTEXAMPLE00000"),
            Region::new("us-east-1"),
        )
    }

    /// A role session (not a user) of the account.
    pub fn role_session(&self) -> RequestContext {
        let account = AccountId::parse(ACCOUNT).unwrap();
        let principal = Principal {
            arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/app/s1"),
            principal_id: "AROAEXAMPLEEXAMPLE000:s1".into(),
            account,
            access_key_id: "ASIAEXAMPLE000000000".into(),
            kind: PrincipalKind::AssumedRole,
            session: None,
        };
        RequestContext::new(principal, Region::new("us-east-1"))
    }

    /// The stored IAM user `name` as a principal.
    pub async fn user_principal(&self, name: &str) -> Principal {
        let user = self.user(name).await.unwrap();
        Principal {
            arn: user.arn(),
            principal_id: user.user_id.clone(),
            account: AccountId::parse(ACCOUNT).unwrap(),
            access_key_id: format!("AKIA{:0>16}", name.to_ascii_uppercase()),
            kind: PrincipalKind::IamUser,
            session: None,
        }
    }

    /// A request by the stored IAM user `name`, with its compiled policies.
    pub async fn as_user(&self, name: &str) -> RequestContext {
        let principal = self.user_principal(name).await;
        let caller = self.dir.caller_policies(&principal, None).await.unwrap();
        let mut ctx = RequestContext::new(principal, Region::new("us-east-1"));
        ctx.caller = caller;
        ctx
    }

    /// The context of a request signed with the access key `key_id`, with the compiled
    /// policies of its owner.
    pub async fn signed_by(&self, key_id: &str) -> RequestContext {
        let found = self.dir.credentials.find(key_id).await.unwrap().unwrap();
        let principal = found.principal.clone();
        let mut ctx = RequestContext::new(principal.clone(), Region::new("us-east-1"));
        ctx.caller = self.dir.caller_policies(&principal, None).await.unwrap();
        ctx
    }

    /// Calls `action` as `ctx` with the form parameters `params` (`k=v&...`, already
    /// encoded): the XML body or the error.
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

    /// CreatePolicy `name` with `document`; answers its ARN.
    pub async fn create_policy(&self, name: &str, document: &str) -> String {
        let params = format!("PolicyName={name}&PolicyDocument={}", enc(document));
        let xml = self.ok("CreatePolicy", &params).await;
        value(&xml, "Arn").unwrap()
    }

    /// The stored user `name`.
    pub async fn user(&self, name: &str) -> Option<UserRecord> {
        let row = entity_row(ACCOUNT, name);
        let found = self.dir.tables.users.get(&row).await.unwrap();
        found.map(|u| u.value)
    }

    /// The stored role `name`.
    pub async fn role(&self, name: &str) -> Option<RoleRecord> {
        let row = entity_row(ACCOUNT, name);
        let found = self.dir.tables.roles.get(&row).await.unwrap();
        found.map(|r| r.value)
    }

    /// The stored customer managed policy `name`.
    pub async fn policy(&self, name: &str) -> Option<ManagedPolicyRecord> {
        let row = entity_row(ACCOUNT, name);
        let found = self.dir.tables.policies.get(&row).await.unwrap();
        found.map(|p| p.value)
    }

    /// Writes the user `name` (path `/`) straight into the users table.
    pub async fn seed_user(&self, name: &str) {
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
        let writes = tables
            .users
            .put(&entity_row(ACCOUNT, name), &user, Expect::Absent, None)
            .unwrap();
        tables.commit(ACCOUNT, writes).await.unwrap();
    }

    /// Writes the group `name` at `path` straight into the groups table.
    pub async fn seed_group(&self, name: &str, path: &str) {
        let group = GroupRecord {
            schema: 1,
            account: ACCOUNT.into(),
            name: name.into(),
            path: path.into(),
            group_id: format!("AGPA{:0>17}", name.to_ascii_uppercase()),
            created_ms: 0,
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            members: Vec::new(),
        };
        let tables = &self.dir.tables;
        let writes = tables
            .groups
            .put(&entity_row(ACCOUNT, name), &group, Expect::Absent, None)
            .unwrap();
        tables.commit(ACCOUNT, writes).await.unwrap();
    }

    /// Writes the role `name` (path `/`, no trust policy) straight into the roles table, with
    /// the permissions boundary `boundary` if given.
    pub async fn seed_role(&self, name: &str, boundary: Option<&str>) {
        let role = RoleRecord {
            schema: 1,
            account: ACCOUNT.into(),
            name: name.into(),
            path: "/".into(),
            role_id: format!("AROA{:0>17}", name.to_ascii_uppercase()),
            created_ms: 0,
            trust_policy: String::new(),
            description: None,
            max_session_duration: 3600,
            tags: Vec::new(),
            boundary_arn: boundary.map(str::to_owned),
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            last_used_ms: None,
            last_used_region: None,
        };
        let tables = &self.dir.tables;
        let writes = tables
            .roles
            .put(&entity_row(ACCOUNT, name), &role, Expect::Absent, None)
            .unwrap();
        tables.commit(ACCOUNT, writes).await.unwrap();
    }

    /// Writes the customer managed policy `name` (path `/`, one version) straight into the
    /// policies table; answers its ARN.
    pub async fn seed_policy(&self, name: &str, document: &str) -> String {
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

    /// Writes an inline policy straight into the user's record.
    pub async fn put_inline_policy(&self, user: &str, name: &str, document: &str) {
        let tables = &self.dir.tables;
        let row = entity_row(ACCOUNT, user);
        let found = tables.users.get(&row).await.unwrap().unwrap();
        let mut updated = found.value.clone();
        updated
            .inline_policies
            .insert(name.to_owned(), document.to_owned());
        let writes = replace(&tables.users, &row, &updated, &found).unwrap();
        tables.commit(ACCOUNT, writes).await.unwrap();
        self.dir.invalidate();
    }

    /// Same for a group.
    pub async fn put_group_policy(&self, group: &str, name: &str, document: &str) {
        let tables = &self.dir.tables;
        let row = entity_row(ACCOUNT, group);
        let found = tables.groups.get(&row).await.unwrap().unwrap();
        let mut updated = found.value.clone();
        updated
            .inline_policies
            .insert(name.to_owned(), document.to_owned());
        let writes = replace(&tables.groups, &row, &updated, &found).unwrap();
        tables.commit(ACCOUNT, writes).await.unwrap();
        self.dir.invalidate();
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

/// Decodes `%XX` escapes (what botocore's `unquote` does to returned policy documents).
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

/// Every text value of the elements `<name>` in `xml`, in document order (XML entities
/// decoded).
pub fn values(xml: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        let Some(end) = rest.find(&close) else { break };
        out.push(unescape(&rest[..end]));
        rest = &rest[end + close.len()..];
    }
    out
}

/// The first value of `<name>`, if any.
pub fn value(xml: &str, name: &str) -> Option<String> {
    values(xml, name).into_iter().next()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#xD;", "\r")
        .replace("&amp;", "&")
}

/// Asserts an error's code and message.
pub fn assert_error(err: &ServiceError, code: &str, message: &str) {
    assert_eq!(
        (err.code.as_ref(), err.message.as_str()),
        (code, message),
        "unexpected error"
    );
}
