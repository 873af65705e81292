//! `errors.rs` of a query service: one `ServiceError` constructor per exception the served
//! operations answer, with the query error code (`awsQueryError` / `error.code`, e.g.
//! `NoSuchEntity`) and HTTP status.

use crate::emit::Ctx;
use crate::names;
use std::fmt::Write as _;

/// Emits constructors for every exception shape the served operations may answer.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Modeled errors (query error codes).");
    out += "use rampart_codec::ServiceError;\n\n";
    for name in &ctx.errors {
        let shape = ctx.shape(name)?;
        let error = shape.error.as_ref();
        let status = error
            .and_then(|e| e.http_status_code)
            .unwrap_or(if shape.fault { 500 } else { 400 });
        let code = error
            .and_then(|e| e.code.as_deref())
            .unwrap_or(name.as_str());
        let _ = write!(
            out,
            "/// `{name}`: code `{code}` (HTTP {status}).\n\
             pub fn {}(message: impl Into<String>) -> ServiceError {{\n\
             ServiceError::new({code:?}, {status}, message)\n}}\n\n",
            names::field(name)
        );
    }
    Ok(out)
}
