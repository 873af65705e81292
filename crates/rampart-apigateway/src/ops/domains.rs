//! CreateDomainName, GetDomainName, GetDomainNames, UpdateDomainName, DeleteDomainName:
//! custom domain names over ACM certificates. An EDGE name needs `certificateArn` of a
//! certificate in us-east-1, a REGIONAL one `regionalCertificateArn` in the caller's Region;
//! either must exist in the caller's account, be ISSUED and cover the name. The domain row and
//! ACM's record of the certificate's use are written in one transaction, so ACM lists the
//! domain in `InUseBy` and refuses to delete the certificate while it is used. Mutual TLS
//! (`mutualTlsAuthentication`, REGIONAL names) is in [`super::domain_mtls`]. PRIVATE names
//! and the deprecated uploaded certificates are not supported and answer BadRequestException.

use crate::convert::map_of;
use crate::generated::errors::{bad_request_exception, conflict_exception, not_found_exception};
use crate::generated::*;
use crate::ids::host_id;
use crate::ops::apis::page_limit;
use crate::ops::domain_mtls::{URI_PATH, VERSION_PATH, mutual_tls_view};
use crate::patch::patches;
use crate::record::{DomainRecord, domain_row};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_acm::{CertificateAccess, CertificateInfo, is_certificate_conflict};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write};
use std::collections::BTreeMap;

/// How often a domain change whose certificate changed meanwhile is checked again.
const CERTIFICATE_ATTEMPTS: usize = 5;

/// Where EDGE names' certificates live.
const EDGE_CERTIFICATE_REGION: &str = "us-east-1";

/// NotFoundException for a domain name the caller does not have.
pub(crate) fn domain_not_found() -> ServiceError {
    not_found_exception("Invalid domain name identifier specified")
}

/// The ARN of domain name `name` in `region`, as API Gateway and ACM's `InUseBy` name it.
pub(crate) fn domain_arn(region: &str, name: &str) -> String {
    format!("arn:aws:apigateway:{region}::/domainnames/{name}")
}

/// The response view of `d` in `region`.
pub(crate) fn domain_view(d: &DomainRecord, region: &str) -> DomainName {
    let edge = d.endpoint_type == "EDGE";
    DomainName {
        domain_name: Some(d.name.clone()),
        domain_name_arn: Some(domain_arn(region, &d.name)),
        certificate_arn: d.certificate_arn.clone(),
        certificate_name: d.certificate_name.clone(),
        certificate_upload_date: edge
            .then(|| Timestamp::from_epoch_millis(d.certificate_upload_ms)),
        regional_certificate_arn: d.regional_certificate_arn.clone(),
        regional_certificate_name: d.regional_certificate_name.clone(),
        distribution_domain_name: edge.then(|| format!("d{}.cloudfront.net", d.host_id)),
        distribution_hosted_zone_id: edge.then(|| "Z2FDTNDATAQYW2".to_owned()),
        regional_domain_name: (!edge)
            .then(|| format!("d-{}.execute-api.{region}.amazonaws.com", d.host_id)),
        regional_hosted_zone_id: (!edge).then(|| regional_zone(region)),
        endpoint_configuration: Some(EndpointConfiguration {
            types: Some(vec![EndpointType::from(d.endpoint_type.as_str())]),
            ..EndpointConfiguration::default()
        }),
        domain_name_status: Some(DomainNameStatus::from("AVAILABLE")),
        security_policy: Some(SecurityPolicy::from(d.security_policy.as_str())),
        tags: (!d.tags.is_empty()).then(|| d.tags.clone()),
        mutual_tls_authentication: d.mutual_tls.as_ref().map(mutual_tls_view),
        ..DomainName::default()
    }
}

/// API Gateway's regional hosted zone of `region` (the well-known ones; others a stand-in).
fn regional_zone(region: &str) -> String {
    match region {
        "us-east-1" => "Z1UJRXOUMOOFQ8",
        "us-east-2" => "ZOJJZC49E0EPZ",
        "us-west-2" => "Z2OJLYMUO9EFXC",
        "eu-west-1" => "ZLY8HYME6SFDD",
        "eu-central-1" => "Z1U9ULNL0V5AJ3",
        _ => "Z1UJRXOUMOOFQ8",
    }
    .to_owned()
}

impl ApiGatewayService {
    /// The caller's domain name `name`, or NotFoundException.
    pub(crate) async fn load_domain(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<Versioned<DomainRecord>, ServiceError> {
        let key = domain_row(ctx.account().as_str(), ctx.region.as_str(), name);
        let found = self.domains.get(&key).await.map_err(internal)?;
        found.ok_or_else(domain_not_found)
    }

    /// Checks that certificate `arn` is the caller's, in `region`, ISSUED and covers `name`;
    /// what ACM says of it.
    async fn check_certificate(
        &self,
        ctx: &RequestContext,
        arn: &str,
        region: &str,
        name: &str,
    ) -> Result<CertificateInfo, ServiceError> {
        let wrong_region = arn.split(':').nth(3).is_some_and(|r| r != region);
        if wrong_region {
            return Err(bad_request_exception(format!(
                "Invalid certificate ARN: {arn}. Certificate must be in '{region}'."
            )));
        }
        let access = self.certificates.as_ref();
        let info = match access {
            Some(access) => access.describe(arn).await.map_err(internal)?,
            None => None,
        };
        let info = info.filter(|i| i.account == ctx.account().as_str());
        // Doubt: AWS's wording for the three refusals below is not documented.
        let Some(info) = info else {
            return Err(bad_request_exception(format!(
                "Certificate {arn} not found in account {}",
                ctx.account().as_str()
            )));
        };
        if info.status != "ISSUED" {
            return Err(bad_request_exception(format!(
                "Certificate {arn} is not in ISSUED status (status: {})",
                info.status
            )));
        }
        if !info.covers(name) {
            return Err(bad_request_exception(format!(
                "The certificate {arn} does not cover the domain name {name}"
            )));
        }
        Ok(info)
    }

    /// ACM's certificates, or the refusal of certificate `arn` without them.
    fn access(&self, arn: &str) -> Result<&CertificateAccess, ServiceError> {
        self.certificates
            .as_deref()
            .ok_or_else(|| bad_request_exception(format!("Invalid certificate ARN: {arn}")))
    }

    /// The write releasing the domain's use of certificate `arn`.
    fn release(&self, arn: &str, domain: &str) -> Result<Write, ServiceError> {
        let access = self.access(arn)?;
        access.release_write(arn, domain).map_err(internal)
    }

    /// Commits `writes` with domain `domain` using certificate `cert` (checked for `region`
    /// and `name` first). The use commits only while the certificate is as checked, so a
    /// DeleteCertificate cannot slip between the check and the write; a certificate changed
    /// meanwhile is checked again. `on_conflict` answers other conflicts.
    async fn commit_using(
        &self,
        ctx: &RequestContext,
        (cert, region, name): (&str, &str, &str),
        domain: &str,
        writes: Vec<Write>,
        on_conflict: fn() -> ServiceError,
    ) -> Result<(), ServiceError> {
        let mut attempt = 1;
        loop {
            let info = self.check_certificate(ctx, cert, region, name).await?;
            let made = self.access(cert)?.use_writes(&info, domain).await;
            let outcome = match made {
                Ok(uses) => {
                    let all = writes.iter().cloned().chain(uses).collect();
                    self.store.transact(all).await
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => return Ok(()),
                Err(e) if is_certificate_conflict(&e) && attempt < CERTIFICATE_ATTEMPTS => {
                    attempt += 1;
                    rampart_store::conflict_pause().await;
                }
                Err(e) if e.is_conflict() => return Err(on_conflict()),
                Err(e) => return Err(internal(e)),
            }
        }
    }
}

/// The endpoint type asked for: EDGE by default, REGIONAL; others are refused.
fn endpoint_type(config: Option<&EndpointConfiguration>) -> Result<String, ServiceError> {
    let types: Vec<&str> = config
        .and_then(|c| c.types.as_ref())
        .map(|t| t.iter().map(EndpointType::as_str).collect())
        .unwrap_or_default();
    match types.as_slice() {
        [] => Ok("EDGE".into()),
        ["EDGE" | "REGIONAL"] => Ok(types[0].to_owned()),
        [_] => Err(bad_request_exception(
            "Rampart supports EDGE and REGIONAL custom domain names only",
        )),
        _ => Err(bad_request_exception(
            "Cannot create a domain name with multiple Endpoint Types.",
        )),
    }
}

/// Refuses what Rampart does not support: uploaded certificates.
fn refuse_unsupported(input: &CreateDomainNameRequest) -> Result<(), ServiceError> {
    if input.certificate_body.is_some() || input.certificate_private_key.is_some() {
        return Err(bad_request_exception(
            "Uploaded certificates are deprecated; use an ACM certificate (certificateArn)",
        ));
    }
    Ok(())
}

/// Domain names are DNS names of 1 to 253 characters (a leading `*.` allowed).
fn check_name(name: &str) -> Result<(), ServiceError> {
    let labels = name.strip_prefix("*.").unwrap_or(name).split('.');
    let ok = !name.is_empty()
        && name.len() <= 253
        && labels.clone().count() >= 2
        && labels.into_iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        return Ok(());
    }
    Err(bad_request_exception(format!(
        "Invalid domain name: {name}"
    )))
}

/// The record CreateDomainName makes, before its certificate is checked.
fn new_domain(
    input: CreateDomainNameRequest,
    name: &str,
    kind: String,
    now: i64,
) -> Result<DomainRecord, ServiceError> {
    let edge = kind == "EDGE";
    let (cert, regional) = (input.certificate_arn, input.regional_certificate_arn);
    let chosen = if edge { &cert } else { &regional };
    if chosen.as_deref().is_none_or(str::is_empty) || (edge && regional.is_some()) {
        return Err(bad_request_exception(if edge {
            "An EDGE domain name needs a certificateArn (and no regionalCertificateArn)"
        } else {
            "A REGIONAL domain name needs a regionalCertificateArn"
        }));
    }
    Ok(DomainRecord {
        name: name.to_ascii_lowercase(),
        endpoint_type: kind,
        certificate_arn: if edge { cert } else { None },
        certificate_name: input.certificate_name,
        regional_certificate_arn: if edge { None } else { regional },
        regional_certificate_name: input.regional_certificate_name,
        certificate_upload_ms: now,
        host_id: host_id(),
        security_policy: input
            .security_policy
            .map_or("TLS_1_2".into(), |p| p.as_str().to_owned()),
        tags: map_of(input.tags),
        mappings: BTreeMap::new(),
        mutual_tls: None,
    })
}

impl CreateDomainName for ApiGatewayService {
    async fn create_domain_name(
        &self,
        ctx: &RequestContext,
        input: CreateDomainNameRequest,
    ) -> Result<DomainName, ServiceError> {
        authorize(ctx, "POST", "/domainnames")?;
        let name = input.domain_name.clone().unwrap_or_default();
        check_name(&name)?;
        refuse_unsupported(&input)?;
        let kind = endpoint_type(input.endpoint_configuration.as_ref())?;
        let mutual_tls = self.new_mutual_tls(input.mutual_tls_authentication.as_ref(), &kind)?;
        let mut record = new_domain(input, &name, kind, self.now_ms())?;
        record.mutual_tls = mutual_tls;
        let region = if record.endpoint_type == "EDGE" {
            EDGE_CERTIFICATE_REGION
        } else {
            ctx.region.as_str()
        };
        let cert = record.serving_certificate().unwrap_or_default().to_owned();
        let arn = domain_arn(ctx.region.as_str(), &record.name);
        let key = domain_row(ctx.account().as_str(), ctx.region.as_str(), &record.name);
        let put = self.domains.put(&key, &record, Expect::Absent);
        let checked = (cert.as_str(), region, record.name.as_str());
        self.commit_using(ctx, checked, &arn, vec![put.map_err(internal)?], || {
            conflict_exception("The domain name you provided already exists.")
        })
        .await?;
        self.refresh_edge().await;
        Ok(domain_view(&record, ctx.region.as_str()))
    }
}

impl GetDomainName for ApiGatewayService {
    async fn get_domain_name(
        &self,
        ctx: &RequestContext,
        input: GetDomainNameRequest,
    ) -> Result<DomainName, ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        authorize(ctx, "GET", &format!("/domainnames/{name}"))?;
        let found = self.load_domain(ctx, &name).await?;
        Ok(domain_view(&found.value, ctx.region.as_str()))
    }
}

impl GetDomainNames for ApiGatewayService {
    async fn get_domain_names(
        &self,
        ctx: &RequestContext,
        input: GetDomainNamesRequest,
    ) -> Result<DomainNames, ServiceError> {
        authorize(ctx, "GET", "/domainnames")?;
        let limit = page_limit(input.limit)?;
        let prefix = domain_row(ctx.account().as_str(), ctx.region.as_str(), "");
        let after = input
            .position
            .map(|p| domain_row(ctx.account().as_str(), ctx.region.as_str(), &p));
        let rows = self
            .domains
            .scan(&prefix, after.as_deref(), limit + 1)
            .await;
        let mut rows = rows.map_err(internal)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let position = more
            .then(|| rows.last().map(|(_, d)| d.value.name.to_ascii_lowercase()))
            .flatten();
        let items = rows
            .iter()
            .map(|(_, d)| domain_view(&d.value, ctx.region.as_str()))
            .collect();
        Ok(DomainNames {
            items: Some(items),
            position,
        })
    }
}

impl DeleteDomainName for ApiGatewayService {
    async fn delete_domain_name(
        &self,
        ctx: &RequestContext,
        input: DeleteDomainNameRequest,
    ) -> Result<(), ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        authorize(ctx, "DELETE", &format!("/domainnames/{name}"))?;
        let found = self.load_domain(ctx, &name).await?;
        let key = domain_row(ctx.account().as_str(), ctx.region.as_str(), &name);
        let mut writes = vec![self.domains.delete(&key, Expect::Version(found.version))];
        if let Some(cert) = found.value.serving_certificate() {
            let arn = domain_arn(ctx.region.as_str(), &found.value.name);
            writes.push(self.release(cert, &arn)?);
        }
        self.commit(writes, domain_not_found).await?;
        self.refresh_edge().await;
        Ok(())
    }
}

impl UpdateDomainName for ApiGatewayService {
    async fn update_domain_name(
        &self,
        ctx: &RequestContext,
        input: UpdateDomainNameRequest,
    ) -> Result<DomainName, ServiceError> {
        let name = input.domain_name.unwrap_or_default();
        authorize(ctx, "PATCH", &format!("/domainnames/{name}"))?;
        let found = self.load_domain(ctx, &name).await?;
        let mut record = found.value.clone();
        let (mut truststore_uri, mut truststore_version) = (None, None);
        for patch in patches(input.patch_operations)? {
            let value = patch.value.clone();
            match (patch.op.as_str(), patch.path.as_str()) {
                ("replace", "/certificateArn") if record.endpoint_type == "EDGE" => {
                    record.certificate_arn = value;
                }
                ("replace", "/regionalCertificateArn") if record.endpoint_type != "EDGE" => {
                    record.regional_certificate_arn = value;
                }
                ("replace", URI_PATH) => truststore_uri = Some(value.unwrap_or_default()),
                ("replace", VERSION_PATH) => truststore_version = Some(value.unwrap_or_default()),
                ("replace", "/certificateName") => record.certificate_name = value,
                ("replace", "/regionalCertificateName") => record.regional_certificate_name = value,
                ("replace", "/securityPolicy") => {
                    let policy = patch.value()?;
                    if !matches!(policy, "TLS_1_0" | "TLS_1_2") {
                        return Err(bad_request_exception(format!(
                            "Invalid security policy: {policy}"
                        )));
                    }
                    record.security_policy = policy.to_owned();
                }
                (op, path) => {
                    return Err(bad_request_exception(format!(
                        "Invalid patch path '{path}' specified for op '{op}'. Must be one of: [/certificateArn, /certificateName, /regionalCertificateArn, /regionalCertificateName, /securityPolicy, {URI_PATH}, {VERSION_PATH}]"
                    )));
                }
            }
        }
        self.patch_mutual_tls(&mut record, truststore_uri, truststore_version)?;
        self.commit_domain_update(ctx, found, record).await
    }
}

impl ApiGatewayService {
    /// Writes `record` over `found`, moving the certificate's use when it changed.
    async fn commit_domain_update(
        &self,
        ctx: &RequestContext,
        found: Versioned<DomainRecord>,
        mut record: DomainRecord,
    ) -> Result<DomainName, ServiceError> {
        let old = found.value.serving_certificate().map(str::to_owned);
        let new = record.serving_certificate().map(str::to_owned);
        let arn = domain_arn(ctx.region.as_str(), &record.name);
        let key = domain_row(ctx.account().as_str(), ctx.region.as_str(), &record.name);
        let on_conflict = || conflict_exception("The domain name was changed concurrently; retry");
        if old == new {
            let put = self
                .domains
                .put(&key, &record, Expect::Version(found.version));
            self.commit(vec![put.map_err(internal)?], on_conflict)
                .await?;
        } else {
            let region = if record.endpoint_type == "EDGE" {
                EDGE_CERTIFICATE_REGION
            } else {
                ctx.region.as_str()
            };
            let cert = new.unwrap_or_default();
            record.certificate_upload_ms = self.now_ms();
            let put = self
                .domains
                .put(&key, &record, Expect::Version(found.version));
            let mut writes = vec![put.map_err(internal)?];
            if let Some(old) = old {
                writes.push(self.release(&old, &arn)?);
            }
            let checked = (cert.as_str(), region, record.name.as_str());
            self.commit_using(ctx, checked, &arn, writes, on_conflict)
                .await?;
        }
        self.refresh_edge().await;
        Ok(domain_view(&record, ctx.region.as_str()))
    }
}
