//! `shapes.rs`: one struct per structure shape, with serde attributes and a redacting `Debug`.

use super::Ctx;
use crate::names;
use std::fmt::Write as _;

/// Emits every structure reachable from the served operations; members closing a cycle of
/// structures are boxed.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Structures.");
    out += "use super::enums::*;\n";
    out += "use rampart_wire::codec::{Blob, Redacted, Timestamp};\n";
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
        let _ = writeln!(
            out,
            "/// `{member}`.{required}\n\
             #[serde(rename = {key:?}, default, skip_serializing_if = \"Option::is_none\")]\n\
             pub {}: Option<{rust}>,",
            names::field(member)
        );
    }
    out += "}\n\n";
    out += &debug_impl(ctx, name, &ty)?;
    Ok(out)
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
