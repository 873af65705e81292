//! The sync of a replica in another account (cross-account replication): the replica keeps
//! its own name, metadata, policy and key; only the primary's versions are copied, each value
//! opened as the primary's owner and sealed under the replica's customer key as the primary's
//! owner too, so the replica account's key policy must let the primary account encrypt (the
//! other account's side, checked by KMS on every sync). The replica row, its values and both
//! sides' statuses commit in one transaction, the primary still at the version read.
//! Doubt: AWS acts through a ReplicationRoleARN it assumes or a forward access session of the
//! caller; Rampart records the role and acts as the primary account's root.

use super::sync::{Failure, Sides};
use super::{CrossReplicaState, ReplicaStatus, SYNCED, SyncItem};
use crate::SecretsManagerService;
use crate::policy::{owner_of, region_of};
use crate::record::{SecretRecord, secret_row};
use crate::service::CAS_ATTEMPTS;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write};

/// StatusMessage of a replica that no longer exists or names another primary. Doubt: AWS's
/// wording is not documented.
const UNLINKED: &str =
    "Replication failed: the replica secret does not exist or does not name this primary secret.";

/// The name a secret ARN carries (without its `-` and six characters).
pub fn name_in_arn(arn: &str) -> Option<&str> {
    let (_, named) = arn.split_once(":secret:")?;
    let end = named.len().checked_sub(7)?;
    named
        .get(..end)
        .filter(|_| named.get(end..end + 1) == Some("-"))
}

/// The row of the secret whose ARN is `arn`.
pub fn row_of_arn(arn: &str) -> Option<String> {
    Some(secret_row(owner_of(arn), region_of(arn), name_in_arn(arn)?))
}

/// A sync's outcome as (status, message, settled), or the internal fault to retry on.
fn outcome(result: Result<(), Failure>) -> Result<(ReplicaStatus, String, bool), String> {
    match result {
        Ok(()) => Ok((ReplicaStatus::InSync, SYNCED.to_owned(), true)),
        Err(Failure::Lasting(m)) => Ok((ReplicaStatus::Failed, m, true)),
        Err(Failure::Retry(m)) => Ok((ReplicaStatus::Failed, m, false)),
        Err(Failure::Internal(e)) => Err(e),
    }
}

impl SecretsManagerService {
    /// The stored secret whose full ARN is `arn`.
    pub(crate) async fn load_arn(
        &self,
        arn: &str,
    ) -> Result<Option<Versioned<SecretRecord>>, rampart_store::StoreError> {
        let Some(row) = row_of_arn(arn) else {
            return Ok(None);
        };
        let found = self.tables.secrets.get(&row).await?;
        Ok(found.filter(|f| f.value.arn == arn))
    }

    /// Syncs the item's primary to its replica in another account; whether settled.
    pub(super) async fn sync_cross(&self, item: &SyncItem) -> Result<bool, String> {
        for _ in 0..CAS_ATTEMPTS {
            let Some(found) = self.primary_of(item).await? else {
                return Ok(true);
            };
            let entry = found.value.cross_account_replicas.first().cloned();
            let Some(entry) = entry.filter(|e| e.status != ReplicaStatus::Detached) else {
                return Ok(true);
            };
            let replica = self.load_arn(&entry.replica_arn).await;
            let replica = replica.map_err(|e| e.to_string())?.filter(|r| {
                let primary = r.value.cross_account_primary.as_ref();
                primary.is_some_and(|p| p.primary_arn == found.value.arn)
            });
            let mut writes = Vec::new();
            let (status, message, settled) = match &replica {
                None => (ReplicaStatus::Failed, UNLINKED.to_owned(), true),
                Some(r) => outcome(self.cross_writes(&found.value, r, &mut writes).await)?,
            };
            if writes.is_empty()
                && let Some(r) = &replica
            {
                writes.push(self.replica_status_write(r, status, &message)?);
            }
            let mut primary = found.value;
            primary.cross_account_replicas = vec![CrossReplicaState {
                status,
                message: Some(message),
                ..entry
            }];
            let row = secret_row(&item.account, &item.region, &item.name);
            let put = self
                .tables
                .secrets
                .put(&row, &primary, Expect::Version(found.version));
            writes.push(put.map_err(|e| e.to_string())?);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(settled),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("cross-account replication writes kept conflicting".into())
    }

    /// The writes making `replica`'s versions those of `primary`, its status InSync.
    async fn cross_writes(
        &self,
        primary: &SecretRecord,
        replica: &Versioned<SecretRecord>,
        writes: &mut Vec<Write>,
    ) -> Result<(), Failure> {
        let (account, region) = (owner_of(&primary.arn), region_of(&primary.arn));
        let side = || {
            RequestContext::for_account_root(account, region)
                .ok_or(Failure::Internal("account".into()))
        };
        let sides = Sides {
            primary: side()?,
            replica: side()?,
        };
        let mut target = replica.value.clone();
        self.follow_versions(primary, &mut target, Some(&replica.value), &sides, writes)
            .await?;
        if let Some(p) = target.cross_account_primary.as_mut() {
            p.status = ReplicaStatus::InSync;
            p.message = Some(SYNCED.to_owned());
        }
        let row = row_of_arn(&target.arn).ok_or(Failure::Internal("replica ARN".into()))?;
        let put = self
            .tables
            .secrets
            .put(&row, &target, Expect::Version(replica.version));
        writes.push(put.map_err(|e| Failure::Internal(e.to_string()))?);
        Ok(())
    }

    /// The write recording `status` on `replica`'s side.
    fn replica_status_write(
        &self,
        replica: &Versioned<SecretRecord>,
        status: ReplicaStatus,
        message: &str,
    ) -> Result<Write, String> {
        let mut target = replica.value.clone();
        if let Some(p) = target.cross_account_primary.as_mut() {
            p.status = status;
            p.message = Some(message.to_owned());
        }
        let row = row_of_arn(&target.arn).ok_or("replica ARN")?;
        let put = self
            .tables
            .secrets
            .put(&row, &target, Expect::Version(replica.version));
        put.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_out_of_arns() {
        let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:a/b-c-AbCdEf";
        assert_eq!(name_in_arn(arn), Some("a/b-c"));
        assert_eq!(
            name_in_arn("arn:aws:secretsmanager:us-east-1:1:secret:short"),
            None
        );
        assert_eq!(name_in_arn("not an arn"), None);
    }
}
