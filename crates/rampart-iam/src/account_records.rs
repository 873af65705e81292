//! What IAM stores about an account's sign-in settings: the account row (password policy,
//! alias, outbound identity federation), the alias and outbound issuer claims that keep aliases unique across accounts, and users' login
//! profiles (a salted Argon2id hash of the password, never the password).

use serde::{Deserialize, Serialize};

/// The account's own IAM settings. Row: the account id (`iam_account_settings`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountSettings {
    /// The account password policy (UpdateAccountPasswordPolicy), if one is set.
    #[serde(default)]
    pub password_policy: Option<PasswordPolicyRecord>,
    /// The account alias (CreateAccountAlias), if one is set.
    #[serde(default)]
    pub alias: Option<String>,
    /// The version of the tokens the global STS endpoint issues
    /// (SetSecurityTokenServicePreferences: 1 or 2), if set; 1 otherwise.
    #[serde(default)]
    pub global_endpoint_token_version: Option<i32>,
    /// Outbound identity federation, once EnableOutboundWebIdentityFederation minted the
    /// account's issuer (kept when disabled: enabling again answers the same issuer).
    #[serde(default)]
    pub outbound_federation: Option<OutboundFederation>,
}

/// The account's outbound identity federation issuer and whether tokens are issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundFederation {
    /// The random id in the issuer's path (its claim row in `iam_outbound_issuers`).
    pub issuer_id: String,
    /// The issuer URL (the `iss` of the tokens), fixed when it was minted.
    pub issuer: String,
    /// Whether GetWebIdentityToken issues tokens and the discovery documents are served.
    pub enabled: bool,
}

/// Which account an outbound federation issuer id belongs to. Row: the issuer id
/// (`iam_outbound_issuers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundIssuerClaim {
    pub account: String,
}

/// The account password policy as UpdateAccountPasswordPolicy set it (omitted members take
/// AWS's defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicyRecord {
    pub minimum_length: i32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub allow_users_to_change: bool,
    /// Days a password stays valid; `None`: passwords do not expire.
    pub max_age_days: Option<i32>,
    /// How many previous passwords a user may not reuse; `None`: no check.
    pub reuse_prevention: Option<i32>,
    pub hard_expiry: bool,
}

/// Which account holds an alias. Row: the alias (`iam_account_aliases`); aliases are unique
/// across every account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasClaim {
    pub account: String,
}

/// A password as stored: Argon2id over the password with a random salt, and the cost used.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHash {
    /// Memory cost in KiB, passes and lanes.
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
    /// Base64 of the 16-byte salt.
    pub salt: String,
    /// Base64 of the 32-byte hash.
    pub hash: String,
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHash").finish_non_exhaustive()
    }
}

/// A user's console password. Row: `<account>/<user id>` (`iam_login_profiles`): the unique
/// id survives renames and is never reused by a new user of the same name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginProfileRecord {
    pub account: String,
    pub user_id: String,
    pub created_ms: i64,
    /// When the password was last set.
    pub password_set_ms: i64,
    pub password: PasswordHash,
    /// Earlier passwords, newest first (as many as the largest reuse prevention, 24).
    pub previous: Vec<PasswordHash>,
    pub password_reset_required: bool,
    /// MaxSigninSessionDuration in seconds, if set.
    #[serde(default)]
    pub max_signin_session_duration: Option<i32>,
}

/// A virtual MFA device. Row: `<account>/<lower-case name>` (`iam_mfa_devices`). The seed
/// (Base32 text) is AES-GCM-sealed under the credentials domain key with the serial number
/// as associated data.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDeviceRecord {
    pub account: String,
    pub name: String,
    pub path: String,
    pub created_ms: i64,
    /// Base64 of the sealed seed.
    pub sealed_seed: String,
    /// The user it is enabled for, if any.
    pub user: Option<MfaAssignment>,
    pub tags: Vec<crate::records::TagRecord>,
}

impl MfaDeviceRecord {
    /// The serial number: `arn:aws:iam::<account>:mfa<path><name>`.
    pub fn serial(&self) -> String {
        format!(
            "arn:aws:iam::{}:mfa{}{}",
            self.account, self.path, self.name
        )
    }
}

impl std::fmt::Debug for MfaDeviceRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaDeviceRecord")
            .field("serial", &self.serial())
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Whom a virtual MFA device is enabled for, since when, and the last time step whose code
/// it accepted (a code is never accepted twice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaAssignment {
    pub user_name: String,
    pub user_id: String,
    pub user_path: String,
    pub user_created_ms: i64,
    pub enabled_ms: i64,
    pub last_step: i64,
}

/// A signing certificate of an IAM user. Row: `<account>/<user id>/<certificate id>`
/// (`iam_signing_certificates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningCertificateRecord {
    pub account: String,
    pub user_id: String,
    pub certificate_id: String,
    /// The PEM body as uploaded.
    pub body: String,
    /// Hex SHA-256 of the DER certificate (duplicates are refused).
    pub der_sha256: String,
    pub status: crate::records::KeyStatus,
    pub uploaded_ms: i64,
}

/// An SSH public key of an IAM user. Row: `<account>/<user id>/<key id>`
/// (`iam_ssh_public_keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshPublicKeyRecord {
    pub account: String,
    pub user_id: String,
    pub key_id: String,
    /// The key in OpenSSH form (`ssh-rsa AAAA...`).
    pub ssh_body: String,
    /// The key in PEM form (SubjectPublicKeyInfo).
    pub pem_body: String,
    /// MD5 of the SSH wire form, colon-separated hex.
    pub fingerprint: String,
    pub status: crate::records::KeyStatus,
    pub uploaded_ms: i64,
}

/// A server certificate. Row: `<account>/<lower-case name>` (`iam_server_certificates`).
/// The private key is AES-GCM-sealed under the credentials domain key with the certificate
/// id as associated data.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerCertificateRecord {
    pub account: String,
    pub name: String,
    pub path: String,
    /// `ASCA` + 17 characters.
    pub id: String,
    pub body: String,
    pub chain: Option<String>,
    /// Base64 of the sealed private key PEM.
    pub sealed_key: String,
    pub expires_ms: i64,
    pub uploaded_ms: i64,
    pub tags: Vec<crate::records::TagRecord>,
}

impl ServerCertificateRecord {
    /// `arn:aws:iam::<account>:server-certificate<path><name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:server-certificate{}{}",
            self.account, self.path, self.name
        )
    }
}

impl std::fmt::Debug for ServerCertificateRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCertificateRecord")
            .field("arn", &self.arn())
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A service-specific credential of an IAM user (CodeCommit or Amazon Keyspaces user name and
/// password, or a Bedrock API key). Row: `<account>/<user id>/<credential id>`
/// (`iam_service_specific_credentials`). Only a SHA-256 digest of the generated secret is
/// kept: the secret (256 random bits or more) is shown once, by Create and Reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCredentialRecord {
    pub account: String,
    pub user_id: String,
    /// `ACCA` + 17 characters.
    pub credential_id: String,
    /// The service principal, e.g. `codecommit.amazonaws.com`.
    pub service_name: String,
    /// ServiceUserName (CodeCommit, Keyspaces) or ServiceCredentialAlias (Bedrock).
    pub login: String,
    /// Hex SHA-256 of the current secret.
    pub secret_sha256: String,
    pub status: crate::records::KeyStatus,
    pub created_ms: i64,
    /// When a Bedrock API key expires (CredentialAgeDays), if it does.
    pub expires_ms: Option<i64>,
}
