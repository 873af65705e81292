//! The tables of account settings, aliases, outbound federation issuers, login profiles,
//! virtual MFA devices, signing certificates, SSH public keys, server certificates and
//! service-specific credentials (records in `account_records.rs`), and their row keys.

use crate::account_records::{
    AccountSettings, AliasClaim, LoginProfileRecord, MfaDeviceRecord, OutboundIssuerClaim,
    ServerCertificateRecord, ServiceCredentialRecord, SigningCertificateRecord, SshPublicKeyRecord,
};
use rampart_store::{Store, Table};

/// Per-account settings: password policy and alias. Row: the account id.
pub const ACCOUNT_SETTINGS: &str = "iam_account_settings";
/// Alias claims. Row: the alias.
pub const ACCOUNT_ALIASES: &str = "iam_account_aliases";
/// Outbound identity federation issuer claims. Row: the issuer id.
pub const OUTBOUND_ISSUERS: &str = "iam_outbound_issuers";
/// Login profiles. Row: `<account>/<user id>`.
pub const LOGIN_PROFILES: &str = "iam_login_profiles";
/// Virtual MFA devices. Row: `<account>/<lower-case name>`.
pub const MFA_DEVICES: &str = "iam_mfa_devices";
/// Signing certificates. Row: `<account>/<user id>/<certificate id>`.
pub const SIGNING_CERTIFICATES: &str = "iam_signing_certificates";
/// SSH public keys. Row: `<account>/<user id>/<key id>`.
pub const SSH_PUBLIC_KEYS: &str = "iam_ssh_public_keys";
/// Server certificates. Row: `<account>/<lower-case name>`.
pub const SERVER_CERTIFICATES: &str = "iam_server_certificates";
/// Service-specific credentials. Row: `<account>/<user id>/<credential id>`.
pub const SERVICE_CREDENTIALS: &str = "iam_service_specific_credentials";

/// Prefix of the rows of one user's credentials (`<account>/<user id>/`).
pub fn user_prefix(account: &str, user_id: &str) -> String {
    format!("{account}/{user_id}/")
}

/// Row key of a user's login profile.
pub fn login_profile_row(account: &str, user_id: &str) -> String {
    format!("{account}/{user_id}")
}

/// Typed handles on the tables (cheap: a store handle and a name each).
pub struct AccountTables {
    pub settings: Table<AccountSettings>,
    pub aliases: Table<AliasClaim>,
    pub outbound_issuers: Table<OutboundIssuerClaim>,
    pub login_profiles: Table<LoginProfileRecord>,
    pub mfa_devices: Table<MfaDeviceRecord>,
    pub signing_certificates: Table<SigningCertificateRecord>,
    pub ssh_public_keys: Table<SshPublicKeyRecord>,
    pub server_certificates: Table<ServerCertificateRecord>,
    pub service_credentials: Table<ServiceCredentialRecord>,
}

impl AccountTables {
    /// The tables in `store`.
    pub fn new(store: &Store) -> Self {
        AccountTables {
            settings: Table::new(store.clone(), ACCOUNT_SETTINGS),
            aliases: Table::new(store.clone(), ACCOUNT_ALIASES),
            outbound_issuers: Table::new(store.clone(), OUTBOUND_ISSUERS),
            login_profiles: Table::new(store.clone(), LOGIN_PROFILES),
            mfa_devices: Table::new(store.clone(), MFA_DEVICES),
            signing_certificates: Table::new(store.clone(), SIGNING_CERTIFICATES),
            ssh_public_keys: Table::new(store.clone(), SSH_PUBLIC_KEYS),
            server_certificates: Table::new(store.clone(), SERVER_CERTIFICATES),
            service_credentials: Table::new(store.clone(), SERVICE_CREDENTIALS),
        }
    }
}
