//! Imported key material (BYOK) rules: which keys accept imports, wrapping algorithm and wrapping
//! key spec combinations, the expiration model, ImportType, and the opaque import token.

use super::{KeyRecord, KeyState, KmsError};
use rampart_crypto::material::{MaterialError, WrappingAlgorithm, WrappingKeySpec};

/// How long GetParametersForImport's public key and import token stay valid (24 hours).
pub const IMPORT_PARAMETERS_VALID_MS: i64 = 24 * 3_600_000;
/// The latest `ValidTo` ImportKeyMaterial accepts, after the request (365 days).
pub const MAX_VALID_TO_MS: i64 = 365 * 86_400_000;
/// An expired import token is still recognised (and answered ExpiredImportTokenException) this
/// long after it expired; after that its record is swept and it is simply invalid.
pub const EXPIRED_TOKEN_GRACE_MS: i64 = 7 * 86_400_000;

/// `KEY_MATERIAL_EXPIRES`.
pub const EXPIRES: &str = "KEY_MATERIAL_EXPIRES";
/// `KEY_MATERIAL_DOES_NOT_EXPIRE`.
pub const DOES_NOT_EXPIRE: &str = "KEY_MATERIAL_DOES_NOT_EXPIRE";

const TOKEN_VERSION: u8 = 1;
const TOKEN_LEN: usize = 1 + 8 + 32;

/// UnsupportedOperationException for a key whose origin is not EXTERNAL, as AWS words it.
pub fn check_external(key: &KeyRecord) -> Result<(), KmsError> {
    if key.origin == "EXTERNAL" {
        return Ok(());
    }
    Err(KmsError::Unsupported(format!(
        "{} origin is {} which is not valid for this operation.",
        key.arn(),
        key.origin
    )))
}

/// The states GetParametersForImport and ImportKeyMaterial accept: PendingImport, Enabled and
/// Disabled (a reimport); KMSInvalidStateException otherwise.
pub fn check_import_state(key: &KeyRecord) -> Result<(), KmsError> {
    key.require_manageable(true)
}

/// The states DeleteImportedKeyMaterial accepts: also PendingDeletion (the state is kept).
pub fn check_delete_state(key: &KeyRecord) -> Result<(), KmsError> {
    match key.state {
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => Ok(()),
        _ => key.require_manageable(true),
    }
}

/// Checks GetParametersForImport's algorithm and wrapping key spec (AWS names) for a key of
/// `key_spec`: SM2 wrapping is unsupported (China Regions only); RSA private keys need an RSA_AES
/// algorithm; an RSA_2048 public key cannot directly wrap ECC_NIST_P521 material.
pub fn check_wrapping(
    key_spec: &str,
    algorithm: &str,
    wrapping_spec: &str,
) -> Result<(WrappingAlgorithm, WrappingKeySpec), KmsError> {
    let invalid = |what: &str, value: &str| {
        KmsError::Validation(format!("{what} {value} is not valid for this operation."))
    };
    let alg = WrappingAlgorithm::from_aws(algorithm)
        .ok_or_else(|| invalid("WrappingAlgorithm", algorithm))?;
    let spec = WrappingKeySpec::from_aws(wrapping_spec)
        .ok_or_else(|| invalid("WrappingKeySpec", wrapping_spec))?;
    let sm2_alg = alg == WrappingAlgorithm::Sm2Pke;
    let sm2_spec = spec == WrappingKeySpec::Sm2;
    if sm2_alg != sm2_spec {
        return Err(KmsError::Validation(format!(
            "The wrapping algorithm {algorithm} is not compatible with the wrapping key spec \
             {wrapping_spec}."
        )));
    }
    if sm2_spec {
        return Err(KmsError::Unsupported(
            "The SM2 wrapping key spec is available only in China Regions and is not supported \
             by Rampart."
                .into(),
        ));
    }
    let rsa_aes = matches!(
        alg,
        WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256
    );
    if key_spec.starts_with("RSA_") && !rsa_aes {
        return Err(KmsError::Validation(format!(
            "To import an RSA private key, use the RSA_AES_KEY_WRAP_SHA_1 or \
             RSA_AES_KEY_WRAP_SHA_256 wrapping algorithm, not {algorithm}."
        )));
    }
    if key_spec == "ECC_NIST_P521" && spec == WrappingKeySpec::Rsa2048 && !rsa_aes {
        return Err(KmsError::Validation(format!(
            "You cannot use the {algorithm} wrapping algorithm with the RSA_2048 wrapping key \
             spec to wrap ECC_NIST_P521 key material."
        )));
    }
    Ok((alg, spec))
}

/// ImportKeyMaterial's expiration: `(ExpirationModel, ValidTo)` to store. `ValidTo` alone means
/// KEY_MATERIAL_EXPIRES; neither means the material does not expire; KEY_MATERIAL_EXPIRES needs a
/// `ValidTo` in the future, at most 365 days away; KEY_MATERIAL_DOES_NOT_EXPIRE forbids one.
pub fn check_expiration(
    model: Option<&str>,
    valid_to_ms: Option<i64>,
    now_ms: i64,
) -> Result<(&'static str, Option<i64>), KmsError> {
    let expires = match (model, valid_to_ms) {
        (None, None) => return Ok((DOES_NOT_EXPIRE, None)),
        (Some(DOES_NOT_EXPIRE), None) => return Ok((DOES_NOT_EXPIRE, None)),
        (Some(DOES_NOT_EXPIRE), Some(_)) => {
            return Err(KmsError::Validation(
                "A validTo date must not be set if the ExpirationModel is \
                 KEY_MATERIAL_DOES_NOT_EXPIRE"
                    .into(),
            ));
        }
        (Some(EXPIRES) | None, Some(t)) => t,
        (Some(EXPIRES), None) => {
            return Err(KmsError::Validation(
                "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES".into(),
            ));
        }
        (Some(other), _) => {
            return Err(KmsError::Validation(format!(
                "ExpirationModel {other} is not valid."
            )));
        }
    };
    if expires <= now_ms {
        return Err(KmsError::Validation(
            "The ValidTo date must be in the future.".into(),
        ));
    }
    if expires > now_ms.saturating_add(MAX_VALID_TO_MS) {
        return Err(KmsError::Validation(
            "The ValidTo date must be no more than 365 days from the current date.".into(),
        ));
    }
    Ok((EXPIRES, Some(expires)))
}

/// Checks `ImportType` and `KeyMaterialId` of an import into a key that has (or has never had)
/// key material: the first material, the same material again, or (NEW_KEY_MATERIAL into a key
/// whose imported material can rotate and is in use) new material pending rotation, for which
/// it answers true.
pub fn check_import_type(
    key: &KeyRecord,
    import_type: Option<&str>,
    material_id_given: bool,
    imported_before: bool,
) -> Result<bool, KmsError> {
    let new = match import_type {
        Some("NEW_KEY_MATERIAL") => true,
        Some("EXISTING_KEY_MATERIAL") => false,
        Some(other) => {
            return Err(KmsError::Validation(format!(
                "ImportType {other} is not valid."
            )));
        }
        None => !imported_before,
    };
    if new && material_id_given {
        return Err(KmsError::Validation(
            "You cannot specify a KeyMaterialId when the ImportType is NEW_KEY_MATERIAL.".into(),
        ));
    }
    let in_use = key
        .import
        .as_ref()
        .is_some_and(|i| i.expiration_model.is_some());
    if new && imported_before && in_use && key.rotates_imported_material() {
        return Ok(true);
    }
    if new && imported_before {
        return Err(KmsError::Unsupported(format!(
            "Importing new key material (ImportType NEW_KEY_MATERIAL) into {}, which already has \
             key material, is not supported by Rampart: reimport the same key material, or create \
             a new KMS key and move the alias to it.",
            key.arn()
        )));
    }
    if !new && !imported_before {
        return Err(KmsError::IncorrectKeyMaterial(format!(
            "No key material has been imported into {} yet, so there is no existing key \
             material to reimport. Use ImportType NEW_KEY_MATERIAL.",
            key.arn()
        )));
    }
    Ok(false)
}

/// The error for key material that unwrapped but is not valid for the key spec.
pub fn import_material_error(e: &MaterialError) -> KmsError {
    match e {
        MaterialError::Unsupported(what) => KmsError::Unsupported(format!(
            "Importing key material is not supported by Rampart for {what}."
        )),
        _ => KmsError::IncorrectKeyMaterial(
            "The key material is not valid for the key spec of this KMS key.".into(),
        ),
    }
}

/// IncorrectKeyMaterialException for material other than what was imported before.
pub fn different_material(key: &KeyRecord) -> KmsError {
    KmsError::IncorrectKeyMaterial(format!(
        "The key material is different from the key material previously imported into {}. \
         Only the same key material can be reimported.",
        key.arn()
    ))
}

/// InvalidImportTokenException.
pub fn invalid_token() -> KmsError {
    KmsError::InvalidImportToken(
        "The import token is not valid or was issued for a different KMS key.".into(),
    )
}

/// ExpiredImportTokenException.
pub fn expired_token() -> KmsError {
    KmsError::ExpiredImportToken(
        "The import token has expired. Call GetParametersForImport to get a new public key and \
         import token."
            .into(),
    )
}

/// The opaque ImportToken: a format byte, when it expires, and a random id naming the stored
/// (wrapped) wrapping key. It carries no secret; the wrapping key never leaves the store.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ImportToken {
    /// When the token and its public key expire, epoch milliseconds.
    pub expires_ms: i64,
    /// Random id of the token.
    pub id: [u8; 32],
}

impl ImportToken {
    /// The token's bytes as ImportToken carries them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TOKEN_LEN);
        out.push(TOKEN_VERSION);
        out.extend_from_slice(&self.expires_ms.to_be_bytes());
        out.extend_from_slice(&self.id);
        out
    }

    /// Parses token bytes; InvalidImportTokenException for anything Rampart did not issue.
    pub fn parse(bytes: &[u8]) -> Result<ImportToken, KmsError> {
        if bytes.len() != TOKEN_LEN || bytes[0] != TOKEN_VERSION {
            return Err(invalid_token());
        }
        let mut expires = [0u8; 8];
        expires.copy_from_slice(&bytes[1..9]);
        let mut id = [0u8; 32];
        id.copy_from_slice(&bytes[9..]);
        Ok(ImportToken {
            expires_ms: i64::from_be_bytes(expires),
            id,
        })
    }

    /// The id in lowercase hex.
    pub fn id_hex(&self) -> String {
        self.id.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for ImportToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportToken")
            .field("expires_ms", &self.expires_ms)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ImportConfig, Scope};

    fn key() -> KeyRecord {
        let scope = Scope::new("111122223333", "us-east-1");
        let mut k = KeyRecord::new_symmetric(
            &scope,
            "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            String::new(),
            1_000,
        );
        k.origin = "EXTERNAL".into();
        k.state = KeyState::PendingImport;
        k
    }

    #[test]
    fn wrapping_combinations() {
        for alg in [
            "RSAES_PKCS1_V1_5",
            "RSAES_OAEP_SHA_1",
            "RSAES_OAEP_SHA_256",
            "RSA_AES_KEY_WRAP_SHA_1",
            "RSA_AES_KEY_WRAP_SHA_256",
        ] {
            for spec in ["RSA_2048", "RSA_3072", "RSA_4096"] {
                assert!(check_wrapping("SYMMETRIC_DEFAULT", alg, spec).is_ok());
            }
        }
        let code = |r: Result<_, KmsError>| r.err().map(|e| e.code());
        assert_eq!(
            code(check_wrapping("SYMMETRIC_DEFAULT", "SM2PKE", "SM2")),
            Some("UnsupportedOperationException")
        );
        assert_eq!(
            code(check_wrapping("SYMMETRIC_DEFAULT", "SM2PKE", "RSA_2048")),
            Some("ValidationException")
        );
        assert_eq!(
            code(check_wrapping("RSA_2048", "RSAES_OAEP_SHA_256", "RSA_4096")),
            Some("ValidationException")
        );
        assert!(check_wrapping("RSA_2048", "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048").is_ok());
        assert_eq!(
            code(check_wrapping(
                "ECC_NIST_P521",
                "RSAES_OAEP_SHA_1",
                "RSA_2048"
            )),
            Some("ValidationException")
        );
        assert!(check_wrapping("ECC_NIST_P521", "RSAES_OAEP_SHA_1", "RSA_3072").is_ok());
    }

    #[test]
    fn expiration_models() {
        let now = 1_000_000;
        assert_eq!(
            check_expiration(None, None, now),
            Ok((DOES_NOT_EXPIRE, None))
        );
        assert_eq!(
            check_expiration(Some(DOES_NOT_EXPIRE), None, now),
            Ok((DOES_NOT_EXPIRE, None))
        );
        assert_eq!(
            check_expiration(None, Some(now + 1), now),
            Ok((EXPIRES, Some(now + 1)))
        );
        assert_eq!(
            check_expiration(Some(EXPIRES), Some(now + MAX_VALID_TO_MS), now),
            Ok((EXPIRES, Some(now + MAX_VALID_TO_MS)))
        );
        for (model, valid_to) in [
            (Some(EXPIRES), None),
            (Some(DOES_NOT_EXPIRE), Some(now + 1)),
            (Some(EXPIRES), Some(now)),
            (None, Some(now + MAX_VALID_TO_MS + 1)),
        ] {
            let e = check_expiration(model, valid_to, now).err();
            assert_eq!(e.map(|e| e.code()), Some("ValidationException"));
        }
    }

    #[test]
    fn import_types() {
        let k = key();
        assert_eq!(check_import_type(&k, None, false, false), Ok(false));
        assert_eq!(check_import_type(&k, None, false, true), Ok(false));
        assert_eq!(check_import_type(&k, None, true, true), Ok(false));
        assert_eq!(
            check_import_type(&k, Some("NEW_KEY_MATERIAL"), false, false),
            Ok(false)
        );
        let code = |r: Result<bool, KmsError>| r.err().map(|e| e.code());
        assert_eq!(
            code(check_import_type(&k, Some("NEW_KEY_MATERIAL"), false, true)),
            Some("UnsupportedOperationException")
        );
        assert_eq!(
            code(check_import_type(&k, None, true, false)),
            Some("ValidationException")
        );
        assert_eq!(
            code(check_import_type(
                &k,
                Some("EXISTING_KEY_MATERIAL"),
                false,
                false
            )),
            Some("IncorrectKeyMaterialException")
        );
        let mut used = key();
        used.state = KeyState::Enabled;
        used.import = Some(ImportConfig {
            expiration_model: Some(DOES_NOT_EXPIRE.into()),
            ..ImportConfig::default()
        });
        let new = Some("NEW_KEY_MATERIAL");
        assert_eq!(check_import_type(&used, new, false, true), Ok(true));
        used.multi_region = true;
        assert_eq!(
            code(check_import_type(&used, new, false, true)),
            Some("UnsupportedOperationException")
        );
    }

    #[test]
    fn states_and_origin() {
        let mut k = key();
        assert_eq!(check_external(&k), Ok(()));
        assert_eq!(check_import_state(&k), Ok(()));
        k.state = KeyState::PendingDeletion;
        assert!(check_import_state(&k).is_err());
        assert_eq!(check_delete_state(&k), Ok(()));
        k.origin = "AWS_KMS".into();
        assert_eq!(
            check_external(&k).err().map(|e| e.client_message()),
            Some(format!(
                "{} origin is AWS_KMS which is not valid for this operation.",
                k.arn()
            ))
        );
    }

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let t = ImportToken {
            expires_ms: 1_700_000_000_000,
            id: [7u8; 32],
        };
        assert_eq!(ImportToken::parse(&t.to_bytes()), Ok(t));
        assert_eq!(t.id_hex().len(), 64);
        assert_eq!(ImportToken::parse(b"garbage"), Err(invalid_token()));
        let mut other = t.to_bytes();
        other[0] = 9;
        assert_eq!(ImportToken::parse(&other), Err(invalid_token()));
        assert!(!format!("{t:?}").contains("07"));
    }
}
