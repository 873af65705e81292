//! Asymmetric-key operations: GetPublicKey, Sign, Verify, DeriveSharedSecret, Encapsulate and
//! Decapsulate. Each needs an Enabled key of the right usage and an algorithm its spec supports;
//! the private key never leaves the key material.

use super::required;
use crate::KmsService;
use crate::authz::Ask;
use crate::convert::enum_value;
use crate::crypto::spec_of;
use crate::domain::{
    KeyRecord, KmsError, algorithm_error, check_message, material_error, require_usage,
};
use crate::generated::shapes::*;
use crate::generated::{Decapsulate, DeriveSharedSecret, Encapsulate, GetPublicKey, Sign, Verify};
use rampart_codec::Blob;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_crypto::material::{
    KeyAgreementAlgorithm, MessageType, SigningAlgorithm, Spec, SpecInfo, Usage, spec_info,
};
use std::sync::Arc;

/// The only `EncapsulationAlgorithm`, for ML-KEM keys.
const ML_KEM: &str = "ML_KEM";

/// An Enabled key checked for an operation, with its spec and current material.
pub(super) struct UsableKey {
    pub(super) key: KeyRecord,
    pub(super) spec: Spec,
    pub(super) material: Arc<crate::crypto::Backing>,
}

/// What Sign and Verify share: the key, the checked algorithm and message type, the message.
struct SignAsk {
    usable: UsableKey,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: Blob,
}

impl KmsService {
    /// The key `key_id` names for `operation` (`ask` authorized): Enabled, of usage `usage`,
    /// with its material.
    pub(super) async fn key_for(
        &self,
        ctx: &RequestContext,
        key_id: &str,
        usage: Usage,
        ask: &Ask<'_>,
    ) -> Result<UsableKey, KmsError> {
        let operation = ask.action.trim_start_matches("kms:");
        let key = self.usable_key(ctx, key_id, ask).await?;
        require_usage(&key, usage, operation)?;
        let spec = spec_of(&key)?;
        let material = self.current_material(&key).await?;
        Ok(UsableKey {
            key,
            spec,
            material,
        })
    }
}

impl GetPublicKey for KmsService {
    async fn get_public_key(
        &self,
        ctx: &RequestContext,
        input: GetPublicKeyRequest,
    ) -> Result<GetPublicKeyResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let ask = Ask::new("kms:GetPublicKey");
        let key = self.usable_key(ctx, &key_id, &ask).await?;
        let spec = spec_of(&key)?;
        if !has_public_key(spec) {
            return Err(KmsError::Unsupported(format!(
                "{} key spec is {} which is not valid for GetPublicKey.",
                key.arn(),
                key.key_spec
            )));
        }
        let material = self.current_material(&key).await?;
        let public_key = material.public_key_der().map_err(material_error)?;
        let mut out = GetPublicKeyResponse {
            key_id: Some(key.arn()),
            public_key: Some(Blob(public_key)),
            key_spec: enum_value(&key.key_spec),
            customer_master_key_spec: enum_value(&key.key_spec),
            key_usage: enum_value(&key.key_usage),
            ..Default::default()
        };
        add_algorithms(&mut out, &spec_info(spec), Usage::from_aws(&key.key_usage));
        Ok(out)
    }
}

impl Sign for KmsService {
    async fn sign(
        &self,
        ctx: &RequestContext,
        input: SignRequest,
    ) -> Result<SignResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let message = required(input.message, "message")?;
        let algorithm = required(input.signing_algorithm, "signingAlgorithm")?;
        let message_type = input.message_type.as_ref().map(|t| t.as_str());
        let ask = self
            .sign_ask(
                ctx,
                &key_id,
                "kms:Sign",
                algorithm.as_str(),
                message_type,
                message,
            )
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let signature = ask
            .usable
            .material
            .sign(ask.algorithm, ask.message_type, ask.message.as_bytes())
            .map_err(material_error)?;
        Ok(SignResponse {
            key_id: Some(ask.usable.key.arn()),
            signature: Some(Blob(signature)),
            signing_algorithm: Some(algorithm),
        })
    }
}

impl Verify for KmsService {
    async fn verify(
        &self,
        ctx: &RequestContext,
        input: VerifyRequest,
    ) -> Result<VerifyResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let message = required(input.message, "message")?;
        let signature = required(input.signature, "signature")?;
        let algorithm = required(input.signing_algorithm, "signingAlgorithm")?;
        let message_type = input.message_type.as_ref().map(|t| t.as_str());
        let ask = self
            .sign_ask(
                ctx,
                &key_id,
                "kms:Verify",
                algorithm.as_str(),
                message_type,
                message,
            )
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let valid = ask
            .usable
            .material
            .verify(
                ask.algorithm,
                ask.message_type,
                ask.message.as_bytes(),
                signature.as_bytes(),
            )
            .map_err(material_error)?;
        if !valid {
            return Err(KmsError::InvalidSignature);
        }
        Ok(VerifyResponse {
            key_id: Some(ask.usable.key.arn()),
            signature_valid: Some(true),
            signing_algorithm: Some(algorithm),
        })
    }
}

impl KmsService {
    /// Checks a Sign/Verify request: SIGN_VERIFY key, an algorithm of its spec, and a message
    /// that suits the message type (RAW when not given).
    async fn sign_ask(
        &self,
        ctx: &RequestContext,
        key_id: &str,
        action: &'static str,
        algorithm: &str,
        message_type: Option<&str>,
        message: Blob,
    ) -> Result<SignAsk, KmsError> {
        let extra = |_: &KeyRecord, c: &mut Context| c.set("kms:SigningAlgorithm", algorithm);
        let ask = Ask::new(action).extra(&extra);
        let usable = self.key_for(ctx, key_id, Usage::SignVerify, &ask).await?;
        let spec = usable.spec;
        let algorithm = SigningAlgorithm::from_aws(algorithm)
            .filter(|a| spec_info(spec).signing.contains(a))
            .ok_or_else(|| algorithm_error(algorithm, spec.as_aws()))?;
        let type_name = message_type.unwrap_or("RAW");
        let message_type = MessageType::from_aws(type_name).ok_or_else(|| {
            KmsError::Validation(format!("MessageType {type_name} is not valid."))
        })?;
        check_message(spec, algorithm, message_type, message.as_bytes().len())?;
        Ok(SignAsk {
            usable,
            algorithm,
            message_type,
            message,
        })
    }
}

impl DeriveSharedSecret for KmsService {
    async fn derive_shared_secret(
        &self,
        ctx: &RequestContext,
        input: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let algorithm = required(input.key_agreement_algorithm, "keyAgreementAlgorithm")?;
        let peer = required(input.public_key, "publicKey")?;
        let attested = self.recipient(input.recipient.as_ref())?;
        let name = algorithm.as_str();
        let extra = |_: &KeyRecord, c: &mut Context| c.set("kms:KeyAgreementAlgorithm", name);
        let ask = Ask::new("kms:DeriveSharedSecret")
            .extra(&extra)
            .recipient(attested.as_ref());
        let usable = self
            .key_for(ctx, &key_id, Usage::KeyAgreement, &ask)
            .await?;
        let supported = KeyAgreementAlgorithm::from_aws(algorithm.as_str())
            .is_some_and(|a| spec_info(usable.spec).agreement.contains(&a));
        if !supported {
            return Err(algorithm_error(algorithm.as_str(), usable.spec.as_aws()));
        }
        let secret = usable
            .material
            .derive_shared_secret(peer.as_bytes())
            .map_err(material_error)?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let (shared, for_recipient) = match attested {
            Some(a) => (None, Some(Blob(a.envelope(&secret)?))),
            None => (Some(Blob(secret.to_vec())), None),
        };
        Ok(DeriveSharedSecretResponse {
            key_id: Some(usable.key.arn()),
            shared_secret: shared,
            ciphertext_for_recipient: for_recipient,
            key_agreement_algorithm: Some(algorithm),
            key_origin: enum_value(&usable.key.origin),
        })
    }
}

impl Encapsulate for KmsService {
    async fn encapsulate(
        &self,
        ctx: &RequestContext,
        input: EncapsulateRequest,
    ) -> Result<EncapsulateResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let algorithm = required(input.encapsulation_algorithm, "encapsulationAlgorithm")?;
        let usable = self
            .kem_key(ctx, &key_id, "kms:Encapsulate", algorithm.as_str())
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let (ciphertext, secret) = usable.material.encapsulate().map_err(material_error)?;
        Ok(EncapsulateResponse {
            key_id: Some(usable.key.arn()),
            shared_secret: Some(Blob(secret.to_vec())),
            shared_secret_ciphertext_blob: Some(Blob(ciphertext)),
            encapsulation_algorithm: Some(algorithm),
        })
    }
}

impl Decapsulate for KmsService {
    async fn decapsulate(
        &self,
        ctx: &RequestContext,
        input: DecapsulateRequest,
    ) -> Result<DecapsulateResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let algorithm = required(input.encapsulation_algorithm, "encapsulationAlgorithm")?;
        let ciphertext = required(
            input.shared_secret_ciphertext_blob,
            "sharedSecretCiphertextBlob",
        )?;
        let usable = self
            .kem_key(ctx, &key_id, "kms:Decapsulate", algorithm.as_str())
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let secret = usable
            .material
            .decapsulate(ciphertext.as_bytes())
            .map_err(material_error)?;
        Ok(DecapsulateResponse {
            key_id: Some(usable.key.arn()),
            shared_secret: Some(Blob(secret.to_vec())),
            encapsulation_algorithm: Some(algorithm),
        })
    }
}

impl KmsService {
    /// An ENCAPSULATE_DECAPSULATE key for `operation` with the ML_KEM algorithm.
    async fn kem_key(
        &self,
        ctx: &RequestContext,
        key_id: &str,
        action: &'static str,
        algorithm: &str,
    ) -> Result<UsableKey, KmsError> {
        let ask = Ask::new(action);
        let usable = self
            .key_for(ctx, key_id, Usage::EncapsulateDecapsulate, &ask)
            .await?;
        if algorithm != ML_KEM || !is_ml_kem(usable.spec) {
            return Err(algorithm_error(algorithm, usable.spec.as_aws()));
        }
        Ok(usable)
    }
}

/// Whether keys of `spec` have a public key (every asymmetric spec).
fn has_public_key(spec: Spec) -> bool {
    !matches!(
        spec,
        Spec::Symmetric | Spec::Hmac224 | Spec::Hmac256 | Spec::Hmac384 | Spec::Hmac512
    )
}

fn is_ml_kem(spec: Spec) -> bool {
    matches!(spec, Spec::MlKem512 | Spec::MlKem768 | Spec::MlKem1024)
}

/// The algorithm list GetPublicKey shows for the key's usage.
fn add_algorithms(out: &mut GetPublicKeyResponse, info: &SpecInfo, usage: Option<Usage>) {
    match usage {
        Some(Usage::EncryptDecrypt) => {
            out.encryption_algorithms = Some(names(info.encryption, |a| a.as_aws()));
        }
        Some(Usage::SignVerify) => {
            out.signing_algorithms = Some(names(info.signing, |a| a.as_aws()));
        }
        Some(Usage::KeyAgreement) => {
            out.key_agreement_algorithms = Some(names(info.agreement, |a| a.as_aws()));
        }
        Some(Usage::EncapsulateDecapsulate) => {
            out.encapsulation_algorithms = enum_value(ML_KEM).map(|a| vec![a]);
        }
        Some(Usage::GenerateVerifyMac) | None => {}
    }
}

/// Wire enum values of `items`, named by `name`.
fn names<A: Copy, T: for<'a> From<&'a str>>(items: &[A], name: fn(A) -> &'static str) -> Vec<T> {
    items.iter().filter_map(|a| enum_value(name(*a))).collect()
}
