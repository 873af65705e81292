//! Who makes a request ([`Principal`]) and the Principal/NotPrincipal element: parsing with
//! IAM's "Invalid principal in policy" errors, and matching with the grant it yields.

use crate::error::PolicyError;
use serde_json::Value;
use std::collections::BTreeMap;

/// What kind of identity signed the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    User,
    /// An IAM role evaluated as itself (policy simulation); requests made with role
    /// credentials come from an [`PrincipalKind::AssumedRole`] session.
    Role,
    /// A role session (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`).
    AssumedRole {
        /// ARN of the role (`arn:aws:iam::<acct>:role/<path><name>`).
        role_arn: String,
        /// The session name.
        session_name: String,
    },
    /// A GetFederationToken session (`arn:aws:sts::<acct>:federated-user/<name>`).
    FederatedUser {
        /// ARN of the IAM user who federated, if known.
        parent_user_arn: Option<String>,
    },
    /// A web identity or SAML caller (matched by a `Federated` principal).
    WebIdentity(String),
    /// An AWS service principal such as `ec2.amazonaws.com`.
    Service(String),
    /// An unauthenticated caller.
    Anonymous,
}

/// The identity making a request, with what condition keys need about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// ARN of the caller (for a role session: the assumed-role ARN).
    pub arn: String,
    /// Account the caller belongs to (empty for services and anonymous callers).
    pub account: String,
    /// Kind of identity.
    pub kind: PrincipalKind,
    /// aws:userid (e.g. `AIDA...` or `AROA...:session`).
    pub user_id: String,
    /// aws:username (IAM users only).
    pub username: Option<String>,
    /// aws:PrincipalTag/* (keys compared case-insensitively).
    pub tags: BTreeMap<String, String>,
}

impl Principal {
    fn new(arn: String, account: &str, kind: PrincipalKind, user_id: String) -> Self {
        Principal {
            arn,
            account: account.to_string(),
            kind,
            user_id,
            username: None,
            tags: BTreeMap::new(),
        }
    }

    /// The root user of `account`.
    pub fn root(account: &str) -> Self {
        let arn = format!("arn:aws:iam::{account}:root");
        Self::new(arn, account, PrincipalKind::Root, account.to_string())
    }

    /// IAM user `name` (path `/`) with unique id `user_id`.
    pub fn user(account: &str, name: &str, user_id: &str) -> Self {
        let arn = format!("arn:aws:iam::{account}:user/{name}");
        let mut p = Self::new(arn, account, PrincipalKind::User, user_id.to_string());
        p.username = Some(name.to_string());
        p
    }

    /// A session `session` of role `role` (path `/`), role unique id `role_id`.
    pub fn assumed_role(account: &str, role: &str, session: &str, role_id: &str) -> Self {
        let arn = format!("arn:aws:sts::{account}:assumed-role/{role}/{session}");
        let kind = PrincipalKind::AssumedRole {
            role_arn: format!("arn:aws:iam::{account}:role/{role}"),
            session_name: session.to_string(),
        };
        Self::new(arn, account, kind, format!("{role_id}:{session}"))
    }

    /// A federated user `name` whose session was created by IAM user `parent`.
    pub fn federated_user(account: &str, name: &str, parent: &str) -> Self {
        let arn = format!("arn:aws:sts::{account}:federated-user/{name}");
        let kind = PrincipalKind::FederatedUser {
            parent_user_arn: Some(format!("arn:aws:iam::{account}:user/{parent}")),
        };
        Self::new(arn, account, kind, format!("{account}:{name}"))
    }

    /// An AWS service principal.
    pub fn service(name: &str) -> Self {
        let kind = PrincipalKind::Service(name.to_string());
        Self::new(name.to_string(), "", kind, name.to_string())
    }

    /// An unauthenticated caller.
    pub fn anonymous() -> Self {
        Self::new("*".into(), "", PrincipalKind::Anonymous, "anonymous".into())
    }

    /// Adds a principal tag.
    pub fn with_tag(mut self, key: &str, value: &str) -> Self {
        self.tags.insert(key.to_string(), value.to_string());
        self
    }

    /// Whether identity-based policies can exist for this caller.
    pub(crate) fn has_identity_policies(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::User
                | PrincipalKind::Role
                | PrincipalKind::AssumedRole { .. }
                | PrincipalKind::FederatedUser { .. }
        )
    }

    /// Whether the caller is a session principal (role session or federated user).
    pub(crate) fn is_session(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::AssumedRole { .. } | PrincipalKind::FederatedUser { .. }
        )
    }

    /// aws:PrincipalArn: the role ARN for a role session, otherwise the caller's ARN.
    pub(crate) fn principal_arn(&self) -> &str {
        match &self.kind {
            PrincipalKind::AssumedRole { role_arn, .. } => role_arn,
            _ => &self.arn,
        }
    }

    /// aws:PrincipalType.
    pub(crate) fn principal_type(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::Role | PrincipalKind::AssumedRole { .. } => "AssumedRole",
            PrincipalKind::FederatedUser { .. } | PrincipalKind::WebIdentity(_) => "FederatedUser",
            PrincipalKind::Service(_) => "Service",
            PrincipalKind::Anonymous => "Anonymous",
        }
    }
}

/// How a resource-based policy's Allow reaches the caller (AWS's same-account rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    /// Names the caller's account: the identity-based policies must allow too.
    Delegated,
    /// Names a role (for its sessions) or a federating user: limited by an implicit deny in
    /// a permissions boundary or session policy.
    Limited,
    /// Names the caller itself (user, session, service, `*`, root): allows on its own.
    Direct,
}

/// One value of a Principal element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// `"*"` or `{"AWS": "*"}`.
    Everyone,
    /// An account id or `arn:...:iam::<acct>:root`.
    Account(String),
    /// A user, role, assumed-role session or federated-user ARN.
    Arn(String),
    /// A service principal (lower-cased).
    Service(String),
    /// An identity provider.
    Federated(String),
    /// An S3 canonical user id (never matches: Rampart has no canonical users).
    CanonicalUser(String),
}

/// Parses a Principal/NotPrincipal value.
pub(crate) fn parse(value: &Value) -> Result<Vec<Entry>, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(vec![Entry::Everyone]),
        Value::Object(map) if !map.is_empty() => {
            let mut out = Vec::new();
            for (kind, v) in map {
                for item in strings(kind, v)? {
                    out.push(entry(kind, item)?);
                }
            }
            Ok(out)
        }
        other => Err(invalid(&other.to_string())),
    }
}

fn invalid(shown: &str) -> PolicyError {
    PolicyError::malformed(format!("Invalid principal in policy: {shown}"))
}

fn strings<'v>(kind: &str, v: &'v Value) -> Result<Vec<&'v str>, PolicyError> {
    let bad = || invalid(&format!("\"{kind}\":{v}"));
    match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => {
            items.iter().map(|i| i.as_str().ok_or_else(bad)).collect()
        }
        _ => Err(bad()),
    }
}

fn entry(kind: &str, item: &str) -> Result<Entry, PolicyError> {
    let bad = || invalid(&format!("\"{kind}\":\"{item}\""));
    let plain = !item.is_empty() && !item.contains(char::is_whitespace);
    match kind {
        "AWS" if item == "*" => Ok(Entry::Everyone),
        "AWS" => aws_entry(item).ok_or_else(bad),
        "Service" if plain => Ok(Entry::Service(item.to_ascii_lowercase())),
        "Federated" if plain => Ok(Entry::Federated(item.to_string())),
        "CanonicalUser" if plain => Ok(Entry::CanonicalUser(item.to_string())),
        _ => Err(bad()),
    }
}

pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn aws_entry(item: &str) -> Option<Entry> {
    if is_account_id(item) {
        return Some(Entry::Account(item.to_string()));
    }
    if item.contains(['*', '?']) {
        return None;
    }
    let mut parts = item.splitn(6, ':');
    let (arn, partition, service, region) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let (account, resource) = (parts.next()?, parts.next()?);
    if arn != "arn" || partition.is_empty() || !region.is_empty() || !is_account_id(account) {
        return None;
    }
    let named = |prefix: &str, min_slashes: usize| {
        resource.strip_prefix(prefix).is_some_and(|rest| {
            rest.split('/').count() > min_slashes && rest.split('/').all(|s| !s.is_empty())
        })
    };
    match service {
        "iam" if resource == "root" => Some(Entry::Account(account.to_string())),
        "iam" if named("user/", 0) || named("role/", 0) => Some(Entry::Arn(item.to_string())),
        "sts" if named("assumed-role/", 1) || named("federated-user/", 0) => {
            Some(Entry::Arn(item.to_string()))
        }
        _ => None,
    }
}

/// The strongest grant any entry gives `p` (None: the element does not name `p`).
pub(crate) fn grant(entries: &[Entry], p: &Principal) -> Option<Grant> {
    entries.iter().filter_map(|e| entry_grant(e, p)).max()
}

fn entry_grant(e: &Entry, p: &Principal) -> Option<Grant> {
    match (e, &p.kind) {
        (Entry::Everyone, _) => Some(Grant::Direct),
        (Entry::Account(a), PrincipalKind::Root) if *a == p.account => Some(Grant::Direct),
        (Entry::Account(a), _) if *a == p.account && p.has_identity_policies() => {
            Some(Grant::Delegated)
        }
        (Entry::Arn(a), PrincipalKind::Role) if *a == p.arn => Some(Grant::Limited),
        (Entry::Arn(a), _) if *a == p.arn => Some(Grant::Direct),
        (Entry::Arn(a), PrincipalKind::AssumedRole { role_arn, .. }) if a == role_arn => {
            Some(Grant::Limited)
        }
        (Entry::Arn(a), PrincipalKind::FederatedUser { parent_user_arn }) => {
            (parent_user_arn.as_deref() == Some(a.as_str())).then_some(Grant::Limited)
        }
        (Entry::Service(s), PrincipalKind::Service(n)) => {
            s.eq_ignore_ascii_case(n).then_some(Grant::Direct)
        }
        (Entry::Federated(f), PrincipalKind::WebIdentity(n)) => (f == n).then_some(Grant::Direct),
        _ => None,
    }
}

/// NotPrincipal: `p` is left out only when every identity it carries is listed — its own
/// ARN, its role (for a session) and its account — as AWS's NotPrincipal reference advises.
pub(crate) fn excluded(entries: &[Entry], p: &Principal) -> bool {
    if entries.contains(&Entry::Everyone) {
        return true;
    }
    let arn = |a: &str| entries.iter().any(|e| matches!(e, Entry::Arn(x) if x == a));
    let account = entries
        .iter()
        .any(|e| matches!(e, Entry::Account(x) if *x == p.account));
    match &p.kind {
        PrincipalKind::Root => account,
        PrincipalKind::User | PrincipalKind::Role | PrincipalKind::FederatedUser { .. } => {
            account && arn(&p.arn)
        }
        PrincipalKind::AssumedRole { role_arn, .. } => account && arn(&p.arn) && arn(role_arn),
        PrincipalKind::Service(_) | PrincipalKind::WebIdentity(_) => {
            entries.iter().any(|e| entry_grant(e, p).is_some())
        }
        PrincipalKind::Anonymous => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_forms() {
        let e = parse(
            &json!({"AWS": ["111122223333", "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/a/b", "arn:aws:sts::111122223333:assumed-role/r/s"],
            "Service": "EC2.amazonaws.com"}),
        )
        .unwrap();
        assert_eq!(e[0], Entry::Account("111122223333".into()));
        assert_eq!(e[1], Entry::Account("111122223333".into()));
        assert_eq!(e[4], Entry::Service("ec2.amazonaws.com".into()));
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in [
            json!("alice"),
            json!({"AWS": "arn:aws:iam::111122223333:user/*"}),
            json!({"AWS": "arn:aws:iam::1234:root"}),
            json!({"AWS": "arn:aws:iam::111122223333:group/g"}),
            json!({"AWS": "arn:aws:sts::111122223333:assumed-role/r"}),
            json!({"Unknown": "x"}),
            json!({"AWS": []}),
            json!({}),
        ] {
            let err = parse(&bad).unwrap_err();
            assert!(
                err.message.starts_with("Invalid principal in policy"),
                "{bad}"
            );
        }
    }

    #[test]
    fn grants() {
        let s = Principal::assumed_role("111122223333", "r", "s", "AROA1");
        let g = |v: Value| grant(&parse(&v).unwrap(), &s);
        assert_eq!(g(json!({"AWS": "111122223333"})), Some(Grant::Delegated));
        assert_eq!(
            g(json!({"AWS": "arn:aws:iam::111122223333:role/r"})),
            Some(Grant::Limited)
        );
        let session = json!({"AWS": "arn:aws:sts::111122223333:assumed-role/r/s"});
        assert_eq!(g(session), Some(Grant::Direct));
        assert_eq!(g(json!({"AWS": "444455556666"})), None);
        assert_eq!(g(json!("*")), Some(Grant::Direct));
    }
}
