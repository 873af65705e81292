//! SearchCertificates' filter statements: `And`, `Or`, `Not` or one `Filter` (by ARN, X.509
//! attributes or ACM metadata), each a union of which exactly one member is set, evaluated
//! against a stored certificate. Common names and DNS names compare without regard to case.

use crate::generated::errors::validation_exception;
use crate::generated::*;
use crate::record::{CertFacts, CertRecord};
use crate::service::timestamp;

/// When and with what outside facts a certificate is judged: the service clock and whether
/// another service's resource uses it (`usage`).
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub now_ms: i64,
    pub in_use: bool,
}

/// How deep statements may nest.
const MAX_DEPTH: usize = 10;

/// Whether `record` (judged `at`) satisfies `statement`.
pub fn matches(
    statement: &CertificateFilterStatement,
    record: &CertRecord,
    at: At,
) -> Result<bool, ServiceError> {
    matches_at(statement, record, at, 0)
}

fn matches_at(
    statement: &CertificateFilterStatement,
    record: &CertRecord,
    at: At,
    depth: usize,
) -> Result<bool, ServiceError> {
    if depth > MAX_DEPTH {
        // Doubt: AWS's nesting limit and its wording are not documented.
        return Err(validation_exception(
            "The filter statement is nested too deeply.",
        ));
    }
    let set = [
        statement.and.is_some(),
        statement.or.is_some(),
        statement.not.is_some(),
        statement.filter.is_some(),
    ];
    one_member(&set, "CertificateFilterStatement")?;
    let each = |list: &[CertificateFilterStatement]| {
        list.iter()
            .map(|s| matches_at(s, record, at, depth + 1))
            .collect::<Result<Vec<bool>, ServiceError>>()
    };
    if let Some(all) = &statement.and {
        return Ok(each(all)?.into_iter().all(|b| b));
    }
    if let Some(any) = &statement.or {
        return Ok(each(any)?.into_iter().any(|b| b));
    }
    if let Some(inner) = &statement.not {
        return Ok(!matches_at(inner, record, at, depth + 1)?);
    }
    match &statement.filter {
        Some(filter) => filter_matches(filter, record, at),
        None => Ok(false),
    }
}

/// A union with other than exactly one member set is refused.
fn one_member(set: &[bool], shape: &str) -> Result<(), ServiceError> {
    if set.iter().filter(|s| **s).count() == 1 {
        return Ok(());
    }
    // Doubt: AWS's wording for a union without exactly one member is not documented.
    Err(validation_exception(format!(
        "Exactly one member of {shape} must be set."
    )))
}

/// One filter.
fn filter_matches(
    filter: &CertificateFilter,
    record: &CertRecord,
    at: At,
) -> Result<bool, ServiceError> {
    let set = [
        filter.certificate_arn.is_some(),
        filter.x509_attribute_filter.is_some(),
        filter.acm_certificate_metadata_filter.is_some(),
    ];
    one_member(&set, "CertificateFilter")?;
    if let Some(arn) = &filter.certificate_arn {
        return Ok(*arn == record.arn);
    }
    if let Some(x509) = &filter.x509_attribute_filter {
        return x509_matches(x509, record);
    }
    match &filter.acm_certificate_metadata_filter {
        Some(meta) => metadata_matches(meta, record, at),
        None => Ok(false),
    }
}

/// `value` compared with `wanted` by `operator`, ignoring case.
fn compare(value: &str, wanted: &str, operator: Option<&ComparisonOperator>) -> bool {
    let (value, wanted) = (value.to_ascii_lowercase(), wanted.to_ascii_lowercase());
    match operator {
        Some(ComparisonOperator::Contains) => value.contains(&wanted),
        _ => value == wanted,
    }
}

/// An X.509 attribute filter (certificates not issued yet have no attributes).
fn x509_matches(filter: &X509AttributeFilter, record: &CertRecord) -> Result<bool, ServiceError> {
    let set = [
        filter.subject.is_some(),
        filter.subject_alternative_name.is_some(),
        filter.extended_key_usage.is_some(),
        filter.key_usage.is_some(),
        filter.key_algorithm.is_some(),
        filter.serial_number.is_some(),
        filter.not_after.is_some(),
        filter.not_before.is_some(),
    ];
    one_member(&set, "X509AttributeFilter")?;
    if let Some(key) = &filter.key_algorithm {
        return Ok(key.as_str() == record.key_algorithm);
    }
    Ok(record
        .facts
        .as_ref()
        .is_some_and(|facts| attribute_matches(filter, facts)))
}

/// The one attribute `filter` names, against an issued certificate's facts.
fn attribute_matches(filter: &X509AttributeFilter, facts: &CertFacts) -> bool {
    if let Some(subject) = &filter.subject {
        let cn = facts.subject.split(',').find_map(|p| p.strip_prefix("CN="));
        let wanted = subject.common_name.as_ref();
        return wanted.is_some_and(|w| {
            cn.is_some_and(|cn| name_matches(cn, &w.value, &w.comparison_operator))
        });
    }
    if let Some(san) = &filter.subject_alternative_name {
        let wanted = san.dns_name.as_ref();
        return wanted.is_some_and(|w| {
            facts
                .sans
                .iter()
                .any(|n| name_matches(n, &w.value, &w.comparison_operator))
        });
    }
    if let Some(eku) = &filter.extended_key_usage {
        return match eku {
            ExtendedKeyUsageName::None => facts.extended_key_usages.is_empty(),
            eku => facts
                .extended_key_usages
                .iter()
                .any(|(n, _)| n == eku.as_str()),
        };
    }
    if let Some(usage) = &filter.key_usage {
        return facts.key_usages.iter().any(|n| n == usage.as_str());
    }
    if let Some(serial) = &filter.serial_number {
        return facts.serial.eq_ignore_ascii_case(serial);
    }
    if let Some(range) = &filter.not_after {
        return in_range(range, facts.not_after_ms);
    }
    let range = filter.not_before.as_ref();
    range.is_some_and(|r| in_range(r, facts.not_before_ms))
}

/// A name against a filter's value and operator.
fn name_matches(name: &str, value: &Option<String>, operator: &Option<ComparisonOperator>) -> bool {
    compare(
        name,
        value.as_deref().unwrap_or_default(),
        operator.as_ref(),
    )
}

/// Whether `ms` lies in the inclusive `range`.
fn in_range(range: &TimestampRange, ms: i64) -> bool {
    let at = timestamp(ms).0;
    range.start.as_ref().is_none_or(|s| s.0 <= at) && range.end.as_ref().is_none_or(|e| at <= e.0)
}

/// An ACM metadata filter.
fn metadata_matches(
    filter: &AcmCertificateMetadataFilter,
    record: &CertRecord,
    at: At,
) -> Result<bool, ServiceError> {
    one_member(&metadata_members(filter), "AcmCertificateMetadataFilter")?;
    let origin = if record.cert_type == "IMPORTED" {
        "CUSTOMER_PROVIDED"
    } else {
        "AWS_MANAGED"
    };
    let renewal = record.renewal.as_ref().map(|(status, _)| status.as_str());
    let f = filter;
    Ok(if let Some(status) = &f.status {
        status.as_str() == record.status_at(at.now_ms)
    } else if let Some(status) = &f.renewal_status {
        Some(status.as_str()) == renewal
    } else if let Some(kind) = &f.type_ {
        kind.as_str() == record.cert_type
    } else if let Some(in_use) = f.in_use {
        in_use == at.in_use
    } else if let Some(exported) = f.exported {
        exported == record.exported
    } else if let Some(option) = &f.export_option {
        option.as_str() == record.export_option
    } else if let Some(method) = &f.validation_method {
        record
            .validations
            .iter()
            .any(|v| v.method == method.as_str())
    } else if let Some(wanted) = &f.certificate_key_pair_origin {
        wanted.as_str() == origin
    } else {
        // No certificate is managed by CloudFront, issued through ACME or from Amazon N2.
        false
    })
}

/// Which members of a metadata filter are set.
fn metadata_members(filter: &AcmCertificateMetadataFilter) -> [bool; 12] {
    [
        filter.status.is_some(),
        filter.renewal_status.is_some(),
        filter.type_.is_some(),
        filter.in_use.is_some(),
        filter.exported.is_some(),
        filter.export_option.is_some(),
        filter.managed_by.is_some(),
        filter.validation_method.is_some(),
        filter.certificate_key_pair_origin.is_some(),
        filter.acme_endpoint_arn.is_some(),
        filter.acme_account_id.is_some(),
        filter.root_hierarchy_type.is_some(),
    ]
}
