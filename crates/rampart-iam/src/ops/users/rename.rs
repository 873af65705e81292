//! Renaming or moving a user or a group (UpdateUser, UpdateGroup): the record moves to its
//! new row, and everything that names it follows in the same transaction: the member lists
//! of the user's groups (or the group lists of the group's members) and the user's access
//! key records (user name and principal ARN).

use super::support::user_arn;
use crate::IamService;
use crate::ops::common::{ATTEMPTS, already_exists, no_such, store_failure, too_busy};
use crate::records::{GroupRecord, UserRecord};
use crate::tables::{entity_row, replace};
use rampart_codec::ServiceError;
use rampart_store::{Expect, IndexedTable, Versioned, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Replaces `old` (compared case-insensitively) by `new` in a list of names.
fn rename_in(names: &mut [String], old: &str, new: &str) {
    for name in names.iter_mut().filter(|n| n.eq_ignore_ascii_case(old)) {
        *name = new.to_owned();
    }
}

/// The writes that move the record `read` from `old_row` to `new_row` as `record` (or update
/// it in place when the rows are the same), index entries included.
fn move_writes<T: Serialize + DeserializeOwned>(
    table: &IndexedTable<T>,
    old_row: &str,
    new_row: &str,
    record: &T,
    read: &Versioned<T>,
) -> Result<Vec<Write>, ServiceError> {
    if old_row == new_row {
        return replace(table, new_row, record, read).map_err(store_failure);
    }
    let mut writes = table.delete(old_row, &read.value, Expect::Version(read.version));
    let put = table.put(new_row, record, Expect::Absent, None);
    writes.extend(put.map_err(store_failure)?);
    Ok(writes)
}

impl IamService {
    /// Renames and/or moves the user `name` to `new_name` under `new_path`.
    pub(super) async fn move_user(
        &self,
        account: &str,
        name: &str,
        new_name: &str,
        new_path: &str,
    ) -> Result<(), ServiceError> {
        for _ in 0..ATTEMPTS {
            let user = self
                .find_user(account, name)
                .await?
                .ok_or_else(|| no_such("user", name))?;
            let keys = user.value.access_keys.clone();
            let writes = self
                .user_move_writes(account, user, new_name, new_path)
                .await?;
            if self.commit(account, writes).await? {
                for key in &keys {
                    self.dir.credentials.forget(key);
                }
                return Ok(());
            }
        }
        Err(too_busy())
    }

    async fn user_move_writes(
        &self,
        account: &str,
        user: Versioned<UserRecord>,
        new_name: &str,
        new_path: &str,
    ) -> Result<Vec<Write>, ServiceError> {
        let old_row = entity_row(account, &user.value.name);
        let new_row = entity_row(account, new_name);
        if old_row != new_row && self.find_user(account, new_name).await?.is_some() {
            return Err(already_exists("User", new_name));
        }
        let mut record = user.value.clone();
        record.name = new_name.to_owned();
        record.path = new_path.to_owned();
        let tables = &self.dir.tables;
        let mut writes = move_writes(&tables.users, &old_row, &new_row, &record, &user)?;
        for group_name in &record.groups {
            let Some(group) = self.find_group(account, group_name).await? else {
                continue;
            };
            let mut updated = group.value.clone();
            rename_in(&mut updated.members, &user.value.name, new_name);
            let row = entity_row(account, group_name);
            let put = replace(&tables.groups, &row, &updated, &group);
            writes.extend(put.map_err(store_failure)?);
        }
        writes.extend(self.key_owner_writes(account, &record).await?);
        Ok(writes)
    }

    /// The writes that point the access keys of `user` at its (new) name and ARN.
    async fn key_owner_writes(
        &self,
        account: &str,
        user: &UserRecord,
    ) -> Result<Vec<Write>, ServiceError> {
        let arn = user_arn(account, &user.path, &user.name);
        let table = &self.dir.tables.access_keys;
        let mut writes = Vec::with_capacity(user.access_keys.len());
        for key_id in &user.access_keys {
            let found = table.get(key_id).await.map_err(store_failure)?;
            let Some(mut key) = found else { continue };
            key.value.user_name = Some(user.name.clone());
            key.value.principal_arn = arn.clone();
            let put = table.put(key_id, &key.value, Expect::Version(key.version));
            writes.push(put.map_err(store_failure)?);
        }
        Ok(writes)
    }

    /// Renames and/or moves the group `name` to `new_name` under `new_path`.
    pub(super) async fn move_group(
        &self,
        account: &str,
        name: &str,
        new_name: &str,
        new_path: &str,
    ) -> Result<(), ServiceError> {
        for _ in 0..ATTEMPTS {
            let group = self
                .find_group(account, name)
                .await?
                .ok_or_else(|| no_such("group", name))?;
            let writes = self
                .group_move_writes(account, group, new_name, new_path)
                .await?;
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }

    async fn group_move_writes(
        &self,
        account: &str,
        group: Versioned<GroupRecord>,
        new_name: &str,
        new_path: &str,
    ) -> Result<Vec<Write>, ServiceError> {
        let old_row = entity_row(account, &group.value.name);
        let new_row = entity_row(account, new_name);
        if old_row != new_row && self.find_group(account, new_name).await?.is_some() {
            return Err(already_exists("Group", new_name));
        }
        let mut record = group.value.clone();
        record.name = new_name.to_owned();
        record.path = new_path.to_owned();
        let tables = &self.dir.tables;
        let mut writes = move_writes(&tables.groups, &old_row, &new_row, &record, &group)?;
        for member in &record.members {
            let Some(user) = self.find_user(account, member).await? else {
                continue;
            };
            let mut updated = user.value.clone();
            rename_in(&mut updated.groups, &group.value.name, new_name);
            let row = entity_row(account, member);
            let put = replace(&tables.users, &row, &updated, &user);
            writes.extend(put.map_err(store_failure)?);
        }
        Ok(writes)
    }
}
