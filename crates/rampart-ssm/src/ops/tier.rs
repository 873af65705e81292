//! Tiers: Standard (values up to 4 KB, no policies), Advanced (8 KB, policies) and
//! Intelligent-Tiering (Standard unless the value or policies need Advanced). An Advanced
//! parameter never goes back to Standard.

use crate::generated::ServiceError;

pub const STANDARD: &str = "Standard";
pub const ADVANCED: &str = "Advanced";
pub const INTELLIGENT: &str = "Intelligent-Tiering";

const STANDARD_MAX: usize = 4096;
const ADVANCED_MAX: usize = 8192;

/// What decides a version's tier.
pub struct TierInput<'a> {
    /// The tier the request asked for, if any.
    pub requested: Option<&'a str>,
    /// The account's default tier setting.
    pub default: &'a str,
    /// The current version's tier, for an existing parameter.
    pub previous: Option<&'a str>,
    pub value_len: usize,
    pub has_policies: bool,
}

/// The tier the new version gets, or AWS's error.
pub fn resolve(input: &TierInput<'_>) -> Result<&'static str, ServiceError> {
    let was_advanced = input.previous == Some(ADVANCED);
    let asked = input.requested.unwrap_or(input.default);
    let needs_advanced = input.value_len > STANDARD_MAX || input.has_policies;
    let tier = match asked {
        ADVANCED => ADVANCED,
        INTELLIGENT if needs_advanced || was_advanced => ADVANCED,
        INTELLIGENT => STANDARD,
        _ if was_advanced && input.requested.is_none() => ADVANCED,
        _ if was_advanced => return Err(downgrade()),
        _ => STANDARD,
    };
    check_size(tier, input)?;
    Ok(tier)
}

fn check_size(tier: &str, input: &TierInput<'_>) -> Result<(), ServiceError> {
    if tier == STANDARD && input.value_len > STANDARD_MAX {
        return Err(ServiceError::validation(
            "Standard tier parameters support a maximum parameter value of 4096 characters. To \
             create a larger parameter value, upgrade the parameter to use the advanced-parameter \
             tier. For more information, see \
             https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
        ));
    }
    if tier == STANDARD && input.has_policies {
        // Doubt: AWS's exact wording; the rule (policies need the Advanced tier) is documented.
        return Err(ServiceError::validation(
            "Parameter policies are supported only for parameters in the advanced-parameter \
             tier. Use the advanced-parameter tier or the intelligent-tiering option, and try \
             again.",
        ));
    }
    if input.value_len > ADVANCED_MAX {
        return Err(ServiceError::validation(
            "Advanced tier parameters support a maximum parameter value of 8192 characters.",
        ));
    }
    Ok(())
}

fn downgrade() -> ServiceError {
    ServiceError::validation(
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from \
         the advanced-parameter tier to the standard-parameter tier. If necessary, you can \
         delete the advanced parameter and recreate it as a standard parameter.",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input<'a>(
        requested: Option<&'a str>,
        previous: Option<&'a str>,
        len: usize,
    ) -> TierInput<'a> {
        TierInput {
            requested,
            default: STANDARD,
            previous,
            value_len: len,
            has_policies: false,
        }
    }

    #[test]
    fn tiers_follow_aws_rules() {
        assert_eq!(resolve(&input(None, None, 10)).unwrap(), STANDARD);
        assert!(resolve(&input(None, None, 4097)).is_err());
        assert_eq!(
            resolve(&input(Some(ADVANCED), None, 8192)).unwrap(),
            ADVANCED
        );
        assert!(resolve(&input(Some(ADVANCED), None, 8193)).is_err());
        assert_eq!(
            resolve(&input(Some(INTELLIGENT), None, 5000)).unwrap(),
            ADVANCED
        );
        assert_eq!(
            resolve(&input(Some(INTELLIGENT), None, 50)).unwrap(),
            STANDARD
        );
        assert_eq!(resolve(&input(None, Some(ADVANCED), 5)).unwrap(), ADVANCED);
        let e = resolve(&input(Some(STANDARD), Some(ADVANCED), 5)).unwrap_err();
        assert!(e.message.contains("can't downgrade"));
        let mut with_policy = input(None, None, 5);
        with_policy.has_policies = true;
        assert!(resolve(&with_policy).is_err());
        with_policy.requested = Some(INTELLIGENT);
        assert_eq!(resolve(&with_policy).unwrap(), ADVANCED);
    }
}
