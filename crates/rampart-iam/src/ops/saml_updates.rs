//! UpdateSAMLProvider (a new metadata document, the assertion encryption mode, adding or
//! removing a decryption key) and the decryption keys themselves: PEM private keys checked
//! to hold a DER structure, sealed under the credentials domain key (AAD: the provider's ARN
//! and the key id), never answered back (GetSAMLProvider lists only key ids and dates).

use super::common::required;
use super::entity::Keys;
use super::oidc::refuse_identity_center;
use super::saml::{ARN_MEMBER, checked_metadata, random_id, set_metadata};
use crate::IamService;
use crate::generated::UpdateSAMLProvider;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::resources::{SamlPrivateKeyRecord, SamlProviderRecord};
use base64::Engine as _;
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use zeroize::Zeroizing;

/// Most decryption keys of one provider (the model's PrivateKeyList holds two, for
/// rotation).
const MAX_PRIVATE_KEYS: usize = 2;

impl UpdateSAMLProvider for IamService {
    async fn update_saml_provider(
        &self,
        ctx: &RequestContext,
        input: UpdateSAMLProviderRequest,
    ) -> Result<UpdateSAMLProviderResponse, ServiceError> {
        let arn = required(input.saml_provider_arn, ARN_MEMBER)?;
        refuse_identity_center(
            input.identity_center_instance_arn.is_some()
                || input.context_provider.is_some()
                || input.remove_context_provider == Some(true)
                || input.remove_identity_center_instance == Some(true),
        )?;
        let metadata = match &input.saml_metadata_document {
            Some(document) => Some(checked_metadata(document)?),
            None => None,
        };
        let mode = input.assertion_encryption_mode.map(|m| m.to_string());
        let (added, removed) = (input.add_private_key, input.remove_private_key);
        let now = self.now_ms();
        let at = self.saml_at(ctx, &arn);
        let action = "iam:UpdateSAMLProvider";
        self.modify_resource(ctx, action, &at, Keys::Plain, |provider| {
            if let (Some(document), Some(parsed)) = (&input.saml_metadata_document, &metadata) {
                set_metadata(provider, document.clone(), parsed.clone());
            }
            if let Some(mode) = &mode {
                provider.assertion_encryption_mode = Some(mode.clone());
            }
            if let Some(key_id) = &removed {
                remove_private_key(provider, key_id)?;
            }
            if let Some(pem) = &added {
                self.add_private_key(provider, pem, now)?;
            }
            Ok(())
        })
        .await?;
        Ok(UpdateSAMLProviderResponse {
            saml_provider_arn: Some(arn),
        })
    }
}

impl IamService {
    /// Checks the PEM private key `pem` and adds it, sealed, to `provider`.
    pub(super) fn add_private_key(
        &self,
        provider: &mut SamlProviderRecord,
        pem: &str,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        if provider.private_keys.len() >= MAX_PRIVATE_KEYS {
            return Err(errors::limit_exceeded_exception(format!(
                "Cannot exceed quota for PrivateKeysPerSAMLProvider: {MAX_PRIVATE_KEYS}"
            )));
        }
        if pem_private_key(pem).is_none() {
            return Err(errors::invalid_input_exception(
                "The private key is not a PEM-encoded private key.",
            ));
        }
        let key_id = random_id();
        let aad = format!("{}#{key_id}", provider.arn());
        let sealed_pem = self.dir.credentials.seal(pem.as_bytes(), aad.as_bytes());
        provider.private_keys.push(SamlPrivateKeyRecord {
            key_id,
            sealed_pem,
            added_ms: now_ms,
        });
        Ok(())
    }
}

/// Removes the key `key_id`; `InvalidInput` when the provider has no such key.
fn remove_private_key(provider: &mut SamlProviderRecord, key_id: &str) -> Result<(), ServiceError> {
    let before = provider.private_keys.len();
    provider.private_keys.retain(|k| k.key_id != key_id);
    if provider.private_keys.len() == before {
        return Err(errors::invalid_input_exception(format!(
            "The private key {key_id} does not belong to this SAML provider."
        )));
    }
    Ok(())
}

/// The DER of a `-----BEGIN … PRIVATE KEY-----` PEM block (PKCS#8, or PKCS#1/SEC1 with
/// their labels), if `pem` is one and its body decodes to a DER SEQUENCE.
fn pem_private_key(pem: &str) -> Option<Zeroizing<Vec<u8>>> {
    let text = pem.trim();
    let begin = text.strip_prefix("-----BEGIN ")?;
    let (label, rest) = begin.split_once("-----")?;
    if !label.ends_with("PRIVATE KEY") {
        return None;
    }
    let end = format!("-----END {label}-----");
    let body = rest.trim_end().strip_suffix(end.as_str())?;
    let compact: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_whitespace()).collect());
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    let der = Zeroizing::new(der);
    (der.first() == Some(&0x30) && der.len() > 16).then_some(der)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_pem_private_keys_are_accepted() {
        let body = base64::engine::general_purpose::STANDARD.encode([0x30u8; 40]);
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
        assert!(pem_private_key(&pem).is_some());
        let cert = pem.replace("PRIVATE KEY", "CERTIFICATE");
        assert!(pem_private_key(&cert).is_none());
        assert!(pem_private_key("not a key").is_none());
        let mismatched = pem.replace("END PRIVATE", "END RSA PRIVATE");
        assert!(pem_private_key(&mismatched).is_none());
    }
}
