//! Multi-Region keys (ReplicateKey, UpdatePrimaryRegion) and GetKeyLastUsage.

use crate::KmsService;
use crate::domain::KmsError;
use crate::generated::shapes::*;
use rampart_core::RequestContext;

impl KmsService {
    pub(crate) async fn replicate_key_op(
        &self,
        _ctx: &RequestContext,
        _input: ReplicateKeyRequest,
    ) -> Result<ReplicateKeyResponse, KmsError> {
        Err(KmsError::Unsupported(
            "replicate_key is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn update_primary_region_op(
        &self,
        _ctx: &RequestContext,
        _input: UpdatePrimaryRegionRequest,
    ) -> Result<(), KmsError> {
        Err(KmsError::Unsupported(
            "update_primary_region is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn get_key_last_usage_op(
        &self,
        _ctx: &RequestContext,
        _input: GetKeyLastUsageRequest,
    ) -> Result<GetKeyLastUsageResponse, KmsError> {
        Err(KmsError::Unsupported(
            "get_key_last_usage is not implemented yet.".into(),
        ))
    }
}
