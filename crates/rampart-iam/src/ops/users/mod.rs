//! IAM users: create, read, list, rename or move, delete, and user tags. Groups and
//! membership are in `groups`, access keys in `access_keys`.

mod access_keys;
mod groups;
mod rename;
mod support;

use crate::IamService;
use crate::generated::shapes::*;
use crate::generated::{
    CreateUser, DeleteUser, GetUser, ListUserTags, ListUsers, TagUser, UntagUser, UpdateUser,
};
use crate::ops::common::{
    ATTEMPTS, already_exists, page, required, store_failure, tags_in, tags_out, timestamp, too_busy,
};
use crate::ops::entity::with_keys;
use crate::records::{TagRecord, UserRecord};
use crate::tables::{account_prefix, entity_row};
use crate::{generated::errors, ids};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_store::Expect;
use support::{Holder, Keys, holder, root_arn, scan_all, user_arn, user_out};

/// Version of the user record layout.
const USER_SCHEMA: u32 = 1;

impl CreateUser for IamService {
    async fn create_user(
        &self,
        ctx: &RequestContext,
        input: CreateUserRequest,
    ) -> Result<CreateUserResponse, ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.user_name, "userName")?;
        let path = input.path.unwrap_or_else(|| "/".to_owned());
        let arn = user_arn(account, &path, &name);
        let tags = tags_in(input.tags, &[])?;
        let boundary = input.permissions_boundary;
        let context = create_context(ctx, &tags, boundary.as_deref());
        self.authorize_with(ctx, "iam:CreateUser", &arn, &context)?;
        if !tags.is_empty() {
            self.authorize_with(ctx, "iam:TagUser", &arn, &context)?;
        }
        let record = UserRecord {
            schema: USER_SCHEMA,
            account: account.to_owned(),
            name,
            path,
            user_id: ids::unique_id("AIDA"),
            created_ms: self.now_ms(),
            tags,
            boundary_arn: boundary,
            inline_policies: Default::default(),
            attached_policies: Vec::new(),
            groups: Vec::new(),
            access_keys: Vec::new(),
        };
        self.insert_user(ctx, &record).await?;
        Ok(CreateUserResponse {
            user: Some(user_out(&record, true)),
        })
    }
}

impl IamService {
    /// Writes the new user `user` (and its boundary's usage count), unless a user with its
    /// name exists.
    async fn insert_user(
        &self,
        ctx: &RequestContext,
        user: &UserRecord,
    ) -> Result<(), ServiceError> {
        let row = entity_row(&user.account, &user.name);
        for _ in 0..ATTEMPTS {
            if self.find_user(&user.account, &user.name).await?.is_some() {
                return Err(already_exists("User", &user.name));
            }
            let boundary = user.boundary_arn.as_deref();
            let mut writes = self.boundary_writes(ctx, None, boundary).await?;
            let put = self.dir.tables.users.put(&row, user, Expect::Absent, None);
            writes.extend(put.map_err(store_failure)?);
            if self.commit(&user.account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl GetUser for IamService {
    async fn get_user(
        &self,
        ctx: &RequestContext,
        input: GetUserRequest,
    ) -> Result<GetUserResponse, ServiceError> {
        let user = match holder(ctx, input.user_name)? {
            Holder::Root => self.root_user(ctx).await?,
            Holder::User(name) => {
                let found = self.authorized_user(ctx, "iam:GetUser", &name).await?;
                user_out(&found.value, true)
            }
        };
        Ok(GetUserResponse { user: Some(user) })
    }
}

impl IamService {
    /// The account root as GetUser shows it to the root: its ARN, the account id as UserId,
    /// the account's creation date, no UserName or Path.
    async fn root_user(&self, ctx: &RequestContext) -> Result<User, ServiceError> {
        let account = ctx.account().as_str();
        let arn = root_arn(account);
        self.authorize(ctx, "iam:GetUser", &arn)?;
        let tables = &self.dir.tables;
        let created = match tables.accounts.get(account).await.map_err(store_failure)? {
            Some(record) => Some(record.value.created_ms),
            None => {
                let key = &ctx.principal.access_key_id;
                let found = tables.access_keys.get(key).await.map_err(store_failure)?;
                found.map(|k| k.value.created_ms).filter(|ms| *ms > 0)
            }
        };
        Ok(User {
            arn: Some(arn),
            create_date: Some(timestamp(created.unwrap_or_else(|| self.now_ms()))),
            user_id: Some(account.to_owned()),
            ..User::default()
        })
    }
}

impl ListUsers for IamService {
    async fn list_users(
        &self,
        ctx: &RequestContext,
        input: ListUsersRequest,
    ) -> Result<ListUsersResponse, ServiceError> {
        let account = ctx.account().as_str();
        let prefix = input.path_prefix.unwrap_or_else(|| "/".to_owned());
        self.authorize(ctx, "iam:ListUsers", &user_arn(account, &prefix, ""))?;
        let rows = scan_all(self.dir.tables.users.table(), &account_prefix(account)).await?;
        let matching: Vec<(String, UserRecord)> = rows
            .into_iter()
            .filter(|(_, u)| u.path.starts_with(&prefix))
            .collect();
        let found = page(
            matching,
            input.marker.as_deref(),
            input.max_items,
            |(key, _)| key.clone(),
        )?;
        Ok(ListUsersResponse {
            users: Some(
                found
                    .items
                    .iter()
                    .map(|(_, u)| user_out(u, false))
                    .collect(),
            ),
            is_truncated: Some(found.is_truncated),
            marker: found.marker,
        })
    }
}

impl UpdateUser for IamService {
    async fn update_user(
        &self,
        ctx: &RequestContext,
        input: UpdateUserRequest,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.user_name, "userName")?;
        let current = self.authorized_user(ctx, "iam:UpdateUser", &name).await?;
        let new_name = input
            .new_user_name
            .unwrap_or_else(|| current.value.name.clone());
        let new_path = input.new_path.unwrap_or_else(|| current.value.path.clone());
        let new_arn = user_arn(account, &new_path, &new_name);
        if new_arn != current.value.arn() {
            self.authorize(ctx, "iam:UpdateUser", &new_arn)?;
        }
        self.move_user(account, &name, &new_name, &new_path).await
    }
}

impl DeleteUser for IamService {
    async fn delete_user(
        &self,
        ctx: &RequestContext,
        input: DeleteUserRequest,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        let name = required(input.user_name, "userName")?;
        for _ in 0..ATTEMPTS {
            let user = self.authorized_user(ctx, "iam:DeleteUser", &name).await?;
            deletable(&user.value)?;
            // Boxed: the checks read several tables, a large future to keep off the stack.
            Box::pin(self.credential_conflicts(&user.value)).await?;
            let row = entity_row(account, &user.value.name);
            let boundary = user.value.boundary_arn.as_deref();
            let mut writes = self.boundary_writes(ctx, boundary, None).await?;
            let users = &self.dir.tables.users;
            writes.extend(users.delete(&row, &user.value, Expect::Version(user.version)));
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl TagUser for IamService {
    async fn tag_user(
        &self,
        ctx: &RequestContext,
        input: TagUserRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let given = required(input.tags, "tags")?;
        // Checked alone first: duplicate keys in the request are InvalidInput.
        let added = tags_in(Some(given.clone()), &[])?;
        let keys = Keys::RequestTags(&added);
        self.modify::<UserRecord, _>(ctx, "iam:TagUser", &name, keys, |user| {
            user.tags = tags_in(Some(given.clone()), &user.tags)?;
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl UntagUser for IamService {
    async fn untag_user(
        &self,
        ctx: &RequestContext,
        input: UntagUserRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name, "userName")?;
        let removed = required(input.tag_keys, "tagKeys")?;
        let keys = Keys::TagKeys(&removed);
        self.modify::<UserRecord, _>(ctx, "iam:UntagUser", &name, keys, |user| {
            user.tags
                .retain(|t| !removed.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl ListUserTags for IamService {
    async fn list_user_tags(
        &self,
        ctx: &RequestContext,
        input: ListUserTagsRequest,
    ) -> Result<ListUserTagsResponse, ServiceError> {
        let name = required(input.user_name, "userName")?;
        let user = self.authorized_user(ctx, "iam:ListUserTags", &name).await?;
        let tags = tags_out(&user.value.tags).unwrap_or_default();
        let found = support::page_in_order(tags, input.marker.as_deref(), input.max_items)?;
        Ok(ListUserTagsResponse {
            tags: Some(found.items),
            is_truncated: Some(found.is_truncated),
            marker: found.marker,
        })
    }
}

/// The condition keys of CreateUser: request tags and the boundary being set.
fn create_context(ctx: &RequestContext, tags: &[TagRecord], boundary: Option<&str>) -> Context {
    let mut context = ctx.policy_context();
    if !tags.is_empty() {
        context = with_keys(context, None, Keys::RequestTags(tags));
    }
    if let Some(arn) = boundary {
        context = with_keys(context, None, Keys::GivenBoundary(arn));
    }
    context
}

/// `DeleteConflict` while the user still has access keys, group memberships or policies.
fn deletable(user: &UserRecord) -> Result<(), ServiceError> {
    let conflict = if !user.access_keys.is_empty() {
        "Cannot delete entity, must delete access keys first."
    } else if !user.groups.is_empty() {
        "Cannot delete entity, must remove users from group first."
    } else if !user.inline_policies.is_empty() {
        "Cannot delete entity, must delete policies first."
    } else if !user.attached_policies.is_empty() {
        "Cannot delete entity, must detach all policies first."
    } else {
        return Ok(());
    };
    Err(errors::delete_conflict_exception(conflict))
}
