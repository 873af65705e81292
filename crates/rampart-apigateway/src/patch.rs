//! PatchOperations as API Gateway's Update* operations take them: `op` (add, remove, replace),
//! a JSON-pointer-like `path` whose segments escape `/` as `~1` and `~` as `~0`, and a
//! string `value`.

use crate::generated::errors::bad_request_exception;
use crate::generated::{PatchOperation, ServiceError};

/// One patch operation, checked to carry an op and a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    pub op: String,
    pub path: String,
    pub value: Option<String>,
}

impl Patch {
    /// The path's segments after the leading `/`, unescaped.
    pub fn segments(&self) -> Vec<String> {
        self.path
            .trim_start_matches('/')
            .split('/')
            .map(unescape)
            .collect()
    }

    /// The value, or BadRequestException when the operation needs one.
    pub fn value(&self) -> Result<&str, ServiceError> {
        self.value.as_deref().ok_or_else(|| {
            bad_request_exception(format!(
                "Invalid null or empty value in {} for op '{}'",
                self.path, self.op
            ))
        })
    }

    /// The value read as a boolean.
    pub fn bool_value(&self) -> Result<bool, ServiceError> {
        match self.value()? {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(bad_request_exception(format!(
                "Invalid boolean value '{other}' for {}",
                self.path
            ))),
        }
    }

    /// The value read as an integer.
    pub fn int_value(&self) -> Result<i32, ServiceError> {
        let v = self.value()?;
        v.parse().map_err(|_| {
            bad_request_exception(format!("Invalid integer value '{v}' for {}", self.path))
        })
    }

    /// The value read as a number.
    pub fn float_value(&self) -> Result<f64, ServiceError> {
        let v = self.value()?;
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| {
                bad_request_exception(format!("Invalid double value '{v}' for {}", self.path))
            })
    }

    /// BadRequestException naming this unsupported op and path.
    pub fn unsupported(&self) -> ServiceError {
        bad_request_exception(format!(
            "Invalid patch path '{}' specified for op '{}'. Please choose supported operations",
            self.path, self.op
        ))
    }
}

/// The request's patch operations, each with an op and a path.
pub fn patches(ops: Option<Vec<PatchOperation>>) -> Result<Vec<Patch>, ServiceError> {
    ops.unwrap_or_default()
        .into_iter()
        .map(|p| {
            let op = p.op.map(|o| o.as_str().to_owned()).unwrap_or_default();
            let path = p.path.unwrap_or_default();
            if op.is_empty() || path.is_empty() {
                return Err(bad_request_exception(
                    "Invalid patch operation specified. Must be one of: [add, remove, move, test, replace, copy]",
                ));
            }
            Ok(Patch {
                op,
                path,
                value: p.value,
            })
        })
        .collect()
}

/// A path segment with `~1` → `/` and `~0` → `~`.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_unescaped() {
        let p = Patch {
            op: "replace".into(),
            path: "/~1pets~1{id}/GET/throttling/rateLimit".into(),
            value: Some("1.5".into()),
        };
        assert_eq!(
            p.segments(),
            vec!["/pets/{id}", "GET", "throttling", "rateLimit"]
        );
        assert_eq!(p.float_value().unwrap(), 1.5);
        assert!(p.bool_value().is_err());
    }

    #[test]
    fn an_operation_needs_op_and_path() {
        let missing = PatchOperation {
            path: Some("/name".into()),
            ..Default::default()
        };
        assert!(patches(Some(vec![missing])).is_err());
    }
}
