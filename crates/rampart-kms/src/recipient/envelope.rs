//! `CiphertextForRecipient`: plaintext enveloped to the attested public key as AWS KMS does, a
//! CMS (RFC 5652) ContentInfo of EnvelopedData with one KeyTransRecipientInfo (RSAES-OAEP with
//! SHA-256 and MGF1-SHA-256, RFC 4055) and AES-256-CBC content (PKCS #7 padding). The recipient
//! is named by a subjectKeyIdentifier (RFC 7093 method 1: the leftmost 160 bits of the SHA-256
//! of the public key bits). Structures are encoded with the RustCrypto `cms`/`der` types; the
//! cryptography is aws-lc-rs's.

use aws_lc_rs::cipher::{AES_256, PaddedBlockEncryptingKey, UnboundCipherKey};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KeyTransRecipientInfo, RecipientIdentifier, RecipientInfo,
    RecipientInfos,
};
use der::asn1::{ContextSpecific, OctetString, SetOfVec};
use der::oid::ObjectIdentifier;
use der::{Any, Encode, Tag, TagMode, TagNumber};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;
use zeroize::Zeroizing;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const ID_RSAES_OAEP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.7");
const ID_MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");

/// Envelopes `plaintext` to `public_key` (DER SubjectPublicKeyInfo of an RSA key).
pub fn envelope(public_key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, String> {
    let cek = Zeroizing::new(rampart_crypto::random::array::<32>());
    let (iv, content) = encrypt_content(&cek[..], plaintext)?;
    let ktri = KeyTransRecipientInfo {
        version: CmsVersion::V2,
        rid: RecipientIdentifier::SubjectKeyIdentifier(key_identifier(public_key)?),
        key_enc_alg: oaep_sha256()?,
        enc_key: octets(wrap_key(public_key, &cek[..])?)?,
    };
    let content_enc_alg = AlgorithmIdentifierOwned {
        oid: ID_AES256_CBC,
        parameters: Some(Any::new(Tag::OctetString, iv).map_err(der_fault)?),
    };
    let enveloped = EnvelopedData {
        version: CmsVersion::V2,
        originator_info: None,
        recip_infos: RecipientInfos(
            SetOfVec::try_from(vec![RecipientInfo::Ktri(ktri)]).map_err(der_fault)?,
        ),
        encrypted_content: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg,
            encrypted_content: Some(octets(content)?),
        },
        unprotected_attrs: None,
    };
    let info = ContentInfo {
        content_type: ID_ENVELOPED_DATA,
        content: Any::encode_from(&enveloped).map_err(der_fault)?,
    };
    info.to_der().map_err(der_fault)
}

/// AES-256-CBC with PKCS #7 padding under `cek`: the random IV and the ciphertext.
fn encrypt_content(cek: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let key = UnboundCipherKey::new(&AES_256, cek).map_err(|_| "AES key")?;
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).map_err(|_| "AES-CBC key")?;
    let mut data = plaintext.to_vec();
    let context = key
        .encrypt(&mut data)
        .map_err(|_| "AES-CBC encryption failed")?;
    let iv: &[u8] = (&context).try_into().map_err(|_| "AES-CBC IV")?;
    Ok((iv.to_vec(), data))
}

/// RSAES-OAEP (SHA-256, MGF1-SHA-256) of the content key under the recipient's key.
fn wrap_key(public_key: &[u8], cek: &[u8]) -> Result<Vec<u8>, String> {
    let key = PublicEncryptingKey::from_der(public_key)
        .map_err(|_| "the attestation document's public_key is not an RSA public key")?;
    let key = OaepPublicEncryptingKey::new(key).map_err(|_| "RSA key")?;
    let mut out = vec![0u8; key.ciphertext_size()];
    let len = key
        .encrypt(&OAEP_SHA256_MGF1SHA256, cek, &mut out, None)
        .map_err(|_| "RSAES-OAEP encryption failed")?
        .len();
    out.truncate(len);
    Ok(out)
}

/// The subjectKeyIdentifier of `public_key` (RFC 7093 method 1).
fn key_identifier(public_key: &[u8]) -> Result<SubjectKeyIdentifier, String> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(public_key)
        .map_err(|_| "the attestation document's public_key is not a SubjectPublicKeyInfo")?;
    let hash = digest(&SHA256, &spki.subject_public_key.data);
    let id = hash.as_ref().get(..20).unwrap_or_default().to_vec();
    Ok(SubjectKeyIdentifier(octets(id)?))
}

/// `id-RSAES-OAEP` with RSAES-OAEP-params { sha256, mgf1SHA256, pSpecifiedEmpty (default) }.
fn oaep_sha256() -> Result<AlgorithmIdentifierOwned, String> {
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: Some(Any::null()),
    };
    let mgf1 = AlgorithmIdentifierOwned {
        oid: ID_MGF1,
        parameters: Some(Any::encode_from(&sha256).map_err(der_fault)?),
    };
    let mut params = explicit(TagNumber::N0, sha256)?;
    params.extend(explicit(TagNumber::N1, mgf1)?);
    Ok(AlgorithmIdentifierOwned {
        oid: ID_RSAES_OAEP,
        parameters: Some(Any::new(Tag::Sequence, params).map_err(der_fault)?),
    })
}

/// `[n] EXPLICIT value`, DER-encoded.
fn explicit(tag_number: TagNumber, value: AlgorithmIdentifierOwned) -> Result<Vec<u8>, String> {
    ContextSpecific {
        tag_number,
        tag_mode: TagMode::Explicit,
        value,
    }
    .to_der()
    .map_err(der_fault)
}

fn octets(bytes: Vec<u8>) -> Result<OctetString, String> {
    OctetString::new(bytes).map_err(der_fault)
}

fn der_fault(e: der::Error) -> String {
    format!("CMS encoding: {e}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeySize, OaepPrivateDecryptingKey, PrivateDecryptingKey};
    use cms::enveloped_data::EnvelopedData;
    use der::Decode;

    #[test]
    fn the_envelope_opens_with_the_private_key() {
        let private = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
        let public = private.public_key().as_der().unwrap();
        let blob = envelope(public.as_ref(), b"enclave secret").unwrap();
        let info = ContentInfo::from_der(&blob).unwrap();
        assert_eq!(info.content_type, ID_ENVELOPED_DATA);
        let data: EnvelopedData = info.content.decode_as().unwrap();
        let RecipientInfo::Ktri(ktri) = data.recip_infos.0.get(0).unwrap().clone() else {
            panic!("not a KeyTransRecipientInfo")
        };
        assert_eq!(ktri.key_enc_alg.oid, ID_RSAES_OAEP);
        let oaep = OaepPrivateDecryptingKey::new(private).unwrap();
        let mut cek = vec![0u8; 256];
        let cek = oaep
            .decrypt(
                &OAEP_SHA256_MGF1SHA256,
                ktri.enc_key.as_bytes(),
                &mut cek,
                None,
            )
            .unwrap()
            .to_vec();
        assert_eq!(cek.len(), 32);
        let content = data.encrypted_content;
        assert_eq!(content.content_enc_alg.oid, ID_AES256_CBC);
        let iv = content.content_enc_alg.parameters.unwrap();
        let iv: [u8; 16] = iv.value().try_into().unwrap();
        let key = UnboundCipherKey::new(&AES_256, &cek).unwrap();
        let key = aws_lc_rs::cipher::PaddedBlockDecryptingKey::cbc_pkcs7(key).unwrap();
        let mut ciphertext = content.encrypted_content.unwrap().as_bytes().to_vec();
        let context = aws_lc_rs::cipher::DecryptionContext::Iv128(iv.into());
        let plain = key.decrypt(&mut ciphertext, context).unwrap();
        assert_eq!(plain, b"enclave secret");
    }

    #[test]
    fn a_non_rsa_key_is_refused() {
        assert!(envelope(b"not a key", b"x").is_err());
    }
}
