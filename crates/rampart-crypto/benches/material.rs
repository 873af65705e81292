//! Raw cost of the key-material operations KMS serves (no HTTP, no SigV4, no audit): the
//! baseline for BENCHMARKS.md's "Sign/Verify within 1.5× of the raw aws-lc-rs cost plus the
//! HTTP overhead measured for Encrypt". Run: `cargo bench -p rampart-crypto --bench material`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rampart_crypto::material::{MacAlgorithm, Material, MessageType, SigningAlgorithm, Spec};
use rampart_crypto::symmetric::{self, BlobHeader};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Median of `rounds` timings of `per_round` calls each, in microseconds per call.
fn median_us(mut op: impl FnMut(), per_round: u32, rounds: usize) -> f64 {
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                op();
            }
            start.elapsed() / per_round
        })
        .collect();
    samples.sort();
    samples[rounds / 2].as_secs_f64() * 1e6
}

fn report(name: &str, us: f64) {
    println!("{name:<36} {us:>10.2} µs/op");
}

fn sign_bench(name: &str, spec: Spec, alg: SigningAlgorithm, per_round: u32) {
    let key = Material::generate(spec).expect("generate");
    let message = [7u8; 64];
    report(
        &format!("sign {name}"),
        median_us(
            || {
                black_box(
                    key.sign(alg, MessageType::Raw, black_box(&message))
                        .expect("sign"),
                );
            },
            per_round,
            15,
        ),
    );
    let signature = key.sign(alg, MessageType::Raw, &message).expect("sign");
    report(
        &format!("verify {name}"),
        median_us(
            || {
                let ok = key.verify(alg, MessageType::Raw, &message, &signature);
                black_box(ok.expect("verify"));
            },
            per_round,
            15,
        ),
    );
}

fn main() {
    let backing = Material::generate(Spec::Symmetric).expect("generate");
    let header = BlobHeader {
        key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        backing_version: 1,
    };
    let plaintext = vec![1u8; 4096];
    let context = BTreeMap::new();
    let sym = backing.symmetric().expect("symmetric");
    report(
        "encrypt 4 KiB (SYMMETRIC_DEFAULT)",
        median_us(
            || {
                black_box(symmetric::encrypt(sym, &header, &plaintext, &context));
            },
            2000,
            15,
        ),
    );
    sign_bench(
        "ECC_NIST_P256 ECDSA_SHA_256",
        Spec::EccP256,
        SigningAlgorithm::EcdsaSha256,
        500,
    );
    sign_bench(
        "RSA_2048 RSASSA_PSS_SHA_256",
        Spec::Rsa2048,
        SigningAlgorithm::RsaPssSha256,
        50,
    );
    let hmac = Material::generate(Spec::Hmac256).expect("generate");
    report(
        "GenerateMac HMAC_256 (64 B)",
        median_us(
            || {
                black_box(hmac.mac(MacAlgorithm::HmacSha256, &[3u8; 64]).expect("mac"));
            },
            5000,
            15,
        ),
    );
}
