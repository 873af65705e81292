//! `KmsService`: construction, shared helpers, and the `KmsApi` implementation that maps each
//! operation onto the domain logic in `ops` and domain errors onto AWS errors.

use crate::crypto::KeyVault;
use crate::generated::KmsApi;
use crate::generated::shapes::*;
use crate::store::KmsTables;
use crate::usage::Meter;
use rampart_codec::ServiceError;
use rampart_core::{Clock, RequestContext};
use rampart_crypto::root::DomainKey;
use rampart_store::Store;
use std::sync::Arc;

/// The KMS service: symmetric keys, aliases, tags and key policies.
pub struct KmsService {
    pub(crate) tables: KmsTables,
    pub(crate) vault: KeyVault,
    pub(crate) meter: Meter,
    pub(crate) grant_cache: crate::ops::grant_cache::GrantCache,
    clock: Arc<dyn Clock>,
}

impl KmsService {
    /// A KMS service storing its tables in `store` and wrapping key material under `kms_domain_key`.
    pub fn new(store: Store, kms_domain_key: DomainKey, clock: Arc<dyn Clock>) -> KmsService {
        KmsService {
            tables: KmsTables::new(store),
            vault: KeyVault::new(kms_domain_key),
            meter: Meter::default(),
            grant_cache: Default::default(),
            clock,
        }
    }

    /// Drops every cached key, alias and unwrapped backing key (dev-mode reset).
    pub fn wipe_cache(&self) {
        self.vault.clear();
        self.grant_cache.clear();
    }

    /// Now, in epoch milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        let millis = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).unwrap_or(i64::MAX)
    }

    /// Test hook: the raw bytes of a key's backing key `version`, to prove they are never stored
    /// in plaintext. Not part of the service API.
    #[doc(hidden)]
    pub async fn backing_key_bytes_for_tests(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        version: u32,
    ) -> Option<Vec<u8>> {
        let scope = crate::domain::Scope::new(account, region);
        let key = self.tables.require_key(&scope, key_id).await.ok()?;
        let backing = self
            .vault
            .backing_key(&self.tables, &key.value, version)
            .await
            .ok()??;
        Some(backing.to_bytes().to_vec())
    }
}

impl std::fmt::Debug for KmsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsService").finish_non_exhaustive()
    }
}

/// Runs an operation body and maps its domain error onto the AWS error.
/// Also meters the request (per account, Region and the keys it touched).
/// The meter is told the handler's name and whether it succeeded (GetKeyLastUsage tracks the
/// last successful cryptographic operation per key).
macro_rules! answer {
    ($service:ident, $ctx:ident, $recv:ident . $method:ident ( $($arg:expr),* $(,)? )) => {{
        let outcome = $recv.$method($($arg),*).await;
        $service.meter.record($ctx, stringify!($method), outcome.is_ok());
        outcome.map_err(crate::convert::to_service_error)
    }};
}

impl KmsApi for KmsService {
    async fn create_key(
        &self,
        ctx: &RequestContext,
        input: CreateKeyRequest,
    ) -> Result<CreateKeyResponse, ServiceError> {
        answer!(self, ctx, self.create_key_op(ctx, input))
    }
    async fn describe_key(
        &self,
        ctx: &RequestContext,
        input: DescribeKeyRequest,
    ) -> Result<DescribeKeyResponse, ServiceError> {
        answer!(self, ctx, self.describe_key_op(ctx, input))
    }
    async fn list_keys(
        &self,
        ctx: &RequestContext,
        input: ListKeysRequest,
    ) -> Result<ListKeysResponse, ServiceError> {
        answer!(self, ctx, self.list_keys_op(ctx, input))
    }
    async fn enable_key(
        &self,
        ctx: &RequestContext,
        input: EnableKeyRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.enable_key_op(ctx, input))
    }
    async fn disable_key(
        &self,
        ctx: &RequestContext,
        input: DisableKeyRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.disable_key_op(ctx, input))
    }
    async fn schedule_key_deletion(
        &self,
        ctx: &RequestContext,
        input: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse, ServiceError> {
        answer!(self, ctx, self.schedule_key_deletion_op(ctx, input))
    }
    async fn cancel_key_deletion(
        &self,
        ctx: &RequestContext,
        input: CancelKeyDeletionRequest,
    ) -> Result<CancelKeyDeletionResponse, ServiceError> {
        answer!(self, ctx, self.cancel_key_deletion_op(ctx, input))
    }
    async fn update_key_description(
        &self,
        ctx: &RequestContext,
        input: UpdateKeyDescriptionRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.update_key_description_op(ctx, input))
    }
    async fn encrypt(
        &self,
        ctx: &RequestContext,
        input: EncryptRequest,
    ) -> Result<EncryptResponse, ServiceError> {
        answer!(self, ctx, self.encrypt_op(ctx, input))
    }
    async fn decrypt(
        &self,
        ctx: &RequestContext,
        input: DecryptRequest,
    ) -> Result<DecryptResponse, ServiceError> {
        answer!(self, ctx, self.decrypt_op(ctx, input))
    }
    async fn re_encrypt(
        &self,
        ctx: &RequestContext,
        input: ReEncryptRequest,
    ) -> Result<ReEncryptResponse, ServiceError> {
        answer!(self, ctx, self.re_encrypt_op(ctx, input))
    }
    async fn generate_data_key(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse, ServiceError> {
        answer!(self, ctx, self.generate_data_key_op(ctx, input))
    }
    async fn generate_data_key_without_plaintext(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse, ServiceError> {
        answer!(
            self,
            ctx,
            self.generate_data_key_without_plaintext_op(ctx, input)
        )
    }
    async fn generate_random(
        &self,
        ctx: &RequestContext,
        input: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse, ServiceError> {
        answer!(self, ctx, self.generate_random_op(ctx, input))
    }
    async fn create_alias(
        &self,
        ctx: &RequestContext,
        input: CreateAliasRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.create_alias_op(ctx, input))
    }
    async fn update_alias(
        &self,
        ctx: &RequestContext,
        input: UpdateAliasRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.update_alias_op(ctx, input))
    }
    async fn delete_alias(
        &self,
        ctx: &RequestContext,
        input: DeleteAliasRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.delete_alias_op(ctx, input))
    }
    async fn list_aliases(
        &self,
        ctx: &RequestContext,
        input: ListAliasesRequest,
    ) -> Result<ListAliasesResponse, ServiceError> {
        answer!(self, ctx, self.list_aliases_op(ctx, input))
    }
    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.tag_resource_op(ctx, input))
    }
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.untag_resource_op(ctx, input))
    }
    async fn list_resource_tags(
        &self,
        ctx: &RequestContext,
        input: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse, ServiceError> {
        answer!(self, ctx, self.list_resource_tags_op(ctx, input))
    }
    async fn get_key_policy(
        &self,
        ctx: &RequestContext,
        input: GetKeyPolicyRequest,
    ) -> Result<GetKeyPolicyResponse, ServiceError> {
        answer!(self, ctx, self.get_key_policy_op(ctx, input))
    }
    async fn put_key_policy(
        &self,
        ctx: &RequestContext,
        input: PutKeyPolicyRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.put_key_policy_op(ctx, input))
    }
    async fn list_key_policies(
        &self,
        ctx: &RequestContext,
        input: ListKeyPoliciesRequest,
    ) -> Result<ListKeyPoliciesResponse, ServiceError> {
        answer!(self, ctx, self.list_key_policies_op(ctx, input))
    }
    async fn get_public_key(
        &self,
        ctx: &RequestContext,
        input: GetPublicKeyRequest,
    ) -> Result<GetPublicKeyResponse, ServiceError> {
        answer!(self, ctx, self.get_public_key_op(ctx, input))
    }
    async fn sign(
        &self,
        ctx: &RequestContext,
        input: SignRequest,
    ) -> Result<SignResponse, ServiceError> {
        answer!(self, ctx, self.sign_op(ctx, input))
    }
    async fn verify(
        &self,
        ctx: &RequestContext,
        input: VerifyRequest,
    ) -> Result<VerifyResponse, ServiceError> {
        answer!(self, ctx, self.verify_op(ctx, input))
    }
    async fn generate_mac(
        &self,
        ctx: &RequestContext,
        input: GenerateMacRequest,
    ) -> Result<GenerateMacResponse, ServiceError> {
        answer!(self, ctx, self.generate_mac_op(ctx, input))
    }
    async fn verify_mac(
        &self,
        ctx: &RequestContext,
        input: VerifyMacRequest,
    ) -> Result<VerifyMacResponse, ServiceError> {
        answer!(self, ctx, self.verify_mac_op(ctx, input))
    }
    async fn generate_data_key_pair(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse, ServiceError> {
        answer!(self, ctx, self.generate_data_key_pair_op(ctx, input))
    }
    async fn generate_data_key_pair_without_plaintext(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse, ServiceError> {
        answer!(
            self,
            ctx,
            self.generate_data_key_pair_without_plaintext_op(ctx, input)
        )
    }
    async fn derive_shared_secret(
        &self,
        ctx: &RequestContext,
        input: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse, ServiceError> {
        answer!(self, ctx, self.derive_shared_secret_op(ctx, input))
    }
    async fn encapsulate(
        &self,
        ctx: &RequestContext,
        input: EncapsulateRequest,
    ) -> Result<EncapsulateResponse, ServiceError> {
        answer!(self, ctx, self.encapsulate_op(ctx, input))
    }
    async fn decapsulate(
        &self,
        ctx: &RequestContext,
        input: DecapsulateRequest,
    ) -> Result<DecapsulateResponse, ServiceError> {
        answer!(self, ctx, self.decapsulate_op(ctx, input))
    }
    async fn get_parameters_for_import(
        &self,
        ctx: &RequestContext,
        input: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse, ServiceError> {
        answer!(self, ctx, self.get_parameters_for_import_op(ctx, input))
    }
    async fn import_key_material(
        &self,
        ctx: &RequestContext,
        input: ImportKeyMaterialRequest,
    ) -> Result<ImportKeyMaterialResponse, ServiceError> {
        answer!(self, ctx, self.import_key_material_op(ctx, input))
    }
    async fn delete_imported_key_material(
        &self,
        ctx: &RequestContext,
        input: DeleteImportedKeyMaterialRequest,
    ) -> Result<DeleteImportedKeyMaterialResponse, ServiceError> {
        answer!(self, ctx, self.delete_imported_key_material_op(ctx, input))
    }
    async fn enable_key_rotation(
        &self,
        ctx: &RequestContext,
        input: EnableKeyRotationRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.enable_key_rotation_op(ctx, input))
    }
    async fn disable_key_rotation(
        &self,
        ctx: &RequestContext,
        input: DisableKeyRotationRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.disable_key_rotation_op(ctx, input))
    }
    async fn get_key_rotation_status(
        &self,
        ctx: &RequestContext,
        input: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse, ServiceError> {
        answer!(self, ctx, self.get_key_rotation_status_op(ctx, input))
    }
    async fn rotate_key_on_demand(
        &self,
        ctx: &RequestContext,
        input: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse, ServiceError> {
        answer!(self, ctx, self.rotate_key_on_demand_op(ctx, input))
    }
    async fn list_key_rotations(
        &self,
        ctx: &RequestContext,
        input: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse, ServiceError> {
        answer!(self, ctx, self.list_key_rotations_op(ctx, input))
    }
    async fn replicate_key(
        &self,
        ctx: &RequestContext,
        input: ReplicateKeyRequest,
    ) -> Result<ReplicateKeyResponse, ServiceError> {
        answer!(self, ctx, self.replicate_key_op(ctx, input))
    }
    async fn update_primary_region(
        &self,
        ctx: &RequestContext,
        input: UpdatePrimaryRegionRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.update_primary_region_op(ctx, input))
    }
    async fn get_key_last_usage(
        &self,
        ctx: &RequestContext,
        input: GetKeyLastUsageRequest,
    ) -> Result<GetKeyLastUsageResponse, ServiceError> {
        answer!(self, ctx, self.get_key_last_usage_op(ctx, input))
    }
    async fn create_grant(
        &self,
        ctx: &RequestContext,
        input: CreateGrantRequest,
    ) -> Result<CreateGrantResponse, ServiceError> {
        answer!(self, ctx, self.create_grant_op(ctx, input))
    }
    async fn list_grants(
        &self,
        ctx: &RequestContext,
        input: ListGrantsRequest,
    ) -> Result<ListGrantsResponse, ServiceError> {
        answer!(self, ctx, self.list_grants_op(ctx, input))
    }
    async fn list_retirable_grants(
        &self,
        ctx: &RequestContext,
        input: ListRetirableGrantsRequest,
    ) -> Result<ListGrantsResponse, ServiceError> {
        answer!(self, ctx, self.list_retirable_grants_op(ctx, input))
    }
    async fn retire_grant(
        &self,
        ctx: &RequestContext,
        input: RetireGrantRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.retire_grant_op(ctx, input))
    }
    async fn revoke_grant(
        &self,
        ctx: &RequestContext,
        input: RevokeGrantRequest,
    ) -> Result<(), ServiceError> {
        answer!(self, ctx, self.revoke_grant_op(ctx, input))
    }
}
