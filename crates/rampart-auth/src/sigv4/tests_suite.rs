//! The official SigV4 test suite (aws-c-auth `v4`), header and presigned forms, plus tampering.

use super::*;
use crate::{Credential, CredentialLookup};
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sigv4-test-suite/v4"
);

/// One parsed HTTP request from a `*.txt` file of the suite.
struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn parse(text: &[u8]) -> Self {
        let (head, body) = match text.windows(2).position(|w| w == b"\n\n") {
            Some(at) => (&text[..at], text[at + 2..].to_vec()),
            None => (text, Vec::new()),
        };
        let head = String::from_utf8(head.to_vec()).expect("utf-8 head");
        let mut lines = head.split('\n');
        let line = lines.next().expect("request line");
        let (method, rest) = line.split_once(' ').expect("method");
        let target = rest.strip_suffix(" HTTP/1.1").expect("HTTP/1.1");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
        for line in lines.filter(|l| !l.is_empty()) {
            if line.starts_with(' ') || line.starts_with('\t') {
                let last = headers.last_mut().expect("continuation after a header");
                last.1.push(b'\n');
                last.1.extend_from_slice(line.as_bytes());
            } else {
                let (name, value) = line.split_once(':').expect("header colon");
                headers.push((name.to_owned(), value.as_bytes().to_vec()));
            }
        }
        Self {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers,
            body,
        }
    }

    fn header_refs(&self) -> Vec<(&str, &[u8])> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect()
    }
}

/// The suite's `context.json`.
struct Context {
    access_key_id: String,
    secret: String,
    normalize: bool,
    /// The signer appended the session token to the presigned query after signing.
    omit_session_token: bool,
    now: OffsetDateTime,
}

impl Context {
    fn load(dir: &Path) -> Self {
        let text = std::fs::read_to_string(dir.join("context.json")).expect("context.json");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        let s = |v: &serde_json::Value| v.as_str().expect("string").to_owned();
        Self {
            access_key_id: s(&json["credentials"]["access_key_id"]),
            secret: s(&json["credentials"]["secret_access_key"]),
            normalize: json["normalize"].as_bool().expect("normalize"),
            omit_session_token: json["omit_session_token"].as_bool().unwrap_or(false),
            now: OffsetDateTime::parse(json["timestamp"].as_str().expect("ts"), &Rfc3339)
                .expect("rfc3339"),
        }
    }

    fn opts(&self) -> VerifyOptions {
        VerifyOptions {
            normalize_path: self.normalize,
            encode_path: true,
            unsigned_query_session_token: self.omit_session_token,
        }
    }
}

struct Keys(Vec<(String, String)>);

impl CredentialLookup for Keys {
    fn lookup(&self, access_key_id: &str) -> Option<Credential> {
        let (_, secret) = self.0.iter().find(|(id, _)| id == access_key_id)?;
        Some(Credential {
            secret_access_key: zeroize::Zeroizing::new(secret.clone()),
        })
    }
}

fn case_dirs() -> Vec<PathBuf> {
    let root = Path::new(SUITE);
    assert!(root.is_dir(), "SigV4 test suite missing at {SUITE}");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("read suite")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("context.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

fn verify_raw(raw: &RawRequest, ctx: &Context, keys: &Keys) -> Result<Verified, AuthError> {
    let headers = raw.header_refs();
    let req = SignedRequest {
        method: &raw.method,
        path: &raw.path,
        query: &raw.query,
        headers: &headers,
        body: &raw.body,
        body_sha256: None,
    };
    verify_with(&req, ctx.now, "service", keys, &ctx.opts())
}

/// Checks one form (`header` or `query`) of one case.
fn check_form(dir: &Path, ctx: &Context, form: &str) {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let raw = RawRequest::parse(&read(dir, &format!("{form}-signed-request.txt")));
    let headers = raw.header_refs();
    let req = SignedRequest {
        method: &raw.method,
        path: &raw.path,
        query: &raw.query,
        headers: &headers,
        body: &raw.body,
        body_sha256: None,
    };
    let checked =
        check_request(&req, ctx.now, "service").unwrap_or_else(|e| panic!("{name}/{form}: {e}"));
    let parts = scope::split_credential(&checked.params.credential).expect("credential");
    let (creq, sts) =
        canonical_parts(&req, &checked, &parts, "service", &ctx.opts()).expect("canonical");
    let want_creq = read(dir, &format!("{form}-canonical-request.txt"));
    assert_eq!(
        String::from_utf8_lossy(&creq),
        String::from_utf8_lossy(&want_creq),
        "{name}/{form} creq"
    );
    let want_sts = read(dir, &format!("{form}-string-to-sign.txt"));
    assert_eq!(
        String::from_utf8_lossy(&sts),
        String::from_utf8_lossy(&want_sts),
        "{name}/{form} sts"
    );
    let want_sig = String::from_utf8(read(dir, &format!("{form}-signature.txt"))).expect("sig");
    assert_eq!(
        checked.params.signature.trim(),
        want_sig.trim(),
        "{name}/{form} signature"
    );

    let keys = Keys(vec![(ctx.access_key_id.clone(), ctx.secret.clone())]);
    let verified =
        verify_raw(&raw, ctx, &keys).unwrap_or_else(|e| panic!("{name}/{form} verify: {e}"));
    assert_eq!(verified.access_key_id, ctx.access_key_id);
    assert_eq!(verified.scope.region, "us-east-1");
    assert_eq!(verified.signed_at, ctx.now);
    check_tampering(&name, form, &raw, ctx, &keys, &want_sig);
}

fn assert_rejected(result: Result<Verified, AuthError>, what: &str) {
    match result {
        Err(AuthError::InvalidSignature(msg)) => {
            assert!(msg.starts_with("The request signature"), "{what}: {msg}")
        }
        other => panic!("{what}: expected InvalidSignature, got {other:?}"),
    }
}

/// One changed byte of signature, secret, region or body must fail verification.
fn check_tampering(
    name: &str,
    form: &str,
    raw: &RawRequest,
    ctx: &Context,
    keys: &Keys,
    sig: &str,
) {
    let sig = sig.trim();
    let flipped = format!(
        "{}{}",
        if sig.starts_with('0') { '1' } else { '0' },
        &sig[1..]
    );
    let mut bad_sig = RawRequest::parse(&serialize(raw));
    replace_everywhere(&mut bad_sig, sig, &flipped);
    assert_rejected(
        verify_raw(&bad_sig, ctx, keys),
        &format!("{name}/{form} signature"),
    );

    let wrong = Keys(vec![(
        ctx.access_key_id.clone(),
        format!("{}x", &ctx.secret[..ctx.secret.len() - 1]),
    )]);
    assert_rejected(
        verify_raw(raw, ctx, &wrong),
        &format!("{name}/{form} secret"),
    );

    let mut bad_region = RawRequest::parse(&serialize(raw));
    replace_everywhere(&mut bad_region, "us-east-1", "us-east-2");
    assert_rejected(
        verify_raw(&bad_region, ctx, keys),
        &format!("{name}/{form} region"),
    );

    let mut bad_body = RawRequest::parse(&serialize(raw));
    bad_body.body.push(b'!');
    assert_rejected(
        verify_raw(&bad_body, ctx, keys),
        &format!("{name}/{form} body"),
    );
}

fn serialize(raw: &RawRequest) -> Vec<u8> {
    let mut out = format!("{} {}", raw.method, raw.path).into_bytes();
    if !raw.query.is_empty() {
        out.extend_from_slice(format!("?{}", raw.query).as_bytes());
    }
    out.extend_from_slice(b" HTTP/1.1\n");
    for (n, v) in &raw.headers {
        out.extend_from_slice(n.as_bytes());
        out.push(b':');
        out.extend_from_slice(v);
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(&raw.body);
    out
}

/// Replaces `from` with `to` in the query and in the Authorization header.
fn replace_everywhere(raw: &mut RawRequest, from: &str, to: &str) {
    raw.query = raw.query.replace(from, to);
    for (name, value) in &mut raw.headers {
        if name.eq_ignore_ascii_case("authorization") {
            *value = String::from_utf8_lossy(value)
                .replace(from, to)
                .into_bytes();
        }
    }
}

#[test]
fn all_suite_cases_pass_in_both_forms() {
    let dirs = case_dirs();
    assert_eq!(dirs.len(), 38, "expected the 38 cases of the v4 suite");
    for dir in &dirs {
        let ctx = Context::load(dir);
        check_form(dir, &ctx, "header");
        check_form(dir, &ctx, "query");
    }
}

#[test]
fn request_txt_matches_signed_request_head() {
    // Sanity check of the parser on the unsigned request files.
    for dir in case_dirs() {
        let raw = RawRequest::parse(&read(&dir, "request.txt"));
        let signed = RawRequest::parse(&read(&dir, "header-signed-request.txt"));
        assert_eq!(
            (raw.method, raw.path, raw.query, raw.body),
            (signed.method, signed.path, signed.query, signed.body)
        );
    }
}

#[test]
fn unnormalized_cases_fail_with_default_options() {
    // S3-style vectors only verify when path normalization is off.
    let dir = Path::new(SUITE).join("get-slashes-unnormalized");
    let ctx = Context::load(&dir);
    let raw = RawRequest::parse(&read(&dir, "header-signed-request.txt"));
    let keys = Keys(vec![(ctx.access_key_id.clone(), ctx.secret.clone())]);
    let headers = raw.header_refs();
    let req = SignedRequest {
        method: &raw.method,
        path: &raw.path,
        query: &raw.query,
        headers: &headers,
        body: &raw.body,
        body_sha256: None,
    };
    assert_rejected(verify(&req, ctx.now, "service", &keys), "default options");
}
