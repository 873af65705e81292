//! `/aws/reference/secretsmanager/<secret-id>[:<VersionId or staging label>]`: GetParameter and
//! GetParameters read the secret through Secrets Manager as the caller (GetSecretValue, so
//! `secretsmanager:GetSecretValue` and `kms:Decrypt` on its key are needed) and answer it as a
//! SecureString parameter. Parameter Store keeps nothing of it: the reference is stateless.

use crate::SsmService;
use crate::generated::{Parameter, ParameterType, ServiceError};
use crate::names::parameter_arn;
use crate::service::authorize;
use rampart_core::RequestContext;
use rampart_secretsmanager::generated::SecretValueEntry;
use serde::Serialize;

/// The reserved path of references to Secrets Manager secrets.
pub(crate) const PREFIX: &str = "/aws/reference/secretsmanager/";

/// AWS's answer to a reference read without decryption.
const NEEDS_DECRYPTION: &str =
    "WithDecryption flag must be True for retrieving a Secret Manager secret.";

/// AWS's answer to a reference whose selector is malformed (two spaces are AWS's).
const BAD_SELECTOR: &str = "Invalid parameter name. Please use correct syntax for referencing a \
                            version/label  <name>:<version/label>";

/// Whether `raw` names a Secrets Manager secret.
pub(crate) fn is_reference(raw: &str) -> bool {
    raw.trim().starts_with(PREFIX)
}

/// The secret id and optional selector of a reference (the part after [`PREFIX`]). Secret
/// ARNs are refused, as AWS does: a colon only separates the selector.
fn split(rest: &str) -> Result<(&str, Option<&str>), ServiceError> {
    if rest.starts_with("arn:") {
        return Err(ServiceError::validation(BAD_SELECTOR));
    }
    match rest.split_once(':') {
        None => Ok((rest, None)),
        Some((id, sel)) if !sel.is_empty() && !sel.contains(':') => Ok((id, Some(sel))),
        Some(_) => Err(ServiceError::validation(BAD_SELECTOR)),
    }
}

/// The JSON of the GetSecretValue answer carried in `SourceResult`, in AWS's member order.
#[derive(Serialize)]
struct SourceResult<'a> {
    #[serde(rename = "ARN")]
    arn: &'a str,
    name: &'a str,
    #[serde(rename = "versionId")]
    version_id: &'a str,
    #[serde(rename = "secretString", skip_serializing_if = "Option::is_none")]
    secret_string: Option<&'a str>,
    #[serde(rename = "secretBinary", skip_serializing_if = "Option::is_none")]
    secret_binary: Option<String>,
    #[serde(rename = "versionStages")]
    version_stages: &'a [String],
    #[serde(rename = "createdDate")]
    created_date: String,
}

impl SsmService {
    /// The parameter answering reference `raw` for `action`, read with decryption `decrypt`.
    pub(crate) async fn get_reference(
        &self,
        ctx: &RequestContext,
        raw: &str,
        action: &str,
        decrypt: bool,
    ) -> Result<Parameter, ServiceError> {
        let raw = raw.trim();
        let (id, selector) = split(raw.strip_prefix(PREFIX).unwrap_or_default())?;
        if !decrypt {
            return Err(ServiceError::validation(NEEDS_DECRYPTION));
        }
        let name = format!("{PREFIX}{id}");
        authorize(ctx, action, &parameter_arn(ctx, &name))?;
        let Some(secrets) = &self.secrets else {
            return Err(missing(id, selector));
        };
        let entry = secrets
            .read_reference(ctx, id, selector)
            .await
            .map_err(|e| translate(e, id, selector))?;
        Ok(answer(name, selector, entry))
    }
}

/// The SecureString parameter of a secret's version `entry`.
fn answer(name: String, selector: Option<&str>, entry: SecretValueEntry) -> Parameter {
    let arn = entry.arn.unwrap_or_default();
    let stages = entry.version_stages.unwrap_or_default();
    let created = entry.created_date;
    let created_date = created
        .as_ref()
        .and_then(|t| {
            t.0.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let binary = entry.secret_binary.map(|b| base64_of(&b.0));
    let source = SourceResult {
        arn: &arn,
        name: entry.name.as_deref().unwrap_or_default(),
        version_id: entry.version_id.as_deref().unwrap_or_default(),
        secret_string: entry.secret_string.as_deref(),
        secret_binary: binary,
        version_stages: &stages,
        created_date,
    };
    Parameter {
        source_result: serde_json::to_string(&source).ok(),
        value: entry.secret_string,
        arn: Some(arn),
        data_type: None,
        last_modified_date: created,
        name: Some(name),
        selector: selector.map(|s| format!(":{s}")),
        type_: Some(ParameterType::SecureString),
        version: Some(0),
    }
}

/// `bytes` in standard base64, as the JSON protocol carries blobs.
fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// ParameterNotFound for a secret (or selector) Secrets Manager cannot find, in AWS's words
/// (AWS writes `null` where no selector was given).
fn missing(id: &str, selector: Option<&str>) -> ServiceError {
    let selector = selector.map_or_else(|| "null".to_owned(), |s| format!(":{s}"));
    ServiceError::new(
        "ParameterNotFound",
        400,
        format!(
            "An error occurred (ParameterNotFound) when referencing Secrets Manager: Secret \
             aws/reference/secretsmanager/{id}{selector} not found."
        ),
    )
}

/// Secrets Manager's error as Parameter Store answers it.
fn translate(err: ServiceError, id: &str, selector: Option<&str>) -> ServiceError {
    match err.code.as_ref() {
        "ResourceNotFoundException" => missing(id, selector),
        "InvalidRequestException" => ServiceError::validation("Invalid Request to Secrets Manager"),
        _ => err,
    }
}

/// Whether GetParameters lists reference `raw` among InvalidParameters after `err`.
pub(crate) fn is_invalid_reference(err: &ServiceError) -> bool {
    matches!(
        err.code.as_ref(),
        "ParameterNotFound" | "ValidationException"
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn selectors_split_as_aws_does() {
        assert_eq!(split("db").unwrap(), ("db", None));
        assert_eq!(
            split("a/b:AWSPREVIOUS").unwrap(),
            ("a/b", Some("AWSPREVIOUS"))
        );
        for bad in [
            "db:",
            "db:a:b",
            "arn:aws:secretsmanager:us-east-1:1:secret:db",
        ] {
            assert_eq!(split(bad).unwrap_err().message, BAD_SELECTOR, "{bad}");
        }
    }

    #[test]
    fn missing_secrets_are_named_as_aws_names_them() {
        let e = missing("db", None);
        assert_eq!(e.code, "ParameterNotFound");
        assert!(
            e.message.ends_with("secretsmanager/dbnull not found."),
            "{}",
            e.message
        );
        let e = translate(resource_not_found(), "db", Some("X"));
        assert!(
            e.message.ends_with("secretsmanager/db:X not found."),
            "{}",
            e.message
        );
    }

    fn resource_not_found() -> ServiceError {
        ServiceError::new("ResourceNotFoundException", 400, "nope")
    }
}
