//! GetParameter and GetParameters: the latest version or the one a `name:version` /
//! `name:label` selector names, the SecureString value decrypted as the caller on request.
//! References to Secrets Manager answer that it is not served yet; Amazon's public
//! `/aws/service/...` parameters are not held, so they are ParameterNotFound.

use crate::SsmService;
use crate::generated::ServiceError;
use crate::generated::errors::parameter_version_not_found;
use crate::generated::{GetParameter, GetParameterRequest, GetParameterResult, GetParameters};
use crate::generated::{GetParametersRequest, GetParametersResult, Parameter, ParameterType};
use crate::names::{Selector, check_no_inner_spaces, parameter_arn, parse_reference};
use crate::record::{ParameterRecord, VersionRecord};
use crate::service::{authorize, not_found, timestamp};
use rampart_core::RequestContext;

/// One version a read resolved.
pub struct Found {
    pub record: ParameterRecord,
    pub version: VersionRecord,
    pub selector: Selector,
}

impl SsmService {
    /// Resolves `raw` (name, ARN, with an optional selector) for `action`, or AWS's error.
    pub(crate) async fn find(
        &self,
        ctx: &RequestContext,
        raw: &str,
        action: &str,
    ) -> Result<Found, ServiceError> {
        check_reference(raw)?;
        check_no_inner_spaces(raw)?;
        let (name, selector) = parse_reference(ctx, raw).ok_or_else(not_found)?;
        authorize(ctx, action, &parameter_arn(ctx, &name))?;
        let record = self.load(ctx, &name).await?.ok_or_else(not_found)?.value;
        let version = match &selector {
            Selector::Latest => record.current(),
            Selector::Version(v) => Some(record.version(*v).ok_or_else(|| {
                parameter_version_not_found(format!(
                    "Systems Manager could not find version {v} of {name}. Verify the version \
                     and try again."
                ))
            })?),
            Selector::Label(l) => record.labelled(l),
        }
        .cloned()
        .ok_or_else(not_found)?;
        Ok(Found {
            record,
            version,
            selector,
        })
    }

    /// The wire `Parameter` of `found`, its SecureString value decrypted when `decrypt`.
    pub(crate) async fn to_parameter(
        &self,
        ctx: &RequestContext,
        found: Found,
        decrypt: bool,
    ) -> Result<Parameter, ServiceError> {
        let Found {
            record,
            version,
            selector,
        } = found;
        let arn = parameter_arn(ctx, &record.name);
        let value = match decrypt && version.kind == ParameterType::SecureString.as_str() {
            true => {
                self.open(ctx, &arn, &version.value, version.envelope)
                    .await?
            }
            false => version.value,
        };
        Ok(Parameter {
            arn: Some(arn),
            data_type: Some(version.data_type),
            last_modified_date: Some(timestamp(version.modified_ms)),
            name: Some(record.name),
            selector: selector.echo(),
            source_result: None,
            type_: Some(ParameterType::from(version.kind.as_str())),
            value: Some(value),
            version: Some(version.version),
        })
    }
}

/// Secrets Manager references are not served yet; public parameters are not held.
fn check_reference(raw: &str) -> Result<(), ServiceError> {
    let lower = raw.trim().to_ascii_lowercase();
    if lower.starts_with("/aws/reference/secretsmanager/") {
        return Err(ServiceError::new(
            "UnsupportedOperationException",
            400,
            "Rampart does not serve Secrets Manager yet, so /aws/reference/secretsmanager/ \
             references cannot be resolved.",
        ));
    }
    Ok(())
}

impl GetParameter for SsmService {
    async fn get_parameter(
        &self,
        ctx: &RequestContext,
        input: GetParameterRequest,
    ) -> Result<GetParameterResult, ServiceError> {
        let raw = input.name.unwrap_or_default();
        let found = self.find(ctx, &raw, "ssm:GetParameter").await?;
        let decrypt = input.with_decryption.unwrap_or(false);
        Ok(GetParameterResult {
            parameter: Some(self.to_parameter(ctx, found, decrypt).await?),
        })
    }
}

impl GetParameters for SsmService {
    async fn get_parameters(
        &self,
        ctx: &RequestContext,
        input: GetParametersRequest,
    ) -> Result<GetParametersResult, ServiceError> {
        let decrypt = input.with_decryption.unwrap_or(false);
        let mut parameters = Vec::new();
        let mut invalid = Vec::new();
        let mut seen = Vec::new();
        for raw in input.names.unwrap_or_default() {
            if seen.contains(&raw) {
                continue;
            }
            seen.push(raw.clone());
            match self.find(ctx, &raw, "ssm:GetParameters").await {
                Ok(found) => parameters.push(self.to_parameter(ctx, found, decrypt).await?),
                Err(e) if is_missing(&e) => invalid.push(raw),
                Err(e) => return Err(e),
            }
        }
        Ok(GetParametersResult {
            invalid_parameters: Some(invalid),
            parameters: Some(parameters),
        })
    }
}

/// Whether `err` means the name (or its selector) names nothing: GetParameters lists those.
fn is_missing(err: &ServiceError) -> bool {
    matches!(
        err.code.as_ref(),
        "ParameterNotFound" | "ParameterVersionNotFound"
    )
}
