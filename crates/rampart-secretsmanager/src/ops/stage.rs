//! UpdateSecretVersionStage: moves or removes a staging label (`labels::update_stage`).

use crate::SecretsManagerService;
use crate::generated::errors::resource_not_found_exception;
use crate::generated::{ServiceError, UpdateSecretVersionStage};
use crate::generated::{UpdateSecretVersionStageRequest, UpdateSecretVersionStageResponse};
use crate::ids::secret_id;
use crate::labels::{prune, update_stage};
use crate::policy::authorize_secret;
use crate::service::marked_for_deletion;
use rampart_core::RequestContext;

impl UpdateSecretVersionStage for SecretsManagerService {
    async fn update_secret_version_stage(
        &self,
        ctx: &RequestContext,
        input: UpdateSecretVersionStageRequest,
    ) -> Result<UpdateSecretVersionStageResponse, ServiceError> {
        let record = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?
            .value;
        authorize_secret(ctx, "secretsmanager:UpdateSecretVersionStage", &record)?;
        let stage = input.version_stage.unwrap_or_default();
        let (to, from) = (input.move_to_version_id, input.remove_from_version_id);
        let now = self.now_ms();
        let record = self
            .mutate(ctx, &record.name, |r| {
                if r.deleted_ms.is_some() {
                    return Err(marked_for_deletion());
                }
                for id in [&to, &from].into_iter().flatten() {
                    if r.version(id).is_none() {
                        return Err(resource_not_found_exception(format!(
                            "Secrets Manager can't find the specified secret value for \
                             VersionId: {id}"
                        )));
                    }
                }
                update_stage(r, &stage, to.as_deref(), from.as_deref())?;
                prune(r, now);
                Ok(vec![])
            })
            .await?;
        Ok(UpdateSecretVersionStageResponse {
            arn: Some(record.arn),
            name: Some(record.name),
        })
    }
}
