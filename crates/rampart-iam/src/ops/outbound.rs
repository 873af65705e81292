//! EnableOutboundWebIdentityFederation, DisableOutboundWebIdentityFederation and
//! GetOutboundWebIdentityFederationInfo. The first Enable of an account mints its issuer: a
//! random id under the server's public URL ([`crate::outbound::issuer_url`]), claimed in
//! `iam_outbound_issuers` in the same transaction as the account settings that keep it;
//! Disable only turns the feature off, so enabling again answers the same issuer (and the
//! signing keys STS keeps for it still verify). Authorized on `*`.

use super::common::{ATTEMPTS, store_failure, too_busy};
use crate::IamService;
use crate::account_records::{AccountSettings, OutboundFederation, OutboundIssuerClaim};
use crate::account_tables::AccountTables;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DisableOutboundWebIdentityFederation, EnableOutboundWebIdentityFederation,
    GetOutboundWebIdentityFederationInfo,
};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Write};

/// AWS's FeatureEnabled text.
const ALREADY_ENABLED: &str = "Outbound web identity federation is already enabled for this \
                               account.";
/// AWS's FeatureDisabled text.
const NOT_ENABLED: &str = "Outbound web identity federation is not enabled for this account.";

impl EnableOutboundWebIdentityFederation for IamService {
    async fn enable_outbound_web_identity_federation(
        &self,
        ctx: &RequestContext,
    ) -> Result<EnableOutboundWebIdentityFederationResponse, ServiceError> {
        self.authorize(ctx, "iam:EnableOutboundWebIdentityFederation", "*")?;
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let (issuer, writes) = self.enable_writes(account).await?;
            if self.commit(account, writes).await? {
                return Ok(EnableOutboundWebIdentityFederationResponse {
                    issuer_identifier: Some(issuer),
                });
            }
        }
        Err(too_busy())
    }
}

impl DisableOutboundWebIdentityFederation for IamService {
    async fn disable_outbound_web_identity_federation(
        &self,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        self.authorize(ctx, "iam:DisableOutboundWebIdentityFederation", "*")?;
        self.edit_settings(ctx, |settings| {
            match settings.outbound_federation.as_mut() {
                Some(federation) if federation.enabled => federation.enabled = false,
                _ => return Err(errors::feature_disabled_exception(NOT_ENABLED)),
            }
            Ok(())
        })
        .await
    }
}

impl GetOutboundWebIdentityFederationInfo for IamService {
    async fn get_outbound_web_identity_federation_info(
        &self,
        ctx: &RequestContext,
    ) -> Result<GetOutboundWebIdentityFederationInfoResponse, ServiceError> {
        self.authorize(ctx, "iam:GetOutboundWebIdentityFederationInfo", "*")?;
        let found = self.read_settings(ctx.account().as_str()).await?;
        let federation = found.and_then(|s| s.value.outbound_federation);
        match federation.filter(|f| f.enabled) {
            Some(federation) => Ok(GetOutboundWebIdentityFederationInfoResponse {
                issuer_identifier: Some(federation.issuer),
                jwt_vending_enabled: Some(true),
            }),
            None => Err(errors::feature_disabled_exception(NOT_ENABLED)),
        }
    }
}

impl IamService {
    /// The issuer of `account` and the writes turning the feature on (minting the issuer
    /// and its claim on first use); FeatureEnabled when it is on already.
    async fn enable_writes(&self, account: &str) -> Result<(String, Vec<Write>), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let found = self.read_settings(account).await?;
        let (mut settings, expect) = match found {
            Some(f) => (f.value, Expect::Version(f.version)),
            None => (AccountSettings::default(), Expect::Absent),
        };
        let mut writes = Vec::new();
        let federation = match settings.outbound_federation.take() {
            Some(federation) if federation.enabled => {
                return Err(errors::feature_enabled_exception(ALREADY_ENABLED));
            }
            Some(federation) => federation,
            None => {
                let federation = self.mint_issuer()?;
                let claim = OutboundIssuerClaim {
                    account: account.to_owned(),
                };
                let put =
                    tables
                        .outbound_issuers
                        .put(&federation.issuer_id, &claim, Expect::Absent);
                writes.push(put.map_err(store_failure)?);
                federation
            }
        };
        let issuer = federation.issuer.clone();
        settings.outbound_federation = Some(OutboundFederation {
            enabled: true,
            ..federation
        });
        let put = tables.settings.put(account, &settings, expect);
        writes.push(put.map_err(store_failure)?);
        Ok((issuer, writes))
    }

    /// A new issuer (a random 128-bit id, in hex, under the public URL), not yet enabled.
    fn mint_issuer(&self) -> Result<OutboundFederation, ServiceError> {
        let Some(public_url) = self.public_url.as_deref() else {
            return Err(store_failure("the server has no public URL for issuers"));
        };
        let issuer_id = hex::encode(rampart_crypto::random::array::<16>());
        Ok(OutboundFederation {
            issuer: crate::outbound::issuer_url(public_url, &issuer_id),
            issuer_id,
            enabled: false,
        })
    }
}
