//! IssueCertificate: a certificate from a CSR under a template, signed with the CA's sealed
//! key and stored at once (AWS issues asynchronously; GetCertificate finds it immediately
//! here, which clients waiting on `certificate_issued` accept). An ACTIVE CA issues; a root CA
//! still PENDING_CERTIFICATE issues only its own certificate (RootCACertificate/V1).

use crate::api;
use crate::crl::RevocationUrls;
use crate::generated::errors::{
    invalid_args_exception, invalid_state_exception, malformed_csr_exception,
};
use crate::generated::*;
use crate::keys;
use crate::parse::{self, Csr};
use crate::record::{CaRecord, CertRecord, TokenRecord, cert_row, token_row};
use crate::service::{AcmPcaService, CaRef, ca_ref, internal, internal_error, ms_of};
use crate::sign::{self, Signer};
use crate::template::{DEFAULT_TEMPLATE, Kind, Template};
use crate::validity;
use rampart_core::RequestContext;
use rampart_store::Expect;
use time::{Duration, OffsetDateTime};

/// How long an IssueCertificate idempotency token holds.
const TOKEN_WINDOW_MS: i64 = 5 * 60 * 1000;
/// The longest validity a SHORT_LIVED_CERTIFICATE CA issues.
const SHORT_LIVED_MAX: Duration = Duration::days(7);

impl IssueCertificate for AcmPcaService {
    async fn issue_certificate(
        &self,
        ctx: &RequestContext,
        input: IssueCertificateRequest,
    ) -> Result<IssueCertificateResponse, ServiceError> {
        let ca = ca_ref(
            input
                .certificate_authority_arn
                .as_deref()
                .unwrap_or_default(),
        )?;
        let template_key = (
            "acm-pca:TemplateArn",
            input.template_arn.as_deref().unwrap_or(DEFAULT_TEMPLATE),
        );
        self.authorize_ca(ctx, "IssueCertificate", &ca, &[template_key])
            .await?;
        let template = template_of(&input)?;
        let record = self.load(&ca).await?.value;
        check_issuer_state(&record, template)?;
        let token = input.idempotency_token.as_deref();
        let (prior, token_expect) = self.prior_issue(&ca, token).await?;
        if let Some(cert_id) = prior {
            let response = issued(&ca, &cert_id);
            return self
                .with_certificate(&ca, response, input.return_values.as_ref())
                .await;
        }
        let now = self.now();
        let (der, serial, not_after) =
            self.make_certificate(&ca, &record, &input, template, now)?;
        let row = CertRecord {
            certificate_pem: parse::to_pem(&der),
            chain_pem: chain_of(&record),
            not_after_ms: ms_of(not_after),
            issued_ms: ms_of(now),
            revoked: None,
            template_arn: Some(
                input
                    .template_arn
                    .clone()
                    .unwrap_or(DEFAULT_TEMPLATE.into()),
            ),
        };
        let cert_id = hex::encode(serial);
        let response = self
            .store_issued(&ca, &cert_id, &row, token, token_expect)
            .await?;
        self.with_certificate(&ca, response, input.return_values.as_ref())
            .await
    }
}

impl AcmPcaService {
    /// With `ReturnValues` CERTIFICATE, `response` with the issued certificate and its chain
    /// (read back, so a repeated idempotency token answers its own certificate).
    async fn with_certificate(
        &self,
        ca: &CaRef,
        mut response: IssueCertificateResponse,
        returns: Option<&IssueCertificateReturnValue>,
    ) -> Result<IssueCertificateResponse, ServiceError> {
        if returns != Some(&IssueCertificateReturnValue::Certificate) {
            return Ok(response);
        }
        let arn = response.certificate_arn.as_deref().unwrap_or_default();
        let cert_id = arn.rsplit('/').next().unwrap_or_default();
        let found = self
            .tables
            .certificates
            .get(&cert_row(&ca.id, cert_id))
            .await;
        let stored = found.map_err(internal)?.ok_or_else(internal_error)?.value;
        response.certificate = Some(stored.certificate_pem);
        response.certificate_chain = stored.chain_pem;
        Ok(response)
    }
}

impl AcmPcaService {
    /// Stores certificate `cert_id` (and the idempotency `token` that issued it) in one
    /// transaction; a token that won a race answers with its own certificate.
    async fn store_issued(
        &self,
        ca: &CaRef,
        cert_id: &str,
        row: &CertRecord,
        token: Option<&str>,
        token_expect: Expect,
    ) -> Result<IssueCertificateResponse, ServiceError> {
        let certs = &self.tables.certificates;
        let mut writes = vec![certs.put(&cert_row(&ca.id, cert_id), row, Expect::Absent)];
        if let Some(token) = token {
            let used = TokenRecord {
                cert_id: cert_id.to_owned(),
                issued_ms: row.issued_ms,
            };
            let row = token_row(&ca.id, token);
            writes.push(self.tables.tokens.put(&row, &used, token_expect));
        }
        let writes = writes.into_iter().collect::<Result<Vec<_>, _>>();
        match self.store.transact(writes.map_err(internal)?).await {
            Ok(()) => Ok(issued(ca, cert_id)),
            Err(e) if e.is_conflict() && token.is_some() => {
                match self.prior_issue(ca, token).await? {
                    (Some(cert_id), _) => Ok(issued(ca, &cert_id)),
                    _ => Err(internal(e)),
                }
            }
            Err(e) => Err(internal(e)),
        }
    }
}

/// The response naming certificate `cert_id` of `ca`.
fn issued(ca: &CaRef, cert_id: &str) -> IssueCertificateResponse {
    IssueCertificateResponse {
        certificate_arn: Some(format!("{}/certificate/{cert_id}", ca.arn)),
        // Filled by `with_certificate` for ReturnValues=CERTIFICATE.
        certificate: None,
        certificate_chain: None,
    }
}

impl AcmPcaService {
    /// The signed certificate (DER), its serial number and NotAfter.
    fn make_certificate(
        &self,
        ca: &CaRef,
        record: &CaRecord,
        input: &IssueCertificateRequest,
        template: Template,
        now: OffsetDateTime,
    ) -> Result<(Vec<u8>, [u8; 16], OffsetDateTime), ServiceError> {
        let csr = csr_of(input, record, template)?;
        let own_root = template.kind == Kind::Root;
        let (not_before, not_after) = validity_of(input, record, own_root, now)?;
        // AWS ignores ApiPassthrough unless the template is an APIPassthrough variant.
        let api = match (&input.api_passthrough, template.api_passthrough) {
            (Some(api), true) => Some(api::read(api).map_err(invalid_args_exception)?),
            _ => None,
        };
        let serial = new_serial();
        // A root's own certificate names no CRL or OCSP responder of itself.
        let revocation = match template.kind {
            Kind::Root => RevocationUrls::default(),
            _ => RevocationUrls::of(record, &ca.region, &ca.id),
        };
        let request = sign::Request {
            template,
            csr: &csr,
            serial: &serial,
            not_before,
            not_after,
            api: api.as_ref(),
            revocation: &revocation,
        };
        let der = self.sign_with(ca, record, input, &request)?;
        Ok((der, serial, not_after))
    }

    /// The certificate `token` issued from `ca` in the last five minutes, and the condition
    /// for recording the token anew.
    async fn prior_issue(
        &self,
        ca: &CaRef,
        token: Option<&str>,
    ) -> Result<(Option<String>, Expect), ServiceError> {
        let Some(token) = token else {
            return Ok((None, Expect::Any));
        };
        let found = self.tables.tokens.get(&token_row(&ca.id, token)).await;
        Ok(match found.map_err(internal)? {
            Some(f) if self.now_ms() - f.value.issued_ms < TOKEN_WINDOW_MS => {
                (Some(f.value.cert_id), Expect::Any)
            }
            Some(f) => (None, Expect::Version(f.version)),
            None => (None, Expect::Absent),
        })
    }
}

impl AcmPcaService {
    /// Signs `request` with the CA's key under the request's signing algorithm.
    fn sign_with(
        &self,
        ca: &CaRef,
        record: &CaRecord,
        input: &IssueCertificateRequest,
        request: &sign::Request<'_>,
    ) -> Result<Vec<u8>, ServiceError> {
        let key_algorithm = record
            .config
            .get("KeyAlgorithm")
            .and_then(|v| v.as_str())
            .map(KeyAlgorithm::from)
            .unwrap_or(KeyAlgorithm::Rsa2048);
        let signing = input
            .signing_algorithm
            .clone()
            .unwrap_or(SigningAlgorithm::Sha256withrsa);
        let Some(alg) = keys::signature_algorithm(&key_algorithm, &signing) else {
            // Doubt: wording inferred; AWS refuses a signing algorithm of another key family.
            return Err(invalid_args_exception(format!(
                "The signing algorithm {signing} is not compatible with the certificate authority's key algorithm {key_algorithm}."
            )));
        };
        let key = keys::open(&self.domain, &ca.arn, &record.sealed_key, alg).map_err(|e| {
            tracing::error!(fault = e.0, "ACM PCA key failure");
            internal_error()
        })?;
        let signer = signer_of(record, request.csr, &key)?;
        sign::issue(request, &signer).map_err(|_| {
            tracing::error!("ACM PCA could not sign a certificate");
            internal_error()
        })
    }
}

/// The request's CSR; a root CA without a certificate signs only its own.
fn csr_of(
    input: &IssueCertificateRequest,
    record: &CaRecord,
    template: Template,
) -> Result<Csr, ServiceError> {
    let bytes = input
        .csr
        .as_ref()
        .map(|b| b.0.as_slice())
        .unwrap_or_default();
    // Doubt: AWS's message for an unreadable CSR is not documented.
    let csr = parse::csr(bytes)
        .map_err(|_| malformed_csr_exception("The certificate signing request is invalid."))?;
    let own = csr.spki_der == record.spki_der;
    if record.certificate_pem.is_none() && !own {
        return Err(invalid_args_exception(
            "A root CA without a certificate issues only its own certificate, from its own CSR.",
        ));
    }
    // Doubt: AWS's wording is not documented; RootCACertificate makes a CA's self-signed
    // certificate only.
    if template.kind == Kind::Root && (!own || record.ca_type != "ROOT") {
        return Err(invalid_args_exception(
            "The RootCACertificate template issues a root CA's own certificate only, from its own CSR.",
        ));
    }
    check_path_length(record, template)?;
    Ok(csr)
}

/// A subordinate CA certificate must fit under the issuing CA's path length constraint.
fn check_path_length(record: &CaRecord, template: Template) -> Result<(), ServiceError> {
    let Kind::Subordinate(wanted) = template.kind else {
        return Ok(());
    };
    let Some(pem) = &record.certificate_pem else {
        return Ok(());
    };
    let ders = parse::certificate_ders(pem.as_bytes()).map_err(|_| internal_error())?;
    let der = ders.first().ok_or_else(internal_error)?;
    let cert = parse::certificate(der).map_err(|_| internal_error())?;
    let limit = match cert.basic_constraints() {
        Ok(Some(bc)) => bc.value.path_len_constraint,
        _ => None,
    };
    match limit {
        // Doubt: AWS's wording for this refusal is not documented.
        Some(limit) if u32::from(wanted) >= limit => Err(invalid_args_exception(format!(
            "The certificate authority's path length constraint ({limit}) does not allow a subordinate CA certificate with path length {wanted}."
        ))),
        _ => Ok(()),
    }
}

/// The template the request names (EndEntityCertificate/V1 by default).
fn template_of(input: &IssueCertificateRequest) -> Result<Template, ServiceError> {
    let arn = input.template_arn.as_deref().unwrap_or(DEFAULT_TEMPLATE);
    let Some(template) = Template::from_arn(arn) else {
        // Doubt: AWS's wording for an unknown template ARN is not documented.
        return Err(invalid_args_exception(format!(
            "The template ARN {arn} is not valid."
        )));
    };
    Ok(template)
}

/// An ACTIVE CA issues; a ROOT CA without a certificate issues only RootCACertificate.
fn check_issuer_state(record: &CaRecord, template: Template) -> Result<(), ServiceError> {
    let self_issue = record.status == "PENDING_CERTIFICATE"
        && record.ca_type == "ROOT"
        && template.kind == Kind::Root;
    if record.affiliation.is_some() && record.status == "ACTIVE" {
        // AWS STS issues a workload identity CA's end-entity certificates (`workload.rs`);
        // through the API it issues only a root's own certificate, to activate it.
        // Doubt: AWS's wording is not documented.
        return Err(invalid_args_exception(
            "A certificate authority with the IAM_WORKLOAD_IDENTITY service affiliation issues end-entity certificates only through AWS STS.",
        ));
    }
    if record.status == "ACTIVE" || self_issue {
        return Ok(());
    }
    if record.status == "PENDING_CERTIFICATE" && record.ca_type == "ROOT" {
        return Err(invalid_args_exception(
            "A root CA without a certificate issues only its own certificate with the RootCACertificate/V1 template.",
        ));
    }
    // AWS's wording, as IssueCertificate answers for a CA without its certificate (quoted in
    // hashicorp/terraform-provider-aws issue 37592); used for every status but ACTIVE.
    Err(invalid_state_exception(
        "The certificate authority is not in a valid state for issuing certificates.",
    ))
}

/// NotBefore and NotAfter, within the CA certificate's validity and the usage mode's limit.
fn validity_of(
    input: &IssueCertificateRequest,
    record: &CaRecord,
    own_root: bool,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), ServiceError> {
    // Doubt: AWS's messages for these refusals are not documented; InvalidArgsException is the
    // model's error for bad arguments.
    let bad = || invalid_args_exception("The validity is not valid.");
    let validity = input.validity.as_ref().ok_or_else(bad)?;
    let not_after = validity::not_after(validity, now).map_err(|_| bad())?;
    let not_before =
        validity::not_before(input.validity_not_before.as_ref(), now).map_err(|_| bad())?;
    // Certificates carry whole seconds.
    let (not_before, not_after) = (whole_seconds(not_before), whole_seconds(not_after));
    if not_after <= now || not_after <= not_before {
        return Err(invalid_args_exception(
            "The certificate's validity period ends before it starts or in the past.",
        ));
    }
    if let Some(ca_end) = record.not_after_ms
        && ms_of(not_after) > ca_end
    {
        return Err(invalid_args_exception(
            "The certificate's validity period exceeds the validity period of the certificate authority's certificate.",
        ));
    }
    // "AWS Private CA does not perform validity checks on root CA certificates": a
    // SHORT_LIVED_CERTIFICATE root's own certificate may outlive the 7 days of its leaves.
    let short_lived = record.usage_mode == "SHORT_LIVED_CERTIFICATE" && !own_root;
    if short_lived && not_after - now > SHORT_LIVED_MAX {
        return Err(invalid_args_exception(
            "A SHORT_LIVED_CERTIFICATE certificate authority issues certificates valid for at most 7 days.",
        ));
    }
    Ok((not_before, not_after))
}

/// `at` without its fraction of a second.
pub(crate) fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// The CA's name and key identifier, from its certificate (or, signing its own first
/// certificate, from the CSR).
pub(crate) fn signer_of<'a>(
    record: &CaRecord,
    csr: &Csr,
    key: &'a crate::ca_key::CaKey,
) -> Result<Signer<'a>, ServiceError> {
    let Some(pem) = &record.certificate_pem else {
        return Ok(Signer {
            key,
            name: csr.subject.clone(),
            key_id: None,
        });
    };
    let broken = |_| {
        tracing::error!("a stored CA certificate does not parse");
        internal_error()
    };
    let ders = parse::certificate_ders(pem.as_bytes()).map_err(broken)?;
    let der = ders.first().ok_or_else(internal_error)?;
    let cert = parse::certificate(der).map_err(broken)?;
    let name = crate::names::from_x509(cert.subject()).map_err(|_| internal_error())?;
    let key_id = subject_key_id(&cert).unwrap_or_else(|| {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &record.spki_der);
        digest.as_ref()[..20].to_vec()
    });
    Ok(Signer {
        key,
        name,
        key_id: Some(key_id),
    })
}

/// A certificate's subject key identifier.
fn subject_key_id(cert: &x509_parser::certificate::X509Certificate<'_>) -> Option<Vec<u8>> {
    use x509_parser::extensions::ParsedExtension;
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
            _ => None,
        })
}

/// The chain GetCertificate returns with certificates of this CA: its certificate and chain.
pub(crate) fn chain_of(record: &CaRecord) -> Option<String> {
    let cert = record.certificate_pem.as_ref()?;
    Some(match &record.chain_pem {
        Some(chain) => format!("{cert}\n{chain}"),
        None => cert.clone(),
    })
}

/// A fresh positive 128-bit serial number.
pub(crate) fn new_serial() -> [u8; 16] {
    let mut serial: [u8; 16] = rampart_crypto::random::array();
    // Positive, and no leading zero digit in the hex certificate id.
    serial[0] = (serial[0] & 0x3f) | 0x40;
    serial
}
