//! PutMethod, GetMethod, UpdateMethod, DeleteMethod and the method responses
//! (PutMethodResponse, GetMethodResponse, DeleteMethodResponse).

use crate::convert::{map_of, method, method_response};
use crate::generated::errors::{bad_request_exception, conflict_exception, not_found_exception};
use crate::generated::{
    DeleteMethod, DeleteMethodRequest, DeleteMethodResponse, DeleteMethodResponseRequest,
    GetMethod, GetMethodRequest, GetMethodResponse, GetMethodResponseRequest, Method,
    MethodResponse, PutMethod, PutMethodRequest, PutMethodResponse, PutMethodResponseRequest,
    ServiceError, UpdateMethod, UpdateMethodRequest,
};
use crate::ops::resources::resource_not_found;
use crate::patch::{Patch, patches};
use crate::record::{ApiRecord, MethodRecord, MethodResponseRecord};
use crate::service::{ApiGatewayService, authorize};
use rampart_core::RequestContext;
use std::collections::BTreeMap;

/// The HTTP methods a resource may have.
const HTTP_METHODS: &[&str] = &[
    "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY",
];

/// NotFoundException for a method the resource does not have.
pub(crate) fn method_not_found() -> ServiceError {
    not_found_exception("Invalid Method identifier specified")
}

/// NotFoundException for a response status the method or integration does not have.
pub(crate) fn response_not_found() -> ServiceError {
    not_found_exception("Invalid Response status code specified")
}

/// Method `http` of resource `rid`.
pub(crate) fn method_mut<'a>(
    api: &'a mut ApiRecord,
    rid: &str,
    http: &str,
) -> Result<&'a mut MethodRecord, ServiceError> {
    let resource = api.resources.get_mut(rid).ok_or_else(resource_not_found)?;
    resource.methods.get_mut(http).ok_or_else(method_not_found)
}

/// The path a method's IAM resource ARN names.
pub(crate) fn method_path(api: &str, rid: &str, http: &str) -> String {
    format!("/restapis/{api}/resources/{rid}/methods/{http}")
}

/// A status code is three digits from 100 to 599.
pub(crate) fn check_status(code: &str) -> Result<(), ServiceError> {
    let ok = code.len() == 3
        && code.bytes().all(|b| b.is_ascii_digit())
        && (b'1'..=b'5').contains(&code.as_bytes()[0]);
    if ok {
        return Ok(());
    }
    Err(bad_request_exception(
        "Invalid status code: must be a 3-digit number between 100 and 599",
    ))
}

/// `method.request.{header|querystring|path|multivalueheader|multivaluequerystring}.<name>`.
pub(crate) fn check_request_parameter(name: &str) -> Result<(), ServiceError> {
    let ok = [
        "header",
        "querystring",
        "path",
        "multivalueheader",
        "multivaluequerystring",
    ]
    .iter()
    .any(|kind| {
        name.strip_prefix("method.request.")
            .and_then(|rest| rest.strip_prefix(kind))
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|n| !n.is_empty())
    });
    if ok {
        return Ok(());
    }
    Err(bad_request_exception(format!(
        "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid method request parameter name specified: {name}]"
    )))
}

impl PutMethod for ApiGatewayService {
    async fn put_method(
        &self,
        ctx: &RequestContext,
        input: PutMethodRequest,
    ) -> Result<Method, ServiceError> {
        let id = input.rest_api_id.clone().unwrap_or_default();
        let rid = input.resource_id.clone().unwrap_or_default();
        let http = input.http_method.clone().unwrap_or_default();
        authorize(ctx, "PUT", &method_path(&id, &rid, &http))?;
        let record = new_method(input)?;
        self.mutate_api(ctx, &id, |api| {
            let resource = api.resources.get_mut(&rid).ok_or_else(resource_not_found)?;
            if resource.methods.contains_key(&http) {
                return Err(conflict_exception(
                    "Method already exists for this resource",
                ));
            }
            resource.methods.insert(http.clone(), record.clone());
            Ok(())
        })
        .await?;
        Ok(method(&record))
    }
}

/// The method PutMethod describes, checked.
pub(crate) fn new_method(input: PutMethodRequest) -> Result<MethodRecord, ServiceError> {
    let http = input.http_method.unwrap_or_default();
    if !HTTP_METHODS.contains(&http.as_str()) {
        return Err(bad_request_exception(
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY",
        ));
    }
    let auth = input.authorization_type.unwrap_or_else(|| "NONE".into());
    check_authorization(&auth, input.authorizer_id.as_deref())?;
    let params = map_of(input.request_parameters);
    params.keys().try_for_each(|k| check_request_parameter(k))?;
    Ok(MethodRecord {
        http_method: http,
        authorization_type: auth,
        authorizer_id: input.authorizer_id,
        api_key_required: input.api_key_required.unwrap_or(false),
        operation_name: input.operation_name,
        request_validator_id: input.request_validator_id,
        request_parameters: params,
        request_models: map_of(input.request_models),
        responses: BTreeMap::new(),
        integration: None,
    })
}

/// NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS; the last two name an authorizer, and
/// authorizers are not served yet, so none can be named.
fn check_authorization(auth: &str, authorizer: Option<&str>) -> Result<(), ServiceError> {
    match auth {
        "NONE" | "AWS_IAM" if authorizer.is_none() => Ok(()),
        "NONE" | "AWS_IAM" | "CUSTOM" | "COGNITO_USER_POOLS" => {
            Err(bad_request_exception("Invalid authorizer ID specified"))
        }
        other => Err(bad_request_exception(format!(
            "Invalid authorization type specified: {other}. Valid options are NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS"
        ))),
    }
}

impl GetMethod for ApiGatewayService {
    async fn get_method(
        &self,
        ctx: &RequestContext,
        input: GetMethodRequest,
    ) -> Result<Method, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        authorize(ctx, "GET", &method_path(&id, &rid, &http))?;
        let mut api = self.load_api(ctx, &id).await?.value;
        Ok(method(method_mut(&mut api, &rid, &http)?))
    }
}

impl UpdateMethod for ApiGatewayService {
    async fn update_method(
        &self,
        ctx: &RequestContext,
        input: UpdateMethodRequest,
    ) -> Result<Method, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        authorize(ctx, "PATCH", &method_path(&id, &rid, &http))?;
        let ops = patches(input.patch_operations)?;
        let (_, updated) = self
            .mutate_api(ctx, &id, |api| {
                let m = method_mut(api, &rid, &http)?;
                ops.iter().try_for_each(|p| patch_method(m, p))?;
                check_authorization(&m.authorization_type, m.authorizer_id.as_deref())?;
                Ok(m.clone())
            })
            .await?;
        Ok(method(&updated))
    }
}

/// Applies one patch operation to a method.
fn patch_method(m: &mut MethodRecord, p: &Patch) -> Result<(), ServiceError> {
    let segments = p.segments();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (p.op.as_str(), segs.as_slice()) {
        ("replace", ["authorizationType"]) => m.authorization_type = p.value()?.to_owned(),
        ("replace", ["authorizerId"]) => m.authorizer_id = p.value.clone(),
        ("replace", ["apiKeyRequired"]) => m.api_key_required = p.bool_value()?,
        ("replace", ["operationName"]) => m.operation_name = p.value.clone(),
        ("replace", ["requestValidatorId"]) => m.request_validator_id = p.value.clone(),
        ("add" | "replace", ["requestParameters", name]) => {
            check_request_parameter(name)?;
            let required = p.value.is_some() && p.bool_value()?;
            m.request_parameters.insert((*name).to_owned(), required);
        }
        ("remove", ["requestParameters", name]) => {
            m.request_parameters.remove(*name);
        }
        ("add" | "replace", ["requestModels", content_type]) => {
            m.request_models
                .insert((*content_type).to_owned(), p.value()?.to_owned());
        }
        ("remove", ["requestModels", content_type]) => {
            m.request_models.remove(*content_type);
        }
        _ => return Err(p.unsupported()),
    }
    Ok(())
}

impl DeleteMethod for ApiGatewayService {
    async fn delete_method(
        &self,
        ctx: &RequestContext,
        input: DeleteMethodRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        authorize(ctx, "DELETE", &method_path(&id, &rid, &http))?;
        self.mutate_api(ctx, &id, |api| {
            let resource = api.resources.get_mut(&rid).ok_or_else(resource_not_found)?;
            resource
                .methods
                .remove(&http)
                .ok_or_else(method_not_found)?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

impl PutMethodResponse for ApiGatewayService {
    async fn put_method_response(
        &self,
        ctx: &RequestContext,
        input: PutMethodResponseRequest,
    ) -> Result<MethodResponse, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        let status = input.status_code.unwrap_or_default();
        authorize(ctx, "PUT", &method_path(&id, &rid, &http))?;
        check_status(&status)?;
        let record = MethodResponseRecord {
            status_code: status.clone(),
            response_parameters: map_of(input.response_parameters),
            response_models: map_of(input.response_models),
        };
        self.mutate_api(ctx, &id, |api| {
            let m = method_mut(api, &rid, &http)?;
            if m.responses.contains_key(&status) {
                return Err(conflict_exception(
                    "Response already exists for this resource",
                ));
            }
            m.responses.insert(status.clone(), record.clone());
            Ok(())
        })
        .await?;
        Ok(method_response(&record))
    }
}

impl GetMethodResponse for ApiGatewayService {
    async fn get_method_response(
        &self,
        ctx: &RequestContext,
        input: GetMethodResponseRequest,
    ) -> Result<MethodResponse, ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        let status = input.status_code.unwrap_or_default();
        authorize(ctx, "GET", &method_path(&id, &rid, &http))?;
        let mut api = self.load_api(ctx, &id).await?.value;
        let m = method_mut(&mut api, &rid, &http)?;
        let found = m.responses.get(&status).ok_or_else(response_not_found)?;
        Ok(method_response(found))
    }
}

impl DeleteMethodResponse for ApiGatewayService {
    async fn delete_method_response(
        &self,
        ctx: &RequestContext,
        input: DeleteMethodResponseRequest,
    ) -> Result<(), ServiceError> {
        let id = input.rest_api_id.unwrap_or_default();
        let rid = input.resource_id.unwrap_or_default();
        let http = input.http_method.unwrap_or_default();
        let status = input.status_code.unwrap_or_default();
        authorize(ctx, "DELETE", &method_path(&id, &rid, &http))?;
        self.mutate_api(ctx, &id, |api| {
            let m = method_mut(api, &rid, &http)?;
            m.responses.remove(&status).ok_or_else(response_not_found)?;
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
    fn statuses_and_parameter_names_are_checked() {
        assert!(check_status("200").is_ok() && check_status("599").is_ok());
        for bad in ["600", "20", "2000", "abc", "099"] {
            assert!(check_status(bad).is_err(), "{bad}");
        }
        assert!(check_request_parameter("method.request.path.proxy").is_ok());
        assert!(check_request_parameter("method.request.header.X-Id").is_ok());
        assert!(check_request_parameter("method.request.body.x").is_err());
        assert!(check_request_parameter("method.request.path.").is_err());
    }
}
