//! Version values through KMS, as the caller: GenerateDataKey on write (the default key is
//! the account's AWS-managed `alias/aws/secretsmanager`, created on first use) and Decrypt of
//! the stored data key on read, both under the encryption context
//! `{"SecretARN": <arn>, "SecretVersionId": <id>}`. The value itself is sealed locally with
//! AES-256-GCM under the data key (`envelope`). Each KMS request is metered and audited as a
//! KMS call of its own (`KmsService::via_service`).

use crate::SecretsManagerService;
use crate::generated::ServiceError;
use crate::generated::errors::{decryption_failure, encryption_failure};
use crate::record::ValueRecord;
use crate::service::internal_error;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::Blob;
use rampart_core::RequestContext;
use rampart_crypto::data_key_envelope as envelope;
use rampart_kms::domain::KmsError;
use rampart_kms::generated::{DataKeySpec, DecryptRequest, GenerateDataKeyRequest};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// The default key's alias.
pub const DEFAULT_KEY: &str = "alias/aws/secretsmanager";

fn context(arn: &str, version_id: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("SecretARN".to_owned(), arn.to_owned()),
        ("SecretVersionId".to_owned(), version_id.to_owned()),
    ])
}

/// The associated data binding an envelope to its secret and version.
fn aad(arn: &str, version_id: &str) -> String {
    format!("{arn}\n{version_id}")
}

/// A sealed value: the key that sealed it and the base64 envelope.
pub struct Sealed {
    pub key_arn: String,
    pub sealed: String,
}

impl SecretsManagerService {
    /// Seals `plaintext` as version `version_id` of secret `arn` under `key_id` (the default
    /// key when `None`).
    pub(crate) async fn seal(
        &self,
        ctx: &RequestContext,
        key_id: Option<&str>,
        arn: &str,
        version_id: &str,
        plaintext: &[u8],
    ) -> Result<Sealed, ServiceError> {
        let key = match key_id {
            Some(k) if k != DEFAULT_KEY => k.to_owned(),
            _ => self.default_key(ctx).await?,
        };
        let request = GenerateDataKeyRequest {
            key_id: Some(key),
            key_spec: Some(DataKeySpec::Aes256),
            encryption_context: Some(context(arn, version_id)),
            ..GenerateDataKeyRequest::default()
        };
        let response = self.kms.via_service("secretsmanager", ctx, request).await;
        let response = response.map_err(|e| relay(e, true))?;
        let data_key = Zeroizing::new(response.plaintext.ok_or_else(missing)?.into_inner());
        let encrypted = response.ciphertext_blob.ok_or_else(missing)?;
        let key_arn = response.key_id.ok_or_else(missing)?;
        let aad = aad(arn, version_id);
        let sealed =
            envelope::seal(&data_key, encrypted.as_bytes(), &aad, plaintext).ok_or_else(missing)?;
        Ok(Sealed {
            key_arn,
            sealed: STANDARD.encode(sealed),
        })
    }

    /// Opens `value`, version `version_id` of secret `arn`, as the caller: its current
    /// sealing, or else one of its earlier ones (the caller may hold `kms:Decrypt` on the
    /// earlier key only).
    pub(crate) async fn open(
        &self,
        ctx: &RequestContext,
        arn: &str,
        version_id: &str,
        value: &ValueRecord,
    ) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
        let first = self.open_one(ctx, arn, version_id, &value.sealed).await;
        let Err(err) = first else {
            return first;
        };
        for earlier in &value.earlier {
            if let Ok(plain) = self.open_one(ctx, arn, version_id, &earlier.sealed).await {
                return Ok(plain);
            }
        }
        Err(err)
    }

    /// Opens one sealing of version `version_id` of secret `arn` as the caller.
    async fn open_one(
        &self,
        ctx: &RequestContext,
        arn: &str,
        version_id: &str,
        sealed: &str,
    ) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| missing())?;
        let edk = envelope::encrypted_key(&bytes).ok_or_else(missing)?;
        let request = DecryptRequest {
            ciphertext_blob: Some(Blob(edk.to_vec())),
            encryption_context: Some(context(arn, version_id)),
            ..DecryptRequest::default()
        };
        let response = self.kms.via_service("secretsmanager", ctx, request).await;
        let response = response.map_err(|e| relay(e, false))?;
        let data_key = Zeroizing::new(response.plaintext.ok_or_else(missing)?.into_inner());
        envelope::open(&data_key, &aad(arn, version_id), &bytes).ok_or_else(missing)
    }

    /// The ARN of the account's `alias/aws/secretsmanager` key, created on first use.
    async fn default_key(&self, ctx: &RequestContext) -> Result<String, ServiceError> {
        let key = self
            .kms
            .aws_managed_key(
                ctx.account().as_str(),
                ctx.region.as_str(),
                "secretsmanager",
            )
            .await
            .map_err(|e| relay(e, true))?;
        Ok(key.arn())
    }
}

fn missing() -> ServiceError {
    tracing::error!("KMS answered without the expected field, or a stored value is corrupt");
    internal_error()
}

/// A KMS error as Secrets Manager relays it: a refusal is AccessDeniedException ("Access to
/// KMS is not allowed"); an unusable key is EncryptionFailure or DecryptionFailure with KMS's
/// message; anything else is an internal error.
pub(crate) fn relay(err: KmsError, sealing: bool) -> ServiceError {
    match &err {
        KmsError::AccessDenied(_) => {
            ServiceError::new("AccessDeniedException", 400, "Access to KMS is not allowed")
        }
        KmsError::NotFound(_)
        | KmsError::Disabled(_)
        | KmsError::InvalidState(_)
        | KmsError::InvalidKeyUsage(_)
        | KmsError::InvalidArn(_)
        | KmsError::Validation(_) => {
            let service: ServiceError = err.into();
            match sealing {
                true => encryption_failure(service.message),
                false => decryption_failure(service.message),
            }
        }
        _ => {
            let service: ServiceError = err.into();
            tracing::error!(code = %service.code, "KMS refused a Secrets Manager call");
            internal_error()
        }
    }
}
