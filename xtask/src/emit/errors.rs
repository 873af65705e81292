//! `errors.rs`: one `ServiceError` constructor per exception the served operations answer.

use super::Ctx;
use crate::names;
use std::fmt::Write as _;

/// Emits constructors for every exception shape the served operations may answer.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Modeled errors.");
    out += "use rampart_codec::ServiceError;\n\n";
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
    }
    Ok(out)
}
