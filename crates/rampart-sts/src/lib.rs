//! AWS Security Token Service (STS) over the AWS query protocol: `AssumeRole`,
//! `AssumeRoleWithWebIdentity` ([`web_identity`]) and `AssumeRoleWithSAML` (`saml`: the
//! assertion's XML signature against the SAML provider's certificates; both unsigned as in AWS:
//! [`unsigned_caller`]),
//! `AssumeRoot` (privileged root sessions of an organization's member accounts, scoped by a
//! root-task policy), `GetDelegatedAccessToken` (a temporary delegation request's trade-in
//! token for a session of its approver), `GetFederationToken` (federated-user sessions),
//! `DecodeAuthorizationMessage` ([`authz_message`]), `GetWebIdentityToken` (outbound identity federation: JWTs signed
//! with per-account keys, [`outbound_keys`], whose issuer documents `discovery` serves),
//! `GetSessionToken`, `GetCallerIdentity` and
//! `GetAccessKeyInfo`. Temporary credentials are
//! stateless: their claims are sealed into the session token itself ([`token`]), which the
//! authenticator opens again on every request signed with them ([`SessionClaims::principal`]).
//! The wire layer (and the `Endpoint` the server mounts) is generated from botocore's model;
//! other actions answer `UnsupportedOperation` naming them. The session token, which holds the
//! sealed secret, is left out of the audit JSON by the generator (`audit_hidden`).

mod assume_role;
mod assume_root;
pub mod authz_message;
mod delegated;
mod discovery;
mod federation;
pub mod generated;
mod identity;
pub mod keys;
mod module;
mod outbound;
pub mod outbound_keys;
mod outbound_token;
mod request;
mod saml;
mod service;
pub mod session;
mod session_token;
pub mod token;
mod unsigned;
pub mod web_identity;

pub use module::module;
pub use service::StsService;
pub use session::session_token;
pub use token::{Issuer, PackedPolicies, SessionClaims, SessionTokens, TokenError};
pub use unsigned::{UNSIGNED_ACTIONS, unsigned_caller};
