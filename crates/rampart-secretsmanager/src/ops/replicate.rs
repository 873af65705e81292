//! The replication operations (being built: each still answers that Rampart does not implement
//! it, after the request is decoded and validated).

use crate::SecretsManagerService;
use crate::generated::*;
use rampart_core::RequestContext;

/// The answer of a replication operation that is not implemented yet.
fn not_yet(operation: &str) -> ServiceError {
    ServiceError::not_implemented(SERVICE_ID, operation)
}

impl ReplicateSecretToRegions for SecretsManagerService {
    async fn replicate_secret_to_regions(
        &self,
        _ctx: &RequestContext,
        _input: ReplicateSecretToRegionsRequest,
    ) -> Result<ReplicateSecretToRegionsResponse, ServiceError> {
        Err(not_yet("ReplicateSecretToRegions"))
    }
}

impl RemoveRegionsFromReplication for SecretsManagerService {
    async fn remove_regions_from_replication(
        &self,
        _ctx: &RequestContext,
        _input: RemoveRegionsFromReplicationRequest,
    ) -> Result<RemoveRegionsFromReplicationResponse, ServiceError> {
        Err(not_yet("RemoveRegionsFromReplication"))
    }
}

impl StopReplicationToReplica for SecretsManagerService {
    async fn stop_replication_to_replica(
        &self,
        _ctx: &RequestContext,
        _input: StopReplicationToReplicaRequest,
    ) -> Result<StopReplicationToReplicaResponse, ServiceError> {
        Err(not_yet("StopReplicationToReplica"))
    }
}

impl AssociateCrossAccountReplica for SecretsManagerService {
    async fn associate_cross_account_replica(
        &self,
        _ctx: &RequestContext,
        _input: AssociateCrossAccountReplicaRequest,
    ) -> Result<AssociateCrossAccountReplicaResponse, ServiceError> {
        Err(not_yet("AssociateCrossAccountReplica"))
    }
}

impl DisassociateCrossAccountReplica for SecretsManagerService {
    async fn disassociate_cross_account_replica(
        &self,
        _ctx: &RequestContext,
        _input: DisassociateCrossAccountReplicaRequest,
    ) -> Result<DisassociateCrossAccountReplicaResponse, ServiceError> {
        Err(not_yet("DisassociateCrossAccountReplica"))
    }
}
