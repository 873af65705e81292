//! The prevalidated domains of an ACME endpoint (Create/Describe/List/Update/Delete
//! AcmeDomainValidation): each carries the CNAME that proves control of the domain (derived
//! as ACM's DNS validation records are) and is VALIDATING until the `acm.lifecycle` job finds
//! the CNAME over DNS (VALID), or INVALID with TIMED_OUT after 72 hours. Orders for a VALID
//! domain (within its DomainScope) skip the ACME challenges.

use crate::acme::authorize;
use crate::acme::names::{ChildRef, DOMAIN, EndpointRef, is_domain, not_found};
use crate::acme::record::{DomainRecord, ScopeRecord};
use crate::acme::rows::{mutate, page, scan_all, tag_pairs};
use crate::generated::errors::{conflict_exception, validation_exception};
use crate::generated::*;
use crate::service::{AcmService, internal, timestamp};
use rampart_core::RequestContext;
use rampart_store::Expect;

/// The model's DomainName pattern, as AWS prints it in validation messages.
const DOMAIN_PATTERN: &str = "([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?";

impl CreateAcmeDomainValidation for AcmService {
    async fn create_acme_domain_validation(
        &self,
        ctx: &RequestContext,
        input: CreateAcmeDomainValidationRequest,
    ) -> Result<CreateAcmeDomainValidationResponse, ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.clone().unwrap_or_default())?;
        let op = "CreateAcmeDomainValidation";
        authorize(ctx, op, &endpoint.arn, &endpoint.scope.account)?;
        let (zone, scope) = options(input.prevalidation_options.as_ref())?;
        let tags = tag_pairs(input.tags.as_deref())?;
        let domain = input.domain_name.unwrap_or_default();
        if !is_domain(&domain) {
            return Err(validation_exception(format!(
                "1 validation error detected: Value '{domain}' at 'domainName' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: {DOMAIN_PATTERN}"
            )));
        }
        self.load_endpoint(&endpoint).await?;
        let token = input.idempotency_token.as_deref();
        let (prior, token) = self.acme_token(&endpoint.scope, op, token).await?;
        if let Some(arn) = prior {
            return Ok(CreateAcmeDomainValidationResponse {
                acme_domain_validation_arn: Some(arn),
            });
        }
        let existing = scan_all(&self.acme.domains, &endpoint.child_prefix()).await?;
        if existing.iter().any(|(_, d)| d.domain_name == domain) {
            // Doubt: AWS's wording is not documented.
            return Err(conflict_exception(format!(
                "A domain validation for {domain} already exists on this ACME endpoint."
            )));
        }
        let child = endpoint.new_child(DOMAIN);
        let now = self.now_ms();
        let record = DomainRecord {
            arn: child.arn.clone(),
            endpoint_arn: endpoint.arn.clone(),
            record: crate::validation::cname(&endpoint.scope.account, &domain),
            domain_name: domain,
            hosted_zone_id: zone,
            scope,
            status: "VALIDATING".to_owned(),
            failure: None,
            tags,
            created_ms: now,
            updated_ms: now,
        };
        let mut writes = vec![self.acme.domains.put(&child.row(), &record, Expect::Absent)];
        writes.extend(self.token_write(token, &child.arn));
        self.commit(writes).await?;
        Ok(CreateAcmeDomainValidationResponse {
            acme_domain_validation_arn: Some(child.arn),
        })
    }
}

/// The hosted zone and domain scope of PrevalidationOptions (the union's one member).
fn options(
    options: Option<&PrevalidationOptions>,
) -> Result<(Option<String>, ScopeRecord), ServiceError> {
    let Some(dns) = options.and_then(|o| o.dns_prevalidation.as_ref()) else {
        // Doubt: AWS's wording for an empty PrevalidationOptions union is not documented.
        return Err(validation_exception(
            "PrevalidationOptions must specify DnsPrevalidation.",
        ));
    };
    let scope = dns.domain_scope.clone().unwrap_or_default();
    let text = |o: Option<DomainScopeOption>| o.map(|v| v.as_str().to_owned());
    Ok((
        dns.hosted_zone_id.clone(),
        ScopeRecord {
            exact_domain: text(scope.exact_domain),
            subdomains: text(scope.subdomains),
            wildcards: text(scope.wildcards),
        },
    ))
}

/// The wire DomainScope.
fn wire_scope(scope: &ScopeRecord) -> DomainScope {
    let option = |o: &Option<String>| o.as_deref().map(DomainScopeOption::from);
    DomainScope {
        exact_domain: option(&scope.exact_domain),
        subdomains: option(&scope.subdomains),
        wildcards: option(&scope.wildcards),
    }
}

/// The validation as DescribeAcmeDomainValidation shows it.
fn detail(record: &DomainRecord) -> AcmeDomainValidation {
    let (name, value) = record.record.clone();
    AcmeDomainValidation {
        acme_domain_validation_arn: Some(record.arn.clone()),
        acme_endpoint_arn: Some(record.endpoint_arn.clone()),
        created_at: Some(timestamp(record.created_ms)),
        domain_name: Some(record.domain_name.clone()),
        failure_details: record
            .failure
            .as_ref()
            .map(|(reason, message)| FailureDetails {
                message: Some(message.clone()),
                reason: Some(AcmeDomainValidationFailureReason::from(reason.as_str())),
            }),
        prevalidation_details: Some(PrevalidationDetails {
            dns_prevalidation: Some(DnsPrevalidationDetails {
                domain_scope: Some(wire_scope(&record.scope)),
                hosted_zone_id: record.hosted_zone_id.clone(),
                resource_record: Some(ResourceRecord {
                    name: Some(name),
                    type_: Some(RecordType::Cname),
                    value: Some(value),
                }),
            }),
        }),
        prevalidation_type: Some(PrevalidationType::DnsPrevalidation),
        status: Some(AcmeDomainValidationStatus::from(record.status.as_str())),
        updated_at: Some(timestamp(record.updated_ms)),
    }
}

/// The validation as ListAcmeDomainValidations shows it.
fn summary(record: &DomainRecord) -> AcmeDomainValidationSummary {
    let d = detail(record);
    AcmeDomainValidationSummary {
        acme_domain_validation_arn: d.acme_domain_validation_arn,
        acme_endpoint_arn: d.acme_endpoint_arn,
        created_at: d.created_at,
        domain_name: d.domain_name,
        failure_details: d.failure_details,
        prevalidation_details: d.prevalidation_details,
        prevalidation_type: d.prevalidation_type,
        status: d.status,
        updated_at: d.updated_at,
    }
}

/// The domain validation an input ARN names, authorized for `operation`.
fn domain_of(
    ctx: &RequestContext,
    operation: &str,
    arn: Option<String>,
) -> Result<ChildRef, ServiceError> {
    let child = ChildRef::parse(&arn.unwrap_or_default(), DOMAIN)?;
    authorize(ctx, operation, &child.arn, &child.endpoint.scope.account)?;
    Ok(child)
}

/// ResourceNotFoundException for a domain validation.
fn missing(child: &ChildRef) -> ServiceError {
    not_found(
        "ACME domain validation",
        &child.arn,
        &child.endpoint.scope.account,
    )
}

impl DescribeAcmeDomainValidation for AcmService {
    async fn describe_acme_domain_validation(
        &self,
        ctx: &RequestContext,
        input: DescribeAcmeDomainValidationRequest,
    ) -> Result<DescribeAcmeDomainValidationResponse, ServiceError> {
        let arn = input.acme_domain_validation_arn;
        let child = domain_of(ctx, "DescribeAcmeDomainValidation", arn)?;
        let found = self
            .acme
            .domains
            .get(&child.row())
            .await
            .map_err(internal)?;
        let record = found.ok_or_else(|| missing(&child))?.value;
        Ok(DescribeAcmeDomainValidationResponse {
            acme_domain_validation: Some(detail(&record)),
        })
    }
}

impl ListAcmeDomainValidations for AcmService {
    async fn list_acme_domain_validations(
        &self,
        ctx: &RequestContext,
        input: ListAcmeDomainValidationsRequest,
    ) -> Result<ListAcmeDomainValidationsResponse, ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.unwrap_or_default())?;
        let op = "ListAcmeDomainValidations";
        authorize(ctx, op, &endpoint.arn, &endpoint.scope.account)?;
        self.load_endpoint(&endpoint).await?;
        let rows = scan_all(&self.acme.domains, &endpoint.child_prefix()).await?;
        let mut records: Vec<DomainRecord> = rows.into_iter().map(|(_, r)| r).collect();
        records.sort_by_key(|r| (r.created_ms, r.arn.clone()));
        let (records, next) = page(records, input.max_results, input.next_token.as_deref())?;
        Ok(ListAcmeDomainValidationsResponse {
            acme_domain_validations: Some(records.iter().map(summary).collect()),
            next_token: next,
        })
    }
}

impl UpdateAcmeDomainValidation for AcmService {
    async fn update_acme_domain_validation(
        &self,
        ctx: &RequestContext,
        input: UpdateAcmeDomainValidationRequest,
    ) -> Result<(), ServiceError> {
        let arn = input.acme_domain_validation_arn.clone();
        let child = domain_of(ctx, "UpdateAcmeDomainValidation", arn)?;
        let Some(given) = input.prevalidation_options.as_ref() else {
            return Ok(());
        };
        let (zone, scope) = options(Some(given))?;
        let now = self.now_ms();
        let table = &self.acme.domains;
        mutate(
            &self.store,
            table,
            &child.row(),
            || missing(&child),
            |record| {
                record.hosted_zone_id = zone.clone();
                record.scope = scope.clone();
                record.updated_ms = now;
                if record.status == "INVALID" {
                    record.status = "VALIDATING".to_owned();
                    record.failure = None;
                }
                Ok(())
            },
        )
        .await?;
        Ok(())
    }
}

impl DeleteAcmeDomainValidation for AcmService {
    async fn delete_acme_domain_validation(
        &self,
        ctx: &RequestContext,
        input: DeleteAcmeDomainValidationRequest,
    ) -> Result<(), ServiceError> {
        let arn = input.acme_domain_validation_arn;
        let child = domain_of(ctx, "DeleteAcmeDomainValidation", arn)?;
        let delete = self.acme.domains.delete(&child.row(), Expect::Any);
        self.store.transact(vec![delete]).await.map_err(internal)
    }
}
