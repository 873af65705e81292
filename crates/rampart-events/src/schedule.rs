//! `ScheduleExpression`s as EventBridge accepts them (`rate(N unit)`, `cron(6 fields)`) and
//! when a schedule next fires. Anything else is "Parameter ScheduleExpression is not valid.".

mod cron;

pub use cron::Cron;

use crate::access::validation;
use crate::generated::ServiceError;

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every `period_ms`, counted from when the schedule was set.
    Rate { period_ms: i64 },
    /// At every minute the cron fields match (UTC).
    Cron(Cron),
}

/// AWS's error for an expression it does not accept.
pub fn invalid() -> ServiceError {
    validation("Parameter ScheduleExpression is not valid.")
}

impl Schedule {
    /// Parses `rate(...)` or `cron(...)`.
    pub fn parse(text: &str) -> Result<Schedule, ServiceError> {
        if let Some(body) = text.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            return parse_rate(body).ok_or_else(invalid);
        }
        if let Some(body) = text.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
            return Cron::parse(body).map(Schedule::Cron).ok_or_else(invalid);
        }
        Err(invalid())
    }

    /// The first firing strictly after `after_ms` (epoch ms), for a schedule set at
    /// `anchor_ms`; `None` when a cron never fires again.
    pub fn next_after(&self, anchor_ms: i64, after_ms: i64) -> Option<i64> {
        match self {
            Schedule::Rate { period_ms } => {
                let elapsed = after_ms.saturating_sub(anchor_ms).max(0);
                let periods = elapsed / period_ms + 1;
                Some(anchor_ms.saturating_add(periods.saturating_mul(*period_ms)))
            }
            Schedule::Cron(cron) => cron.next_after(after_ms),
        }
    }
}

/// `N unit`: N a positive integer, the unit singular for 1 and plural otherwise.
fn parse_rate(body: &str) -> Option<Schedule> {
    let mut words = body.split(' ');
    let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return None;
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = value.parse().ok().filter(|n| *n > 0)?;
    let (singular, unit_ms) = match unit {
        "minute" => (true, 60_000),
        "minutes" => (false, 60_000),
        "hour" => (true, 3_600_000),
        "hours" => (false, 3_600_000),
        "day" => (true, 86_400_000),
        "days" => (false, 86_400_000),
        _ => return None,
    };
    if singular != (n == 1) {
        return None;
    }
    Some(Schedule::Rate {
        period_ms: n.checked_mul(unit_ms)?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rates_need_the_right_unit_form() {
        for ok in [
            "rate(1 minute)",
            "rate(5 minutes)",
            "rate(1 hour)",
            "rate(2 days)",
        ] {
            assert!(Schedule::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "rate(1 minutes)",
            "rate(2 minute)",
            "rate(0 minutes)",
            "rate(-1 minutes)",
            "rate(5  minutes)",
            "rate(5 weeks)",
            "rate(1.5 hours)",
            "rate(5 minutes",
            "every 5 minutes",
            "",
        ] {
            let err = Schedule::parse(bad).unwrap_err();
            assert_eq!(err.code, "ValidationException", "{bad}");
            assert_eq!(err.message, "Parameter ScheduleExpression is not valid.");
        }
    }

    #[test]
    fn a_rate_fires_every_period_from_its_anchor() {
        let s = Schedule::parse("rate(5 minutes)").unwrap();
        assert_eq!(s.next_after(1_000, 1_000), Some(301_000));
        assert_eq!(s.next_after(1_000, 301_000), Some(601_000));
        assert_eq!(s.next_after(1_000, 450_000), Some(601_000));
    }
}
