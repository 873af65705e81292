//! TagCertificateAuthority, UntagCertificateAuthority and ListTags: up to 50 tags per CA, a
//! tag with an existing key replacing its value.

use crate::generated::errors::{invalid_next_token_exception, too_many_tags_exception};
use crate::generated::*;
use crate::service::{AcmPcaService, authorize, ca_ref};
use rampart_core::RequestContext;

/// AWS's limit of tags per CA.
const MAX_TAGS: usize = 50;

/// Wire tags as `(key, value)` pairs (a missing value is empty).
pub(crate) fn tag_pairs(tags: &[Tag]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for tag in tags {
        let key = tag.key.clone().unwrap_or_default();
        let value = tag.value.clone().unwrap_or_default();
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    out
}

impl TagCertificateAuthority for AcmPcaService {
    async fn tag_certificate_authority(
        &self,
        ctx: &RequestContext,
        input: TagCertificateAuthorityRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "TagCertificateAuthority", &ca.arn, &ca.account)?;
        let added = tag_pairs(input.tags.as_deref().unwrap_or_default());
        self.mutate(&ca, |record| {
            for (key, value) in &added {
                match record.tags.iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = value.clone(),
                    None => record.tags.push((key.clone(), value.clone())),
                }
            }
            if record.tags.len() > MAX_TAGS {
                // Doubt: AWS's wording for the 50-tag limit is not documented.
                return Err(too_many_tags_exception(
                    "You have exceeded the number of tags allowed for a certificate authority.",
                ));
            }
            Ok(Vec::new())
        })
        .await?;
        Ok(())
    }
}

impl UntagCertificateAuthority for AcmPcaService {
    async fn untag_certificate_authority(
        &self,
        ctx: &RequestContext,
        input: UntagCertificateAuthorityRequest,
    ) -> Result<(), ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(ctx, "UntagCertificateAuthority", &ca.arn, &ca.account)?;
        let removed = input.tags.unwrap_or_default();
        self.mutate(&ca, |record| {
            record.tags.retain(|(key, value)| {
                !removed.iter().any(|tag| {
                    tag.key.as_deref() == Some(key.as_str())
                        && tag.value.as_ref().is_none_or(|v| v == value)
                })
            });
            Ok(Vec::new())
        })
        .await?;
        Ok(())
    }
}

impl ListTags for AcmPcaService {
    async fn list_tags(
        &self,
        ctx: &RequestContext,
        input: ListTagsRequest,
    ) -> Result<ListTagsResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        self.authorize_ca(ctx, "ListTags", &ca, &[]).await?;
        let record = self.load(&ca).await?.value;
        // Doubt: AWS's wording for a bad NextToken is not documented.
        let start = match input.next_token.as_deref() {
            None => 0,
            Some(token) => token
                .parse::<usize>()
                .ok()
                .filter(|n| *n < record.tags.len())
                .ok_or_else(|| invalid_next_token_exception("The token is invalid."))?,
        };
        let limit = input.max_results.map_or(MAX_TAGS, |n| n.max(1) as usize);
        let end = (start + limit).min(record.tags.len());
        let tags = record.tags[start..end]
            .iter()
            .map(|(k, v)| Tag {
                key: Some(k.clone()),
                value: Some(v.clone()),
            })
            .collect();
        Ok(ListTagsResponse {
            tags: Some(tags),
            next_token: (end < record.tags.len()).then(|| end.to_string()),
        })
    }
}
