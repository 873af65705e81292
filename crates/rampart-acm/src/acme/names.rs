//! ACME resource names: endpoint ARNs (`acme-endpoint/<id>`), their children's ARNs
//! (`acme-endpoint/<id>/acme-external-account-binding/<id>`,
//! `acme-endpoint/<id>/acme-domain-validation/<id>`), row keys, the endpoint's directory URL,
//! and the errors for resources that do not exist.

use crate::generated::ServiceError;
use crate::generated::errors::{resource_not_found_exception, validation_exception};
use rampart_core::{RequestContext, Scope};

/// An endpoint named by its ARN.
#[derive(Debug, Clone)]
pub struct EndpointRef {
    pub scope: Scope,
    pub id: String,
    pub arn: String,
}

/// A binding or domain validation of an endpoint.
#[derive(Debug, Clone)]
pub struct ChildRef {
    pub endpoint: EndpointRef,
    pub id: String,
    pub arn: String,
}

/// The resource kind of binding ARNs.
pub const BINDING: &str = "acme-external-account-binding";
/// The resource kind of domain validation ARNs.
pub const DOMAIN: &str = "acme-domain-validation";

impl EndpointRef {
    /// A new endpoint in the caller's scope.
    pub fn new(ctx: &RequestContext) -> EndpointRef {
        let scope = Scope::new(ctx.account().as_str(), ctx.region.as_str());
        let id = uuid::Uuid::new_v4().to_string();
        let arn = scope.arn("acm", &format!("acme-endpoint/{id}"));
        EndpointRef { scope, id, arn }
    }

    /// The endpoint `arn` names.
    pub fn parse(arn: &str) -> Result<EndpointRef, ServiceError> {
        let (scope, rest) = split(arn)?;
        if rest.contains('/') {
            return Err(invalid(arn));
        }
        Ok(EndpointRef {
            scope,
            id: rest.to_owned(),
            arn: arn.to_owned(),
        })
    }

    /// The endpoint's row key.
    pub fn row(&self) -> String {
        self.scope.row(&self.id)
    }

    /// The prefix of its children's rows.
    pub fn child_prefix(&self) -> String {
        self.scope.row(&format!("{}/", self.id))
    }

    /// A new child of `kind`.
    pub fn new_child(&self, kind: &str) -> ChildRef {
        let id = uuid::Uuid::new_v4().to_string();
        ChildRef {
            arn: format!("{}/{kind}/{id}", self.arn),
            endpoint: self.clone(),
            id,
        }
    }

    /// The ACME directory URL AWS gives the endpoint.
    pub fn directory_url(&self) -> String {
        format!(
            "https://acm-acme-enroll.{}.api.aws/{}/directory",
            self.scope.region, self.id
        )
    }
}

impl ChildRef {
    /// The child of `kind` that `arn` names.
    pub fn parse(arn: &str, kind: &str) -> Result<ChildRef, ServiceError> {
        let (scope, rest) = split(arn)?;
        let mut parts = rest.split('/');
        let (Some(endpoint), Some(k), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid(arn));
        };
        if k != kind || !is_id(endpoint) || !is_id(id) {
            return Err(invalid(arn));
        }
        let endpoint_arn = scope.arn("acm", &format!("acme-endpoint/{endpoint}"));
        Ok(ChildRef {
            endpoint: EndpointRef {
                scope,
                id: endpoint.to_owned(),
                arn: endpoint_arn,
            },
            id: id.to_owned(),
            arn: arn.to_owned(),
        })
    }

    /// The child's row key.
    pub fn row(&self) -> String {
        format!("{}{}", self.endpoint.child_prefix(), self.id)
    }
}

/// The scope of an `acme-endpoint/...` ARN and the resource after that prefix.
fn split(arn: &str) -> Result<(Scope, &str), ServiceError> {
    let parsed = rampart_core::Arn::parse(arn).ok_or_else(|| invalid(arn))?;
    let account = parsed.account_id().ok_or_else(|| invalid(arn))?;
    if parsed.service != "acm" || parsed.region.is_empty() {
        return Err(invalid(arn));
    }
    let scope = Scope::new(account, parsed.region);
    let rest = parsed
        .resource
        .strip_prefix("acme-endpoint/")
        .ok_or_else(|| invalid(arn))?;
    let id = rest.split('/').next().unwrap_or_default();
    if !is_id(id) {
        return Err(invalid(arn));
    }
    Ok((scope, rest))
}

/// Whether `name` is a DNS name as the model's DomainName pattern means it, matched whole
/// (lower-case labels of letters, digits and inner hyphens, at most 63 octets each).
pub fn is_domain(name: &str) -> bool {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    name.len() <= 253 && name.split('.').all(label_ok)
}

/// Whether `id` is a resource id of the model's pattern (`[a-zA-Z0-9-]+`).
fn is_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// ValidationException for an ARN that names no ACME resource of the expected kind.
fn invalid(arn: &str) -> ServiceError {
    // Doubt: AWS's wording for a malformed ACME resource ARN is not documented.
    validation_exception(format!("The ARN {arn} is not valid."))
}

/// ResourceNotFoundException for an endpoint that does not exist.
pub fn endpoint_not_found(endpoint: &EndpointRef) -> ServiceError {
    // Doubt: AWS's wording is not documented; ACM's certificate form is followed.
    resource_not_found_exception(format!(
        "Could not find ACME endpoint {} in account {}.",
        endpoint.arn, endpoint.scope.account
    ))
}

/// ResourceNotFoundException for a binding, domain validation or account that does not exist.
pub fn not_found(what: &str, name: &str, account: &str) -> ServiceError {
    // Doubt: AWS's wording is not documented; ACM's certificate form is followed.
    resource_not_found_exception(format!(
        "Could not find {what} {name} in account {account}."
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn child_arns_parse_to_their_endpoint_and_row() {
        let arn = "arn:aws:acm:us-east-1:111122223333:acme-endpoint/e-1/acme-domain-validation/d-2";
        let child = ChildRef::parse(arn, DOMAIN).unwrap();
        assert_eq!(child.endpoint.id, "e-1");
        assert_eq!(
            child.endpoint.arn,
            "arn:aws:acm:us-east-1:111122223333:acme-endpoint/e-1"
        );
        assert_eq!(child.row(), "111122223333/us-east-1/e-1/d-2");
        assert!(ChildRef::parse(arn, BINDING).is_err());
        assert!(EndpointRef::parse(arn).is_err());
        let endpoint = EndpointRef::parse(&child.endpoint.arn).unwrap();
        assert_eq!(endpoint.row(), "111122223333/us-east-1/e-1");
        assert!(EndpointRef::parse("arn:aws:acm:us-east-1:111122223333:certificate/x").is_err());
    }
}
