//! The account password policy: UpdateAccountPasswordPolicy (omitted members take AWS's
//! defaults: 6 characters, nothing required, no expiry, no reuse check),
//! GetAccountPasswordPolicy and DeleteAccountPasswordPolicy (`NoSuchEntity` naming the
//! account when there is none). Kept in the account's settings row; authorized on `*`.

use super::common::{ATTEMPTS, store_failure, too_busy};
use crate::IamService;
use crate::account_records::{AccountSettings, PasswordPolicyRecord};
use crate::account_tables::AccountTables;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    DeleteAccountPasswordPolicy, GetAccountPasswordPolicy, UpdateAccountPasswordPolicy,
};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};

/// MinimumPasswordLength when UpdateAccountPasswordPolicy omits it.
const DEFAULT_MINIMUM_LENGTH: i32 = 6;

impl UpdateAccountPasswordPolicy for IamService {
    async fn update_account_password_policy(
        &self,
        ctx: &RequestContext,
        input: UpdateAccountPasswordPolicyRequest,
    ) -> Result<(), ServiceError> {
        self.authorize(ctx, "iam:UpdateAccountPasswordPolicy", "*")?;
        let policy = policy_in(input);
        self.edit_settings(ctx, |settings| {
            settings.password_policy = Some(policy.clone());
            Ok(())
        })
        .await
    }
}

impl GetAccountPasswordPolicy for IamService {
    async fn get_account_password_policy(
        &self,
        ctx: &RequestContext,
    ) -> Result<GetAccountPasswordPolicyResponse, ServiceError> {
        self.authorize(ctx, "iam:GetAccountPasswordPolicy", "*")?;
        let policy = self.password_policy(ctx.account().as_str()).await?;
        let policy = policy.ok_or_else(|| no_policy(ctx))?;
        Ok(GetAccountPasswordPolicyResponse {
            password_policy: Some(policy_out(&policy)),
        })
    }
}

impl DeleteAccountPasswordPolicy for IamService {
    async fn delete_account_password_policy(
        &self,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        self.authorize(ctx, "iam:DeleteAccountPasswordPolicy", "*")?;
        self.edit_settings(ctx, |settings| {
            settings
                .password_policy
                .take()
                .map(drop)
                .ok_or_else(|| no_policy(ctx))
        })
        .await
    }
}

impl IamService {
    /// The password policy of `account`, if it has one.
    pub(crate) async fn password_policy(
        &self,
        account: &str,
    ) -> Result<Option<PasswordPolicyRecord>, ServiceError> {
        let found = self.read_settings(account).await?;
        Ok(found.and_then(|s| s.value.password_policy))
    }

    /// The settings row of `account`, if written.
    pub(crate) async fn read_settings(
        &self,
        account: &str,
    ) -> Result<Option<Versioned<AccountSettings>>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        tables.settings.get(account).await.map_err(store_failure)
    }

    /// Read-modify-write of the caller's account settings; `edit` may refuse.
    pub(crate) async fn edit_settings(
        &self,
        ctx: &RequestContext,
        mut edit: impl FnMut(&mut AccountSettings) -> Result<(), ServiceError>,
    ) -> Result<(), ServiceError> {
        let account = ctx.account().as_str();
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self.read_settings(account).await?;
            let (mut settings, expect) = match found {
                Some(f) => (f.value, Expect::Version(f.version)),
                None => (AccountSettings::default(), Expect::Absent),
            };
            edit(&mut settings)?;
            let write = tables.settings.put(account, &settings, expect);
            if self
                .commit(account, vec![write.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// `NoSuchEntity` as IAM words it for an account without a password policy.
fn no_policy(ctx: &RequestContext) -> ServiceError {
    errors::no_such_entity_exception(format!(
        "The Password Policy with domain name {} cannot be found.",
        ctx.account().as_str()
    ))
}

/// The policy a request sets (AWS's defaults for what it omits).
fn policy_in(input: UpdateAccountPasswordPolicyRequest) -> PasswordPolicyRecord {
    PasswordPolicyRecord {
        minimum_length: input
            .minimum_password_length
            .unwrap_or(DEFAULT_MINIMUM_LENGTH),
        require_symbols: input.require_symbols.unwrap_or(false),
        require_numbers: input.require_numbers.unwrap_or(false),
        require_uppercase: input.require_uppercase_characters.unwrap_or(false),
        require_lowercase: input.require_lowercase_characters.unwrap_or(false),
        allow_users_to_change: input.allow_users_to_change_password.unwrap_or(false),
        max_age_days: input.max_password_age,
        reuse_prevention: input.password_reuse_prevention,
        hard_expiry: input.hard_expiry.unwrap_or(false),
    }
}

/// The policy as GetAccountPasswordPolicy shows it (MaxPasswordAge and
/// PasswordReusePrevention only when set; HardExpiry only with an expiry, as AWS).
fn policy_out(policy: &PasswordPolicyRecord) -> PasswordPolicy {
    PasswordPolicy {
        allow_users_to_change_password: Some(policy.allow_users_to_change),
        expire_passwords: Some(policy.max_age_days.is_some()),
        hard_expiry: policy.max_age_days.map(|_| policy.hard_expiry),
        max_password_age: policy.max_age_days,
        minimum_password_length: Some(policy.minimum_length),
        password_reuse_prevention: policy.reuse_prevention,
        require_lowercase_characters: Some(policy.require_lowercase),
        require_numbers: Some(policy.require_numbers),
        require_symbols: Some(policy.require_symbols),
        require_uppercase_characters: Some(policy.require_uppercase),
    }
}
