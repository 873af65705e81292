//! Blob members on the request path: decoding a 4 KiB plaintext from a JSON request body and
//! encoding a ciphertext into the response, as Rampart does (`Blob`), next to the scalar
//! `base64` crate doing the same work.

use base64::Engine as _;
use criterion::{Criterion, criterion_group, criterion_main};
use rampart_codec::Blob;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
    let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let json = format!("\"{text}\"");
    let mut group = c.benchmark_group("blob_4kib");
    group.bench_function("decode_blob", |b| {
        b.iter(|| serde_json::from_str::<Blob>(black_box(&json)))
    });
    group.bench_function("decode_scalar_base64", |b| {
        b.iter(|| base64::engine::general_purpose::STANDARD.decode(black_box(&text)))
    });
    let blob = Blob::from(bytes.clone());
    group.bench_function("encode_blob", |b| {
        b.iter(|| serde_json::to_vec(black_box(&blob)))
    });
    group.bench_function("encode_scalar_base64", |b| {
        b.iter(|| base64::engine::general_purpose::STANDARD.encode(black_box(&bytes)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
