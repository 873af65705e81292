//! WAF's errors with the messages AWS answers: the modeled exceptions (generated codes) with
//! AWS's texts, and `WAFInvalidParameterException` with its `Field`, `Parameter` and `Reason`
//! members as AWS sends them.

use rampart_codec::ServiceError;
use rampart_store::StoreError;

/// `WAFNonexistentItemException`.
pub fn nonexistent() -> ServiceError {
    ServiceError::new(
        "WAFNonexistentItemException",
        400,
        "AWS WAF couldn\u{2019}t perform the operation because your resource doesn\u{2019}t exist.",
    )
}

/// `WAFDuplicateItemException`.
pub fn duplicate() -> ServiceError {
    ServiceError::new(
        "WAFDuplicateItemException",
        400,
        "AWS WAF couldn\u{2019}t perform the operation because some resource in your request is a duplicate of an existing one.",
    )
}

/// `WAFOptimisticLockException`: the LockToken is not the resource's current one.
pub fn optimistic_lock() -> ServiceError {
    ServiceError::new(
        "WAFOptimisticLockException",
        400,
        "AWS WAF couldn\u{2019}t save your changes because someone changed the resource after you started to edit it. Reapply your changes.",
    )
}

/// `WAFAssociatedItemException`: the resource is used by another one.
pub fn associated() -> ServiceError {
    ServiceError::new(
        "WAFAssociatedItemException",
        400,
        "AWS WAF couldn\u{2019}t perform the operation because your resource is being used by another resource or it\u{2019}s associated with another resource.",
    )
}

/// `WAFLimitsExceededException` (e.g. rules over a rule group's capacity).
pub fn limits_exceeded() -> ServiceError {
    ServiceError::new(
        "WAFLimitsExceededException",
        400,
        "AWS WAF couldn\u{2019}t perform the operation because you exceeded your resource limit.",
    )
}

/// `WAFInvalidPermissionPolicyException` with `reason`.
pub fn invalid_policy(reason: &str) -> ServiceError {
    ServiceError::new("WAFInvalidPermissionPolicyException", 400, reason)
}

/// `WAFInvalidOperationException` with `message`.
pub fn invalid_operation(message: &str) -> ServiceError {
    ServiceError::new("WAFInvalidOperationException", 400, message)
}

/// `WAFInvalidParameterException`: message `Error reason: <reason>, field: <field>,
/// parameter: <parameter>` and the three members.
pub fn invalid_parameter(field: &str, parameter: &str, reason: &str) -> ServiceError {
    let message = format!("Error reason: {reason}, field: {field}, parameter: {parameter}");
    ServiceError::new("WAFInvalidParameterException", 400, message)
        .with_member("Field", field)
        .with_member("Parameter", parameter)
        .with_member("Reason", reason)
}

/// The reason AWS gives for a value whose form is not valid.
pub const BAD_FORMAT: &str = "The parameter contains formatting that is not valid.";

/// A value of `field` whose form is not valid.
pub fn bad_format(field: &str, parameter: &str) -> ServiceError {
    invalid_parameter(field, parameter, BAD_FORMAT)
}

/// `WAFInternalErrorException` after logging a storage fault.
pub fn internal(err: StoreError) -> ServiceError {
    tracing::error!(error = %err, "WAFv2 storage failure");
    internal_error()
}

/// `WAFInternalErrorException` (HTTP 500), with no detail.
pub fn internal_error() -> ServiceError {
    ServiceError::new(
        "WAFInternalErrorException",
        500,
        "AWS WAF couldn\u{2019}t perform the operation because of a system problem. Retry your request.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_parameter_carries_members() {
        let e = invalid_parameter("SCOPE_VALUE", "CLOUDFRONT", "The scope is not valid.");
        assert_eq!(
            e.message,
            "Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT"
        );
        assert_eq!(e.members.len(), 3);
        assert_eq!(e.code, "WAFInvalidParameterException");
    }
}
