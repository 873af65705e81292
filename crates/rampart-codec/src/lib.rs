//! The seam between service crates and the wire layer: the runtime of the generated AWS codecs
//! (errors, blob and timestamp members, constraint validation with AWS-exact messages, audit JSON,
//! the operation invokers, form parameter decoding (`query`) and XML output (`xml`), restJson1
//! HTTP bindings (`rest`), restXml bodies (`rest_xml`, read with `xml_read`) and Smithy RPC v2
//! CBOR (`cbor`)), the service traits the HTTP server dispatches to and the unsigned public routes
//! services may serve (`public`). No HTTP server or TLS here, so service crates build without hyper and rustls.

mod audit;
mod blob;
pub mod cbor;
mod error;
mod http_conformance;
mod http_invoke;
mod invocation;
mod json;
mod public;
pub mod query;
mod query_invoke;
pub mod rest;
mod rest_bind;
pub mod rest_xml;
mod rest_xml_read;
mod rest_xml_write;
mod service;
pub mod time_format;
mod timestamp;
mod validate;
pub mod xml;
pub mod xml_read;

pub use audit::{AuditParams, AuditValue, Empty, Redacted, put};
pub use blob::Blob;
pub use cbor::{cbor_error_response, cbor_route, decode_cbor_input, encode_cbor_output};
pub use error::ServiceError;
pub use http_conformance::{
    cbor_input_json, cbor_output_from_json, json_input_json, json_output_from_json,
    rest_input_json, rest_output_from_json, rest_xml_input_json, rest_xml_output_from_json,
};
pub use http_invoke::{
    HttpInvocation, cbor_http_response, invoke_cbor, invoke_rest, invoke_rest_xml, rest_response,
    rest_xml_response,
};
pub use invocation::{Invocation, OperationSpec, answer, invoke, invoke_checked, unit};
pub use json::{decode_input, deserialize_input, encode_error, encode_output, validate_input};
pub use public::{PublicHead, PublicRoute};
pub use query::{FromQuery, QueryNode};
pub use query_invoke::{
    QueryEnv, QueryOperationSpec, input_json_from_form, invalid_action, invoke_query,
    output_xml_from_json, unknown_action, unsupported_operation, validation_error,
};
pub use regex::Regex;
pub use rest::{HttpRequest, HttpResponse, RestOperation, rest_error_response, route};
pub use rest_bind::{decode_rest_input, encode_rest_output};
pub use rest_xml::{
    XmlBodies, decode_rest_xml_input, encode_rest_xml_output, rest_xml_error_response,
    unwrapped_xml_error_response,
};
pub use service::{AwsHttpService, AwsJsonService, AwsQueryService, HttpProtocol};
pub use timestamp::Timestamp;
pub use validate::{ConstraintValue, Field, Validate, ValidationErrors, required};
pub use xml::{ToXml, XmlValue, XmlWriter};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
