//! Login profiles (console passwords) of IAM users: CreateLoginProfile, GetLoginProfile,
//! UpdateLoginProfile, DeleteLoginProfile, and ChangePassword by the user itself. Passwords
//! are checked against the account password policy (AWS's default rules without one) and
//! stored only as salted Argon2id hashes (`crate::password`); ChangePassword verifies the old
//! password and refuses the last `PasswordReusePrevention` ones. A wrong old password is
//! answered `InvalidUserType` ("The old password was incorrect."): AWS's exact wording for
//! that case is not documented.

use super::common::{ATTEMPTS, no_such, required, store_failure, timestamp, too_busy};
use super::entity::Keys;
use crate::IamService;
use crate::account_records::{LoginProfileRecord, PasswordHash};
use crate::account_tables::{AccountTables, login_profile_row};
use crate::directory::last_segment;
use crate::generated::errors;
use crate::generated::shapes::*;
use crate::generated::{
    ChangePassword, CreateLoginProfile, DeleteLoginProfile, GetLoginProfile, UpdateLoginProfile,
};
use crate::password;
use crate::records::UserRecord;
use rampart_codec::ServiceError;
use rampart_core::{PrincipalKind, RequestContext};
use rampart_store::{Expect, Versioned};

/// Most earlier passwords kept for reuse prevention (the policy's maximum).
const KEPT_PASSWORDS: usize = 24;

impl CreateLoginProfile for IamService {
    async fn create_login_profile(
        &self,
        ctx: &RequestContext,
        input: CreateLoginProfileRequest,
    ) -> Result<CreateLoginProfileResponse, ServiceError> {
        let name = user_named(ctx, input.user_name)?;
        let user = self.user_for(ctx, "iam:CreateLoginProfile", &name).await?;
        let given = required(input.password, "password")?;
        if self.profile_of(&user.value).await?.is_some() {
            return Err(profile_exists(&user.value.name));
        }
        self.check_policy(ctx, &given).await?;
        let now = self.now_ms();
        let record = LoginProfileRecord {
            account: user.value.account.clone(),
            user_id: user.value.user_id.clone(),
            created_ms: now,
            password_set_ms: now,
            password: hash(&given)?,
            previous: Vec::new(),
            password_reset_required: input.password_reset_required.unwrap_or(false),
            max_signin_session_duration: input.max_signin_session_duration,
        };
        let row = login_profile_row(&record.account, &record.user_id);
        let tables = AccountTables::new(&self.dir.tables.store);
        let put = tables.login_profiles.put(&row, &record, Expect::Absent);
        let mut writes = vec![put.map_err(store_failure)?];
        writes.extend(self.entity_writes(&record.account, &user.value, &user)?);
        if !self.commit(&record.account, writes).await? {
            return match self.profile_of(&user.value).await? {
                Some(_) => Err(profile_exists(&user.value.name)),
                None => Err(too_busy()),
            };
        }
        Ok(CreateLoginProfileResponse {
            login_profile: Some(profile_out(&user.value, &record)),
        })
    }
}

impl GetLoginProfile for IamService {
    async fn get_login_profile(
        &self,
        ctx: &RequestContext,
        input: GetLoginProfileRequest,
    ) -> Result<GetLoginProfileResponse, ServiceError> {
        let name = user_named(ctx, input.user_name)?;
        let user = self.user_for(ctx, "iam:GetLoginProfile", &name).await?;
        let profile = self.profile_of(&user.value).await?;
        let profile = profile.ok_or_else(|| no_profile(&user.value.name))?;
        Ok(GetLoginProfileResponse {
            login_profile: Some(profile_out(&user.value, &profile.value)),
        })
    }
}

impl UpdateLoginProfile for IamService {
    async fn update_login_profile(
        &self,
        ctx: &RequestContext,
        input: UpdateLoginProfileRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.user_name.clone(), "userName")?;
        let user = self.user_for(ctx, "iam:UpdateLoginProfile", &name).await?;
        if let Some(given) = &input.password {
            self.check_policy(ctx, given).await?;
        }
        let new_hash = input.password.as_deref().map(hash).transpose()?;
        let now = self.now_ms();
        self.edit_profile(&user.value, |profile| {
            if let Some(h) = &new_hash {
                replace_password(profile, h.clone(), now);
            }
            if let Some(reset) = input.password_reset_required {
                profile.password_reset_required = reset;
            }
            if input.reset_max_signin_session_duration == Some(true) {
                profile.max_signin_session_duration = None;
            } else if let Some(duration) = input.max_signin_session_duration {
                profile.max_signin_session_duration = Some(duration);
            }
            Ok(())
        })
        .await
    }
}

impl DeleteLoginProfile for IamService {
    async fn delete_login_profile(
        &self,
        ctx: &RequestContext,
        input: DeleteLoginProfileRequest,
    ) -> Result<(), ServiceError> {
        let name = user_named(ctx, input.user_name)?;
        let user = self.user_for(ctx, "iam:DeleteLoginProfile", &name).await?;
        let account = user.value.account.as_str();
        let tables = AccountTables::new(&self.dir.tables.store);
        for _ in 0..ATTEMPTS {
            let found = self.profile_of(&user.value).await?;
            let found = found.ok_or_else(|| no_profile(&user.value.name))?;
            let row = login_profile_row(account, &user.value.user_id);
            let delete = tables
                .login_profiles
                .delete(&row, Expect::Version(found.version));
            if self.commit(account, vec![delete]).await? {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

impl ChangePassword for IamService {
    async fn change_password(
        &self,
        ctx: &RequestContext,
        input: ChangePasswordRequest,
    ) -> Result<(), ServiceError> {
        if ctx.principal.kind != PrincipalKind::IamUser {
            return Err(errors::invalid_user_type_exception(
                "Only IAM Users can change their own password.",
            ));
        }
        let old = required(input.old_password, "oldPassword")?;
        let new = required(input.new_password, "newPassword")?;
        let name = last_segment(&ctx.principal.arn).to_owned();
        let policy = self.password_policy(ctx.account().as_str()).await?;
        let user = match self.find::<UserRecord>(ctx, &name).await? {
            Some(user) => user.value,
            None => return Err(no_such("user", &name)),
        };
        if !policy.as_ref().is_some_and(|p| p.allow_users_to_change) {
            self.authorize(ctx, "iam:ChangePassword", &user.arn())?;
        }
        let profile = self.profile_of(&user).await?;
        let profile = profile.ok_or_else(|| no_profile(&user.name))?;
        if !verify(&old, &profile.value.password)? {
            return Err(errors::invalid_user_type_exception(
                "The old password was incorrect.",
            ));
        }
        let reuse = policy.as_ref().and_then(|p| p.reuse_prevention);
        if !password::conforms(&new, policy.as_ref()) || reused(&new, &profile.value, reuse)? {
            return Err(violation());
        }
        let new_hash = hash(&new)?;
        let now = self.now_ms();
        self.edit_profile(&user, |p| {
            replace_password(p, new_hash.clone(), now);
            p.password_reset_required = false;
            Ok(())
        })
        .await
    }
}

impl IamService {
    /// Authorizes `action` on the user `name` and reads it; `NoSuchEntity` otherwise.
    async fn user_for(
        &self,
        ctx: &RequestContext,
        action: &str,
        name: &str,
    ) -> Result<Versioned<UserRecord>, ServiceError> {
        self.existing::<UserRecord>(ctx, action, name, Keys::Plain)
            .await
    }

    /// The login profile of `user`, if it has one.
    pub(crate) async fn profile_of(
        &self,
        user: &UserRecord,
    ) -> Result<Option<Versioned<LoginProfileRecord>>, ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = login_profile_row(&user.account, &user.user_id);
        tables.login_profiles.get(&row).await.map_err(store_failure)
    }

    /// `DeleteConflict` while `user` still has a login profile, an enabled MFA device, a
    /// signing certificate, an SSH public key or a service-specific credential (DeleteUser's
    /// rules).
    pub(crate) async fn credential_conflicts(&self, user: &UserRecord) -> Result<(), ServiceError> {
        if self.profile_of(user).await?.is_some() {
            return Err(errors::delete_conflict_exception(
                "Cannot delete entity, must delete login profile first.",
            ));
        }
        self.mfa_conflicts(user).await?;
        if !self.certificates_of(user).await?.is_empty() {
            return Err(errors::delete_conflict_exception(
                "Cannot delete entity, must delete signing certificates first.",
            ));
        }
        if !self.ssh_keys_of(user).await?.is_empty() {
            return Err(errors::delete_conflict_exception(
                "Cannot delete entity, must delete SSH public keys first.",
            ));
        }
        if !self.service_credentials_of(user).await?.is_empty() {
            return Err(errors::delete_conflict_exception(
                "Cannot delete entity, must delete service specific credentials first.",
            ));
        }
        Ok(())
    }

    /// `PasswordPolicyViolation` unless `password` meets the account's policy.
    async fn check_policy(&self, ctx: &RequestContext, password: &str) -> Result<(), ServiceError> {
        let policy = self.password_policy(ctx.account().as_str()).await?;
        if password::conforms(password, policy.as_ref()) {
            Ok(())
        } else {
            Err(violation())
        }
    }

    /// Read-modify-write of the login profile of `user`; `NoSuchEntity` without one.
    async fn edit_profile(
        &self,
        user: &UserRecord,
        mut edit: impl FnMut(&mut LoginProfileRecord) -> Result<(), ServiceError>,
    ) -> Result<(), ServiceError> {
        let tables = AccountTables::new(&self.dir.tables.store);
        let row = login_profile_row(&user.account, &user.user_id);
        for _ in 0..ATTEMPTS {
            let found = self.profile_of(user).await?;
            let found = found.ok_or_else(|| no_profile(&user.name))?;
            let mut profile = found.value.clone();
            edit(&mut profile)?;
            let put = tables
                .login_profiles
                .put(&row, &profile, Expect::Version(found.version));
            if self
                .commit(&user.account, vec![put.map_err(store_failure)?])
                .await?
            {
                return Ok(());
            }
        }
        Err(too_busy())
    }
}

/// The user a call names, or the calling IAM user when it names none.
fn user_named(ctx: &RequestContext, given: Option<String>) -> Result<String, ServiceError> {
    match given {
        Some(name) => Ok(name),
        None if ctx.principal.kind == PrincipalKind::IamUser => {
            Ok(last_segment(&ctx.principal.arn).to_owned())
        }
        None => Err(ServiceError::new(
            "ValidationError",
            400,
            "Must specify userName when calling with non-User credentials",
        )),
    }
}

/// Makes `new` the current password, keeping the replaced one for reuse checks.
fn replace_password(profile: &mut LoginProfileRecord, new: PasswordHash, now_ms: i64) {
    let old = std::mem::replace(&mut profile.password, new);
    profile.previous.insert(0, old);
    profile.previous.truncate(KEPT_PASSWORDS);
    profile.password_set_ms = now_ms;
}

/// Whether `password` is the current one or one of the last `reuse - 1` earlier ones.
fn reused(
    password: &str,
    profile: &LoginProfileRecord,
    reuse: Option<i32>,
) -> Result<bool, ServiceError> {
    let Some(count) = reuse.and_then(|n| usize::try_from(n).ok()) else {
        return Ok(false);
    };
    let recent = std::iter::once(&profile.password).chain(&profile.previous);
    for stored in recent.take(count) {
        if verify(password, stored)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn hash(password: &str) -> Result<PasswordHash, ServiceError> {
    password::hash(password).map_err(store_failure)
}

fn verify(password: &str, stored: &PasswordHash) -> Result<bool, ServiceError> {
    password::verify(password, stored).map_err(store_failure)
}

fn profile_out(user: &UserRecord, profile: &LoginProfileRecord) -> LoginProfile {
    LoginProfile {
        create_date: Some(timestamp(profile.created_ms)),
        max_signin_session_duration: profile.max_signin_session_duration,
        password_reset_required: Some(profile.password_reset_required),
        user_name: Some(user.name.clone()),
    }
}

/// `PasswordPolicyViolation` as IAM words it.
fn violation() -> ServiceError {
    errors::password_policy_violation_exception(
        "Password does not conform to the account password policy.",
    )
}

/// `NoSuchEntity` for a user without a login profile.
pub(crate) fn no_profile(user: &str) -> ServiceError {
    errors::no_such_entity_exception(format!("Login Profile for User {user} cannot be found."))
}

fn profile_exists(user: &str) -> ServiceError {
    errors::entity_already_exists_exception(format!(
        "Login Profile for user {user} already exists."
    ))
}
