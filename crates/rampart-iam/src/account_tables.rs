//! The tables of account settings, aliases, login profiles and virtual MFA devices (records in
//! `account_records.rs`), and their row keys.

use crate::account_records::{AccountSettings, AliasClaim, LoginProfileRecord, MfaDeviceRecord};
use rampart_store::{Store, Table};

/// Per-account settings: password policy and alias. Row: the account id.
pub const ACCOUNT_SETTINGS: &str = "iam_account_settings";
/// Alias claims. Row: the alias.
pub const ACCOUNT_ALIASES: &str = "iam_account_aliases";
/// Login profiles. Row: `<account>/<user id>`.
pub const LOGIN_PROFILES: &str = "iam_login_profiles";
/// Virtual MFA devices. Row: `<account>/<lower-case name>`.
pub const MFA_DEVICES: &str = "iam_mfa_devices";

/// Row key of a user's login profile.
pub fn login_profile_row(account: &str, user_id: &str) -> String {
    format!("{account}/{user_id}")
}

/// Typed handles on the tables (cheap: a store handle and a name each).
pub struct AccountTables {
    pub settings: Table<AccountSettings>,
    pub aliases: Table<AliasClaim>,
    pub login_profiles: Table<LoginProfileRecord>,
    pub mfa_devices: Table<MfaDeviceRecord>,
}

impl AccountTables {
    /// The tables in `store`.
    pub fn new(store: &Store) -> Self {
        AccountTables {
            settings: Table::new(store.clone(), ACCOUNT_SETTINGS),
            aliases: Table::new(store.clone(), ACCOUNT_ALIASES),
            login_profiles: Table::new(store.clone(), LOGIN_PROFILES),
            mfa_devices: Table::new(store.clone(), MFA_DEVICES),
        }
    }
}
