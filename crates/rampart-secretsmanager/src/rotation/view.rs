//! The rotation fields DescribeSecret and ListSecrets show: RotationEnabled (once rotation was
//! ever configured), RotationLambdaARN, RotationRules (AutomaticallyAfterDays calculated from
//! a schedule expression, as AWS does), LastRotatedDate and NextRotationDate (the last second
//! of the next rotation window, while rotation is on).

use super::schedule::Schedule;
use super::state::RotationState;
use crate::generated::RotationRulesType;
use rampart_codec::Timestamp;

/// The rotation fields of one secret.
#[derive(Debug, Default)]
pub struct RotationView {
    pub enabled: Option<bool>,
    pub lambda_arn: Option<String>,
    pub rules: Option<RotationRulesType>,
    pub last_rotated: Option<Timestamp>,
    pub next_rotation: Option<Timestamp>,
}

/// What DescribeSecret and ListSecrets show of `state`.
pub fn view(state: &RotationState) -> RotationView {
    let configured = state.enabled || state.lambda_arn.is_some();
    let rules = state.rules.as_ref().map(|r| {
        let anchor = state.last_rotated_ms.unwrap_or(0);
        let days = r
            .automatically_after_days
            .or_else(|| Schedule::of(r).ok().and_then(|s| s.days_between(anchor)));
        RotationRulesType {
            automatically_after_days: days,
            duration: r.duration.clone(),
            schedule_expression: r.schedule_expression.clone(),
        }
    });
    let next = state.next.filter(|_| state.enabled);
    RotationView {
        enabled: configured.then_some(state.enabled),
        lambda_arn: state.lambda_arn.clone(),
        rules,
        last_rotated: state.last_rotated_ms.map(Timestamp::from_epoch_millis),
        next_rotation: next.map(|w| Timestamp::from_epoch_millis(w.end_ms - 1000)),
    }
}
