//! CreateCertificateAuthorityReplica, BatchCreateCertificateAuthorityReplica and
//! ListCertificateAuthorityReplicas (see `multi_region`). A replica is created in the
//! transaction that lists it on its primary; AWS creates replicas asynchronously and answers
//! CREATING, and so does Rampart, whose replica is ACTIVE by the time the answer arrives.

use crate::generated::errors::{
    conflict_exception, invalid_args_exception, invalid_next_token_exception,
};
use crate::generated::*;
use crate::keys;
use crate::multi_region::{ReplicaEntry, arn_in_region, check_primary, replica_record};
use crate::ops::tags::tag_pairs;
use crate::service::{AcmPcaService, CaRef, authorize, ca_ref, internal, internal_error};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_core::RequestContext;
use rampart_store::Expect;

/// ListCertificateAuthorityReplicas' page size when MaxResults is absent.
// Doubt: AWS does not document its default page size.
const DEFAULT_PAGE: usize = 100;

/// One replica to create.
struct Wanted<'a> {
    region: &'a str,
    tags: &'a [Tag],
    token: Option<&'a str>,
}

impl CreateCertificateAuthorityReplica for AcmPcaService {
    async fn create_certificate_authority_replica(
        &self,
        ctx: &RequestContext,
        input: CreateCertificateAuthorityReplicaRequest,
    ) -> Result<CreateCertificateAuthorityReplicaResponse, ServiceError> {
        let primary = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        let wanted = Wanted {
            region: input.replica_region.as_deref().unwrap_or_default(),
            tags: input.tags.as_deref().unwrap_or_default(),
            token: input.idempotency_token.as_deref(),
        };
        check_region(&primary, wanted.region)?;
        self.authorize_replica(ctx, &primary, &wanted)?;
        let replica = self.replicate(&primary, &wanted).await?;
        Ok(CreateCertificateAuthorityReplicaResponse {
            replica: Some(replica),
        })
    }
}

impl BatchCreateCertificateAuthorityReplica for AcmPcaService {
    async fn batch_create_certificate_authority_replica(
        &self,
        ctx: &RequestContext,
        input: BatchCreateCertificateAuthorityReplicaRequest,
    ) -> Result<BatchCreateCertificateAuthorityReplicaResponse, ServiceError> {
        let primary = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        let entries = input.replicas.unwrap_or_default();
        let wanted: Vec<Wanted<'_>> = entries
            .iter()
            .map(|e| Wanted {
                region: e.replica_region.as_deref().unwrap_or_default(),
                tags: e.tags.as_deref().unwrap_or_default(),
                token: e.idempotency_token.as_deref(),
            })
            .collect();
        for (i, one) in wanted.iter().enumerate() {
            check_region(&primary, one.region)?;
            if wanted[..i].iter().any(|w| w.region == one.region) {
                // Doubt: AWS's wording is not documented.
                return Err(invalid_args_exception(format!(
                    "The Region {} is specified more than once.",
                    one.region
                )));
            }
        }
        // Every replica is authorized before any is created: one denial denies the request.
        for one in &wanted {
            self.authorize_replica(ctx, &primary, one)?;
        }
        check_primary(&self.load(&primary).await?.value)?;
        let (mut successful, mut failed) = (Vec::new(), Vec::new());
        for one in &wanted {
            match self.replicate(&primary, one).await {
                Ok(replica) => successful.push(replica),
                Err(e) => failed.push(failure(one.region, &e)),
            }
        }
        Ok(BatchCreateCertificateAuthorityReplicaResponse {
            successful: Some(successful),
            failed: Some(failed),
        })
    }
}

impl ListCertificateAuthorityReplicas for AcmPcaService {
    async fn list_certificate_authority_replicas(
        &self,
        ctx: &RequestContext,
        input: ListCertificateAuthorityReplicasRequest,
    ) -> Result<ListCertificateAuthorityReplicasResponse, ServiceError> {
        let ca = ca_ref(&input.certificate_authority_arn.unwrap_or_default())?;
        authorize(
            ctx,
            "ListCertificateAuthorityReplicas",
            &ca.arn,
            &ca.account,
        )?;
        let after = input
            .next_token
            .as_deref()
            .map(decode_position)
            .transpose()?;
        let limit = input
            .max_results
            .map_or(DEFAULT_PAGE, |n| n.max(1) as usize);
        let record = self.load(&ca).await?.value;
        if record.is_replica() {
            // Doubt: AWS's wording is not documented.
            return Err(invalid_args_exception(format!(
                "The certificate authority {} is a replica. Specify the primary certificate authority.",
                ca.arn
            )));
        }
        let mut entries = record.replicas().to_vec();
        entries.sort_by_key(position);
        entries.retain(|e| after.as_ref() < Some(&position(e)));
        let (replicas, next_token) = self.replica_page(&ca, &entries, limit).await?;
        Ok(ListCertificateAuthorityReplicasResponse {
            replicas: Some(replicas),
            next_token,
        })
    }
}

impl AcmPcaService {
    /// Up to `limit` live replicas of `entries` (in order), and the NextToken when more follow.
    async fn replica_page(
        &self,
        primary: &CaRef,
        entries: &[ReplicaEntry],
        limit: usize,
    ) -> Result<(Vec<Replica>, Option<String>), ServiceError> {
        let mut found: Vec<(&ReplicaEntry, Replica)> = Vec::new();
        for entry in entries {
            if found.len() == limit {
                let token = found.last().map(|(e, _)| encode_position(e));
                return Ok((found.into_iter().map(|(_, r)| r).collect(), token));
            }
            if let Some(replica) = self.listed(primary, entry).await? {
                found.push((entry, replica));
            }
        }
        Ok((found.into_iter().map(|(_, r)| r).collect(), None))
    }
}

impl AcmPcaService {
    /// The caller may replicate `primary`, create a CA (in the replica's Region) and, when the
    /// replica is tagged, tag it.
    fn authorize_replica(
        &self,
        ctx: &RequestContext,
        primary: &CaRef,
        wanted: &Wanted<'_>,
    ) -> Result<(), ServiceError> {
        let op = "CreateCertificateAuthorityReplica";
        authorize(ctx, op, &primary.arn, &primary.account)?;
        authorize(ctx, "CreateCertificateAuthority", "*", &primary.account)?;
        if !wanted.tags.is_empty() {
            let arn = replica_arn(primary, wanted.region)?;
            authorize(ctx, "TagCertificateAuthority", &arn, &primary.account)?;
        }
        Ok(())
    }

    /// Creates the replica of `primary` that `wanted` describes, or answers the replica a
    /// repeated idempotency token created.
    async fn replicate(
        &self,
        primary: &CaRef,
        wanted: &Wanted<'_>,
    ) -> Result<Replica, ServiceError> {
        let record = self.load(primary).await?.value;
        check_primary(&record)?;
        if let Some(entry) = record.replicas().iter().find(|e| e.region == wanted.region) {
            return match wanted.token.is_some() && entry.token.as_deref() == wanted.token {
                true => Ok(creating(entry)),
                false => Err(already_replicated(wanted.region)),
            };
        }
        let replica = ca_ref(&replica_arn(primary, wanted.region)?)?;
        let existing = self.tables.authorities.get(&replica.row()).await;
        if existing.map_err(internal)?.is_some() {
            return Err(already_replicated(wanted.region));
        }
        self.check_quota(&replica.account, &replica.region).await?;
        let entry = ReplicaEntry {
            region: wanted.region.to_owned(),
            arn: replica.arn.clone(),
            token: wanted.token.map(str::to_owned),
            created_ms: self.now_ms(),
        };
        self.write_replica(primary, &replica, &entry, wanted.tags)
            .await?;
        Ok(creating(&entry))
    }

    /// Writes the replica row `entry` describes and lists it on `primary`, in one transaction.
    async fn write_replica(
        &self,
        primary: &CaRef,
        replica: &CaRef,
        entry: &ReplicaEntry,
        tags: &[Tag],
    ) -> Result<(), ServiceError> {
        let tags = tag_pairs(tags);
        self.mutate(primary, |record| {
            check_primary(record)?;
            if record.replicas().iter().any(|e| e.region == entry.region) {
                return Err(already_replicated(&entry.region));
            }
            let sealed = keys::reseal(&self.domain, &record.arn, &replica.arn, &record.sealed_key)
                .map_err(|e| {
                    tracing::error!(fault = e.0, "ACM PCA key failure");
                    internal_error()
                })?;
            let row = replica_record(record, &replica.arn, sealed, tags.clone(), entry.created_ms);
            let put = self
                .tables
                .authorities
                .put(&replica.row(), &row, Expect::Absent);
            if let Some(multi) = record.multi_region.as_mut() {
                multi.replicas.push(entry.clone());
            }
            Ok(vec![put.map_err(internal)?])
        })
        .await?;
        Ok(())
    }

    /// The listed form of `entry` of `primary`, unless the replica was deleted.
    async fn listed(
        &self,
        primary: &CaRef,
        entry: &ReplicaEntry,
    ) -> Result<Option<Replica>, ServiceError> {
        let Ok(replica) = ca_ref(&entry.arn) else {
            return Ok(None);
        };
        let found = self.tables.authorities.get(&replica.row()).await;
        let Some(mut row) = found.map_err(internal)?.map(|r| r.value) else {
            return Ok(None);
        };
        row.expire_at(self.now_ms());
        let ours = row
            .multi_region
            .as_ref()
            .and_then(|m| m.primary_arn.as_deref());
        if row.status == "DELETED" || ours != Some(primary.arn.as_str()) {
            return Ok(None);
        }
        Ok(Some(Replica {
            arn: Some(entry.arn.clone()),
            region: Some(entry.region.clone()),
            status: Some(row.status.as_str().into()),
            failure_reason: None,
        }))
    }
}

/// The replica Region must differ from the primary's.
fn check_region(primary: &CaRef, region: &str) -> Result<(), ServiceError> {
    if region == primary.region {
        // Doubt: AWS's wording is not documented.
        return Err(invalid_args_exception(format!(
            "The replica Region {region} is the Region of the primary certificate authority. Specify another Region."
        )));
    }
    Ok(())
}

/// The ARN of `primary`'s replica in `region`.
fn replica_arn(primary: &CaRef, region: &str) -> Result<String, ServiceError> {
    arn_in_region(&primary.arn, region).ok_or_else(internal_error)
}

/// ConflictException for a Region that already has a replica.
// Doubt: AWS's wording is not documented.
fn already_replicated(region: &str) -> ServiceError {
    conflict_exception(format!(
        "The certificate authority already has a replica in the Region {region}."
    ))
}

/// A replica as the create operations answer it: CREATING, as AWS answers.
fn creating(entry: &ReplicaEntry) -> Replica {
    Replica {
        arn: Some(entry.arn.clone()),
        region: Some(entry.region.clone()),
        status: Some(CertificateAuthorityStatus::Creating),
        failure_reason: None,
    }
}

/// A batch entry's failure, with the FailureReason AWS gives for the error.
fn failure(region: &str, err: &ServiceError) -> FailedReplica {
    let reason = match err.code.as_ref() {
        "ConflictException" => ReplicaFailureReason::Conflict,
        "LimitExceededException" => ReplicaFailureReason::LimitExceeded,
        "InvalidTagException" => ReplicaFailureReason::InvalidTag,
        "RequestInProgressException" => ReplicaFailureReason::RequestInProgress,
        _ => ReplicaFailureReason::Other,
    };
    FailedReplica {
        region: Some(region.to_owned()),
        failure_reason: Some(reason),
        message: Some(err.message.to_string()),
    }
}

/// A replica's place in the listing: creation time, then Region.
fn position(entry: &ReplicaEntry) -> (i64, String) {
    (entry.created_ms, entry.region.clone())
}

/// The NextToken continuing after `entry`.
fn encode_position(entry: &ReplicaEntry) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}/{}", entry.created_ms, entry.region))
}

/// The position a NextToken continues after.
fn decode_position(token: &str) -> Result<(i64, String), ServiceError> {
    // Doubt: AWS's wording for a bad NextToken is not documented.
    let bad = || invalid_next_token_exception("The token is invalid.");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (ms, region) = text.split_once('/').ok_or_else(bad)?;
    Ok((ms.parse().map_err(|_| bad())?, region.to_owned()))
}
