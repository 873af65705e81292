//! AddTagsToCertificate, RemoveTagsFromCertificate and ListTagsForCertificate: up to 50 tags
//! per certificate, a tag with an existing key replacing its value, `aws:` keys refused. The
//! newer TagResource, UntagResource and ListTagsForResource keep the same tags of the same
//! certificate row, answering with their own error codes (ValidationException,
//! ServiceQuotaExceededException, ResourceNotFoundException).

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
            // Doubt: AWS's wording for a reserved tag key is not documented.
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
        // Doubt: AWS's wording for the 50-tag limit is not documented.
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
        let tags = record.tags.into_iter().map(|(key, value)| Tag {
            key: Some(key),
            value: (!value.is_empty()).then_some(value),
        });
        Ok(ListTagsForCertificateResponse {
            tags: Some(tags.collect()),
        })
    }
}

/// The certificate a TagResource-family `arn` names. Other ACM resources (ACME endpoints and
/// their children) are not held by this module: ResourceNotFoundException.
fn tagged_cert(arn: Option<String>) -> Result<CertRef, ServiceError> {
    let arn = arn.unwrap_or_default();
    let parsed = rampart_core::Arn::parse(&arn);
    let is_acm = parsed.as_ref().is_some_and(|p| p.service == "acm");
    let is_cert = parsed.is_some_and(|p| p.resource.starts_with("certificate/"));
    if is_acm && !is_cert {
        // Doubt: AWS's wording for a resource that does not exist is not documented.
        return Err(resource_not_found_exception(format!(
            "Could not find resource {arn}."
        )));
    }
    cert_ref(&arn).map_err(|e| validation_exception(e.message.clone()))
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
        let cert = tagged_cert(input.resource_arn)?;
        authorize_cert(ctx, "TagResource", &cert)?;
        let added =
            tag_pairs(input.tags.as_deref().unwrap_or_default()).map_err(as_resource_error)?;
        self.mutate(&cert, |record| {
            merge_tags(&mut record.tags, &added).map_err(as_resource_error)
        })
        .await?;
        Ok(())
    }
}

impl UntagResource for AcmService {
    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<(), ServiceError> {
        let cert = tagged_cert(input.resource_arn)?;
        authorize_cert(ctx, "UntagResource", &cert)?;
        let keys = input.tag_keys.unwrap_or_default();
        self.mutate(&cert, |record| {
            record.tags.retain(|(key, _)| !keys.contains(key));
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl ListTagsForResource for AcmService {
    async fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ServiceError> {
        let cert = tagged_cert(input.resource_arn)?;
        authorize_cert(ctx, "ListTagsForResource", &cert)?;
        let record = self.load(&cert).await?.value;
        let tags = record.tags.into_iter().map(|(key, value)| Tag {
            key: Some(key),
            value: (!value.is_empty()).then_some(value),
        });
        Ok(ListTagsForResourceResponse {
            tags: Some(tags.collect()),
        })
    }
}
