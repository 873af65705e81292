//! awsJson 1.0 / 1.1: `X-Amz-Target: <prefix>.<Operation>` names the service (by target
//! prefix) and the operation before the body is read; answers are JSON with the service's
//! content type, errors `{"__type", "message"}` with `x-amzn-ErrorType`.

use super::{Incoming, Protocol, Routed, Target};
use crate::AwsJsonService;
use crate::host::Ready;
use crate::refuse;
use crate::respond::{Body, amz_json_content_type, aws_error, json};
use http::Response;
use http::request::Parts;
use rampart_codec::{BoxFuture, HttpInvocation, ServiceError, encode_error};
use rampart_core::RequestContext;

/// The content type of answers given before a service is known.
const JSON_11: &str = "application/x-amz-json-1.1";

/// The awsJson plug-in.
pub(crate) struct Json;

impl Protocol for Json {
    fn claims(&self, parts: &Parts, _ready: Option<&Ready>) -> bool {
        parts.headers.contains_key("x-amz-target")
    }

    fn route<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        request_id: &str,
        _dev: bool,
    ) -> Routed<'r> {
        match json_target(ready, parts) {
            Some((service, operation)) => Routed::Service(Box::new(JsonTarget {
                service: service.as_ref(),
                operation,
            })),
            None => {
                let message = super::unserved::unserved_scope(ready, parts).unwrap_or_default();
                Routed::Refused(refuse::unknown_operation(&message, request_id))
            }
        }
    }

    fn refuse(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        aws_error(err.status, JSON_11, &err.code, &err.message, request_id)
    }
}

/// The JSON service and operation `X-Amz-Target` names. The operation follows the last dot:
/// some prefixes contain dots (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.X`).
fn json_target<'r>(
    ready: &'r Ready,
    parts: &'r Parts,
) -> Option<(&'r std::sync::Arc<dyn AwsJsonService>, &'r str)> {
    let target = parts.headers.get("x-amz-target")?.to_str().ok()?;
    let (prefix, operation) = target.rsplit_once('.')?;
    Some((ready.service(prefix)?, operation))
}

/// An awsJson service and the operation the target names.
struct JsonTarget<'r> {
    service: &'r dyn AwsJsonService,
    operation: &'r str,
}

impl Target for JsonTarget<'_> {
    fn signing_name(&self) -> &'static str {
        self.service.signing_name()
    }

    fn event_source(&self) -> &'static str {
        self.service.event_source()
    }

    fn invoke<'a>(
        &'a self,
        ctx: &'a RequestContext,
        req: Incoming<'a>,
    ) -> BoxFuture<'a, HttpInvocation> {
        let call = self.service.invoke(ctx, self.operation, req.body);
        Box::pin(async move { HttpInvocation::from_invocation(call.await) })
    }

    fn render_success(
        &self,
        _status: u16,
        _headers: Vec<(String, String)>,
        body: Vec<u8>,
        request_id: &str,
    ) -> Response<Body> {
        json(200, self.content_type(), body, request_id)
    }

    fn render_error(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        if err.is_server_fault() {
            tracing::error!(request_id, code = %err.code, "service failure");
        }
        let body = encode_error(err);
        let mut response = json(err.status, self.content_type(), body, request_id);
        if let Ok(value) = http::HeaderValue::from_str(&err.code) {
            response.headers_mut().insert("x-amzn-errortype", value);
        }
        response
    }
}

impl JsonTarget<'_> {
    fn content_type(&self) -> &'static str {
        amz_json_content_type(self.service.json_version())
    }
}
