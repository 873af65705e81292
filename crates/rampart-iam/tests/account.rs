//! Account settings and user credentials through the query-protocol dispatcher, on SQLite
//! and (when `RAMPART_TEST_POSTGRES_URL` is set) PostgreSQL: the account password policy,
//! login profiles (policy enforced, only a hash stored, ChangePassword with reuse
//! prevention), account aliases and the account summary.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ACCOUNT, Bench, assert_error, enc, value, values};
use rampart_iam::account_tables::{AccountTables, login_profile_row};

/// Runs `check` on a SQLite bench, then on a PostgreSQL one when configured.
macro_rules! on_both {
    ($name:ident, $pg:ident, $check:ident) => {
        #[tokio::test]
        async fn $name() {
            $check(&Bench::new().await).await;
        }

        #[tokio::test]
        async fn $pg() {
            let Some(b) = Bench::postgres().await else {
                return;
            };
            $check(&b).await;
            b.cleanup().await;
        }
    };
}

on_both!(
    password_policy_is_set_read_and_deleted,
    password_policy_is_set_read_and_deleted_postgres,
    password_policy_life
);
on_both!(
    login_profiles_follow_the_policy,
    login_profiles_follow_the_policy_postgres,
    login_profile_life
);
on_both!(
    users_change_their_own_password,
    users_change_their_own_password_postgres,
    change_password_life
);
on_both!(
    one_alias_per_account_unique_across_accounts,
    one_alias_per_account_unique_across_accounts_postgres,
    alias_life
);
on_both!(
    the_summary_counts_entities,
    the_summary_counts_entities_postgres,
    summary_counts
);

async fn password_policy_life(b: &Bench) {
    let missing = format!("The Password Policy with domain name {ACCOUNT} cannot be found.");
    assert_error(
        &b.err("GetAccountPasswordPolicy", "").await,
        "NoSuchEntity",
        &missing,
    );
    assert_error(
        &b.err("DeleteAccountPasswordPolicy", "").await,
        "NoSuchEntity",
        &missing,
    );
    b.ok("UpdateAccountPasswordPolicy", "").await;
    let xml = b.ok("GetAccountPasswordPolicy", "").await;
    assert_eq!(value(&xml, "MinimumPasswordLength").as_deref(), Some("6"));
    assert_eq!(value(&xml, "RequireSymbols").as_deref(), Some("false"));
    assert_eq!(value(&xml, "ExpirePasswords").as_deref(), Some("false"));
    assert!(value(&xml, "MaxPasswordAge").is_none());
    assert!(value(&xml, "PasswordReusePrevention").is_none());
    let params = "MinimumPasswordLength=12&RequireNumbers=true&MaxPasswordAge=90\
                  &PasswordReusePrevention=3&AllowUsersToChangePassword=true";
    b.ok("UpdateAccountPasswordPolicy", params).await;
    let xml = b.ok("GetAccountPasswordPolicy", "").await;
    assert_eq!(value(&xml, "MinimumPasswordLength").as_deref(), Some("12"));
    assert_eq!(value(&xml, "RequireNumbers").as_deref(), Some("true"));
    assert_eq!(value(&xml, "ExpirePasswords").as_deref(), Some("true"));
    assert_eq!(value(&xml, "MaxPasswordAge").as_deref(), Some("90"));
    assert_eq!(value(&xml, "PasswordReusePrevention").as_deref(), Some("3"));
    let err = b
        .err("UpdateAccountPasswordPolicy", "MinimumPasswordLength=5")
        .await;
    assert_eq!(err.code, "ValidationError");
    b.ok("DeleteAccountPasswordPolicy", "").await;
    assert_error(
        &b.err("GetAccountPasswordPolicy", "").await,
        "NoSuchEntity",
        &missing,
    );
}

async fn login_profile_life(b: &Bench) {
    b.ok("CreateUser", "UserName=kim").await;
    let missing = "Login Profile for User kim cannot be found.";
    assert_error(
        &b.err("GetLoginProfile", "UserName=kim").await,
        "NoSuchEntity",
        missing,
    );
    let violation = "Password does not conform to the account password policy.";
    // Without a policy, AWS's default rules: 8 characters of three kinds.
    let weak = b
        .err("CreateLoginProfile", "UserName=kim&Password=short1A")
        .await;
    assert_error(&weak, "PasswordPolicyViolation", violation);
    b.ok(
        "UpdateAccountPasswordPolicy",
        "MinimumPasswordLength=10&RequireSymbols=true",
    )
    .await;
    let weak = b
        .err("CreateLoginProfile", "UserName=kim&Password=Abcdefgh12")
        .await;
    assert_error(&weak, "PasswordPolicyViolation", violation);
    let password = enc("Abcdefgh1!");
    let params = format!("UserName=kim&Password={password}&PasswordResetRequired=true");
    let xml = b.ok("CreateLoginProfile", &params).await;
    assert_eq!(value(&xml, "UserName").as_deref(), Some("kim"));
    assert_eq!(
        value(&xml, "PasswordResetRequired").as_deref(),
        Some("true")
    );
    assert!(value(&xml, "CreateDate").is_some());
    let again = b.err("CreateLoginProfile", &params).await;
    assert_error(
        &again,
        "EntityAlreadyExists",
        "Login Profile for user kim already exists.",
    );

    let user = b.user("kim").await.unwrap();
    let tables = AccountTables::new(&b.dir.tables.store);
    let row = login_profile_row(ACCOUNT, &user.user_id);
    let stored = tables.login_profiles.get(&row).await.unwrap().unwrap();
    let raw = serde_json::to_string(&stored.value).unwrap();
    assert!(
        !raw.contains("Abcdefgh1!"),
        "the password is stored only hashed"
    );

    b.ok(
        "UpdateLoginProfile",
        "UserName=kim&PasswordResetRequired=false",
    )
    .await;
    let xml = b.ok("GetLoginProfile", "UserName=kim").await;
    assert_eq!(
        value(&xml, "PasswordResetRequired").as_deref(),
        Some("false")
    );
    let weak = b
        .err("UpdateLoginProfile", "UserName=kim&Password=abc")
        .await;
    assert_error(&weak, "PasswordPolicyViolation", violation);

    let conflict = b.err("DeleteUser", "UserName=kim").await;
    assert_error(
        &conflict,
        "DeleteConflict",
        "Cannot delete entity, must delete login profile first.",
    );
    b.ok("DeleteLoginProfile", "UserName=kim").await;
    assert_error(
        &b.err("DeleteLoginProfile", "UserName=kim").await,
        "NoSuchEntity",
        missing,
    );
    b.ok("DeleteUser", "UserName=kim").await;
    let gone = b.err("GetLoginProfile", "UserName=kim").await;
    assert_error(
        &gone,
        "NoSuchEntity",
        "The user with name kim cannot be found.",
    );
}

async fn change_password_life(b: &Bench) {
    b.ok("CreateUser", "UserName=ana").await;
    let first = enc("First-pass-1");
    b.ok(
        "CreateLoginProfile",
        &format!("UserName=ana&Password={first}"),
    )
    .await;
    b.ok(
        "UpdateAccountPasswordPolicy",
        "AllowUsersToChangePassword=true&PasswordReusePrevention=2",
    )
    .await;
    let ana = b.as_user("ana").await;
    let change =
        |old: &str, new: &str| format!("OldPassword={}&NewPassword={}", enc(old), enc(new));
    let wrong = b
        .call_as(&ana, "ChangePassword", &change("nope", "Second-pass-2"))
        .await;
    assert_eq!(wrong.unwrap_err().code, "InvalidUserType");
    let reused = b
        .call_as(
            &ana,
            "ChangePassword",
            &change("First-pass-1", "First-pass-1"),
        )
        .await;
    assert_eq!(reused.unwrap_err().code, "PasswordPolicyViolation");
    b.call_as(
        &ana,
        "ChangePassword",
        &change("First-pass-1", "Second-pass-2"),
    )
    .await
    .unwrap();
    // The previous password is still within the last two.
    let back = b
        .call_as(
            &ana,
            "ChangePassword",
            &change("Second-pass-2", "First-pass-1"),
        )
        .await;
    assert_eq!(back.unwrap_err().code, "PasswordPolicyViolation");
    let by_root = b.err("ChangePassword", &change("a", "b")).await;
    assert_eq!(by_root.code, "InvalidUserType");
}

async fn alias_life(b: &Bench) {
    let xml = b.ok("ListAccountAliases", "").await;
    assert!(values(&xml, "member").is_empty());
    assert_eq!(value(&xml, "IsTruncated").as_deref(), Some("false"));
    let bad = b.err("CreateAccountAlias", "AccountAlias=Bad--Alias").await;
    assert_eq!(bad.code, "ValidationError");
    b.ok("CreateAccountAlias", "AccountAlias=my-team").await;
    b.ok("CreateAccountAlias", "AccountAlias=my-team").await;
    assert_eq!(
        values(&b.ok("ListAccountAliases", "").await, "member"),
        ["my-team"]
    );
    // Another account cannot take it.
    let other = other_account_root();
    let taken = b
        .call_as(&other, "CreateAccountAlias", "AccountAlias=my-team")
        .await;
    assert_error(
        &taken.unwrap_err(),
        "EntityAlreadyExists",
        "The account alias my-team already exists.",
    );
    // A new alias replaces the old one, which becomes free.
    b.ok("CreateAccountAlias", "AccountAlias=my-team-2").await;
    assert_eq!(
        values(&b.ok("ListAccountAliases", "").await, "member"),
        ["my-team-2"]
    );
    b.call_as(&other, "CreateAccountAlias", "AccountAlias=my-team")
        .await
        .unwrap();
    let missing = b.err("DeleteAccountAlias", "AccountAlias=my-team").await;
    assert_error(
        &missing,
        "NoSuchEntity",
        "The account alias my-team cannot be found.",
    );
    b.ok("DeleteAccountAlias", "AccountAlias=my-team-2").await;
    assert!(values(&b.ok("ListAccountAliases", "").await, "member").is_empty());
}

async fn summary_counts(b: &Bench) {
    b.ok("CreateUser", "UserName=u1").await;
    b.ok("CreateUser", "UserName=u2").await;
    b.ok("CreateGroup", "GroupName=g1").await;
    b.create_role("r1", "").await;
    let xml = b.ok("GetAccountSummary", "").await;
    let entry = |key: &str| summary_value(&xml, key);
    assert_eq!(entry("Users"), Some(2));
    assert_eq!(entry("Groups"), Some(1));
    assert_eq!(entry("Roles"), Some(1));
    assert_eq!(entry("Policies"), Some(0));
    assert_eq!(entry("UsersQuota"), Some(5000));
    assert_eq!(entry("AccessKeysPerUserQuota"), Some(2));
    assert_eq!(entry("MFADevices"), Some(0));
}

/// The value of `key` in a SummaryMap answer (`<entry><key>K</key><value>V</value></entry>`).
fn summary_value(xml: &str, key: &str) -> Option<i32> {
    let at = xml.find(&format!("<key>{key}</key>"))?;
    value(&xml[at..], "value")?.parse().ok()
}

/// The root of another account.
fn other_account_root() -> rampart_core::RequestContext {
    let account = rampart_core::AccountId::parse("210987654321").unwrap();
    rampart_core::RequestContext::new(
        rampart_core::Principal::root(account, "AKIAOTHERROOT0000000"),
        rampart_core::Region::new("us-east-1"),
    )
}
