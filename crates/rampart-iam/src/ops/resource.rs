//! What instance profiles, OIDC providers and SAML providers share: reading one with
//! `iam:<Action>` authorized on its ARN (its tags as `aws:ResourceTag/...`), compare-and-swap
//! read-modify-write with retries, whole-account scans, and the bodies of their
//! Tag/Untag/List…Tags operations.

use super::common::{ATTEMPTS, page, store_failure, tags_in, too_busy};
use super::entity::{Keys, scan_all, with_keys};
use crate::IamService;
use crate::generated::shapes::Tag;
use crate::records::TagRecord;
use crate::resources::{
    InstanceProfileRecord, OidcProviderRecord, ResourceTables, SamlProviderRecord,
};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Table, Versioned};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A taggable resource record of this area.
pub(super) trait Resource:
    Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The resource's tags, in the order given.
    fn tags(&self) -> &[TagRecord];
    /// The tags, to change.
    fn tags_mut(&mut self) -> &mut Vec<TagRecord>;
}

macro_rules! tagged {
    ($record:ty) => {
        impl Resource for $record {
            fn tags(&self) -> &[TagRecord] {
                &self.tags
            }
            fn tags_mut(&mut self) -> &mut Vec<TagRecord> {
                &mut self.tags
            }
        }
    };
}

tagged!(InstanceProfileRecord);
tagged!(OidcProviderRecord);
tagged!(SamlProviderRecord);

/// Where one resource lives: its table and row, the ARN actions are authorized on, and the
/// error answered when it does not exist.
pub(super) struct Located<R> {
    pub table: Table<R>,
    pub row: String,
    pub arn: String,
    pub missing: ServiceError,
}

impl IamService {
    /// The resource tables.
    pub(super) fn resources(&self) -> ResourceTables {
        ResourceTables::new(&self.dir.tables.store)
    }

    /// Reads the resource at `at` and authorizes `action` on its ARN (with its tags and the
    /// action's `keys`); `at.missing` when it does not exist.
    pub(super) async fn read_resource<R: Resource>(
        &self,
        ctx: &RequestContext,
        action: &str,
        at: &Located<R>,
        keys: Keys<'_>,
    ) -> Result<Versioned<R>, ServiceError> {
        let found = at.table.get(&at.row).await.map_err(store_failure)?;
        let mut context = ctx.policy_context();
        if let Some(f) = &found {
            let tags = f.value.tags().iter();
            context = context.with_resource_tags(tags.map(|t| (t.key.as_str(), t.value.as_str())));
        }
        let context = with_keys(context, None, keys);
        self.authorize_with(ctx, action, &at.arn, &context)?;
        found.ok_or_else(|| at.missing.clone())
    }

    /// Read-modify-write of the resource at `at`: `edit` changes a copy (and may refuse);
    /// the copy is written if the row did not change meanwhile, else the step is retried.
    /// Answers the record as written.
    pub(super) async fn modify_resource<R, F>(
        &self,
        ctx: &RequestContext,
        action: &str,
        at: &Located<R>,
        keys: Keys<'_>,
        mut edit: F,
    ) -> Result<R, ServiceError>
    where
        R: Resource,
        F: FnMut(&mut R) -> Result<(), ServiceError>,
    {
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let found = self.read_resource(ctx, action, at, keys).await?;
            let mut record = found.value.clone();
            edit(&mut record)?;
            if record == found.value {
                return Ok(record);
            }
            let write = at
                .table
                .put(&at.row, &record, Expect::Version(found.version))
                .map_err(store_failure)?;
            if self.commit(account, vec![write]).await? {
                return Ok(record);
            }
        }
        Err(too_busy())
    }

    /// Tag…: adds or replaces `given` tags (at most 50 in all; keys case-insensitive).
    pub(super) async fn tag_resource<R: Resource>(
        &self,
        ctx: &RequestContext,
        action: &str,
        at: &Located<R>,
        given: Vec<Tag>,
    ) -> Result<(), ServiceError> {
        // Checked alone first: duplicate keys in the request are InvalidInput.
        let added = tags_in(Some(given.clone()), &[])?;
        let keys = Keys::RequestTags(&added);
        self.modify_resource(ctx, action, at, keys, |record: &mut R| {
            *record.tags_mut() = tags_in(Some(given.clone()), record.tags())?;
            Ok(())
        })
        .await
        .map(drop)
    }

    /// Untag…: removes the tags with the `removed` keys (case-insensitive).
    pub(super) async fn untag_resource<R: Resource>(
        &self,
        ctx: &RequestContext,
        action: &str,
        at: &Located<R>,
        removed: Vec<String>,
    ) -> Result<(), ServiceError> {
        let keys = Keys::TagKeys(&removed);
        self.modify_resource(ctx, action, at, keys, |record: &mut R| {
            let tags = record.tags_mut();
            tags.retain(|t| !removed.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
            Ok(())
        })
        .await
        .map(drop)
    }

    /// List…Tags: one page of the tags in the order given (the Marker is the position).
    pub(super) async fn list_resource_tags<R: Resource>(
        &self,
        ctx: &RequestContext,
        action: &str,
        at: &Located<R>,
        marker: Option<&str>,
        max_items: Option<i32>,
    ) -> Result<TagPage, ServiceError> {
        let record = self
            .read_resource(ctx, action, at, Keys::Plain)
            .await?
            .value;
        let indexed: Vec<(String, Tag)> = record
            .tags()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let tag = Tag {
                    key: Some(t.key.clone()),
                    value: Some(t.value.clone()),
                };
                (format!("{i:04}"), tag)
            })
            .collect();
        let out = page(indexed, marker, max_items, |(i, _)| i.clone())?;
        Ok(TagPage {
            tags: out.items.into_iter().map(|(_, t)| t).collect(),
            is_truncated: out.is_truncated,
            marker: out.marker,
        })
    }
}

/// One page of a resource's tags.
pub(super) struct TagPage {
    pub tags: Vec<Tag>,
    pub is_truncated: bool,
    pub marker: Option<String>,
}

/// Every record of `account` in `table`, in row order.
pub(super) async fn account_rows<R: Resource>(
    table: &Table<R>,
    account: &str,
) -> Result<Vec<R>, ServiceError> {
    let rows = scan_all(table, &format!("{account}/")).await?;
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}
