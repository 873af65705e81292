//! What IAM stores: users, groups, roles, customer managed policies, access keys and accounts.
//! Every record is JSON in a `rampart-store` table (see `tables.rs` for row keys). Inline
//! policies, attachments, memberships and tags live inside the entity they belong to, so one
//! read gives everything authorization needs about an entity.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A tag (`Key`, `Value`), in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRecord {
    pub key: String,
    pub value: String,
}

/// Inline policies by name (names compare case-sensitively, as IAM does) → document text
/// exactly as given (URL-decoded).
pub type InlinePolicies = BTreeMap<String, String>;

/// An IAM user. Row: `<account>/<lower-case name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub schema: u32,
    pub account: String,
    /// Name as given (IAM names are unique case-insensitively; the row key is lower case).
    pub name: String,
    /// Path, `/` by default; always begins and ends with `/`.
    pub path: String,
    /// Unique id, `AIDA` + 17 characters.
    pub user_id: String,
    pub created_ms: i64,
    pub tags: Vec<TagRecord>,
    /// ARN of the managed policy used as permissions boundary.
    pub boundary_arn: Option<String>,
    pub inline_policies: InlinePolicies,
    /// ARNs of attached managed policies, in attach order.
    pub attached_policies: Vec<String>,
    /// Names (as stored in the group records) of the groups the user belongs to.
    pub groups: Vec<String>,
    /// Access key ids of the user (at most two).
    pub access_keys: Vec<String>,
}

impl UserRecord {
    /// `arn:aws:iam::<account>:user<path><name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:user{}{}",
            self.account, self.path, self.name
        )
    }
}

/// An IAM group. Row: `<account>/<lower-case name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    pub schema: u32,
    pub account: String,
    pub name: String,
    pub path: String,
    /// Unique id, `AGPA` + 17 characters.
    pub group_id: String,
    pub created_ms: i64,
    pub inline_policies: InlinePolicies,
    pub attached_policies: Vec<String>,
    /// Names of member users, in the order they were added.
    pub members: Vec<String>,
}

impl GroupRecord {
    /// `arn:aws:iam::<account>:group<path><name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:group{}{}",
            self.account, self.path, self.name
        )
    }
}

/// An IAM role. Row: `<account>/<lower-case name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRecord {
    pub schema: u32,
    pub account: String,
    pub name: String,
    pub path: String,
    /// Unique id, `AROA` + 17 characters.
    pub role_id: String,
    pub created_ms: i64,
    /// The trust policy (AssumeRolePolicyDocument) as given.
    pub trust_policy: String,
    pub description: Option<String>,
    /// MaxSessionDuration in seconds (3600..=43200, default 3600).
    pub max_session_duration: i32,
    pub tags: Vec<TagRecord>,
    pub boundary_arn: Option<String>,
    pub inline_policies: InlinePolicies,
    pub attached_policies: Vec<String>,
    /// When the role was last used through AssumeRole (epoch ms) and in which Region.
    pub last_used_ms: Option<i64>,
    pub last_used_region: Option<String>,
}

impl RoleRecord {
    /// `arn:aws:iam::<account>:role<path><name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:role{}{}",
            self.account, self.path, self.name
        )
    }
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersionRecord {
    /// `v1`, `v2`, ...
    pub version_id: String,
    /// The document as given (URL-decoded).
    pub document: String,
    pub created_ms: i64,
}

/// A customer managed policy. Row: `<account>/<lower-case name>` (names are unique within an
/// account whatever the path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicyRecord {
    pub schema: u32,
    pub account: String,
    pub name: String,
    pub path: String,
    /// Unique id, `ANPA` + 17 characters.
    pub policy_id: String,
    pub description: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The default version's id.
    pub default_version: String,
    /// At most five versions, oldest first.
    pub versions: Vec<PolicyVersionRecord>,
    /// Number used for the next version id (`v<next_version>`).
    pub next_version: u32,
    /// How many users, groups and roles it is attached to (or used as boundary by).
    pub attachment_count: i32,
    pub boundary_usage_count: i32,
    pub tags: Vec<TagRecord>,
}

impl ManagedPolicyRecord {
    /// `arn:aws:iam::<account>:policy<path><name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:policy{}{}",
            self.account, self.path, self.name
        )
    }

    /// The default version's document.
    pub fn default_document(&self) -> Option<&str> {
        self.versions
            .iter()
            .find(|v| v.version_id == self.default_version)
            .map(|v| v.document.as_str())
    }
}

/// Status of an access key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl KeyStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

/// A long-term access key (account root or IAM user). Row: the access key id. The secret is
/// AES-GCM-wrapped under the credentials domain key with the access key id as AAD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKeyRecord {
    pub account: String,
    /// ARN of the owner (`...:root` or the user's ARN).
    pub principal_arn: String,
    /// Base64 of the wrapped secret.
    pub wrapped_secret: String,
    /// The owning user's name; `None` for the account root.
    #[serde(default)]
    pub user_name: Option<String>,
    /// The owning user's unique id (`AIDA...`); `None` for the account root.
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default = "active")]
    pub status: KeyStatus,
    #[serde(default)]
    pub created_ms: i64,
    /// Last use (epoch ms), service and Region, as GetAccessKeyLastUsed reports.
    #[serde(default)]
    pub last_used_ms: Option<i64>,
    #[serde(default)]
    pub last_used_service: Option<String>,
    #[serde(default)]
    pub last_used_region: Option<String>,
}

fn active() -> KeyStatus {
    KeyStatus::Active
}

/// An account known to this Rampart. Row: the account id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    pub account: String,
    pub created_ms: i64,
    /// Optional account alias (CreateAccountAlias).
    pub alias: Option<String>,
    /// The management account of the organization this account is a member of
    /// (`rampart account create --management-account`); `None` outside an organization.
    /// Callers of that account may open root sessions of this one (STS AssumeRoot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account: Option<String>,
}

/// Per-account generation row (key: the account id), upserted by every IAM write; the
/// generation is the row's store version, which each upsert increments atomically. Caches of
/// compiled caller policies compare it to know when to rebuild. `value` is not read (rows
/// written before it was the version held the same number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generation {
    pub value: u64,
}
