//! Operation bodies by area: `users` (users, groups, membership, access keys, user tags),
//! `roles` and `role_tags`, `inline` (inline policies of users, groups and roles),
//! `boundaries`, `managed`/`policies`/`policy_versions` (customer and AWS managed policies),
//! `attach` and `policy_entities` (attachments), `usage` (who uses a managed policy, from the
//! entity tables' index by policy), `password_policy`, `login_profiles` (and ChangePassword),
//! `account` (aliases, summary), `mfa` and `mfa_assign` (virtual MFA devices),
//! `signing_certs`, `ssh_keys`, `server_certs`; `entity` and `common` are shared helpers.

mod account;
mod attach;
mod boundaries;
mod common;
mod entity;
mod inline;
mod login_profiles;
mod managed;
mod mfa;
mod mfa_assign;
mod password_policy;
mod policies;
mod policy_entities;
mod policy_versions;
mod role_tags;
mod roles;
mod server_certs;
mod signing_certs;
mod ssh_keys;
mod usage;
mod users;
