//! GetAccountConfiguration and PutAccountConfiguration: the days before expiry from which
//! expiry events are sent (45 by default), with PutAccountConfiguration's idempotency token
//! (a token used within the hour changes nothing again).

use crate::generated::*;
use crate::record::AccountConfig;
use crate::service::{AcmService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::Expect;

/// ACM's default days before expiry.
pub(crate) const DEFAULT_DAYS: i32 = 45;
/// How long a PutAccountConfiguration token holds.
const TOKEN_WINDOW_MS: i64 = 60 * 60 * 1000;

/// The row of the caller's configuration.
fn row(ctx: &RequestContext) -> String {
    format!("{}/{}", ctx.account().as_str(), ctx.region.as_str())
}

impl GetAccountConfiguration for AcmService {
    async fn get_account_configuration(
        &self,
        ctx: &RequestContext,
    ) -> Result<GetAccountConfigurationResponse, ServiceError> {
        authorize(ctx, "GetAccountConfiguration", "*", ctx.account().as_str())?;
        let found = self
            .tables
            .accounts
            .get(&row(ctx))
            .await
            .map_err(internal)?;
        let days = found.map_or(DEFAULT_DAYS, |f| f.value.days_before_expiry);
        Ok(GetAccountConfigurationResponse {
            expiry_events: Some(ExpiryEventsConfiguration {
                days_before_expiry: Some(days),
            }),
        })
    }
}

impl PutAccountConfiguration for AcmService {
    async fn put_account_configuration(
        &self,
        ctx: &RequestContext,
        input: PutAccountConfigurationRequest,
    ) -> Result<(), ServiceError> {
        authorize(ctx, "PutAccountConfiguration", "*", ctx.account().as_str())?;
        let token = input.idempotency_token.unwrap_or_default();
        let found = self
            .tables
            .accounts
            .get(&row(ctx))
            .await
            .map_err(internal)?;
        let now = self.now_ms();
        let repeated = found.as_ref().is_some_and(|f| {
            f.value
                .token
                .as_ref()
                .is_some_and(|(t, at)| *t == token && now - at < TOKEN_WINDOW_MS)
        });
        if repeated {
            return Ok(());
        }
        let current = found
            .as_ref()
            .map_or(DEFAULT_DAYS, |f| f.value.days_before_expiry);
        let days = input
            .expiry_events
            .and_then(|e| e.days_before_expiry)
            .unwrap_or(current);
        let config = AccountConfig {
            days_before_expiry: days,
            token: Some((token, now)),
        };
        let expect = found.map_or(Expect::Absent, |f| Expect::Version(f.version));
        let put = self.tables.accounts.put(&row(ctx), &config, expect);
        self.commit(vec![put]).await
    }
}
