//! Multi-Region CAs and service affiliation. A CA created SERVICE_AFFILIATED with
//! `IAM_WORKLOAD_IDENTITY` (AWS IAM for agents and workloads) is the PRIMARY of a multi-Region
//! CA; a replica is a CA row of its own in (account, replica Region) with the primary's id,
//! key (re-sealed under its own ARN), certificate and chain, so the ordinary reads serve it in
//! its Region. The primary's row lists its replicas (Region, ARN, idempotency token), written
//! in the transaction that creates each replica row.

use crate::generated::errors::{invalid_args_exception, invalid_state_exception};
use crate::generated::{MultiRegionConfiguration, MultiRegionType, ServiceError};
use crate::record::CaRecord;
use serde::{Deserialize, Serialize};

/// The one service affiliation AWS offers: AWS IAM for agents and workloads.
pub const WORKLOAD_IDENTITY: &str = "IAM_WORKLOAD_IDENTITY";

/// A multi-Region CA's role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiRegion {
    /// For a replica, its primary's ARN; `None` for the primary.
    pub primary_arn: Option<String>,
    /// For the primary, its replicas, oldest first.
    pub replicas: Vec<ReplicaEntry>,
}

/// What a primary records of one replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaEntry {
    pub region: String,
    pub arn: String,
    /// The idempotency token that created it (a retry with it answers this replica).
    pub token: Option<String>,
    pub created_ms: i64,
}

impl MultiRegion {
    /// The role of a new service-affiliated CA.
    pub fn primary() -> MultiRegion {
        MultiRegion::default()
    }

    /// The role of a replica of `primary_arn`.
    pub fn replica_of(primary_arn: &str) -> MultiRegion {
        MultiRegion {
            primary_arn: Some(primary_arn.to_owned()),
            replicas: Vec::new(),
        }
    }

    /// The wire `MultiRegionConfiguration`.
    pub fn wire(&self) -> MultiRegionConfiguration {
        let kind = match self.primary_arn {
            Some(_) => MultiRegionType::Replica,
            None => MultiRegionType::Primary,
        };
        MultiRegionConfiguration {
            multi_region_type: Some(kind),
        }
    }
}

impl CaRecord {
    /// Whether this CA is a replica of a multi-Region CA.
    pub fn is_replica(&self) -> bool {
        self.multi_region
            .as_ref()
            .is_some_and(|m| m.primary_arn.is_some())
    }

    /// The replicas a primary lists (none for other CAs).
    pub fn replicas(&self) -> &[ReplicaEntry] {
        self.multi_region
            .as_ref()
            .map(|m| m.replicas.as_slice())
            .unwrap_or_default()
    }
}

/// The record of the primary `record` to replicate: a multi-Region primary, ACTIVE.
// Doubt: AWS's wording for these refusals is not documented.
pub fn check_primary(record: &CaRecord) -> Result<(), ServiceError> {
    match &record.multi_region {
        None => Err(invalid_args_exception(format!(
            "The certificate authority {} is not a multi-Region certificate authority.",
            record.arn
        ))),
        Some(m) if m.primary_arn.is_some() => Err(invalid_args_exception(format!(
            "The certificate authority {} is a replica. Specify the primary certificate authority.",
            record.arn
        ))),
        Some(_) if record.status != "ACTIVE" => Err(invalid_state_exception(format!(
            "The certificate authority {} is in the {} state. Only an ACTIVE certificate authority can be replicated.",
            record.arn, record.status
        ))),
        Some(_) => Ok(()),
    }
}

/// A replica of `primary` in `region` at `arn`: the primary's configuration, certificate and
/// chain, the key `sealed` under the replica's ARN, ACTIVE, with its own `tags`.
pub fn replica_record(
    primary: &CaRecord,
    arn: &str,
    sealed: String,
    tags: Vec<(String, String)>,
    now_ms: i64,
) -> CaRecord {
    let mut replica = primary.clone();
    replica.arn = arn.to_owned();
    replica.sealed_key = sealed;
    replica.status = "ACTIVE".into();
    replica.created_ms = now_ms;
    replica.last_state_change_ms = now_ms;
    replica.restorable_until_ms = None;
    replica.status_before_delete = None;
    replica.tags = tags;
    replica.idempotency = None;
    replica.governance = Default::default();
    replica.multi_region = Some(MultiRegion::replica_of(&primary.arn));
    replica
}

/// The ARN of the CA `arn` names in `region` (same partition, account and id).
pub fn arn_in_region(arn: &str, region: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_word, partition, service, _, account, resource] = parts.as_slice() else {
        return None;
    };
    Some(format!(
        "{arn_word}:{partition}:{service}:{region}:{account}:{resource}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_arns_differ_only_by_region() {
        let arn = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/a1b2";
        assert_eq!(
            arn_in_region(arn, "eu-west-1").as_deref(),
            Some("arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/a1b2")
        );
        assert_eq!(arn_in_region("not-an-arn", "eu-west-1"), None);
    }

    #[test]
    fn roles_render_as_aws_names_them() {
        let primary = MultiRegion::primary().wire();
        assert_eq!(primary.multi_region_type, Some(MultiRegionType::Primary));
        let replica = MultiRegion::replica_of("arn:p").wire();
        assert_eq!(replica.multi_region_type, Some(MultiRegionType::Replica));
    }
}
