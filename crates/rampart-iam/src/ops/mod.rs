//! Operation bodies by area: `users` (users, groups, membership, access keys, user tags),
//! `roles` (roles, role tags, inline policies of users/groups/roles, permissions boundaries),
//! `policies` (customer managed policies, versions, attachments, AWS managed policies).

mod common;
mod attach;
mod boundaries;
mod entity;
mod inline;
mod managed;
mod policies;
mod policy_entities;
mod policy_versions;
mod role_tags;
mod roles;
mod users;
