//! `errors.rs`: one `ServiceError` constructor per exception the served operations answer, and
//! for restJson1 services a `<error>_with` constructor taking the exception's header-bound
//! members (`httpHeader`, e.g. `Retry-After`), which the error response sends as headers.

use super::Ctx;
use crate::model::{Protocol, Shape};
use crate::names;
use std::fmt::Write as _;

/// Emits constructors for every exception shape the served operations may answer.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Modeled errors.");
    out += "use rampart_codec::ServiceError;\n\n";
    let rest = ctx.protocols.contains(&Protocol::RestJson);
    for name in &ctx.errors {
        let shape = ctx.shape(name)?;
        let status = shape
            .error
            .as_ref()
            .and_then(|e| e.http_status_code)
            .unwrap_or(if shape.fault { 500 } else { 400 });
        let _ = write!(
            out,
            "/// `{name}` (HTTP {status}).\n\
             pub fn {}(message: impl Into<String>) -> ServiceError {{\n\
             ServiceError::new({name:?}, {status}, message)\n}}\n\n",
            names::field(name)
        );
        if rest {
            out += &with_headers(ctx, name, shape)?;
        }
    }
    Ok(out)
}

/// `<error>_with(message, <member>: Option<T>, ...)` for an exception with members bound to
/// headers; empty when it has none.
fn with_headers(ctx: &Ctx<'_>, name: &str, shape: &Shape) -> Result<String, String> {
    let mut params = String::new();
    let mut sets = String::new();
    let mut docs = Vec::new();
    for (member, r) in &shape.members {
        if r.location.as_deref() != Some("header") {
            continue;
        }
        let header = r.location_name.as_deref().unwrap_or(member);
        let arg = names::field(member);
        let (ty, text) = header_type(name, member, &ctx.shape(&r.shape)?.kind)?;
        let _ = write!(params, ", {arg}: Option<{ty}>");
        let _ = write!(
            sets,
            "if let Some(v) = {arg} {{\nerr = err.with_header({header:?}, {text});\n}}\n"
        );
        docs.push(format!("`{member}` → `{header}`"));
    }
    if docs.is_empty() {
        return Ok(String::new());
    }
    let f = names::field(name);
    Ok(format!(
        "/// `{name}` with its header-bound members ({}).\n\
         pub fn {f}_with(message: impl Into<String>{params}) -> ServiceError {{\n\
         let mut err = {f}(message);\n{sets}err\n}}\n\n",
        docs.join(", ")
    ))
}

/// The Rust type of a header-bound error member and the expression turning `v` into its text.
fn header_type(
    error: &str,
    member: &str,
    kind: &str,
) -> Result<(&'static str, &'static str), String> {
    Ok(match kind {
        "string" => ("String", "v"),
        "integer" => ("i32", "v.to_string()"),
        "long" => ("i64", "v.to_string()"),
        "boolean" => ("bool", "v.to_string()"),
        "double" => ("f64", "v.to_string()"),
        "float" => ("f32", "v.to_string()"),
        other => {
            return Err(format!(
                "error {error}: header member {member} of type {other} is not supported"
            ));
        }
    })
}
