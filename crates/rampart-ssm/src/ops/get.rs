//! GetParameter and GetParameters: the latest version or the one a `name:version` /
//! `name:label` selector names, the SecureString value decrypted as the caller on request.
//! `/aws/reference/secretsmanager/` names read Secrets Manager (`reference`); Amazon's public
//! `/aws/service/...` parameters are not held, so they are ParameterNotFound.

use crate::SsmService;
use crate::generated::ServiceError;
use crate::generated::errors::parameter_version_not_found;
use crate::generated::{GetParameter, GetParameterRequest, GetParameterResult, GetParameters};
use crate::generated::{GetParametersRequest, GetParametersResult, Parameter, ParameterType};
use crate::names::{Selector, check_no_inner_spaces, parameter_arn, parse_reference};
use crate::ops::reference::{is_invalid_reference, is_reference};
use crate::record::{ParameterRecord, VersionRecord, parameter_row};
use crate::service::{authorize, internal, not_found};
use rampart_codec::Timestamp;
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
        check_no_inner_spaces(raw)?;
        let (name, selector) = parse_reference(ctx, raw).ok_or_else(not_found)?;
        authorize(ctx, action, &parameter_arn(ctx, &name))?;
        let record = self.load(ctx, &name).await?.ok_or_else(not_found)?.value;
        let row = parameter_row(ctx.account().as_str(), ctx.region.as_str(), &name);
        let wanted = match &selector {
            Selector::Latest => Some(record.current().version),
            Selector::Version(v) if record.holds(*v) => Some(*v),
            Selector::Version(v) => {
                return Err(parameter_version_not_found(format!(
                    "Systems Manager could not find version {v} of {name}. Verify the version \
                     and try again."
                )));
            }
            Selector::Label(l) => record.labelled(l),
        };
        let version = match wanted {
            Some(v) => self.version_of(&row, &record, v).await.map_err(internal)?,
            None => None,
        }
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
            last_modified_date: Some(Timestamp::from_epoch_millis(version.modified_ms)),
            name: Some(record.name),
            selector: selector.echo(),
            source_result: None,
            type_: Some(ParameterType::from(version.kind.as_str())),
            value: Some(value),
            version: Some(version.version),
        })
    }
}

impl GetParameter for SsmService {
    async fn get_parameter(
        &self,
        ctx: &RequestContext,
        input: GetParameterRequest,
    ) -> Result<GetParameterResult, ServiceError> {
        let raw = input.name.unwrap_or_default();
        let decrypt = input.with_decryption.unwrap_or(false);
        let action = "ssm:GetParameter";
        let parameter = match is_reference(&raw) {
            true => self.get_reference(ctx, &raw, action, decrypt).await?,
            false => {
                let found = self.find(ctx, &raw, action).await?;
                self.to_parameter(ctx, found, decrypt).await?
            }
        };
        Ok(GetParameterResult {
            parameter: Some(parameter),
        })
    }
}

impl SsmService {
    /// One name of GetParameters: its parameter, or `None` when it belongs among the
    /// InvalidParameters.
    async fn get_listed(
        &self,
        ctx: &RequestContext,
        raw: &str,
        decrypt: bool,
    ) -> Result<Option<Parameter>, ServiceError> {
        let action = "ssm:GetParameters";
        if is_reference(raw) {
            return match self.get_reference(ctx, raw, action, decrypt).await {
                Ok(parameter) => Ok(Some(parameter)),
                Err(e) if is_invalid_reference(&e) => Ok(None),
                Err(e) => Err(e),
            };
        }
        match self.find(ctx, raw, action).await {
            Ok(found) => Ok(Some(self.to_parameter(ctx, found, decrypt).await?)),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
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
            match self.get_listed(ctx, &raw, decrypt).await? {
                Some(parameter) => parameters.push(parameter),
                None => invalid.push(raw),
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
