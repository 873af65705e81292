//! Operation bodies, one module per area, plus the helpers they share: scope, key resolution
//! (noting every key touched for the audit record) and compare-and-swap key updates.

mod aliases;
mod asymmetric;
mod cipher;
pub(crate) mod grant_cache;
pub(crate) mod grant_store;
mod grants;
mod import;
mod imported_rotation;
mod key_pair;
mod keys;
mod mac;
mod managed;
mod multi_region;
mod rotation;
mod tagging;

pub(crate) use import::expiry as expiry_schedule;
pub(crate) use rotation::schedule as rotation_schedule;

use crate::KmsService;
use crate::authz::Ask;
use crate::convert::KEY_RESOURCE;
use crate::domain::{Accept, KeyRecord, KeyRef, KmsError, Scope, parse_key_ref};
use crate::store::{KmsTables, key_row};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write, retry_conflicts};

/// Attempts of a compare-and-swap update before giving up.
const CAS_ATTEMPTS: usize = 5;

/// The caller's account and region.
pub(crate) fn scope_of(ctx: &RequestContext) -> Scope {
    Scope::new(ctx.account().as_str(), ctx.region.as_str())
}

/// The scope `text` names a key in: the account of a key ARN or alias ARN of another account
/// in the caller's Region (cross-account use), else the caller's own.
pub(crate) fn key_scope(ctx: &RequestContext, text: &str) -> Scope {
    let caller = scope_of(ctx);
    let Some(arn) = rampart_core::Arn::parse(text) else {
        return caller;
    };
    match arn.account_id() {
        Some(account)
            if arn.service == "kms" && arn.region == caller.region && account != caller.account =>
        {
            Scope::new(account, arn.region)
        }
        _ => caller,
    }
}

/// The alias a key reference names the key by, if any (kms:RequestAlias).
fn alias_of(key_ref: &KeyRef) -> Option<&str> {
    match key_ref {
        KeyRef::Alias(name) => Some(name),
        KeyRef::Key(_) => None,
    }
}

/// A required member (the codec already enforces presence; this keeps handlers total).
pub(crate) fn required<T>(value: Option<T>, member: &str) -> Result<T, KmsError> {
    rampart_codec::required(value, member, KmsError::Validation)
}

impl KmsService {
    /// Reads the key `text` names from the store (any state), notes it for the audit record and
    /// authorizes `ask` on it.
    pub(crate) async fn stored_key(
        &self,
        ctx: &RequestContext,
        text: &str,
        accept: Accept,
        ask: &Ask<'_>,
    ) -> Result<Versioned<KeyRecord>, KmsError> {
        let scope = key_scope(ctx, text);
        let key_ref = parse_key_ref(&scope, text, accept)?;
        let key = self.tables.resolve(&scope, &key_ref).await?;
        ctx.note_resource(key.value.arn(), KEY_RESOURCE);
        self.authorize_key(ctx, &key.value, ask, alias_of(&key_ref))
            .await?;
        Ok(key)
    }

    /// The key `text` names (id, ARN, alias or alias ARN) through the hot-path cache, any state;
    /// with the alias the request named it by, if any. Not authorized, nor noted for the audit
    /// record.
    pub(crate) async fn find_key(
        &self,
        ctx: &RequestContext,
        text: &str,
    ) -> Result<(KeyRecord, Option<String>), KmsError> {
        let scope = key_scope(ctx, text);
        let (key_id, alias) = match parse_key_ref(&scope, text, Accept::KeyOrAlias)? {
            KeyRef::Key(id) => (id, None),
            KeyRef::Alias(name) => {
                let id = self.vault.alias_target(&self.tables, &scope, &name).await?;
                (id, Some(name))
            }
        };
        let key = self.vault.key(&self.tables, &scope, &key_id).await?.value;
        Ok((key, alias))
    }

    /// [`Self::find_key`], noted for the audit record, then `ask` authorized on the key.
    pub(crate) async fn cached_key(
        &self,
        ctx: &RequestContext,
        text: &str,
        ask: &Ask<'_>,
    ) -> Result<KeyRecord, KmsError> {
        let (key, alias) = self.find_key(ctx, text).await?;
        ctx.note_resource(key.arn(), KEY_RESOURCE);
        self.authorize_key(ctx, &key, ask, alias.as_deref()).await?;
        Ok(key)
    }

    /// The key `text` names for a cryptographic operation: through the cache, authorized,
    /// Enabled only.
    pub(crate) async fn usable_key(
        &self,
        ctx: &RequestContext,
        text: &str,
        ask: &Ask<'_>,
    ) -> Result<KeyRecord, KmsError> {
        let key = self.cached_key(ctx, text, ask).await?;
        key.require_usable()?;
        Ok(key)
    }

    /// Applies `change` to the key `text` names (key id or ARN), once `ask` is authorized on it,
    /// and stores it with compare-and-swap, together with the extra writes `change` returns;
    /// retried on concurrent modification.
    pub(crate) async fn update_key<F>(
        &self,
        ctx: &RequestContext,
        text: &str,
        ask: &Ask<'_>,
        change: F,
    ) -> Result<KeyRecord, KmsError>
    where
        F: Fn(&mut KeyRecord, &KmsTables) -> Result<Vec<Write>, KmsError>,
    {
        retry_conflicts(KmsError::is_conflict, || async {
            let current = self.stored_key(ctx, text, Accept::KeyOnly, ask).await?;
            let mut next = current.value.clone();
            let mut writes = change(&mut next, &self.tables)?;
            let row = key_row(&next.scope(), &next.key_id);
            writes.push(
                self.tables
                    .keys
                    .put(&row, &next, Expect::Version(current.version))?,
            );
            let outcome = self.tables.store.transact(writes).await;
            self.vault.invalidate_key(&next.scope(), &next.key_id);
            outcome?;
            Ok(next)
        })
        .await
    }
}
