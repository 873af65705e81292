//! Key lifecycle: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion,
//! CancelKeyDeletion, UpdateKeyDescription.

use super::{required, scope_of};
use crate::KmsService;
use crate::authz::Ask;
use crate::authz::context::{bool_text, set_request_tags};
use crate::authz::key_policy::{PolicyTarget, check_lockout, compile_key_policy};
use crate::convert::{self, KEY_RESOURCE};
use crate::domain::{
    Accept, ImportConfig, KeyKind, KeyOptions, KeyRecord, KeyState, KmsError, ListKind,
    MultiRegionConfig, Page, PolicyRecord, Scope, TagSet, check_key_options, decode_marker,
    default_key_policy, new_key_id, new_multi_region_key_id, pending_window_days,
};
use crate::generated::shapes::{
    CancelKeyDeletionRequest, CancelKeyDeletionResponse, CreateKeyRequest, CreateKeyResponse,
    DescribeKeyRequest, DescribeKeyResponse, DisableKeyRequest, EnableKeyRequest, KeyMetadata,
    ListKeysRequest, ListKeysResponse, ScheduleKeyDeletionRequest, ScheduleKeyDeletionResponse,
    UpdateKeyDescriptionRequest,
};
use crate::generated::{
    CancelKeyDeletion, CreateKey, DescribeKey, DisableKey, EnableKey, ListKeys,
    ScheduleKeyDeletion, UpdateKeyDescription,
};
use crate::schedule::{DELETION_QUEUE, scheduled};
use crate::store::{deletion_row, key_row, scope_prefix};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_store::Expect;

impl CreateKey for KmsService {
    async fn create_key(
        &self,
        ctx: &RequestContext,
        input: CreateKeyRequest,
    ) -> Result<CreateKeyResponse, KmsError> {
        let scope = scope_of(ctx);
        let kind = check_create_options(&input)?;
        let pairs = convert::tag_pairs(input.tags);
        let mut tags = TagSet::new();
        tags.apply(&pairs)?;
        let bypass = input.bypass_policy_lockout_safety_check == Some(true);
        let extra = |c: &mut Context| create_key_context(c, &kind, bypass, &pairs);
        self.authorize_identity(ctx, "kms:CreateKey", "*", Some(&extra))?;
        let now = self.now_ms();
        let record = new_key_record(&scope, &kind, input.description.unwrap_or_default(), now);
        let policy = initial_policy(ctx, &record, input.policy, bypass)?;
        if !pairs.is_empty() {
            let tagging = |c: &mut Context| set_request_tags(c, &pairs);
            self.authorize_identity(ctx, "kms:TagResource", &record.arn(), Some(&tagging))?;
        }
        let row = key_row(&scope, &record.key_id);
        let mut writes = vec![
            self.tables.keys.put(&row, &record, Expect::Absent)?,
            self.tables
                .policies
                .put(&row, &PolicyRecord::new(policy), Expect::Absent)?,
            self.tables.tags.put(&row, &tags, Expect::Absent)?,
            self.tables.index_write(&record)?,
        ];
        if !kind.external {
            writes.push(
                self.vault
                    .new_backing_key_write(&self.tables, &record, now)
                    .await?,
            );
        }
        self.tables.store.transact(writes).await?;
        ctx.note_resource(record.arn(), KEY_RESOURCE);
        Ok(CreateKeyResponse {
            key_metadata: Some(self.key_metadata(&record).await?),
        })
    }
}

impl DescribeKey for KmsService {
    async fn describe_key(
        &self,
        ctx: &RequestContext,
        input: DescribeKeyRequest,
    ) -> Result<DescribeKeyResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:DescribeKey");
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOrAlias, &ask)
            .await?;
        Ok(DescribeKeyResponse {
            key_metadata: Some(self.key_metadata(&key.value).await?),
        })
    }
}

impl KmsService {
    /// `KeyMetadata` of `key`, with the `CurrentKeyMaterialId` of its current material version
    /// where AWS shows one.
    pub(super) async fn key_metadata(&self, key: &KeyRecord) -> Result<KeyMetadata, KmsError> {
        let mut meta = convert::key_metadata(key);
        if key.shows_current_material() {
            let current = self.material(key, key.backing_version).await?;
            meta.current_key_material_id = current.and_then(|b| b.material_id.clone());
        }
        Ok(meta)
    }
}

impl ListKeys for KmsService {
    async fn list_keys(
        &self,
        ctx: &RequestContext,
        input: ListKeysRequest,
    ) -> Result<ListKeysResponse, KmsError> {
        self.authorize_identity(ctx, "kms:ListKeys", "*", None)?;
        let scope = scope_of(ctx);
        let size = ListKind::Keys.page_size(input.limit.map(i64::from));
        let after = match &input.marker {
            Some(m) => Some(key_row(&scope, &decode_marker(ListKind::Keys, m)?)),
            None => None,
        };
        let rows = self
            .tables
            .keys
            .scan(&scope_prefix(&scope), after.as_deref(), size + 1)
            .await?;
        let records: Vec<KeyRecord> = rows.into_iter().map(|(_, v)| v.value).collect();
        let page = Page::from_overfetch(ListKind::Keys, records, size, |k| k.key_id.clone());
        Ok(ListKeysResponse {
            keys: Some(page.items.iter().map(convert::key_list_entry).collect()),
            truncated: Some(page.truncated()),
            next_marker: page.next_marker,
        })
    }
}

impl EnableKey for KmsService {
    async fn enable_key(
        &self,
        ctx: &RequestContext,
        input: EnableKeyRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let principal = &ctx.principal.arn;
        let ask = Ask::new("kms:EnableKey");
        self.update_key(ctx, &key_id, &ask, |k, _| {
            k.require_customer_managed(principal, "kms:EnableKey")?;
            k.enable().map(|()| Vec::new())
        })
        .await
        .map(drop)
    }
}

impl DisableKey for KmsService {
    async fn disable_key(
        &self,
        ctx: &RequestContext,
        input: DisableKeyRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let principal = &ctx.principal.arn;
        let ask = Ask::new("kms:DisableKey");
        self.update_key(ctx, &key_id, &ask, |k, _| {
            k.require_customer_managed(principal, "kms:DisableKey")?;
            k.disable().map(|()| Vec::new())
        })
        .await
        .map(drop)
    }
}

impl ScheduleKeyDeletion for KmsService {
    /// ScheduleKeyDeletion. A multi-Region primary with replicas goes to PendingReplicaDeletion
    /// with no deletion date (and no schedule entry): the sweeper starts its waiting period when
    /// its last replica is deleted.
    async fn schedule_key_deletion(
        &self,
        ctx: &RequestContext,
        input: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let days = pending_window_days(input.pending_window_in_days.map(i64::from))?;
        let now = self.now_ms();
        let principal = &ctx.principal.arn;
        let window = days.to_string();
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set(
                "kms:ScheduleKeyDeletionPendingWindowInDays",
                window.as_str(),
            );
        };
        let ask = Ask::new("kms:ScheduleKeyDeletion").extra(&extra);
        let key = self
            .update_key(ctx, &key_id, &ask, |k, tables| {
                k.require_customer_managed(principal, "kms:ScheduleKeyDeletion")?;
                let due = k.schedule_deletion(now, days)?;
                let entry = crate::store::DeletionEntry {
                    account: k.account.clone(),
                    region: k.region.clone(),
                    key_id: k.key_id.clone(),
                };
                let Some(due) = due else {
                    return Ok(Vec::new());
                };
                let row = deletion_row(due, &k.scope(), &k.key_id);
                Ok(scheduled(&tables.deletions, &DELETION_QUEUE, &row, &entry)?.into())
            })
            .await?;
        Ok(ScheduleKeyDeletionResponse {
            key_id: Some(key.arn()),
            deletion_date: key.deletion_ms.map(convert::timestamp),
            key_state: convert::enum_value(key.state.as_str()),
            pending_window_in_days: i32::try_from(days).ok(),
        })
    }
}

impl CancelKeyDeletion for KmsService {
    async fn cancel_key_deletion(
        &self,
        ctx: &RequestContext,
        input: CancelKeyDeletionRequest,
    ) -> Result<CancelKeyDeletionResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let principal = &ctx.principal.arn;
        let ask = Ask::new("kms:CancelKeyDeletion");
        let key = self
            .update_key(ctx, &key_id, &ask, |k, tables| {
                k.require_customer_managed(principal, "kms:CancelKeyDeletion")?;
                let due = k.deletion_ms;
                k.cancel_deletion()?;
                let rows = due.map(|d| deletion_row(d, &k.scope(), &k.key_id));
                Ok(rows
                    .iter()
                    .map(|r| tables.deletions.delete(r, Expect::Any))
                    .collect())
            })
            .await?;
        Ok(CancelKeyDeletionResponse {
            key_id: Some(key.arn()),
        })
    }
}

impl UpdateKeyDescription for KmsService {
    async fn update_key_description(
        &self,
        ctx: &RequestContext,
        input: UpdateKeyDescriptionRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let description = required(input.description, "description")?;
        let principal = &ctx.principal.arn;
        let ask = Ask::new("kms:UpdateKeyDescription");
        self.update_key(ctx, &key_id, &ask, |k, _| {
            k.require_customer_managed(principal, "kms:UpdateKeyDescription")?;
            k.require_not_pending_deletion()?;
            k.description.clone_from(&description);
            Ok(Vec::new())
        })
        .await
        .map(drop)
    }
}

/// The policy of a new key: the one given (checked, and passing the lockout check unless
/// bypassed) or AWS's default.
fn initial_policy(
    ctx: &RequestContext,
    record: &KeyRecord,
    given: Option<String>,
    bypass: bool,
) -> Result<String, KmsError> {
    let Some(document) = given else {
        return Ok(default_key_policy(&record.scope()));
    };
    let compiled = compile_key_policy(&document)?;
    let arn = record.arn();
    let target = PolicyTarget {
        key_arn: &arn,
        account: &record.account,
    };
    check_lockout(ctx, &compiled, &target, bypass)?;
    Ok(document)
}

/// CreateKey's condition keys: the properties asked for, the lockout check bypass and the tags.
fn create_key_context(c: &mut Context, kind: &KeyKind, bypass: bool, tags: &[(String, String)]) {
    c.set("kms:KeySpec", kind.spec.as_aws());
    c.set("kms:KeyUsage", kind.usage.as_aws());
    c.set(
        "kms:KeyOrigin",
        if kind.external { "EXTERNAL" } else { "AWS_KMS" },
    );
    c.set("kms:MultiRegion", bool_text(kind.multi_region));
    if kind.multi_region {
        c.set("kms:MultiRegionKeyType", "PRIMARY");
    }
    c.set("kms:BypassPolicyLockoutSafetyCheck", bool_text(bypass));
    if !tags.is_empty() {
        set_request_tags(c, tags);
    }
}

/// A new key's record: its id (`mrk-` for multi-Region), spec, usage, origin and first state.
fn new_key_record(scope: &Scope, kind: &KeyKind, description: String, now_ms: i64) -> KeyRecord {
    let key_id = if kind.multi_region {
        new_multi_region_key_id()
    } else {
        new_key_id()
    };
    let mut record = KeyRecord::new_symmetric(scope, key_id, description, now_ms);
    record.key_spec = kind.spec.as_aws().into();
    record.key_usage = kind.usage.as_aws().into();
    if kind.external {
        record.origin = "EXTERNAL".into();
        record.state = KeyState::PendingImport;
        record.import = Some(ImportConfig::default());
    }
    if kind.multi_region {
        record.multi_region = true;
        record.multi_region_config = Some(MultiRegionConfig {
            primary_region: scope.region.clone(),
            replica_regions: Vec::new(),
        });
    }
    record
}

fn check_create_options(input: &CreateKeyRequest) -> Result<KeyKind, KmsError> {
    let key_spec = input.key_spec.as_ref().map(|v| v.as_str().to_owned());
    let cmk_spec = input
        .customer_master_key_spec
        .as_ref()
        .map(|v| v.as_str().to_owned());
    let key_usage = input.key_usage.as_ref().map(|v| v.as_str().to_owned());
    let origin = input.origin.as_ref().map(|v| v.as_str().to_owned());
    check_key_options(&KeyOptions {
        key_spec: key_spec.as_deref(),
        customer_master_key_spec: cmk_spec.as_deref(),
        key_usage: key_usage.as_deref(),
        origin: origin.as_deref(),
        custom_key_store: input.custom_key_store_id.is_some(),
        xks_key: input.xks_key_id.is_some(),
        multi_region: input.multi_region.unwrap_or(false),
    })
}
