//! AddTagsToCertificate, RemoveTagsFromCertificate and ListTagsForCertificate: up to 50 tags
//! per certificate, a tag with an existing key replacing its value, `aws:` keys refused. The
//! newer TagResource, UntagResource and ListTagsForResource keep the same tags of the same
//! certificate row, answering with their own error codes (ValidationException,
//! ServiceQuotaExceededException, ResourceNotFoundException), and also tag ACME endpoints,
//! their external account bindings and domain validations (`acme::tags`).

use crate::acme::tags::AcmeResource;
use crate::generated::errors::{
    invalid_tag_exception, resource_not_found_exception, service_quota_exceeded_exception,
    too_many_tags_exception, validation_exception,
};
use crate::generated::*;
use crate::service::{AcmService, CertRef, authorize_cert, cert_ref};
use rampart_core::RequestContext;

/// AWS's limit of tags per certificate.
const MAX_TAGS: usize = 50;

/// Wire tags as `(key, value)` pairs (a missing value is empty), checked.
pub(crate) fn tag_pairs(tags: &[Tag]) -> Result<Vec<(String, String)>, ServiceError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for tag in tags {
        let key = tag.key.clone().unwrap_or_default();
        if key.starts_with("aws:") {
            // Doubt: AWS's wording for a reserved tag key is not documented (searched: issues
            // found only emulators' wordings, with ValidationException, not AWS's own).
            return Err(invalid_tag_exception(format!(
                "Tag key '{key}' uses the reserved prefix 'aws:'."
            )));
        }
        let value = tag.value.clone().unwrap_or_default();
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    Ok(out)
}

/// Adds `added` to `tags`, replacing values of existing keys, within the limit.
pub(crate) fn merge_tags(
    tags: &mut Vec<(String, String)>,
    added: &[(String, String)],
) -> Result<(), ServiceError> {
    for (key, value) in added {
        match tags.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.clone(),
            None => tags.push((key.clone(), value.clone())),
        }
    }
    if tags.len() > MAX_TAGS {
        // Doubt: AWS's wording for the 50-tag limit is not documented (searched: issues found
        // only an emulator's "the TagSet: ... contains too many Tags", unverified).
        return Err(too_many_tags_exception(
            "A certificate can have at most 50 tags.",
        ));
    }
    Ok(())
}

impl AddTagsToCertificate for AcmService {
    async fn add_tags_to_certificate(
        &self,
        ctx: &RequestContext,
        input: AddTagsToCertificateRequest,
    ) -> Result<(), ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "AddTagsToCertificate", &cert)?;
        let added = tag_pairs(input.tags.as_deref().unwrap_or_default())?;
        self.mutate(&cert, |record| merge_tags(&mut record.tags, &added))
            .await?;
        Ok(())
    }
}

impl RemoveTagsFromCertificate for AcmService {
    async fn remove_tags_from_certificate(
        &self,
        ctx: &RequestContext,
        input: RemoveTagsFromCertificateRequest,
    ) -> Result<(), ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "RemoveTagsFromCertificate", &cert)?;
        let removed = input.tags.unwrap_or_default();
        self.mutate(&cert, |record| {
            record.tags.retain(|(key, value)| {
                !removed.iter().any(|tag| {
                    tag.key.as_deref() == Some(key.as_str())
                        && tag.value.as_ref().is_none_or(|v| v == value)
                })
            });
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl ListTagsForCertificate for AcmService {
    async fn list_tags_for_certificate(
        &self,
        ctx: &RequestContext,
        input: ListTagsForCertificateRequest,
    ) -> Result<ListTagsForCertificateResponse, ServiceError> {
        let cert = cert_ref(&input.certificate_arn.unwrap_or_default())?;
        authorize_cert(ctx, "ListTagsForCertificate", &cert)?;
        let record = self.load(&cert).await?.value;
        Ok(ListTagsForCertificateResponse {
            tags: Some(wire_tags(record.tags)),
        })
    }
}

/// What a TagResource-family ARN names: a certificate, or an ACME endpoint or one of its
/// bindings or domain validations.
enum Tagged {
    Cert(CertRef),
    Acme(AcmeResource),
}

/// The resource a TagResource-family `arn` names.
fn tagged(arn: Option<String>) -> Result<Tagged, ServiceError> {
    let arn = arn.unwrap_or_default();
    if let Some(acme) = AcmeResource::parse(&arn) {
        return acme.map(Tagged::Acme);
    }
    let parsed = rampart_core::Arn::parse(&arn);
    let is_acm = parsed.as_ref().is_some_and(|p| p.service == "acm");
    let is_cert = parsed.is_some_and(|p| p.resource.starts_with("certificate/"));
    if is_acm && !is_cert {
        // Doubt: AWS's wording for a resource that does not exist is not documented.
        return Err(resource_not_found_exception(format!(
            "Could not find resource {arn}."
        )));
    }
    let cert = cert_ref(&arn).map_err(|e| validation_exception(e.message.clone()))?;
    Ok(Tagged::Cert(cert))
}

/// Wire tags of `(key, value)` pairs (a missing value for an empty one).
fn wire_tags(tags: Vec<(String, String)>) -> Vec<Tag> {
    let tags = tags.into_iter().map(|(key, value)| Tag {
        key: Some(key),
        value: (!value.is_empty()).then_some(value),
    });
    tags.collect()
}

/// Tagging errors in TagResource's codes.
fn as_resource_error(err: ServiceError) -> ServiceError {
    match err.code.as_ref() {
        "TooManyTagsException" => service_quota_exceeded_exception(err.message.clone()),
        "InvalidTagException" => validation_exception(err.message.clone()),
        _ => err,
    }
}

impl TagResource for AcmService {
    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<(), ServiceError> {
        let target = tagged(input.resource_arn)?;
        let tags = input.tags.as_deref().unwrap_or_default();
        let change = |added: &[(String, String)], tags: &mut Vec<(String, String)>| {
            merge_tags(tags, added).map_err(as_resource_error)
        };
        match target {
            Tagged::Cert(cert) => {
                authorize_cert(ctx, "TagResource", &cert)?;
                let added = tag_pairs(tags).map_err(as_resource_error)?;
                self.mutate(&cert, |record| change(&added, &mut record.tags))
                    .await?;
            }
            Tagged::Acme(resource) => {
                let added = tag_pairs(tags).map_err(as_resource_error)?;
                let op = "TagResource";
                let apply = |tags: &mut Vec<(String, String)>| change(&added, tags);
                self.change_acme_tags(ctx, op, &resource, &apply).await?;
            }
        }
        Ok(())
    }
}

impl UntagResource for AcmService {
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<(), ServiceError> {
        let keys = input.tag_keys.unwrap_or_default();
        let remove = |tags: &mut Vec<(String, String)>| {
            tags.retain(|(key, _)| !keys.contains(key));
            Ok(())
        };
        match tagged(input.resource_arn)? {
            Tagged::Cert(cert) => {
                authorize_cert(ctx, "UntagResource", &cert)?;
                self.mutate(&cert, |record| remove(&mut record.tags))
                    .await?;
            }
            Tagged::Acme(resource) => {
                let op = "UntagResource";
                self.change_acme_tags(ctx, op, &resource, &remove).await?;
            }
        }
        Ok(())
    }
}

impl ListTagsForResource for AcmService {
    async fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ServiceError> {
        let tags = match tagged(input.resource_arn)? {
            Tagged::Cert(cert) => {
                authorize_cert(ctx, "ListTagsForResource", &cert)?;
                self.load(&cert).await?.value.tags
            }
            Tagged::Acme(resource) => {
                self.acme_tags(ctx, "ListTagsForResource", &resource)
                    .await?
            }
        };
        Ok(ListTagsForResourceResponse {
            tags: Some(wire_tags(tags)),
        })
    }
}
