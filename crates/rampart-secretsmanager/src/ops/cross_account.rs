//! Cross-account replication as AWS documents it: the replica account creates the replica
//! (CreateSecret with CrossAccountPrimaryARN: no value, a customer managed key, status
//! Pending); the primary account links it (AssociateCrossAccountReplica: at most one per
//! primary, same Region and partition, after KMS dry runs of Decrypt on the primary's key and
//! Encrypt on the replica's, and AcceptCrossAccountReplication authorized on the replica under
//! the replica's managed `cross-account-replication` policy, which lets the primary account in);
//! DisassociateCrossAccountReplica (primary side) leaves the replica Detached;
//! StopReplicationToReplica (replica side) makes it standalone and the primary's entry Detached.
//! The sync job copies the primary's versions (`replication::cross`).

use crate::SecretsManagerService;
use crate::generated::errors::limit_exceeded_exception;
use crate::generated::errors::{invalid_parameter_exception, invalid_request_exception};
use crate::generated::*;
use crate::ids::secret_id;
use crate::policy::{authorize_secret, owner_of, region_of};
use crate::record::SecretRecord;
use crate::replication::{CrossPrimaryState, CrossReplicaState, ReplicaStatus, enqueue_sync};
use crate::replication::{name_in_arn, refuse_replica, row_of_arn};
use crate::seal::{DEFAULT_KEY, relay};
use crate::service::{CAS_ATTEMPTS, internal, internal_error, marked_for_deletion, not_found};
use rampart_core::RequestContext;
use rampart_core::authz::AccessCheck;
use rampart_core::rampart_policy::{Policy, PolicyKind};
use rampart_kms::generated::{DataKeySpec, DescribeKeyRequest, GenerateDataKeyRequest};
use rampart_store::{Expect, Versioned};
use std::collections::BTreeMap;

/// Whether `arn` names a secret of another account than `ctx`'s in `ctx`'s Region and
/// partition.
fn in_other_account(ctx: &RequestContext, arn: &str) -> bool {
    arn.starts_with("arn:aws:secretsmanager:")
        && name_in_arn(arn).is_some()
        && region_of(arn) == ctx.region.as_str()
        && owner_of(arn) != ctx.account().as_str()
        && owner_of(arn).len() == 12
        && owner_of(arn).bytes().all(|b| b.is_ascii_digit())
}

/// The managed `cross-account-replication` policy of a replica of a secret of `account`: it
/// lets that account accept replication into the replica. Doubt: AWS does not publish the
/// document; this is its documented effect.
fn managed_policy(account: &str) -> Option<Policy> {
    let json = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "cross-account-replication", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
        "Action": "secretsmanager:AcceptCrossAccountReplication", "Resource": "*"}]});
    Policy::parse(&json.to_string(), PolicyKind::Resource).ok()
}

impl SecretsManagerService {
    /// Makes the new `record` a cross-account replica of `primary_arn` (CreateSecret with
    /// CrossAccountPrimaryARN), its key resolved to an ARN so the primary account can name it.
    pub(crate) async fn make_cross_replica(
        &self,
        ctx: &RequestContext,
        record: &mut SecretRecord,
        primary_arn: String,
        has_value: bool,
    ) -> Result<(), ServiceError> {
        // Doubt: the documented rules; AWS's wordings for breaking them are not documented.
        if has_value || !record.replicas.is_empty() {
            return Err(invalid_parameter_exception(
                "A cross-account replica secret is created without a secret value and can't \
                 be replicated to other Regions.",
            ));
        }
        if !in_other_account(ctx, &primary_arn) {
            return Err(invalid_parameter_exception(
                "CrossAccountPrimaryARN must be the ARN of a secret in another account in the \
                 same Region and partition.",
            ));
        }
        let Some(key) = record.kms_key_id.clone().filter(|k| k != DEFAULT_KEY) else {
            return Err(invalid_parameter_exception(
                "You must encrypt a cross-account replica secret with a customer managed KMS key.",
            ));
        };
        crate::service::authorize(ctx, "secretsmanager:PutResourcePolicy", &record.arn)?;
        let request = DescribeKeyRequest {
            key_id: Some(key),
            ..DescribeKeyRequest::default()
        };
        let described = self.kms.via_service("secretsmanager", ctx, request).await;
        let metadata = described.map_err(|e| relay(e, true))?.key_metadata;
        record.kms_key_id = metadata.and_then(|m| m.arn);
        record.cross_account_primary = Some(CrossPrimaryState {
            primary_arn,
            status: ReplicaStatus::Pending,
            message: None,
        });
        Ok(())
    }

    /// The KMS dry runs of an association: Decrypt of the primary's current value and a
    /// data key under the replica's key, both as the caller.
    async fn dry_runs(
        &self,
        ctx: &RequestContext,
        primary: &SecretRecord,
        replica: &SecretRecord,
    ) -> Result<(), ServiceError> {
        if let Some(current) = primary.staged(crate::labels::CURRENT) {
            let value = self.value_of(&primary.arn, &current.id).await?;
            self.open(ctx, &primary.arn, &current.id, &value).await?;
        }
        // Doubt: AWS dry-runs kms:Encrypt; Rampart seals each value under a data key of the
        // replica's key, so the dry run is of GenerateDataKey, the call each sync makes.
        let request = GenerateDataKeyRequest {
            key_id: replica.kms_key_id.clone(),
            key_spec: Some(DataKeySpec::Aes256),
            encryption_context: Some(BTreeMap::from([(
                "SecretARN".to_owned(),
                replica.arn.clone(),
            )])),
            dry_run: Some(true),
            ..GenerateDataKeyRequest::default()
        };
        match self.kms.via_service("secretsmanager", ctx, request).await {
            Ok(_) | Err(rampart_kms::domain::KmsError::DryRun) => Ok(()),
            Err(e) => Err(relay(e, true)),
        }
    }
}

impl AssociateCrossAccountReplica for SecretsManagerService {
    async fn associate_cross_account_replica(
        &self,
        ctx: &RequestContext,
        input: AssociateCrossAccountReplicaRequest,
    ) -> Result<AssociateCrossAccountReplicaResponse, ServiceError> {
        let primary = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?;
        let primary = primary.value;
        authorize_secret(ctx, "secretsmanager:AssociateCrossAccountReplica", &primary)?;
        authorize_secret(ctx, "secretsmanager:GetSecretValue", &primary)?;
        refuse_replica(&primary)?;
        if primary.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        let replica_arn = input.cross_account_replica_arn.unwrap_or_default();
        let replica = self.acceptable_replica(ctx, &primary, &replica_arn).await?;
        if matches!(
            input.replica_restriction,
            Some(ReplicaRestrictionType::SameOrg)
        ) {
            // Doubt: Rampart has no AWS Organizations, so no two accounts share one.
            return Err(invalid_request_exception(
                "The replica account isn't in the same organization as the primary account.",
            ));
        }
        self.dry_runs(ctx, &primary, &replica.value).await?;
        let entry = CrossReplicaState {
            replica_arn: replica_arn.clone(),
            role_arn: input.replication_role_arn,
            status: ReplicaStatus::InProgress,
            message: None,
        };
        self.link(ctx, &primary.name, &entry).await?;
        Ok(AssociateCrossAccountReplicaResponse {
            arn: Some(primary.arn),
            cross_account_replica_arn: Some(replica_arn),
            replication_status: Some(StatusType::InProgress),
        })
    }
}

impl SecretsManagerService {
    /// The replica `arn` names, after the documented checks and authorizing the caller's
    /// AcceptCrossAccountReplication on it (the replica account's side).
    async fn acceptable_replica(
        &self,
        ctx: &RequestContext,
        primary: &SecretRecord,
        arn: &str,
    ) -> Result<Versioned<SecretRecord>, ServiceError> {
        if primary.cross_account_primary.is_some() {
            return Err(invalid_request_exception(
                "A cross-account replica secret can't be a primary secret.",
            ));
        }
        if !in_other_account(ctx, arn) {
            return Err(invalid_parameter_exception(
                "The replica secret must be in another account in the same Region and \
                 partition as the primary secret.",
            ));
        }
        if primary
            .cross_account_replicas
            .iter()
            .any(|r| r.replica_arn != arn)
        {
            return Err(limit_exceeded_exception(
                "A primary secret can have at most one cross-account replica.",
            ));
        }
        let replica = self.load_arn(arn).await.map_err(internal)?;
        let replica = replica.ok_or_else(not_found)?;
        let named = replica.value.cross_account_primary.as_ref();
        if named.is_none_or(|p| p.primary_arn != primary.arn) {
            return Err(invalid_request_exception(
                "The replica secret isn't a cross-account replica of this primary secret.",
            ));
        }
        let policy = managed_policy(owner_of(&primary.arn));
        let check = AccessCheck {
            action: "secretsmanager:AcceptCrossAccountReplication",
            resource: arn,
            resource_account: owner_of(arn),
            resource_policy: policy.as_ref(),
            require_resource_allow: false,
        };
        ctx.authorize(&check, &ctx.policy_context())
            .map_err(|denied| ServiceError::access_denied(denied.message))?;
        Ok(replica)
    }

    /// Records `entry` on primary `name` and InProgress on its replica, with the sync
    /// enqueued, in one transaction.
    async fn link(
        &self,
        ctx: &RequestContext,
        name: &str,
        entry: &CrossReplicaState,
    ) -> Result<(), ServiceError> {
        for _ in 0..CAS_ATTEMPTS {
            let found = self.load(ctx, name).await?.ok_or_else(not_found)?;
            let replica = self.load_arn(&entry.replica_arn).await.map_err(internal)?;
            let replica = replica.ok_or_else(not_found)?;
            let mut primary = found.value;
            primary.cross_account_replicas = vec![entry.clone()];
            let mut target = replica.value;
            if let Some(p) = target.cross_account_primary.as_mut() {
                p.status = ReplicaStatus::InProgress;
                p.message = None;
            }
            let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
            let rows = (row_of_arn(&primary.arn), row_of_arn(&target.arn));
            let (Some(primary_row), Some(replica_row)) = rows else {
                return Err(internal_error());
            };
            let writes = vec![
                enqueue_sync(account, region, &primary),
                self.tables
                    .secrets
                    .put(&primary_row, &primary, Expect::Version(found.version))
                    .map_err(internal)?,
                self.tables
                    .secrets
                    .put(&replica_row, &target, Expect::Version(replica.version))
                    .map_err(internal)?,
            ];
            match self.store.transact(writes).await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal_error())
    }
}

impl DisassociateCrossAccountReplica for SecretsManagerService {
    async fn disassociate_cross_account_replica(
        &self,
        ctx: &RequestContext,
        input: DisassociateCrossAccountReplicaRequest,
    ) -> Result<DisassociateCrossAccountReplicaResponse, ServiceError> {
        let found = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?;
        let action = "secretsmanager:DisassociateCrossAccountReplica";
        authorize_secret(ctx, action, &found.value)?;
        let arn = input.cross_account_replica_arn.unwrap_or_default();
        if !found
            .value
            .cross_account_replicas
            .iter()
            .any(|r| r.replica_arn == arn)
        {
            // Doubt: AWS's wording for a replica that is not associated is not documented.
            return Err(resource_not_found_exception_for_replica());
        }
        for _ in 0..CAS_ATTEMPTS {
            if self.unlink(ctx, &found.value.name, &arn).await? {
                return Ok(DisassociateCrossAccountReplicaResponse {
                    arn: Some(found.value.arn),
                    cross_account_replica_arn: Some(arn),
                });
            }
        }
        Err(internal_error())
    }
}

fn resource_not_found_exception_for_replica() -> ServiceError {
    crate::generated::errors::resource_not_found_exception(
        "Secrets Manager can't find the specified cross-account replica of this secret.",
    )
}

impl SecretsManagerService {
    /// Takes replica `arn` off primary `name` and marks it Detached, in one transaction;
    /// `false` on a conflict.
    async fn unlink(
        &self,
        ctx: &RequestContext,
        name: &str,
        arn: &str,
    ) -> Result<bool, ServiceError> {
        let found = self.load(ctx, name).await?.ok_or_else(not_found)?;
        let mut primary = found.value;
        primary
            .cross_account_replicas
            .retain(|r| r.replica_arn != arn);
        let row = row_of_arn(&primary.arn).ok_or_else(internal_error)?;
        let put = self
            .tables
            .secrets
            .put(&row, &primary, Expect::Version(found.version));
        let mut writes = vec![put.map_err(internal)?];
        if let Some(replica) = self.load_arn(arn).await.map_err(internal)? {
            let mut target = replica.value;
            if let Some(p) = target.cross_account_primary.as_mut()
                && p.primary_arn == primary.arn
            {
                p.status = ReplicaStatus::Detached;
                p.message = None;
                let row = row_of_arn(arn).ok_or_else(internal_error)?;
                let put = self
                    .tables
                    .secrets
                    .put(&row, &target, Expect::Version(replica.version));
                writes.push(put.map_err(internal)?);
            }
        }
        match self.store.transact(writes).await {
            Ok(()) => Ok(true),
            Err(e) if e.is_conflict() => Ok(false),
            Err(e) => Err(internal(e)),
        }
    }

    /// StopReplicationToReplica on a replica of another account's secret: it becomes
    /// standalone (its managed policy goes, so DeleteResourcePolicy is needed too) and the
    /// primary's entry turns Detached, in one transaction; `false` on a conflict.
    pub(crate) async fn stop_cross(
        &self,
        ctx: &RequestContext,
        name: &str,
    ) -> Result<bool, ServiceError> {
        let found = self.load(ctx, name).await?.ok_or_else(not_found)?;
        authorize_secret(ctx, "secretsmanager:DeleteResourcePolicy", &found.value)?;
        let mut replica = found.value;
        let Some(link) = replica.cross_account_primary.take() else {
            return Ok(true);
        };
        let row = row_of_arn(&replica.arn).ok_or_else(internal_error)?;
        let put = self
            .tables
            .secrets
            .put(&row, &replica, Expect::Version(found.version));
        let mut writes = vec![put.map_err(internal)?];
        if let Some(primary) = self.load_arn(&link.primary_arn).await.map_err(internal)? {
            let mut record = primary.value;
            let mut entries = record.cross_account_replicas.iter_mut();
            if let Some(entry) = entries.find(|r| r.replica_arn == replica.arn) {
                entry.status = ReplicaStatus::Detached;
                entry.message = None;
                let row = row_of_arn(&record.arn).ok_or_else(internal_error)?;
                let put = self
                    .tables
                    .secrets
                    .put(&row, &record, Expect::Version(primary.version));
                writes.push(put.map_err(internal)?);
            }
        }
        match self.store.transact(writes).await {
            Ok(()) => Ok(true),
            Err(e) if e.is_conflict() => Ok(false),
            Err(e) => Err(internal(e)),
        }
    }
}

/// DescribeSecret's CrossAccountPrimary of `record` (on a cross-account replica).
pub fn cross_primary(record: &SecretRecord) -> Option<CrossAccountPrimaryType> {
    record
        .cross_account_primary
        .as_ref()
        .map(|p| CrossAccountPrimaryType {
            primary_secret_arn: Some(p.primary_arn.clone()),
            replication_status: Some(p.status.wire()),
            status_message: p.message.clone(),
        })
}

/// DescribeSecret's CrossAccountReplicas of `record` (on a primary).
pub fn cross_replicas(record: &SecretRecord) -> Option<Vec<CrossAccountReplicaEntry>> {
    let list = &record.cross_account_replicas;
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|r| CrossAccountReplicaEntry {
                replica_secret_arn: Some(r.replica_arn.clone()),
                replication_role_arn: r.role_arn.clone(),
                replication_status: Some(r.status.wire()),
                status_message: r.message.clone(),
            })
            .collect()
    })
}
