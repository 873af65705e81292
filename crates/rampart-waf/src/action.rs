//! Rule actions (`RuleAction`, `DefaultAction`, `OverrideAction`) with their custom request
//! handling and custom responses.

use crate::error::{CompileError, Result};
use crate::json;
use crate::verdict::CustomResponse;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Allow,
    Block,
    Count,
    Captcha,
    Challenge,
    Monetize,
}

impl Kind {
    /// AWS's name in logs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Allow => "ALLOW",
            Kind::Block => "BLOCK",
            Kind::Count => "COUNT",
            Kind::Captcha => "CAPTCHA",
            Kind::Challenge => "CHALLENGE",
            Kind::Monetize => "MONETIZE",
        }
    }
}

/// A compiled action.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    pub(crate) kind: Kind,
    /// `CustomRequestHandling.InsertHeaders`, names prefixed `x-amzn-waf-`.
    pub(crate) insert_headers: Arc<[(String, String)]>,
    /// Block's `CustomResponse`.
    pub(crate) response: Option<Arc<CustomResponse>>,
}

impl Action {
    pub(crate) fn count() -> Action {
        Action {
            kind: Kind::Count,
            insert_headers: Arc::new([]),
            response: None,
        }
    }
}

/// `CustomResponseBodies`: key → (content type, content).
pub(crate) type Bodies = HashMap<String, (String, String)>;

pub(crate) fn parse_bodies(obj: &Map<String, Value>, what: &str) -> Result<Bodies> {
    let mut bodies = Bodies::new();
    let Some(map) = obj.get("CustomResponseBodies").and_then(Value::as_object) else {
        return Ok(bodies);
    };
    for (key, body) in map {
        let inner = format!("{what}.CustomResponseBodies.{key}");
        let b = json::object(body, &inner)?;
        let content_type = match json::req_str(b, "ContentType", &inner)? {
            "TEXT_PLAIN" => "text/plain",
            "TEXT_HTML" => "text/html",
            "APPLICATION_JSON" => "application/json",
            other => {
                return Err(CompileError::invalid(format!(
                    "{inner}.ContentType has an invalid value: {other}"
                )));
            }
        };
        let content = json::req_str(b, "Content", &inner)?;
        bodies.insert(key.clone(), (content_type.to_owned(), content.to_owned()));
    }
    Ok(bodies)
}

/// A `RuleAction` (or, with `default`, a `DefaultAction`: Allow or Block only).
pub(crate) fn parse(value: &Value, bodies: &Bodies, what: &str, default: bool) -> Result<Action> {
    let (name, spec) = json::union(value, what)?;
    let inner = format!("{what}.{name}");
    let obj = json::object(spec, &inner)?;
    let kind = match name {
        "Allow" => Kind::Allow,
        "Block" => Kind::Block,
        "Count" if !default => Kind::Count,
        "Captcha" if !default => Kind::Captcha,
        "Challenge" if !default => Kind::Challenge,
        "Monetize" if !default => Kind::Monetize,
        other => {
            return Err(CompileError::invalid(format!(
                "{what}.{other} is not a valid action"
            )));
        }
    };
    let response = match obj.get("CustomResponse").filter(|v| !v.is_null()) {
        Some(r) if kind == Kind::Block => Some(Arc::new(custom_response(r, bodies, &inner)?)),
        _ => None,
    };
    let insert_headers = match obj.get("CustomRequestHandling").filter(|v| !v.is_null()) {
        Some(h) if kind != Kind::Block => request_headers(h, &inner)?,
        _ => Vec::new(),
    };
    Ok(Action {
        kind,
        insert_headers: insert_headers.into(),
        response,
    })
}

fn custom_response(value: &Value, bodies: &Bodies, what: &str) -> Result<CustomResponse> {
    let what = format!("{what}.CustomResponse");
    let obj = json::object(value, &what)?;
    let status = json::req_i64(obj, "ResponseCode", &what)?;
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (200..=600).contains(s))
        .ok_or_else(|| {
            CompileError::invalid(format!("{what}.ResponseCode must be between 200 and 600"))
        })?;
    let body = match json::opt_str(obj, "CustomResponseBodyKey") {
        None => None,
        Some(key) => Some(bodies.get(key).cloned().ok_or_else(|| {
            CompileError::invalid(format!(
                "{what}.CustomResponseBodyKey {key} is not defined in CustomResponseBodies"
            ))
        })?),
    };
    let headers = header_list(json::opt_array(obj, "ResponseHeaders", &what)?, "", &what)?;
    Ok(CustomResponse {
        status,
        headers,
        body,
    })
}

fn request_headers(value: &Value, what: &str) -> Result<Vec<(String, String)>> {
    let what = format!("{what}.CustomRequestHandling");
    let obj = json::object(value, &what)?;
    let items = json::req(obj, "InsertHeaders", &what)?
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    header_list(items, "x-amzn-waf-", &what)
}

fn header_list(items: &[Value], prefix: &str, what: &str) -> Result<Vec<(String, String)>> {
    items
        .iter()
        .map(|h| {
            let obj = json::object(h, what)?;
            let name = json::req_str(obj, "Name", what)?;
            let value = json::req_str(obj, "Value", what)?;
            Ok((format!("{prefix}{name}"), value.to_owned()))
        })
        .collect()
}

/// `OverrideAction`: `true` for Count, `false` for None.
pub(crate) fn parse_override(value: &Value, what: &str) -> Result<bool> {
    match json::union(value, what)?.0 {
        "Count" => Ok(true),
        "None" => Ok(false),
        other => Err(CompileError::invalid(format!(
            "{what}.{other} is not a valid override action"
        ))),
    }
}
