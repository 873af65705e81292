//! The AWS KMS keyrings: strict (named keys; the generator calls GenerateDataKey, each other
//! key Encrypt; Decrypt only for the named keys, the answer's KeyId checked), multi-Region
//! aware (a replica of an `mrk-` key in the keyring's Region decrypts), and discovery (any
//! key, filtered by partition and account).

use super::arn::{KeyArn, mrk_match, region_of};
use super::client::{KmsClient, KmsError};
use crate::error::{Error, Result};
use crate::materials::{DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The provider id of KMS-encrypted data keys.
pub const PROVIDER_ID: &str = "aws-kms";

/// Which accounts' keys a discovery keyring may use.
#[derive(Debug, Clone)]
pub struct DiscoveryFilter {
    /// The partition, e.g. `aws`.
    pub partition: String,
    /// Allowed account ids.
    pub accounts: Vec<String>,
}

enum Mode {
    Strict {
        generator: Option<String>,
        keys: Vec<String>,
    },
    Discovery {
        filter: Option<DiscoveryFilter>,
    },
}

/// A KMS keyring.
pub struct KmsKeyring {
    client: Arc<dyn KmsClient>,
    mode: Mode,
    /// Multi-Region aware: match `mrk-` keys across Regions; for discovery, call this Region.
    mrk_region: Option<String>,
    default_region: String,
    grant_tokens: Vec<String>,
}

impl KmsKeyring {
    /// A strict keyring: `generator` makes data keys, every key in `keys` encrypts them too,
    /// and only these keys decrypt.
    pub fn strict(
        client: Arc<dyn KmsClient>,
        generator: Option<String>,
        keys: Vec<String>,
        default_region: &str,
    ) -> Result<Self> {
        if generator.is_none() && keys.is_empty() {
            return Err(Error::Usage("a KMS keyring needs at least one key"));
        }
        let mode = Mode::Strict { generator, keys };
        Ok(Self {
            client,
            mode,
            mrk_region: None,
            default_region: default_region.into(),
            grant_tokens: Vec::new(),
        })
    }

    /// A discovery keyring (decrypt only) calling the Region of each data key's key ARN.
    pub fn discovery(
        client: Arc<dyn KmsClient>,
        filter: Option<DiscoveryFilter>,
        default_region: &str,
    ) -> Self {
        let mode = Mode::Discovery { filter };
        Self {
            client,
            mode,
            mrk_region: None,
            default_region: default_region.into(),
            grant_tokens: Vec::new(),
        }
    }

    /// Makes the keyring multi-Region aware: named `mrk-` keys match their replicas, and a
    /// discovery keyring decrypts `mrk-` data keys with the replica in `region`.
    pub fn multi_region_aware(mut self, region: &str) -> Self {
        self.mrk_region = Some(region.to_owned());
        self
    }

    /// Grant tokens sent with every call.
    pub fn with_grant_tokens(mut self, tokens: Vec<String>) -> Self {
        self.grant_tokens = tokens;
        self
    }

    fn call(&self, key: &str, operation: &str, mut body: Value) -> Result<Value> {
        if !self.grant_tokens.is_empty() {
            body["GrantTokens"] = json!(self.grant_tokens);
        }
        let region = region_of(key, &self.default_region);
        self.client
            .call(region, operation, &body)
            .map_err(keyring_error)
    }

    fn generate(&self, key: &str, materials: &mut EncryptionMaterials) -> Result<()> {
        let body = json!({"KeyId": key, "NumberOfBytes": materials.suite.key_len(), "EncryptionContext": materials.context});
        let answer = self.call(key, "GenerateDataKey", body)?;
        let plaintext = Zeroizing::new(blob(&answer, "Plaintext")?);
        if plaintext.len() != materials.suite.key_len() {
            return Err(Error::Keyring(
                "GenerateDataKey answered a data key of the wrong length".into(),
            ));
        }
        let edk = encrypted_key(&answer)?;
        materials.data_key = Some(plaintext);
        materials.encrypted_data_keys.push(edk);
        Ok(())
    }

    fn encrypt(&self, key: &str, materials: &mut EncryptionMaterials) -> Result<()> {
        let data_key = materials.data_key.as_ref().ok_or(Error::Crypto)?;
        let body = json!({"KeyId": key, "Plaintext": STANDARD.encode(data_key.as_slice()), "EncryptionContext": materials.context});
        let answer = self.call(key, "Encrypt", body)?;
        materials.encrypted_data_keys.push(encrypted_key(&answer)?);
        Ok(())
    }

    /// The key identifier to call Decrypt with for `edk`, if this keyring may decrypt it.
    fn decrypt_key_for(&self, arn_text: &str) -> Option<String> {
        let arn = KeyArn::parse(arn_text).filter(|a| a.resource_type == "key")?;
        match &self.mode {
            Mode::Strict { generator, keys } => generator
                .iter()
                .chain(keys)
                .find(|k| self.same_key(k, arn_text))
                .cloned(),
            Mode::Discovery { filter } => {
                let allowed = filter.as_ref().is_none_or(|f| {
                    f.partition == arn.partition && f.accounts.iter().any(|a| a == arn.account)
                });
                allowed.then(|| self.discovery_key(&arn, arn_text))
            }
        }
    }

    fn same_key(&self, configured: &str, arn: &str) -> bool {
        if self.mrk_region.is_some() {
            mrk_match(configured, arn)
        } else {
            configured == arn
        }
    }

    fn discovery_key(&self, arn: &KeyArn<'_>, text: &str) -> String {
        match &self.mrk_region {
            Some(region) if arn.is_multi_region_key() => {
                format!(
                    "arn:{}:kms:{region}:{}:key/{}",
                    arn.partition, arn.account, arn.resource_id
                )
            }
            _ => text.to_owned(),
        }
    }

    fn decrypt_one(
        &self,
        key: &str,
        edk: &EncryptedDataKey,
        materials: &DecryptionMaterials,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let body = json!({"KeyId": key, "CiphertextBlob": STANDARD.encode(&edk.ciphertext), "EncryptionContext": materials.context});
        let answer = self.call(key, "Decrypt", body)?;
        if answer["KeyId"].as_str() != Some(key) {
            return Err(Error::Keyring(format!(
                "KMS decrypted with another key than {key}"
            )));
        }
        let plaintext = Zeroizing::new(blob(&answer, "Plaintext")?);
        if plaintext.len() != materials.suite.key_len() {
            return Err(Error::Keyring(
                "KMS answered a data key of the wrong length".into(),
            ));
        }
        Ok(plaintext)
    }
}

impl Keyring for KmsKeyring {
    fn on_encrypt(&self, materials: &mut EncryptionMaterials) -> Result<()> {
        let Mode::Strict { generator, keys } = &self.mode else {
            return Err(Error::Usage("a discovery keyring cannot encrypt"));
        };
        match (generator, &materials.data_key) {
            (Some(generator), None) => self.generate(generator, materials)?,
            (Some(generator), Some(_)) => self.encrypt(generator, materials)?,
            (None, None) => {
                return Err(Error::Keyring("no generator key to make a data key".into()));
            }
            (None, Some(_)) => {}
        }
        for key in keys {
            self.encrypt(key, materials)?;
        }
        Ok(())
    }

    /// Tries each KMS data key this keyring may use, in order; a refused call is remembered
    /// and reported only if no data key could be decrypted.
    fn on_decrypt(
        &self,
        materials: &mut DecryptionMaterials,
        encrypted: &[EncryptedDataKey],
    ) -> Result<()> {
        if materials.data_key.is_some() {
            return Ok(());
        }
        let mut failures = Vec::new();
        for edk in encrypted.iter().filter(|e| e.provider_id == PROVIDER_ID) {
            let Ok(arn) = std::str::from_utf8(&edk.provider_info) else {
                continue;
            };
            let Some(key) = self.decrypt_key_for(arn) else {
                continue;
            };
            match self.decrypt_one(&key, edk, materials) {
                Ok(data_key) => {
                    materials.data_key = Some(data_key);
                    return Ok(());
                }
                Err(Error::Keyring(message)) => failures.push(message),
                Err(err) => failures.push(err.to_string()),
            }
        }
        match failures.is_empty() {
            true => Ok(()),
            false => Err(Error::Keyring(failures.join("; "))),
        }
    }
}

fn keyring_error(err: KmsError) -> Error {
    Error::Keyring(format!("KMS {err}"))
}

fn blob(answer: &Value, field: &str) -> Result<Vec<u8>> {
    let text = answer[field]
        .as_str()
        .ok_or_else(|| Error::Keyring(format!("KMS answered no {field}")))?;
    STANDARD
        .decode(text)
        .map_err(|_| Error::Keyring(format!("KMS answered a {field} that is not base64")))
}

/// The encrypted data key of a GenerateDataKey or Encrypt answer: its KeyId must be a key ARN.
fn encrypted_key(answer: &Value) -> Result<EncryptedDataKey> {
    let key_id = answer["KeyId"]
        .as_str()
        .filter(|k| KeyArn::parse(k).is_some_and(|a| a.resource_type == "key"));
    let key_id = key_id.ok_or_else(|| Error::Keyring("KMS answered no key ARN".into()))?;
    Ok(EncryptedDataKey {
        provider_id: PROVIDER_ID.to_owned(),
        provider_info: key_id.as_bytes().to_vec(),
        ciphertext: blob(answer, "CiphertextBlob")?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! The keyring's choices, over a test double of KMS that records the calls and "encrypts"
    //! by naming the key in the blob.
    use super::*;
    use crate::suite::AlgorithmSuite;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder {
        calls: Mutex<Vec<(String, String, String)>>,
    }

    impl KmsClient for Recorder {
        fn call(
            &self,
            region: &str,
            operation: &str,
            body: &Value,
        ) -> std::result::Result<Value, KmsError> {
            let key = body["KeyId"].as_str().unwrap().to_owned();
            self.calls
                .lock()
                .unwrap()
                .push((region.into(), operation.into(), key.clone()));
            let plaintext = STANDARD.encode([9u8; 32]);
            Ok(
                json!({"KeyId": key, "Plaintext": plaintext, "CiphertextBlob": STANDARD.encode(key.as_bytes())}),
            )
        }
    }

    const EAST: &str = "arn:aws:kms:us-east-1:111122223333:key/mrk-abc";
    const WEST: &str = "arn:aws:kms:eu-west-1:111122223333:key/mrk-abc";
    const OTHER: &str = "arn:aws:kms:us-east-1:444455556666:key/k1";

    fn materials() -> DecryptionMaterials {
        DecryptionMaterials {
            suite: AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
            context: Default::default(),
            data_key: None,
            verification_key: None,
        }
    }

    fn edk(arn: &str) -> EncryptedDataKey {
        EncryptedDataKey {
            provider_id: PROVIDER_ID.into(),
            provider_info: arn.as_bytes().to_vec(),
            ciphertext: vec![1],
        }
    }

    #[test]
    fn strict_keyrings_decrypt_only_their_keys_and_mrk_awareness_calls_the_replica() {
        let kms = Arc::new(Recorder::default());
        let strict =
            KmsKeyring::strict(kms.clone(), Some(WEST.into()), vec![], "us-east-1").unwrap();
        let mut m = materials();
        strict.on_decrypt(&mut m, &[edk(EAST), edk(OTHER)]).unwrap();
        assert!(
            m.data_key.is_none(),
            "another Region's ARN is another key without mrk awareness"
        );
        let aware = strict.multi_region_aware("eu-west-1");
        aware.on_decrypt(&mut m, &[edk(OTHER), edk(EAST)]).unwrap();
        assert!(m.data_key.is_some());
        let calls = kms.calls.lock().unwrap().clone();
        assert_eq!(
            calls,
            vec![("eu-west-1".into(), "Decrypt".into(), WEST.into())]
        );
    }

    #[test]
    fn discovery_filters_by_account_and_partition() {
        let kms = Arc::new(Recorder::default());
        let filter = DiscoveryFilter {
            partition: "aws".into(),
            accounts: vec!["444455556666".into()],
        };
        let discovery = KmsKeyring::discovery(kms.clone(), Some(filter), "us-east-1");
        let mut m = materials();
        discovery
            .on_decrypt(&mut m, &[edk(EAST), edk(OTHER)])
            .unwrap();
        assert!(m.data_key.is_some());
        assert_eq!(
            kms.calls.lock().unwrap().len(),
            1,
            "the other account's key was not tried"
        );
        let mut enc = crate::materials::EncryptionMaterials {
            suite: AlgorithmSuite::DEFAULT,
            context: Default::default(),
            data_key: None,
            encrypted_data_keys: vec![],
            signing_key: None,
        };
        assert!(
            discovery.on_encrypt(&mut enc).is_err(),
            "discovery keyrings cannot encrypt"
        );
    }
}
