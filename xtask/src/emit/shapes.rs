//! `shapes.rs`: one struct per structure shape, with serde attributes and a redacting `Debug`.

use super::Ctx;
use crate::model::{Protocol, ShapeRef};
use crate::names;
use std::fmt::Write as _;

/// Emits every structure reachable from the served operations; members closing a cycle of
/// structures are boxed.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Structures.");
    out += "use super::enums::*;\n";
    out += "use rampart_codec::{Blob, Redacted, Timestamp};\n";
    out +=
        "use serde::{Deserialize, Serialize};\nuse std::collections::BTreeMap;\nuse std::fmt;\n\n";
    for name in &ctx.structs {
        out += &structure(ctx, name)?;
    }
    Ok(out)
}

fn structure(ctx: &Ctx<'_>, name: &str) -> Result<String, String> {
    let shape = ctx.shape(name)?;
    let ty = names::type_name(name);
    let mut out = format!(
        "/// The `{name}` shape.\n\
         #[derive(Clone, Default, PartialEq, Serialize, Deserialize)]\n\
         #[serde(deny_unknown_fields)]\npub struct {ty} {{\n"
    );
    for (member, target) in &shape.members {
        let rust = ctx.member_type(name, member, &target.shape)?;
        let required = if shape.required.contains(member) {
            " Required."
        } else {
            ""
        };
        let key = ctx.json_key(shape, member, target);
        let with = time_format(ctx, target)?;
        let _ = writeln!(
            out,
            "/// `{member}`.{required}\n\
             #[serde(rename = {key:?}, default, skip_serializing_if = \"Option::is_none\"{with})]\n\
             pub {}: Option<{rust}>,",
            names::field(member)
        );
    }
    out += "}\n\n";
    out += &debug_impl(ctx, name, &ty)?;
    Ok(out)
}

/// The `with` attribute of a body timestamp whose model overrides the JSON default (epoch
/// seconds); empty otherwise. Formats on list or map elements are refused.
fn time_format(ctx: &Ctx<'_>, target: &ShapeRef) -> Result<String, String> {
    let shape = ctx.shape(&target.shape)?;
    if let Some(item) = shape.element()
        && ctx.shape(item)?.timestamp_format.is_some()
    {
        return Err(format!(
            "{}: timestampFormat on collection items",
            target.shape
        ));
    }
    let format = target
        .timestamp_format
        .as_deref()
        .or(shape.timestamp_format.as_deref());
    let module = match format {
        _ if shape.kind != "timestamp" || target.location.is_some() => return Ok(String::new()),
        _ if ctx.protocols[0] == Protocol::Query => return Ok(String::new()),
        Some("iso8601") => "iso8601",
        Some("rfc822") => "http_date",
        _ => return Ok(String::new()),
    };
    Ok(format!(", with = \"rampart_codec::time_format::{module}\""))
}

fn debug_impl(ctx: &Ctx<'_>, name: &str, ty: &str) -> Result<String, String> {
    let shape = ctx.shape(name)?;
    let mut out = format!(
        "impl fmt::Debug for {ty} {{\n\
         fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\n\
         f.debug_struct({ty:?})\n"
    );
    for (member, target) in &shape.members {
        let field = names::field(member);
        if ctx.is_sensitive(&target.shape) {
            let _ = writeln!(
                out,
                ".field({field:?}, &self.{field}.as_ref().map(|_| Redacted))"
            );
        } else {
            let _ = writeln!(out, ".field({field:?}, &self.{field})");
        }
    }
    out += ".finish()\n}\n}\n\n";
    Ok(out)
}
