//! Operation invokers of the restJson1, restXml and RPC v2 CBOR dispatchers: decode, audit,
//! validate, call, encode, as `invoke` does for awsJson, with the HTTP status and headers kept.

use super::cbor::{cbor_error_response, cbor_response, decode_cbor_input, encode_cbor_output};
use super::rest::{HttpRequest, HttpResponse, Labels, RestOperation, rest_error_response};
use super::rest_bind::{decode_rest_input, encode_rest_output};
use super::rest_xml::{
    XmlBodies, decode_rest_xml_input, encode_rest_xml_output, rest_xml_error_response,
};
use super::{AuditParams, Invocation, OperationSpec, ServiceError, Validate, validate_input};
use crate::invocation::run_steps;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// The outcome of one REST or RPC v2 call: the audit facts (`invocation.result` holds the
/// body or the error) and the success status and headers.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpInvocation {
    /// Operation, result and audit JSON.
    pub invocation: Invocation,
    /// The status of a success.
    pub status: u16,
    /// The headers of a success.
    pub headers: Vec<(String, String)>,
}

impl AsMut<Invocation> for HttpInvocation {
    fn as_mut(&mut self) -> &mut Invocation {
        &mut self.invocation
    }
}

impl HttpInvocation {
    /// An answer without a response of its own (errors, unknown routes).
    pub fn from_invocation(invocation: Invocation) -> Self {
        Self {
            invocation,
            status: 200,
            headers: Vec::new(),
        }
    }

    /// The HTTP response; errors rendered by `render_error` (`rest_error_response`,
    /// `cbor_error_response`).
    pub fn into_response(self, render_error: fn(&ServiceError) -> HttpResponse) -> HttpResponse {
        match self.invocation.result {
            Ok(body) => HttpResponse {
                status: self.status,
                headers: self.headers,
                body,
            },
            Err(e) => render_error(&e),
        }
    }
}

/// Runs one call: records the input's audit JSON, validates it, calls, encodes the output.
async fn run<I, O, Fut>(
    spec: OperationSpec,
    decoded: Result<I, ServiceError>,
    call: impl FnOnce(I) -> Fut,
    encode: impl FnOnce(&O) -> Result<HttpResponse, ServiceError>,
) -> HttpInvocation
where
    I: Validate + AuditParams,
    O: AuditParams,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    let mut inv = Invocation::started(spec.name, spec.read_only);
    let checks = |input: &I| validate_input(input);
    let steps = run_steps(&mut inv, spec.audit_response, decoded, checks, call, encode);
    let outcome = steps.await;
    let (status, headers) = match outcome {
        Ok(resp) => {
            inv.result = Ok(resp.body);
            (resp.status, resp.headers)
        }
        Err(e) => {
            inv.result = Err(e);
            (200, Vec::new())
        }
    };
    HttpInvocation {
        invocation: inv,
        status,
        headers,
    }
}

/// A restJson1 call of a routed operation.
pub async fn invoke_rest<I, O, F, Fut>(
    op: &RestOperation,
    req: &HttpRequest<'_>,
    labels: &Labels,
    call: F,
) -> HttpInvocation
where
    I: DeserializeOwned + Validate + AuditParams,
    O: Serialize + AuditParams,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    let spec = OperationSpec {
        name: op.name,
        read_only: op.read_only,
        audit_response: op.audit_response,
    };
    let decoded = decode_rest_input(op, req, labels);
    run(spec, decoded, call, |o| encode_rest_output(op, o)).await
}

/// A restXml call of a routed operation: bindings as restJson1, bodies as `xml` says.
pub async fn invoke_rest_xml<I, O, F, Fut>(
    op: &RestOperation,
    xml: &XmlBodies,
    req: &HttpRequest<'_>,
    labels: &Labels,
    call: F,
) -> HttpInvocation
where
    I: DeserializeOwned + Validate + AuditParams,
    O: Serialize + AuditParams,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    let spec = OperationSpec {
        name: op.name,
        read_only: op.read_only,
        audit_response: op.audit_response,
    };
    let decoded = decode_rest_xml_input(op, xml, req, labels);
    run(spec, decoded, call, |o| encode_rest_xml_output(op, xml, o)).await
}

/// An RPC v2 CBOR call.
pub async fn invoke_cbor<I, O, F, Fut>(spec: OperationSpec, body: &[u8], call: F) -> HttpInvocation
where
    I: DeserializeOwned + Validate + AuditParams,
    O: Serialize + AuditParams,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    let decoded = decode_cbor_input(body);
    run(spec, decoded, call, |o| {
        encode_cbor_output(o).map(cbor_response)
    })
    .await
}

/// Renders a restJson1 answer.
pub fn rest_response(inv: HttpInvocation) -> HttpResponse {
    inv.into_response(rest_error_response)
}

/// Renders a restXml answer; errors carry `request_id`.
pub fn rest_xml_response(inv: HttpInvocation, request_id: &str) -> HttpResponse {
    match inv.invocation.result {
        Ok(body) => HttpResponse {
            status: inv.status,
            headers: inv.headers,
            body,
        },
        Err(e) => rest_xml_error_response(&e, request_id),
    }
}

/// Renders an RPC v2 CBOR answer.
pub fn cbor_http_response(inv: HttpInvocation) -> HttpResponse {
    inv.into_response(cbor_error_response)
}
