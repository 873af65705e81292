//! Runtime support for generated AWS JSON and query codecs: errors, blob and timestamp members,
//! constraint validation with AWS-exact messages, audit JSON, the operation invokers, form
//! parameter decoding (`query`) and XML output (`xml`).

mod audit;
mod blob;
mod error;
mod invocation;
mod json;
pub mod query;
mod query_invoke;
mod timestamp;
mod validate;
pub mod xml;

pub use audit::{AuditParams, AuditValue, Empty, Redacted, put};
pub use blob::Blob;
pub use error::ServiceError;
pub use invocation::{Invocation, OperationSpec, invoke, unit};
pub use json::{decode_input, deserialize_input, encode_error, encode_output, validate_input};
pub use query::{FromQuery, QueryNode};
pub use query_invoke::{
    QueryEnv, QueryOperationSpec, input_json_from_form, invalid_action, invoke_query,
    output_xml_from_json, unknown_action, unsupported_operation, validation_error,
};
pub use regex::Regex;
pub use timestamp::Timestamp;
pub use validate::{ConstraintValue, Field, Validate, ValidationErrors, required};
pub use xml::{ToXml, XmlValue, XmlWriter};
