//! IAM resources that are neither principals nor policies: instance profiles, OpenID Connect
//! providers and SAML providers. Records are JSON in their own `rampart-store` tables; rows
//! are keyed `<account>/<key>` (the lower-case name, or the provider's host and path), so one
//! account's rows scan in name order. What STS federation needs later (an OIDC provider's
//! issuer, client ids and thumbprints; a SAML provider's entity id, signing certificates and
//! validity) is kept parsed in the records.

use crate::records::TagRecord;
use rampart_store::{Store, Table};
use serde::{Deserialize, Serialize};

/// Instance profiles.
pub const INSTANCE_PROFILES: &str = "iam_instance_profiles";
/// OpenID Connect identity providers.
pub const OIDC_PROVIDERS: &str = "iam_oidc_providers";
/// SAML identity providers.
pub const SAML_PROVIDERS: &str = "iam_saml_providers";

/// An instance profile. Row: `<account>/<lower-case name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceProfileRecord {
    pub schema: u32,
    pub account: String,
    pub name: String,
    /// Path, `/` by default; always begins and ends with `/`.
    pub path: String,
    /// Unique id, `AIPA` + 17 characters.
    pub profile_id: String,
    pub created_ms: i64,
    /// Names of the roles in the profile (AWS allows one).
    pub roles: Vec<String>,
    pub tags: Vec<TagRecord>,
}

impl InstanceProfileRecord {
    /// `arn:aws:iam::<account>:instance-profile<path><name>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:instance-profile{}{}",
            self.account, self.path, self.name
        )
    }
}

/// An OpenID Connect provider: what AssumeRoleWithWebIdentity checks a token against.
/// Row: `<account>/<resource>` where `resource` is the issuer's host (lower case) and path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProviderRecord {
    pub schema: u32,
    pub account: String,
    /// The issuer URL as given (`https://host[/path]`).
    pub issuer_url: String,
    /// The issuer's host and path, without scheme: the ARN's resource and the `Url` IAM
    /// answers.
    pub resource: String,
    /// Audiences a token may carry (`aud`), in the order added.
    pub client_ids: Vec<String>,
    /// SHA-1 thumbprints (40 hex digits, lower case) of the issuer's certificate chain.
    pub thumbprints: Vec<String>,
    pub created_ms: i64,
    pub tags: Vec<TagRecord>,
}

impl OidcProviderRecord {
    /// `arn:aws:iam::<account>:oidc-provider/<host/path>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:oidc-provider/{}",
            self.account, self.resource
        )
    }
}

/// A private key a SAML provider decrypts encrypted assertions with, sealed under the
/// credentials domain key (AAD: the provider's ARN and the key id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlPrivateKeyRecord {
    /// `[A-Z0-9]` id IAM answers (`KeyId`).
    pub key_id: String,
    /// Base64 of the sealed PEM text.
    pub sealed_pem: String,
    pub added_ms: i64,
}

/// A SAML 2.0 identity provider. Row: `<account>/<lower-case name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlProviderRecord {
    pub schema: u32,
    pub account: String,
    pub name: String,
    /// `[A-Z0-9]` unique id (`SAMLProviderUUID`).
    pub uuid: String,
    /// The metadata document as given.
    pub metadata: String,
    /// The IdP's `entityID` (the `Issuer` of its assertions).
    pub entity_id: String,
    /// The IdP's signing certificates (DER, base64), in document order.
    pub signing_certificates: Vec<String>,
    /// The metadata's `validUntil` (epoch ms), or 100 years after creation when it has none.
    pub valid_until_ms: i64,
    /// `Required` or `Allowed`, when set.
    pub assertion_encryption_mode: Option<String>,
    /// At most two decryption keys, oldest first.
    pub private_keys: Vec<SamlPrivateKeyRecord>,
    pub created_ms: i64,
    pub tags: Vec<TagRecord>,
}

impl SamlProviderRecord {
    /// `arn:aws:iam::<account>:saml-provider/<name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:saml-provider/{}", self.account, self.name)
    }
}

/// Row key of a resource: `<account>/<key>`.
pub fn resource_row(account: &str, key: &str) -> String {
    format!("{account}/{key}")
}

/// The tables of this module in `store`.
#[derive(Clone)]
pub struct ResourceTables {
    pub instance_profiles: Table<InstanceProfileRecord>,
    pub oidc_providers: Table<OidcProviderRecord>,
    pub saml_providers: Table<SamlProviderRecord>,
}

impl ResourceTables {
    /// The tables in `store`.
    pub fn new(store: &Store) -> Self {
        ResourceTables {
            instance_profiles: Table::new(store.clone(), INSTANCE_PROFILES),
            oidc_providers: Table::new(store.clone(), OIDC_PROVIDERS),
            saml_providers: Table::new(store.clone(), SAML_PROVIDERS),
        }
    }
}
