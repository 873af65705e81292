//! The keyring the flags describe: KMS keys (strict, multi-Region aware or discovery), a raw
//! AES key or a raw RSA key, several at once through a multi-keyring.

use super::args::KeyArgs;
use super::failure::Failure;
use rampart_esdk::keyring::multi::MultiKeyring;
use rampart_esdk::keyring::raw_aes::RawAesKeyring;
use rampart_esdk::keyring::raw_rsa::{RawRsaKeyring, RsaPadding};
use rampart_esdk::kms::{DiscoveryFilter, HttpKmsClient, KmsClient, KmsKeyring, config};
use rampart_esdk::{DefaultCmm, Keyring};
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The materials manager over every keyring the flags name.
pub fn materials(args: &KeyArgs, decrypting: bool) -> Result<DefaultCmm<MultiKeyring>, Failure> {
    let mut keyrings: Vec<Box<dyn Keyring>> = Vec::new();
    if !args.keys.is_empty() || args.discovery {
        keyrings.push(Box::new(kms_keyring(args, decrypting)?));
    }
    if let Some(path) = &args.raw_aes_key {
        let key = Zeroizing::new(std::fs::read(path).map_err(|e| Failure::io(path, e))?);
        let keyring = RawAesKeyring::new(&args.key_namespace, &args.key_name, &key)
            .map_err(Failure::usage_of)?;
        keyrings.push(Box::new(keyring));
    }
    if let Some(path) = &args.raw_rsa_key {
        keyrings.push(Box::new(rsa_keyring(args, path)?));
    }
    if keyrings.is_empty() {
        return Err(Failure::usage(
            "name a key: --key, --discovery, --raw-aes-key or --raw-rsa-key",
        ));
    }
    let generator = keyrings.remove(0);
    let multi = MultiKeyring::new(Some(generator), keyrings).map_err(Failure::usage_of)?;
    Ok(DefaultCmm::new(multi))
}

fn kms_keyring(args: &KeyArgs, decrypting: bool) -> Result<KmsKeyring, Failure> {
    if args.discovery && !decrypting {
        return Err(Failure::usage(
            "--discovery only decrypts: name a --key to encrypt",
        ));
    }
    let region = args
        .region
        .clone()
        .or_else(config::default_region)
        .unwrap_or_else(|| "us-east-1".into());
    let client: Arc<dyn KmsClient> = Arc::new(match &args.endpoint_url {
        Some(url) => config::credentials()
            .map_err(Failure::usage)
            .and_then(|c| {
                HttpKmsClient::new(c, Some(url.clone())).map_err(|e| Failure::usage(e.message))
            })?,
        None => HttpKmsClient::from_env().map_err(|e| Failure::usage(e.message))?,
    });
    let keyring = if args.discovery {
        let filter = (!args.discovery_accounts.is_empty()).then(|| DiscoveryFilter {
            partition: args.discovery_partition.clone(),
            accounts: args.discovery_accounts.clone(),
        });
        KmsKeyring::discovery(client, filter, &region)
    } else {
        let mut keys = args.keys.clone();
        let generator = keys.remove(0);
        KmsKeyring::strict(client, Some(generator), keys, &region).map_err(Failure::usage_of)?
    };
    Ok(match &args.mrk_region {
        Some(mrk) => keyring.multi_region_aware(mrk),
        None => keyring,
    })
}

fn rsa_keyring(args: &KeyArgs, path: &std::path::Path) -> Result<RawRsaKeyring, Failure> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| Failure::io(path, e))?);
    let padding = match args.rsa_padding.to_ascii_lowercase().as_str() {
        "pkcs1" => RsaPadding::Pkcs1,
        "oaep-sha1" => RsaPadding::OaepSha1,
        "oaep-sha256" => RsaPadding::OaepSha256,
        "oaep-sha384" => RsaPadding::OaepSha384,
        "oaep-sha512" => RsaPadding::OaepSha512,
        _ => {
            return Err(Failure::usage(
                "--rsa-padding is pkcs1 or oaep-sha1/256/384/512",
            ));
        }
    };
    let der = Zeroizing::new(pem_or_der(&bytes));
    let (ns, name) = (&args.key_namespace, &args.key_name);
    RawRsaKeyring::new(ns, name, padding, None, Some(&der))
        .or_else(|_| RawRsaKeyring::new(ns, name, padding, Some(&der), None))
        .map_err(|_| Failure::usage("--raw-rsa-key is not an RSA PKCS#8 private key or public key"))
}

/// The DER inside a PEM file (the first block), or the bytes as given.
fn pem_or_der(bytes: &[u8]) -> Vec<u8> {
    let private = rustls::pki_types::PrivatePkcs8KeyDer::from_pem_slice(bytes)
        .map(|k| k.secret_pkcs8_der().to_vec());
    let public =
        || rustls::pki_types::SubjectPublicKeyInfoDer::from_pem_slice(bytes).map(|k| k.to_vec());
    private
        .or_else(|_| public())
        .unwrap_or_else(|_| bytes.to_vec())
}
