//! IAM's tables and row keys, and the commit step every IAM write goes through: the writes
//! plus a compare-and-swap bump of the account's generation counter, so concurrent IAM
//! writes in one account serialize and caches of compiled caller policies see the change.

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
/// Long-term access keys of account roots and IAM users (the table the bootstrap admin key
/// has always lived in).
pub const ACCESS_KEYS: &str = "credentials";
/// Accounts.
pub const ACCOUNTS: &str = "iam_accounts";
/// Per-account generation counters.
pub const GENERATIONS: &str = "iam_generations";

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

    /// The current generation of `account` (0 before its first IAM write).
    pub async fn generation(&self, account: &str) -> Result<u64, StoreError> {
        Ok(self
            .generations
            .get(account)
            .await?
            .map_or(0, |g| g.value.value))
    }

    /// Commits `writes` (each with its own compare-and-swap condition) together with a bump of
    /// `account`'s generation. `StoreError::Conflict` when anything changed concurrently: the
    /// caller re-reads and retries (or answers `ConcurrentModification`).
    pub async fn commit(&self, account: &str, mut writes: Vec<Write>) -> Result<(), StoreError> {
        let current = self.generations.get(account).await?;
        let (next, expect) = match current {
            Some(g) => (g.value.value + 1, Expect::Version(g.version)),
            None => (1, Expect::Absent),
        };
        writes.push(
            self.generations
                .put(account, &Generation { value: next }, expect)?,
        );
        self.store.transact(writes).await
    }
}
