//! Who uses a managed policy: the users, groups and roles of an account it is attached to or
//! that have it as permissions boundary, read from the entity tables' index by policy
//! (`iam_users#policy`, `iam_groups#policy`, `iam_roles#policy`) rather than from a scan of
//! the account; and the usage counts of AWS managed policies derived from them.

use super::common::store_failure;
use super::managed::Usage;
use crate::IamService;
use crate::aws_managed;
use crate::records::{GroupRecord, RoleRecord, UserRecord};
use crate::tables::{BY_POLICY, policy_key};
use rampart_codec::ServiceError;
use rampart_store::IndexedTable;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// Index entries read per page of a lookup.
const PAGE: usize = 500;

/// The entities of one account that use one managed policy, each list in row-key
/// (lower-case name) order. A list the caller did not ask for is empty.
#[derive(Debug, Default)]
pub(crate) struct PolicyUsers {
    pub users: Vec<UserRecord>,
    pub groups: Vec<GroupRecord>,
    pub roles: Vec<RoleRecord>,
}

/// Which kinds of entity to look up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kinds {
    pub users: bool,
    pub groups: bool,
    pub roles: bool,
}

impl Kinds {
    pub(crate) const ALL: Kinds = Kinds {
        users: true,
        groups: true,
        roles: true,
    };
}

impl PolicyUsers {
    /// How many entities have the policy `arn` attached, and how many use it as boundary.
    fn usage(&self, arn: &str) -> Usage {
        let attached = |list: &[String]| list.iter().any(|a| a == arn);
        let bounds = |b: &Option<String>| b.as_deref() == Some(arn);
        let attachments = self
            .users
            .iter()
            .filter(|u| attached(&u.attached_policies))
            .count()
            + self
                .groups
                .iter()
                .filter(|g| attached(&g.attached_policies))
                .count()
            + self
                .roles
                .iter()
                .filter(|r| attached(&r.attached_policies))
                .count();
        let boundaries = self
            .users
            .iter()
            .filter(|u| bounds(&u.boundary_arn))
            .count()
            + self
                .roles
                .iter()
                .filter(|r| bounds(&r.boundary_arn))
                .count();
        Usage {
            attachments: i32::try_from(attachments).unwrap_or(i32::MAX),
            boundaries: i32::try_from(boundaries).unwrap_or(i32::MAX),
        }
    }
}

impl IamService {
    /// The entities of `kinds` in `account` that use the managed policy `arn` (attached or as
    /// boundary): index lookups, no scan.
    pub(crate) async fn policy_users(
        &self,
        account: &str,
        arn: &str,
        kinds: Kinds,
    ) -> Result<PolicyUsers, ServiceError> {
        let tables = &self.dir.tables;
        let key = policy_key(account, arn);
        let mut out = PolicyUsers::default();
        if kinds.users {
            out.users = using(&tables.users, &key).await?;
        }
        if kinds.groups {
            out.groups = using(&tables.groups, &key).await?;
        }
        if kinds.roles {
            out.roles = using(&tables.roles, &key).await?;
        }
        Ok(out)
    }

    /// How many users, groups and roles of `account` use the managed policy `arn`.
    pub(crate) async fn usage_of(&self, account: &str, arn: &str) -> Result<Usage, ServiceError> {
        let users = self.policy_users(account, arn, Kinds::ALL).await?;
        Ok(users.usage(arn))
    }

    /// The usage in `account` of every AWS managed policy Rampart knows, by ARN (customer
    /// managed policies keep their counts in their records).
    pub(crate) async fn aws_usage(
        &self,
        account: &str,
    ) -> Result<HashMap<String, Usage>, ServiceError> {
        let mut usage = HashMap::with_capacity(aws_managed::POLICIES.len());
        for policy in aws_managed::POLICIES {
            let arn = policy.arn();
            let used = self.usage_of(account, &arn).await?;
            usage.insert(arn, used);
        }
        Ok(usage)
    }
}

/// The records of `table` indexed under the policy key `key`, in row-key order.
async fn using<T>(table: &IndexedTable<T>, key: &str) -> Result<Vec<T>, ServiceError>
where
    T: Serialize + DeserializeOwned,
{
    let rows = table
        .lookup_all(BY_POLICY, key, PAGE)
        .await
        .map_err(store_failure)?;
    Ok(rows.into_iter().map(|(_, row)| row.value).collect())
}
