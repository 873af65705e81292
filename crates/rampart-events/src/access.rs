//! Authorization of every EventBridge operation as `events:<Operation>` on the bus or rule it
//! acts on, and the errors the operations share.

use crate::generated::ServiceError;
use rampart_core::RequestContext;
use rampart_core::authz::AccessCheck;
use rampart_core::rampart_policy::Policy;

/// AWS's `ValidationException` with `message`.
pub fn validation(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ValidationException", 400, message)
}

/// `ResourceNotFoundException: Event bus <name> does not exist.`
pub fn bus_not_found(name: &str) -> ServiceError {
    crate::generated::errors::resource_not_found_exception(format!(
        "Event bus {name} does not exist."
    ))
}

/// `ResourceNotFoundException: Rule <rule> does not exist on EventBus <bus>.`
pub fn rule_not_found(rule: &str, bus: &str) -> ServiceError {
    crate::generated::errors::resource_not_found_exception(format!(
        "Rule {rule} does not exist on EventBus {bus}."
    ))
}

/// Authorizes `events:<operation>` on `resource`, owned by `owner`, whose resource policy (a
/// bus's) is `policy`: outside the caller's account only that policy can allow.
pub fn authorize(
    ctx: &RequestContext,
    operation: &str,
    resource: &str,
    owner: &str,
    policy: Option<&Policy>,
) -> Result<(), ServiceError> {
    let action = format!("events:{operation}");
    let check = AccessCheck {
        action: &action,
        resource,
        resource_account: owner,
        resource_policy: policy,
        require_resource_allow: false,
    };
    ctx.authorize(&check, &ctx.policy_context())
        .map_err(|denied| ServiceError::access_denied(denied.message))
}
