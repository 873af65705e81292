//! SearchCertificates: every certificate of the scope (no default key-type filter) that the
//! filter statement admits, sorted by the requested field (creation by default), in pages of
//! `MaxResults` (100 by default); each result with its X.509 attributes (read again from the
//! certificate: subject and issuer as distinguished names) and ACM metadata.

use crate::convert::renewal_eligible;
use crate::facts;
use crate::generated::errors::validation_exception;
use crate::generated::*;
use crate::ops::list::{decode_token, encode_token};
use crate::record::CertRecord;
use crate::search_filter;
use crate::service::{AcmService, authorize, timestamp};
use rampart_core::{RequestContext, Scope};
use x509_parser::x509::X509Name;

/// The page size when MaxResults is absent.
const DEFAULT_PAGE: usize = 100;

impl SearchCertificates for AcmService {
    async fn search_certificates(
        &self,
        ctx: &RequestContext,
        input: SearchCertificatesRequest,
    ) -> Result<SearchCertificatesResponse, ServiceError> {
        authorize(ctx, "SearchCertificates", "*", ctx.account().as_str())?;
        let offset = match input.next_token.as_deref() {
            Some(token) => decode_token(token)
                .map_err(|_| validation_exception("The nextToken is not valid."))?,
            None => 0,
        };
        let scope = Scope::new(ctx.account().as_str(), ctx.region.as_str());
        let now = self.now_ms();
        let used = self.used_certificates(&scope).await?;
        let mut found = Vec::new();
        for record in self.scope_records(&scope).await? {
            let at = search_filter::At {
                now_ms: now,
                in_use: used.contains(&record.arn),
            };
            let admitted = match &input.filter_statement {
                Some(statement) => search_filter::matches(statement, &record, at)?,
                None => true,
            };
            if admitted {
                found.push(record);
            }
        }
        let by = input
            .sort_by
            .clone()
            .unwrap_or(SearchCertificatesSortBy::CreatedAt);
        found.sort_by_cached_key(|r| (sort_key(r, &by, now), r.created_ms, r.arn.clone()));
        if input.sort_order == Some(SearchCertificatesSortOrder::Descending) {
            found.reverse();
        }
        let size = input
            .max_results
            .map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
        let page: Vec<CertificateSearchResult> = found
            .iter()
            .skip(offset)
            .take(size)
            .map(|r| result(r, now, used.contains(&r.arn)))
            .collect();
        let next = offset + page.len();
        Ok(SearchCertificatesResponse {
            results: Some(page),
            next_token: (next < found.len()).then(|| encode_token(next)),
        })
    }
}

/// The value `record` sorts by under `by`, as comparable text.
fn sort_key(record: &CertRecord, by: &SearchCertificatesSortBy, now_ms: i64) -> String {
    use SearchCertificatesSortBy as S;
    let facts = record.facts.as_ref();
    let time = |ms: Option<i64>| ms.map_or(String::new(), |ms| format!("{ms:020}"));
    match by {
        S::NotAfter => time(facts.map(|f| f.not_after_ms)),
        S::NotBefore => time(facts.map(|f| f.not_before_ms)),
        S::IssuedAt => time(record.issued_ms),
        S::ImportedAt => time(record.imported_ms),
        S::RevokedAt => time(record.revoked.as_ref().map(|(_, at)| *at)),
        S::Status => record.status_at(now_ms).to_owned(),
        S::RenewalStatus => record
            .renewal
            .as_ref()
            .map(|(s, _)| s.clone())
            .unwrap_or_default(),
        S::Exported => record.exported.to_string(),
        S::KeyAlgorithm => record.key_algorithm.clone(),
        S::Type => record.cert_type.clone(),
        S::CertificateArn => record.arn.clone(),
        S::CommonName => record.domain_name.clone(),
        S::RenewalEligibility => renewal_eligible(record).to_string(),
        S::ExportOption => record.export_option.clone(),
        S::ValidationMethod => record
            .validations
            .first()
            .map(|v| v.method.clone())
            .unwrap_or_default(),
        _ => time(Some(record.created_ms)),
    }
}

/// One search result.
fn result(record: &CertRecord, now_ms: i64, in_use: bool) -> CertificateSearchResult {
    let imported = record.cert_type == "IMPORTED";
    let metadata = AcmCertificateMetadata {
        created_at: (!imported).then(|| timestamp(record.created_ms)),
        imported_at: record.imported_ms.map(timestamp),
        issued_at: record.issued_ms.map(timestamp),
        revoked_at: record.revoked.as_ref().map(|(_, at)| timestamp(*at)),
        exported: Some(record.exported),
        in_use: Some(in_use),
        renewal_eligibility: Some(if renewal_eligible(record) {
            RenewalEligibility::Eligible
        } else {
            RenewalEligibility::Ineligible
        }),
        status: Some(CertificateStatus::from(record.status_at(now_ms))),
        renewal_status: record
            .renewal
            .as_ref()
            .map(|(s, _)| RenewalStatus::from(s.as_str())),
        type_: Some(CertificateType::from(record.cert_type.as_str())),
        export_option: Some(CertificateExport::from(record.export_option.as_str())),
        validation_method: record
            .validations
            .first()
            .map(|v| ValidationMethod::from(v.method.as_str())),
        certificate_key_pair_origin: Some(if imported {
            CertificateKeyPairOrigin::CustomerProvided
        } else {
            CertificateKeyPairOrigin::AwsManaged
        }),
        ..AcmCertificateMetadata::default()
    };
    CertificateSearchResult {
        certificate_arn: Some(record.arn.clone()),
        x509_attributes: x509_attributes(record),
        certificate_metadata: Some(CertificateMetadata {
            acm_certificate_metadata: Some(metadata),
        }),
    }
}

/// The certificate's X.509 attributes (none before it is issued).
fn x509_attributes(record: &CertRecord) -> Option<X509Attributes> {
    let facts_of = record.facts.as_ref()?;
    let ders = facts::pem_certificates(record.certificate_pem.as_deref()?.as_bytes()).ok()?;
    let cert = facts::parse(ders.first()?).ok()?;
    Some(X509Attributes {
        subject: Some(distinguished_name(cert.subject())),
        issuer: Some(distinguished_name(cert.issuer())),
        subject_alternative_names: Some(
            facts_of
                .sans
                .iter()
                .map(|name| GeneralName {
                    dns_name: Some(name.clone()),
                    ..GeneralName::default()
                })
                .collect(),
        ),
        extended_key_usages: Some(
            facts_of
                .extended_key_usages
                .iter()
                .map(|(name, _)| ExtendedKeyUsageName::from(name.as_str()))
                .collect(),
        ),
        key_usages: Some(
            facts_of
                .key_usages
                .iter()
                .map(|n| KeyUsageName::from(n.as_str()))
                .collect(),
        ),
        key_algorithm: Some(KeyAlgorithm::from(facts_of.key_algorithm.as_str())),
        serial_number: Some(facts_of.serial.clone()),
        not_after: Some(timestamp(facts_of.not_after_ms)),
        not_before: Some(timestamp(facts_of.not_before_ms)),
    })
}

/// A name's attributes in the model's DistinguishedName (others as custom attributes).
fn distinguished_name(name: &X509Name<'_>) -> DistinguishedName {
    let mut out = DistinguishedName::default();
    for attr in name.iter_attributes() {
        let value = attr.as_str().map(str::to_owned).unwrap_or_default();
        let oid = attr.attr_type().to_id_string();
        let slot = match oid.as_str() {
            "2.5.4.3" => &mut out.common_name,
            "2.5.4.6" => &mut out.country,
            "2.5.4.7" => &mut out.locality,
            "2.5.4.8" => &mut out.state,
            "2.5.4.10" => &mut out.organization,
            "2.5.4.11" => &mut out.organizational_unit,
            "2.5.4.5" => &mut out.serial_number,
            "2.5.4.4" => &mut out.surname,
            "2.5.4.12" => &mut out.title,
            "2.5.4.42" => &mut out.given_name,
            "2.5.4.43" => &mut out.initials,
            "2.5.4.44" => &mut out.generation_qualifier,
            "2.5.4.46" => &mut out.distinguished_name_qualifier,
            "2.5.4.65" => &mut out.pseudonym,
            "0.9.2342.19200300.100.1.25" => {
                out.domain_components
                    .get_or_insert_with(Vec::new)
                    .push(value);
                continue;
            }
            _ => {
                let custom = CustomAttribute {
                    object_identifier: Some(oid),
                    value: Some(value),
                };
                out.custom_attributes
                    .get_or_insert_with(Vec::new)
                    .push(custom);
                continue;
            }
        };
        *slot = Some(value);
    }
    out
}
