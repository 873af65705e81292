//! RequestCertificate: names checked as ACM checks them (a common name of at most 64 octets,
//! at most 10 names, validation options naming requested domains and their superdomains), an
//! idempotency token that returns the same ARN for an hour, then a PRIVATE certificate issued
//! at once by the named ACM PCA CA (with "ACM Certificate Available" in its transaction), or
//! an AMAZON_ISSUED one left PENDING_VALIDATION with its DNS records or validation e-mail
//! addresses (see `crate::validation`; the lifecycle job validates and issues it), EMAIL
//! approval links published in its transaction.

use crate::events;
use crate::generated::errors::{invalid_parameter_exception, limit_exceeded_exception};
use crate::generated::*;
use crate::ops::tags::{merge_tags, tag_pairs};
use crate::record::{CertRecord, TokenRecord, token_row};
use crate::service::{AcmService, CertRef, authorize_cert, internal, new_cert};
use crate::validation;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// How long an idempotency token returns its certificate.
const TOKEN_WINDOW_MS: i64 = 60 * 60 * 1000;
/// ACM's default quota of names per certificate.
const MAX_NAMES: usize = 10;
/// The longest common name (RFC 5280).
const MAX_COMMON_NAME: usize = 64;
/// The key algorithms RequestCertificate issues.
const REQUESTABLE: &[&str] = &["RSA_2048", "EC_prime256v1", "EC_secp384r1"];

impl RequestCertificate for AcmService {
    async fn request_certificate(
        &self,
        ctx: &RequestContext,
        input: RequestCertificateRequest,
    ) -> Result<RequestCertificateResponse, ServiceError> {
        let cert = new_cert(ctx);
        authorize_cert(ctx, "RequestCertificate", &cert)?;
        let mut record = self.checked_request(ctx, &cert, &input)?;
        let token = input.idempotency_token.as_deref();
        let token_row = token.map(|t| token_row(&cert.scope.prefix(), t));
        let (prior, token_expect) = self.prior_request(token_row.as_deref()).await?;
        if let Some(arn) = prior {
            return Ok(RequestCertificateResponse {
                certificate_arn: Some(arn),
            });
        }
        if let Some(ca_arn) = input.certificate_authority_arn.as_deref() {
            record.validations.clear();
            self.issue_private(&mut record, ca_arn).await?;
        }
        let approvals = match record.cert_type.as_str() {
            "AMAZON_ISSUED" => self.send_approvals(&mut record, &cert.row(), |_| true),
            _ => Ok(Vec::new()),
        };
        let mut writes = vec![
            self.tables
                .certificates
                .put(&cert.row(), &record, Expect::Absent),
        ];
        writes.extend(approvals.map_err(internal)?);
        if record.status == "ISSUED" {
            let now = self.now_ms();
            writes.push(Ok(events::available(&record, "ISSUANCE", now)));
        }
        if let Some(row) = &token_row {
            let used = TokenRecord {
                arn: cert.arn.clone(),
                used_ms: self.now_ms(),
            };
            writes.push(self.tables.tokens.put(row, &used, token_expect));
        }
        self.commit(writes).await?;
        Ok(RequestCertificateResponse {
            certificate_arn: Some(cert.arn),
        })
    }
}

impl AcmService {
    /// The request's record once its names, key algorithm, validation method, options and
    /// tags pass ACM's checks (with the validations a public certificate waits for).
    fn checked_request(
        &self,
        ctx: &RequestContext,
        cert: &CertRef,
        input: &RequestCertificateRequest,
    ) -> Result<CertRecord, ServiceError> {
        crate::domains::check(input)?;
        let names = requested_names(input)?;
        let key_algorithm = key_algorithm_of(input)?;
        let method = method_of(input)?;
        let tags = tag_pairs(input.tags.as_deref().unwrap_or_default())?;
        let options = input.domain_validation_options.as_deref();
        let checks = validation::checks(
            ctx.account().as_str(),
            &names,
            options.unwrap_or_default(),
            &method,
        )?;
        let mut record = self.requested(cert, input, names, key_algorithm);
        merge_tags(&mut record.tags, &tags)?;
        record.validations = checks;
        Ok(record)
    }

    /// The certificate a token made in the last hour, and the condition to record it anew.
    async fn prior_request(
        &self,
        row: Option<&str>,
    ) -> Result<(Option<String>, Expect), ServiceError> {
        let Some(row) = row else {
            return Ok((None, Expect::Any));
        };
        let found = self.tables.tokens.get(row).await.map_err(internal)?;
        Ok(match found {
            Some(f) if self.now_ms() - f.value.used_ms < TOKEN_WINDOW_MS => {
                (Some(f.value.arn), Expect::Any)
            }
            Some(f) => (None, Expect::Version(f.version)),
            None => (None, Expect::Absent),
        })
    }

    /// The new request's record (PENDING_VALIDATION until issued or failed).
    fn requested(
        &self,
        cert: &CertRef,
        input: &RequestCertificateRequest,
        names: Vec<String>,
        key_algorithm: String,
    ) -> CertRecord {
        let private = input.certificate_authority_arn.is_some();
        let options = input.options.clone().unwrap_or_default();
        let export = options
            .export
            .map_or("DISABLED".to_owned(), |e| e.as_str().to_owned());
        let transparency = options
            .certificate_transparency_logging_preference
            .map_or("ENABLED".to_owned(), |t| t.as_str().to_owned());
        CertRecord {
            arn: cert.arn.clone(),
            cert_type: if private { "PRIVATE" } else { "AMAZON_ISSUED" }.into(),
            status: "PENDING_VALIDATION".into(),
            failure_reason: None,
            domain_name: names.first().cloned().unwrap_or_default(),
            sans: names,
            key_algorithm,
            certificate_pem: None,
            chain_pem: None,
            facts: None,
            sealed_key: None,
            created_ms: self.now_ms(),
            imported_ms: None,
            issued_ms: None,
            ca_arn: input.certificate_authority_arn.clone(),
            export_option: export,
            transparency,
            exported: false,
            validations: Vec::new(),
            validation_started_ms: None,
            revoked: None,
            expiry_event_day: None,
            expired_event_sent: false,
            acme: None,
            renewal: None,
            tags: Vec::new(),
        }
    }
}

/// DomainName then the other SubjectAlternativeNames, without repeats, lowercased, checked.
fn requested_names(input: &RequestCertificateRequest) -> Result<Vec<String>, ServiceError> {
    let domain = input
        .domain_name
        .clone()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_owned();
    if domain.len() > MAX_COMMON_NAME {
        // Doubt: wording inferred from ACM's documented 64-octet limit on DomainName.
        return Err(invalid_parameter_exception(format!(
            "DomainName '{domain}' is longer than 64 characters. Use SubjectAlternativeNames for longer names."
        )));
    }
    let mut names = vec![domain];
    for san in input
        .subject_alternative_names
        .as_deref()
        .unwrap_or_default()
    {
        let san = san.to_ascii_lowercase().trim_end_matches('.').to_owned();
        if !names.contains(&san) {
            names.push(san);
        }
    }
    if names.len() > MAX_NAMES {
        // Doubt: AWS's wording for the names-per-certificate quota is not documented.
        return Err(limit_exceeded_exception(format!(
            "A certificate can have at most {MAX_NAMES} domain names; this request has {}.",
            names.len()
        )));
    }
    Ok(names)
}

/// The requested key algorithm (RSA_2048 by default); others are for imports only.
fn key_algorithm_of(input: &RequestCertificateRequest) -> Result<String, ServiceError> {
    let key = input
        .key_algorithm
        .as_ref()
        .map_or("RSA_2048", |k| k.as_str());
    if !REQUESTABLE.contains(&key) {
        // Doubt: AWS's wording is not documented; it issues RSA_2048, EC_prime256v1 and
        // EC_secp384r1 only.
        return Err(invalid_parameter_exception(format!(
            "KeyAlgorithm {key} is not supported for requested certificates. Supported values: RSA_2048, EC_prime256v1, EC_secp384r1."
        )));
    }
    Ok(key.to_owned())
}

/// The validation method of a public request: DNS or EMAIL (the default; HTTP is for
/// CloudFront-managed certificates only).
fn method_of(input: &RequestCertificateRequest) -> Result<String, ServiceError> {
    match input.validation_method.as_ref() {
        // Doubt: the API reference names no default; requests without a method have been
        // e-mail validated since before DNS validation existed.
        None => Ok("EMAIL".into()),
        Some(ValidationMethod::Http) => Err(invalid_parameter_exception(
            // Doubt: wording inferred; HTTP validation needs ManagedBy CLOUDFRONT.
            "HTTP validation is only available for certificates managed by CloudFront.",
        )),
        Some(method) => Ok(method.as_str().to_owned()),
    }
}
