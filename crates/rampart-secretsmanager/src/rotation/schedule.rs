//! RotationRules: validated as RotateSecret receives them, and the rotation window they give
//! after a rotation. AutomaticallyAfterDays N is `rate(N days)`; `rate(N hours)` (4 to 23) and
//! `cron(...)` (EventBridge's six fields, UTC) are ScheduleExpressions. A window in days runs
//! to the end of its UTC day unless Duration shortens it; a window in hours lasts one hour
//! unless Duration says otherwise; a window never runs into the next UTC day. The scheduled
//! rotation runs at the window's start, and NextRotationDate is the window's last second (as
//! AWS shows it, e.g. `...T23:59:59Z`).

use super::state::{Rules, Window};
use crate::generated::errors::invalid_parameter_exception;
use crate::generated::{RotationRulesType, ServiceError};
use crate::service::day_of;
use rampart_events::schedule::Cron;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// The most often a secret can rotate (AWS: "as often as every four hours").
const MIN_HOURS: i64 = 4;

/// How often a schedule rotates.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Every {
    Days(i64),
    Hours(i64),
    Cron(Box<Cron>),
}

/// A validated schedule: how often, and the window length (`None`: the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    every: Every,
    duration_ms: Option<i64>,
}

/// InvalidParameterException for a schedule Secrets Manager refuses.
/// Doubt: AWS's wording for a malformed expression is not documented; this names the field.
fn invalid_schedule(expression: &str) -> ServiceError {
    invalid_parameter_exception(format!(
        "The rotation schedule expression {expression} is not valid."
    ))
}

/// `N` of `N unit` / `N units` in a rate expression.
fn rate_amount(body: &str) -> Option<(i64, &str)> {
    let (amount, unit) = body.trim().split_once(' ')?;
    let amount: i64 = amount.parse().ok()?;
    Some((amount, unit.trim()))
}

/// `rate(...)` or `cron(...)`.
fn parse_expression(expression: &str) -> Result<Every, ServiceError> {
    let bad = || invalid_schedule(expression);
    if let Some(body) = expression
        .strip_prefix("rate(")
        .and_then(|b| b.strip_suffix(')'))
    {
        let (amount, unit) = rate_amount(body).ok_or_else(bad)?;
        return match unit {
            "day" | "days" if (1..=1000).contains(&amount) => Ok(Every::Days(amount)),
            "hour" | "hours" if (MIN_HOURS..24).contains(&amount) => Ok(Every::Hours(amount)),
            _ => Err(bad()),
        };
    }
    let body = expression
        .strip_prefix("cron(")
        .and_then(|b| b.strip_suffix(')'))
        .ok_or_else(bad)?;
    let cron = Cron::parse(body.trim()).ok_or_else(bad)?;
    // Two consecutive firings from a fixed point closer than four hours: too often.
    let first = cron.next_after(0).ok_or_else(bad)?;
    let second = cron.next_after(first).ok_or_else(bad)?;
    if second - first < MIN_HOURS * HOUR_MS {
        return Err(bad());
    }
    Ok(Every::Cron(Box::new(cron)))
}

/// `Nh` as milliseconds (1 to 24 hours).
/// Doubt: AWS's message for a Duration out of range is not documented.
fn parse_duration(text: &str) -> Result<i64, ServiceError> {
    let hours: i64 = text
        .strip_suffix('h')
        .and_then(|n| n.parse().ok())
        .filter(|h| (1..=24).contains(h))
        .ok_or_else(|| {
            invalid_parameter_exception(format!(
                "The rotation window duration {text} is not valid."
            ))
        })?;
    Ok(hours * HOUR_MS)
}

impl Schedule {
    /// The schedule `rules` give, or the error RotateSecret answers.
    pub fn of(rules: &Rules) -> Result<Schedule, ServiceError> {
        let every = match (rules.automatically_after_days, &rules.schedule_expression) {
            (Some(_), Some(_)) => {
                return Err(invalid_parameter_exception(
                    "You cannot specify both rotation frequency and schedule expression together.",
                ));
            }
            (Some(days), None) => Every::Days(days),
            (None, Some(expression)) => parse_expression(expression)?,
            // Doubt: AWS's wording when RotationRules names no schedule is not documented.
            (None, None) => {
                return Err(invalid_parameter_exception(
                    "You must specify either AutomaticallyAfterDays or ScheduleExpression.",
                ));
            }
        };
        let duration_ms = rules.duration.as_deref().map(parse_duration).transpose()?;
        if let (Every::Hours(n), Some(d)) = (&every, duration_ms)
            && d > n * HOUR_MS
        {
            return Err(invalid_parameter_exception(
                "The rotation window can't extend into the next rotation window.",
            ));
        }
        Ok(Schedule { every, duration_ms })
    }

    /// The first window after a rotation at `anchor_ms` (or after rotation was turned on).
    pub fn next_window(&self, anchor_ms: i64) -> Option<Window> {
        let start_ms = match &self.every {
            Every::Days(n) => day_of(anchor_ms).checked_add(n.checked_mul(DAY_MS)?)?,
            Every::Hours(n) => (anchor_ms - anchor_ms.rem_euclid(HOUR_MS)) + n * HOUR_MS,
            Every::Cron(cron) => cron.next_after(anchor_ms)?,
        };
        let length = match (&self.every, self.duration_ms) {
            (_, Some(d)) => d,
            (Every::Hours(_), None) => HOUR_MS,
            _ => DAY_MS,
        };
        let day_end = day_of(start_ms) + DAY_MS;
        let end_ms = (start_ms + length).min(day_end);
        Some(Window { start_ms, end_ms })
    }

    /// The number of days between rotations that DescribeSecret shows with a schedule
    /// expression (`AutomaticallyAfterDays`, "calculated from the rotation schedule").
    pub fn days_between(&self, anchor_ms: i64) -> Option<i64> {
        match &self.every {
            Every::Days(n) => Some(*n),
            Every::Hours(_) => None,
            Every::Cron(cron) => {
                let first = cron.next_after(anchor_ms)?;
                let second = cron.next_after(first)?;
                Some(((second - first) / DAY_MS).max(1))
            }
        }
    }
}

/// The stored rules of a request's RotationRules.
pub fn rules_of(input: &RotationRulesType) -> Rules {
    Rules {
        automatically_after_days: input.automatically_after_days,
        schedule_expression: input.schedule_expression.clone(),
        duration: input.duration.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_323_045_000; // 2026-01-02T03:04:05Z

    fn rules(days: Option<i64>, expr: Option<&str>, duration: Option<&str>) -> Rules {
        Rules {
            automatically_after_days: days,
            schedule_expression: expr.map(str::to_owned),
            duration: duration.map(str::to_owned),
        }
    }

    fn window(r: Rules) -> Window {
        Schedule::of(&r).unwrap().next_window(T0).unwrap()
    }

    #[test]
    fn days_run_to_the_end_of_the_utc_day() {
        let w = window(rules(Some(30), None, None));
        assert_eq!(w.start_ms, day_of(T0) + 30 * DAY_MS);
        assert_eq!(w.end_ms, day_of(T0) + 31 * DAY_MS);
        let w = window(rules(None, Some("rate(10 days)"), Some("3h")));
        assert_eq!(w.end_ms - w.start_ms, 3 * HOUR_MS);
    }

    #[test]
    fn hours_last_an_hour_by_default() {
        let w = window(rules(None, Some("rate(4 hours)"), None));
        assert_eq!(w.start_ms, 1_767_322_800_000 + 4 * HOUR_MS);
        assert_eq!(w.end_ms - w.start_ms, HOUR_MS);
    }

    #[test]
    fn cron_windows_start_at_the_firing_and_stop_at_midnight() {
        let w = window(rules(None, Some("cron(0 16 1,15 * ? *)"), Some("10h")));
        assert_eq!(w.start_ms, day_of(T0) + 13 * DAY_MS + 16 * HOUR_MS);
        assert_eq!(w.end_ms, day_of(T0) + 14 * DAY_MS);
    }

    #[test]
    fn refusals() {
        let code = |r: Rules| Schedule::of(&r).unwrap_err().code;
        assert_eq!(
            code(rules(Some(1), Some("rate(1 days)"), None)),
            "InvalidParameterException"
        );
        assert_eq!(
            code(rules(None, Some("rate(2 hours)"), None)),
            "InvalidParameterException"
        );
        assert_eq!(
            code(rules(None, Some("rate(1 minutes)"), None)),
            "InvalidParameterException"
        );
        assert_eq!(
            code(rules(None, Some("cron(0 * * * ? *)"), None)),
            "InvalidParameterException"
        );
        assert_eq!(
            code(rules(None, Some("cron(bad)"), None)),
            "InvalidParameterException"
        );
        assert_eq!(
            code(rules(None, Some("rate(4 hours)"), Some("5h"))),
            "InvalidParameterException"
        );
        assert_eq!(
            code(rules(Some(3), None, Some("25h"))),
            "InvalidParameterException"
        );
        assert_eq!(
            code(rules(None, None, Some("2h"))),
            "InvalidParameterException"
        );
    }
}
