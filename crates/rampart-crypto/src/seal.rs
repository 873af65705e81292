//! Sealing the root key: key file (default), passphrase (Argon2id) or Shamir shares.
//!
//! In every mode the root key is stored only inside an AES-256-GCM envelope under a 256-bit
//! unseal key (KEK). The KEK is HKDF of the key file's bytes, Argon2id of the passphrase, or a
//! random key split into Shamir shares. [`SealedRoot`] holds the envelope, an HMAC fingerprint
//! of the KEK (so a wrong secret is reported as such rather than as corruption) and the KDF
//! parameters — no secret; for Shamir seals also a commitment to each share
//! ([`crate::share_check`]). Its stored formats are in [`crate::seal_record`].

use crate::seal_record::b64;
use crate::share_check::ShareCheck;
pub use crate::unsealer::{ShamirUnsealer, ShareOutcome};
use crate::{CryptoError, envelope, kdf, random, root::RootKey, shamir};
use aws_lc_rs::hmac;
use serde::{Deserialize, Serialize};
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::Path;
use zeroize::Zeroizing;

/// Associated data of the root-key envelope.
const ROOT_AAD: &[u8] = b"rampart/seal/root/v1";
/// Message whose HMAC under the KEK is the KEK's fingerprint.
const CHECK_MSG: &[u8] = b"rampart/seal/kek-check/v1";
const KEYFILE_SALT: &[u8] = b"rampart/seal/keyfile/v1";
const KEYFILE_INFO: &[u8] = b"rampart/seal/kek/v1";
/// Length of the key file, of the KEK and of the root key.
pub(crate) const KEY_LEN: usize = 32;

/// How the root key is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SealMode {
    KeyFile,
    Passphrase,
    Shamir { shares: u8, threshold: u8 },
}

/// The root key wrapped under the unseal key, plus what is needed to re-derive that key.
/// Safe to store in the database (no secret in it). Serialized as the current record format;
/// every earlier format is still read ([`crate::seal_record`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "crate::seal_record::V2")]
pub struct SealedRoot {
    pub mode: SealMode,
    /// `version || nonce || AES-256-GCM(root key) || tag` under the KEK.
    pub(crate) wrapped_root: Vec<u8>,
    /// HMAC-SHA256(KEK, "rampart/seal/kek-check/v1"): tells a wrong secret from a corrupt record.
    pub(crate) kek_check: Vec<u8>,
    /// Argon2id parameters; passphrase mode only.
    pub(crate) argon2: Option<Argon2Params>,
    /// Commitments to the Shamir shares; `None` in other modes and in Shamir records written
    /// before commitments existed (until their first unseal adds them).
    pub(crate) share_check: Option<ShareCheck>,
}

impl SealedRoot {
    /// Whether each Shamir share can be verified on its own (the record has commitments).
    pub fn verifies_shares(&self) -> bool {
        self.share_check.is_some()
    }
}

/// Argon2id parameters recorded with the sealed root so they can change for new seals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Argon2Params {
    pub(crate) m_cost_kib: u32,
    pub(crate) t_cost: u32,
    pub(crate) p_cost: u32,
    #[serde(with = "b64")]
    pub(crate) salt: Vec<u8>,
}

impl Argon2Params {
    /// Defaults for new seals: 64 MiB, 3 passes, 1 lane, a fresh 16-byte salt.
    pub(crate) fn new_default() -> Self {
        Self::new_with_cost(64 * 1024, 3, 1)
    }

    pub(crate) fn new_with_cost(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Self {
        Argon2Params {
            m_cost_kib,
            t_cost,
            p_cost,
            salt: random::bytes(16),
        }
    }

    /// Argon2id(passphrase) → KEK. Refuses parameters beyond sane bounds (1 GiB, 64 passes,
    /// 16 lanes) so a tampered record cannot exhaust the machine.
    fn derive(&self, passphrase: &str) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        if self.m_cost_kib > 1024 * 1024 || self.t_cost > 64 || self.p_cost > 16 {
            return Err(CryptoError::Other(
                "Argon2 parameters in the sealed root are out of bounds".into(),
            ));
        }
        let invalid = |e: argon2::Error| CryptoError::Other(format!("Argon2id failed: {e}"));
        let params = argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(KEY_LEN))
            .map_err(invalid)?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut kek = Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(passphrase.as_bytes(), &self.salt, &mut kek[..])
            .map_err(invalid)?;
        Ok(kek)
    }
}

/// Creates a root key and a new key file (mode 0600; never overwrites an existing file).
pub fn init_keyfile(keyfile: &Path) -> Result<(RootKey, SealedRoot), CryptoError> {
    let secret: Zeroizing<[u8; KEY_LEN]> = Zeroizing::new(random::array());
    write_new_keyfile(keyfile, &secret[..])?;
    let kek = keyfile_kek(&secret[..]);
    seal(SealMode::KeyFile, &kek, None)
}

/// Unseals with the key file written by [`init_keyfile`].
pub fn unseal_keyfile(sealed: &SealedRoot, keyfile: &Path) -> Result<RootKey, CryptoError> {
    expect_mode(sealed, |m| matches!(m, SealMode::KeyFile), "a key file")?;
    let shown = keyfile.display();
    let bytes = std::fs::read(keyfile)
        .map(Zeroizing::new)
        .map_err(|e| CryptoError::Unseal(format!("cannot read key file {shown}: {e}")))?;
    if bytes.len() != KEY_LEN {
        return Err(CryptoError::Unseal(format!(
            "key file {shown} is not a Rampart key file (expected {KEY_LEN} bytes)"
        )));
    }
    let kek = keyfile_kek(&bytes);
    open(
        sealed,
        &kek,
        &format!("key file {shown} is not the one this root key was sealed with"),
    )
}

/// Creates a root key sealed under Argon2id(`passphrase`).
pub fn init_passphrase(passphrase: &str) -> Result<(RootKey, SealedRoot), CryptoError> {
    init_passphrase_with(passphrase, Argon2Params::new_default())
}

pub(crate) fn init_passphrase_with(
    passphrase: &str,
    params: Argon2Params,
) -> Result<(RootKey, SealedRoot), CryptoError> {
    if passphrase.is_empty() {
        return Err(CryptoError::Other(
            "the passphrase must not be empty".into(),
        ));
    }
    let kek = params.derive(passphrase)?;
    seal(SealMode::Passphrase, &kek, Some(params))
}

/// Unseals with the passphrase given to [`init_passphrase`].
pub fn unseal_passphrase(sealed: &SealedRoot, passphrase: &str) -> Result<RootKey, CryptoError> {
    expect_mode(
        sealed,
        |m| matches!(m, SealMode::Passphrase),
        "a passphrase",
    )?;
    let params = sealed
        .argon2
        .as_ref()
        .ok_or_else(|| CryptoError::Other("sealed root lacks its Argon2 parameters".into()))?;
    let kek = params.derive(passphrase)?;
    open(sealed, &kek, "wrong passphrase")
}

/// Returns the root key, its sealed form and `shares` printable share strings.
///
/// Requires `1 <= threshold <= shares`, and `threshold >= 2` when there is more than one share
/// (otherwise every share alone would be the whole unseal key).
pub fn init_shamir(
    shares: u8,
    threshold: u8,
) -> Result<(RootKey, SealedRoot, Vec<String>), CryptoError> {
    if threshold == 0 || threshold > shares || (shares > 1 && threshold < 2) {
        return Err(CryptoError::Other(format!(
            "invalid Shamir parameters {threshold}-of-{shares}: need 1 <= threshold <= shares, and threshold >= 2 when shares > 1"
        )));
    }
    let kek: Zeroizing<[u8; KEY_LEN]> = Zeroizing::new(random::array());
    let split = shamir::split(&kek[..], shares, threshold);
    if split.len() != usize::from(shares) {
        return Err(CryptoError::Other(
            "Shamir split returned too few shares".into(),
        ));
    }
    let (root, mut sealed) = seal(SealMode::Shamir { shares, threshold }, &kek, None)?;
    sealed.share_check = Some(ShareCheck::new(&split)?);
    let printed = split.iter().map(shamir::ParsedShare::print).collect();
    Ok((root, sealed, printed))
}

/// Wraps a fresh root key under `kek`.
fn seal(
    mode: SealMode,
    kek: &[u8; KEY_LEN],
    argon2: Option<Argon2Params>,
) -> Result<(RootKey, SealedRoot), CryptoError> {
    let root = RootKey::generate();
    let wrapped_root = envelope::seal(&kdf::aes256_gcm_key(kek), &root.0[..], ROOT_AAD)?;
    let kek_check = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, kek), CHECK_MSG)
        .as_ref()
        .to_vec();
    let sealed = SealedRoot {
        mode,
        wrapped_root,
        kek_check,
        argon2,
        share_check: None,
    };
    Ok((root, sealed))
}

/// Checks `kek` against the fingerprint, then unwraps the root key.
pub(crate) fn open(
    sealed: &SealedRoot,
    kek: &[u8; KEY_LEN],
    wrong_secret: &str,
) -> Result<RootKey, CryptoError> {
    let check_key = hmac::Key::new(hmac::HMAC_SHA256, kek);
    if hmac::verify(&check_key, CHECK_MSG, &sealed.kek_check).is_err() {
        return Err(CryptoError::Unseal(wrong_secret.to_owned()));
    }
    let corrupt = || CryptoError::Other("the sealed root record is corrupt".into());
    let plain = envelope::open(&kdf::aes256_gcm_key(kek), &sealed.wrapped_root, ROOT_AAD)
        .map_err(|_| corrupt())?;
    let bytes: [u8; KEY_LEN] = plain[..].try_into().map_err(|_| corrupt())?;
    Ok(RootKey(Zeroizing::new(bytes)))
}

fn expect_mode(
    sealed: &SealedRoot,
    ok: impl Fn(&SealMode) -> bool,
    wanted: &str,
) -> Result<(), CryptoError> {
    if ok(&sealed.mode) {
        return Ok(());
    }
    Err(CryptoError::Unseal(format!(
        "the root key is sealed with {:?}, not {wanted}",
        sealed.mode
    )))
}

fn keyfile_kek(file_bytes: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    kdf::derive_32(KEYFILE_SALT, file_bytes, &[KEYFILE_INFO])
}

/// Writes `secret` to a new file (0600), creating missing parent directories (0700).
fn write_new_keyfile(path: &Path, secret: &[u8]) -> Result<(), CryptoError> {
    let shown = path.display();
    let io =
        |what: &str, e: std::io::Error| CryptoError::Other(format!("{what} key file {shown}: {e}"));
    if path.exists() {
        return Err(CryptoError::Other(format!(
            "key file {shown} already exists; refusing to overwrite it"
        )));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| io("cannot create the directory of", e))?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io("cannot create", e))?;
    if let Err(e) = file.write_all(secret).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(io("cannot write", e));
    }
    if let Some(dir) = parent {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("cannot sync the directory of", e))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "seal_tests.rs"]
mod tests;
