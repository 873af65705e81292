//! Cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext),
//! GenerateRandom. Plaintext and data keys are never stored or logged.

use super::required;
use crate::KmsService;
use crate::convert::{self, symmetric_default};
use crate::domain::{
    KeyRecord, KmsError, check_symmetric_algorithm, data_key_len, is_key_id, random_len,
};
use crate::generated::shapes::{
    DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse, GenerateDataKeyRequest,
    GenerateDataKeyResponse, GenerateDataKeyWithoutPlaintextRequest,
    GenerateDataKeyWithoutPlaintextResponse, GenerateRandomRequest, GenerateRandomResponse,
    ReEncryptRequest, ReEncryptResponse,
};
use rampart_core::RequestContext;
use rampart_crypto::symmetric::{self, BlobHeader};
use rampart_wire::codec::Blob;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// What a data-key request asks for, from either GenerateDataKey flavour.
struct DataKeyAsk {
    key_id: Option<String>,
    key_spec: Option<String>,
    number_of_bytes: Option<i64>,
    context: BTreeMap<String, String>,
    dry_run: bool,
    recipient: bool,
}

impl KmsService {
    pub(crate) async fn encrypt_op(
        &self,
        ctx: &RequestContext,
        input: EncryptRequest,
    ) -> Result<EncryptResponse, KmsError> {
        let key_id = required(input.key_id, "keyId")?;
        let plaintext = required(input.plaintext, "plaintext")?;
        let key = self.usable_key(ctx, &key_id).await?;
        check_symmetric_algorithm(
            &key.arn(),
            input
                .encryption_algorithm
                .as_ref()
                .map(|v| v.as_str().to_owned())
                .as_deref(),
        )?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let blob = self
            .seal(
                &key,
                plaintext.as_bytes(),
                &convert::context(input.encryption_context),
            )
            .await?;
        Ok(EncryptResponse {
            ciphertext_blob: Some(Blob(blob)),
            key_id: Some(key.arn()),
            encryption_algorithm: symmetric_default(),
        })
    }

    pub(crate) async fn decrypt_op(
        &self,
        ctx: &RequestContext,
        input: DecryptRequest,
    ) -> Result<DecryptResponse, KmsError> {
        let blob = required(input.ciphertext_blob, "ciphertextBlob")?;
        if input.recipient.is_some() {
            return Err(KmsError::Unsupported(
                "Recipient is not supported by Rampart yet.".into(),
            ));
        }
        let algorithm = input
            .encryption_algorithm
            .as_ref()
            .map(|v| v.as_str().to_owned());
        let context = convert::context(input.encryption_context);
        let (key, plaintext) = self
            .open(
                ctx,
                blob.as_bytes(),
                input.key_id.as_deref(),
                algorithm.as_deref(),
                &context,
            )
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        Ok(DecryptResponse {
            key_id: Some(key.arn()),
            plaintext: Some(Blob(plaintext.to_vec())),
            encryption_algorithm: symmetric_default(),
            ..Default::default()
        })
    }

    pub(crate) async fn re_encrypt_op(
        &self,
        ctx: &RequestContext,
        input: ReEncryptRequest,
    ) -> Result<ReEncryptResponse, KmsError> {
        let blob = required(input.ciphertext_blob, "ciphertextBlob")?;
        let destination = required(input.destination_key_id, "destinationKeyId")?;
        let source_algorithm = input
            .source_encryption_algorithm
            .as_ref()
            .map(|v| v.as_str().to_owned());
        let source_context = convert::context(input.source_encryption_context);
        let (source, plaintext) = self
            .open(
                ctx,
                blob.as_bytes(),
                input.source_key_id.as_deref(),
                source_algorithm.as_deref(),
                &source_context,
            )
            .await?;
        let target = self.usable_key(ctx, &destination).await?;
        let target_algorithm = input
            .destination_encryption_algorithm
            .as_ref()
            .map(|v| v.as_str().to_owned());
        check_symmetric_algorithm(&target.arn(), target_algorithm.as_deref())?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let sealed = self
            .seal(
                &target,
                &plaintext,
                &convert::context(input.destination_encryption_context),
            )
            .await?;
        Ok(ReEncryptResponse {
            ciphertext_blob: Some(Blob(sealed)),
            source_key_id: Some(source.arn()),
            key_id: Some(target.arn()),
            source_encryption_algorithm: symmetric_default(),
            destination_encryption_algorithm: symmetric_default(),
            ..Default::default()
        })
    }

    pub(crate) async fn generate_data_key_op(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse, KmsError> {
        let ask = DataKeyAsk {
            key_id: input.key_id,
            key_spec: input.key_spec.as_ref().map(|v| v.as_str().to_owned()),
            number_of_bytes: input.number_of_bytes.map(i64::from),
            context: convert::context(input.encryption_context),
            dry_run: input.dry_run == Some(true),
            recipient: input.recipient.is_some(),
        };
        let (key, plaintext, blob) = self.data_key(ctx, ask).await?;
        Ok(GenerateDataKeyResponse {
            ciphertext_blob: Some(Blob(blob)),
            plaintext: Some(Blob(plaintext.to_vec())),
            key_id: Some(key.arn()),
            ..Default::default()
        })
    }

    pub(crate) async fn generate_data_key_without_plaintext_op(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse, KmsError> {
        let ask = DataKeyAsk {
            key_id: input.key_id,
            key_spec: input.key_spec.as_ref().map(|v| v.as_str().to_owned()),
            number_of_bytes: input.number_of_bytes.map(i64::from),
            context: convert::context(input.encryption_context),
            dry_run: input.dry_run == Some(true),
            recipient: false,
        };
        let (key, _plaintext, blob) = self.data_key(ctx, ask).await?;
        Ok(GenerateDataKeyWithoutPlaintextResponse {
            ciphertext_blob: Some(Blob(blob)),
            key_id: Some(key.arn()),
            ..Default::default()
        })
    }

    pub(crate) async fn generate_random_op(
        &self,
        input: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse, KmsError> {
        if input.custom_key_store_id.is_some() {
            return Err(KmsError::Unsupported(
                "Custom key stores are not supported by Rampart yet.".into(),
            ));
        }
        if input.recipient.is_some() {
            return Err(KmsError::Unsupported(
                "Recipient is not supported by Rampart yet.".into(),
            ));
        }
        let len = random_len(input.number_of_bytes.map(i64::from))?;
        Ok(GenerateRandomResponse {
            plaintext: Some(Blob(rampart_crypto::random::bytes(len))),
            ..Default::default()
        })
    }

    /// A fresh data key and its ciphertext under the requested key.
    async fn data_key(
        &self,
        ctx: &RequestContext,
        ask: DataKeyAsk,
    ) -> Result<(KeyRecord, Zeroizing<Vec<u8>>, Vec<u8>), KmsError> {
        let key_id = required(ask.key_id, "keyId")?;
        let len = data_key_len(ask.key_spec.as_deref(), ask.number_of_bytes)?;
        let key = self.usable_key(ctx, &key_id).await?;
        if ask.recipient {
            return Err(KmsError::Unsupported(
                "Recipient is not supported by Rampart yet.".into(),
            ));
        }
        if ask.dry_run {
            return Err(KmsError::DryRun);
        }
        let plaintext = Zeroizing::new(rampart_crypto::random::bytes(len));
        let blob = self.seal(&key, &plaintext, &ask.context).await?;
        Ok((key, plaintext, blob))
    }

    /// Encrypts under the key's current backing key.
    async fn seal(
        &self,
        key: &KeyRecord,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, KmsError> {
        let version = key.backing_version;
        let backing = self
            .vault
            .backing_key(&self.tables, key, version)
            .await?
            .ok_or_else(|| {
                KmsError::Internal(format!(
                    "backing key v{version} of {} is missing",
                    key.key_id
                ))
            })?;
        let header = BlobHeader {
            key_id: key.key_id.clone(),
            backing_version: version,
        };
        let backing = backing.symmetric().ok_or_else(|| not_symmetric(key))?;
        Ok(symmetric::encrypt(backing, &header, plaintext, context))
    }

    /// Finds the ciphertext's key (checking it against `key_id` when given) and decrypts.
    async fn open(
        &self,
        ctx: &RequestContext,
        blob: &[u8],
        key_id: Option<&str>,
        algorithm: Option<&str>,
        context: &BTreeMap<String, String>,
    ) -> Result<(KeyRecord, Zeroizing<Vec<u8>>), KmsError> {
        let header = symmetric::parse_header(blob).map_err(|_| KmsError::InvalidCiphertext)?;
        if !is_key_id(&header.key_id) {
            return Err(KmsError::InvalidCiphertext);
        }
        let key = self
            .cached_key(ctx, key_id.unwrap_or(&header.key_id))
            .await?;
        if key.key_id != header.key_id {
            return Err(KmsError::IncorrectKey(
                "The key ID in the request does not identify a CMK that can perform this operation.".into(),
            ));
        }
        key.require_usable()?;
        check_symmetric_algorithm(&key.arn(), algorithm)?;
        let backing = self
            .vault
            .backing_key(&self.tables, &key, header.backing_version)
            .await?;
        let backing = backing.ok_or(KmsError::InvalidCiphertext)?;
        let backing = backing.symmetric().ok_or_else(|| not_symmetric(&key))?;
        let plaintext =
            symmetric::decrypt(backing, blob, context).map_err(|_| KmsError::InvalidCiphertext)?;
        Ok((key, plaintext))
    }
}

/// The error for a symmetric-blob operation on a key whose material is not symmetric.
fn not_symmetric(key: &KeyRecord) -> KmsError {
    KmsError::InvalidKeyUsage(format!(
        "{} key usage is {} which is not valid for this operation.",
        key.arn(),
        key.key_usage
    ))
}
