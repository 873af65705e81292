//! IAM groups and membership: CreateGroup, GetGroup (with its members), ListGroups,
//! UpdateGroup, DeleteGroup, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser. A
//! membership is written on both sides (the group's `members`, the user's `groups`) in one
//! transaction.

use super::support::{group_arn, group_out, scan_all, user_out};
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    AddUserToGroup, CreateGroup, DeleteGroup, GetGroup, ListGroups, ListGroupsForUser,
    RemoveUserFromGroup, UpdateGroup,
};
use crate::ids;
use crate::ops::common::{ATTEMPTS, already_exists, page, required, store_failure, too_busy};
use crate::records::{GroupRecord, UserRecord};
use crate::tables::{account_prefix, entity_row, replace};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write};

/// Version of the group record layout.
const GROUP_SCHEMA: u32 = 1;

/// Most groups one user may belong to.
const GROUPS_PER_USER: usize = 10;

impl CreateGroup for IamService {
    async fn create_group(
        &self,
        ctx: &RequestContext,
        input: CreateGroupRequest,
    ) -> Result<CreateGroupResponse, ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.group_name, "groupName")?;
        let path = input.path.unwrap_or_else(|| "/".to_owned());
        self.authorize(ctx, "iam:CreateGroup", &group_arn(account, &path, &name))?;
        let record = GroupRecord {
            schema: GROUP_SCHEMA,
            account: account.to_owned(),
            name,
            path,
            group_id: ids::unique_id("AGPA"),
            created_ms: self.now_ms(),
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            members: Vec::new(),
        };
        let row = entity_row(account, &record.name);
        for _ in 0..ATTEMPTS {
            if self.find_group(account, &record.name).await?.is_some() {
                return Err(already_exists("Group", &record.name));
            }
            let groups = &self.dir.tables.groups;
            let writes = groups
                .put(&row, &record, Expect::Absent, None)
                .map_err(store_failure)?;
            if self.commit(account, writes).await? {
                let group = Some(group_out(&record));
                return Ok(CreateGroupResponse { group });
            }
        }
        Err(too_busy())
    }
}

impl GetGroup for IamService {
    async fn get_group(
        &self,
        ctx: &RequestContext,
        input: GetGroupRequest,
    ) -> Result<GetGroupResponse, ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.group_name, "groupName")?;
        let group = self
            .authorized_group(ctx, "iam:GetGroup", &name)
            .await?
            .value;
        let mut members: Vec<String> = group.members.clone();
        members.sort_by_key(|m| m.to_ascii_lowercase());
        let found = page(members, input.marker.as_deref(), input.max_items, |m| {
            m.to_ascii_lowercase()
        })?;
        let mut users = Vec::with_capacity(found.items.len());
        for member in &found.items {
            if let Some(user) = self.find_user(account, member).await? {
                users.push(user_out(&user.value, false));
            }
        }
        Ok(GetGroupResponse {
            group: Some(group_out(&group)),
            users: Some(users),
            is_truncated: Some(found.is_truncated),
            marker: found.marker,
        })
    }
}

impl ListGroups for IamService {
    async fn list_groups(
        &self,
        ctx: &RequestContext,
        input: ListGroupsRequest,
    ) -> Result<ListGroupsResponse, ServiceError> {
        let account = ctx.account().as_str();
        let prefix = input.path_prefix.unwrap_or_else(|| "/".to_owned());
        self.authorize(ctx, "iam:ListGroups", &group_arn(account, &prefix, ""))?;
        let rows = scan_all(self.dir.tables.groups.table(), &account_prefix(account)).await?;
        let matching: Vec<(String, GroupRecord)> = rows
            .into_iter()
            .filter(|(_, g)| g.path.starts_with(&prefix))
            .collect();
        let found = page(
            matching,
            input.marker.as_deref(),
            input.max_items,
            |(key, _)| key.clone(),
        )?;
        Ok(ListGroupsResponse {
            groups: Some(found.items.iter().map(|(_, g)| group_out(g)).collect()),
            is_truncated: Some(found.is_truncated),
            marker: found.marker,
        })
    }
}

impl UpdateGroup for IamService {
    async fn update_group(
        &self,
        ctx: &RequestContext,
        input: UpdateGroupRequest,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.group_name, "groupName")?;
        let current = self.authorized_group(ctx, "iam:UpdateGroup", &name).await?;
        let new_name = input
            .new_group_name
            .unwrap_or_else(|| current.value.name.clone());
        let new_path = input.new_path.unwrap_or_else(|| current.value.path.clone());
        let new_arn = group_arn(account, &new_path, &new_name);
        if new_arn != current.value.arn() {
            self.authorize(ctx, "iam:UpdateGroup", &new_arn)?;
        }
        self.move_group(account, &name, &new_name, &new_path).await
    }
}

impl DeleteGroup for IamService {
    async fn delete_group(
        &self,
        ctx: &RequestContext,
        input: DeleteGroupRequest,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.group_name, "groupName")?;
        for _ in 0..ATTEMPTS {
            let group = self.authorized_group(ctx, "iam:DeleteGroup", &name).await?;
            let conflict = if !group.value.members.is_empty() {
                Some("Cannot delete entity, must remove users from group first.")
            } else if !group.value.inline_policies.is_empty() {
                Some("Cannot delete entity, must delete policies first.")
            } else if !group.value.attached_policies.is_empty() {
                Some("Cannot delete entity, must detach all policies first.")
            } else {
                None
            };
            if let Some(message) = conflict {
                return Err(errors::delete_conflict_exception(message));
            }
            let row = entity_row(account, &group.value.name);
            let groups = &self.dir.tables.groups;
            let writes = groups.delete(&row, &group.value, Expect::Version(group.version));
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl AddUserToGroup for IamService {
    async fn add_user_to_group(
        &self,
        ctx: &RequestContext,
        input: AddUserToGroupRequest,
    ) -> Result<(), ServiceError> {
        let group_name = required(input.group_name, "groupName")?;
        let user_name = required(input.user_name, "userName")?;
        for _ in 0..ATTEMPTS {
            let read = self
                .membership(ctx, "iam:AddUserToGroup", &group_name, &user_name)
                .await?;
            let (mut group, mut user) = (read.0.value.clone(), read.1.value.clone());
            if is_member(&group, &user) {
                return Ok(());
            }
            if user.groups.len() >= GROUPS_PER_USER {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}"
                )));
            }
            group.members.push(user.name.clone());
            user.groups.push(group.name.clone());
            let writes = self.membership_writes(ctx, &read, &group, &user)?;
            if self.commit(ctx.account().as_str(), writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl RemoveUserFromGroup for IamService {
    async fn remove_user_from_group(
        &self,
        ctx: &RequestContext,
        input: RemoveUserFromGroupRequest,
    ) -> Result<(), ServiceError> {
        let group_name = required(input.group_name, "groupName")?;
        let user_name = required(input.user_name, "userName")?;
        for _ in 0..ATTEMPTS {
            let read = self
                .membership(ctx, "iam:RemoveUserFromGroup", &group_name, &user_name)
                .await?;
            let (mut group, mut user) = (read.0.value.clone(), read.1.value.clone());
            if !is_member(&group, &user) {
                return Err(errors::no_such_entity_exception(format!(
                    "User {user_name} not in group {group_name}"
                )));
            }
            let (user_key, group_key) = (&read.1.value.name, &read.0.value.name);
            group.members.retain(|m| !m.eq_ignore_ascii_case(user_key));
            user.groups.retain(|g| !g.eq_ignore_ascii_case(group_key));
            let writes = self.membership_writes(ctx, &read, &group, &user)?;
            if self.commit(ctx.account().as_str(), writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl ListGroupsForUser for IamService {
    async fn list_groups_for_user(
        &self,
        ctx: &RequestContext,
        input: ListGroupsForUserRequest,
    ) -> Result<ListGroupsForUserResponse, ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.user_name, "userName")?;
        let user = self
            .authorized_user(ctx, "iam:ListGroupsForUser", &name)
            .await?;
        let mut groups = Vec::with_capacity(user.value.groups.len());
        for group_name in &user.value.groups {
            if let Some(group) = self.find_group(account, group_name).await? {
                groups.push(group.value);
            }
        }
        groups.sort_by_key(|g| g.name.to_ascii_lowercase());
        let found = page(groups, input.marker.as_deref(), input.max_items, |g| {
            g.name.to_ascii_lowercase()
        })?;
        Ok(ListGroupsForUserResponse {
            groups: Some(found.items.iter().map(group_out).collect()),
            is_truncated: Some(found.is_truncated),
            marker: found.marker,
        })
    }
}

impl IamService {
    /// Authorizes `action` on the group and reads the group and the user.
    async fn membership(
        &self,
        ctx: &RequestContext,
        action: &str,
        group_name: &str,
        user_name: &str,
    ) -> Result<(Versioned<GroupRecord>, Versioned<UserRecord>), ServiceError> {
        let group = self.authorized_group(ctx, action, group_name).await?;
        let account = ctx.account().as_str();
        let user = self
            .find_user(account, user_name)
            .await?
            .ok_or_else(|| crate::ops::common::no_such("user", user_name))?;
        Ok((group, user))
    }

    /// The compare-and-swap writes of a changed membership (both records, over the
    /// versions `read`).
    fn membership_writes(
        &self,
        ctx: &RequestContext,
        read: &(Versioned<GroupRecord>, Versioned<UserRecord>),
        group: &GroupRecord,
        user: &UserRecord,
    ) -> Result<Vec<Write>, ServiceError> {
        let account = ctx.account().as_str();
        let tables = &self.dir.tables;
        let group_row = entity_row(account, &group.name);
        let user_row = entity_row(account, &user.name);
        let mut writes =
            replace(&tables.groups, &group_row, group, &read.0).map_err(store_failure)?;
        writes.extend(replace(&tables.users, &user_row, user, &read.1).map_err(store_failure)?);
        Ok(writes)
    }
}

/// Whether `user` is a member of `group` (by the user's list of groups).
fn is_member(group: &GroupRecord, user: &UserRecord) -> bool {
    user.groups
        .iter()
        .any(|g| g.eq_ignore_ascii_case(&group.name))
}
