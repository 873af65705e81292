//! IAM's tables and row keys, and the commit step every IAM write goes through: the writes
//! (each compare-and-swap on its own entity rows) plus an unconditional bump of the account's
//! generation counter, so caches of compiled caller policies see the change without
//! serialising writes to unrelated entities.

use crate::records::{
    AccessKeyRecord, AccountRecord, Generation, GroupRecord, ManagedPolicyRecord, RoleRecord,
    UserRecord,
};
use rampart_store::{Expect, Store, StoreError, Table, Write};

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

/// Every table IAM owns (rows and index entries).
pub const ALL: &[&str] = &[
    USERS,
    GROUPS,
    ROLES,
    POLICIES,
    ACCESS_KEYS,
    ACCOUNTS,
    GENERATIONS,
];

/// Row key of a user, group, role or managed policy: `<account>/<lower-case name>`.
pub fn entity_row(account: &str, name: &str) -> String {
    format!("{account}/{}", name.to_ascii_lowercase())
}

/// Scan prefix of every entity of `account` in one table.
pub fn account_prefix(account: &str) -> String {
    format!("{account}/")
}

/// The IAM tables.
#[derive(Clone)]
pub struct IamTables {
    pub store: Store,
    pub users: Table<UserRecord>,
    pub groups: Table<GroupRecord>,
    pub roles: Table<RoleRecord>,
    pub policies: Table<ManagedPolicyRecord>,
    pub access_keys: Table<AccessKeyRecord>,
    pub accounts: Table<AccountRecord>,
    pub generations: Table<Generation>,
}

impl IamTables {
    /// The tables in `store`.
    pub fn new(store: Store) -> Self {
        IamTables {
            users: Table::new(store.clone(), USERS),
            groups: Table::new(store.clone(), GROUPS),
            roles: Table::new(store.clone(), ROLES),
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
