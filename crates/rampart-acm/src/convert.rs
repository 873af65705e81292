//! Stored certificates in their wire forms: DescribeCertificate's `CertificateDetail` (the
//! fields AWS shows for each type and status) and ListCertificates' `CertificateSummary`.

use crate::generated::*;
use crate::record::{CertRecord, DomainCheck};
use crate::service::timestamp;

/// Whether RenewCertificate (and managed renewal) applies: private certificates once
/// exported (nothing uses certificates yet, so "in use" never holds).
pub fn renewal_eligible(record: &CertRecord) -> bool {
    record.cert_type == "PRIVATE" && record.exported && record.facts.is_some()
}

/// The certificate's key-pair origin.
fn key_pair_origin(record: &CertRecord) -> CertificateKeyPairOrigin {
    if record.cert_type == "IMPORTED" {
        CertificateKeyPairOrigin::CustomerProvided
    } else {
        CertificateKeyPairOrigin::AwsManaged
    }
}

/// DescribeCertificate's view of `record` at `now_ms`.
pub fn detail(record: &CertRecord, now_ms: i64) -> CertificateDetail {
    let facts = record.facts.as_ref();
    let imported = record.cert_type == "IMPORTED";
    let mut out = CertificateDetail {
        certificate_arn: Some(record.arn.clone()),
        domain_name: Some(record.domain_name.clone()),
        subject_alternative_names: Some(record.sans.clone()),
        status: Some(CertificateStatus::from(record.status_at(now_ms))),
        type_: Some(CertificateType::from(record.cert_type.as_str())),
        key_algorithm: Some(KeyAlgorithm::from(record.key_algorithm.as_str())),
        in_use_by: Some(Vec::new()),
        renewal_eligibility: Some(eligibility(record)),
        options: Some(options(record)),
        certificate_key_pair_origin: Some(key_pair_origin(record)),
        failure_reason: record.failure_reason.as_deref().map(FailureReason::from),
        certificate_authority_arn: record.ca_arn.clone(),
        created_at: (!imported).then(|| timestamp(record.created_ms)),
        imported_at: record.imported_ms.map(timestamp),
        issued_at: record.issued_ms.map(timestamp),
        key_usages: Some(Vec::new()),
        extended_key_usages: Some(Vec::new()),
        ..CertificateDetail::default()
    };
    if let Some(facts) = facts {
        out.serial = Some(facts.serial.clone());
        out.subject = Some(facts.subject.clone());
        out.issuer = Some(facts.issuer.clone());
        out.signature_algorithm = Some(facts.signature_algorithm.clone());
        out.not_before = Some(timestamp(facts.not_before_ms));
        out.not_after = Some(timestamp(facts.not_after_ms));
        out.key_usages = Some(key_usages(&facts.key_usages));
        out.extended_key_usages = Some(extended_key_usages(&facts.extended_key_usages));
    } else {
        out.subject = Some(format!("CN={}", record.domain_name));
    }
    if !record.validations.is_empty() {
        out.domain_validation_options = Some(record.validations.iter().map(validation).collect());
    }
    if let Some((reason, at)) = &record.revoked {
        out.revocation_reason = Some(RevocationReason::from(reason.as_str()));
        out.revoked_at = Some(timestamp(*at));
    }
    out.renewal_summary = renewal_summary(record);
    out
}

/// The renewal summary of a renewed certificate (for public ones, each domain's validation
/// as renewal saw it: all SUCCESS once renewed, else still pending).
fn renewal_summary(record: &CertRecord) -> Option<RenewalSummary> {
    let (status, at) = record.renewal.as_ref()?;
    let domain_status = if status == "SUCCESS" {
        "SUCCESS"
    } else {
        "PENDING_VALIDATION"
    };
    let domains = record.validations.iter().map(|check| {
        let mut shown = validation(check);
        shown.validation_status = Some(DomainStatus::from(domain_status));
        shown
    });
    Some(RenewalSummary {
        renewal_status: Some(RenewalStatus::from(status.as_str())),
        domain_validation_options: Some(domains.collect()),
        updated_at: Some(timestamp(*at)),
        renewal_status_reason: None,
    })
}

/// `ELIGIBLE` or `INELIGIBLE`: issued public certificates are renewed by the lifecycle job
/// (Rampart has no integrated services, so "in use" cannot gate them as on AWS).
fn eligibility(record: &CertRecord) -> RenewalEligibility {
    let public = record.cert_type == "AMAZON_ISSUED" && record.facts.is_some();
    if public || renewal_eligible(record) {
        RenewalEligibility::Eligible
    } else {
        RenewalEligibility::Ineligible
    }
}

/// The certificate's options.
fn options(record: &CertRecord) -> CertificateOptions {
    CertificateOptions {
        certificate_transparency_logging_preference: Some(
            CertificateTransparencyLoggingPreference::from(record.transparency.as_str()),
        ),
        export: Some(CertificateExport::from(record.export_option.as_str())),
        validation_method: None,
    }
}

/// One domain's validation on the wire.
fn validation(check: &DomainCheck) -> DomainValidation {
    let record = check.record.as_ref().map(|(name, value)| ResourceRecord {
        name: Some(name.clone()),
        type_: Some(RecordType::Cname),
        value: Some(value.clone()),
    });
    DomainValidation {
        domain_name: Some(check.domain_name.clone()),
        validation_domain: Some(check.validation_domain.clone()),
        validation_status: Some(DomainStatus::from(check.status.as_str())),
        validation_method: Some(ValidationMethod::from(check.method.as_str())),
        resource_record: record,
        validation_emails: (check.method == "EMAIL").then(|| check.emails.clone()),
        http_redirect: None,
    }
}

/// Key usages on the wire.
fn key_usages(names: &[String]) -> Vec<KeyUsage> {
    names
        .iter()
        .map(|name| KeyUsage {
            name: Some(KeyUsageName::from(name.as_str())),
        })
        .collect()
}

/// Extended key usages on the wire.
fn extended_key_usages(usages: &[(String, String)]) -> Vec<ExtendedKeyUsage> {
    usages
        .iter()
        .map(|(name, oid)| ExtendedKeyUsage {
            name: Some(ExtendedKeyUsageName::from(name.as_str())),
            oid: Some(oid.clone()),
        })
        .collect()
}

/// ListCertificates' view of `record` at `now_ms` (`in_use` when another service's resource
/// uses it).
pub fn summary(record: &CertRecord, now_ms: i64, in_use: bool) -> CertificateSummary {
    let facts = record.facts.as_ref();
    let imported = record.cert_type == "IMPORTED";
    CertificateSummary {
        certificate_arn: Some(record.arn.clone()),
        domain_name: Some(record.domain_name.clone()),
        subject_alternative_name_summaries: Some(record.sans.clone()),
        has_additional_subject_alternative_names: Some(false),
        status: Some(CertificateStatus::from(record.status_at(now_ms))),
        type_: Some(CertificateType::from(record.cert_type.as_str())),
        key_algorithm: Some(KeyAlgorithm::from(record.key_algorithm.as_str())),
        key_usages: Some(facts.map(|f| names_of(&f.key_usages)).unwrap_or_default()),
        extended_key_usages: Some(
            facts
                .map(|f| eku_names(&f.extended_key_usages))
                .unwrap_or_default(),
        ),
        in_use: Some(in_use),
        exported: Some(record.exported),
        renewal_eligibility: Some(eligibility(record)),
        not_before: facts.map(|f| timestamp(f.not_before_ms)),
        not_after: facts.map(|f| timestamp(f.not_after_ms)),
        created_at: (!imported).then(|| timestamp(record.created_ms)),
        issued_at: record.issued_ms.map(timestamp),
        imported_at: record.imported_ms.map(timestamp),
        revoked_at: record.revoked.as_ref().map(|(_, at)| timestamp(*at)),
        export_option: Some(CertificateExport::from(record.export_option.as_str())),
        certificate_key_pair_origin: Some(key_pair_origin(record)),
        ..CertificateSummary::default()
    }
}

/// Key usage names as enum values.
fn names_of(names: &[String]) -> Vec<KeyUsageName> {
    names
        .iter()
        .map(|n| KeyUsageName::from(n.as_str()))
        .collect()
}

/// Extended key usage names as enum values.
fn eku_names(usages: &[(String, String)]) -> Vec<ExtendedKeyUsageName> {
    usages
        .iter()
        .map(|(n, _)| ExtendedKeyUsageName::from(n.as_str()))
        .collect()
}
