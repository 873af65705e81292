//! Runtime support for generated AWS JSON codecs: errors, blob and timestamp members,
//! constraint validation with AWS-exact messages, audit JSON and the operation invoker.

mod audit;
mod blob;
mod error;
mod invocation;
mod json;
mod timestamp;
mod validate;

pub use audit::{AuditParams, AuditValue, Empty, Redacted, put};
pub use blob::Blob;
pub use error::ServiceError;
pub use invocation::{Invocation, OperationSpec, invoke, unit};
pub use json::{decode_input, deserialize_input, encode_error, encode_output, validate_input};
pub use regex::Regex;
pub use timestamp::Timestamp;
pub use validate::{ConstraintValue, Field, Validate, ValidationErrors};
