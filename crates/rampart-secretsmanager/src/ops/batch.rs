//! BatchGetSecretValue: the AWSCURRENT values of the secrets a SecretIdList names or Filters
//! select, each read as GetSecretValue reads it; a secret that cannot be read is an entry of
//! `Errors` rather than a failure of the call. Authorized as `BatchGetSecretValue` on `*`,
//! `GetSecretValue` on each secret, and `ListSecrets` when Filters select them. The secret
//! rows and values are read together first (`batch_read`).

use super::list::page;
use crate::SecretsManagerService;
use crate::generated::errors::invalid_parameter_exception;
use crate::generated::{APIErrorType, BatchGetSecretValue, BatchGetSecretValueRequest};
use crate::generated::{BatchGetSecretValueResponse, ServiceError};
use crate::service::authorize;
use rampart_core::RequestContext;

impl BatchGetSecretValue for SecretsManagerService {
    async fn batch_get_secret_value(
        &self,
        ctx: &RequestContext,
        input: BatchGetSecretValueRequest,
    ) -> Result<BatchGetSecretValueResponse, ServiceError> {
        authorize(ctx, "secretsmanager:BatchGetSecretValue", "*")?;
        let (ids, next_token) = match (input.secret_id_list, input.filters) {
            (Some(ids), None) => (ids, None),
            (None, Some(filters)) => {
                // Filters select as ListSecrets does, so they need its permission too.
                authorize(ctx, "secretsmanager:ListSecrets", "*")?;
                let records = self.matching(ctx, &filters, false).await?;
                let arns = records.into_iter().map(|r| r.arn).collect();
                page(arns, input.max_results, input.next_token.as_deref())?
            }
            _ => {
                return Err(invalid_parameter_exception(
                    "Either SecretIdList or Filters must be provided, but not both.",
                ));
            }
        };
        let prefetched = self.prefetch(ctx, &ids).await?;
        let (mut values, mut errors) = (Vec::new(), Vec::new());
        for (id, found) in ids.into_iter().zip(prefetched) {
            let read = match found {
                Some(p) => {
                    self.read_record(ctx, &p.record, None, None, p.current)
                        .await
                }
                None => self.read(ctx, &id, None, None).await,
            };
            match read {
                Ok(entry) => values.push(entry),
                Err(e) if e.status >= 500 => return Err(e),
                Err(e) => errors.push(APIErrorType {
                    secret_id: Some(id),
                    error_code: Some(e.code.to_string()),
                    message: Some(e.message.to_string()),
                }),
            }
        }
        Ok(BatchGetSecretValueResponse {
            secret_values: Some(values),
            errors: Some(errors),
            next_token,
        })
    }
}
