//! FieldToMatch: which part of the request a statement inspects, compiled, and the walk over
//! its values (each transformed, then given to the statement's predicate).

use crate::error::{CompileError, Result};
use crate::eval::Ctx;
use crate::json;
use crate::json_body::JsonSpec;
use crate::request::query_args;
use crate::transform::Transforms;
use serde_json::Value;

/// AWS's limits for headers and cookies forwarded to WAF.
const MAP_MAX_ITEMS: usize = 200;
const MAP_MAX_BYTES: usize = 8192;

/// `OversizeHandling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Oversize {
    Continue,
    Match,
    NoMatch,
}

impl Oversize {
    pub(crate) fn parse(obj: &serde_json::Map<String, Value>, what: &str) -> Result<Oversize> {
        match json::opt_str(obj, "OversizeHandling") {
            None | Some("CONTINUE") => Ok(Oversize::Continue),
            Some("MATCH") => Ok(Oversize::Match),
            Some("NO_MATCH") => Ok(Oversize::NoMatch),
            Some(other) => Err(CompileError::invalid(format!(
                "{what}.OversizeHandling has an invalid value: {other}"
            ))),
        }
    }
}

/// `FallbackBehavior` MATCH (true) / NO_MATCH (false).
pub(crate) fn fallback(
    obj: &serde_json::Map<String, Value>,
    what: &str,
    required: bool,
) -> Result<bool> {
    match json::opt_str(obj, "FallbackBehavior") {
        Some("MATCH") => Ok(true),
        Some("NO_MATCH") => Ok(false),
        None if !required => Ok(false),
        None => Err(CompileError::invalid(format!(
            "{what}.FallbackBehavior is required"
        ))),
        Some(other) => Err(CompileError::invalid(format!(
            "{what}.FallbackBehavior has an invalid value: {other}"
        ))),
    }
}

/// `MapMatchScope` / `JsonMatchScope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    All,
    Key,
    Value,
}

impl Scope {
    pub(crate) fn parse(obj: &serde_json::Map<String, Value>, what: &str) -> Result<Scope> {
        json::enum_str(obj, "MatchScope", what, |s| match s {
            "ALL" => Some(Scope::All),
            "KEY" => Some(Scope::Key),
            "VALUE" => Some(Scope::Value),
            _ => None,
        })
    }
    pub(crate) fn keys(self) -> bool {
        self != Scope::Value
    }
    pub(crate) fn values(self) -> bool {
        self != Scope::Key
    }
}

/// Which keys of headers or cookies are inspected.
#[derive(Debug, Clone)]
pub(crate) enum Keys {
    All,
    Included(Vec<String>),
    Excluded(Vec<String>),
}

impl Keys {
    fn parse(value: &Value, included: &str, excluded: &str, what: &str) -> Result<Keys> {
        let (name, list) = json::union(value, &format!("{what}.MatchPattern"))?;
        let names = || -> Result<Vec<String>> {
            let items = list.as_array().ok_or_else(|| {
                CompileError::invalid(format!("{what}.MatchPattern.{name} must be a list"))
            })?;
            Ok(items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect())
        };
        match name {
            "All" => Ok(Keys::All),
            n if n == included => Ok(Keys::Included(names()?)),
            n if n == excluded => Ok(Keys::Excluded(names()?)),
            other => Err(CompileError::invalid(format!(
                "{what}.MatchPattern.{other} is not valid"
            ))),
        }
    }

    fn selects(&self, key: &[u8], ignore_case: bool) -> bool {
        let eq = |n: &String| {
            if ignore_case {
                n.as_bytes().eq_ignore_ascii_case(key)
            } else {
                n.as_bytes() == key
            }
        };
        match self {
            Keys::All => true,
            Keys::Included(names) => names.iter().any(eq),
            Keys::Excluded(names) => !names.iter().any(eq),
        }
    }
}

/// A compiled FieldToMatch.
#[derive(Debug, Clone)]
pub(crate) enum Field {
    SingleHeader(String),
    Headers {
        keys: Keys,
        scope: Scope,
        oversize: Oversize,
    },
    Cookies {
        keys: Keys,
        scope: Scope,
        oversize: Oversize,
    },
    SingleQueryArgument(String),
    AllQueryArguments,
    UriPath,
    QueryString,
    Body(Oversize),
    Method,
    JsonBody(Box<JsonSpec>),
    HeaderOrder(Oversize),
    Ja3(bool),
    Ja4(bool),
    UriFragment(bool),
}

impl Field {
    /// Parses a `FieldToMatch` (exactly one member).
    pub(crate) fn parse(value: &Value, what: &str) -> Result<Field> {
        let what = format!("{what}.FieldToMatch");
        let (name, spec) = json::union(value, &what)?;
        let inner = format!("{what}.{name}");
        let obj = json::object(spec, &inner)?;
        let field = match name {
            "SingleHeader" => {
                Field::SingleHeader(json::req_str(obj, "Name", &inner)?.to_ascii_lowercase())
            }
            "SingleQueryArgument" => {
                Field::SingleQueryArgument(json::req_str(obj, "Name", &inner)?.to_owned())
            }
            "AllQueryArguments" => Field::AllQueryArguments,
            "UriPath" => Field::UriPath,
            "QueryString" => Field::QueryString,
            "Method" => Field::Method,
            "Body" => Field::Body(Oversize::parse(obj, &inner)?),
            "HeaderOrder" => Field::HeaderOrder(Oversize::parse(obj, &inner)?),
            "JA3Fingerprint" => Field::Ja3(fallback(obj, &inner, true)?),
            "JA4Fingerprint" => Field::Ja4(fallback(obj, &inner, true)?),
            "UriFragment" => Field::UriFragment(fallback(obj, &inner, false)?),
            "JsonBody" => Field::JsonBody(Box::new(JsonSpec::parse(obj, &inner)?)),
            "Headers" | "Cookies" => map_field(name, obj, &inner)?,
            other => {
                return Err(CompileError::invalid(format!(
                    "{what}.{other} is not a valid field"
                )));
            }
        };
        Ok(field)
    }

    /// Query arguments are the only fields that take PreParseTextTransformations.
    pub(crate) fn takes_pre_parse(&self) -> bool {
        matches!(
            self,
            Field::SingleQueryArgument(_) | Field::AllQueryArguments
        )
    }

    /// Whether some value of the field, transformed by `tts`, satisfies `pred` (or the
    /// field's oversize/fallback handling says the request matches).
    pub(crate) fn inspect(
        &self,
        ctx: &Ctx,
        pre: &Transforms,
        tts: &Transforms,
        pred: &mut dyn FnMut(&[u8]) -> bool,
    ) -> bool {
        let req = ctx.req;
        let mut test = |raw: &[u8]| pred(&tts.apply(raw));
        match self {
            Field::SingleHeader(name) => req.first_header(name).is_some_and(test),
            Field::UriPath => test(req.uri_path.as_bytes()),
            Field::QueryString => test(req.query.as_bytes()),
            Field::Method => test(req.method.as_bytes()),
            Field::SingleQueryArgument(name) => {
                let query = pre.apply(req.query.as_bytes());
                query_args(&query).any(|(k, v)| k.eq_ignore_ascii_case(name.as_bytes()) && test(v))
            }
            Field::AllQueryArguments => {
                let query = pre.apply(req.query.as_bytes());
                query_args(&query).any(|(_, v)| test(v))
            }
            Field::Body(oversize) => match (req.body_oversize(), oversize) {
                (true, Oversize::Match) => true,
                (true, Oversize::NoMatch) => false,
                _ => test(&req.body),
            },
            Field::Ja3(fallback) => req.ja3.as_ref().map_or(*fallback, |v| test(v.as_bytes())),
            Field::Ja4(fallback) => req.ja4.as_ref().map_or(*fallback, |v| test(v.as_bytes())),
            Field::UriFragment(fallback) => req
                .fragment
                .as_ref()
                .map_or(*fallback, |v| test(v.as_bytes())),
            Field::HeaderOrder(oversize) => header_order(ctx, *oversize, &mut test),
            Field::Headers {
                keys,
                scope,
                oversize,
            } => headers(ctx, keys, *scope, *oversize, &mut test),
            Field::Cookies {
                keys,
                scope,
                oversize,
            } => cookies(ctx, keys, *scope, *oversize, &mut test),
            Field::JsonBody(spec) => spec.inspect(ctx, &mut test),
        }
    }
}

fn map_field(name: &str, obj: &serde_json::Map<String, Value>, what: &str) -> Result<Field> {
    let pattern = json::req(obj, "MatchPattern", what)?;
    let scope = Scope::parse(obj, what)?;
    let oversize = Oversize::parse(obj, what)?;
    Ok(if name == "Headers" {
        let keys = Keys::parse(pattern, "IncludedHeaders", "ExcludedHeaders", what)?;
        Field::Headers {
            keys,
            scope,
            oversize,
        }
    } else {
        let keys = Keys::parse(pattern, "IncludedCookies", "ExcludedCookies", what)?;
        Field::Cookies {
            keys,
            scope,
            oversize,
        }
    })
}

fn headers_oversize(ctx: &Ctx) -> bool {
    let h = &ctx.req.headers;
    h.len() > MAP_MAX_ITEMS
        || h.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>() > MAP_MAX_BYTES
}

fn oversize_verdict(oversize: bool, handling: Oversize) -> Option<bool> {
    match (oversize, handling) {
        (true, Oversize::Match) => Some(true),
        (true, Oversize::NoMatch) => Some(false),
        _ => None,
    }
}

fn pair_matches(
    key: &[u8],
    value: &[u8],
    scope: Scope,
    test: &mut dyn FnMut(&[u8]) -> bool,
) -> bool {
    (scope.keys() && test(key)) || (scope.values() && test(value))
}

fn headers(
    ctx: &Ctx,
    keys: &Keys,
    scope: Scope,
    handling: Oversize,
    test: &mut dyn FnMut(&[u8]) -> bool,
) -> bool {
    if let Some(verdict) = oversize_verdict(headers_oversize(ctx), handling) {
        return verdict;
    }
    ctx.req
        .headers
        .iter()
        .take(MAP_MAX_ITEMS)
        .filter(|(n, _)| keys.selects(n.as_bytes(), true))
        .any(|(n, v)| pair_matches(n.as_bytes(), v, scope, test))
}

fn cookies(
    ctx: &Ctx,
    keys: &Keys,
    scope: Scope,
    handling: Oversize,
    test: &mut dyn FnMut(&[u8]) -> bool,
) -> bool {
    let (count, bytes) = ctx
        .req
        .cookies()
        .fold((0, 0), |(c, b), (k, v)| (c + 1, b + k.len() + v.len()));
    if let Some(verdict) =
        oversize_verdict(count > MAP_MAX_ITEMS || bytes > MAP_MAX_BYTES, handling)
    {
        return verdict;
    }
    ctx.req
        .cookies()
        .take(MAP_MAX_ITEMS)
        .filter(|(k, _)| keys.selects(k, false))
        .any(|(k, v)| pair_matches(k, v, scope, test))
}

/// The header names in order, lower case, joined with `:`.
fn header_order(ctx: &Ctx, handling: Oversize, test: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    if let Some(verdict) = oversize_verdict(headers_oversize(ctx), handling) {
        return verdict;
    }
    let mut order = Vec::with_capacity(ctx.req.headers.len() * 12);
    for (i, (name, _)) in ctx.req.headers.iter().take(MAP_MAX_ITEMS).enumerate() {
        if i > 0 {
            order.push(b':');
        }
        order.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
    }
    test(&order)
}
