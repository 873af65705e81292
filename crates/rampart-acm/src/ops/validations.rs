//! ListCertificateDomainValidations: one summary per domain of a public request with its
//! active validation (the DNS CNAME, or the validation domain and e-mail addresses), in pages
//! of `MaxItems` (1000 by default); certificates without domain validation list none.

use crate::generated::errors::invalid_args_exception;
use crate::generated::*;
use crate::ops::list::{decode_token, encode_token};
use crate::record::DomainCheck;
use crate::service::{AcmService, authorize_cert, cert_ref};
use rampart_core::RequestContext;

/// The page size when MaxItems is absent.
const DEFAULT_PAGE: usize = 1000;

impl ListCertificateDomainValidations for AcmService {
    async fn list_certificate_domain_validations(
        &self,
        ctx: &RequestContext,
        input: ListCertificateDomainValidationsRequest,
    ) -> Result<ListCertificateDomainValidationsResponse, ServiceError> {
        // The operation has no InvalidArnException: a malformed ARN is an invalid argument.
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())
            .map_err(|e| invalid_args_exception(e.message))?;
        authorize_cert(ctx, "ListCertificateDomainValidations", &cert)?;
        let offset = match input.next_token.as_deref() {
            Some(token) => decode_token(token)?,
            None => 0,
        };
        let record = self.load(&cert).await?.value;
        let size = input.max_items.map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
        let page: Vec<DomainValidationSummary> = record
            .validations
            .iter()
            .skip(offset)
            .take(size)
            .map(summary)
            .collect();
        let next = offset + page.len();
        Ok(ListCertificateDomainValidationsResponse {
            domain_validation_summary_list: Some(page),
            next_token: (next < record.validations.len()).then(|| encode_token(next)),
        })
    }
}

/// One domain's summary.
fn summary(check: &DomainCheck) -> DomainValidationSummary {
    let challenge = match &check.record {
        Some((name, value)) => ValidationChallenge {
            dns_validation_challenge: Some(DnsValidationChallenge {
                resource_record: Some(ResourceRecord {
                    name: Some(name.clone()),
                    type_: Some(RecordType::Cname),
                    value: Some(value.clone()),
                }),
            }),
            email_validation_challenge: None,
        },
        None => ValidationChallenge {
            dns_validation_challenge: None,
            email_validation_challenge: Some(EmailValidationChallenge {
                validation_domain: Some(check.validation_domain.clone()),
                validation_emails: Some(check.emails.clone()),
            }),
        },
    };
    DomainValidationSummary {
        domain_name: Some(check.domain_name.clone()),
        active_validation_configuration: Some(ValidationConfiguration {
            validation_method: Some(ValidationMethod::from(check.method.as_str())),
            validation_status: Some(DomainStatus::from(check.status.as_str())),
            validation_challenge: Some(challenge),
        }),
        requested_validation_configuration: None,
    }
}
