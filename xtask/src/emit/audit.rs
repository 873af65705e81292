//! `audit.rs`: `AuditParams` (CloudTrail `requestParameters`/`responseElements`) per structure.

use super::Ctx;
use crate::names;
use std::fmt::Write as _;

/// Emits `AuditParams` and `AuditValue` for every structure.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Audit JSON of structures.");
    out += "use super::shapes::*;\n";
    out += "use rampart_codec::{AuditParams, AuditValue, put};\n";
    out += "use serde_json::{Map, Value};\n\n";
    for name in &ctx.structs {
        let shape = ctx.shape(name)?;
        let ty = names::type_name(name);
        let mut puts = String::new();
        for (member, target) in &shape.members {
            let hidden = ctx.is_audit_hidden(name, member);
            if hidden || ctx.is_sensitive(&target.shape) || ctx.is_blob(&target.shape) {
                continue;
            }
            let _ = writeln!(
                puts,
                "put(&mut m, {:?}, &self.{});",
                names::lower_camel(member),
                names::field(member)
            );
        }
        let body = if puts.is_empty() {
            String::from("Map::new()\n")
        } else {
            format!("let mut m = Map::new();\n{puts}m\n")
        };
        let _ = write!(
            out,
            "impl AuditParams for {ty} {{\n\
             fn audit_map(&self) -> Map<String, Value> {{\n{body}}}\n}}\n\n\
             impl AuditValue for {ty} {{\n\
             fn audit_value(&self) -> Option<Value> {{\nSome(Value::Object(self.audit_map()))\n}}\n}}\n\n"
        );
    }
    Ok(out)
}
