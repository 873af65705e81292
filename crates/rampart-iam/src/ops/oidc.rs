//! OpenID Connect providers: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
//! ListOpenIDConnectProviders and DeleteOpenIDConnectProvider (idempotent, as AWS's), with
//! AWS's URL, thumbprint and quota checks. Client ids, thumbprint updates and tags are in
//! `oidc_updates`. A provider is found by its ARN, `arn:aws:iam::<account>:oidc-provider/`
//! followed by the issuer's host and path.

use super::common::{ATTEMPTS, required, store_failure, tags_in, tags_out, timestamp, too_busy};
use super::entity::{Keys, with_keys};
use super::resource::{Located, account_rows};
use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateOpenIDConnectProvider, DeleteOpenIDConnectProvider, GetOpenIDConnectProvider,
    ListOpenIDConnectProviders,
};
use crate::resources::{OidcProviderRecord, resource_row};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// Schema version of provider records written here.
const SCHEMA: u32 = 1;
/// Most OIDC providers in an account (OpenIdConnectProvidersPerAccount).
const MAX_PROVIDERS: usize = 100;
/// Most client ids of one provider (ClientIdsPerOpenIdConnectProvider).
pub(super) const MAX_CLIENT_IDS: usize = 100;
/// Most thumbprints of one provider.
const MAX_THUMBPRINTS: usize = 5;

impl IamService {
    /// Where the provider named by `arn` lives. An ARN of another account or of another kind
    /// names no provider of the caller's.
    pub(super) fn oidc_at(&self, ctx: &RequestContext, arn: &str) -> Located<OidcProviderRecord> {
        let account = ctx.account().as_str();
        let prefix = format!("arn:aws:iam::{account}:oidc-provider/");
        let resource = arn.strip_prefix(&prefix).map(normalized_resource);
        Located {
            table: self.resources().oidc_providers,
            // An impossible row (resources never start with `/`) when the ARN is not one of
            // the caller's providers.
            row: resource_row(account, &resource.unwrap_or_else(|| String::from("/"))),
            arn: arn.to_owned(),
            missing: errors::no_such_entity_exception(format!(
                "OpenIDConnect Provider not found for arn {arn}"
            )),
        }
    }
}

impl CreateOpenIDConnectProvider for IamService {
    async fn create_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: CreateOpenIDConnectProviderRequest,
    ) -> Result<CreateOpenIDConnectProviderResponse, ServiceError> {
        let url = required(input.url, "url")?;
        refuse_identity_center(
            input.identity_center_instance_arn.is_some() || input.context_provider.is_some(),
        )?;
        let resource = issuer_resource(&url)?;
        let thumbprints = checked_thumbprints(input.thumbprint_list.unwrap_or_default())?;
        let client_ids = checked_client_ids(input.client_id_list.unwrap_or_default())?;
        let tags = tags_in(input.tags, &[])?;
        let account = ctx.account().to_string();
        let provider = OidcProviderRecord {
            schema: SCHEMA,
            account,
            issuer_url: url,
            resource,
            client_ids,
            thumbprints,
            created_ms: self.now_ms(),
            tags,
        };
        let arn = provider.arn();
        let context = with_keys(
            ctx.policy_context(),
            None,
            Keys::RequestTags(&provider.tags),
        );
        self.authorize_with(ctx, "iam:CreateOpenIDConnectProvider", &arn, &context)?;
        if !provider.tags.is_empty() {
            self.authorize_with(ctx, "iam:TagOpenIDConnectProvider", &arn, &context)?;
        }
        self.insert_oidc(ctx, &provider).await?;
        Ok(CreateOpenIDConnectProviderResponse {
            open_id_connect_provider_arn: Some(arn),
            tags: tags_out(&provider.tags),
        })
    }
}

impl IamService {
    /// Writes `provider` unless the account has one for its URL or is at its quota.
    async fn insert_oidc(
        &self,
        ctx: &RequestContext,
        provider: &OidcProviderRecord,
    ) -> Result<(), ServiceError> {
        let at = self.oidc_at(ctx, &provider.arn());
        for _ in 0..ATTEMPTS {
            if at
                .table
                .get(&at.row)
                .await
                .map_err(store_failure)?
                .is_some()
            {
                return Err(errors::entity_already_exists_exception(format!(
                    "Provider with url {} already exists.",
                    provider.issuer_url
                )));
            }
            let existing = account_rows(&at.table, &provider.account).await?;
            if existing.len() >= MAX_PROVIDERS {
                return Err(errors::limit_exceeded_exception(format!(
                    "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_PROVIDERS}"
                )));
            }
            let put = at.table.put(&at.row, provider, Expect::Absent);
            if self
                .commit(&provider.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl GetOpenIDConnectProvider for IamService {
    async fn get_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: GetOpenIDConnectProviderRequest,
    ) -> Result<GetOpenIDConnectProviderResponse, ServiceError> {
        let arn = required(
            input.open_id_connect_provider_arn,
            "openIDConnectProviderArn",
        )?;
        let at = self.oidc_at(ctx, &arn);
        let action = "iam:GetOpenIDConnectProvider";
        let provider = self
            .read_resource(ctx, action, &at, Keys::Plain)
            .await?
            .value;
        Ok(GetOpenIDConnectProviderResponse {
            url: Some(provider.resource.clone()),
            client_id_list: Some(provider.client_ids.clone()),
            thumbprint_list: Some(provider.thumbprints.clone()),
            create_date: Some(timestamp(provider.created_ms)),
            tags: tags_out(&provider.tags),
            ..GetOpenIDConnectProviderResponse::default()
        })
    }
}

impl ListOpenIDConnectProviders for IamService {
    async fn list_open_id_connect_providers(
        &self,
        ctx: &RequestContext,
        _input: ListOpenIDConnectProvidersRequest,
    ) -> Result<ListOpenIDConnectProvidersResponse, ServiceError> {
        let account = ctx.account().as_str();
        self.authorize(ctx, "iam:ListOpenIDConnectProviders", "*")?;
        let table = self.resources().oidc_providers;
        let entries = account_rows(&table, account)
            .await?
            .iter()
            .map(|p| OpenIDConnectProviderListEntry {
                arn: Some(p.arn()),
                ..OpenIDConnectProviderListEntry::default()
            })
            .collect();
        Ok(ListOpenIDConnectProvidersResponse {
            open_id_connect_provider_list: Some(entries),
        })
    }
}

impl DeleteOpenIDConnectProvider for IamService {
    async fn delete_open_id_connect_provider(
        &self,
        ctx: &RequestContext,
        input: DeleteOpenIDConnectProviderRequest,
    ) -> Result<(), ServiceError> {
        let arn = required(
            input.open_id_connect_provider_arn,
            "openIDConnectProviderArn",
        )?;
        let at = self.oidc_at(ctx, &arn);
        let action = "iam:DeleteOpenIDConnectProvider";
        for _ in 0..ATTEMPTS {
            // Idempotent, as AWS documents: a provider that does not exist is not an error.
            let found = match self.read_resource(ctx, action, &at, Keys::Plain).await {
                Ok(found) => found,
                Err(err) if err.code == "NoSuchEntity" => return Ok(()),
                Err(err) => return Err(err),
            };
            let delete = at.table.delete(&at.row, Expect::Version(found.version));
            if self.commit(ctx.account().as_str(), vec![delete]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// `IdentityCenterInstanceArn` / `ContextProvider` (trusted identity propagation through IAM
/// Identity Center) are not supported: refused rather than ignored.
pub(super) fn refuse_identity_center(asked: bool) -> Result<(), ServiceError> {
    if asked {
        return Err(errors::invalid_input_exception(
            "Rampart does not support IAM Identity Center trusted identity propagation \
             (IdentityCenterInstanceArn, ContextProvider).",
        ));
    }
    Ok(())
}

/// The ARN resource of the issuer `url` (`https://host[/path]`): host (lower case) and path,
/// without a trailing `/`. AWS's errors for URLs it refuses.
fn issuer_resource(url: &str) -> Result<String, ServiceError> {
    let invalid = || errors::invalid_input_exception("Invalid Open ID Connect Provider URL.");
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(ServiceError::new(
            "ValidationError",
            400,
            "Invalid Open ID Connect Provider URL",
        ));
    };
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(errors::invalid_input_exception(
            "Invalid Open ID Connect Provider URL. The URL must begin with https://.",
        ));
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() {
        return Err(ServiceError::new(
            "ValidationError",
            400,
            "Invalid Open ID Connect Provider URL",
        ));
    }
    let bad_host = |c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if host.contains(bad_host) || rest.contains(['?', '#']) || path.contains(char::is_whitespace) {
        return Err(invalid());
    }
    Ok(normalized_resource(rest))
}

/// `host[/path]` with the host in lower case and no trailing `/` (the row key and the ARN's
/// resource).
fn normalized_resource(rest: &str) -> String {
    let trimmed = rest.trim_end_matches('/');
    match trimmed.split_once('/') {
        Some((host, path)) => format!("{}/{path}", host.to_ascii_lowercase()),
        None => trimmed.to_ascii_lowercase(),
    }
}

/// Thumbprints checked: at most five, each 40 hexadecimal digits (the model checks the
/// length).
pub(super) fn checked_thumbprints(given: Vec<String>) -> Result<Vec<String>, ServiceError> {
    if given.len() > MAX_THUMBPRINTS {
        return Err(errors::invalid_input_exception(
            "Thumbprint list must contain fewer than 5 entries.",
        ));
    }
    if let Some(bad) = given
        .iter()
        .find(|t| t.len() != 40 || !t.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(errors::invalid_input_exception(format!(
            "Thumbprint {bad} is not a 40-character hexadecimal SHA-1 fingerprint."
        )));
    }
    Ok(given)
}

/// Client ids without repeats (in the order first given), at most [`MAX_CLIENT_IDS`].
fn checked_client_ids(given: Vec<String>) -> Result<Vec<String>, ServiceError> {
    let mut out: Vec<String> = Vec::with_capacity(given.len());
    for id in given {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() > MAX_CLIENT_IDS {
        return Err(client_id_quota());
    }
    Ok(out)
}

/// `LimitExceeded` for a provider's client ids.
pub(super) fn client_id_quota() -> ServiceError {
    errors::limit_exceeded_exception(format!(
        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}"
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn issuer_urls_become_arn_resources() {
        let resource = issuer_resource("https://Token.Actions.GitHubusercontent.com/").unwrap();
        assert_eq!(resource, "token.actions.githubusercontent.com");
        let resource = issuer_resource("https://oidc.eks.x.amazonaws.com/id/AB12").unwrap();
        assert_eq!(resource, "oidc.eks.x.amazonaws.com/id/AB12");
        for (url, code) in [
            ("example.com", "ValidationError"),
            ("https://", "ValidationError"),
            ("http://example.com", "InvalidInput"),
            ("https://example.com?x=1", "InvalidInput"),
            ("https://user@example.com", "InvalidInput"),
            ("https://example.com:8443", "InvalidInput"),
        ] {
            assert_eq!(issuer_resource(url).unwrap_err().code, code, "{url}");
        }
    }

    #[test]
    fn thumbprints_are_forty_hex_digits_and_at_most_five() {
        let good = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280".to_owned();
        assert!(checked_thumbprints(vec![good.clone()]).is_ok());
        assert!(checked_thumbprints(Vec::new()).is_ok());
        assert!(checked_thumbprints(vec![good.replace('9', "z")]).is_err());
        assert!(checked_thumbprints(vec![good; 6]).is_err());
    }
}
