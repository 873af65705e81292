//! DeleteSecret (a recovery window of 7–30 days, 30 by default, or ForceDeleteWithoutRecovery)
//! and RestoreSecret. A scheduled deletion enqueues a due item that the deletion job acts on.
//! A replica cannot be deleted (nor restored) in its Region, nor a primary that has replicas.

use crate::SecretsManagerService;
use crate::deletion::schedule;
use crate::generated::errors::{invalid_parameter_exception, invalid_request_exception};
use crate::generated::{DeleteSecret, DeleteSecretRequest, DeleteSecretResponse, ServiceError};
use crate::generated::{RestoreSecret, RestoreSecretRequest, RestoreSecretResponse};
use crate::ids::secret_id;
use crate::policy::authorize_secret;
use crate::record::{SecretRecord, secret_row};
use crate::replication::refuse_replica;
use crate::service::internal;
use rampart_codec::Timestamp;
use rampart_core::RequestContext;
use rampart_store::Expect;

const DAY_MS: i64 = 86_400_000;

/// The recovery window a request asks for, in days.
fn window(input: &DeleteSecretRequest) -> Result<Option<i64>, ServiceError> {
    let force = input.force_delete_without_recovery.unwrap_or(false);
    match (force, input.recovery_window_in_days) {
        (true, Some(_)) => Err(invalid_parameter_exception(
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        )),
        (true, None) => Ok(None),
        (false, Some(days)) if !(7..=30).contains(&days) => Err(invalid_parameter_exception(
            "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        )),
        (false, days) => Ok(Some(days.unwrap_or(30))),
    }
}

impl DeleteSecret for SecretsManagerService {
    async fn delete_secret(
        &self,
        ctx: &RequestContext,
        input: DeleteSecretRequest,
    ) -> Result<DeleteSecretResponse, ServiceError> {
        let found = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?;
        let record = &found.value;
        authorize_secret(ctx, "secretsmanager:DeleteSecret", record)?;
        refuse_replica(record)?;
        if !record.replicas.is_empty() {
            return Err(still_replicated(record));
        }
        still_linked(record)?;
        let window = window(&input)?;
        let now = self.now_ms();
        let Some(days) = window else {
            let row = secret_row(ctx.account().as_str(), ctx.region.as_str(), &record.name);
            let mut writes = self.delete_values(&record.arn).await.map_err(internal)?;
            let delete = self
                .tables
                .secrets
                .delete(&row, Expect::Version(found.version));
            writes.push(delete);
            self.store.transact(writes).await.map_err(internal)?;
            return Ok(response(&record.arn, &record.name, now));
        };
        let due = now + days * DAY_MS;
        let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
        let record = self
            .mutate(ctx, &record.name, |r| {
                if r.deleted_ms.is_some() {
                    return Err(invalid_request_exception(
                        "You can't perform this operation on the secret because it was already \
                         scheduled for deletion.",
                    ));
                }
                r.deleted_ms = Some(now);
                r.deletion_due_ms = Some(due);
                Ok(vec![schedule(account, region, r, due)])
            })
            .await?;
        Ok(response(&record.arn, &record.name, due))
    }
}

/// InvalidParameterException for deleting a primary that still has replicas, as AWS words it.
fn still_replicated(record: &SecretRecord) -> ServiceError {
    let mut regions: Vec<&str> = record.replicas.iter().map(|r| r.region.as_str()).collect();
    regions.sort_unstable();
    invalid_parameter_exception(format!(
        "You can't delete secret {} that still has replica regions [{}].",
        record.arn,
        regions.join(", ")
    ))
}

/// Refuses deleting a secret still linked to another account's: a primary with an associated
/// replica, or a replica that has not stopped replication. Doubt: AWS documents both rules,
/// not their wording.
fn still_linked(record: &SecretRecord) -> Result<(), ServiceError> {
    if !record.cross_account_replicas.is_empty() {
        return Err(invalid_parameter_exception(format!(
            "You can't delete secret {} that still has a cross-account replica. Call \
             DisassociateCrossAccountReplica first.",
            record.arn
        )));
    }
    if record.cross_account_primary.is_some() {
        return Err(invalid_parameter_exception(format!(
            "You can't delete secret {} that is still a cross-account replica. Call \
             StopReplicationToReplica first.",
            record.arn
        )));
    }
    Ok(())
}

fn response(arn: &str, name: &str, deletion_ms: i64) -> DeleteSecretResponse {
    DeleteSecretResponse {
        arn: Some(arn.to_owned()),
        name: Some(name.to_owned()),
        deletion_date: Some(Timestamp::from_epoch_millis(deletion_ms)),
    }
}

impl RestoreSecret for SecretsManagerService {
    async fn restore_secret(
        &self,
        ctx: &RequestContext,
        input: RestoreSecretRequest,
    ) -> Result<RestoreSecretResponse, ServiceError> {
        let found = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?;
        authorize_secret(ctx, "secretsmanager:RestoreSecret", &found.value)?;
        let record = self
            .mutate(ctx, &found.value.name, |r| {
                r.deleted_ms = None;
                r.deletion_due_ms = None;
                Ok(vec![])
            })
            .await?;
        Ok(RestoreSecretResponse {
            arn: Some(record.arn),
            name: Some(record.name),
        })
    }
}
