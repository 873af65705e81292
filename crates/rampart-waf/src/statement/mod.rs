//! Rule statements: the compiled tree (`parse.rs` builds it) and its evaluation.

mod parse;

pub(crate) use parse::{Compiler, parse};

use crate::eval::Ctx;
use crate::field::Field;
use crate::ipset::{ForwardedIp, IpSet};
use crate::label::LabelMatch;
use crate::rate::RateRule;
use crate::transform::Transforms;
use rampart_waf_detect::Sensitivity;
use std::sync::Arc;

/// A compiled statement.
#[derive(Debug)]
pub(crate) enum Statement {
    Inspect(Box<Inspect>),
    Geo {
        codes: Vec<[u8; 2]>,
        forwarded: Option<ForwardedIp>,
    },
    Ip {
        set: Arc<IpSet>,
        forwarded: Option<ForwardedIp>,
    },
    Label(LabelMatch),
    Asn {
        list: Vec<u64>,
        forwarded: Option<ForwardedIp>,
    },
    Rate(Box<RateRule>),
    And(Vec<Statement>),
    Or(Vec<Statement>),
    Not(Box<Statement>),
}

/// A statement that inspects a field's values.
#[derive(Debug)]
pub(crate) struct Inspect {
    pub(crate) field: Field,
    pub(crate) pre: Transforms,
    pub(crate) tts: Transforms,
    pub(crate) test: Test,
    /// For the costly detectors (SQLi, XSS): what identifies this inspection (field,
    /// transformations and test), so statements inspecting the same thing in one request
    /// share one answer ([`Ctx::memo`]).
    pub(crate) memo: Option<Arc<str>>,
}

impl Inspect {
    /// The memo key of an inspection worth remembering.
    pub(crate) fn memo_key(&self) -> Option<Arc<str>> {
        matches!(self.test, Test::Sqli(_) | Test::Xss).then(|| {
            let key = format!(
                "{:?}|{:?}|{:?}|{:?}",
                self.field, self.pre, self.tts, self.test
            );
            Arc::from(key)
        })
    }

    fn eval(&self, ctx: &Ctx) -> bool {
        let run = || {
            let test = &self.test;
            self.field
                .inspect(ctx, &self.pre, &self.tts, &mut |v| test.matches(v))
        };
        match &self.memo {
            None => run(),
            Some(key) => ctx.memo(key, run),
        }
    }
}

/// What a field value is tested for.
#[derive(Debug)]
pub(crate) enum Test {
    Bytes {
        position: Position,
        finder: Box<memchr::memmem::Finder<'static>>,
    },
    Regex(regex::bytes::Regex),
    RegexSet(Arc<regex::bytes::RegexSet>),
    Sqli(Sensitivity),
    Xss,
    Size {
        op: Comparison,
        size: u64,
    },
}

/// ByteMatch `PositionalConstraint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    Exactly,
    StartsWith,
    EndsWith,
    Contains,
    ContainsWord,
}

/// SizeConstraint `ComparisonOperator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
}

impl Statement {
    /// Whether the request matches.
    pub(crate) fn eval(&self, ctx: &Ctx) -> bool {
        match self {
            Statement::Inspect(i) => i.eval(ctx),
            Statement::Geo { codes, forwarded } => geo(ctx, codes, forwarded.as_ref()),
            Statement::Ip { set, forwarded } => match forwarded {
                None => set.contains(ctx.req.client_ip),
                Some(f) => f.test(ctx.req, &|ip| set.contains(ip)),
            },
            Statement::Label(m) => m.matches(&ctx.labels.borrow()),
            Statement::Asn { list, forwarded } => {
                let ip = match forwarded {
                    None => ctx.req.client_ip,
                    Some(f) => match f.first(ctx.req) {
                        Some(ip) => ip,
                        None => return f.fallback_match(),
                    },
                };
                ctx.env
                    .asn
                    .asn(ip)
                    .is_some_and(|asn| list.contains(&u64::from(asn)))
            }
            Statement::Rate(rule) => rule.eval(ctx),
            Statement::And(all) => all.iter().all(|s| s.eval(ctx)),
            Statement::Or(any) => any.iter().any(|s| s.eval(ctx)),
            Statement::Not(inner) => !inner.eval(ctx),
        }
    }
}

/// GeoMatch: labels the request with its country (and region) whenever it can tell, then
/// matches the country against the list.
fn geo(ctx: &Ctx, codes: &[[u8; 2]], forwarded: Option<&ForwardedIp>) -> bool {
    let (ip, source) = match forwarded {
        None => (ctx.req.client_ip, "clientip"),
        Some(f) => match f.first(ctx.req) {
            Some(ip) => (ip, "forwardedip"),
            None => return f.fallback_match(),
        },
    };
    let Some(country) = ctx.env.geo.country(ip) else {
        return false;
    };
    let code = String::from_utf8_lossy(&country);
    ctx.add_label(format!("awswaf:{source}:geo:country:{code}"));
    if let Some(region) = ctx.env.geo.region(ip) {
        ctx.add_label(format!("awswaf:{source}:geo:region:{code}-{region}"));
    }
    codes.contains(&country)
}

impl Test {
    pub(crate) fn matches(&self, value: &[u8]) -> bool {
        match self {
            Test::Bytes { position, finder } => bytes_match(*position, finder, value),
            Test::Regex(re) => re.is_match(value),
            Test::RegexSet(set) => set.is_match(value),
            Test::Sqli(sensitivity) => rampart_waf_detect::is_sqli(value, *sensitivity),
            Test::Xss => rampart_waf_detect::is_xss(value),
            Test::Size { op, size } => {
                let len = value.len() as u64;
                match op {
                    Comparison::Eq => len == *size,
                    Comparison::Ne => len != *size,
                    Comparison::Le => len <= *size,
                    Comparison::Lt => len < *size,
                    Comparison::Ge => len >= *size,
                    Comparison::Gt => len > *size,
                }
            }
        }
    }
}

/// ByteMatch (case-sensitive, on the transformed value).
fn bytes_match(position: Position, finder: &memchr::memmem::Finder, value: &[u8]) -> bool {
    let needle = finder.needle();
    match position {
        Position::Exactly => value == needle,
        Position::StartsWith => value.starts_with(needle),
        Position::EndsWith => value.ends_with(needle),
        Position::Contains => finder.find(value).is_some(),
        Position::ContainsWord => contains_word(finder, value),
    }
}

/// The needle occurs with a non-word character (not alphanumeric or `_`) or the value's
/// edge on each side.
fn contains_word(finder: &memchr::memmem::Finder, value: &[u8]) -> bool {
    let len = finder.needle().len();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    finder
        .find_iter(value)
        .any(|i| (i == 0 || !word(value[i - 1])) && value.get(i + len).is_none_or(|&b| !word(b)))
}
