//! Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant, and
//! [`KmsService::grants_allowing`], the grant lookup the authorization step will use.

use super::grant_store::{
    GrantTables, SCAN_BATCH, grant_row, key_grants_prefix, retiree_position, retiree_prefix,
};
use super::{required, scope_of};
use crate::KmsService;
use crate::authz::Ask;
use crate::authz::context::{constraint_context, set_grant_request};
use crate::convert::{self, KEY_RESOURCE};
use crate::domain::KmsArns;
use crate::domain::grants::{
    GrantConstraintSet, GrantRequest, MAX_GRANTS_PER_KEY, check_constraints, check_grant_id,
    check_operations, check_principal, check_principals, either_not_both, encode_grant_token,
    grant_allows, grant_not_found, may_retire, new_grant_id, null_member, parse_grant_token,
    require_grantable, retire_denied, too_many_grants,
};
use crate::domain::{
    Accept, GrantRecord, KeyRecord, KeyRef, KmsError, ListKind, Page, Scope, check_grant_tokens,
    decode_marker, parse_key_ref,
};
use crate::generated::enums::GrantOperation;
use crate::generated::shapes::{
    CreateGrantRequest, CreateGrantResponse, GrantConstraints, GrantListEntry, ListGrantsRequest,
    ListGrantsResponse, ListRetirableGrantsRequest, RetireGrantRequest, RevokeGrantRequest,
};
use crate::generated::{CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_store::{Table, retry_conflicts};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which grants of a key ListGrants returns.
struct GrantFilter {
    grant_id: Option<String>,
    grantee_principal: Option<String>,
    grantee_service_principal: Option<String>,
}

impl GrantFilter {
    fn keeps(&self, g: &GrantRecord) -> bool {
        let same = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        self.grant_id.as_ref().is_none_or(|id| *id == g.grant_id)
            && same(&self.grantee_principal, &g.grantee_principal)
            && same(
                &self.grantee_service_principal,
                &g.grantee_service_principal,
            )
    }
}

impl KmsService {
    fn grant_tables(&self) -> GrantTables {
        GrantTables::new(self.tables.store.clone())
    }
}

impl CreateGrant for KmsService {
    async fn create_grant(
        &self,
        ctx: &RequestContext,
        input: CreateGrantRequest,
    ) -> Result<CreateGrantResponse, KmsError> {
        check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let operations = required(input.operations, "operations")?;
        let request = GrantRequest {
            name: input.name,
            grantee_principal: input.grantee_principal,
            grantee_service_principal: input.grantee_service_principal,
            retiring_principal: input.retiring_principal,
            retiring_service_principal: input.retiring_service_principal,
            operations: operations.iter().map(|o| o.as_str().to_owned()).collect(),
            constraints: input.constraints.map(constraints_in),
        };
        check_principals(&request)?;
        let constraint_context = constraint_context(request.constraints.as_ref());
        let extra = |_: &KeyRecord, c: &mut Context| set_grant_request(c, &request);
        let ask = Ask::new("kms:CreateGrant")
            .context(&constraint_context)
            .extra(&extra)
            .grant(&request);
        let key = self.grant_key(ctx, &key_id, &ask).await?;
        require_grantable(&key)?;
        let request = GrantRequest {
            operations: check_operations(&key, &request.operations)?,
            constraints: check_constraints(&key, request.constraints.clone())?,
            ..request
        };
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let grant = self.store_grant(&key, request).await?;
        Ok(CreateGrantResponse {
            grant_token: Some(encode_grant_token(&grant)),
            grant_id: Some(grant.grant_id),
        })
    }
}

impl KmsService {
    /// Stores a new grant for `key`, or returns the existing grant with the same Name and
    /// parameters. The key's grant count (compare-and-swap) enforces the quota and orders
    /// concurrent creations, so two identical named requests cannot both create a grant.
    async fn store_grant(
        &self,
        key: &KeyRecord,
        request: GrantRequest,
    ) -> Result<GrantRecord, KmsError> {
        let tables = self.grant_tables();
        let scope = key.scope();
        retry_conflicts(KmsError::is_conflict, || async {
            let count = tables.count(&scope, &key.key_id).await?;
            if request.name.is_some() {
                let grants = tables.all_of_key(&scope, &key.key_id).await?;
                if let Some((_, twin)) = grants
                    .into_iter()
                    .find(|(_, g)| g.value.same_request(&request))
                {
                    return Ok(twin.value);
                }
            }
            if count
                .as_ref()
                .is_some_and(|c| c.value.count >= MAX_GRANTS_PER_KEY)
            {
                return Err(too_many_grants(&key.arn()));
            }
            let grant = request
                .clone()
                .into_record(key, new_grant_id(), self.now_ms());
            let writes = tables.create_writes(&grant, count.as_ref())?;
            tables.store.transact(writes).await?;
            self.grant_cache.clear();
            Ok(grant)
        })
        .await
    }
}

impl ListGrants for KmsService {
    async fn list_grants(
        &self,
        ctx: &RequestContext,
        input: ListGrantsRequest,
    ) -> Result<ListGrantsResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        if input.grantee_principal.is_some() && input.grantee_service_principal.is_some() {
            return Err(either_not_both("GranteePrincipal"));
        }
        if let Some(id) = &input.grant_id {
            check_grant_id(id)?;
        }
        let key = self
            .grant_key(ctx, &key_id, &Ask::new("kms:ListGrants"))
            .await?;
        let size = ListKind::Grants.page_size(input.limit.map(i64::from));
        let scope = key.scope();
        let after = match &input.marker {
            Some(m) => Some(grant_row(
                &scope,
                &key.key_id,
                &decode_marker(ListKind::Grants, m)?,
            )),
            None => None,
        };
        let filter = GrantFilter {
            grant_id: input.grant_id,
            grantee_principal: input.grantee_principal,
            grantee_service_principal: input.grantee_service_principal,
        };
        let tables = self.grant_tables();
        let prefix = key_grants_prefix(&scope, &key.key_id);
        let found = scan_filtered(&tables.grants, &prefix, after, size + 1, |g| {
            filter.keeps(g)
        })
        .await?;
        let page = Page::from_overfetch(ListKind::Grants, found, size, |g| g.grant_id.clone());
        Ok(ListGrantsResponse {
            grants: Some(page.items.iter().map(grant_entry).collect()),
            truncated: Some(page.truncated()),
            next_marker: page.next_marker,
        })
    }
}

impl ListRetirableGrants for KmsService {
    async fn list_retirable_grants(
        &self,
        ctx: &RequestContext,
        input: ListRetirableGrantsRequest,
    ) -> Result<ListGrantsResponse, KmsError> {
        self.authorize_identity(ctx, "kms:ListRetirableGrants", "*", None)?;
        let for_service = input.retiring_principal.is_none();
        let retiree = match (input.retiring_principal, input.retiring_service_principal) {
            (Some(_), Some(_)) => return Err(either_not_both("RetiringPrincipal")),
            (None, None) => return Err(null_member("retiringPrincipal")),
            (Some(p), None) => {
                check_principal("RetiringPrincipal", &p)?;
                require_own_account(ctx, &p)?;
                p
            }
            (None, Some(service)) => service,
        };
        let size = ListKind::RetirableGrants.page_size(input.limit.map(i64::from));
        let prefix = retiree_prefix(ctx.region.as_str(), &retiree);
        let after = match &input.marker {
            Some(m) => Some(format!(
                "{prefix}{}",
                decode_marker(ListKind::RetirableGrants, m)?
            )),
            None => None,
        };
        let tables = self.grant_tables();
        // A retiring principal of the caller's account may retire grants on other accounts'
        // keys, so those are listed; a service principal's grants are listed only for the
        // caller's own keys (the index is shared by every account).
        let account = ctx.account().as_str();
        let keep = |g: &GrantRecord| !for_service || g.account == account;
        let found = scan_filtered(&tables.retirees, &prefix, after, size + 1, keep).await?;
        let page = Page::from_overfetch(ListKind::RetirableGrants, found, size, retiree_position);
        Ok(ListGrantsResponse {
            grants: Some(page.items.iter().map(grant_entry).collect()),
            truncated: Some(page.truncated()),
            next_marker: page.next_marker,
        })
    }
}

impl RetireGrant for KmsService {
    async fn retire_grant(
        &self,
        ctx: &RequestContext,
        input: RetireGrantRequest,
    ) -> Result<(), KmsError> {
        let (scope, key_id, grant_id) = match (input.grant_token, input.key_id, input.grant_id) {
            (Some(token), _, _) => {
                let t = parse_grant_token(&token)?;
                (t.scope(), t.k, t.g)
            }
            (None, Some(key), Some(grant)) => {
                check_grant_id(&grant)?;
                let (scope, key_id) = retire_key_ref(ctx, &key)?;
                (scope, key_id, grant)
            }
            _ => {
                return Err(KmsError::Validation(
                    "Either GrantToken, or both KeyId and GrantId, must be specified.".into(),
                ));
            }
        };
        if scope.region != ctx.region.as_str() {
            return Err(grant_not_found(&grant_id, &scope.key_arn(&key_id)));
        }
        let key = self.tables.require_key(&scope, &key_id).await?.value;
        ctx.note_resource(key.arn(), KEY_RESOURCE);
        let caller = ctx.principal.arn.clone();
        let check = move |g: &GrantRecord| {
            if may_retire(g, &caller) {
                Ok(())
            } else {
                Err(retire_denied(&caller, &g.key_arn()))
            }
        };
        let dry_run = input.dry_run == Some(true);
        self.delete_grant(&key, &grant_id, check, dry_run).await
    }
}

impl RevokeGrant for KmsService {
    async fn revoke_grant(
        &self,
        ctx: &RequestContext,
        input: RevokeGrantRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let grant_id = required(input.grant_id, "grantId")?;
        check_grant_id(&grant_id)?;
        let key = self
            .grant_key(ctx, &key_id, &Ask::new("kms:RevokeGrant"))
            .await?;
        let dry_run = input.dry_run == Some(true);
        self.delete_grant(&key, &grant_id, |_| Ok(()), dry_run)
            .await
    }
}

impl KmsService {
    /// Deletes grant `grant_id` of `key` once `check` allows it (compare-and-swap, retried).
    async fn delete_grant<F>(
        &self,
        key: &KeyRecord,
        grant_id: &str,
        check: F,
        dry_run: bool,
    ) -> Result<(), KmsError>
    where
        F: Fn(&GrantRecord) -> Result<(), KmsError>,
    {
        let tables = self.grant_tables();
        let scope = key.scope();
        retry_conflicts(KmsError::is_conflict, || async {
            let Some(grant) = tables.get(&scope, &key.key_id, grant_id).await? else {
                return Err(grant_not_found(grant_id, &key.arn()));
            };
            check(&grant.value)?;
            if dry_run {
                return Err(KmsError::DryRun);
            }
            let count = tables.count(&scope, &key.key_id).await?;
            let writes = tables.delete_writes(&grant, count.as_ref())?;
            tables.store.transact(writes).await?;
            self.grant_cache.clear();
            Ok(())
        })
        .await
    }

    /// The key a grant operation's `KeyId` names: a key id or key ARN (any key state; an alias
    /// is `InvalidArnException`, as AWS answers), noted for the audit record, `ask` authorized.
    async fn grant_key(
        &self,
        ctx: &RequestContext,
        text: &str,
        ask: &Ask<'_>,
    ) -> Result<KeyRecord, KmsError> {
        reject_alias(text)?;
        Ok(self
            .stored_key(ctx, text, Accept::KeyOnly, ask)
            .await?
            .value)
    }

    /// The grants of `key` that allow `principal_arn` to call `operation` — a grant operation
    /// name such as `Decrypt`, `ReEncryptFrom`, `Sign` or `DescribeKey` — with the encryption
    /// context `context` (empty for operations without one). A grant matches when its grantee is
    /// the principal (or the IAM role of an assumed-role session), it lists the operation, and
    /// its constraints hold (see [`crate::domain::grants::grant_allows`]). Grants take effect at
    /// once in Rampart, so no grant token is needed to find them. The authorization step calls
    /// this when neither the key policy nor IAM policies allow (and none denies).
    pub async fn grants_allowing(
        &self,
        key: &KeyRecord,
        principal_arn: &str,
        operation: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<Vec<GrantRecord>, KmsError> {
        let allowing = |grants: &[GrantRecord]| -> Vec<GrantRecord> {
            grants
                .iter()
                .filter(|g| grant_allows(g, principal_arn, operation, context))
                .cloned()
                .collect()
        };
        let prefix = key_grants_prefix(&key.scope(), &key.key_id);
        if let Some(cached) = self.grant_cache.fresh(&prefix) {
            let found = allowing(&cached);
            if !found.is_empty() {
                return Ok(found);
            }
        }
        let grants = self
            .grant_tables()
            .all_of_key(&key.scope(), &key.key_id)
            .await?;
        let grants: Arc<Vec<GrantRecord>> =
            Arc::new(grants.into_iter().map(|(_, g)| g.value).collect());
        let found = allowing(&grants);
        self.grant_cache.put(prefix, grants);
        Ok(found)
    }
}

/// Up to `want` grants from `table` under `prefix` after row `after` that `keep` accepts.
async fn scan_filtered<F>(
    table: &Table<GrantRecord>,
    prefix: &str,
    mut after: Option<String>,
    want: usize,
    keep: F,
) -> Result<Vec<GrantRecord>, KmsError>
where
    F: Fn(&GrantRecord) -> bool,
{
    let mut found = Vec::new();
    loop {
        let batch = table.scan(prefix, after.as_deref(), SCAN_BATCH).await?;
        let done = batch.len() < SCAN_BATCH;
        after = batch.last().map(|(row, _)| row.clone());
        found.extend(batch.into_iter().map(|(_, v)| v.value).filter(|g| keep(g)));
        if done || found.len() >= want {
            found.truncate(want);
            return Ok(found);
        }
    }
}

/// `InvalidArnException` for an alias name or alias ARN where only keys are accepted.
fn reject_alias(text: &str) -> Result<(), KmsError> {
    let resource = if text.starts_with("arn:") {
        rampart_core::Arn::parse(text).map_or("", |arn| arn.resource)
    } else {
        text
    };
    if resource.starts_with("alias/") {
        return Err(KmsError::InvalidArn(
            "Key Aliases are not supported for this operation.".into(),
        ));
    }
    Ok(())
}

/// RetireGrant's `KeyId`: a key id (the caller's account) or a key ARN, which may name a key in
/// another account of the same Region (cross-account retirement).
fn retire_key_ref(ctx: &RequestContext, text: &str) -> Result<(Scope, String), KmsError> {
    reject_alias(text)?;
    let caller = scope_of(ctx);
    let account = text
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(3))
        .filter(|a| !a.is_empty());
    let scope = match account {
        Some(a) => Scope::new(a, caller.region.clone()),
        None => caller,
    };
    match parse_key_ref(&scope, text, Accept::KeyOnly)? {
        KeyRef::Key(id) => Ok((scope, id)),
        KeyRef::Alias(_) => Err(KmsError::invalid_key_id(text)),
    }
}

/// ListRetirableGrants answers only for principals of the caller's own account.
fn require_own_account(ctx: &RequestContext, principal: &str) -> Result<(), KmsError> {
    let account = principal.split(':').nth(4).unwrap_or_default();
    if account == ctx.account().as_str() {
        return Ok(());
    }
    Err(KmsError::AccessDenied(format!(
        "User: {} is not authorized to perform: kms:ListRetirableGrants on resource: {principal}",
        ctx.principal.arn
    )))
}

/// Request constraints in their stored form.
fn constraints_in(c: GrantConstraints) -> GrantConstraintSet {
    GrantConstraintSet {
        encryption_context_equals: c.encryption_context_equals,
        encryption_context_subset: c.encryption_context_subset,
        source_arn: c.source_arn,
    }
}

/// A `GrantListEntry` as ListGrants and ListRetirableGrants return it (`Name` is "" for an
/// unnamed grant, as in AWS's examples).
fn grant_entry(g: &GrantRecord) -> GrantListEntry {
    GrantListEntry {
        key_id: Some(g.key_arn()),
        grant_id: Some(g.grant_id.clone()),
        name: Some(g.name.clone().unwrap_or_default()),
        creation_date: Some(convert::timestamp(g.created_ms)),
        grantee_principal: g.grantee_principal.clone(),
        grantee_service_principal: g.grantee_service_principal.clone(),
        retiring_principal: g.retiring_principal.clone(),
        retiring_service_principal: g.retiring_service_principal.clone(),
        issuing_account: Some(g.issuing_account()),
        operations: Some(
            g.operations
                .iter()
                .map(|o| GrantOperation::from(o.as_str()))
                .collect(),
        ),
        constraints: g.constraints.as_ref().map(|c| GrantConstraints {
            encryption_context_equals: c.encryption_context_equals.clone(),
            encryption_context_subset: c.encryption_context_subset.clone(),
            source_arn: c.source_arn.clone(),
        }),
    }
}
