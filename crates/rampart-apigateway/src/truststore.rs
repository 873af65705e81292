//! Mutual TLS truststores of custom domain names. Rampart has no S3: the truststore URI
//! `s3://<bucket>/<key>` is read from the file `<truststore_dir>/<bucket>/<key>` (the edge's
//! `[edge] truststore_dir`). A truststore is a PEM bundle of CA certificates; each certificate
//! that clients cannot chain to (unparseable, not a CA, expired or not yet valid) is left out
//! of the roots and reported as a truststore warning, as API Gateway's `truststoreWarnings`
//! do ("Invalid certificates produce warnings. Mutual TLS is still enabled").

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::{Component, Path, PathBuf};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

/// The CA certificates of a truststore clients may chain to, and the warnings of the others.
#[derive(Debug, Clone)]
pub struct Truststore {
    /// The usable CA certificates (DER).
    pub roots: Vec<CertificateDer<'static>>,
    /// One line per certificate left out, in bundle order.
    pub warnings: Vec<String>,
}

/// The local file standing for S3 object `uri` (`s3://bucket/key`) under `dir`, or the
/// refusal of a URI that is not such an S3 URI (or would leave `dir`).
pub fn truststore_path(dir: &Path, uri: &str) -> Result<PathBuf, String> {
    let invalid = || format!("Invalid truststore URI: {uri}. Must be an S3 URI (s3://bucket/key)");
    let rest = uri.strip_prefix("s3://").ok_or_else(invalid)?;
    let (bucket, key) = rest.split_once('/').ok_or_else(invalid)?;
    let relative = Path::new(bucket).join(key);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if bucket.is_empty() || key.is_empty() || key.ends_with('/') || !plain {
        return Err(invalid());
    }
    Ok(dir.join(relative))
}

/// Reads truststore `uri` under `dir` and parses it at `now_secs` (seconds since the epoch).
/// A file that cannot be read, or holds no certificate, is refused with the message
/// CreateDomainName's BadRequestException carries.
pub fn load_truststore(dir: &Path, uri: &str, now_secs: i64) -> Result<Truststore, String> {
    let path = truststore_path(dir, uri)?;
    let unreadable = || format!("Unable to read truststore from S3 URI {uri}");
    let bytes = std::fs::read(&path).map_err(|_| unreadable())?;
    parse_truststore(&bytes, now_secs).ok_or_else(unreadable)
}

/// The truststore in PEM bundle `pem` at `now_secs`; None when it holds no certificate.
pub fn parse_truststore(pem: &[u8], now_secs: i64) -> Option<Truststore> {
    let mut store = Truststore {
        roots: Vec::new(),
        warnings: Vec::new(),
    };
    let mut seen = 0;
    for (index, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
        seen += 1;
        let Ok(cert) = cert else {
            store
                .warnings
                .push(format!("Certificate {index}: invalid PEM encoding"));
            continue;
        };
        match certificate_problem(&cert, now_secs) {
            None => store.roots.push(cert),
            Some(problem) => store
                .warnings
                .push(format!("Certificate {index}: {problem}")),
        }
    }
    (seen > 0).then_some(store)
}

/// Why CA certificate `der` cannot anchor client chains at `now_secs`, if it cannot.
fn certificate_problem(der: &CertificateDer<'_>, now_secs: i64) -> Option<String> {
    let Ok((_, cert)) = X509Certificate::from_der(der.as_ref()) else {
        return Some("invalid X.509 certificate".into());
    };
    let subject = cert.subject().to_string();
    let validity = cert.validity();
    if validity.not_after.timestamp() < now_secs {
        return Some(format!("certificate {subject} has expired"));
    }
    if validity.not_before.timestamp() > now_secs {
        return Some(format!("certificate {subject} is not yet valid"));
    }
    let is_ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|b| b.value.ca);
    if !is_ca {
        return Some(format!("certificate {subject} is not a CA certificate"));
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "truststore_tests.rs"]
pub(crate) mod tests;
