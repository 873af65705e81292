//! Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases.

use super::{required, scope_of};
use crate::KmsService;
use crate::authz::Ask;
use crate::convert::{self, KEY_RESOURCE};
use crate::domain::KmsArns;
use crate::domain::{
    Accept, AliasRecord, KeyRecord, KmsError, ListKind, ListedAlias, Page, Scope, decode_marker,
    parse_key_ref, reject_alias_target, validate_alias_name, with_predefined,
};
use crate::generated::shapes::{
    CreateAliasRequest, DeleteAliasRequest, ListAliasesRequest, ListAliasesResponse,
    UpdateAliasRequest,
};
use crate::generated::{CreateAlias, DeleteAlias, ListAliases, UpdateAlias};
use crate::store::{alias_row, key_row, scope_prefix};
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, retry_conflicts};

/// Aliases read per store scan while filtering.
const SCAN_BATCH: usize = 200;

impl CreateAlias for KmsService {
    async fn create_alias(
        &self,
        ctx: &RequestContext,
        input: CreateAliasRequest,
    ) -> Result<(), KmsError> {
        let name = required(input.alias_name, "aliasName")?;
        let target = required(input.target_key_id, "targetKeyId")?;
        validate_alias_name(&name)?;
        reject_alias_target(&target)?;
        let scope = scope_of(ctx);
        let ask = Ask::new("kms:CreateAlias");
        self.authorize_identity(ctx, ask.action, &scope.alias_arn(&name), None)?;
        let key = self
            .stored_key(ctx, &target, Accept::KeyOnly, &ask)
            .await?
            .value;
        key.require_customer_managed(&ctx.principal.arn, "kms:CreateAlias")?;
        key.require_not_pending_deletion()?;
        let now = self.now_ms();
        let record = AliasRecord {
            schema: 1,
            alias_name: name.clone(),
            target_key_id: key.key_id,
            created_ms: now,
            updated_ms: now,
        };
        let writes =
            self.tables
                .aliases
                .put(&alias_row(&scope, &name), &record, Expect::Absent, None)?;
        let outcome = self.tables.store.transact(writes).await;
        self.vault.invalidate_alias(&scope, &name);
        match outcome {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => Err(KmsError::AlreadyExists(format!(
                "An alias with the name {} already exists",
                scope.alias_arn(&name)
            ))),
            Err(e) => Err(e.into()),
        }
    }
}

impl UpdateAlias for KmsService {
    async fn update_alias(
        &self,
        ctx: &RequestContext,
        input: UpdateAliasRequest,
    ) -> Result<(), KmsError> {
        let name = required(input.alias_name, "aliasName")?;
        let target = required(input.target_key_id, "targetKeyId")?;
        validate_alias_name(&name)?;
        reject_alias_target(&target)?;
        let scope = scope_of(ctx);
        let ask = Ask::new("kms:UpdateAlias");
        self.authorize_identity(ctx, ask.action, &scope.alias_arn(&name), None)?;
        let key = self
            .stored_key(ctx, &target, Accept::KeyOnly, &ask)
            .await?
            .value;
        key.require_customer_managed(&ctx.principal.arn, "kms:UpdateAlias")?;
        key.require_not_pending_deletion()?;
        // Last writer wins, as in AWS: a concurrent update is re-read and retried.
        retry_conflicts(KmsError::is_conflict, || {
            self.retarget_alias(ctx, &scope, &name, &key, &ask)
        })
        .await
    }
}

impl KmsService {
    /// One compare-and-swap attempt of UpdateAlias: `name` now points at `key`.
    async fn retarget_alias(
        &self,
        ctx: &RequestContext,
        scope: &Scope,
        name: &str,
        key: &KeyRecord,
        ask: &Ask<'_>,
    ) -> Result<(), KmsError> {
        let current = self.tables.require_alias(scope, name).await?;
        self.check_old_target(ctx, &current.value, key, ask).await?;
        let mut next = current.value.clone();
        next.target_key_id.clone_from(&key.key_id);
        next.updated_ms = self.now_ms();
        let writes = self.tables.aliases.put(
            &alias_row(scope, name),
            &next,
            Expect::Version(current.version),
            Some(&current.value),
        )?;
        let outcome = self.tables.store.transact(writes).await;
        self.vault.invalidate_alias(scope, name);
        Ok(outcome?)
    }

    /// UpdateAlias's current target (noted for the audit record): kms:UpdateAlias is needed on
    /// it too, and `key` must be of the same kind.
    async fn check_old_target(
        &self,
        ctx: &RequestContext,
        alias: &AliasRecord,
        key: &KeyRecord,
        ask: &Ask<'_>,
    ) -> Result<(), KmsError> {
        let scope = key.scope();
        ctx.note_resource(scope.key_arn(&alias.target_key_id), KEY_RESOURCE);
        let row = key_row(&scope, &alias.target_key_id);
        if let Some(old) = self.tables.keys.get(&row).await? {
            self.authorize_key(ctx, &old.value, ask, None).await?;
            check_same_kind(&old.value, key)?;
        }
        Ok(())
    }
}

impl DeleteAlias for KmsService {
    async fn delete_alias(
        &self,
        ctx: &RequestContext,
        input: DeleteAliasRequest,
    ) -> Result<(), KmsError> {
        let name = required(input.alias_name, "aliasName")?;
        validate_alias_name(&name)?;
        let scope = scope_of(ctx);
        let ask = Ask::new("kms:DeleteAlias");
        self.authorize_identity(ctx, ask.action, &scope.alias_arn(&name), None)?;
        retry_conflicts(KmsError::is_conflict, || {
            self.delete_alias_once(ctx, &scope, &name, &ask)
        })
        .await
    }
}

impl KmsService {
    /// One compare-and-swap attempt of DeleteAlias: the alias as read, with its index entry.
    async fn delete_alias_once(
        &self,
        ctx: &RequestContext,
        scope: &Scope,
        name: &str,
        ask: &Ask<'_>,
    ) -> Result<(), KmsError> {
        let current = self.tables.require_alias(scope, name).await?;
        ctx.note_resource(scope.key_arn(&current.value.target_key_id), KEY_RESOURCE);
        let target = key_row(scope, &current.value.target_key_id);
        if let Some(key) = self.tables.keys.get(&target).await? {
            self.authorize_key(ctx, &key.value, ask, None).await?;
        }
        let writes = self.tables.aliases.delete(
            &alias_row(scope, name),
            &current.value,
            Expect::Version(current.version),
        );
        let outcome = self.tables.store.transact(writes).await;
        self.vault.invalidate_alias(scope, name);
        Ok(outcome?)
    }
}

impl ListAliases for KmsService {
    async fn list_aliases(
        &self,
        ctx: &RequestContext,
        input: ListAliasesRequest,
    ) -> Result<ListAliasesResponse, KmsError> {
        self.authorize_identity(ctx, "kms:ListAliases", "*", None)?;
        let scope = scope_of(ctx);
        let size = ListKind::Aliases.page_size(input.limit.map(i64::from));
        let target = match &input.key_id {
            Some(text) => Some(self.own_key_id(ctx, text).await?),
            None => None,
        };
        let after = match &input.marker {
            Some(m) => Some(decode_marker(ListKind::Aliases, m)?),
            None => None,
        };
        let found = self
            .stored_aliases(&scope, after.as_deref(), target.as_deref(), size)
            .await?;
        // Predefined aliases have no target key, so a KeyId filter leaves them out.
        let mut listed = match target {
            Some(_) => found.into_iter().map(ListedAlias::Stored).collect(),
            None => with_predefined(found, after.as_deref()),
        };
        listed.truncate(size + 1);
        let page = Page::from_overfetch(ListKind::Aliases, listed, size, |a| a.name().to_owned());
        Ok(ListAliasesResponse {
            aliases: Some(
                page.items
                    .iter()
                    .map(|a| convert::listed_alias(&scope, a))
                    .collect(),
            ),
            truncated: Some(page.truncated()),
            next_marker: page.next_marker,
        })
    }
}

impl KmsService {
    /// Up to `size + 1` stored aliases of `scope` named after `after`, in name order, only
    /// those of key `target` when given.
    async fn stored_aliases(
        &self,
        scope: &Scope,
        after: Option<&str>,
        target: Option<&str>,
        size: usize,
    ) -> Result<Vec<AliasRecord>, KmsError> {
        let mut cursor = after.map(|name| alias_row(scope, name));
        let mut found: Vec<AliasRecord> = Vec::new();
        while found.len() <= size {
            let batch = self
                .tables
                .aliases
                .table()
                .scan(&scope_prefix(scope), cursor.as_deref(), SCAN_BATCH)
                .await?;
            let exhausted = batch.len() < SCAN_BATCH;
            cursor = batch.last().map(|(row, _)| row.clone());
            let matching = batch.into_iter().map(|(_, a)| a.value);
            found.extend(matching.filter(|a| target.is_none_or(|t| a.target_key_id == t)));
            if exhausted {
                break;
            }
        }
        found.truncate(size + 1);
        Ok(found)
    }
}

impl KmsService {
    /// ListAliases's `KeyId`: a key of the caller's account (noted for the audit record).
    async fn own_key_id(&self, ctx: &RequestContext, text: &str) -> Result<String, KmsError> {
        let scope = scope_of(ctx);
        let key_ref = parse_key_ref(&scope, text, Accept::KeyOnly)?;
        let key = self.tables.resolve(&scope, &key_ref).await?.value;
        ctx.note_resource(key.arn(), KEY_RESOURCE);
        Ok(key.key_id)
    }
}

/// UpdateAlias may move an alias only between keys of the same type (symmetric encryption,
/// asymmetric or HMAC) and the same key usage, as AWS documents.
fn check_same_kind(old: &KeyRecord, new: &KeyRecord) -> Result<(), KmsError> {
    let family = |k: &KeyRecord| {
        if k.key_spec == "SYMMETRIC_DEFAULT" {
            "symmetric"
        } else if k.key_spec.starts_with("HMAC_") {
            "HMAC"
        } else {
            "asymmetric"
        }
    };
    if family(old) == family(new) && old.key_usage == new.key_usage {
        return Ok(());
    }
    Err(KmsError::Validation(format!(
        "{} key usage ({}) and key spec ({}) are not compatible with the current target {} \
         (key usage {}, key spec {}): an alias can move only to a key of the same type \
         (both symmetric or both asymmetric or both HMAC) and the same key usage.",
        new.arn(),
        new.key_usage,
        new.key_spec,
        old.arn(),
        old.key_usage,
        old.key_spec
    )))
}
