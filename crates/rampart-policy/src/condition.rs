//! The Condition element: every operator family (String*, Numeric*, Date*, Bool, Binary,
//! IpAddress, Arn*, Null), `...IfExists`, `ForAllValues:`/`ForAnyValue:`, compiled once.

use crate::error::PolicyError;
use crate::eval::Env;
use crate::pattern::{ArnPattern, Pattern};
use crate::template::Template;
use crate::values::{Cidr, parse_date, parse_number};
use serde_json::Value;

/// Comparison of the Numeric*/Date* families (the `Not` forms negate `Eq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, ctx: T, policy: T) -> bool {
        match self {
            Cmp::Eq => ctx == policy,
            Cmp::Lt => ctx < policy,
            Cmp::Le => ctx <= policy,
            Cmp::Gt => ctx > policy,
            Cmp::Ge => ctx >= policy,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Str,
    StrIgnoreCase,
    StrLike,
    Num(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    Single,
    ForAllValues,
    ForAnyValue,
}

/// A string value: literal, or holding policy variables.
#[derive(Debug, Clone, PartialEq)]
enum Text<P> {
    Fixed(P),
    Vars(Template),
}

#[derive(Debug, Clone, PartialEq)]
enum Values {
    Str(Vec<Text<String>>),
    Like(Vec<Text<Pattern>>),
    Arn(Vec<Text<ArnPattern>>),
    Num(Vec<f64>),
    Date(Vec<i128>),
    Bool(Vec<bool>),
    Binary(Vec<Vec<u8>>),
    Ip(Vec<Cidr>),
    Null(bool),
}

/// One operator applied to one key with its values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    family: Family,
    negated: bool,
    qualifier: Qualifier,
    if_exists: bool,
    /// Lower-cased condition key.
    key: String,
    values: Values,
}

fn operator(name: &str) -> Option<(Family, bool)> {
    use Cmp::*;
    use Family::*;
    Some(match name {
        "StringEquals" => (Str, false),
        "StringNotEquals" => (Str, true),
        "StringEqualsIgnoreCase" => (StrIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (StrIgnoreCase, true),
        "StringLike" => (StrLike, false),
        "StringNotLike" => (StrLike, true),
        "NumericEquals" => (Num(Eq), false),
        "NumericNotEquals" => (Num(Eq), true),
        "NumericLessThan" => (Num(Lt), false),
        "NumericLessThanEquals" => (Num(Le), false),
        "NumericGreaterThan" => (Num(Gt), false),
        "NumericGreaterThanEquals" => (Num(Ge), false),
        "DateEquals" => (Date(Eq), false),
        "DateNotEquals" => (Date(Eq), true),
        "DateLessThan" => (Date(Lt), false),
        "DateLessThanEquals" => (Date(Le), false),
        "DateGreaterThan" => (Date(Gt), false),
        "DateGreaterThanEquals" => (Date(Ge), false),
        "Bool" => (Bool, false),
        "BinaryEquals" => (Binary, false),
        "IpAddress" => (Ip, false),
        "NotIpAddress" => (Ip, true),
        "ArnEquals" | "ArnLike" => (Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (Arn, true),
        "Null" => (Null, false),
        _ => return None,
    })
}

/// Parses `{"Operator": {"key": value | [values]}, ...}`; `vars` = policy variables enabled
/// (Version 2012-10-17).
pub(crate) fn parse_block(block: &Value, vars: bool) -> Result<Vec<Condition>, PolicyError> {
    let ops = block.as_object().ok_or_else(PolicyError::syntax)?;
    let mut out = Vec::new();
    for (name, keys) in ops {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Qualifier::ForAllValues, r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Qualifier::ForAnyValue, r)
        } else {
            (Qualifier::Single, name.as_str())
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        let (family, negated) = operator(base).ok_or_else(PolicyError::syntax)?;
        if family == Family::Null && (if_exists || qualifier != Qualifier::Single) {
            return Err(PolicyError::syntax());
        }
        let keys = keys.as_object().ok_or_else(PolicyError::syntax)?;
        for (key, v) in keys {
            check_key(key)?;
            out.push(Condition {
                family,
                negated,
                qualifier,
                if_exists,
                key: key.to_ascii_lowercase(),
                values: compile(family, &strings(v)?, vars)?,
            });
        }
    }
    Ok(out)
}

fn check_key(key: &str) -> Result<(), PolicyError> {
    match key.split_once(':') {
        Some((vendor, name)) if !vendor.is_empty() && !name.is_empty() => Ok(()),
        _ => Err(PolicyError::malformed(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        )),
    }
}

/// Condition values may be strings, numbers or booleans, alone or in an array.
fn strings(v: &Value) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(PolicyError::syntax()),
    };
    match v {
        Value::Array(items) => items.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

fn text<P>(s: &str, vars: bool, fixed: impl Fn(&str) -> P) -> Text<P> {
    match vars.then(|| Template::parse(s)).flatten() {
        Some(t) => Text::Vars(t),
        None => Text::Fixed(fixed(s)),
    }
}

fn arn_pattern(s: &str) -> ArnPattern {
    let mut toks = Vec::with_capacity(s.len());
    crate::pattern::tokens(s, &mut toks);
    ArnPattern::from_tokens(toks)
}

fn all<T>(v: &[String], f: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, PolicyError> {
    v.iter()
        .map(|s| f(s).ok_or_else(PolicyError::syntax))
        .collect()
}

fn compile(family: Family, v: &[String], vars: bool) -> Result<Values, PolicyError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(match family {
        Family::Str | Family::StrIgnoreCase => {
            Values::Str(v.iter().map(|s| text(s, vars, str::to_string)).collect())
        }
        Family::StrLike => Values::Like(v.iter().map(|s| text(s, vars, Pattern::parse)).collect()),
        Family::Arn => Values::Arn(v.iter().map(|s| text(s, vars, arn_pattern)).collect()),
        Family::Num(_) => Values::Num(all(v, parse_number)?),
        Family::Date(_) => Values::Date(all(v, parse_date)?),
        Family::Bool => Values::Bool(all(v, parse_bool)?),
        Family::Binary => Values::Binary(all(v, |s| b64.decode(s).ok())?),
        Family::Ip => Values::Ip(all(v, Cidr::parse)?),
        Family::Null => match all(v, parse_bool)?.as_slice() {
            [one] => Values::Null(*one),
            _ => return Err(PolicyError::syntax()),
        },
    })
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn text_equals(t: &Text<String>, v: &str, ignore_case: bool, env: &Env) -> bool {
    let eq = |s: &str| {
        if ignore_case {
            eq_ignore_case(s, v)
        } else {
            s == v
        }
    };
    match t {
        Text::Fixed(s) => eq(s),
        Text::Vars(t) => t.render(env).is_some_and(|s| eq(&s)),
    }
}

impl Condition {
    /// Whether the condition holds for the request.
    pub(crate) fn eval(&self, env: &Env) -> bool {
        let found = env.values(&self.key).filter(|v| !v.is_empty());
        if let Values::Null(want_absent) = self.values {
            return found.is_none() == want_absent;
        }
        let Some(found) = found else {
            return match self.qualifier {
                Qualifier::ForAllValues => true,
                Qualifier::ForAnyValue => self.if_exists,
                Qualifier::Single => self.if_exists || self.negated,
            };
        };
        let one = |v: &str| self.matches(v, env) != self.negated;
        match self.qualifier {
            Qualifier::Single => found.iter().any(|v| self.matches(v, env)) != self.negated,
            Qualifier::ForAnyValue => found.iter().any(one),
            Qualifier::ForAllValues => found.iter().all(one),
        }
    }

    /// Whether the context value `v` matches any policy value (before negation).
    fn matches(&self, v: &str, env: &Env) -> bool {
        match (&self.values, self.family) {
            (Values::Str(list), f) => {
                let ignore_case = f == Family::StrIgnoreCase;
                list.iter().any(|t| text_equals(t, v, ignore_case, env))
            }
            (Values::Like(list), _) => list.iter().any(|t| match t {
                Text::Fixed(p) => p.matches(v, false),
                Text::Vars(t) => t
                    .tokens(env)
                    .is_some_and(|toks| Pattern::from_tokens(toks).matches(v, false)),
            }),
            (Values::Arn(list), _) => list.iter().any(|t| match t {
                Text::Fixed(p) => p.matches(v),
                Text::Vars(t) => t
                    .tokens(env)
                    .is_some_and(|toks| ArnPattern::from_tokens(toks).matches(v)),
            }),
            (Values::Num(list), Family::Num(cmp)) => {
                parse_number(v).is_some_and(|n| list.iter().any(|p| cmp.holds(n, *p)))
            }
            (Values::Date(list), Family::Date(cmp)) => self
                .context_date(v, env)
                .is_some_and(|d| list.iter().any(|p| cmp.holds(d, *p))),
            (Values::Bool(list), _) => parse_bool(v).is_some_and(|b| list.contains(&b)),
            (Values::Binary(list), _) => {
                use base64::Engine as _;
                let decoded = base64::engine::general_purpose::STANDARD.decode(v);
                decoded.is_ok_and(|b| list.contains(&b))
            }
            (Values::Ip(list), _) => v
                .parse()
                .is_ok_and(|ip| list.iter().any(|c| c.contains(ip))),
            _ => false,
        }
    }

    fn context_date(&self, v: &str, env: &Env) -> Option<i128> {
        match env.now() {
            Some(now) if self.key == "aws:currenttime" => Some(now.unix_timestamp_nanos()),
            _ => parse_date(v),
        }
    }
}
