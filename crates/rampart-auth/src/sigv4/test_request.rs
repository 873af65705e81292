//! A hand-signed test request (KMS `ListKeys`) and its fixtures, shared by the error tests.

use super::*;
use crate::{Credential, CredentialLookup};
use time::macros::datetime;

pub(super) const AKID: &str = "AKIDEXAMPLE";
pub(super) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub(super) const DATE: &str = "20260101T002000Z";
pub(super) const NOW: OffsetDateTime = datetime!(2026-01-01 00:25:00 UTC);
pub(super) const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
pub(super) const SCOPE: &str = "20260101/us-east-1/kms/aws4_request";
pub(super) const SIGNED: &str = "content-type;host;x-amz-date;x-amz-target";

/// The only known access key: [`AKID`] with [`SECRET`].
pub(super) struct Keys;

impl CredentialLookup for Keys {
    fn lookup(&self, access_key_id: &str) -> Option<Credential> {
        (access_key_id == AKID).then(|| Credential {
            secret_access_key: zeroize::Zeroizing::new(SECRET.to_owned()),
        })
    }
}

/// An owned request, signed by the test signer below.
pub(super) struct Req {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: String,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Vec<u8>,
}

impl Req {
    /// An unsigned KMS `ListKeys` call dated `date`.
    pub(super) fn kms(date: &str) -> Self {
        let headers = [
            ("Host", "kms.us-east-1.amazonaws.com"),
            ("X-Amz-Date", date),
            ("X-Amz-Target", "TrentService.ListKeys"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ];
        Self {
            method: "POST".into(),
            path: "/".into(),
            query: String::new(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                .collect(),
            body: b"{}".to_vec(),
        }
    }

    pub(super) fn with<R>(&self, f: impl FnOnce(&SignedRequest<'_>) -> R) -> R {
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        f(&SignedRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &headers,
            body: &self.body,
            body_sha256: None,
        })
    }

    /// Replaces every header named `name` with one `name: value`.
    pub(super) fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.push_header(name, value);
    }

    /// Adds a header, keeping any of the same name.
    pub(super) fn push_header(&mut self, name: &str, value: &str) {
        self.headers
            .push((name.to_owned(), value.as_bytes().to_vec()));
    }

    /// The `Authorization` header value ("" when there is none).
    pub(super) fn authorization(&self) -> String {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    }

    /// The signature over this request for `scope` (`date/region/service/aws4_request`).
    pub(super) fn signature(
        &self,
        scope: &str,
        signed_headers: &str,
        presigned: bool,
        amz_date: &str,
    ) -> String {
        let service = scope.split('/').nth(2).unwrap_or_default();
        let opts = VerifyOptions::for_service(service);
        let creq = self.with(|req| {
            let payload = payload::payload_hash(req, presigned, service)
                .ok()
                .map(|p| p.as_str().to_owned());
            canonical::canonical_request(
                req,
                signed_headers,
                presigned,
                &payload.unwrap_or_default(),
                &opts,
            )
        });
        let sts = canonical::string_to_sign(amz_date, scope, &creq);
        let mut it = scope.split('/');
        let (date, region) = (it.next().unwrap_or_default(), it.next().unwrap_or_default());
        hex::encode(hmac::sign(&signing_key::derive(SECRET, date, region, service), &sts).as_ref())
    }

    /// Adds an `Authorization` header signed over `signed_headers`.
    pub(super) fn sign(mut self, scope: &str, signed_headers: &str) -> Self {
        let date = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-date"));
        let date = date
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_else(|| DATE.to_owned());
        let sig = self.signature(scope, signed_headers, false, &date);
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={AKID}/{scope}, SignedHeaders={signed_headers}, Signature={sig}"
        );
        self.set_header("Authorization", &auth);
        self
    }

    /// Turns the request into a presigned GET with the given lifetime.
    pub(super) fn presign(mut self, scope: &str, date: &str, expires: &str) -> Self {
        self.method = "GET".into();
        self.body.clear();
        self.headers.retain(|(n, _)| n.eq_ignore_ascii_case("host"));
        let cred = format!("{AKID}/{scope}").replace('/', "%2F");
        self.query = format!(
            "Action=ListKeys&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={cred}&X-Amz-Date={date}\
             &X-Amz-Expires={expires}&X-Amz-SignedHeaders=host"
        );
        let sig = self.signature(scope, "host", true, date);
        self.query.push_str(&format!("&X-Amz-Signature={sig}"));
        self
    }

    pub(super) fn verify(&self, now: OffsetDateTime, service: &str) -> Result<Verified, AuthError> {
        self.with(|req| verify(req, now, service, &Keys))
    }
}

/// A KMS `ListKeys` call signed over [`SIGNED`] with [`SCOPE`].
pub(super) fn signed_kms() -> Req {
    Req::kms(DATE).sign(SCOPE, SIGNED)
}

pub(super) fn err_of(result: Result<Verified, AuthError>) -> AuthError {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}
