//! SigV4 presigned-URL form: the input is the query string of `GET /` (Host signed), through
//! parse_authorization, precheck and verify_secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_fuzz::check_sigv4;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let headers: [(&str, &[u8]); 1] = [("Host", b"example.amazonaws.com")];
    check_sigv4("GET", "/", &query, &headers, b"");
});
