//! Test bench of the managed-policy tests: an `IamService` over a SQLite store in a temporary
//! folder, users/groups/roles seeded straight into the tables, root and IAM-user request
//! contexts, query-form calls and a minimal reading of the XML answers.

#![allow(clippy::unwrap_used, dead_code)]

use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::generated::dispatch;
use rampart_iam::records::{GroupRecord, RoleRecord, UserRecord};
use rampart_iam::tables::entity_row;
use rampart_iam::{Directory, IamService};
use rampart_store::{Expect, Store};
use rampart_wire::codec::{QueryNode, ServiceError};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ACCOUNT: &str = "123456789012";

/// A policy allowing every IAM action.
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

pub fn run<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fut)
}

/// Form-encodes one parameter value.
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

impl Bench {
    pub async fn new() -> Bench {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let folder =
            std::env::temp_dir().join(format!("rampart-iam-policies-{}-{n}", std::process::id()));
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

    /// The IAM user `name` as a principal.
    pub async fn user_principal(&self, name: &str) -> Principal {
        let user = self.dir.user(ACCOUNT, name).await.unwrap().unwrap();
        Principal {
            arn: user.arn(),
            principal_id: user.user_id.clone(),
            account: AccountId::parse(ACCOUNT).unwrap(),
            access_key_id: format!("AKIA{:0>16}", name.to_ascii_uppercase()),
            kind: PrincipalKind::IamUser,
            session: None,
        }
    }

    /// A request by the IAM user `name`, with its compiled policies.
    pub async fn as_user(&self, name: &str) -> RequestContext {
        let principal = self.user_principal(name).await;
        let caller = self.dir.caller_policies(&principal, None).await.unwrap();
        let mut ctx = RequestContext::new(principal, Region::new("us-east-1"));
        ctx.caller = caller;
        ctx
    }

    /// Runs `form` (`Action=...&...`) as `ctx`: the XML body or the error.
    pub async fn call_as(&self, ctx: &RequestContext, form: &str) -> Result<String, ServiceError> {
        let params = QueryNode::parse_form(form.as_bytes());
        let action = params.param("Action").unwrap_or_default().to_owned();
        let inv = dispatch(&self.iam, ctx, &action, &params).await;
        inv.result.map(|body| String::from_utf8(body).unwrap())
    }

    /// Runs `form` as the account root.
    pub async fn call(&self, form: &str) -> Result<String, ServiceError> {
        self.call_as(&self.root(), form).await
    }

    /// Runs `form` as root and expects success.
    pub async fn ok(&self, form: &str) -> String {
        match self.call(form).await {
            Ok(xml) => xml,
            Err(e) => panic!("{form}: {} {}", e.code, e.message),
        }
    }

    /// Runs `form` as root and expects an error.
    pub async fn err(&self, form: &str) -> ServiceError {
        match self.call(form).await {
            Ok(xml) => panic!("{form}: unexpected success {xml}"),
            Err(e) => e,
        }
    }

    /// Creates the customer managed policy `name` with `document`; returns its ARN.
    pub async fn create_policy(&self, name: &str, document: &str) -> String {
        let xml = self
            .ok(&format!(
                "Action=CreatePolicy&PolicyName={name}&PolicyDocument={}",
                enc(document)
            ))
            .await;
        value(&xml, "Arn")
    }

    /// Stores the user `name` (path `/`) directly in the users table.
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
            inline_policies: BTreeMap::new(),
            attached_policies: Vec::new(),
            groups: Vec::new(),
            access_keys: Vec::new(),
        };
        let t = &self.dir.tables;
        let write = t
            .users
            .put(&entity_row(ACCOUNT, name), &user, Expect::Absent)
            .unwrap();
        t.commit(ACCOUNT, vec![write]).await.unwrap();
    }

    /// Stores the group `name` at `path` directly in the groups table.
    pub async fn seed_group(&self, name: &str, path: &str) {
        let group = GroupRecord {
            schema: 1,
            account: ACCOUNT.into(),
            name: name.into(),
            path: path.into(),
            group_id: format!("AGPA{:0>17}", name.to_ascii_uppercase()),
            created_ms: 0,
            inline_policies: BTreeMap::new(),
            attached_policies: Vec::new(),
            members: Vec::new(),
        };
        let t = &self.dir.tables;
        let write = t
            .groups
            .put(&entity_row(ACCOUNT, name), &group, Expect::Absent)
            .unwrap();
        t.commit(ACCOUNT, vec![write]).await.unwrap();
    }

    /// Stores the role `name` directly in the roles table, with `boundary` if given.
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
            inline_policies: BTreeMap::new(),
            attached_policies: Vec::new(),
            last_used_ms: None,
            last_used_region: None,
        };
        let t = &self.dir.tables;
        let write = t
            .roles
            .put(&entity_row(ACCOUNT, name), &role, Expect::Absent)
            .unwrap();
        t.commit(ACCOUNT, vec![write]).await.unwrap();
    }
}

/// The texts of every `<tag>` element (XML entities decoded).
pub fn values(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let end = after.find(&close).unwrap();
        out.push(unescape(&after[..end]));
        rest = &after[end + close.len()..];
    }
    out
}

/// The text of the only (or first) `<tag>` element.
pub fn value(xml: &str, tag: &str) -> String {
    values(xml, tag)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#xD;", "\r")
        .replace("&amp;", "&")
}

/// Percent-decodes a URL-encoded policy document.
pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
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
