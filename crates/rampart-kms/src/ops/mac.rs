//! HMAC operations: GenerateMac and VerifyMac (constant-time comparison in the key material).

use super::asymmetric::UsableKey;
use super::required;
use crate::KmsService;
use crate::authz::Ask;
use crate::domain::{KeyRecord, KmsError, algorithm_error, material_error};
use crate::generated::shapes::{
    GenerateMacRequest, GenerateMacResponse, VerifyMacRequest, VerifyMacResponse,
};
use crate::generated::{GenerateMac, VerifyMac};
use rampart_codec::Blob;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_crypto::material::{MacAlgorithm, Usage, spec_info};

impl GenerateMac for KmsService {
    async fn generate_mac(
        &self,
        ctx: &RequestContext,
        input: GenerateMacRequest,
    ) -> Result<GenerateMacResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let message = required(input.message, "message")?;
        let algorithm = required(input.mac_algorithm, "macAlgorithm")?;
        let (usable, mac_algorithm) = self
            .mac_key(ctx, &key_id, "kms:GenerateMac", algorithm.as_str())
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let mac = usable
            .material
            .mac(mac_algorithm, message.as_bytes())
            .map_err(material_error)?;
        Ok(GenerateMacResponse {
            key_id: Some(usable.key.arn()),
            mac: Some(Blob(mac)),
            mac_algorithm: Some(algorithm),
        })
    }
}

impl VerifyMac for KmsService {
    async fn verify_mac(
        &self,
        ctx: &RequestContext,
        input: VerifyMacRequest,
    ) -> Result<VerifyMacResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let message = required(input.message, "message")?;
        let mac = required(input.mac, "mac")?;
        let algorithm = required(input.mac_algorithm, "macAlgorithm")?;
        let (usable, mac_algorithm) = self
            .mac_key(ctx, &key_id, "kms:VerifyMac", algorithm.as_str())
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let valid = usable
            .material
            .verify_mac(mac_algorithm, message.as_bytes(), mac.as_bytes())
            .map_err(material_error)?;
        if !valid {
            return Err(KmsError::InvalidMac);
        }
        Ok(VerifyMacResponse {
            key_id: Some(usable.key.arn()),
            mac_algorithm: Some(algorithm),
            mac_valid: Some(true),
        })
    }
}

impl KmsService {
    /// A GENERATE_VERIFY_MAC key for `action` and the MAC algorithm of its spec.
    async fn mac_key(
        &self,
        ctx: &RequestContext,
        key_id: &str,
        action: &'static str,
        algorithm: &str,
    ) -> Result<(UsableKey, MacAlgorithm), KmsError> {
        let extra = |_: &KeyRecord, c: &mut Context| c.set("kms:MacAlgorithm", algorithm);
        let ask = Ask::new(action).extra(&extra);
        let usable = self
            .key_for(ctx, key_id, Usage::GenerateVerifyMac, &ask)
            .await?;
        let mac_algorithm = MacAlgorithm::from_aws(algorithm)
            .filter(|a| spec_info(usable.spec).mac.contains(a))
            .ok_or_else(|| algorithm_error(algorithm, usable.spec.as_aws()))?;
        Ok((usable, mac_algorithm))
    }
}
