//! RotateSecret and CancelRotateSecret (rotation is being built: both still answer that
//! Rampart does not implement them, after the request is decoded and validated).

use crate::SecretsManagerService;
use crate::generated::{CancelRotateSecret, CancelRotateSecretRequest, CancelRotateSecretResponse};
use crate::generated::{RotateSecret, RotateSecretRequest, RotateSecretResponse, ServiceError};
use rampart_core::RequestContext;

impl RotateSecret for SecretsManagerService {
    async fn rotate_secret(
        &self,
        _ctx: &RequestContext,
        _input: RotateSecretRequest,
    ) -> Result<RotateSecretResponse, ServiceError> {
        Err(ServiceError::not_implemented(
            crate::generated::SERVICE_ID,
            "RotateSecret",
        ))
    }
}

impl CancelRotateSecret for SecretsManagerService {
    async fn cancel_rotate_secret(
        &self,
        _ctx: &RequestContext,
        _input: CancelRotateSecretRequest,
    ) -> Result<CancelRotateSecretResponse, ServiceError> {
        Err(ServiceError::not_implemented(
            crate::generated::SERVICE_ID,
            "CancelRotateSecret",
        ))
    }
}
