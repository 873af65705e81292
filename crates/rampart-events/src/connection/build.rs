//! Connection requests into records (create and update) and records into Describe answers.

use super::{ConnectionRecord, OAuthPublic, SecretParts, redacted};
use crate::generated::{
    ConnectionApiKeyAuthResponseParameters, ConnectionAuthResponseParameters,
    ConnectionBasicAuthResponseParameters, ConnectionOAuthClientResponseParameters,
    ConnectionOAuthResponseParameters, CreateConnectionAuthRequestParameters, ServiceError,
    UpdateConnectionAuthRequestParameters,
};

/// A ValidationException.
fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::validation(message)
}

/// The parameters the authorization type needs. AWS's exact wording for a missing block is not
/// documented; this names the block and the type.
fn require<T>(value: Option<T>, block: &str, kind: &str) -> Result<T, ServiceError> {
    value.ok_or_else(|| {
        invalid(format!(
            "{block} must be specified for AuthorizationType {kind}."
        ))
    })
}

/// The public and secret parts of a CreateConnection's AuthParameters for `kind`.
pub(crate) fn create_parts(
    kind: &str,
    params: CreateConnectionAuthRequestParameters,
    record: &mut ConnectionRecord,
) -> Result<SecretParts, ServiceError> {
    if params.connectivity_parameters.is_some() {
        return Err(invalid(
            "ConnectivityParameters (private APIs through VPC Lattice) are not supported by Rampart.",
        ));
    }
    let mut secrets = SecretParts {
        invocation: params.invocation_http_parameters,
        ..SecretParts::default()
    };
    match kind {
        "API_KEY" => {
            let p = require(params.api_key_auth_parameters, "ApiKeyAuthParameters", kind)?;
            record.api_key_name = p.api_key_name;
            secrets.api_key_value = p.api_key_value;
        }
        "BASIC" => {
            let p = require(params.basic_auth_parameters, "BasicAuthParameters", kind)?;
            record.username = p.username;
            secrets.password = p.password;
        }
        _ => {
            let p = require(params.o_auth_parameters, "OAuthParameters", kind)?;
            let client = p.client_parameters.unwrap_or_default();
            record.oauth = Some(OAuthPublic {
                endpoint: p.authorization_endpoint.unwrap_or_default(),
                http_method: p.http_method.map(|m| m.to_string()).unwrap_or_default(),
                client_id: client.client_id.unwrap_or_default(),
            });
            secrets.client_secret = client.client_secret;
            secrets.oauth_http = p.o_auth_http_parameters;
        }
    }
    Ok(secrets)
}

/// Applies an UpdateConnection's AuthParameters (each given field replaces the stored one);
/// a changed AuthorizationType needs its own parameters block.
pub(crate) fn update_parts(
    kind_changed: bool,
    params: UpdateConnectionAuthRequestParameters,
    record: &mut ConnectionRecord,
    secrets: &mut SecretParts,
) -> Result<(), ServiceError> {
    if params.connectivity_parameters.is_some() {
        return Err(invalid(
            "ConnectivityParameters (private APIs through VPC Lattice) are not supported by Rampart.",
        ));
    }
    if let Some(invocation) = params.invocation_http_parameters {
        secrets.invocation = Some(invocation);
    }
    match record.authorization_type.clone().as_str() {
        "API_KEY" => update_api_key(
            kind_changed,
            params.api_key_auth_parameters,
            record,
            secrets,
        ),
        "BASIC" => update_basic(kind_changed, params.basic_auth_parameters, record, secrets),
        _ => update_oauth(kind_changed, params.o_auth_parameters, record, secrets),
    }
}

fn update_api_key(
    kind_changed: bool,
    block: Option<crate::generated::UpdateConnectionApiKeyAuthRequestParameters>,
    record: &mut ConnectionRecord,
    secrets: &mut SecretParts,
) -> Result<(), ServiceError> {
    let block = if kind_changed {
        Some(require(block, "ApiKeyAuthParameters", "API_KEY")?)
    } else {
        block
    };
    if let Some(p) = block {
        replace(&mut record.api_key_name, p.api_key_name);
        replace(&mut secrets.api_key_value, p.api_key_value);
    }
    Ok(())
}

fn update_basic(
    kind_changed: bool,
    block: Option<crate::generated::UpdateConnectionBasicAuthRequestParameters>,
    record: &mut ConnectionRecord,
    secrets: &mut SecretParts,
) -> Result<(), ServiceError> {
    let block = if kind_changed {
        Some(require(block, "BasicAuthParameters", "BASIC")?)
    } else {
        block
    };
    if let Some(p) = block {
        replace(&mut record.username, p.username);
        replace(&mut secrets.password, p.password);
    }
    Ok(())
}

fn update_oauth(
    kind_changed: bool,
    block: Option<crate::generated::UpdateConnectionOAuthRequestParameters>,
    record: &mut ConnectionRecord,
    secrets: &mut SecretParts,
) -> Result<(), ServiceError> {
    let kind = record.authorization_type.clone();
    let p = if kind_changed {
        Some(require(block, "OAuthParameters", &kind)?)
    } else {
        block
    };
    let Some(p) = p else {
        return Ok(());
    };
    let oauth = record.oauth.get_or_insert(OAuthPublic {
        endpoint: String::new(),
        http_method: String::new(),
        client_id: String::new(),
    });
    if let Some(endpoint) = p.authorization_endpoint {
        oauth.endpoint = endpoint;
    }
    if let Some(method) = p.http_method {
        oauth.http_method = method.to_string();
    }
    let client = p.client_parameters.unwrap_or_default();
    if let Some(id) = client.client_id {
        oauth.client_id = id;
    }
    replace(&mut secrets.client_secret, client.client_secret);
    if let Some(http) = p.o_auth_http_parameters {
        secrets.oauth_http = Some(http);
    }
    Ok(())
}

fn replace(slot: &mut Option<String>, value: Option<String>) {
    if value.is_some() {
        *slot = value;
    }
}

/// DescribeConnection's AuthParameters: names, endpoints and parameters, never a secret.
pub(crate) fn auth_response(
    record: &ConnectionRecord,
    secrets: &SecretParts,
) -> ConnectionAuthResponseParameters {
    ConnectionAuthResponseParameters {
        api_key_auth_parameters: record.api_key_name.as_ref().map(|name| {
            ConnectionApiKeyAuthResponseParameters {
                api_key_name: Some(name.clone()),
            }
        }),
        basic_auth_parameters: record.username.as_ref().map(|u| {
            ConnectionBasicAuthResponseParameters {
                username: Some(u.clone()),
            }
        }),
        o_auth_parameters: record
            .oauth
            .as_ref()
            .map(|o| ConnectionOAuthResponseParameters {
                authorization_endpoint: Some(o.endpoint.clone()),
                client_parameters: Some(ConnectionOAuthClientResponseParameters {
                    client_id: Some(o.client_id.clone()),
                }),
                http_method: Some(o.http_method.as_str().into()),
                o_auth_http_parameters: secrets.oauth_http.as_ref().map(redacted),
            }),
        invocation_http_parameters: secrets.invocation.as_ref().map(redacted),
        connectivity_parameters: None,
    }
}
