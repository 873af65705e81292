//! The resource-based policy of a CA (PutPolicy): an IAM resource policy (parsed and checked
//! by `rampart_policy`, IAM's MalformedPolicyDocument reasons) that must also have the shape of
//! AWS RAM's permissions for certificate authorities, as AWS requires: Allow statements only,
//! naming AWS accounts or principals (`*` only under a Condition, e.g. an organization), the
//! shareable `acm-pca:` actions and the CA itself as the resource.

use crate::generated::ServiceError;
use crate::generated::errors::invalid_policy_exception;
use rampart_core::rampart_policy::{Policy, PolicyKind};
use serde_json::Value;

/// The actions a CA policy may share (AWS RAM's permission set for certificate authorities).
pub const SHAREABLE_ACTIONS: &[&str] = &[
    "acm-pca:DescribeCertificateAuthority",
    "acm-pca:GetCertificate",
    "acm-pca:GetCertificateAuthorityCertificate",
    "acm-pca:ListPermissions",
    "acm-pca:ListTags",
    "acm-pca:IssueCertificate",
    "acm-pca:RevokeCertificate",
];

/// AWS's message for a policy outside RAM's permissions (as reported by AWS users, e.g. the
/// endgame project's notes on PutPolicy).
const NOT_RAM_SHAPED: &str =
    "InvalidPolicy: The supplied policy does not match RAM managed permissions";

/// Checks `json` as the policy of CA `ca_arn`; the parsed policy.
pub fn validate(json: &str, ca_arn: &str) -> Result<Policy, ServiceError> {
    let policy = Policy::parse(json, PolicyKind::Resource)
        .map_err(|e| invalid_policy_exception(e.message))?;
    let doc: Value = serde_json::from_str(json).map_err(|_| not_ram_shaped())?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    match statements.iter().all(|s| shareable(s, ca_arn)) {
        true => Ok(policy),
        false => Err(not_ram_shaped()),
    }
}

fn not_ram_shaped() -> ServiceError {
    invalid_policy_exception(NOT_RAM_SHAPED)
}

/// Whether one statement fits RAM's shape for CA `ca_arn`.
fn shareable(statement: &Value, ca_arn: &str) -> bool {
    let negated = ["NotPrincipal", "NotAction", "NotResource"];
    if negated.iter().any(|k| statement.get(k).is_some()) {
        return false;
    }
    let conditioned = statement.get("Condition").is_some();
    statement.get("Effect") == Some(&Value::from("Allow"))
        && principals_ok(statement.get("Principal"), conditioned)
        && strings(statement.get("Action")).is_some_and(|actions| {
            !actions.is_empty() && actions.iter().all(|a| SHAREABLE_ACTIONS.contains(a))
        })
        && strings(statement.get("Resource"))
            .is_some_and(|rs| !rs.is_empty() && rs.iter().all(|r| *r == ca_arn))
}

/// AWS principals only; `*` (anyone) only when a Condition narrows it.
fn principals_ok(principal: Option<&Value>, conditioned: bool) -> bool {
    let names = match principal {
        Some(Value::String(star)) if star == "*" => vec![star.as_str()],
        Some(Value::Object(map)) if map.len() == 1 => match strings(map.get("AWS")) {
            Some(names) => names,
            None => return false,
        },
        _ => return false,
    };
    !names.is_empty() && names.iter().all(|name| *name != "*" || conditioned)
}

/// A string or a list of strings.
fn strings(value: Option<&Value>) -> Option<Vec<&str>> {
    match value? {
        Value::String(one) => Some(vec![one.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CA: &str = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566";

    fn doc(statement: Value) -> String {
        serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
    }

    fn share(principal: Value, action: Value, resource: &str) -> Value {
        serde_json::json!({"Sid": "1", "Effect": "Allow", "Principal": principal,
            "Action": action, "Resource": resource})
    }

    #[test]
    fn ram_shaped_policies_are_accepted() {
        let account = serde_json::json!({"AWS": "444455556666"});
        let read = serde_json::json!([
            "acm-pca:DescribeCertificateAuthority",
            "acm-pca:GetCertificate"
        ]);
        assert!(validate(&doc(share(account.clone(), read, CA)), CA).is_ok());
        let mut org = share(
            serde_json::json!("*"),
            "acm-pca:IssueCertificate".into(),
            CA,
        );
        org["Condition"] = serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3"}});
        assert!(validate(&doc(org), CA).is_ok());
    }

    #[test]
    fn other_shapes_are_invalid_policies() {
        let account = serde_json::json!({"AWS": "444455556666"});
        let cases = [
            share(
                account.clone(),
                "acm-pca:DeleteCertificateAuthority".into(),
                CA,
            ),
            share(account.clone(), "acm-pca:*".into(), CA),
            share(account.clone(), "acm-pca:GetCertificate".into(), "*"),
            share(serde_json::json!("*"), "acm-pca:GetCertificate".into(), CA),
            share(
                serde_json::json!({"Service": "acm.amazonaws.com"}),
                "acm-pca:GetCertificate".into(),
                CA,
            ),
        ];
        for statement in cases {
            let err = validate(&doc(statement.clone()), CA).unwrap_err();
            assert_eq!(err.code, "InvalidPolicyException", "{statement}");
            assert_eq!(err.message, NOT_RAM_SHAPED);
        }
        let mut deny = share(account, "acm-pca:GetCertificate".into(), CA);
        deny["Effect"] = "Deny".into();
        assert_eq!(
            validate(&doc(deny), CA).unwrap_err().message,
            NOT_RAM_SHAPED
        );
    }

    #[test]
    fn malformed_documents_carry_iams_reason() {
        let err = validate("{not json", CA).unwrap_err();
        assert_eq!(err.code, "InvalidPolicyException");
        let no_principal = serde_json::json!({"Effect": "Allow", "Action": "acm-pca:GetCertificate", "Resource": CA});
        let err = validate(&doc(no_principal), CA).unwrap_err();
        assert_eq!(err.code, "InvalidPolicyException");
        assert_ne!(err.message, NOT_RAM_SHAPED);
    }
}
