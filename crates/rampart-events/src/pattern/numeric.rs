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
    /// Parses the array of `numeric` with EventBridge's grammar: `=` and one number; `>` or
    /// `>=` and a number, optionally followed by `<` or `<=` and a number; `<` or `<=` and a
    /// number. Reasons as EventBridge's matcher (aws/event-ruler) gives them.
    pub(super) fn parse(items: &[Value]) -> Result<Range, String> {
        let mut items = items.iter();
        let op = match items.next() {
            Some(Value::String(op)) => op.as_str(),
            other => return Err(format!("Invalid member in numeric match: {}", token(other))),
        };
        let value = items.next();
        let (lower, upper) = match op {
            "=" => {
                let v = bound(value, "equals")?;
                (Some((v, true)), Some((v, true)))
            }
            ">" | ">=" => {
                let lower = Some((bound(value, op)?, op == ">="));
                return upper_bound(items, lower);
            }
            "<" | "<=" => (None, Some((bound(value, op)?, op == "<="))),
            other => return Err(format!("Unrecognized numeric range operator: {other}")),
        };
        if items.next().is_some() {
            return Err("Too many elements in numeric expression".to_owned());
        }
        Ok(Range { lower, upper })
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

/// The optional `< x` / `<= x` after a lower bound.
fn upper_bound<'a>(
    mut items: impl Iterator<Item = &'a Value>,
    lower: Bound,
) -> Result<Range, String> {
    let Some(op) = items.next() else {
        return Ok(Range { lower, upper: None });
    };
    let op = match op {
        Value::String(op) if op == "<" || op == "<=" => op.as_str(),
        Value::String(op) => return Err(format!("Bad numeric range operator: {op}")),
        other => return Err(format!("Bad value in numeric range: {other}")),
    };
    let top = bound(items.next(), op)?;
    if items.next().is_some() {
        return Err("Too many terms in numeric range expression".to_owned());
    }
    if lower.is_some_and(|(bottom, _)| bottom >= top) {
        return Err("Bottom must be less than top".to_owned());
    }
    Ok(Range {
        lower,
        upper: Some((top, op == "<=")),
    })
}

/// A bound's number in millionths; `name` is the operator as the reason names it.
fn bound(value: Option<&Value>, name: &str) -> Result<i64, String> {
    let number = value
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("Value of {name} must be numeric"))?;
    comparable(number)
        .ok_or_else(|| format!("Value of {name} must be between -5.0E9 and 5.0E9 inclusive"))
}

/// How EventBridge's reason shows the JSON token it stopped at.
fn token(value: Option<&Value>) -> String {
    value.map_or_else(|| "]".to_owned(), Value::to_string)
}
