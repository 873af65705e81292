//! The attestation document's certificate chain: its `cabundle` must start with a trusted root
//! (byte for byte), every certificate after it must be a CA signed by the one before, the
//! enclave certificate must be signed by the last, and all must be valid now. Certificates are
//! parsed by x509-parser and their signatures checked with aws-lc-rs (`verify-aws`).

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::{ASN1Time, FromDer};

/// The trusted attestation roots (DER certificates).
#[derive(Clone, Default)]
pub struct Roots(Vec<Vec<u8>>);

impl Roots {
    /// Roots from PEM text holding one or more certificates; an error names what is wrong.
    pub fn from_pem(pem: &[u8]) -> Result<Self, String> {
        let mut roots = Vec::new();
        for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
            let block = block.map_err(|e| format!("not PEM: {e}"))?;
            X509Certificate::from_der(&block.contents)
                .map_err(|e| format!("not an X.509 certificate: {e}"))?;
            roots.push(block.contents);
        }
        if roots.is_empty() {
            return Err("no certificate found".into());
        }
        Ok(Self(roots))
    }

    /// Whether any root is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Verifies `cabundle` (root first) and `leaf` at `now_secs`; returns the leaf's public key
    /// (the subjectPublicKey bits: for the enclave's EC key, the uncompressed point).
    pub fn verify(
        &self,
        cabundle: &[Vec<u8>],
        leaf: &[u8],
        now_secs: i64,
    ) -> Result<Vec<u8>, String> {
        let first = cabundle.first().ok_or("its cabundle is empty")?;
        if !self.0.iter().any(|root| root == first) {
            return Err("its certificate chain does not start with a trusted root".into());
        }
        let now = ASN1Time::from_timestamp(now_secs).map_err(|_| "the clock is out of range")?;
        let mut issuer = parse(first)?;
        check_ca(&issuer, now)?;
        for der in &cabundle[1..] {
            let cert = parse(der)?;
            signed_by(&cert, &issuer)?;
            check_ca(&cert, now)?;
            issuer = cert;
        }
        let leaf = parse(leaf)?;
        signed_by(&leaf, &issuer)?;
        if !leaf.validity().is_valid_at(now) {
            return Err("its certificate is expired or not yet valid".into());
        }
        Ok(leaf.public_key().subject_public_key.data.to_vec())
    }
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        _ => Err("a certificate in it is not valid DER".into()),
    }
}

fn signed_by(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Result<(), String> {
    cert.verify_signature(Some(issuer.public_key()))
        .map_err(|_| "a certificate in its chain is not signed by its issuer".into())
}

fn check_ca(cert: &X509Certificate<'_>, now: ASN1Time) -> Result<(), String> {
    if !cert.is_ca() {
        return Err("a certificate in its cabundle is not a CA".into());
    }
    if !cert.validity().is_valid_at(now) {
        return Err("a certificate in its cabundle is expired or not yet valid".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_need_certificates() {
        assert!(Roots::from_pem(b"").is_err());
        assert!(
            Roots::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .is_err()
        );
        assert!(Roots::default().is_empty());
    }

    #[test]
    fn an_untrusted_bundle_is_refused() {
        let roots = Roots(vec![vec![1, 2, 3]]);
        let e = roots.verify(&[vec![9]], &[], 0);
        assert_eq!(
            e,
            Err("its certificate chain does not start with a trusted root".into())
        );
        assert!(roots.verify(&[], &[], 0).is_err());
        // The root matches but is not a certificate.
        assert!(roots.verify(&[vec![1, 2, 3]], &[], 0).is_err());
    }
}
