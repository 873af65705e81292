//! Helpers shared by the user, group and access-key operations: ARNs of entities that may not
//! exist yet, the wire shapes of users and groups, Marker paging of lists kept in their own
//! order, whose keys a call without `UserName` means, and reading users and groups.

pub(super) use crate::ops::entity::{Keys, scan_all};

use crate::IamService;
use crate::directory::last_segment;
use crate::generated::enums::PermissionsBoundaryAttachmentType;
use crate::generated::shapes::{AttachedPermissionsBoundary, Group, User};
use crate::ops::common::{Page, page, store_failure, tags_out, timestamp};
use crate::records::{GroupRecord, UserRecord};
use crate::tables::entity_row;
use rampart_codec::ServiceError;
use rampart_core::{PrincipalKind, RequestContext};
use rampart_store::Versioned;

/// `arn:aws:iam::<account>:user<path><name>`.
pub(super) fn user_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

/// `arn:aws:iam::<account>:group<path><name>`.
pub(super) fn group_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:group{path}{name}")
}

/// `arn:aws:iam::<account>:root`.
pub(super) fn root_arn(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

/// Pages a list kept in its own order (not sorted by any key): the Marker is the position.
pub(super) fn page_in_order<T>(
    items: Vec<T>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<T>, ServiceError> {
    let numbered: Vec<(String, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (format!("{i:06}"), item))
        .collect();
    let found = page(numbered, marker, max_items, |(key, _)| key.clone())?;
    Ok(Page {
        items: found.items.into_iter().map(|(_, item)| item).collect(),
        is_truncated: found.is_truncated,
        marker: found.marker,
    })
}

/// A user as the wire shows it; `detail` adds what only GetUser and CreateUser return (tags
/// and permissions boundary).
pub(super) fn user_out(user: &UserRecord, detail: bool) -> User {
    let boundary = user
        .boundary_arn
        .as_ref()
        .map(|arn| AttachedPermissionsBoundary {
            permissions_boundary_arn: Some(arn.clone()),
            permissions_boundary_type: Some(
                PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy,
            ),
        });
    User {
        arn: Some(user.arn()),
        create_date: Some(timestamp(user.created_ms)),
        password_last_used: None,
        path: Some(user.path.clone()),
        permissions_boundary: boundary.filter(|_| detail),
        tags: if detail { tags_out(&user.tags) } else { None },
        user_id: Some(user.user_id.clone()),
        user_name: Some(user.name.clone()),
    }
}

/// A group as the wire shows it.
pub(super) fn group_out(group: &GroupRecord) -> Group {
    Group {
        arn: Some(group.arn()),
        create_date: Some(timestamp(group.created_ms)),
        group_id: Some(group.group_id.clone()),
        group_name: Some(group.name.clone()),
        path: Some(group.path.clone()),
    }
}

/// Whose long-term credentials an operation is about.
pub(super) enum Holder {
    /// The account root (no `UserName`, signed by the root).
    Root,
    /// The IAM user of that name (given, or the IAM user who signed).
    User(String),
}

/// The holder named by `user_name`, or the caller itself when it is absent; a role session
/// must name a user, as in AWS.
pub(super) fn holder(
    ctx: &RequestContext,
    user_name: Option<String>,
) -> Result<Holder, ServiceError> {
    if let Some(name) = user_name {
        return Ok(Holder::User(name));
    }
    match ctx.principal.kind {
        PrincipalKind::Root | PrincipalKind::DevAnonymous => Ok(Holder::Root),
        PrincipalKind::IamUser => Ok(Holder::User(last_segment(&ctx.principal.arn).to_owned())),
        PrincipalKind::AssumedRole | PrincipalKind::FederatedUser | PrincipalKind::Anonymous => {
            Err(ServiceError::new(
                "ValidationError",
                400,
                "Must specify userName when calling with non-User credentials",
            ))
        }
    }
}

impl IamService {
    /// The user `name` of `account` with its row version, if it exists.
    pub(super) async fn find_user(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<Versioned<UserRecord>>, ServiceError> {
        let row = entity_row(account, name);
        self.dir.tables.users.get(&row).await.map_err(store_failure)
    }

    /// The group `name` of `account` with its row version, if it exists.
    pub(super) async fn find_group(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<Versioned<GroupRecord>>, ServiceError> {
        let row = entity_row(account, name);
        self.dir
            .tables
            .groups
            .get(&row)
            .await
            .map_err(store_failure)
    }

    /// Authorizes `action` on the user `name` of the caller's account (on its ARN when it
    /// exists, else on `user/<name>`) and reads it; `NoSuchEntity` when it does not exist.
    pub(super) async fn authorized_user(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
    ) -> Result<Versioned<UserRecord>, ServiceError> {
        self.existing::<UserRecord>(ctx, action, name, Keys::Plain)
            .await
    }

    /// Authorizes `action` on the group `name` of the caller's account and reads it;
    /// `NoSuchEntity` when it does not exist.
    pub(super) async fn authorized_group(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
    ) -> Result<Versioned<GroupRecord>, ServiceError> {
        self.existing::<GroupRecord>(ctx, action, name, Keys::Plain)
            .await
    }
}
