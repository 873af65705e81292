//! GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a fresh asymmetric key pair whose
//! PKCS#8 private key is encrypted under a symmetric KMS key exactly as Encrypt would (so Decrypt
//! of PrivateKeyCiphertextBlob returns the PKCS#8 bytes). Nothing about the pair is stored.

use super::cipher::encryption_target;
use super::required;
use crate::KmsService;
use crate::authz::Ask;
use crate::convert::{self, enum_value};
use crate::domain::{KeyRecord, KmsError, data_key_pair_spec, material_error};
use crate::generated::enums::DataKeyPairSpec;
use crate::generated::shapes::{
    GenerateDataKeyPairRequest, GenerateDataKeyPairResponse,
    GenerateDataKeyPairWithoutPlaintextRequest, GenerateDataKeyPairWithoutPlaintextResponse,
};
use crate::generated::{GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext};
use rampart_codec::Blob;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_crypto::material::{Material, Spec, spec_info};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// What either GenerateDataKeyPair flavour asks for.
struct PairAsk {
    operation: &'static str,
    action: &'static str,
    key_id: Option<String>,
    pair_spec: Option<DataKeyPairSpec>,
    context: BTreeMap<String, String>,
    dry_run: bool,
}

/// A generated pair: the KMS key's ARN, PKCS#8 private key, its ciphertext and the SPKI public key.
struct Pair {
    key_arn: String,
    spec: DataKeyPairSpec,
    private_plaintext: Zeroizing<Vec<u8>>,
    private_ciphertext: Vec<u8>,
    public_key: Vec<u8>,
    material_id: Option<String>,
}

impl GenerateDataKeyPair for KmsService {
    async fn generate_data_key_pair(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let attested = self.recipient(input.recipient.as_ref())?;
        let ask = PairAsk {
            operation: "GenerateDataKeyPair",
            action: "kms:GenerateDataKeyPair",
            key_id: input.key_id,
            pair_spec: input.key_pair_spec,
            context: convert::context(input.encryption_context),
            dry_run: input.dry_run == Some(true),
        };
        let pair = self.data_key_pair(ctx, ask, attested.as_ref()).await?;
        // With a Recipient the private key goes only to the enclave.
        let (plain, for_recipient) = match attested {
            Some(a) => (None, Some(Blob(a.envelope(&pair.private_plaintext)?))),
            None => (Some(Blob(pair.private_plaintext.to_vec())), None),
        };
        Ok(GenerateDataKeyPairResponse {
            key_id: Some(pair.key_arn),
            key_pair_spec: Some(pair.spec),
            private_key_ciphertext_blob: Some(Blob(pair.private_ciphertext)),
            private_key_plaintext: plain,
            public_key: Some(Blob(pair.public_key)),
            key_material_id: pair.material_id,
            ciphertext_for_recipient: for_recipient,
        })
    }
}

impl GenerateDataKeyPairWithoutPlaintext for KmsService {
    async fn generate_data_key_pair_without_plaintext(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let ask = PairAsk {
            operation: "GenerateDataKeyPairWithoutPlaintext",
            action: "kms:GenerateDataKeyPairWithoutPlaintext",
            key_id: input.key_id,
            pair_spec: input.key_pair_spec,
            context: convert::context(input.encryption_context),
            dry_run: input.dry_run == Some(true),
        };
        let pair = self.data_key_pair(ctx, ask, None).await?;
        Ok(GenerateDataKeyPairWithoutPlaintextResponse {
            key_id: Some(pair.key_arn),
            key_pair_spec: Some(pair.spec),
            private_key_ciphertext_blob: Some(Blob(pair.private_ciphertext)),
            public_key: Some(Blob(pair.public_key)),
            key_material_id: pair.material_id,
        })
    }
}

impl KmsService {
    /// Checks the request, generates the pair and encrypts its private key under the KMS key.
    async fn data_key_pair(
        &self,
        ctx: &RequestContext,
        ask: PairAsk,
        recipient: Option<&crate::recipient::Attested>,
    ) -> Result<Pair, KmsError> {
        let key_id = required(ask.key_id, "keyId")?;
        let pair_spec = required(ask.pair_spec, "keyPairSpec")?;
        let spec = data_key_pair_spec(pair_spec.as_str())?;
        let pair_name = pair_spec.as_str();
        let extra = |_: &KeyRecord, c: &mut Context| {
            c.set("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
            c.set("kms:DataKeyPairSpec", pair_name);
        };
        let authz = Ask::new(ask.action)
            .context(&ask.context)
            .extra(&extra)
            .recipient(recipient);
        let key = self.usable_key(ctx, &key_id, &authz).await?;
        let algorithm = encryption_target(&key, None, ask.operation, 0, &ask.context)?;
        if !spec_info(spec).supported {
            return Err(KmsError::Unsupported(format!(
                "KeyPairSpec {} is not supported by Rampart.",
                spec.as_aws()
            )));
        }
        if ask.dry_run {
            return Err(KmsError::DryRun);
        }
        let material = generate(spec).await?;
        let private_plaintext = material.to_bytes();
        let public_key = material.public_key_der().map_err(material_error)?;
        let sealed = self
            .seal(&key, algorithm, &private_plaintext, &ask.context)
            .await?;
        Ok(Pair {
            key_arn: key.arn(),
            spec: enum_value(spec.as_aws()).unwrap_or(pair_spec),
            private_plaintext,
            private_ciphertext: sealed.blob,
            public_key,
            material_id: sealed.material_id,
        })
    }
}

/// Fresh material of `spec`, generated off the async workers (RSA-4096 takes a while).
async fn generate(spec: Spec) -> Result<Material, KmsError> {
    crate::crypto::generate_material(spec)
        .await?
        .map_err(material_error)
}
