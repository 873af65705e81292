//! The account alias (CreateAccountAlias, DeleteAccountAlias, ListAccountAliases: one alias
//! per account, unique across accounts through its claim row, written in one transaction
//! with the account's settings), SetSecurityTokenServicePreferences (kept in the settings)
//! and GetAccountSummary (counts from the store, quotas as AWS's defaults, the global
//! endpoint token version as set). Authorized on `*`.

use super::common::{ATTEMPTS, page, required, store_failure, too_busy};
use super::entity::scan_all;
use crate::IamService;
use crate::account_records::{AccountSettings, AliasClaim};
use crate::account_tables::AccountTables;
use crate::generated::enums::GlobalEndpointTokenVersion;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    CreateAccountAlias, DeleteAccountAlias, GetAccountSummary, ListAccountAliases,
    SetSecurityTokenServicePreferences,
};
use crate::resources::ResourceTables;
use crate::tables::account_prefix;
use rampart_codec::{Field, ServiceError, ValidationErrors};
use rampart_core::RequestContext;
use rampart_store::{Expect, Write};
use std::collections::BTreeMap;

/// AWS's default quotas, as GetAccountSummary reports them.
const QUOTAS: &[(&str, i32)] = &[
    ("AccessKeysPerUserQuota", 2),
    ("AssumeRolePolicySizeQuota", 2048),
    ("AttachedPoliciesPerGroupQuota", 10),
    ("AttachedPoliciesPerRoleQuota", 10),
    ("AttachedPoliciesPerUserQuota", 10),
    ("GlobalEndpointTokenVersion", 1),
    ("GroupPolicySizeQuota", 5120),
    ("GroupsPerUserQuota", 10),
    ("GroupsQuota", 300),
    ("InstanceProfilesQuota", 1000),
    ("PoliciesQuota", 1500),
    ("PolicySizeQuota", 6144),
    ("PolicyVersionsInUseQuota", 10000),
    ("RolePolicySizeQuota", 10240),
    ("RolesQuota", 1000),
    ("ServerCertificatesQuota", 20),
    ("SigningCertificatesPerUserQuota", 2),
    ("UserPolicySizeQuota", 2048),
    ("UsersQuota", 5000),
    ("VersionsPerPolicyQuota", 5),
];

impl CreateAccountAlias for IamService {
    async fn create_account_alias(
        &self,
        ctx: &RequestContext,
        input: CreateAccountAliasRequest,
    ) -> Result<(), ServiceError> {
        let alias = required(input.account_alias, "accountAlias")?;
        check_alias(&alias)?;
        self.authorize(ctx, "iam:CreateAccountAlias", "*")?;
        let account = ctx.account().as_str();
        for _ in 0..ATTEMPTS {
            let Some(writes) = self.alias_writes(account, &alias).await? else {
                return Ok(());
            };
            if self.commit(account, writes).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl DeleteAccountAlias for IamService {
    async fn delete_account_alias(
        &self,
        ctx: &RequestContext,
        input: DeleteAccountAliasRequest,
    ) -> Result<(), ServiceError> {
        let alias = required(input.account_alias, "accountAlias")?;
        self.authorize(ctx, "iam:DeleteAccountAlias", "*")?;
        let account = ctx.account().as_str();
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self.read_settings(account).await?;
            let found = found.filter(|s| s.value.alias.as_deref() == Some(alias.as_str()));
            let Some(found) = found else {
                return Err(errors::no_such_entity_exception(format!(
                    "The account alias {alias} cannot be found."
                )));
            };
            let mut settings = found.value.clone();
            settings.alias = None;
            let put = tables
                .settings
                .put(account, &settings, Expect::Version(found.version));
            let release = tables.aliases.delete(&alias, Expect::Any);
            if self
                .commit(account, vec![put.map_err(store_failure)?, release])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl ListAccountAliases for IamService {
    async fn list_account_aliases(
        &self,
        ctx: &RequestContext,
        input: ListAccountAliasesRequest,
    ) -> Result<ListAccountAliasesResponse, ServiceError> {
        self.authorize(ctx, "iam:ListAccountAliases", "*")?;
        let found = self.read_settings(ctx.account().as_str()).await?;
        let aliases: Vec<String> = found.and_then(|s| s.value.alias).into_iter().collect();
        let out = page(
            aliases,
            input.marker.as_deref(),
            input.max_items,
            Clone::clone,
        )?;
        Ok(ListAccountAliasesResponse {
            account_aliases: Some(out.items),
            is_truncated: Some(out.is_truncated),
            marker: out.marker,
        })
    }
}

impl IamService {
    /// The writes giving `account` the alias `alias` (claiming it, releasing the account's
    /// earlier alias); `None` when the account already has it. `EntityAlreadyExists` when
    /// another account holds it.
    async fn alias_writes(
        &self,
        account: &str,
        alias: &str,
    ) -> Result<Option<Vec<Write>>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let claim = tables.aliases.get(alias).await.map_err(store_failure)?;
        match claim {
            Some(c) if c.value.account == account => return Ok(None),
            Some(_) => {
                return Err(errors::entity_already_exists_exception(format!(
                    "The account alias {alias} already exists."
                )));
            }
            None => {}
        }
        let found = self.read_settings(account).await?;
        let (mut settings, expect) = match found {
            Some(f) => (f.value, Expect::Version(f.version)),
            None => (AccountSettings::default(), Expect::Absent),
        };
        let mut writes = Vec::new();
        if let Some(old) = settings.alias.replace(alias.to_owned()) {
            writes.push(tables.aliases.delete(&old, Expect::Any));
        }
        let owner = AliasClaim {
            account: account.to_owned(),
        };
        let put_claim = tables.aliases.put(alias, &owner, Expect::Absent);
        writes.push(put_claim.map_err(store_failure)?);
        let put = tables.settings.put(account, &settings, expect);
        writes.push(put.map_err(store_failure)?);
        Ok(Some(writes))
    }
}

/// The model's alias pattern, whose look-ahead the generated validation cannot enforce.
const ALIAS_PATTERN: &str = "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$";

/// `ValidationError` unless `alias` matches [`ALIAS_PATTERN`]: lower-case letters, digits and
/// single hyphens, a letter or digit at each end (the length was checked).
fn check_alias(alias: &str) -> Result<(), ServiceError> {
    let bytes = alias.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let valid = bytes.iter().all(|b| alnum(b) || *b == b'-')
        && bytes.first().is_some_and(alnum)
        && bytes.last().is_some_and(alnum)
        && !alias.contains("--");
    if valid {
        return Ok(());
    }
    let mut errs = ValidationErrors::new();
    let field = Field::new("", "accountAlias", false);
    errs.add(
        &field,
        alias,
        format_args!("Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
    );
    let message = errs.message().unwrap_or_default();
    Err(ServiceError::new("ValidationError", 400, message))
}

impl SetSecurityTokenServicePreferences for IamService {
    /// Stores the version of the tokens the global STS endpoint issues (`v1Token`: 1,
    /// `v2Token`: 2), which GetAccountSummary reports as GlobalEndpointTokenVersion.
    async fn set_security_token_service_preferences(
        &self,
        ctx: &RequestContext,
        input: SetSecurityTokenServicePreferencesRequest,
    ) -> Result<(), ServiceError> {
        let version = required(
            input.global_endpoint_token_version,
            "globalEndpointTokenVersion",
        )?;
        self.authorize(ctx, "iam:SetSecurityTokenServicePreferences", "*")?;
        let version = match version {
            GlobalEndpointTokenVersion::V1Token => 1,
            GlobalEndpointTokenVersion::V2Token => 2,
            other => {
                return Err(errors::invalid_input_exception(format!(
                    "Invalid GlobalEndpointTokenVersion {other}."
                )));
            }
        };
        self.edit_settings(ctx, |settings| {
            settings.global_endpoint_token_version = Some(version);
            Ok(())
        })
        .await
    }
}

impl GetAccountSummary for IamService {
    async fn get_account_summary(
        &self,
        ctx: &RequestContext,
    ) -> Result<GetAccountSummaryResponse, ServiceError> {
        self.authorize(ctx, "iam:GetAccountSummary", "*")?;
        let mut map: BTreeMap<String, i32> = QUOTAS
            .iter()
            .map(|(key, quota)| ((*key).to_owned(), *quota))
            .collect();
        for (key, count) in self.account_counts(ctx.account().as_str()).await? {
            map.insert(key.to_owned(), count);
        }
        let settings = self.read_settings(ctx.account().as_str()).await?;
        if let Some(version) = settings.and_then(|s| s.value.global_endpoint_token_version) {
            map.insert(String::from("GlobalEndpointTokenVersion"), version);
        }
        Ok(GetAccountSummaryResponse {
            summary_map: Some(map),
        })
    }
}

impl IamService {
    /// The counted members of the summary of `account`.
    async fn account_counts(
        &self,
        account: &str,
    ) -> Result<Vec<(&'static str, i32)>, ServiceError> {
        let tables = &self.dir.tables;
        let prefix = account_prefix(account);
        let users = scan_all(tables.users.table(), &prefix).await?.len();
        let groups = scan_all(tables.groups.table(), &prefix).await?.len();
        let roles = scan_all(tables.roles.table(), &prefix).await?.len();
        let policies = scan_all(&tables.policies, &prefix).await?;
        let versions_in_use: usize = policies
            .iter()
            .filter(|(_, p)| p.attachment_count > 0 || p.boundary_usage_count > 0)
            .map(|(_, p)| p.versions.len())
            .sum();
        let root_keys = scan_all(&tables.access_keys, "").await?;
        let root_keys = root_keys
            .iter()
            .any(|(_, k)| k.account == account && k.user_name.is_none());
        let devices = self.devices(account).await?;
        let server_certificates = self.server_certificates(account).await?.len();
        let in_use = devices.iter().filter(|d| d.user.is_some()).count();
        let (profiles, providers) = self.resource_counts(&prefix).await?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(vec![
            ("Users", count(users)),
            ("Groups", count(groups)),
            ("Roles", count(roles)),
            ("Policies", count(policies.len())),
            ("PolicyVersionsInUse", count(versions_in_use)),
            ("AccountAccessKeysPresent", i32::from(root_keys)),
            ("AccountMFAEnabled", 0),
            ("AccountPasswordPresent", 0),
            ("AccountSigningCertificatesPresent", 0),
            ("InstanceProfiles", count(profiles)),
            ("MFADevices", count(devices.len())),
            ("MFADevicesInUse", count(in_use)),
            ("Providers", count(providers)),
            ("ServerCertificates", count(server_certificates)),
        ])
    }

    /// How many instance profiles and identity providers (OpenID Connect and SAML) the
    /// account whose rows begin with `prefix` has.
    async fn resource_counts(&self, prefix: &str) -> Result<(usize, usize), ServiceError> {
        let tables = ResourceTables::new(&self.dir.tables.store);
        let profiles = scan_all(&tables.instance_profiles, prefix).await?.len();
        let oidc = scan_all(&tables.oidc_providers, prefix).await?.len();
        let saml = scan_all(&tables.saml_providers, prefix).await?.len();
        Ok((profiles, oidc + saml))
    }
}
