//! `numeric` ranges. AWS ("Content filtering in Amazon EventBridge event patterns", numeric
//! matching): numeric matching works on JSON numbers between -5.0e9 and +5.0e9 inclusive, with
//! 15 digits of precision, or six digits to the right of the decimal point. So numbers are
//! compared as integers counting millionths (what EventBridge's ComparableNumber does), which
//! also makes `300`, `300.0` and `3.0e2` one value for exact matching.

use serde_json::Value;

/// The documented bound of numbers in numeric matching, inclusive on both sides.
const LIMIT: f64 = 5.0e9;

/// `n` in millionths, or `None` outside [-5.0e9, 5.0e9] (or not finite).
pub(super) fn comparable(n: f64) -> Option<i64> {
    if !(-LIMIT..=LIMIT).contains(&n) {
        return None;
    }
    // In range, `n * 1e6` is at most 5e15 in magnitude: exact in i64.
    Some((n * 1e6).round() as i64)
}

/// Whether two JSON numbers are the same value for exact matching.
pub(super) fn same_number(a: f64, b: f64) -> bool {
    match (comparable(a), comparable(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A bound: the value in millionths and whether it is included.
type Bound = Option<(i64, bool)>;

/// A compiled `numeric` range: `=` or up to one lower and one upper bound.
#[derive(Debug, Clone)]
pub(super) struct Range {
    lower: Bound,
    upper: Bound,
}

impl Range {
    /// Parses the array of `numeric`: operators each followed by a number.
    pub(super) fn parse(items: &[Value]) -> Result<Range, String> {
        if items.is_empty() || !items.len().is_multiple_of(2) || items.len() > 4 {
            return Err(
                "Value of numeric must be an array of one or two operators, each \
                        followed by a number"
                    .to_owned(),
            );
        }
        let mut range = Range {
            lower: None,
            upper: None,
        };
        for pair in items.chunks(2) {
            let op = pair[0]
                .as_str()
                .ok_or("Invalid member in numeric match: operator must be a string")?;
            let value = bound_value(op, &pair[1])?;
            range.add(op, value, items.len())?;
        }
        range.check_order()?;
        Ok(range)
    }

    fn add(&mut self, op: &str, value: i64, len: usize) -> Result<(), String> {
        let (slot, inclusive) = match op {
            "=" if len == 2 => {
                self.lower = Some((value, true));
                self.upper = Some((value, true));
                return Ok(());
            }
            "=" => {
                return Err(
                    "Bad numeric range: \"=\" cannot be combined with another operator".to_owned(),
                );
            }
            ">" => (&mut self.lower, false),
            ">=" => (&mut self.lower, true),
            "<" => (&mut self.upper, false),
            "<=" => (&mut self.upper, true),
            other => return Err(format!("Unrecognized numeric range operator: {other}")),
        };
        if slot.is_some() {
            return Err(format!(
                "Bad numeric range: more than one bound on the same side (\"{op}\")"
            ));
        }
        *slot = Some((value, inclusive));
        Ok(())
    }

    fn check_order(&self) -> Result<(), String> {
        match (self.lower, self.upper) {
            (Some((low, _)), Some((high, _))) if low > high => {
                Err("Bad numeric range: the lower bound must be below the upper bound".to_owned())
            }
            _ => Ok(()),
        }
    }

    /// Whether the JSON number `n` lies in the range (numbers beyond ±5.0e9 never do).
    pub(super) fn contains(&self, n: f64) -> bool {
        let Some(n) = comparable(n) else { return false };
        let above = match self.lower {
            Some((low, true)) => n >= low,
            Some((low, false)) => n > low,
            None => true,
        };
        let below = match self.upper {
            Some((high, true)) => n <= high,
            Some((high, false)) => n < high,
            None => true,
        };
        above && below
    }
}

fn bound_value(op: &str, value: &Value) -> Result<i64, String> {
    let number = value
        .as_f64()
        .ok_or_else(|| format!("Value of {op} must be a number"))?;
    comparable(number).ok_or_else(|| {
        format!("Value of {op} must be between -5.0E9 and 5.0E9 inclusive (got {value})")
    })
}
