//! Operation bodies by area: `users` (users, groups, membership, access keys, user tags),
//! `roles` and `role_tags`, `inline` (inline policies of users, groups and roles),
//! `boundaries`, `managed`/`policies`/`policy_versions` (customer and AWS managed policies),
//! `attach` and `policy_entities` (attachments), `usage` (who uses a managed policy, from the
//! entity tables' index by policy), `instance_profiles` and `instance_profile_roles`,
//! `oidc` and `oidc_updates` (OpenID Connect providers), `saml` and `saml_updates` (SAML
//! providers);
//! `entity` and `common` are shared helpers, `resource` those of the non-principal resources.

mod attach;
mod boundaries;
mod common;
mod entity;
mod inline;
mod instance_profile_roles;
mod instance_profiles;
mod managed;
mod oidc;
mod oidc_updates;
mod policies;
mod policy_entities;
mod policy_versions;
mod resource;
mod role_tags;
mod roles;
mod saml;
mod saml_updates;
mod usage;
mod users;
