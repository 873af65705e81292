//! awsJson1.1 request decoding of KMS: `<Operation>\n<body>` through the generated dispatcher
//! (decode with unknown fields denied and base64 blobs, audit JSON, model validation) with the
//! generated `DecodeOnly` handler: every served operation answers not-implemented after its
//! input was decoded and validated; the others answer not-served unread.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_fuzz::{context, run_ready};
use rampart_kms::generated::{DecodeOnly, dispatch};

fuzz_target!(|data: &[u8]| {
    let (operation, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let operation = String::from_utf8_lossy(operation);
    let inv = run_ready(dispatch(&DecodeOnly, context(), &operation, body));
    let err = inv.result.expect_err("no handler is implemented");
    assert!((400..600).contains(&err.status), "{err:?}");
});
