//! Cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext),
//! GenerateRandom. Symmetric keys use the KMS blob format (key id and backing version inside);
//! RSA keys produce raw RSAES-OAEP output, so their Decrypt needs KeyId and EncryptionAlgorithm.
//! Plaintext and data keys are never stored or logged.

use super::required;
use crate::KmsService;
use crate::authz::Ask;
use crate::authz::context::bool_text;
use crate::convert::{self, KEY_RESOURCE};
use crate::crypto::{Backing, spec_of};
use crate::domain::KmsArns;
use crate::domain::{
    KeyRecord, KmsError, check_plaintext_len, context_not_supported, data_key_len,
    encryption_algorithm, is_key_id, material_error, random_len, require_usage,
};
use crate::generated::enums::EncryptionAlgorithmSpec;
use crate::generated::shapes::{
    DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse, GenerateDataKeyRequest,
    GenerateDataKeyResponse, GenerateDataKeyWithoutPlaintextRequest,
    GenerateDataKeyWithoutPlaintextResponse, GenerateRandomRequest, GenerateRandomResponse,
    ReEncryptRequest, ReEncryptResponse,
};
use crate::generated::{
    Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom, ReEncrypt,
};
use crate::recipient::Attested;
use rampart_codec::Blob;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use rampart_crypto::material::{EncryptionAlgorithm, Usage};
use rampart_crypto::symmetric::{self, BlobHeader};
use std::collections::BTreeMap;
use std::sync::Arc;
use zeroize::Zeroizing;

/// What a data-key request asks for, from either GenerateDataKey flavour.
struct DataKeyAsk {
    operation: &'static str,
    action: &'static str,
    key_id: Option<String>,
    key_spec: Option<String>,
    number_of_bytes: Option<i64>,
    context: BTreeMap<String, String>,
    dry_run: bool,
}

/// The [`DataKeyAsk`] of a GenerateDataKey or GenerateDataKeyWithoutPlaintext request.
macro_rules! data_key_ask {
    ($input:ident, $operation:literal) => {
        DataKeyAsk {
            operation: $operation,
            action: concat!("kms:", $operation),
            key_id: $input.key_id,
            key_spec: $input.key_spec.as_ref().map(|v| v.as_str().to_owned()),
            number_of_bytes: $input.number_of_bytes.map(i64::from),
            context: convert::context($input.encryption_context),
            dry_run: $input.dry_run == Some(true),
        }
    };
}

/// A ciphertext to open and what the request says about it (Decrypt, ReEncrypt's source).
struct OpenAsk<'a> {
    operation: &'static str,
    /// ReEncrypt: the destination key's ARN (kms:ReEncryptOnSameKey).
    destination: Option<&'a str>,
    blob: &'a [u8],
    key_id: Option<&'a str>,
    algorithm: Option<&'a str>,
    context: &'a BTreeMap<String, String>,
    /// Decrypt's verified `Recipient` (its condition keys).
    recipient: Option<&'a Attested>,
}

/// An opened ciphertext: its key, the algorithm it was encrypted with, the `KeyMaterialId` of
/// the material that decrypted it and the plaintext.
struct Opened {
    key: KeyRecord,
    algorithm: EncryptionAlgorithm,
    material_id: Option<String>,
    plaintext: Zeroizing<Vec<u8>>,
}

/// A ciphertext made by [`KmsService::seal`] and the `KeyMaterialId` of the material used.
pub(super) struct Sealed {
    pub(super) blob: Vec<u8>,
    pub(super) material_id: Option<String>,
}

/// The name of the encryption algorithm a request gives, if any.
fn name_of(given: &Option<EncryptionAlgorithmSpec>) -> Option<&str> {
    given.as_ref().map(EncryptionAlgorithmSpec::as_str)
}

/// The wire name of an encryption algorithm.
fn algorithm_out<T: for<'a> From<&'a str>>(algorithm: EncryptionAlgorithm) -> Option<T> {
    convert::enum_value(algorithm.as_aws())
}

impl Encrypt for KmsService {
    async fn encrypt(
        &self,
        ctx: &RequestContext,
        input: EncryptRequest,
    ) -> Result<EncryptResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let key_id = required(input.key_id, "keyId")?;
        let plaintext = required(input.plaintext, "plaintext")?;
        let context = convert::context(input.encryption_context);
        let named = name_of(&input.encryption_algorithm);
        let extra = algorithm_keys(named.unwrap_or(SYMMETRIC_DEFAULT), None);
        let ask = Ask::new("kms:Encrypt").context(&context).extra(&extra);
        let key = self.usable_key(ctx, &key_id, &ask).await?;
        let algorithm =
            encryption_target(&key, named, "Encrypt", plaintext.as_bytes().len(), &context)?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let sealed = self
            .seal(&key, algorithm, plaintext.as_bytes(), &context)
            .await?;
        Ok(EncryptResponse {
            ciphertext_blob: Some(Blob(sealed.blob)),
            key_id: Some(key.arn()),
            encryption_algorithm: algorithm_out(algorithm),
        })
    }
}

impl Decrypt for KmsService {
    async fn decrypt(
        &self,
        ctx: &RequestContext,
        input: DecryptRequest,
    ) -> Result<DecryptResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let blob = required(input.ciphertext_blob, "ciphertextBlob")?;
        let attested = self.recipient(input.recipient.as_ref())?;
        let context = convert::context(input.encryption_context);
        let opened = self
            .open(
                ctx,
                OpenAsk {
                    operation: "Decrypt",
                    destination: None,
                    blob: blob.as_bytes(),
                    key_id: input.key_id.as_deref(),
                    algorithm: name_of(&input.encryption_algorithm),
                    context: &context,
                    recipient: attested.as_ref(),
                },
            )
            .await?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let (plaintext, for_recipient) = match attested {
            Some(a) => (None, Some(Blob(a.envelope(&opened.plaintext)?))),
            None => (Some(Blob(opened.plaintext.to_vec())), None),
        };
        Ok(DecryptResponse {
            key_id: Some(opened.key.arn()),
            plaintext,
            ciphertext_for_recipient: for_recipient,
            encryption_algorithm: algorithm_out(opened.algorithm),
            key_material_id: opened.material_id,
        })
    }
}

impl ReEncrypt for KmsService {
    async fn re_encrypt(
        &self,
        ctx: &RequestContext,
        input: ReEncryptRequest,
    ) -> Result<ReEncryptResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let blob = required(input.ciphertext_blob, "ciphertextBlob")?;
        let destination = required(input.destination_key_id, "destinationKeyId")?;
        let source_context = convert::context(input.source_encryption_context);
        let (target, alias) = self.find_key(ctx, &destination).await?;
        let target_arn = target.arn();
        let ask = OpenAsk {
            operation: "ReEncrypt",
            destination: Some(&target_arn),
            blob: blob.as_bytes(),
            key_id: input.source_key_id.as_deref(),
            algorithm: name_of(&input.source_encryption_algorithm),
            context: &source_context,
            recipient: None,
        };
        let source = self.open(ctx, ask).await?;
        ctx.note_resource(target_arn.clone(), KEY_RESOURCE);
        let context = convert::context(input.destination_encryption_context);
        let named = name_of(&input.destination_encryption_algorithm);
        let source_arn = source.key.arn();
        let extra = algorithm_keys(named.unwrap_or(SYMMETRIC_DEFAULT), Some(&source_arn));
        let to = Ask::new("kms:ReEncryptTo").context(&context).extra(&extra);
        self.authorize_key(ctx, &target, &to, alias.as_deref())
            .await?;
        target.require_usable()?;
        let len = source.plaintext.len();
        let algorithm = encryption_target(&target, named, "ReEncrypt", len, &context)?;
        if input.dry_run == Some(true) {
            return Err(KmsError::DryRun);
        }
        let sealed = self
            .seal(&target, algorithm, &source.plaintext, &context)
            .await?;
        Ok(ReEncryptResponse {
            ciphertext_blob: Some(Blob(sealed.blob)),
            source_key_id: Some(source.key.arn()),
            key_id: Some(target.arn()),
            source_encryption_algorithm: algorithm_out(source.algorithm),
            destination_encryption_algorithm: algorithm_out(algorithm),
            source_key_material_id: source.material_id,
            destination_key_material_id: sealed.material_id,
        })
    }
}

impl GenerateDataKey for KmsService {
    async fn generate_data_key(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let attested = self.recipient(input.recipient.as_ref())?;
        let ask = data_key_ask!(input, "GenerateDataKey");
        let (key, plaintext, sealed) = self.data_key(ctx, ask, attested.as_ref()).await?;
        // With a Recipient, AWS returns neither the plaintext nor the KeyMaterialId.
        let Some(attested) = attested else {
            return Ok(GenerateDataKeyResponse {
                ciphertext_blob: Some(Blob(sealed.blob)),
                plaintext: Some(Blob(plaintext.to_vec())),
                key_id: Some(key.arn()),
                key_material_id: sealed.material_id,
                ..Default::default()
            });
        };
        Ok(GenerateDataKeyResponse {
            ciphertext_blob: Some(Blob(sealed.blob)),
            key_id: Some(key.arn()),
            ciphertext_for_recipient: Some(Blob(attested.envelope(&plaintext)?)),
            ..Default::default()
        })
    }
}

impl GenerateDataKeyWithoutPlaintext for KmsService {
    async fn generate_data_key_without_plaintext(
        &self,
        ctx: &RequestContext,
        input: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse, KmsError> {
        crate::domain::check_grant_tokens(input.grant_tokens.as_deref())?;
        let ask = data_key_ask!(input, "GenerateDataKeyWithoutPlaintext");
        let (key, _plaintext, sealed) = self.data_key(ctx, ask, None).await?;
        Ok(GenerateDataKeyWithoutPlaintextResponse {
            ciphertext_blob: Some(Blob(sealed.blob)),
            key_id: Some(key.arn()),
            key_material_id: sealed.material_id,
        })
    }
}

impl GenerateRandom for KmsService {
    async fn generate_random(
        &self,
        ctx: &RequestContext,
        input: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse, KmsError> {
        let attested = self.recipient(input.recipient.as_ref())?;
        let keys = |c: &mut Context| {
            if let Some(a) = &attested {
                a.set_condition_keys(c);
            }
        };
        self.authorize_identity(ctx, "kms:GenerateRandom", "*", Some(&keys))?;
        if input.custom_key_store_id.is_some() {
            return Err(KmsError::Unsupported(
                "Custom key stores are not supported by Rampart yet.".into(),
            ));
        }
        let len = random_len(input.number_of_bytes.map(i64::from))?;
        let random = Zeroizing::new(rampart_crypto::random::bytes(len));
        Ok(match attested {
            Some(a) => GenerateRandomResponse {
                ciphertext_for_recipient: Some(Blob(a.envelope(&random)?)),
                ..Default::default()
            },
            None => GenerateRandomResponse {
                plaintext: Some(Blob(random.to_vec())),
                ..Default::default()
            },
        })
    }
}

impl KmsService {
    /// A fresh data key and its ciphertext under the requested (symmetric) key.
    async fn data_key(
        &self,
        ctx: &RequestContext,
        ask: DataKeyAsk,
        recipient: Option<&Attested>,
    ) -> Result<(KeyRecord, Zeroizing<Vec<u8>>, Sealed), KmsError> {
        let key_id = required(ask.key_id, "keyId")?;
        let len = data_key_len(ask.key_spec.as_deref(), ask.number_of_bytes)?;
        let extra = algorithm_keys(SYMMETRIC_DEFAULT, None);
        let authz = Ask::new(ask.action)
            .context(&ask.context)
            .extra(&extra)
            .recipient(recipient);
        let key = self.usable_key(ctx, &key_id, &authz).await?;
        let algorithm = encryption_target(&key, None, ask.operation, len, &ask.context)?;
        if ask.dry_run {
            return Err(KmsError::DryRun);
        }
        let plaintext = Zeroizing::new(rampart_crypto::random::bytes(len));
        let sealed = self.seal(&key, algorithm, &plaintext, &ask.context).await?;
        Ok((key, plaintext, sealed))
    }

    /// The key's material of backing version `version`.
    pub(super) async fn material(
        &self,
        key: &KeyRecord,
        version: u32,
    ) -> Result<Option<Arc<Backing>>, KmsError> {
        self.vault.backing_key(&self.tables, key, version).await
    }

    /// The key's current material (missing material is an internal fault).
    pub(super) async fn current_material(&self, key: &KeyRecord) -> Result<Arc<Backing>, KmsError> {
        let version = key.backing_version;
        self.material(key, version).await?.ok_or_else(|| {
            KmsError::Internal(format!(
                "backing key v{version} of {} is missing",
                key.key_id
            ))
        })
    }

    /// Encrypts under the key's current material: the KMS blob format for SYMMETRIC_DEFAULT,
    /// raw RSAES-OAEP otherwise. The caller has checked the algorithm with [`encryption_target`].
    pub(super) async fn seal(
        &self,
        key: &KeyRecord,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Sealed, KmsError> {
        let material = self.current_material(key).await?;
        let blob = if algorithm == EncryptionAlgorithm::SymmetricDefault {
            let header = BlobHeader {
                key_id: key.key_id.clone(),
                backing_version: key.backing_version,
            };
            let backing = material.symmetric().ok_or_else(|| not_symmetric(key))?;
            symmetric::encrypt(backing, &header, plaintext, context)
        } else {
            material
                .encrypt(algorithm, plaintext)
                .map_err(material_error)?
        };
        // AWS names the material only for symmetric encryption keys.
        let symmetric = algorithm == EncryptionAlgorithm::SymmetricDefault;
        Ok(Sealed {
            blob,
            material_id: material.material_id.clone().filter(|_| symmetric),
        })
    }

    /// Decrypts a ciphertext: a KMS blob (SYMMETRIC_DEFAULT, the default), or raw RSAES-OAEP
    /// output when the request names an RSA algorithm (then KeyId is required).
    async fn open(&self, ctx: &RequestContext, ask: OpenAsk<'_>) -> Result<Opened, KmsError> {
        let name = ask.algorithm.unwrap_or("SYMMETRIC_DEFAULT");
        let algorithm = EncryptionAlgorithm::from_aws(name).ok_or_else(|| {
            KmsError::Validation(format!("EncryptionAlgorithm {name} is not valid."))
        })?;
        let extra = algorithm_keys(name, ask.destination);
        let action = match ask.destination {
            Some(_) => "kms:ReEncryptFrom",
            None => "kms:Decrypt",
        };
        let authz = Ask::new(action)
            .context(ask.context)
            .extra(&extra)
            .recipient(ask.recipient);
        if algorithm == EncryptionAlgorithm::SymmetricDefault {
            return self.open_symmetric(ctx, &ask, &authz).await;
        }
        let key_id = ask.key_id.ok_or_else(|| {
            KmsError::Validation(format!(
                "KeyId is required to decrypt a ciphertext encrypted with {name}."
            ))
        })?;
        let key = self.usable_key(ctx, key_id, &authz).await?;
        require_usage(&key, Usage::EncryptDecrypt, ask.operation)?;
        let algorithm = encryption_algorithm(spec_of(&key)?, Some(name))?;
        if !ask.context.is_empty() {
            return Err(context_not_supported());
        }
        let material = self.current_material(&key).await?;
        let plaintext = material
            .decrypt(algorithm, ask.blob)
            .map_err(material_error)?;
        Ok(Opened {
            key,
            algorithm,
            material_id: None,
            plaintext,
        })
    }

    /// Finds a KMS blob's key (checking it against the request's KeyId when given) and decrypts.
    async fn open_symmetric(
        &self,
        ctx: &RequestContext,
        ask: &OpenAsk<'_>,
        authz: &Ask<'_>,
    ) -> Result<Opened, KmsError> {
        let header = symmetric::parse_header(ask.blob).map_err(|_| KmsError::InvalidCiphertext)?;
        if !is_key_id(&header.key_id) {
            return Err(KmsError::InvalidCiphertext);
        }
        let key = match ask.key_id {
            Some(text) => self.cached_key(ctx, text, authz).await?,
            None => self.blob_key(ctx, &header.key_id, authz).await?,
        };
        if key.key_id != header.key_id {
            return Err(KmsError::IncorrectKey(
                "The key ID in the request does not identify a CMK that can perform this operation.".into(),
            ));
        }
        key.require_usable()?;
        require_usage(&key, Usage::EncryptDecrypt, ask.operation)?;
        let algorithm = encryption_algorithm(spec_of(&key)?, None)?;
        let material = self.material(&key, header.backing_version).await?;
        let material = material.ok_or(KmsError::InvalidCiphertext)?;
        let backing = material.symmetric().ok_or_else(|| not_symmetric(&key))?;
        let plaintext = symmetric::decrypt(backing, ask.blob, ask.context)
            .map_err(|_| KmsError::InvalidCiphertext)?;
        Ok(Opened {
            key,
            algorithm,
            material_id: material.material_id.clone(),
            plaintext,
        })
    }
}

impl KmsService {
    /// The key a KMS blob names by id alone (Decrypt without KeyId): the caller's own, else the
    /// key of that id another account holds in this Region (cross-account Decrypt).
    async fn blob_key(
        &self,
        ctx: &RequestContext,
        key_id: &str,
        authz: &Ask<'_>,
    ) -> Result<KeyRecord, KmsError> {
        let own = self.cached_key(ctx, key_id, authz).await;
        let Err(KmsError::NotFound(_)) = own else {
            return own;
        };
        let region = ctx.region.as_str();
        match self.tables.key_account(region, key_id).await? {
            Some(account) if account != ctx.account().as_str() => {
                let arn = crate::domain::Scope::new(account, region).key_arn(key_id);
                self.cached_key(ctx, &arn, authz).await
            }
            _ => own,
        }
    }
}

/// The algorithm `operation` encrypts `len` plaintext bytes with under `key`: the key must be an
/// ENCRYPT_DECRYPT key whose spec supports the algorithm (SYMMETRIC_DEFAULT when not named); RSA
/// takes no encryption context and at most its OAEP plaintext limit.
pub(super) fn encryption_target(
    key: &KeyRecord,
    algorithm: Option<&str>,
    operation: &str,
    len: usize,
    context: &BTreeMap<String, String>,
) -> Result<EncryptionAlgorithm, KmsError> {
    require_usage(key, Usage::EncryptDecrypt, operation)?;
    let spec = spec_of(key)?;
    let algorithm = encryption_algorithm(spec, algorithm)?;
    if algorithm != EncryptionAlgorithm::SymmetricDefault {
        if !context.is_empty() {
            return Err(context_not_supported());
        }
        check_plaintext_len(spec, algorithm, len)?;
    }
    Ok(algorithm)
}

/// The default `EncryptionAlgorithm`.
const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

/// The condition keys of Decrypt and of each side of ReEncrypt: the algorithm and, for
/// ReEncrypt, whether the key is the other side's (`other`, that key's ARN).
fn algorithm_keys<'a>(
    algorithm: &'a str,
    other: Option<&'a str>,
) -> impl Fn(&KeyRecord, &mut Context) + Sync + 'a {
    move |key, c| {
        c.set("kms:EncryptionAlgorithm", algorithm);
        if let Some(other) = other {
            c.set("kms:ReEncryptOnSameKey", bool_text(key.arn() == other));
        }
    }
}

/// The error for a symmetric-blob operation on a key whose material is not symmetric.
fn not_symmetric(key: &KeyRecord) -> KmsError {
    crate::domain::algorithm_error("SYMMETRIC_DEFAULT", &key.key_spec)
}
