//! The authenticated caller and the per-request context handed to every service.

use crate::{AccountId, Region};
use serde::Serialize;
use std::sync::Mutex;
use time::OffsetDateTime;

/// What kind of identity signed the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    IamUser,
    /// Any access key accepted by `--dev` mode.
    DevAnonymous,
}

/// The identity that signed a request.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    /// Account the principal belongs to.
    pub account: AccountId,
    /// ARN of the principal, e.g. `arn:aws:iam::000000000000:root`.
    pub arn: String,
    /// Stable principal id (CloudTrail `principalId`).
    pub principal_id: String,
    /// Access key id used to sign.
    pub access_key_id: String,
    /// Kind of identity.
    pub kind: PrincipalKind,
}

/// A resource touched by a request, for the audit record (`resources` in CloudTrail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditResource {
    /// ARN of the resource.
    #[serde(rename = "ARN")]
    pub arn: String,
    /// CloudTrail resource type, e.g. `AWS::KMS::Key`.
    #[serde(rename = "type")]
    pub resource_type: &'static str,
}

/// Everything a service needs to know about the request it is serving.
#[derive(Debug)]
pub struct RequestContext {
    /// Request id returned in `x-amzn-RequestId` and written to the audit record.
    pub request_id: String,
    /// Region taken from the credential scope.
    pub region: Region,
    /// The authenticated caller; resources are created in `principal.account`.
    pub principal: Principal,
    /// Client address.
    pub source_ip: String,
    /// Client `User-Agent`.
    pub user_agent: String,
    /// When the request arrived.
    pub received_at: OffsetDateTime,
    /// Resources the service noted while serving the request (read by the audit writer).
    pub resources: Mutex<Vec<AuditResource>>,
}

impl RequestContext {
    /// The account that owns resources created by this request.
    pub fn account(&self) -> &AccountId {
        &self.principal.account
    }

    /// Records that the request touched `arn` (shown in the audit record's `resources`).
    pub fn note_resource(&self, arn: impl Into<String>, resource_type: &'static str) {
        let resource = AuditResource {
            arn: arn.into(),
            resource_type,
        };
        match self.resources.lock() {
            Ok(mut list) => list.push(resource),
            Err(poisoned) => poisoned.into_inner().push(resource),
        }
    }

    /// Takes the noted resources (called once by the audit writer).
    pub fn take_resources(&self) -> Vec<AuditResource> {
        match self.resources.lock() {
            Ok(mut list) => std::mem::take(&mut *list),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}
