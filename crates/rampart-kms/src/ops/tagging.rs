//! Tags and key policies: TagResource, UntagResource, ListResourceTags, GetKeyPolicy,
//! PutKeyPolicy, ListKeyPolicies.

use super::required;
use crate::KmsService;
use crate::authz::Ask;
use crate::authz::context::{bool_text, set_request_tags};
use crate::authz::key_policy::{PolicyTarget, check_lockout, compile_key_policy};
use crate::convert;
use crate::domain::{
    Accept, DEFAULT_POLICY_NAME, KeyRecord, KmsError, ListKind, Page, PolicyRecord, TagSet,
    check_policy_name, decode_marker, default_key_policy,
};
use crate::generated::shapes::{
    GetKeyPolicyRequest, GetKeyPolicyResponse, ListKeyPoliciesRequest, ListKeyPoliciesResponse,
    ListResourceTagsRequest, ListResourceTagsResponse, PutKeyPolicyRequest, TagResourceRequest,
    UntagResourceRequest,
};
use crate::generated::{
    GetKeyPolicy, ListKeyPolicies, ListResourceTags, PutKeyPolicy, TagResource, UntagResource,
};
use crate::store::key_row;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_store::{Expect, retry_conflicts};

impl TagResource for KmsService {
    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let tags = convert::tag_pairs(Some(required(input.tags, "tags")?));
        let extra = |_: &KeyRecord, c: &mut Context| set_request_tags(c, &tags);
        let ask = Ask::new("kms:TagResource").extra(&extra);
        self.change_tags(ctx, &key_id, &ask, |set| set.apply(&tags))
            .await
    }
}

impl UntagResource for KmsService {
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let keys = required(input.tag_keys, "tagKeys")?;
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set_values("aws:TagKeys", keys.iter().map(String::as_str));
        };
        let ask = Ask::new("kms:UntagResource").extra(&extra);
        self.change_tags(ctx, &key_id, &ask, |set| set.remove(&keys))
            .await
    }
}

impl KmsService {
    /// Read-modify-write of a key's tag set with compare-and-swap. Refused on AWS-managed keys
    /// and on keys pending deletion; allowed in every other state (PendingImport included).
    async fn change_tags<F>(
        &self,
        ctx: &RequestContext,
        key_id: &str,
        ask: &Ask<'_>,
        change: F,
    ) -> Result<(), KmsError>
    where
        F: Fn(&mut TagSet) -> Result<(), KmsError>,
    {
        let key = self
            .stored_key(ctx, key_id, Accept::KeyOnly, ask)
            .await?
            .value;
        key.require_customer_managed(&ctx.principal.arn, ask.action)?;
        key.require_not_pending_deletion()?;
        let row = key_row(&key.scope(), &key.key_id);
        retry_conflicts(KmsError::is_conflict, || async {
            let current = self.tables.tags.get(&row).await?;
            let (mut set, expect) = match current {
                Some(v) => (v.value, Expect::Version(v.version)),
                None => (TagSet::new(), Expect::Absent),
            };
            change(&mut set)?;
            let write = self.tables.tags.put(&row, &set, expect)?;
            let outcome = self.tables.store.transact(vec![write]).await;
            self.vault.invalidate_key(&key.scope(), &key.key_id);
            Ok(outcome?)
        })
        .await
    }
}

impl ListResourceTags for KmsService {
    async fn list_resource_tags(
        &self,
        ctx: &RequestContext,
        input: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:ListResourceTags");
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        let size = ListKind::Tags.page_size(input.limit.map(i64::from));
        let after = match &input.marker {
            Some(m) => Some(decode_marker(ListKind::Tags, m)?),
            None => None,
        };
        let set = self
            .tables
            .tags
            .get(&key_row(&key.scope(), &key.key_id))
            .await?;
        let tags = set.map(|v| v.value.tags).unwrap_or_default();
        let remaining: Vec<(&String, &String)> = tags
            .iter()
            .filter(|(k, _)| after.as_ref().is_none_or(|a| *k > a))
            .take(size + 1)
            .collect();
        let page = Page::from_overfetch(ListKind::Tags, remaining, size, |(k, _)| (*k).clone());
        Ok(ListResourceTagsResponse {
            tags: Some(convert::tags_out(page.items.iter().copied())),
            truncated: Some(page.truncated()),
            next_marker: page.next_marker,
        })
    }
}

impl GetKeyPolicy for KmsService {
    async fn get_key_policy(
        &self,
        ctx: &RequestContext,
        input: GetKeyPolicyRequest,
    ) -> Result<GetKeyPolicyResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        check_policy_name(input.policy_name.as_deref())?;
        let ask = Ask::new("kms:GetKeyPolicy");
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        let stored = self
            .tables
            .policies
            .get(&key_row(&key.scope(), &key.key_id))
            .await?;
        let document = stored
            .map(|v| v.value.document)
            .unwrap_or_else(|| default_key_policy(&key.scope()));
        Ok(GetKeyPolicyResponse {
            policy: Some(document),
            policy_name: Some(DEFAULT_POLICY_NAME.into()),
        })
    }
}

impl PutKeyPolicy for KmsService {
    async fn put_key_policy(
        &self,
        ctx: &RequestContext,
        input: PutKeyPolicyRequest,
    ) -> Result<(), KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let document = required(input.policy, "policy")?;
        check_policy_name(input.policy_name.as_deref())?;
        let bypass = input.bypass_policy_lockout_safety_check == Some(true);
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set("kms:BypassPolicyLockoutSafetyCheck", bool_text(bypass));
        };
        let ask = Ask::new("kms:PutKeyPolicy").extra(&extra);
        let key = self
            .stored_key(ctx, &key_id, Accept::KeyOnly, &ask)
            .await?
            .value;
        // AWS's key-state table allows PutKeyPolicy in every state, PendingDeletion included.
        key.require_customer_managed(&ctx.principal.arn, "kms:PutKeyPolicy")?;
        let compiled = compile_key_policy(&document)?;
        let arn = key.arn();
        let target = PolicyTarget {
            key_arn: &arn,
            account: &key.account,
        };
        check_lockout(ctx, &compiled, &target, bypass)?;
        let row = key_row(&key.scope(), &key.key_id);
        let write = self
            .tables
            .policies
            .put(&row, &PolicyRecord::new(document), Expect::Any)?;
        let outcome = self.tables.store.transact(vec![write]).await;
        self.vault.invalidate_key(&key.scope(), &key.key_id);
        Ok(outcome?)
    }
}

impl ListKeyPolicies for KmsService {
    async fn list_key_policies(
        &self,
        ctx: &RequestContext,
        input: ListKeyPoliciesRequest,
    ) -> Result<ListKeyPoliciesResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:ListKeyPolicies");
        self.stored_key(ctx, &key_id, Accept::KeyOnly, &ask).await?;
        let after = match &input.marker {
            Some(m) => Some(decode_marker(ListKind::Policies, m)?),
            None => None,
        };
        let names: Vec<String> = [DEFAULT_POLICY_NAME]
            .into_iter()
            .filter(|n| after.as_deref().is_none_or(|a| *n > a))
            .map(Into::into)
            .collect();
        Ok(ListKeyPoliciesResponse {
            policy_names: Some(names),
            truncated: Some(false),
            next_marker: None,
        })
    }
}
