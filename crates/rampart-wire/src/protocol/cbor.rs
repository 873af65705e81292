//! Smithy RPC v2 CBOR: `smithy-protocol: rpc-v2-cbor` and `POST /service/<name>/operation/<Op>`
//! name the service (the RPC v2 CBOR service whose target prefix is `<name>`) before the body
//! is read. Every answer, errors and the gateway's own refusals included, is CBOR with
//! `smithy-protocol: rpc-v2-cbor`.

use super::http_target::{HttpTarget, error_response};
use super::{Protocol, Routed};
use crate::HttpProtocol;
use crate::host::Ready;
use crate::respond::Body;
use http::Response;
use http::request::Parts;
use rampart_codec::ServiceError;
use rampart_codec::cbor::SMITHY_PROTOCOL;

/// The RPC v2 CBOR plug-in.
pub(crate) struct Cbor;

impl Protocol for Cbor {
    fn claims(&self, parts: &Parts, _ready: Option<&Ready>) -> bool {
        parts
            .headers
            .get("smithy-protocol")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case(SMITHY_PROTOCOL))
    }

    fn route<'r>(
        &self,
        ready: &'r Ready,
        parts: &'r Parts,
        request_id: &str,
        _dev: bool,
    ) -> Routed<'r> {
        let service = rampart_codec::cbor_route(parts.uri.path())
            .and_then(|(name, _)| ready.cbor_service(name));
        match service {
            Some(service) => Routed::Service(Box::new(HttpTarget {
                service: service.as_ref(),
            })),
            None => Routed::Refused(self.refuse(&ServiceError::unknown_operation(), request_id)),
        }
    }

    fn refuse(&self, err: &ServiceError, request_id: &str) -> Response<Body> {
        error_response(HttpProtocol::RpcV2Cbor, err, request_id)
    }
}
