//! Round trips over every suite and frame boundary, tamper detection, policies and limits.
#![allow(clippy::unwrap_used)]

use crate::keyring::multi::MultiKeyring;
use crate::keyring::raw_aes::RawAesKeyring;
use crate::keyring::raw_rsa::{RawRsaKeyring, RsaPadding, generate_pkcs8};
use crate::*;
use std::io::Write;

fn aes_cmm(name: &str, byte: u8) -> DefaultCmm<RawAesKeyring> {
    DefaultCmm::new(RawAesKeyring::new("test-ns", name, &[byte; 32]).unwrap())
}

fn options(suite: AlgorithmSuite, frame_length: u32) -> EncryptOptions {
    let policy = if suite.is_committing() {
        CommitmentPolicy::RequireEncryptRequireDecrypt
    } else {
        CommitmentPolicy::ForbidEncryptAllowDecrypt
    };
    let mut context = EncryptionContext::new();
    context.insert("purpose".into(), "test".into());
    EncryptOptions {
        suite: Some(suite),
        context,
        frame_length,
        policy,
        max_plaintext_length: None,
    }
}

fn allow_all() -> DecryptOptions {
    DecryptOptions {
        policy: CommitmentPolicy::RequireEncryptAllowDecrypt,
        ..Default::default()
    }
}

#[test]
fn every_suite_round_trips_across_frame_boundaries() {
    let cmm = aes_cmm("k", 1);
    for suite in AlgorithmSuite::ALL {
        for len in [0usize, 1, 31, 32, 33, 64, 100] {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let message = encrypt(&plaintext, &cmm, &options(suite, 32)).unwrap();
            assert_eq!(message[0], suite.message_version());
            let (out, context) = decrypt(&message, &cmm, &allow_all()).unwrap();
            assert_eq!(out, plaintext, "{suite:?} {len}");
            assert_eq!(context.get("purpose").map(String::as_str), Some("test"));
            assert_eq!(
                context.contains_key(context::PUBLIC_KEY),
                suite.signing().is_some()
            );
        }
    }
}

#[test]
fn streaming_writes_in_odd_pieces_give_the_same_plaintext() {
    let cmm = aes_cmm("k", 2);
    let plaintext: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let mut encryptor =
        Encryptor::new(Vec::new(), &cmm, &options(AlgorithmSuite::DEFAULT, 1000)).unwrap();
    for piece in plaintext.chunks(333) {
        encryptor.write_all(piece).unwrap();
    }
    let message = encryptor.finish().unwrap();
    let verified_only = DecryptOptions::default();
    let mut refusing = Decryptor::new(message.as_slice(), &cmm, &verified_only).unwrap();
    assert!(
        matches!(refusing.next_chunk(), Err(Error::Usage(_))),
        "a signed chunk before the signature"
    );
    let unsigned_only = DecryptOptions {
        streaming: Streaming::UnsignedOnly,
        ..Default::default()
    };
    assert!(matches!(
        Decryptor::new(message.as_slice(), &cmm, &unsigned_only),
        Err(Error::Usage(_))
    ));
    let unverified = DecryptOptions {
        streaming: Streaming::Unverified,
        ..Default::default()
    };
    let mut decryptor = Decryptor::new(message.as_slice(), &cmm, &unverified).unwrap();
    assert!(decryptor.is_signed());
    let mut out = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = decryptor.next_chunk().unwrap() {
        assert!(chunk.len() <= 1000);
        out.extend_from_slice(&chunk);
        chunks += 1;
    }
    decryptor.finish().unwrap();
    assert_eq!(out, plaintext);
    // 10,000 bytes end on a frame boundary: ten full frames and an empty final frame.
    assert_eq!(chunks, 11);
}

#[test]
fn flipping_any_byte_is_detected() {
    let cmm = aes_cmm("k", 3);
    for suite in [
        AlgorithmSuite::DEFAULT,
        AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
    ] {
        let message = encrypt(b"attack at dawn, bring snacks", &cmm, &options(suite, 8)).unwrap();
        for i in 0..message.len() {
            let mut bad = message.clone();
            bad[i] ^= 0x01;
            assert!(
                decrypt(&bad, &cmm, &allow_all()).is_err(),
                "{suite:?} byte {i} undetected"
            );
        }
        assert!(decrypt(&message[..message.len() - 1], &cmm, &allow_all()).is_err());
        let mut longer = message.clone();
        longer.push(0);
        assert!(decrypt(&longer, &cmm, &allow_all()).is_err());
    }
}

#[test]
fn another_key_cannot_decrypt() {
    let message = encrypt(b"x", &aes_cmm("k", 4), &EncryptOptions::default()).unwrap();
    let err = decrypt(&message, &aes_cmm("k", 5), &DecryptOptions::default()).unwrap_err();
    assert!(matches!(err, Error::NoDataKey(_)), "{err}");
    let err = decrypt(&message, &aes_cmm("other", 4), &DecryptOptions::default()).unwrap_err();
    assert!(matches!(err, Error::NoDataKey(_)), "{err}");
}

#[test]
fn commitment_policy_is_enforced_both_ways() {
    let cmm = aes_cmm("k", 6);
    let legacy = options(AlgorithmSuite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384, 64);
    let message = encrypt(b"old", &cmm, &legacy).unwrap();
    let err = decrypt(&message, &cmm, &DecryptOptions::default()).unwrap_err();
    assert!(matches!(err, Error::CommitmentPolicy { .. }), "{err}");
    let mut wrong = legacy.clone();
    wrong.policy = CommitmentPolicy::RequireEncryptRequireDecrypt;
    assert!(matches!(
        encrypt(b"x", &cmm, &wrong),
        Err(Error::CommitmentPolicy { .. })
    ));
}

#[test]
fn reserved_context_keys_and_too_many_data_keys_are_refused() {
    let cmm = aes_cmm("k", 7);
    let mut opts = EncryptOptions::default();
    opts.context.insert("aws-crypto-mine".into(), "x".into());
    assert!(matches!(encrypt(b"x", &cmm, &opts), Err(Error::Context(_))));
    let two = MultiKeyring::new(
        Some(Box::new(RawAesKeyring::new("ns", "a", &[1; 16]).unwrap())),
        vec![Box::new(RawAesKeyring::new("ns", "b", &[2; 24]).unwrap())],
    )
    .unwrap();
    let two = DefaultCmm::new(two);
    let message = encrypt(b"x", &two, &EncryptOptions::default()).unwrap();
    let limited = DecryptOptions {
        max_encrypted_data_keys: Some(1),
        ..Default::default()
    };
    assert!(matches!(
        decrypt(&message, &two, &limited),
        Err(Error::TooManyDataKeys { found: 2, limit: 1 })
    ));
    let only_b = DefaultCmm::new(RawAesKeyring::new("ns", "b", &[2; 24]).unwrap());
    assert_eq!(
        decrypt(&message, &only_b, &DecryptOptions::default())
            .unwrap()
            .0,
        b"x"
    );
}

#[test]
fn raw_rsa_round_trips_with_every_padding() {
    let pkcs8 = generate_pkcs8(2048).unwrap();
    for padding in [
        RsaPadding::Pkcs1,
        RsaPadding::OaepSha1,
        RsaPadding::OaepSha256,
        RsaPadding::OaepSha512,
    ] {
        let keyring = RawRsaKeyring::new("rsa-ns", "rsa", padding, None, Some(&pkcs8)).unwrap();
        let cmm = DefaultCmm::new(keyring);
        let message = encrypt(b"rsa wrapped", &cmm, &EncryptOptions::default()).unwrap();
        assert_eq!(
            decrypt(&message, &cmm, &DecryptOptions::default())
                .unwrap()
                .0,
            b"rsa wrapped"
        );
    }
}

#[test]
fn an_expected_context_pair_must_be_present_and_equal() {
    let cmm = aes_cmm("k", 8);
    let message = encrypt(b"x", &cmm, &options(AlgorithmSuite::DEFAULT, 64)).unwrap();
    let mut opts = DecryptOptions::default();
    opts.expected_context
        .insert("purpose".into(), "test".into());
    assert!(decrypt(&message, &cmm, &opts).is_ok());
    opts.expected_context
        .insert("purpose".into(), "other".into());
    assert!(matches!(
        decrypt(&message, &cmm, &opts),
        Err(Error::Context(_))
    ));
    opts.expected_context.clear();
    opts.expected_context.insert("missing".into(), "x".into());
    assert!(matches!(
        decrypt(&message, &cmm, &opts),
        Err(Error::Context(_))
    ));
}

/// Counts the calls that reach the wrapped manager.
struct Counting<M> {
    inner: M,
    encrypts: std::sync::atomic::AtomicUsize,
    decrypts: std::sync::atomic::AtomicUsize,
}

impl<M: MaterialsManager> MaterialsManager for &Counting<M> {
    fn encryption_materials(
        &self,
        request: &EncryptionRequest<'_>,
    ) -> Result<materials::EncryptionMaterials> {
        self.encrypts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.encryption_materials(request)
    }

    fn decryption_materials(
        &self,
        suite: AlgorithmSuite,
        context: &EncryptionContext,
        encrypted: &[EncryptedDataKey],
        policy: CommitmentPolicy,
    ) -> Result<materials::DecryptionMaterials> {
        self.decrypts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner
            .decryption_materials(suite, context, encrypted, policy)
    }
}

fn counting() -> Counting<DefaultCmm<RawAesKeyring>> {
    Counting {
        inner: aes_cmm("k", 9),
        encrypts: 0.into(),
        decrypts: 0.into(),
    }
}

#[test]
fn the_cache_reuses_a_data_key_within_its_message_and_byte_limits() {
    use std::sync::atomic::Ordering::SeqCst;
    let inner = counting();
    let limits = CacheLimits {
        max_messages: 2,
        max_bytes: 10,
        ..CacheLimits::with_max_age(std::time::Duration::from_secs(60))
    };
    let cache = CachingCmm::new(&inner, limits, "p");
    let opts = EncryptOptions::default();
    let first = encrypt(b"abc", &cache, &opts).unwrap();
    let second = encrypt(b"abc", &cache, &opts).unwrap();
    assert_eq!(
        inner.encrypts.load(SeqCst),
        1,
        "the second message reuses the data key"
    );
    assert_eq!(header_edks(&first), header_edks(&second));
    encrypt(b"abc", &cache, &opts).unwrap();
    assert_eq!(
        inner.encrypts.load(SeqCst),
        2,
        "a third message exceeds max_messages"
    );
    encrypt(b"0123456789A", &cache, &opts).unwrap();
    assert_eq!(
        inner.encrypts.load(SeqCst),
        3,
        "more than max_bytes is never cached"
    );
    for _ in 0..3 {
        assert_eq!(
            decrypt(&first, &cache, &DecryptOptions::default())
                .unwrap()
                .0,
            b"abc"
        );
    }
    assert_eq!(
        inner.decrypts.load(SeqCst),
        1,
        "decryption materials are cached too"
    );
}

#[test]
fn expired_entries_and_identity_suites_are_not_reused() {
    use std::sync::atomic::Ordering::SeqCst;
    let inner = counting();
    let cache = CachingCmm::new(
        &inner,
        CacheLimits::with_max_age(std::time::Duration::ZERO),
        "p",
    );
    encrypt(b"a", &cache, &EncryptOptions::default()).unwrap();
    encrypt(b"a", &cache, &EncryptOptions::default()).unwrap();
    assert_eq!(inner.encrypts.load(SeqCst), 2);
    let inner = counting();
    let cache = CachingCmm::new(
        &inner,
        CacheLimits::with_max_age(std::time::Duration::from_secs(60)),
        "p",
    );
    let identity = options(AlgorithmSuite::Aes256GcmIv12Tag16NoKdf, 64);
    encrypt(b"a", &cache, &identity).unwrap();
    encrypt(b"a", &cache, &identity).unwrap();
    assert_eq!(inner.encrypts.load(SeqCst), 2);
}

fn header_edks(message: &[u8]) -> Vec<EncryptedDataKey> {
    let limits = header::ReadLimits {
        max_encrypted_data_keys: None,
    };
    header::read_body(&mut &message[..], limits)
        .unwrap()
        .0
        .encrypted_data_keys
}

#[test]
fn a_claimed_length_costs_only_the_bytes_that_arrive() {
    let cmm = aes_cmm("k", 10);
    let frames = options(AlgorithmSuite::Aes256GcmHkdfSha512CommitKey, 1 << 30);
    let message = encrypt(b"short", &cmm, &frames).unwrap();
    // The header claims 1 GiB frames; a truncated final frame must fail without reserving them.
    let cut = &message[..message.len() - 3];
    assert!(matches!(
        decrypt(cut, &cmm, &allow_all()),
        Err(Error::Malformed(_))
    ));
    let mut raw = Vec::new();
    let err = header::read_into(&mut &b"abc"[..], &mut raw, 1 << 30, "x").unwrap_err();
    assert!(matches!(err, Error::Malformed("x")));
    assert!(
        raw.capacity() <= 1 << 20,
        "reserved {} bytes for 3",
        raw.capacity()
    );
}
