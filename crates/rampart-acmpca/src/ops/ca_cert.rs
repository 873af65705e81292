//! GetCertificateAuthorityCsr, ImportCertificateAuthorityCertificate (the CA's certificate,
//! signed by itself or elsewhere: its key must be the CA's, a root's self-signed with no
//! chain, a subordinate's signed by the first certificate of a chain that links up to a
//! self-signed root) and GetCertificateAuthorityCertificate.

use crate::generated::errors::{
    certificate_mismatch_exception, invalid_request_exception, malformed_certificate_exception,
};
use crate::generated::*;
use crate::ops::lifecycle::wrong_state;
use crate::parse::{self, Malformed};
use crate::record::CaRecord;
use crate::service::{AcmPcaService, authorize, ca_ref, ms_of};
use crate::verify::Signed;
use rampart_core::RequestContext;
use x509_parser::certificate::X509Certificate;

impl GetCertificateAuthorityCsr for AcmPcaService {
    async fn get_certificate_authority_csr(
        &self,
        ctx: &RequestContext,
        input: GetCertificateAuthorityCsrRequest,
    ) -> Result<GetCertificateAuthorityCsrResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "GetCertificateAuthorityCsr", &ca.arn, &ca.account)?;
        let record = self.load(&ca).await?.value;
        if matches!(record.status.as_str(), "DELETED" | "FAILED" | "CREATING") {
            return Err(wrong_state(&ca.arn, &record.status));
        }
        Ok(GetCertificateAuthorityCsrResponse {
            csr: Some(record.csr_pem),
        })
    }
}

impl GetCertificateAuthorityCertificate for AcmPcaService {
    async fn get_certificate_authority_certificate(
        &self,
        ctx: &RequestContext,
        input: GetCertificateAuthorityCertificateRequest,
    ) -> Result<GetCertificateAuthorityCertificateResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        self.authorize_ca(ctx, "GetCertificateAuthorityCertificate", &ca, &[])
            .await?;
        let record = self.load(&ca).await?.value;
        let certificate = match (&record.certificate_pem, record.status.as_str()) {
            (Some(pem), "ACTIVE" | "DISABLED" | "EXPIRED") => pem.clone(),
            _ => return Err(wrong_state(&ca.arn, &record.status)),
        };
        Ok(GetCertificateAuthorityCertificateResponse {
            certificate: Some(certificate),
            certificate_chain: record.chain_pem,
        })
    }
}

impl ImportCertificateAuthorityCertificate for AcmPcaService {
    async fn import_certificate_authority_certificate(
        &self,
        ctx: &RequestContext,
        input: ImportCertificateAuthorityCertificateRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(
            ctx,
            "ImportCertificateAuthorityCertificate",
            &ca.arn,
            &ca.account,
        )?;
        let cert_bytes = input.certificate.map(|b| b.0).unwrap_or_default();
        let chain_bytes = input.certificate_chain.map(|b| b.0);
        let record = self.load(&ca).await?.value;
        let imported = check_import(&record, &cert_bytes, chain_bytes.as_deref())?;
        let now = self.now_ms();
        self.mutate(&ca, |record| {
            if !matches!(
                record.status.as_str(),
                "PENDING_CERTIFICATE" | "ACTIVE" | "DISABLED" | "EXPIRED"
            ) {
                return Err(wrong_state(&record.arn, &record.status));
            }
            // A multi-Region (service-affiliated) CA takes its certificate once, on the
            // primary: replicas share it, so it is never replaced.
            let fixed = record.affiliation.is_some() && record.status != "PENDING_CERTIFICATE";
            if fixed || record.is_replica() {
                return Err(wrong_state(&record.arn, &record.status));
            }
            if matches!(record.status.as_str(), "PENDING_CERTIFICATE" | "EXPIRED") {
                record.status = "ACTIVE".into();
                record.last_state_change_ms = now;
            }
            record.certificate_pem = Some(imported.certificate_pem.clone());
            record.chain_pem = imported.chain_pem.clone();
            record.serial = Some(imported.serial.clone());
            record.not_before_ms = Some(imported.not_before_ms);
            record.not_after_ms = Some(imported.not_after_ms);
            // With CRLs enabled, the CA's first (or a fresh) CRL is due at once.
            let crl = crate::crl::Revocation::of_record(record.revocation.as_ref()).crl;
            Ok(crl
                .map(|_| crate::crl::schedule(&ca, now, crate::crl::Reason::Changed))
                .into_iter()
                .collect())
        })
        .await?;
        Ok(())
    }
}

/// What an import stores.
struct Imported {
    certificate_pem: String,
    chain_pem: Option<String>,
    serial: String,
    not_before_ms: i64,
    not_after_ms: i64,
}

/// Checks an imported CA certificate (and chain) against the CA `record`.
fn check_import(
    record: &CaRecord,
    cert_bytes: &[u8],
    chain_bytes: Option<&[u8]>,
) -> Result<Imported, ServiceError> {
    // Doubt: AWS's messages for these refusals are not documented; the codes are the model's.
    let malformed = |_: Malformed| malformed_certificate_exception("The certificate is malformed.");
    let ders = parse::certificate_ders(cert_bytes).map_err(malformed)?;
    let [der] = ders.as_slice() else {
        return Err(malformed_certificate_exception(
            "The certificate field must hold exactly one certificate.",
        ));
    };
    let cert = parse::certificate(der).map_err(malformed)?;
    if cert.tbs_certificate.subject_pki.raw != record.spki_der.as_slice() {
        return Err(certificate_mismatch_exception(
            "The certificate's public key does not match the certificate authority's key.",
        ));
    }
    if !is_ca(&cert) {
        return Err(malformed_certificate_exception(
            "The certificate is not a CA certificate (basic constraints CA:TRUE).",
        ));
    }
    let chain_ders = match chain_bytes {
        Some(bytes) => parse::certificate_ders(bytes).map_err(malformed)?,
        None => Vec::new(),
    };
    check_chain(record, &cert, &chain_ders)?;
    let chain_pem = (!chain_ders.is_empty()).then(|| {
        let pems: Vec<String> = chain_ders.iter().map(|d| parse::to_pem(d)).collect();
        pems.join("\n")
    });
    Ok(Imported {
        certificate_pem: parse::to_pem(der),
        chain_pem,
        serial: cert.tbs_certificate.serial.to_string(),
        not_before_ms: ms_of_asn1(cert.validity().not_before),
        not_after_ms: ms_of_asn1(cert.validity().not_after),
    })
}

/// A root's certificate is self-signed with no chain; a subordinate's is signed by the chain's
/// first certificate, each chain certificate by the next, the last self-signed.
fn check_chain(
    record: &CaRecord,
    cert: &X509Certificate<'_>,
    chain: &[Vec<u8>],
) -> Result<(), ServiceError> {
    let mismatch = |m: &str| certificate_mismatch_exception(m.to_owned());
    if record.ca_type == "ROOT" {
        if !chain.is_empty() {
            return Err(invalid_request_exception(
                "A root certificate authority's certificate is imported without a certificate chain.",
            ));
        }
        return Signed::of(cert).verify(cert.public_key()).map_err(|_| {
            mismatch("The root certificate authority's certificate must be self-signed.")
        });
    }
    if chain.is_empty() {
        return Err(invalid_request_exception(
            "A subordinate certificate authority's certificate needs its certificate chain.",
        ));
    }
    let malformed = |_| malformed_certificate_exception("The certificate chain is malformed.");
    let parsed: Vec<X509Certificate<'_>> = chain
        .iter()
        .map(|d| parse::certificate(d).map_err(malformed))
        .collect::<Result<_, _>>()?;
    let mut child = cert;
    for parent in &parsed {
        Signed::of(child)
            .verify(parent.public_key())
            .map_err(|_| mismatch("The certificate chain does not validate the certificate."))?;
        child = parent;
    }
    Signed::of(child).verify(child.public_key()).map_err(|_| {
        mismatch("The certificate chain must end with a self-signed root certificate.")
    })
}

/// Whether `cert` has basic constraints CA:TRUE.
fn is_ca(cert: &X509Certificate<'_>) -> bool {
    matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

/// An ASN.1 time as epoch milliseconds.
fn ms_of_asn1(at: x509_parser::time::ASN1Time) -> i64 {
    ms_of(at.to_datetime())
}
