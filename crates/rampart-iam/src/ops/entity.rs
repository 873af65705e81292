//! What the role, inline-policy and boundary operations share about users, groups and roles:
//! the [`Entity`] view of their records, reading one with its version, authorizing an action
//! on it (with its tags and permissions boundary as condition keys), read-modify-write with
//! retries, whole-account scans and the URL encoding IAM applies to returned documents.

use super::common::{ATTEMPTS, no_such, store_failure, too_busy};
use crate::IamService;
use crate::generated::errors;
use crate::records::{GroupRecord, InlinePolicies, RoleRecord, TagRecord, UserRecord};
use crate::tables::{IamTables, entity_row};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{Context, SizeLimit};
use rampart_store::{Expect, IndexedTable, Table, Versioned, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Write as _;

/// A user, group or role record, as the operations of this area see it.
pub(super) trait Entity:
    Clone + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The kind as AWS's messages and ARNs name it: `user`, `group`, `role`.
    const KIND: &'static str;
    /// The aggregate quota of the entity's inline policies.
    const INLINE_LIMIT: SizeLimit;
    /// The entity's table.
    fn table(tables: &IamTables) -> &IndexedTable<Self>;
    /// The name as stored.
    fn name(&self) -> &str;
    /// The entity's ARN.
    fn arn(&self) -> String;
    /// Tags (aws:ResourceTag/...); groups have none.
    fn tags(&self) -> &[TagRecord];
    /// The ARN of the permissions boundary; groups have none.
    fn boundary(&self) -> Option<&str>;
    /// Inline policies by name.
    fn inline(&self) -> &InlinePolicies;
    /// Inline policies by name, to change.
    fn inline_mut(&mut self) -> &mut InlinePolicies;
    /// Whether only AWS may change the entity's policies or delete it (service-linked roles).
    fn protected(&self) -> bool {
        false
    }
}

impl Entity for UserRecord {
    const KIND: &'static str = "user";
    const INLINE_LIMIT: SizeLimit = SizeLimit::UserInline;
    fn table(tables: &IamTables) -> &IndexedTable<Self> {
        &tables.users
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn arn(&self) -> String {
        UserRecord::arn(self)
    }
    fn tags(&self) -> &[TagRecord] {
        &self.tags
    }
    fn boundary(&self) -> Option<&str> {
        self.boundary_arn.as_deref()
    }
    fn inline(&self) -> &InlinePolicies {
        &self.inline_policies
    }
    fn inline_mut(&mut self) -> &mut InlinePolicies {
        &mut self.inline_policies
    }
}

impl Entity for GroupRecord {
    const KIND: &'static str = "group";
    const INLINE_LIMIT: SizeLimit = SizeLimit::GroupInline;
    fn table(tables: &IamTables) -> &IndexedTable<Self> {
        &tables.groups
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn arn(&self) -> String {
        GroupRecord::arn(self)
    }
    fn tags(&self) -> &[TagRecord] {
        &[]
    }
    fn boundary(&self) -> Option<&str> {
        None
    }
    fn inline(&self) -> &InlinePolicies {
        &self.inline_policies
    }
    fn inline_mut(&mut self) -> &mut InlinePolicies {
        &mut self.inline_policies
    }
}

impl Entity for RoleRecord {
    const KIND: &'static str = "role";
    fn protected(&self) -> bool {
        crate::service_linked::is_service_linked(&self.path)
    }
    const INLINE_LIMIT: SizeLimit = SizeLimit::RoleInline;
    fn table(tables: &IamTables) -> &IndexedTable<Self> {
        &tables.roles
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn arn(&self) -> String {
        RoleRecord::arn(self)
    }
    fn tags(&self) -> &[TagRecord] {
        &self.tags
    }
    fn boundary(&self) -> Option<&str> {
        self.boundary_arn.as_deref()
    }
    fn inline(&self) -> &InlinePolicies {
        &self.inline_policies
    }
    fn inline_mut(&mut self) -> &mut InlinePolicies {
        &mut self.inline_policies
    }
}

/// Users and roles: entities that can have a permissions boundary.
pub(super) trait Bounded: Entity {
    /// The boundary ARN, to change.
    fn boundary_mut(&mut self) -> &mut Option<String>;
}

impl Bounded for UserRecord {
    fn boundary_mut(&mut self) -> &mut Option<String> {
        &mut self.boundary_arn
    }
}

impl Bounded for RoleRecord {
    fn boundary_mut(&mut self) -> &mut Option<String> {
        &mut self.boundary_arn
    }
}

/// The action-specific condition keys an operation adds to the global ones (AWS sets each
/// only for the actions it documents it for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // `TagKeys` names the aws:TagKeys key it sets
pub(crate) enum Keys<'a> {
    /// None.
    Plain,
    /// iam:PermissionsBoundary: the entity's current boundary, if it has one.
    CurrentBoundary,
    /// iam:PermissionsBoundary: the boundary the request sets.
    GivenBoundary(&'a str),
    /// aws:RequestTag/... and aws:TagKeys of the tags the request adds.
    RequestTags(&'a [TagRecord]),
    /// aws:TagKeys of the tag keys the request removes.
    TagKeys(&'a [String]),
}

/// `arn:aws:iam::<account>:<kind><path><name>`.
pub(super) fn entity_arn(account: &str, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:{kind}{path}{name}")
}

impl IamService {
    /// The entity `name` of the caller's account, with its version.
    pub(super) async fn find<E: Entity>(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Option<Versioned<E>>, ServiceError> {
        let row = entity_row(ctx.account().as_str(), name);
        E::table(&self.dir.tables)
            .get(&row)
            .await
            .map_err(store_failure)
    }

    /// Reads the entity `name` and authorizes `action` on it (on the ARN it would have at
    /// path `/` when it does not exist, so a caller without the permission learns nothing);
    /// `NoSuchEntity` when it does not exist.
    pub(super) async fn existing<E: Entity>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        keys: Keys<'_>,
    ) -> Result<Versioned<E>, ServiceError> {
        let found = self.find::<E>(ctx, name).await?;
        let mut context = ctx.policy_context();
        let arn = match &found {
            Some(f) => {
                context = entity_context(context, &f.value, keys);
                f.value.arn()
            }
            None => {
                context = with_keys(context, None, keys);
                entity_arn(ctx.account().as_str(), E::KIND, "/", name)
            }
        };
        self.authorize_with(ctx, action, &arn, &context)?;
        found.ok_or_else(|| no_such(E::KIND, name))
    }

    /// Read-modify-write of the entity `name`: `edit` changes a copy of the record (and may
    /// refuse); the copy is written if the record did not change meanwhile, else the whole
    /// step is retried. Answers the record as written.
    pub(super) async fn modify<E, F>(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
        keys: Keys<'_>,
        mut edit: F,
    ) -> Result<E, ServiceError>
    where
        E: Entity,
        F: FnMut(&mut E) -> Result<(), ServiceError>,
    {
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let found = self.existing::<E>(ctx, action, name, keys).await?;
            let mut record = found.value.clone();
            edit(&mut record)?;
            if record_eq(&record, &found.value) {
                return Ok(record);
            }
            let writes = self.entity_writes(account, &record, &found)?;
            if self.commit(account, writes).await? {
                return Ok(record);
            }
        }
        Err(too_busy())
    }

    /// A CAS write of `record` over the record `read` (same row), with the index entry
    /// writes its change of attached policies or boundary needs.
    pub(super) fn entity_writes<E: Entity>(
        &self,
        account: &str,
        record: &E,
        read: &Versioned<E>,
    ) -> Result<Vec<Write>, ServiceError> {
        E::table(&self.dir.tables)
            .put(
                &entity_row(account, record.name()),
                record,
                Expect::Version(read.version),
                Some(&read.value),
            )
            .map_err(store_failure)
    }
}

/// `UnmodifiableEntity` for a protected entity (a service-linked role), as IAM refuses
/// changes to its policies, its trust policy and its deletion other than through AWS.
pub(super) fn refuse_protected<E: Entity>(entity: &E) -> Result<(), ServiceError> {
    if entity.protected() {
        return Err(errors::unmodifiable_entity_exception(format!(
            "Cannot perform the operation on the protected {} '{}' - this {} is only modifiable \
             by AWS",
            E::KIND,
            entity.name(),
            E::KIND
        )));
    }
    Ok(())
}

/// Compares two records by their stored form (records need not implement `PartialEq`).
fn record_eq<E: Serialize>(a: &E, b: &E) -> bool {
    match (serde_json::to_value(a), serde_json::to_value(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `context` with the entity's tags as aws:ResourceTag/... and the action's `keys`.
pub(super) fn entity_context<E: Entity>(context: Context, entity: &E, keys: Keys<'_>) -> Context {
    let tags = entity.tags().iter();
    let context = context.with_resource_tags(tags.map(|t| (t.key.as_str(), t.value.as_str())));
    with_keys(context, entity.boundary(), keys)
}

/// `context` with the action's `keys` (`current` is the entity's boundary).
pub(super) fn with_keys(mut context: Context, current: Option<&str>, keys: Keys<'_>) -> Context {
    match keys {
        Keys::Plain => {}
        Keys::CurrentBoundary => {
            if let Some(arn) = current {
                context.set("iam:PermissionsBoundary", arn);
            }
        }
        Keys::GivenBoundary(arn) => context.set("iam:PermissionsBoundary", arn),
        Keys::RequestTags(tags) => {
            let pairs = tags.iter().map(|t| (t.key.as_str(), t.value.as_str()));
            context = context.with_request_tags(pairs);
        }
        Keys::TagKeys(keys) => context.set_values("aws:TagKeys", keys.iter().cloned()),
    }
    context
}

/// Every row of `table` under `prefix`, in key order.
pub(super) async fn scan_all<T>(
    table: &Table<T>,
    prefix: &str,
) -> Result<Vec<(String, T)>, ServiceError>
where
    T: Serialize + DeserializeOwned,
{
    const BATCH: usize = 1000;
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let batch = table
            .scan(prefix, after.as_deref(), BATCH)
            .await
            .map_err(store_failure)?;
        let done = batch.len() < BATCH;
        after = batch.last().map(|(key, _)| key.clone());
        out.extend(batch.into_iter().map(|(key, v)| (key, v.value)));
        if done {
            return Ok(out);
        }
    }
}

/// A policy document as IAM returns it: percent-encoded per RFC 3986 (every byte but
/// `A-Z a-z 0-9 - _ . ~`), which botocore decodes back (`unquote` + `json.loads`).
pub(super) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_percent_encoded_like_aws() {
        assert_eq!(
            url_encode(r#"{"Version": "2012-10-17", "a~b": "é+/"}"#),
            "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22a~b%22%3A%20%22%C3%A9%2B%2F%22%7D"
        );
    }
}
