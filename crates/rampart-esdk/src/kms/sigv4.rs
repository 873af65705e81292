//! AWS Signature Version 4 for the KMS client's JSON POSTs: the canonical request, the string
//! to sign and the derived signing key, as AWS documents them.

use aws_lc_rs::{digest, hmac};
use zeroize::Zeroizing;

/// AWS credentials.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Zeroizing<String>,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// One request to sign: a POST of `body` to `/` on `host`.
pub struct Unsigned<'a> {
    /// The `Host` header value (host, and port unless default).
    pub host: &'a str,
    /// The Region of the credential scope.
    pub region: &'a str,
    /// The signing name, `kms`.
    pub service: &'a str,
    /// `X-Amz-Target`.
    pub target: &'a str,
    /// The JSON body.
    pub body: &'a [u8],
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
}

/// The headers to send (lowercase names), `Authorization` included.
pub fn sign(req: &Unsigned<'_>, credentials: &Credentials) -> Vec<(&'static str, String)> {
    let payload = hex(digest::digest(&digest::SHA256, req.body).as_ref());
    let mut headers = vec![
        ("content-type", "application/x-amz-json-1.1".to_owned()),
        ("host", req.host.to_owned()),
        ("x-amz-date", req.amz_date.to_owned()),
    ];
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token", token.clone()));
    }
    headers.push(("x-amz-target", req.target.to_owned()));
    let signed: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
    let signed = signed.join(";");
    let canonical_headers: String = headers
        .iter()
        .map(|(n, v)| format!("{n}:{}\n", v.trim()))
        .collect();
    let canonical = format!("POST\n/\n\n{canonical_headers}\n{signed}\n{payload}");
    let day = &req.amz_date[..8];
    let scope = format!("{day}/{}/{}/aws4_request", req.region, req.service);
    let hashed = hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref());
    let to_sign = format!("AWS4-HMAC-SHA256\n{}\n{scope}\n{hashed}", req.amz_date);
    let key = signing_key(&credentials.secret_access_key, day, req.region, req.service);
    let signature = hex(hmac::sign(&key, to_sign.as_bytes()).as_ref());
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
        credentials.access_key_id
    );
    headers.push(("authorization", authorization));
    headers
}

fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> hmac::Key {
    let start = Zeroizing::new(format!("AWS4{secret}"));
    let mut key = hmac::Key::new(hmac::HMAC_SHA256, start.as_bytes());
    for part in [day, region, service, "aws4_request"] {
        let next = hmac::sign(&key, part.as_bytes());
        key = hmac::Key::new(hmac::HMAC_SHA256, next.as_ref());
    }
    key
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented example key derivation (`wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`,
    /// 20150830, us-east-1, iam) signs its example string to sign as documented.
    #[test]
    fn signing_key_matches_the_documented_example() {
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "iam",
        );
        let to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
        assert_eq!(
            hex(hmac::sign(&key, to_sign.as_bytes()).as_ref()),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }
}
