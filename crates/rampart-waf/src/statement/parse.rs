//! Compiling a `Statement` (AWS JSON) into [`Statement`].

use super::{Comparison, Inspect, Position, Statement, Test};
use crate::Resolver;
use crate::error::{CompileError, Result};
use crate::field::Field;
use crate::ipset::{ForwardedIp, IpSet};
use crate::json;
use crate::label::LabelMatch;
use crate::rate::RateRule;
use crate::transform::Transforms;
use base64::Engine;
use rampart_waf_detect::Sensitivity;
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Nesting deeper than this is refused (AWS's own limits are far lower).
const MAX_DEPTH: usize = 20;
/// Compiled regex size bound (linear-time automata; this bounds memory).
const REGEX_SIZE: usize = 1 << 20;

/// What compiling a statement needs: the resolver, the label namespace of the context, and
/// the identity of the rule (rate-based counters are keyed by it).
pub(crate) struct Compiler<'a> {
    pub(crate) resolver: &'a dyn Resolver,
    pub(crate) namespace: Arc<str>,
    /// `<web ACL id>|<namespace>|<rule name>`.
    pub(crate) rule_id: Arc<str>,
    pub(crate) rule_name: String,
}

/// Parses a statement; `top` when it is a rule's own statement (rate-based allowed there).
pub(crate) fn parse(value: &Value, cx: &Compiler, what: &str, top: bool) -> Result<Statement> {
    parse_at(value, cx, what, top, 0)
}

fn parse_at(
    value: &Value,
    cx: &Compiler,
    what: &str,
    top: bool,
    depth: usize,
) -> Result<Statement> {
    if depth > MAX_DEPTH {
        return Err(CompileError::invalid(format!(
            "{what}: statements are nested too deeply"
        )));
    }
    let (name, spec) = json::union(value, what)?;
    let inner = format!("{what}.{name}");
    let obj = json::object(spec, &inner)?;
    match name {
        "AndStatement" | "OrStatement" | "NotStatement" => logical(name, obj, cx, &inner, depth),
        "RateBasedStatement" if top => {
            let scope_down = match obj.get("ScopeDownStatement").filter(|v| !v.is_null()) {
                Some(s) => Some(parse_at(s, cx, &inner, false, depth + 1)?),
                None => None,
            };
            let rule = RateRule::parse(obj, cx, scope_down, &inner)?;
            Ok(Statement::Rate(Box::new(rule)))
        }
        "RateBasedStatement" | "ManagedRuleGroupStatement" | "RuleGroupReferenceStatement" => Err(
            CompileError::invalid(format!("{inner} can only be a rule's top-level statement")),
        ),
        _ => leaf(name, spec, obj, cx, &inner).unwrap_or_else(|| {
            Err(CompileError::invalid(format!(
                "{what}.{name} is not a valid statement"
            )))
        }),
    }
}

/// And (at least two statements), Or (the same) and Not.
fn logical(
    name: &str,
    obj: &Map<String, Value>,
    cx: &Compiler,
    what: &str,
    depth: usize,
) -> Result<Statement> {
    if name == "NotStatement" {
        let s = json::req(obj, "Statement", what)?;
        return Ok(Statement::Not(Box::new(parse_at(
            s,
            cx,
            what,
            false,
            depth + 1,
        )?)));
    }
    let items = json::opt_array(obj, "Statements", what)?;
    if items.len() < 2 {
        return Err(CompileError::invalid(format!(
            "{what}.Statements must have at least 2 statements"
        )));
    }
    let all = items
        .iter()
        .map(|s| parse_at(s, cx, what, false, depth + 1))
        .collect::<Result<Vec<_>>>()?;
    Ok(if name == "AndStatement" {
        Statement::And(all)
    } else {
        Statement::Or(all)
    })
}

/// The statements without nested statements; `None` for an unknown name.
fn leaf(
    name: &str,
    spec: &Value,
    obj: &Map<String, Value>,
    cx: &Compiler,
    what: &str,
) -> Option<Result<Statement>> {
    let test = |t: Result<Test>| t.and_then(|t| inspect(obj, what, t));
    Some(match name {
        "ByteMatchStatement" => test(byte_test(obj, what)),
        "RegexMatchStatement" => test(
            json::req_str(obj, "RegexString", what)
                .and_then(|p| regex(p, what))
                .map(Test::Regex),
        ),
        "RegexPatternSetReferenceStatement" => test(regex_set_test(obj, cx, what)),
        "SqliMatchStatement" => test(sensitivity(obj, what).map(Test::Sqli)),
        "XssMatchStatement" => test(Ok(Test::Xss)),
        "SizeConstraintStatement" => test(size_test(obj, what)),
        "GeoMatchStatement" => geo(obj, what),
        "IPSetReferenceStatement" => ip_set(obj, cx, what),
        "LabelMatchStatement" => LabelMatch::parse(spec, &cx.namespace, what).map(Statement::Label),
        "AsnMatchStatement" => asn(obj, what),
        _ => return None,
    })
}

fn inspect(obj: &Map<String, Value>, what: &str, test: Test) -> Result<Statement> {
    let field = Field::parse(json::req(obj, "FieldToMatch", what)?, what)?;
    let tts = Transforms::parse(json::opt_array(obj, "TextTransformations", what)?, what)?;
    let pre_items = json::opt_array(obj, "PreParseTextTransformations", what)?;
    if !pre_items.is_empty() && !field.takes_pre_parse() {
        return Err(CompileError::invalid(format!(
            "{what}.PreParseTextTransformations are only supported when FieldToMatch is SingleQueryArgument or AllQueryArguments"
        )));
    }
    let pre = Transforms::parse(pre_items, what)?;
    let mut inspect = Inspect {
        field,
        pre,
        tts,
        test,
        memo: None,
    };
    inspect.memo = inspect.memo_key();
    Ok(Statement::Inspect(Box::new(inspect)))
}

fn byte_test(obj: &Map<String, Value>, what: &str) -> Result<Test> {
    let encoded = json::req_str(obj, "SearchString", what)?;
    let needle = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| {
            CompileError::invalid(format!("{what}.SearchString must be base64-encoded"))
        })?;
    if needle.is_empty() || needle.len() > 200 {
        return Err(CompileError::invalid(format!(
            "{what}.SearchString must be 1 to 200 bytes"
        )));
    }
    let position = json::enum_str(obj, "PositionalConstraint", what, |p| match p {
        "EXACTLY" => Some(Position::Exactly),
        "STARTS_WITH" => Some(Position::StartsWith),
        "ENDS_WITH" => Some(Position::EndsWith),
        "CONTAINS" => Some(Position::Contains),
        "CONTAINS_WORD" => Some(Position::ContainsWord),
        _ => None,
    })?;
    let finder = Box::new(memchr::memmem::Finder::new(&needle).into_owned());
    Ok(Test::Bytes { position, finder })
}

/// Byte-oriented (`.` matches any byte), falling back to Unicode mode for patterns that need it.
fn regex(pattern: &str, what: &str) -> Result<Regex> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE)
        .build()
        .or_else(|_| RegexBuilder::new(pattern).size_limit(REGEX_SIZE).build())
        .map_err(|e| {
            CompileError::invalid(format!(
                "{what}: the regular expression {pattern} is not supported: {}",
                first_line(&e.to_string())
            ))
        })
}

fn first_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or(text.lines().next().unwrap_or(""))
}

fn regex_set_test(obj: &Map<String, Value>, cx: &Compiler, what: &str) -> Result<Test> {
    let arn = json::req_str(obj, "ARN", what)?;
    let set = cx.resolver.regex_pattern_set(arn).ok_or_else(|| {
        CompileError::NotFound(format!("The regex pattern set {arn} does not exist"))
    })?;
    let set_obj = json::object(&set, what)?;
    let mut patterns = Vec::new();
    for item in json::opt_array(set_obj, "RegularExpressionList", what)? {
        let pattern = item
            .get("RegexString")
            .and_then(Value::as_str)
            .unwrap_or_default();
        regex(pattern, what)?;
        patterns.push(pattern.to_owned());
    }
    let build = |unicode: bool| {
        RegexSetBuilder::new(&patterns)
            .unicode(unicode)
            .size_limit(REGEX_SIZE * 4)
            .build()
    };
    let compiled: RegexSet = build(false)
        .or_else(|_| build(true))
        .map_err(|e| CompileError::invalid(format!("{what}: regex pattern set {arn}: {e}")))?;
    Ok(Test::RegexSet(Arc::new(compiled)))
}

fn sensitivity(obj: &Map<String, Value>, what: &str) -> Result<Sensitivity> {
    match json::opt_str(obj, "SensitivityLevel") {
        None | Some("LOW") => Ok(Sensitivity::Low),
        Some("HIGH") => Ok(Sensitivity::High),
        Some(other) => Err(CompileError::invalid(format!(
            "{what}.SensitivityLevel has an invalid value: {other}"
        ))),
    }
}

fn size_test(obj: &Map<String, Value>, what: &str) -> Result<Test> {
    let op = json::enum_str(obj, "ComparisonOperator", what, |o| match o {
        "EQ" => Some(Comparison::Eq),
        "NE" => Some(Comparison::Ne),
        "LE" => Some(Comparison::Le),
        "LT" => Some(Comparison::Lt),
        "GE" => Some(Comparison::Ge),
        "GT" => Some(Comparison::Gt),
        _ => None,
    })?;
    let size = json::req_i64(obj, "Size", what)?;
    let size = u64::try_from(size)
        .ok()
        .filter(|s| *s <= 21_474_836_480)
        .ok_or_else(|| {
            CompileError::invalid(format!("{what}.Size must be between 0 and 21474836480"))
        })?;
    Ok(Test::Size { op, size })
}

fn forwarded(
    obj: &Map<String, Value>,
    key: &str,
    what: &str,
    positional: bool,
) -> Result<Option<ForwardedIp>> {
    match obj.get(key).filter(|v| !v.is_null()) {
        Some(v) => Ok(Some(ForwardedIp::parse(
            v,
            &format!("{what}.{key}"),
            positional,
        )?)),
        None => Ok(None),
    }
}

fn geo(obj: &Map<String, Value>, what: &str) -> Result<Statement> {
    let mut codes = Vec::new();
    for code in json::opt_array(obj, "CountryCodes", what)? {
        match code.as_str().map(str::as_bytes) {
            Some(&[a, b]) if a.is_ascii_uppercase() && b.is_ascii_uppercase() => codes.push([a, b]),
            _ => {
                return Err(CompileError::invalid(format!(
                    "{what}.CountryCodes: {code} is not a country code"
                )));
            }
        }
    }
    if codes.is_empty() {
        return Err(CompileError::invalid(format!(
            "{what}.CountryCodes must have at least 1 country code"
        )));
    }
    Ok(Statement::Geo {
        codes,
        forwarded: forwarded(obj, "ForwardedIPConfig", what, false)?,
    })
}

fn ip_set(obj: &Map<String, Value>, cx: &Compiler, what: &str) -> Result<Statement> {
    let arn = json::req_str(obj, "ARN", what)?;
    let set = cx
        .resolver
        .ip_set(arn)
        .ok_or_else(|| CompileError::NotFound(format!("The IP set {arn} does not exist")))?;
    let set = Arc::new(IpSet::parse(&set, arn)?);
    Ok(Statement::Ip {
        set,
        forwarded: forwarded(obj, "IPSetForwardedIPConfig", what, true)?,
    })
}

fn asn(obj: &Map<String, Value>, what: &str) -> Result<Statement> {
    let mut list = Vec::new();
    for asn in json::opt_array(obj, "AsnList", what)? {
        let n = asn
            .as_u64()
            .filter(|n| *n <= u64::from(u32::MAX))
            .ok_or_else(|| CompileError::invalid(format!("{what}.AsnList: {asn} is not an ASN")))?;
        list.push(n);
    }
    if list.is_empty() {
        return Err(CompileError::invalid(format!(
            "{what}.AsnList must have at least 1 ASN"
        )));
    }
    Ok(Statement::Asn {
        list,
        forwarded: forwarded(obj, "ForwardedIPConfig", what, false)?,
    })
}
