//! DescribeCertificateAuthority and ListCertificateAuthorities: a CA row as the
//! `CertificateAuthority` shape.

use crate::generated::errors::invalid_next_token_exception;
use crate::generated::*;
use crate::record::{CaRecord, scope_prefix};
use crate::service::{AcmPcaService, authorize, ca_ref, internal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_codec::Timestamp;
use rampart_core::RequestContext;

/// ListCertificateAuthorities' page size when MaxResults is absent.
const DEFAULT_PAGE: usize = 100;

impl DescribeCertificateAuthority for AcmPcaService {
    async fn describe_certificate_authority(
        &self,
        ctx: &RequestContext,
        input: DescribeCertificateAuthorityRequest,
    ) -> Result<DescribeCertificateAuthorityResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        self.authorize_ca(ctx, "DescribeCertificateAuthority", &ca, &[])
            .await?;
        let record = self.load(&ca).await?.value;
        Ok(DescribeCertificateAuthorityResponse {
            certificate_authority: Some(shape(&ca.account, &record)),
        })
    }
}

impl ListCertificateAuthorities for AcmPcaService {
    async fn list_certificate_authorities(
        &self,
        ctx: &RequestContext,
        input: ListCertificateAuthoritiesRequest,
    ) -> Result<ListCertificateAuthoritiesResponse, ServiceError> {
        let account = ctx.account().as_str();
        authorize(ctx, "ListCertificateAuthorities", "*", account)?;
        if input.resource_owner == Some(ResourceOwner::OtherAccounts) {
            let limit = input
                .max_results
                .map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
            return self.list_shared(ctx, &input, limit).await;
        }
        let after = input.next_token.as_deref().map(decode_token).transpose()?;
        let limit = input
            .max_results
            .map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
        let prefix = scope_prefix(account, ctx.region.as_str());
        let rows = self
            .tables
            .authorities
            .scan(&prefix, after.as_deref(), limit + 1)
            .await;
        let mut rows = rows.map_err(internal)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_token = more
            .then(|| rows.last().map(|(key, _)| URL_SAFE_NO_PAD.encode(key)))
            .flatten();
        let now = self.now_ms();
        let cas = rows
            .into_iter()
            .map(|(_, mut r)| {
                r.value.expire_at(now);
                shape(account, &r.value)
            })
            .collect();
        Ok(ListCertificateAuthoritiesResponse {
            certificate_authorities: Some(cas),
            next_token,
        })
    }
}

/// The row key a NextToken continues after.
pub(crate) fn decode_token(token: &str) -> Result<String, ServiceError> {
    // Doubt: AWS's wording for a bad NextToken is not documented.
    let bad = || invalid_next_token_exception("The token is invalid.");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    String::from_utf8(bytes).map_err(|_| bad())
}

/// `record` as the wire `CertificateAuthority`.
pub(crate) fn shape(account: &str, record: &CaRecord) -> CertificateAuthority {
    CertificateAuthority {
        arn: Some(record.arn.clone()),
        certificate_authority_configuration: serde_json::from_value(record.config.clone()).ok(),
        created_at: Some(Timestamp::from_epoch_millis(record.created_ms)),
        failure_reason: None,
        key_storage_security_standard: Some(record.key_storage.as_str().into()),
        last_state_change_at: Some(Timestamp::from_epoch_millis(record.last_state_change_ms)),
        multi_region_configuration: record.multi_region.as_ref().map(|m| m.wire()),
        not_after: record.not_after_ms.map(Timestamp::from_epoch_millis),
        not_before: record.not_before_ms.map(Timestamp::from_epoch_millis),
        owner_account: Some(account.to_owned()),
        restorable_until: record.restorable_until_ms.map(Timestamp::from_epoch_millis),
        revocation_configuration: record
            .revocation
            .clone()
            .and_then(|r| serde_json::from_value(r).ok()),
        serial: record.serial.clone(),
        service_affiliation: record.affiliation.clone().map(|code| ServiceAffiliation {
            service_affiliation_code: Some(code),
        }),
        status: Some(record.status.as_str().into()),
        type_: Some(record.ca_type.as_str().into()),
        usage_mode: Some(record.usage_mode.as_str().into()),
    }
}
