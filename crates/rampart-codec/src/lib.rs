//! The seam between service crates and the wire layer: the runtime of the generated AWS codecs
//! (errors, blob and timestamp members, constraint validation with AWS-exact messages, audit JSON,
//! the operation invokers, form parameter decoding (`query`) and XML output (`xml`)) and the
//! service traits the HTTP server dispatches to. No HTTP server or TLS here, so service crates
//! build without hyper and rustls.

mod audit;
mod blob;
mod error;
mod invocation;
mod json;
pub mod query;
mod query_invoke;
mod service;
mod timestamp;
mod validate;
pub mod xml;

pub use audit::{AuditParams, AuditValue, Empty, Redacted, put};
pub use blob::Blob;
pub use error::ServiceError;
pub use invocation::{Invocation, OperationSpec, answer, invoke, invoke_checked, unit};
pub use json::{decode_input, deserialize_input, encode_error, encode_output, validate_input};
pub use query::{FromQuery, QueryNode};
pub use query_invoke::{
    QueryEnv, QueryOperationSpec, input_json_from_form, invalid_action, invoke_query,
    output_xml_from_json, unknown_action, unsupported_operation, validation_error,
};
pub use regex::Regex;
pub use service::{AwsJsonService, AwsQueryService};
pub use timestamp::Timestamp;
pub use validate::{ConstraintValue, Field, Validate, ValidationErrors, required};
pub use xml::{ToXml, XmlValue, XmlWriter};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
