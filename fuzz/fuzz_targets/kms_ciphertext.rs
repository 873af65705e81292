//! KMS symmetric ciphertext blobs: the first byte picks the case. Odd: the rest is a blob,
//! read by parse_header and decrypt (fixed backing key, empty or one-entry encryption
//! context). Even: the rest is a key id and plaintext, encrypted, decrypted back and checked,
//! and must not decrypt once any byte is flipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_crypto::symmetric::{BackingKey, BlobHeader, decrypt, parse_header, try_encrypt};
use std::collections::BTreeMap;
use std::sync::LazyLock;

static KEY: LazyLock<BackingKey> =
    LazyLock::new(|| BackingKey::from_bytes(&[7u8; 32]).expect("32 bytes"));

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let context: BTreeMap<String, String> = if mode & 2 == 0 {
        BTreeMap::new()
    } else {
        BTreeMap::from([("app".to_owned(), "billing".to_owned())])
    };
    if mode & 1 == 1 {
        let header = parse_header(rest);
        let opened = decrypt(&KEY, rest, &context);
        // Whatever decrypts has a valid header.
        assert!(opened.is_err() || header.is_ok());
        return;
    }
    // Even: `<id len u8><key id><plaintext>`.
    let Some((&id_len, rest)) = rest.split_first() else {
        return;
    };
    let Some((id, plaintext)) = rest.split_at_checked(usize::from(id_len)) else {
        return;
    };
    let Ok(key_id) = std::str::from_utf8(id) else {
        return;
    };
    let header = BlobHeader {
        key_id: key_id.to_owned(),
        backing_version: u32::from(mode) << 8,
    };
    let Ok(blob) = try_encrypt(&KEY, &header, plaintext, &context) else {
        assert!(key_id.is_empty(), "encrypt refused a 1..=255-byte key id");
        return;
    };
    assert_eq!(parse_header(&blob).ok(), Some(header));
    let opened = decrypt(&KEY, &blob, &context).expect("round trip");
    assert_eq!(&opened[..], plaintext);
    let mut tampered = blob.clone();
    let at = usize::from(id_len) % tampered.len();
    tampered[at] ^= 0x80;
    assert!(
        decrypt(&KEY, &tampered, &context).is_err(),
        "tampered blob decrypted"
    );
    assert!(
        decrypt(&KEY, &blob[..blob.len() - 1], &context).is_err(),
        "truncated blob decrypted"
    );
});
