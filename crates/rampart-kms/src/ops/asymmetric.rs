//! Asymmetric and HMAC operations: GetPublicKey, Sign, Verify, GenerateMac, VerifyMac,
//! GenerateDataKeyPair(WithoutPlaintext), DeriveSharedSecret, Encapsulate, Decapsulate.

use crate::KmsService;
use crate::domain::KmsError;
use crate::generated::shapes::*;
use rampart_core::RequestContext;

impl KmsService {
    pub(crate) async fn get_public_key_op(
        &self,
        _ctx: &RequestContext,
        _input: GetPublicKeyRequest,
    ) -> Result<GetPublicKeyResponse, KmsError> {
        Err(KmsError::Unsupported(
            "get_public_key is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn sign_op(
        &self,
        _ctx: &RequestContext,
        _input: SignRequest,
    ) -> Result<SignResponse, KmsError> {
        Err(KmsError::Unsupported("sign is not implemented yet.".into()))
    }
    pub(crate) async fn verify_op(
        &self,
        _ctx: &RequestContext,
        _input: VerifyRequest,
    ) -> Result<VerifyResponse, KmsError> {
        Err(KmsError::Unsupported(
            "verify is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn generate_mac_op(
        &self,
        _ctx: &RequestContext,
        _input: GenerateMacRequest,
    ) -> Result<GenerateMacResponse, KmsError> {
        Err(KmsError::Unsupported(
            "generate_mac is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn verify_mac_op(
        &self,
        _ctx: &RequestContext,
        _input: VerifyMacRequest,
    ) -> Result<VerifyMacResponse, KmsError> {
        Err(KmsError::Unsupported(
            "verify_mac is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn generate_data_key_pair_op(
        &self,
        _ctx: &RequestContext,
        _input: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse, KmsError> {
        Err(KmsError::Unsupported(
            "generate_data_key_pair is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn generate_data_key_pair_without_plaintext_op(
        &self,
        _ctx: &RequestContext,
        _input: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse, KmsError> {
        Err(KmsError::Unsupported(
            "generate_data_key_pair_without_plaintext is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn derive_shared_secret_op(
        &self,
        _ctx: &RequestContext,
        _input: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse, KmsError> {
        Err(KmsError::Unsupported(
            "derive_shared_secret is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn encapsulate_op(
        &self,
        _ctx: &RequestContext,
        _input: EncapsulateRequest,
    ) -> Result<EncapsulateResponse, KmsError> {
        Err(KmsError::Unsupported(
            "encapsulate is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn decapsulate_op(
        &self,
        _ctx: &RequestContext,
        _input: DecapsulateRequest,
    ) -> Result<DecapsulateResponse, KmsError> {
        Err(KmsError::Unsupported(
            "decapsulate is not implemented yet.".into(),
        ))
    }
}
