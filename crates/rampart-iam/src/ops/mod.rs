//! Operation bodies by area: `users` (users, groups, membership, access keys, user tags),
//! `roles` and `role_tags`, `inline` (inline policies of users, groups and roles),
//! `boundaries`, `managed`/`policies`/`policy_versions` (customer and AWS managed policies),
//! `attach` and `policy_entities` (attachments), `usage` (who uses a managed policy, from the
//! entity tables' index by policy), `instance_profiles` and `instance_profile_roles`,
//! `oidc` and `oidc_updates` (OpenID Connect providers), `saml` and `saml_updates` (SAML
//! providers), `password_policy`, `login_profiles` (and ChangePassword), `account` (aliases,
//! summary), `outbound` (outbound identity federation), `mfa` and `mfa_assign` (virtual MFA devices), `signing_certs`, `ssh_keys`,
//! `server_certs`, `access_advisor`/`advisor_reports`/`policies_granting` (service last
//! accessed data), `organizations` (what an account outside an organization is answered),
//! `delegation`/`delegation_steps` (temporary delegation requests); `entity` and `common` are shared helpers, `resource` those of the
//! non-principal resources.

mod access_advisor;
mod account;
mod advisor_reports;
mod attach;
mod authorization_details;
mod boundaries;
mod common;
mod context_keys;
mod credential_report;
mod delegation;
mod delegation_steps;
mod entity;
mod inline;
mod instance_profile_roles;
mod instance_profiles;
mod login_profiles;
mod managed;
mod mfa;
mod mfa_assign;
mod oidc;
mod oidc_updates;
mod organizations;
mod outbound;
mod password_policy;
mod policies;
mod policies_granting;
mod policy_entities;
mod policy_versions;
mod resource;
mod role_tags;
mod roles;
mod saml;
mod saml_updates;
mod server_certs;
mod service_credentials;
mod service_linked_roles;
mod signing_certs;
mod simulate;
mod ssh_keys;
mod usage;
mod users;
