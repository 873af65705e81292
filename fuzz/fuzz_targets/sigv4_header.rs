//! SigV4 `Authorization` header form: a whole request as text (request line, headers with the
//! Authorization, X-Amz-Date or Date values, body) through parse_authorization, precheck and
//! verify_secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_fuzz::{HttpText, check_sigv4};

fuzz_target!(|data: &[u8]| {
    let req = HttpText::parse(data);
    let headers: Vec<(&str, &[u8])> = req
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_slice()))
        .collect();
    check_sigv4(&req.method, &req.path, &req.query, &headers, &req.body);
});
