//! FieldToMatch `JsonBody`: the keys and/or leaf values of the whole document or of the
//! `IncludedPaths` (JSON pointers) inspected while the body is parsed (`walk.rs`), so nothing
//! is built and inspection stops at the first match; a body that is not valid JSON gets
//! `InvalidFallbackBehavior`, or without one what was parsed before the error is inspected.

use crate::error::{CompileError, Result};
use crate::eval::Ctx;
use crate::field::{Oversize, Scope};
use crate::json;
use serde_json::{Map, Value};

mod walk;

/// `InvalidFallbackBehavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invalid {
    Match,
    NoMatch,
    AsString,
    /// Not set: what was parsed before the failure is inspected, as AWS does.
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
        let body = &ctx.req.body;
        if ctx.req.body_oversize() {
            match self.oversize {
                Oversize::Match => return true,
                Oversize::NoMatch => return false,
                Oversize::Continue => {}
            }
        }
        let (found, parsed) = walk::walk(body, self.scope, self.paths.as_deref(), test);
        let valid = match (found, parsed) {
            (false, true) => return false,
            (true, _) if self.invalid == Invalid::Unset => return true,
            // Stopped at a match: is the rest valid?
            (true, _) => serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok(),
            (false, false) => false,
        };
        match self.invalid {
            _ if valid => true,
            Invalid::Match => true,
            Invalid::NoMatch => false,
            // What was parsed before the error was inspected (and did not match).
            Invalid::Unset => found,
            Invalid::AsString => test(body),
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
