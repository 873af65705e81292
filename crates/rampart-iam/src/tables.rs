//! IAM's tables and row keys, and the commit step every IAM write goes through: the writes
//! (each compare-and-swap on its own entity rows) plus an unconditional bump of the account's
//! generation counter, so caches of compiled caller policies see the change without
//! serialising writes to unrelated entities. Users, groups and roles are indexed by the
//! managed policies they use (`iam_*#policy`); the index entry writes of an entity change
//! travel with its compare-and-swap write into that same commit.

use crate::records::{
    AccessKeyRecord, AccountRecord, Generation, GroupRecord, ManagedPolicyRecord, RoleRecord,
    UserRecord,
};
use rampart_store::{Expect, Index, IndexedTable, Store, StoreError, Table, Versioned, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// IAM users.
pub const USERS: &str = "iam_users";
/// IAM groups.
pub const GROUPS: &str = "iam_groups";
/// IAM roles.
pub const ROLES: &str = "iam_roles";
/// Customer managed policies.
pub const POLICIES: &str = "iam_policies";
/// Long-term access keys of account roots and IAM users (store migration 4 renamed the
/// `credentials` table of older databases to this).
pub const ACCESS_KEYS: &str = "iam_access_keys";
/// Accounts.
pub const ACCOUNTS: &str = "iam_accounts";
/// Per-account generation counters.
pub const GENERATIONS: &str = "iam_generations";
/// The index of users by the managed policies they use (attached or as boundary).
pub const USERS_BY_POLICY: &str = "iam_users#policy";
/// The index of groups by their attached managed policies.
pub const GROUPS_BY_POLICY: &str = "iam_groups#policy";
/// The index of roles by the managed policies they use (attached or as boundary).
pub const ROLES_BY_POLICY: &str = "iam_roles#policy";
/// The name of the entity tables' index by managed policy (see [`policy_key`]).
pub const BY_POLICY: &str = "policy";

/// Every table IAM owns (rows and index entries).
pub const ALL: &[&str] = &[
    USERS,
    GROUPS,
    ROLES,
    POLICIES,
    ACCESS_KEYS,
    ACCOUNTS,
    GENERATIONS,
    USERS_BY_POLICY,
    GROUPS_BY_POLICY,
    ROLES_BY_POLICY,
    crate::policy_index::MIGRATIONS,
    crate::resources::INSTANCE_PROFILES,
    crate::resources::OIDC_PROVIDERS,
    crate::resources::SAML_PROVIDERS,
    crate::account_tables::ACCOUNT_SETTINGS,
    crate::account_tables::ACCOUNT_ALIASES,
    crate::account_tables::OUTBOUND_ISSUERS,
    crate::account_tables::LOGIN_PROFILES,
    crate::account_tables::MFA_DEVICES,
    crate::account_tables::SIGNING_CERTIFICATES,
    crate::account_tables::SSH_PUBLIC_KEYS,
    crate::account_tables::SERVER_CERTIFICATES,
    crate::account_tables::SERVICE_CREDENTIALS,
    crate::service_linked::DELETION_TASKS,
    crate::credential_report::REPORTS,
    crate::access_advisor::JOBS,
    crate::delegation::REQUESTS,
    crate::delegation::OWNED,
    crate::delegation::WORKFLOWS,
];

/// Row key of a user, group, role or managed policy: `<account>/<lower-case name>`.
pub fn entity_row(account: &str, name: &str) -> String {
    format!("{account}/{}", name.to_ascii_lowercase())
}

/// Scan prefix of every entity of `account` in one table.
pub fn account_prefix(account: &str) -> String {
    format!("{account}/")
}

/// The key under which the entities of `account` using the managed policy `arn` are indexed
/// ([`BY_POLICY`]): `<account>/<policy ARN>`. The account is part of it because AWS managed
/// policies (`arn:aws:iam::aws:policy/...`) are shared by every account.
pub fn policy_key(account: &str, arn: &str) -> String {
    format!("{account}/{arn}")
}

/// The index keys of an entity of `account`: its attached policies and its boundary.
fn policy_keys(account: &str, attached: &[String], boundary: Option<&String>) -> Vec<String> {
    attached
        .iter()
        .chain(boundary)
        .map(|arn| policy_key(account, arn))
        .collect()
}

fn user_policies(user: &UserRecord) -> Vec<String> {
    policy_keys(
        &user.account,
        &user.attached_policies,
        user.boundary_arn.as_ref(),
    )
}

fn group_policies(group: &GroupRecord) -> Vec<String> {
    policy_keys(&group.account, &group.attached_policies, None)
}

fn role_policies(role: &RoleRecord) -> Vec<String> {
    policy_keys(
        &role.account,
        &role.attached_policies,
        role.boundary_arn.as_ref(),
    )
}

/// The [`BY_POLICY`] index kept in `table`.
fn by_policy<T>(table: &'static str, keys: fn(&T) -> Vec<String>) -> Index<T> {
    Index {
        name: BY_POLICY,
        table,
        keys,
    }
}

/// The writes replacing the row `row` of `table`, read as `read`, by `value`: the
/// compare-and-swap row write (on the version read) plus the index entries the change adds
/// or removes, for one commit.
pub fn replace<T: Serialize + DeserializeOwned>(
    table: &IndexedTable<T>,
    row: &str,
    value: &T,
    read: &Versioned<T>,
) -> Result<Vec<Write>, StoreError> {
    table.put(row, value, Expect::Version(read.version), Some(&read.value))
}

/// The IAM tables. Users, groups and roles are indexed by the managed policies they use
/// ([`BY_POLICY`]); their writes go through `IndexedTable::put`/`delete`, whose entry writes
/// commit with the row.
#[derive(Clone)]
pub struct IamTables {
    pub store: Store,
    pub users: IndexedTable<UserRecord>,
    pub groups: IndexedTable<GroupRecord>,
    pub roles: IndexedTable<RoleRecord>,
    pub policies: Table<ManagedPolicyRecord>,
    pub access_keys: Table<AccessKeyRecord>,
    pub accounts: Table<AccountRecord>,
    pub generations: Table<Generation>,
}

impl IamTables {
    /// The tables in `store`.
    pub fn new(store: Store) -> Self {
        IamTables {
            users: IndexedTable::new(
                store.clone(),
                USERS,
                vec![by_policy(USERS_BY_POLICY, user_policies)],
            ),
            groups: IndexedTable::new(
                store.clone(),
                GROUPS,
                vec![by_policy(GROUPS_BY_POLICY, group_policies)],
            ),
            roles: IndexedTable::new(
                store.clone(),
                ROLES,
                vec![by_policy(ROLES_BY_POLICY, role_policies)],
            ),
            policies: Table::new(store.clone(), POLICIES),
            access_keys: Table::new(store.clone(), ACCESS_KEYS),
            accounts: Table::new(store.clone(), ACCOUNTS),
            generations: Table::new(store.clone(), GENERATIONS),
            store,
        }
    }

    /// The current generation of `account` (0 before its first IAM write): the version of its
    /// generation row, which every IAM write of the account bumps.
    pub async fn generation(&self, account: &str) -> Result<u64, StoreError> {
        Ok(self
            .generations
            .get(account)
            .await?
            .map_or(0, |g| g.version))
    }

    /// Commits `writes` (each with its own compare-and-swap condition) together with a bump of
    /// `account`'s generation. The bump is an unconditional upsert (the store increments the
    /// row's version atomically), so it never conflicts: IAM writes to different entities of one
    /// account proceed concurrently, and only a write whose own conditions fail gets
    /// `StoreError::Conflict` (the caller re-reads and retries, or answers
    /// `ConcurrentModification`).
    pub async fn commit(&self, account: &str, mut writes: Vec<Write>) -> Result<(), StoreError> {
        writes.push(
            self.generations
                .put(account, &Generation { value: 0 }, Expect::Any)?,
        );
        self.store.transact(writes).await
    }
}
