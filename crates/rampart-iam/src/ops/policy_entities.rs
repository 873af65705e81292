//! ListEntitiesForPolicy: the groups, users and roles of the caller's account that a
//! managed policy is attached to (PermissionsPolicy) or that use it as permissions boundary
//! (PermissionsBoundary), filtered by entity type and path. The candidates come from the
//! entity tables' index by policy (see `usage.rs`), not from a scan of the account.

use super::common::{page, required};
use super::entity::Keys;
use super::managed::not_attachable;
use super::usage::Kinds;
use crate::IamService;
use crate::generated::ListEntitiesForPolicy;
use crate::generated::enums::{EntityType, PolicyUsageType};
use crate::generated::shapes::*;
use crate::records::{GroupRecord, RoleRecord, UserRecord};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

/// One entity using the policy, in the response's order: groups, roles, users, by name.
enum Using {
    Group(PolicyGroup),
    Role(PolicyRole),
    User(PolicyUser),
}

/// ListEntitiesForPolicy's filters.
struct Filter {
    arn: String,
    path_prefix: String,
    kind: Option<EntityType>,
    usage: Option<PolicyUsageType>,
}

impl Filter {
    fn wants(&self, kind: &EntityType) -> bool {
        self.kind.as_ref().is_none_or(|k| k == kind)
    }

    /// Whether an entity at `path` with these attachments and boundary uses the policy.
    fn uses(&self, path: &str, attached: &[String], boundary: Option<&String>) -> bool {
        let as_policy = attached.contains(&self.arn);
        let as_boundary = boundary == Some(&self.arn);
        let used = match self.usage {
            Some(PolicyUsageType::PermissionsPolicy) => as_policy,
            Some(PolicyUsageType::PermissionsBoundary) => as_boundary,
            _ => as_policy || as_boundary,
        };
        used && path.starts_with(&self.path_prefix)
    }
}

impl ListEntitiesForPolicy for IamService {
    async fn list_entities_for_policy(
        &self,
        ctx: &RequestContext,
        input: ListEntitiesForPolicyRequest,
    ) -> Result<ListEntitiesForPolicyResponse, ServiceError> {
        let arn = required(input.policy_arn, "policyArn")?;
        let account = ctx.account().as_str();
        let policy = self
            .authorized_policy(ctx, "iam:ListEntitiesForPolicy", &arn, Keys::Plain)
            .await?
            .ok_or_else(|| not_attachable(&arn))?;
        let filter = Filter {
            arn: policy.arn(),
            path_prefix: input.path_prefix.unwrap_or_else(|| String::from("/")),
            kind: input.entity_filter,
            usage: input.policy_usage_filter,
        };
        let using = self.entities_using(account, &filter).await?;
        let page = page(using, input.marker.as_deref(), input.max_items, using_key)?;
        let mut out = ListEntitiesForPolicyResponse {
            policy_groups: Some(Vec::new()),
            policy_users: Some(Vec::new()),
            policy_roles: Some(Vec::new()),
            is_truncated: Some(page.is_truncated),
            marker: page.marker,
        };
        for entity in page.items {
            match entity {
                Using::Group(g) => out.policy_groups.get_or_insert_default().push(g),
                Using::Role(r) => out.policy_roles.get_or_insert_default().push(r),
                Using::User(u) => out.policy_users.get_or_insert_default().push(u),
            }
        }
        Ok(out)
    }
}

impl IamService {
    /// The entities of `account` that `filter` keeps, in [`using_key`] order: read from the
    /// index by policy, then filtered by usage and path.
    async fn entities_using(
        &self,
        account: &str,
        filter: &Filter,
    ) -> Result<Vec<Using>, ServiceError> {
        let kinds = Kinds {
            users: filter.wants(&EntityType::User),
            groups: filter.wants(&EntityType::Group),
            roles: filter.wants(&EntityType::Role),
        };
        let found = self.policy_users(account, &filter.arn, kinds).await?;
        let groups = (found.groups.into_iter())
            .filter(|g| filter.uses(&g.path, &g.attached_policies, None))
            .map(group_use);
        let roles = (found.roles.into_iter())
            .filter(|r| filter.uses(&r.path, &r.attached_policies, r.boundary_arn.as_ref()))
            .map(role_use);
        let users = (found.users.into_iter())
            .filter(|u| filter.uses(&u.path, &u.attached_policies, u.boundary_arn.as_ref()))
            .map(user_use);
        Ok(groups.chain(roles).chain(users).collect())
    }
}

fn group_use(g: GroupRecord) -> Using {
    Using::Group(PolicyGroup {
        group_name: Some(g.name),
        group_id: Some(g.group_id),
    })
}

fn role_use(r: RoleRecord) -> Using {
    Using::Role(PolicyRole {
        role_name: Some(r.name),
        role_id: Some(r.role_id),
    })
}

fn user_use(u: UserRecord) -> Using {
    Using::User(PolicyUser {
        user_name: Some(u.name),
        user_id: Some(u.user_id),
    })
}

/// Order and Marker of one entity: its type, then its lower-case name (the row order).
fn using_key(entity: &Using) -> String {
    let (kind, name) = match entity {
        Using::Group(g) => ("g", g.group_name.as_deref()),
        Using::Role(r) => ("r", r.role_name.as_deref()),
        Using::User(u) => ("u", u.user_name.as_deref()),
    };
    format!("{kind}/{}", name.unwrap_or_default().to_ascii_lowercase())
}
