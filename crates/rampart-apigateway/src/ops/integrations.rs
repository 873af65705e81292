//! PutIntegration, GetIntegration, DeleteIntegration and the integration responses. Served
//! integration types: HTTP, HTTP_PROXY and MOCK; request parameters are plain mappings
//! (`integration.request.{header|querystring|path}.<name>` from a method request parameter,
//! a stage variable or a `'literal'`).

use crate::convert::{integration, integration_response, map_of};
use crate::generated::errors::{bad_request_exception, not_found_exception};
use crate::generated::{
    DeleteIntegration, DeleteIntegrationRequest, DeleteIntegrationResponse,
    DeleteIntegrationResponseRequest, GetIntegration, GetIntegrationRequest,
    GetIntegrationResponse, GetIntegrationResponseRequest, Integration, IntegrationResponse,
    PutIntegration, PutIntegrationRequest, PutIntegrationResponse, PutIntegrationResponseRequest,
    ServiceError,
};
use crate::ops::methods::{check_status, method_mut, method_path, response_not_found};
use crate::record::{IntegrationRecord, IntegrationResponseRecord, Map, MethodRecord};
use crate::service::{ApiGatewayService, authorize};
use rampart_core::RequestContext;
use std::collections::BTreeMap;

/// The longest an integration may take (and the default).
const MAX_TIMEOUT_MS: i32 = 29_000;
const MIN_TIMEOUT_MS: i32 = 50;

/// NotFoundException for a method without an integration.
pub(crate) fn no_integration() -> ServiceError {
    not_found_exception("No integration defined for method")
}

/// The integration PutIntegration describes, checked against method `m`.
pub(crate) fn new_integration(
    input: &PutIntegrationRequest,
    m: &MethodRecord,
    rid: &str,
) -> Result<IntegrationRecord, ServiceError> {
    let kind = input
        .type_
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    let http = matches!(kind.as_str(), "HTTP" | "HTTP_PROXY");
    if !http && kind != "MOCK" {
        return Err(bad_request_exception(format!(
            "Integration type {kind} is not served by Rampart yet (HTTP, HTTP_PROXY and MOCK are)"
        )));
    }
    let method = input
        .integration_http_method
        .clone()
        .filter(|m| !m.is_empty());
    if http && method.is_none() {
        return Err(bad_request_exception(
            "Enumeration value for HttpMethod must be non-empty",
        ));
    }
    if http && !input.uri.as_deref().is_some_and(is_http_url) {
        return Err(bad_request_exception(
            "Invalid HTTP endpoint specified for URI",
        ));
    }
    let timeout = input.timeout_in_millis.unwrap_or(MAX_TIMEOUT_MS);
    if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&timeout) {
        return Err(bad_request_exception(format!(
            "Timeout should be between {MIN_TIMEOUT_MS} ms and {MAX_TIMEOUT_MS} ms"
        )));
    }
    let params = map_of(input.request_parameters.clone());
    check_mappings(&params, m)?;
    Ok(IntegrationRecord {
        kind,
        http_method: if http { method } else { None },
        uri: if http { input.uri.clone() } else { None },
        connection_type: "INTERNET".into(),
        request_parameters: params,
        request_templates: map_of(input.request_templates.clone()),
        passthrough_behavior: Some(
            input
                .passthrough_behavior
                .clone()
                .unwrap_or_else(|| "WHEN_NO_MATCH".into()),
        ),
        timeout_ms: timeout,
        cache_namespace: input
            .cache_namespace
            .clone()
            .unwrap_or_else(|| rid.to_owned()),
        cache_key_parameters: input.cache_key_parameters.clone().unwrap_or_default(),
        responses: BTreeMap::new(),
    })
}

/// An absolute `http://` or `https://` URL with a host.
fn is_http_url(uri: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        uri.strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
    })
}

/// Each mapping's target is `integration.request.{header|querystring|path}.<name>` and its
/// source a declared method request parameter, a stage variable, a context variable or a
/// quoted literal.
fn check_mappings(params: &Map, m: &MethodRecord) -> Result<(), ServiceError> {
    let invalid = |what: &str, name: &str| {
        bad_request_exception(format!(
            "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression {what} specified: {name}]"
        ))
    };
    for (target, source) in params {
        let target_ok = ["header", "querystring", "path"].iter().any(|kind| {
            target
                .strip_prefix("integration.request.")
                .and_then(|r| r.strip_prefix(kind))
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|n| !n.is_empty())
        });
        if !target_ok {
            return Err(invalid("parameter name", target));
        }
        let source_ok = if source.starts_with("method.request.") {
            m.request_parameters.contains_key(source)
        } else {
            (source.len() >= 2 && source.starts_with('\'') && source.ends_with('\''))
                || source.starts_with("stageVariables.")
                || source.starts_with("context.")
        };
        if !source_ok {
            return Err(invalid("parameter", source));
        }
    }
    Ok(())
}

impl PutIntegration for ApiGatewayService {
    async fn put_integration(
        &self,
        ctx: &RequestContext,
        input: PutIntegrationRequest,
    ) -> Result<Integration, ServiceError> {
        let id = input.rest_api_id.clone().unwrap_or_default();
        let rid = input.resource_id.clone().unwrap_or_default();
        let http = input.http_method.clone().unwrap_or_default();
        authorize(
            ctx,
            "PUT",
            &format!("{}/integration", method_path(&id, &rid, &http)),
        )?;
        let (_, record) = self
            .mutate_api(ctx, &id, |api| {
                let m = method_mut(api, &rid, &http)?;
                let record = new_integration(&input, m, &rid)?;
                m.integration = Some(record.clone());
                Ok(record)
            })
            .await?;
        Ok(integration(&record))
    }
}

impl GetIntegration for ApiGatewayService {
    async fn get_integration(
        &self,
        ctx: &RequestContext,
        input: GetIntegrationRequest,
    ) -> Result<Integration, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        authorize(
            ctx,
            "GET",
            &format!("{}/integration", method_path(&id, &rid, &http)),
        )?;
        let mut api = self.load_api(ctx, &id).await?.value;
        let m = method_mut(&mut api, &rid, &http)?;
        Ok(integration(
            m.integration.as_ref().ok_or_else(no_integration)?,
        ))
    }
}

impl DeleteIntegration for ApiGatewayService {
    async fn delete_integration(
        &self,
        ctx: &RequestContext,
        input: DeleteIntegrationRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        authorize(
            ctx,
            "DELETE",
            &format!("{}/integration", method_path(&id, &rid, &http)),
        )?;
        self.mutate_api(ctx, &id, |api| {
            let m = method_mut(api, &rid, &http)?;
            m.integration.take().ok_or_else(no_integration)?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl PutIntegrationResponse for ApiGatewayService {
    async fn put_integration_response(
        &self,
        ctx: &RequestContext,
        input: PutIntegrationResponseRequest,
    ) -> Result<IntegrationResponse, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        let status = input.status_code.unwrap_or_default();
        let path = method_path(&id, &rid, &http);
        authorize(
            ctx,
            "PUT",
            &format!("{path}/integration/responses/{status}"),
        )?;
        check_status(&status)?;
        let record = IntegrationResponseRecord {
            status_code: status.clone(),
            selection_pattern: input.selection_pattern,
            response_parameters: map_of(input.response_parameters),
            response_templates: map_of(input.response_templates),
        };
        self.mutate_api(ctx, &id, |api| {
            let m = method_mut(api, &rid, &http)?;
            let i = m.integration.as_mut().ok_or_else(no_integration)?;
            i.responses.insert(status.clone(), record.clone());
            Ok(())
        })
        .await?;
        Ok(integration_response(&record))
    }
}

impl GetIntegrationResponse for ApiGatewayService {
    async fn get_integration_response(
        &self,
        ctx: &RequestContext,
        input: GetIntegrationResponseRequest,
    ) -> Result<IntegrationResponse, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        let status = input.status_code.unwrap_or_default();
        let path = method_path(&id, &rid, &http);
        authorize(
            ctx,
            "GET",
            &format!("{path}/integration/responses/{status}"),
        )?;
        let mut api = self.load_api(ctx, &id).await?.value;
        let m = method_mut(&mut api, &rid, &http)?;
        let i = m.integration.as_ref().ok_or_else(no_integration)?;
        let found = i.responses.get(&status).ok_or_else(response_not_found)?;
        Ok(integration_response(found))
    }
}

impl DeleteIntegrationResponse for ApiGatewayService {
    async fn delete_integration_response(
        &self,
        ctx: &RequestContext,
        input: DeleteIntegrationResponseRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        let status = input.status_code.unwrap_or_default();
        let path = method_path(&id, &rid, &http);
        authorize(
            ctx,
            "DELETE",
            &format!("{path}/integration/responses/{status}"),
        )?;
        self.mutate_api(ctx, &id, |api| {
            let m = method_mut(api, &rid, &http)?;
            let i = m.integration.as_mut().ok_or_else(no_integration)?;
            i.responses.remove(&status).ok_or_else(response_not_found)?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_uris() {
        assert!(is_http_url("http://127.0.0.1:8080/{proxy}"));
        assert!(is_http_url("https://example.com"));
        assert!(!is_http_url("http://"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("/relative"));
    }

    #[test]
    fn mapping_sources_must_be_declared_or_literal() {
        let mut m = MethodRecord {
            http_method: "GET".into(),
            authorization_type: "NONE".into(),
            authorizer_id: None,
            api_key_required: false,
            operation_name: None,
            request_validator_id: None,
            request_parameters: BTreeMap::new(),
            request_models: Map::new(),
            responses: BTreeMap::new(),
            integration: None,
        };
        let mut params = Map::new();
        params.insert(
            "integration.request.path.proxy".into(),
            "method.request.path.proxy".into(),
        );
        assert!(check_mappings(&params, &m).is_err());
        m.request_parameters
            .insert("method.request.path.proxy".into(), true);
        assert!(check_mappings(&params, &m).is_ok());
        params.insert("integration.request.header.X-A".into(), "'lit'".into());
        assert!(check_mappings(&params, &m).is_ok());
        params.insert("integration.request.body.x".into(), "'lit'".into());
        assert!(check_mappings(&params, &m).is_err());
    }
}
