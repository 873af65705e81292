//! FieldToMatch `JsonBody`: the body parsed as JSON once per request, then the keys and/or
//! leaf values of the whole document or of the `IncludedPaths` (JSON pointers) inspected.

use crate::error::{CompileError, Result};
use crate::eval::Ctx;
use crate::field::{Oversize, Scope};
use crate::json;
use serde_json::{Map, Value};

/// `InvalidFallbackBehavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invalid {
    Match,
    NoMatch,
    AsString,
    /// Not set: AWS inspects what it parsed before the failure; Rampart's parser is strict,
    /// so nothing is inspected (no match).
    Unset,
}

/// A compiled `JsonBody`.
#[derive(Debug, Clone)]
pub(crate) struct JsonSpec {
    /// `None`: the whole document (`All`).
    paths: Option<Vec<String>>,
    scope: Scope,
    invalid: Invalid,
    oversize: Oversize,
}

impl JsonSpec {
    pub(crate) fn parse(obj: &Map<String, Value>, what: &str) -> Result<JsonSpec> {
        let pattern = json::req(obj, "MatchPattern", what)?;
        let pattern_obj = json::object(pattern, what)?;
        let paths = match pattern_obj.get("IncludedPaths").filter(|v| !v.is_null()) {
            Some(list) => Some(pointer_list(list, what)?),
            None if pattern_obj.get("All").is_some() => None,
            None => {
                return Err(CompileError::invalid(format!(
                    "{what}.MatchPattern must specify All or IncludedPaths"
                )));
            }
        };
        let invalid = match json::opt_str(obj, "InvalidFallbackBehavior") {
            None => Invalid::Unset,
            Some("MATCH") => Invalid::Match,
            Some("NO_MATCH") => Invalid::NoMatch,
            Some("EVALUATE_AS_STRING") => Invalid::AsString,
            Some(other) => {
                return Err(CompileError::invalid(format!(
                    "{what}.InvalidFallbackBehavior has an invalid value: {other}"
                )));
            }
        };
        Ok(JsonSpec {
            paths,
            scope: Scope::parse(obj, what)?,
            invalid,
            oversize: Oversize::parse(obj, what)?,
        })
    }

    pub(crate) fn inspect(&self, ctx: &Ctx, test: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        if ctx.req.body_oversize() {
            match self.oversize {
                Oversize::Match => return true,
                Oversize::NoMatch => return false,
                Oversize::Continue => {}
            }
        }
        let Some(doc) = ctx.json_body() else {
            return match self.invalid {
                Invalid::Match => true,
                Invalid::NoMatch | Invalid::Unset => false,
                Invalid::AsString => test(&ctx.req.body),
            };
        };
        match &self.paths {
            None => walk(doc, self.scope, test),
            Some(paths) => paths
                .iter()
                .filter_map(|p| doc.pointer(p))
                .any(|node| walk(node, self.scope, test)),
        }
    }
}

fn pointer_list(list: &Value, what: &str) -> Result<Vec<String>> {
    let items = list.as_array().ok_or_else(|| {
        CompileError::invalid(format!("{what}.MatchPattern.IncludedPaths must be a list"))
    })?;
    items
        .iter()
        .map(|p| match p.as_str() {
            Some(s) if s.is_empty() || s.starts_with('/') => Ok(s.to_owned()),
            _ => Err(CompileError::invalid(format!(
                "{what}.MatchPattern.IncludedPaths: each path must be a JSON pointer such as /dogs/0/name"
            ))),
        })
        .collect()
}

/// Inspects every key (scope KEY/ALL) and leaf value (VALUE/ALL) under `node`.
fn walk(node: &Value, scope: Scope, test: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    match node {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| (scope.keys() && test(k.as_bytes())) || walk(v, scope, test)),
        Value::Array(items) => items.iter().any(|v| walk(v, scope, test)),
        Value::String(s) => scope.values() && test(s.as_bytes()),
        Value::Null => scope.values() && test(b"null"),
        Value::Bool(b) => scope.values() && test(if *b { b"true" } else { b"false" }),
        Value::Number(n) => scope.values() && test(n.to_string().as_bytes()),
    }
}
