//! AddTagsToCertificate, RemoveTagsFromCertificate and ListTagsForCertificate: up to 50 tags
//! per certificate, a tag with an existing key replacing its value, `aws:` keys refused.

use crate::generated::errors::{invalid_tag_exception, too_many_tags_exception};
use crate::generated::*;
use crate::service::{AcmService, authorize_cert, cert_ref};
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
