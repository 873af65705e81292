//! Tags of IAM roles: TagRole, UntagRole, ListRoleTags. Keys compare case-insensitively, as
//! IAM's do; a role holds at most 50 tags.

use super::common::{page, required, tags_in};
use super::entity::Keys;
use crate::IamService;
use crate::generated::shapes::*;
use crate::generated::{ListRoleTags, TagRole, UntagRole};
use crate::records::{RoleRecord, TagRecord};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;

impl TagRole for IamService {
    async fn tag_role(
        &self,
        ctx: &RequestContext,
        input: TagRoleRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let given = required(input.tags, "tags")?;
        // Checked alone first: duplicate keys in the request are InvalidInput.
        let added: Vec<TagRecord> = tags_in(Some(given.clone()), &[])?;
        let keys = Keys::RequestTags(&added);
        self.modify::<RoleRecord, _>(ctx, "iam:TagRole", &name, keys, |role| {
            role.tags = tags_in(Some(given.clone()), &role.tags)?;
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl UntagRole for IamService {
    async fn untag_role(
        &self,
        ctx: &RequestContext,
        input: UntagRoleRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let removed = required(input.tag_keys, "tagKeys")?;
        let keys = Keys::TagKeys(&removed);
        self.modify::<RoleRecord, _>(ctx, "iam:UntagRole", &name, keys, |role| {
            role.tags
                .retain(|t| !removed.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
        .await
        .map(drop)
    }
}

impl ListRoleTags for IamService {
    async fn list_role_tags(
        &self,
        ctx: &RequestContext,
        input: ListRoleTagsRequest,
    ) -> Result<ListRoleTagsResponse, ServiceError> {
        let name = required(input.role_name, "roleName")?;
        let role = self
            .existing::<RoleRecord>(ctx, "iam:ListRoleTags", &name, Keys::Plain)
            .await?
            .value;
        // Tags keep the order they were given in; the Marker is the position.
        let indexed: Vec<(String, Tag)> = role
            .tags
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let tag = Tag {
                    key: Some(t.key),
                    value: Some(t.value),
                };
                (format!("{i:04}"), tag)
            })
            .collect();
        let marker = input.marker.as_deref();
        let out = page(indexed, marker, input.max_items, |(i, _)| i.clone())?;
        Ok(ListRoleTagsResponse {
            tags: Some(out.items.into_iter().map(|(_, t)| t).collect()),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}
