//! SecureString values through KMS, as the caller: Encrypt on put (the default key is the
//! account's AWS-managed `alias/aws/ssm`, created on first use), Decrypt on reads with
//! decryption, both under the encryption context `{"PARAMETER_ARN": <arn>}`. KMS's refusals
//! come back the way SSM relays them: its message with the KMS error appended. Each KMS
//! request is metered and audited as a KMS call of its own (`KmsService::via_service`).

use crate::SsmService;
use crate::generated::ServiceError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rampart_codec::Blob;
use rampart_core::RequestContext;
use rampart_crypto::data_key_envelope as envelope;
use rampart_kms::domain::KmsError;
use rampart_kms::generated::{DataKeySpec, GenerateDataKeyRequest};
use rampart_kms::generated::{DecryptRequest, EncryptRequest};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// The key id PutParameter records when the caller named none.
pub const DEFAULT_KEY: &str = "alias/aws/ssm";

fn context(arn: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("PARAMETER_ARN".to_owned(), arn.to_owned())])
}

/// The largest plaintext KMS Encrypt takes; larger values go in an envelope.
const KMS_MAX: usize = 4096;

impl SsmService {
    /// Encrypts `plaintext` for parameter `arn` under `key_id` (the default key when `None`):
    /// the base64 stored form, and whether it is an envelope (values over 4 KB).
    pub(crate) async fn seal(
        &self,
        ctx: &RequestContext,
        key_id: Option<&str>,
        arn: &str,
        plaintext: &str,
    ) -> Result<(String, bool), ServiceError> {
        let key = match key_id {
            Some(k) if k != DEFAULT_KEY => k.to_owned(),
            _ => self.default_key(ctx).await?,
        };
        if plaintext.len() > KMS_MAX {
            let sealed = self.seal_envelope(ctx, key, arn, plaintext).await?;
            return Ok((STANDARD.encode(sealed), true));
        }
        let request = EncryptRequest {
            key_id: Some(key),
            plaintext: Some(Blob(plaintext.as_bytes().to_vec())),
            encryption_context: Some(context(arn)),
            ..EncryptRequest::default()
        };
        let response = self.kms.via_service("ssm", ctx, request).await;
        let response = response.map_err(relay)?;
        let blob = response.ciphertext_blob.ok_or_else(missing)?;
        Ok((STANDARD.encode(blob.as_bytes()), false))
    }

    /// An envelope of `plaintext` under a fresh data key of `key`.
    async fn seal_envelope(
        &self,
        ctx: &RequestContext,
        key: String,
        arn: &str,
        plaintext: &str,
    ) -> Result<Vec<u8>, ServiceError> {
        let request = GenerateDataKeyRequest {
            key_id: Some(key),
            key_spec: Some(DataKeySpec::Aes256),
            encryption_context: Some(context(arn)),
            ..GenerateDataKeyRequest::default()
        };
        let response = self.kms.via_service("ssm", ctx, request).await;
        let response = response.map_err(relay)?;
        let data_key = Zeroizing::new(response.plaintext.ok_or_else(missing)?.into_inner());
        let encrypted = response.ciphertext_blob.ok_or_else(missing)?;
        envelope::seal(&data_key, encrypted.as_bytes(), arn, plaintext.as_bytes())
            .ok_or_else(missing)
    }

    /// Decrypts the stored form of parameter `arn`'s value as the caller.
    pub(crate) async fn open(
        &self,
        ctx: &RequestContext,
        arn: &str,
        stored: &str,
        is_envelope: bool,
    ) -> Result<String, ServiceError> {
        let bytes = STANDARD.decode(stored).map_err(|_| missing())?;
        let blob = match is_envelope {
            true => envelope::encrypted_key(&bytes)
                .ok_or_else(missing)?
                .to_vec(),
            false => bytes.clone(),
        };
        let request = DecryptRequest {
            ciphertext_blob: Some(Blob(blob)),
            encryption_context: Some(context(arn)),
            ..DecryptRequest::default()
        };
        let response = self.kms.via_service("ssm", ctx, request).await;
        let response = response.map_err(relay)?;
        let plain = Zeroizing::new(response.plaintext.ok_or_else(missing)?.into_inner());
        let value = match is_envelope {
            true => envelope::open(&plain, arn, &bytes)
                .ok_or_else(missing)?
                .to_vec(),
            false => plain.to_vec(),
        };
        String::from_utf8(value).map_err(|_| missing())
    }

    /// The ARN of the account's `alias/aws/ssm` key, created on first use.
    async fn default_key(&self, ctx: &RequestContext) -> Result<String, ServiceError> {
        let key = self
            .kms
            .aws_managed_key(ctx.account().as_str(), ctx.region.as_str(), "ssm")
            .await
            .map_err(relay)?;
        Ok(key.arn())
    }
}

fn missing() -> ServiceError {
    tracing::error!("KMS answered without the expected field, or a stored value is corrupt");
    ServiceError::new("InternalServerError", 500, "An internal error occurred.")
}

/// A KMS error as SSM relays it: AccessDeniedException stays one; a missing, disabled or
/// pending-deletion key (or one that cannot encrypt) is InvalidKeyId; both carry KMS's message
/// with the "(Service: AWSKMS; ...)" suffix AWS appends. Doubt: AWS's request id in the suffix
/// is KMS's own; Rampart has one request id per call, so it repeats that.
fn relay(err: KmsError) -> ServiceError {
    let code = err.code();
    let outer = match &err {
        KmsError::AccessDenied(_) => "AccessDeniedException",
        KmsError::NotFound(_)
        | KmsError::Disabled(_)
        | KmsError::InvalidState(_)
        | KmsError::InvalidKeyUsage(_)
        | KmsError::InvalidArn(_)
        | KmsError::Validation(_) => "InvalidKeyId",
        _ => {
            let service: ServiceError = err.into();
            tracing::error!(code = %service.code, "KMS refused a Parameter Store call");
            return ServiceError::new("InternalServerError", 500, "An internal error occurred.");
        }
    };
    let service: ServiceError = err.into();
    let message = format!(
        "{} (Service: AWSKMS; Status Code: 400; Error Code: {code}; Proxy: null)",
        service.message
    );
    ServiceError::new(outer, 400, message)
}
