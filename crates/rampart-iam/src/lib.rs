//! AWS Identity and Access Management (IAM) over the AWS query protocol: users, groups,
//! roles, access keys, inline and managed policies (with versions), permissions boundaries and
//! tags, instance profiles, OpenID Connect providers and SAML providers (metadata parsed by
//! [`saml_metadata`], decryption keys sealed), the account password policy and alias, login
//! profiles (Argon2id hashes, `password`), virtual MFA devices (RFC 6238 TOTP in `totp`, seeds
//! sealed, the QR code PNG from `qr_png`; codes checked for STS in `mfa_check`), signing
//! certificates, SSH public keys (`ssh_keys`), server certificates (`server_certs`), the
//! account summary and outbound identity federation (the per-account issuer, [`outbound`]),
//! stored through `rampart-store`; a role's trust policy judged alone for federated and
//! service principals ([`trust`]); the root-task policies of STS AssumeRoot sessions
//! ([`root_task`]); and the identity [`Directory`] the
//! authenticator and every service use to learn who a caller is and which compiled policies
//! bind it. The wire layer is generated from botocore's model; actions of the model not served
//! answer `UnsupportedOperation` naming them, without their parameters being read.

pub mod access_advisor;
pub mod account_records;
pub mod account_tables;
pub mod aws_managed;
pub mod credential_report;
pub mod credentials;
pub mod delegation;
pub mod directory;
mod federated;
pub mod generated;
pub mod ids;
mod mfa_check;
mod module;
mod ops;
pub mod outbound;
pub mod password;
pub mod policy_index;
mod qr_png;
pub mod records;
pub mod resources;
pub mod root_task;
pub mod saml_metadata;
pub mod server_certs;
mod service;
pub mod service_linked;
pub mod ssh_keys;
pub mod tables;
pub mod totp;
pub mod trade_in;
pub mod trust;

pub use credentials::{ActiveCredential, Credentials, KeyOwner, NewKey};
pub use directory::{Directory, DirectoryError, SessionPolicies};
pub use module::module;
pub use service::IamService;
