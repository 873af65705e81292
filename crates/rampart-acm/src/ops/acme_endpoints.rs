//! CreateAcmeEndpoint, DescribeAcmeEndpoint, ListAcmeEndpoints, UpdateAcmeEndpoint and
//! DeleteAcmeEndpoint: an endpoint issues from Rampart's public hierarchy (the model's one
//! CertificateAuthority member), is ACTIVE once created (AWS provisions it asynchronously;
//! clients that wait see it active at once) and answers at its directory URL. Deleting it
//! removes its bindings, domain validations and ACME accounts in the same transaction.

use crate::acme::authorize;
use crate::acme::names::{EndpointRef, endpoint_not_found};
use crate::acme::record::{EndpointIdRecord, EndpointRecord};
use crate::acme::rows::{mutate, page, scan_all, tag_pairs, wire_tags};
use crate::generated::errors::validation_exception;
use crate::generated::*;
use crate::service::{AcmService, internal, timestamp};
use rampart_core::{RequestContext, Scope};
use rampart_store::Expect;

impl CreateAcmeEndpoint for AcmService {
    async fn create_acme_endpoint(
        &self,
        ctx: &RequestContext,
        input: CreateAcmeEndpointRequest,
    ) -> Result<CreateAcmeEndpointResponse, ServiceError> {
        let endpoint = EndpointRef::new(ctx);
        authorize(ctx, "CreateAcmeEndpoint", "*", &endpoint.scope.account)?;
        let algorithms = key_algorithms(input.certificate_authority.as_ref())?;
        let record = new_record(&endpoint, &input, algorithms, self.now_ms())?;
        let token = input.idempotency_token.as_deref();
        let (prior, token) = self
            .acme_token(&endpoint.scope, "CreateAcmeEndpoint", token)
            .await?;
        if let Some(arn) = prior {
            return Ok(CreateAcmeEndpointResponse {
                acme_endpoint_arn: Some(arn),
            });
        }
        let mut writes: Vec<Result<rampart_store::Write, rampart_store::StoreError>> = vec![
            self.acme
                .endpoints
                .put(&endpoint.row(), &record, Expect::Absent),
            self.acme.endpoint_ids.put(
                &endpoint.id,
                &EndpointIdRecord {
                    arn: endpoint.arn.clone(),
                },
                Expect::Absent,
            ),
        ];
        writes.extend(self.token_write(token, &endpoint.arn));
        self.commit(writes).await?;
        Ok(CreateAcmeEndpointResponse {
            acme_endpoint_arn: Some(endpoint.arn),
        })
    }
}

/// The record of a new endpoint (tags checked).
fn new_record(
    endpoint: &EndpointRef,
    input: &CreateAcmeEndpointRequest,
    algorithms: Vec<String>,
    now: i64,
) -> Result<EndpointRecord, ServiceError> {
    let contact = input
        .contact
        .as_ref()
        .map_or("NOT_REQUIRED", |c| c.as_str());
    Ok(EndpointRecord {
        arn: endpoint.arn.clone(),
        id: endpoint.id.clone(),
        authorization: behavior(input.authorization_behavior.as_ref()),
        contact: contact.to_owned(),
        allowed_key_algorithms: algorithms,
        status: "ACTIVE".to_owned(),
        certificate_tags: tag_pairs(input.certificate_tags.as_deref())?,
        tags: tag_pairs(input.tags.as_deref())?,
        created_ms: now,
        updated_ms: now,
    })
}

/// The authorization behavior (the model knows only PRE_APPROVED).
fn behavior(value: Option<&AcmeAuthorizationBehavior>) -> String {
    value.map_or("PRE_APPROVED", |b| b.as_str()).to_owned()
}

/// The allowed key algorithms of the endpoint's CA (the union must set its one member).
fn key_algorithms(ca: Option<&CertificateAuthority>) -> Result<Vec<String>, ServiceError> {
    let public = ca.and_then(|c| c.public_certificate_authority.as_ref());
    let Some(public) = public else {
        // Doubt: AWS's wording for an empty CertificateAuthority union is not documented.
        return Err(validation_exception(
            "CertificateAuthority must specify PublicCertificateAuthority.",
        ));
    };
    let mut out: Vec<String> = Vec::new();
    for algorithm in public.allowed_key_algorithms.as_deref().unwrap_or_default() {
        let name = algorithm.as_str().to_owned();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// The wire CertificateAuthority of an endpoint.
fn wire_ca(record: &EndpointRecord) -> CertificateAuthority {
    let algorithms = &record.allowed_key_algorithms;
    CertificateAuthority {
        public_certificate_authority: Some(PublicCertificateAuthority {
            allowed_key_algorithms: (!algorithms.is_empty()).then(|| {
                algorithms
                    .iter()
                    .map(|a| PublicKeyAlgorithm::from(a.as_str()))
                    .collect()
            }),
        }),
    }
}

/// The endpoint as DescribeAcmeEndpoint shows it.
fn detail(record: &EndpointRecord, url: String) -> AcmeEndpoint {
    AcmeEndpoint {
        acme_endpoint_arn: Some(record.arn.clone()),
        authorization_behavior: Some(AcmeAuthorizationBehavior::from(
            record.authorization.as_str(),
        )),
        certificate_authority: Some(wire_ca(record)),
        certificate_tags: wire_tags(&record.certificate_tags),
        contact: Some(AcmeContact::from(record.contact.as_str())),
        created_at: Some(timestamp(record.created_ms)),
        endpoint_url: Some(url),
        failure_reason: None,
        status: Some(AcmeEndpointStatus::from(record.status.as_str())),
        updated_at: Some(timestamp(record.updated_ms)),
    }
}

/// The endpoint as ListAcmeEndpoints shows it.
fn summary(record: &EndpointRecord, url: String) -> AcmeEndpointSummary {
    let d = detail(record, url);
    AcmeEndpointSummary {
        acme_endpoint_arn: d.acme_endpoint_arn,
        authorization_behavior: d.authorization_behavior,
        certificate_authority: d.certificate_authority,
        certificate_tags: d.certificate_tags,
        contact: d.contact,
        created_at: d.created_at,
        endpoint_url: d.endpoint_url,
        failure_reason: d.failure_reason,
        status: d.status,
        updated_at: d.updated_at,
    }
}

impl AcmService {
    /// The stored endpoint `endpoint`.
    pub(crate) async fn load_endpoint(
        &self,
        endpoint: &EndpointRef,
    ) -> Result<EndpointRecord, ServiceError> {
        let found = self.acme.endpoints.get(&endpoint.row()).await;
        let found = found.map_err(internal)?;
        found
            .map(|f| f.value)
            .ok_or_else(|| endpoint_not_found(endpoint))
    }
}

impl DescribeAcmeEndpoint for AcmService {
    async fn describe_acme_endpoint(
        &self,
        ctx: &RequestContext,
        input: DescribeAcmeEndpointRequest,
    ) -> Result<DescribeAcmeEndpointResponse, ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.unwrap_or_default())?;
        authorize(
            ctx,
            "DescribeAcmeEndpoint",
            &endpoint.arn,
            &endpoint.scope.account,
        )?;
        let record = self.load_endpoint(&endpoint).await?;
        Ok(DescribeAcmeEndpointResponse {
            acme_endpoint: Some(detail(&record, endpoint.directory_url())),
        })
    }
}

impl ListAcmeEndpoints for AcmService {
    async fn list_acme_endpoints(
        &self,
        ctx: &RequestContext,
        input: ListAcmeEndpointsRequest,
    ) -> Result<ListAcmeEndpointsResponse, ServiceError> {
        let scope = Scope::new(ctx.account().as_str(), ctx.region.as_str());
        authorize(ctx, "ListAcmeEndpoints", "*", &scope.account)?;
        let mut rows = scan_all(&self.acme.endpoints, &scope.prefix()).await?;
        rows.sort_by_key(|(_, r)| (r.created_ms, r.id.clone()));
        let records: Vec<EndpointRecord> = rows.into_iter().map(|(_, r)| r).collect();
        let (records, next) = page(records, input.max_results, input.next_token.as_deref())?;
        let list = records
            .iter()
            .map(|r| {
                let url = EndpointRef::parse(&r.arn).map(|e| e.directory_url());
                summary(r, url.unwrap_or_default())
            })
            .collect();
        Ok(ListAcmeEndpointsResponse {
            acme_endpoints: Some(list),
            next_token: next,
        })
    }
}

impl UpdateAcmeEndpoint for AcmService {
    async fn update_acme_endpoint(
        &self,
        ctx: &RequestContext,
        input: UpdateAcmeEndpointRequest,
    ) -> Result<(), ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.clone().unwrap_or_default())?;
        authorize(
            ctx,
            "UpdateAcmeEndpoint",
            &endpoint.arn,
            &endpoint.scope.account,
        )?;
        let algorithms = input
            .certificate_authority
            .as_ref()
            .map(|ca| key_algorithms(Some(ca)))
            .transpose()?;
        let now = self.now_ms();
        let missing = || endpoint_not_found(&endpoint);
        let table = &self.acme.endpoints;
        mutate(&self.store, table, &endpoint.row(), missing, |record| {
            if let Some(b) = &input.authorization_behavior {
                record.authorization = b.as_str().to_owned();
            }
            if let Some(c) = &input.contact {
                record.contact = c.as_str().to_owned();
            }
            if let Some(a) = &algorithms {
                record.allowed_key_algorithms = a.clone();
            }
            record.updated_ms = now;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl DeleteAcmeEndpoint for AcmService {
    async fn delete_acme_endpoint(
        &self,
        ctx: &RequestContext,
        input: DeleteAcmeEndpointRequest,
    ) -> Result<(), ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.unwrap_or_default())?;
        authorize(
            ctx,
            "DeleteAcmeEndpoint",
            &endpoint.arn,
            &endpoint.scope.account,
        )?;
        let found = self.acme.endpoints.get(&endpoint.row()).await;
        let Some(found) = found.map_err(internal)? else {
            return Ok(());
        };
        let prefix = endpoint.child_prefix();
        let mut writes = vec![
            self.acme
                .endpoints
                .delete(&endpoint.row(), Expect::Version(found.version)),
            self.acme.endpoint_ids.delete(&endpoint.id, Expect::Any),
        ];
        for (key, _) in scan_all(&self.acme.bindings, &prefix).await? {
            writes.push(self.acme.bindings.delete(&key, Expect::Any));
        }
        for (key, _) in scan_all(&self.acme.domains, &prefix).await? {
            writes.push(self.acme.domains.delete(&key, Expect::Any));
        }
        for (key, _) in scan_all(&self.acme.accounts, &prefix).await? {
            writes.push(self.acme.accounts.delete(&key, Expect::Any));
        }
        self.store.transact(writes).await.map_err(internal)
    }
}
