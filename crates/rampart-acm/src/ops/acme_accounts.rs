//! The ACME accounts registered with an endpoint (through its ACME server, with an external
//! account binding): DescribeAcmeAccount and ListAcmeAccounts show them, RevokeAcmeAccount
//! stops one for good (its requests are refused as `unauthorized` from then on).

use crate::acme::authorize;
use crate::acme::names::{EndpointRef, not_found};
use crate::acme::record::AccountRecord;
use crate::acme::rows::{mutate, page, scan_all};
use crate::generated::errors::conflict_exception;
use crate::generated::*;
use crate::service::{AcmService, internal, timestamp};
use rampart_core::RequestContext;

/// The account row an AccountUrl names (`.../acct/<id>`), if it names one.
fn account_row(endpoint: &EndpointRef, url: &str) -> Option<String> {
    let (_, id) = url.rsplit_once("/acct/")?;
    let ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then(|| format!("{}{id}", endpoint.child_prefix()))
}

/// The account as the API shows it.
fn wire(record: &AccountRecord) -> AcmeAccount {
    AcmeAccount {
        account_url: Some(record.url.clone()),
        acme_external_account_binding_arn: record.binding_arn.clone(),
        contacts: Some(record.contacts.clone()),
        created_at: Some(timestamp(record.created_ms)),
        public_key_thumbprint: Some(record.thumbprint.clone()),
        status: Some(AcmeAccountStatus::from(record.status.as_str())),
    }
}

/// The account as ListAcmeAccounts shows it.
fn summary(record: &AccountRecord) -> AcmeAccountSummary {
    let w = wire(record);
    AcmeAccountSummary {
        account_url: w.account_url,
        acme_external_account_binding_arn: w.acme_external_account_binding_arn,
        contacts: w.contacts,
        created_at: w.created_at,
        public_key_thumbprint: w.public_key_thumbprint,
        status: w.status,
    }
}

/// The endpoint and account row of a request, authorized for `operation`.
fn named(
    ctx: &RequestContext,
    operation: &str,
    endpoint_arn: Option<String>,
    url: &str,
) -> Result<(EndpointRef, Option<String>), ServiceError> {
    let endpoint = EndpointRef::parse(&endpoint_arn.unwrap_or_default())?;
    authorize(ctx, operation, &endpoint.arn, &endpoint.scope.account)?;
    let row = account_row(&endpoint, url);
    Ok((endpoint, row))
}

/// ResourceNotFoundException for an account.
fn missing(endpoint: &EndpointRef, url: &str) -> ServiceError {
    not_found("ACME account", url, &endpoint.scope.account)
}

impl DescribeAcmeAccount for AcmService {
    async fn describe_acme_account(
        &self,
        ctx: &RequestContext,
        input: DescribeAcmeAccountRequest,
    ) -> Result<DescribeAcmeAccountResponse, ServiceError> {
        let url = input.account_url.unwrap_or_default();
        let (endpoint, row) = named(ctx, "DescribeAcmeAccount", input.acme_endpoint_arn, &url)?;
        self.load_endpoint(&endpoint).await?;
        let row = row.ok_or_else(|| missing(&endpoint, &url))?;
        let found = self.acme.accounts.get(&row).await.map_err(internal)?;
        let record = found.ok_or_else(|| missing(&endpoint, &url))?.value;
        Ok(DescribeAcmeAccountResponse {
            acme_account: Some(wire(&record)),
        })
    }
}

impl ListAcmeAccounts for AcmService {
    async fn list_acme_accounts(
        &self,
        ctx: &RequestContext,
        input: ListAcmeAccountsRequest,
    ) -> Result<ListAcmeAccountsResponse, ServiceError> {
        let endpoint = EndpointRef::parse(&input.acme_endpoint_arn.unwrap_or_default())?;
        authorize(
            ctx,
            "ListAcmeAccounts",
            &endpoint.arn,
            &endpoint.scope.account,
        )?;
        self.load_endpoint(&endpoint).await?;
        let rows = scan_all(&self.acme.accounts, &endpoint.child_prefix()).await?;
        let mut records: Vec<AccountRecord> = rows.into_iter().map(|(_, r)| r).collect();
        records.sort_by_key(|r| (r.created_ms, r.id.clone()));
        let (records, next) = page(records, input.max_results, input.next_token.as_deref())?;
        Ok(ListAcmeAccountsResponse {
            acme_accounts: Some(records.iter().map(summary).collect()),
            next_token: next,
        })
    }
}

impl RevokeAcmeAccount for AcmService {
    async fn revoke_acme_account(
        &self,
        ctx: &RequestContext,
        input: RevokeAcmeAccountRequest,
    ) -> Result<(), ServiceError> {
        let url = input.account_url.unwrap_or_default();
        let (endpoint, row) = named(ctx, "RevokeAcmeAccount", input.acme_endpoint_arn, &url)?;
        self.load_endpoint(&endpoint).await?;
        let row = row.ok_or_else(|| missing(&endpoint, &url))?;
        let table = &self.acme.accounts;
        mutate(
            &self.store,
            table,
            &row,
            || missing(&endpoint, &url),
            |record| {
                if record.status == "REVOKED" {
                    // Doubt: AWS's wording is not documented.
                    return Err(conflict_exception(format!(
                        "The ACME account {} is already revoked.",
                        record.url
                    )));
                }
                record.status = "REVOKED".to_owned();
                Ok(())
            },
        )
        .await?;
        Ok(())
    }
}
