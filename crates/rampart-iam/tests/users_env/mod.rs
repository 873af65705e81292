//! Test bench shared by the user, group and access-key tests: an `IamService` over a SQLite
//! store in a temporary folder, root and IAM-user request contexts, query-form calls and a
//! minimal reading of the XML answers.

#![allow(clippy::unwrap_used, dead_code)]

use rampart_core::{AccountId, Principal, PrincipalKind, Region, RequestContext, SystemClock};
use rampart_crypto::root::{Domain, RootKey};
use rampart_iam::generated::dispatch;
use rampart_iam::records::UserRecord;
use rampart_iam::tables::entity_row;
use rampart_iam::{Directory, IamService};
use rampart_store::{Expect, Store};
use rampart_wire::codec::{QueryNode, ServiceError};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ACCOUNT: &str = "123456789012";

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

impl Bench {
    pub async fn new() -> Bench {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let folder =
            std::env::temp_dir().join(format!("rampart-iam-users-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let store = Store::open_sqlite(&folder.join("db")).await.unwrap();
        let key = RootKey::generate().domain_key(Domain::Credentials);
        let dir = Arc::new(Directory::new(store, key, Arc::new(SystemClock)));
        let iam = IamService::new(dir.clone());
        Bench { dir, iam, folder }
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

    /// The context of a request signed with the access key `key_id`, with the compiled
    /// policies of its owner.
    pub async fn signed_by(&self, key_id: &str) -> RequestContext {
        let found = self.dir.credentials.find(key_id).await.unwrap().unwrap();
        let principal = found.principal.clone();
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

    /// The stored user `name`.
    pub async fn stored_user(&self, name: &str) -> Option<UserRecord> {
        let row = entity_row(ACCOUNT, name);
        self.dir
            .tables
            .users
            .get(&row)
            .await
            .unwrap()
            .map(|u| u.value)
    }

    /// Writes an inline policy straight into the user's record (inline-policy operations
    /// belong to another part of the service).
    pub async fn put_inline_policy(&self, user: &str, name: &str, document: &str) {
        let tables = &self.dir.tables;
        let row = entity_row(ACCOUNT, user);
        let mut found = tables.users.get(&row).await.unwrap().unwrap();
        found
            .value
            .inline_policies
            .insert(name.to_owned(), document.to_owned());
        let write = tables
            .users
            .put(&row, &found.value, Expect::Version(found.version))
            .unwrap();
        tables.commit(ACCOUNT, vec![write]).await.unwrap();
        self.dir.invalidate();
    }

    /// Same for a group.
    pub async fn put_group_policy(&self, group: &str, name: &str, document: &str) {
        let tables = &self.dir.tables;
        let row = entity_row(ACCOUNT, group);
        let mut found = tables.groups.get(&row).await.unwrap().unwrap();
        found
            .value
            .inline_policies
            .insert(name.to_owned(), document.to_owned());
        let write = tables
            .groups
            .put(&row, &found.value, Expect::Version(found.version))
            .unwrap();
        tables.commit(ACCOUNT, vec![write]).await.unwrap();
        self.dir.invalidate();
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
