//! PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy, ListResourcePolicies and
//! ValidateResourcePolicy: a secret's resource policy (the one named `default`, the only one a
//! customer can modify), validated with the IAM policy language and, with BlockPublicPolicy,
//! refused when it grants public access.

use crate::SecretsManagerService;
use crate::generated::errors::{invalid_next_token_exception, invalid_parameter_exception};
use crate::generated::errors::{public_policy_exception, resource_not_found_exception};
use crate::generated::{DeleteResourcePolicy, DeleteResourcePolicyRequest};
use crate::generated::{DeleteResourcePolicyResponse, GetResourcePolicy};
use crate::generated::{GetResourcePolicyRequest, GetResourcePolicyResponse, PutResourcePolicy};
use crate::generated::{ListResourcePolicies, ListResourcePoliciesRequest};
use crate::generated::{ListResourcePoliciesResponse, ResourcePolicySummary};
use crate::generated::{PutResourcePolicyRequest, PutResourcePolicyResponse, ServiceError};
use crate::generated::{ValidateResourcePolicy, ValidateResourcePolicyRequest};
use crate::generated::{ValidateResourcePolicyResponse, ValidationErrorsEntry};
use crate::ids::secret_id;
use crate::policy::{authorize_secret, grants_public_access, owner_of, parse};
use crate::record::SecretRecord;
use crate::replication::refuse_replica;
use crate::service::marked_for_deletion;
use rampart_core::RequestContext;

/// Doubt: AWS's wording of PublicPolicyException is not documented; the condition is.
const PUBLIC: &str = "You can't add the resource policy because it grants public access to the \
                      secret.";

/// The name of the policy a customer attaches.
const DEFAULT_POLICY: &str = "default";

/// Checks a PolicyName that must name the `default` policy. Doubt: AWS's wording for another
/// name is not documented; that only `default` can be modified is.
fn check_modifiable(name: Option<&str>) -> Result<(), ServiceError> {
    match name {
        None | Some(DEFAULT_POLICY) => Ok(()),
        Some(_) => Err(invalid_parameter_exception(
            "You can modify only the default policy.",
        )),
    }
}

impl SecretsManagerService {
    /// Sets (or, with `None`, removes) the resource policy of secret `id` after authorizing
    /// `action`; the changed record.
    async fn set_policy(
        &self,
        ctx: &RequestContext,
        id: Option<&str>,
        action: &str,
        policy: Option<(String, bool)>,
    ) -> Result<SecretRecord, ServiceError> {
        let record = self.resolve(ctx, secret_id(id)?).await?.value;
        authorize_secret(ctx, action, &record)?;
        refuse_replica(&record)?;
        if record.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        if let Some((json, block_public)) = &policy {
            let parsed = parse(json)?;
            if *block_public && grants_public_access(&parsed, &record.arn, owner_of(&record.arn)) {
                return Err(public_policy_exception(PUBLIC));
            }
        }
        let json = policy.map(|(json, _)| json);
        self.mutate(ctx, &record.name, |r| {
            r.resource_policy.clone_from(&json);
            Ok(vec![])
        })
        .await
    }
}

impl PutResourcePolicy for SecretsManagerService {
    async fn put_resource_policy(
        &self,
        ctx: &RequestContext,
        input: PutResourcePolicyRequest,
    ) -> Result<PutResourcePolicyResponse, ServiceError> {
        check_modifiable(input.policy_name.as_deref())?;
        let policy = input.resource_policy.unwrap_or_default();
        let block = input.block_public_policy.unwrap_or(false);
        let action = "secretsmanager:PutResourcePolicy";
        let id = input.secret_id.as_deref();
        let record = self
            .set_policy(ctx, id, action, Some((policy, block)))
            .await?;
        Ok(PutResourcePolicyResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            policy_name: input.policy_name,
        })
    }
}

impl DeleteResourcePolicy for SecretsManagerService {
    async fn delete_resource_policy(
        &self,
        ctx: &RequestContext,
        input: DeleteResourcePolicyRequest,
    ) -> Result<DeleteResourcePolicyResponse, ServiceError> {
        check_modifiable(input.policy_name.as_deref())?;
        let action = "secretsmanager:DeleteResourcePolicy";
        let id = input.secret_id.as_deref();
        let record = self.set_policy(ctx, id, action, None).await?;
        Ok(DeleteResourcePolicyResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            policy_name: input.policy_name,
        })
    }
}

impl GetResourcePolicy for SecretsManagerService {
    async fn get_resource_policy(
        &self,
        ctx: &RequestContext,
        input: GetResourcePolicyRequest,
    ) -> Result<GetResourcePolicyResponse, ServiceError> {
        let id = secret_id(input.secret_id.as_deref())?;
        let record = self.resolve(ctx, id).await?.value;
        authorize_secret(ctx, "secretsmanager:GetResourcePolicy", &record)?;
        // Doubt: refused on a replica as moto's AWS-checked tests have it.
        refuse_replica(&record)?;
        if input
            .policy_name
            .as_deref()
            .is_some_and(|n| n != DEFAULT_POLICY)
        {
            return Err(resource_not_found_exception(
                "Secrets Manager can't find the specified resource policy.",
            ));
        }
        Ok(GetResourcePolicyResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            policy_name: input.policy_name,
            resource_policy: record.resource_policy,
        })
    }
}

impl ListResourcePolicies for SecretsManagerService {
    /// The `default` policy when the secret has one: the only kind Rampart attaches.
    async fn list_resource_policies(
        &self,
        ctx: &RequestContext,
        input: ListResourcePoliciesRequest,
    ) -> Result<ListResourcePoliciesResponse, ServiceError> {
        let id = secret_id(input.secret_id.as_deref())?;
        let record = self.resolve(ctx, id).await?.value;
        authorize_secret(ctx, "secretsmanager:ListResourcePolicies", &record)?;
        if input.next_token.is_some() {
            // No listing spans more than one page, so no token was ever handed out.
            return Err(invalid_next_token_exception(
                "The NextToken value is invalid.",
            ));
        }
        let names = record
            .resource_policy
            .as_ref()
            .map(|_| ResourcePolicySummary {
                policy_name: Some(DEFAULT_POLICY.into()),
            });
        Ok(ListResourcePoliciesResponse {
            next_token: None,
            resource_policies: Some(names.into_iter().collect()),
        })
    }
}

impl ValidateResourcePolicy for SecretsManagerService {
    /// A malformed document is MalformedPolicyDocumentException (as AWS answers); a
    /// well-formed one that grants public access fails the BlockPublicPolicy check, judged
    /// against the named secret (or any secret of the caller's account).
    async fn validate_resource_policy(
        &self,
        ctx: &RequestContext,
        input: ValidateResourcePolicyRequest,
    ) -> Result<ValidateResourcePolicyResponse, ServiceError> {
        let resource = match input.secret_id.as_deref() {
            Some(id) => {
                let record = self.resolve(ctx, id).await?.value;
                authorize_secret(ctx, "secretsmanager:ValidateResourcePolicy", &record)?;
                record.arn
            }
            None => {
                crate::service::authorize(ctx, "secretsmanager:ValidateResourcePolicy", "*")?;
                crate::ids::arn_prefix(ctx, "*")
            }
        };
        let policy = parse(input.resource_policy.as_deref().unwrap_or_default())?;
        let public = grants_public_access(&policy, &resource, owner_of(&resource));
        let errors = public.then(|| ValidationErrorsEntry {
            check_name: Some("BLOCK_PUBLIC_POLICY".into()),
            error_message: Some(PUBLIC.into()),
        });
        Ok(ValidateResourcePolicyResponse {
            policy_validation_passed: Some(!public),
            validation_errors: Some(errors.into_iter().collect()),
        })
    }
}
