//! Tests of the KMS symmetric blob format.

use super::*;

fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn header() -> BlobHeader {
    BlobHeader {
        key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        backing_version: 7,
    }
}

#[test]
fn round_trip_with_and_without_context() {
    let key = BackingKey::generate();
    for context in [ctx(&[]), ctx(&[("purpose", "test"), ("a", "b")])] {
        for plaintext in [&b""[..], b"x", &[0xAB; 4096]] {
            let blob = encrypt(&key, &header(), plaintext, &context);
            assert_eq!(
                blob.len(),
                FIXED_HEADER_LEN + 36 + plaintext.len() + TAG_LEN
            );
            assert_eq!(&decrypt(&key, &blob, &context).unwrap()[..], plaintext);
        }
    }
}

#[test]
fn layout_is_as_documented() {
    let key = BackingKey::generate();
    let blob = encrypt(&key, &header(), b"hello", &ctx(&[]));
    assert_eq!(blob[0], 0x01);
    assert_eq!(blob[1], 36);
    assert_eq!(&blob[2..38], header().key_id.as_bytes());
    assert_eq!(&blob[38..42], &7u32.to_be_bytes());
    assert_eq!(parse_header(&blob).unwrap(), header());
}

#[test]
fn fresh_salt_and_nonce_per_call() {
    let key = BackingKey::generate();
    let a = encrypt(&key, &header(), b"same", &ctx(&[]));
    let b = encrypt(&key, &header(), b"same", &ctx(&[]));
    assert_ne!(a, b);
}

#[test]
fn every_single_byte_tamper_fails() {
    let key = BackingKey::generate();
    let context = ctx(&[("k", "v")]);
    let blob = encrypt(&key, &header(), b"attack at dawn", &context);
    for i in 0..blob.len() {
        for flip in [0x01u8, 0x80] {
            let mut bad = blob.clone();
            bad[i] ^= flip;
            let res = decrypt(&key, &bad, &context);
            assert!(
                matches!(res, Err(CryptoError::InvalidCiphertext)),
                "byte {i} flip {flip:#x}"
            );
        }
    }
}

#[test]
fn context_mismatch_fails() {
    let key = BackingKey::generate();
    let context = ctx(&[("a", "b")]);
    let blob = encrypt(&key, &header(), b"data", &context);
    let wrong = [
        ctx(&[]),
        ctx(&[("A", "b")]),
        ctx(&[("a", "B")]),
        ctx(&[("a", "b"), ("c", "d")]),
        ctx(&[("a ", "b")]),
    ];
    for other in wrong {
        assert!(matches!(
            decrypt(&key, &blob, &other),
            Err(CryptoError::InvalidCiphertext)
        ));
    }
    let plain = encrypt(&key, &header(), b"data", &ctx(&[]));
    assert!(decrypt(&key, &plain, &context).is_err());
}

#[test]
fn context_encoding_is_unambiguous() {
    let head = b"h";
    let a = associated_data(head, &ctx(&[("ab", "c")])).unwrap();
    let b = associated_data(head, &ctx(&[("a", "bc")])).unwrap();
    assert_ne!(a, b);
    let sorted = associated_data(head, &ctx(&[("b", "2"), ("a", "1")])).unwrap();
    assert_eq!(
        &sorted[..],
        b"h\0\0\0\x01a\0\0\0\x011\0\0\0\x01b\0\0\0\x012"
    );
}

#[test]
fn truncation_fails() {
    let key = BackingKey::generate();
    let blob = encrypt(&key, &header(), b"some plaintext", &ctx(&[]));
    for len in 0..blob.len() {
        let res = decrypt(&key, &blob[..len], &ctx(&[]));
        assert!(
            matches!(res, Err(CryptoError::InvalidCiphertext)),
            "len {len}"
        );
    }
    let header_end = FIXED_HEADER_LEN + 36;
    for len in 0..header_end + TAG_LEN {
        assert!(parse_header(&blob[..len]).is_err(), "len {len}");
    }
    let mut extended = blob.clone();
    extended.push(0);
    assert!(decrypt(&key, &extended, &ctx(&[])).is_err());
}

#[test]
fn wrong_key_fails() {
    let blob = encrypt(&BackingKey::generate(), &header(), b"x", &ctx(&[]));
    let res = decrypt(&BackingKey::generate(), &blob, &ctx(&[]));
    assert!(matches!(res, Err(CryptoError::InvalidCiphertext)));
}

#[test]
fn parse_header_rejects_bad_structure() {
    let key = BackingKey::generate();
    let blob = encrypt(&key, &header(), b"x", &ctx(&[]));
    let mut bad_format = blob.clone();
    bad_format[0] = 0x02;
    assert!(parse_header(&bad_format).is_err());
    let mut bad_utf8 = blob.clone();
    bad_utf8[2] = 0xFF;
    assert!(parse_header(&bad_utf8).is_err());
    let mut zero_len = blob.clone();
    zero_len[1] = 0;
    assert!(parse_header(&zero_len).is_err());
}

#[test]
fn key_id_length_is_checked() {
    let key = BackingKey::generate();
    let long = BlobHeader {
        key_id: "k".repeat(256),
        backing_version: 1,
    };
    assert!(try_encrypt(&key, &long, b"x", &ctx(&[])).is_err());
    let empty = BlobHeader {
        key_id: String::new(),
        backing_version: 1,
    };
    assert!(try_encrypt(&key, &empty, b"x", &ctx(&[])).is_err());
    let max = BlobHeader {
        key_id: "k".repeat(255),
        backing_version: u32::MAX,
    };
    let blob = try_encrypt(&key, &max, b"x", &ctx(&[])).unwrap();
    assert_eq!(parse_header(&blob).unwrap(), max);
}

#[test]
fn backing_key_bytes_and_debug() {
    let key = BackingKey::generate();
    let copy = BackingKey::from_bytes(key.as_bytes()).unwrap();
    assert_eq!(key.as_bytes(), copy.as_bytes());
    assert!(BackingKey::from_bytes(&[0u8; 31]).is_err());
    assert_eq!(format!("{key:?}"), "BackingKey(<redacted>)");
}

/// Rough cost of one encrypt + decrypt; run with `cargo test --release -- --ignored --nocapture`.
#[test]
#[ignore = "timing, not a correctness check"]
fn timing_encrypt_decrypt() {
    let key = BackingKey::generate();
    let context = ctx(&[("purpose", "timing"), ("tenant", "42")]);
    let plaintext = [7u8; 256];
    let rounds = 20_000u32;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        let blob = encrypt(&key, &header(), &plaintext, &context);
        assert_eq!(decrypt(&key, &blob, &context).unwrap().len(), 256);
    }
    println!("encrypt+decrypt: {:?} per round", start.elapsed() / rounds);
}
