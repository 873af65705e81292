//! AWS Encryption SDK messages (`rampart-esdk`): the first byte picks the case. Odd: the rest
//! is a message, decrypted with a fixed raw AES keyring (namespace `fuzz`, name `k`, key 7s)
//! under every commitment policy, whole and frame by frame; nothing may panic or allocate
//! without bound, and whatever decrypts must decrypt the same both ways. Even: the rest is a
//! plaintext, encrypted (suite and frame length from the first byte), decrypted back, and no
//! longer decryptable once any one byte is flipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_esdk::keyring::raw_aes::RawAesKeyring;
use rampart_esdk::{
    AlgorithmSuite, CommitmentPolicy, DecryptOptions, Decryptor, DefaultCmm, EncryptOptions,
    Streaming,
};
use std::sync::LazyLock;

static CMM: LazyLock<DefaultCmm<RawAesKeyring>> =
    LazyLock::new(|| DefaultCmm::new(RawAesKeyring::new("fuzz", "k", &[7u8; 32]).expect("key")));

fn chunked(message: &[u8], options: &DecryptOptions) -> Option<Vec<u8>> {
    let mut decryptor = Decryptor::new(message, &*CMM, options).ok()?;
    let mut out = Vec::new();
    while let Some(chunk) = decryptor.next_chunk().ok()? {
        out.extend_from_slice(&chunk);
    }
    decryptor.finish().ok()?;
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        let policy = match mode >> 1 & 3 {
            0 => CommitmentPolicy::RequireEncryptRequireDecrypt,
            _ => CommitmentPolicy::RequireEncryptAllowDecrypt,
        };
        let options = DecryptOptions {
            policy,
            max_encrypted_data_keys: Some(8),
            streaming: Streaming::Unverified,
            ..Default::default()
        };
        let whole = rampart_esdk::decrypt(rest, &*CMM, &options).ok().map(|(p, _)| p);
        assert_eq!(whole, chunked(rest, &options), "the two decrypt paths disagree");
        return;
    }
    let suite = AlgorithmSuite::ALL[usize::from(mode >> 1) % AlgorithmSuite::ALL.len()];
    let policy = if suite.is_committing() {
        CommitmentPolicy::RequireEncryptRequireDecrypt
    } else {
        CommitmentPolicy::ForbidEncryptAllowDecrypt
    };
    let frame_length = u32::from(mode >> 4) + 1;
    let options = EncryptOptions { suite: Some(suite), frame_length, policy, ..Default::default() };
    let message = rampart_esdk::encrypt(rest, &*CMM, &options).expect("encrypt");
    let read = DecryptOptions { policy: CommitmentPolicy::RequireEncryptAllowDecrypt, ..Default::default() };
    let (plain, _) = rampart_esdk::decrypt(&message, &*CMM, &read).expect("round trip");
    assert_eq!(plain, rest);
    let mut tampered = message.clone();
    let at = rest.len().wrapping_mul(31) % tampered.len();
    tampered[at] ^= 0x40;
    assert!(rampart_esdk::decrypt(&tampered, &*CMM, &read).is_err(), "a flipped byte went unnoticed");
});
