//! `enums.rs`: one Rust enum per string enum shape, keeping unknown values for validation.

use super::Ctx;
use crate::names;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Emits every enum shape reachable from the operations.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("String enums.");
    out += "use rampart_codec::{AuditValue, ConstraintValue};\n";
    out += "use serde::{Deserialize, Deserializer, Serialize, Serializer};\nuse std::fmt;\n\n";
    for name in &ctx.enums {
        let values = ctx.shape(name)?.enum_values.clone().unwrap_or_default();
        out += &one_enum(name, &values)?;
    }
    Ok(out)
}

fn variants(name: &str, values: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for value in values {
        let mut variant = names::pascal(value);
        // `Self` is a keyword and `Unknown(String)` holds values outside the set.
        if variant == "Self" || variant == "Unknown" {
            variant.push_str("Value");
        }
        if !seen.insert(variant.clone()) {
            return Err(format!(
                "enum {name}: value {value} maps to a duplicate variant {variant}"
            ));
        }
        out.push((variant, value.clone()));
    }
    Ok(out)
}

fn one_enum(name: &str, values: &[String]) -> Result<String, String> {
    let ty = names::type_name(name);
    let vs = variants(name, values)?;
    let mut out = format!(
        "/// The `{name}` enum.\n\
         #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum {ty} {{\n"
    );
    for (variant, value) in &vs {
        let _ = writeln!(out, "/// `{value}`\n{variant},");
    }
    out += "/// A value outside the model's set; validation rejects it.\nUnknown(String),\n}\n\n";
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    let _ = write!(
        out,
        "impl {ty} {{\n\
         /// Every value of the model, in model order.\n\
         pub const VALUES: &'static [&'static str] = &[{}];\n\
         /// The value set as AWS prints it in validation messages.\n\
         pub const VALUE_SET: &'static str = {:?};\n\n\
         /// The wire value.\n\
         pub fn as_str(&self) -> &str {{\nmatch self {{\n",
        quoted.join(", "),
        format!("[{}]", values.join(", "))
    );
    for (variant, value) in &vs {
        let _ = writeln!(out, "Self::{variant} => {value:?},");
    }
    out += "Self::Unknown(s) => s,\n}\n}\n\n";
    out += "/// True for values in the model's set.\npub fn is_known(&self) -> bool {\n\
            !matches!(self, Self::Unknown(_))\n}\n}\n\n";
    let _ = write!(
        out,
        "impl From<&str> for {ty} {{\nfn from(s: &str) -> Self {{\nmatch s {{\n"
    );
    for (variant, value) in &vs {
        let _ = writeln!(out, "{value:?} => Self::{variant},");
    }
    out += "other => Self::Unknown(other.to_owned()),\n}\n}\n}\n\n";
    out += &trait_impls(&ty);
    Ok(out)
}

fn trait_impls(ty: &str) -> String {
    format!(
        "impl fmt::Display for {ty} {{\n\
         fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\nf.write_str(self.as_str())\n}}\n}}\n\n\
         impl Serialize for {ty} {{\n\
         fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\n\
         serializer.serialize_str(self.as_str())\n}}\n}}\n\n\
         impl<'de> Deserialize<'de> for {ty} {{\n\
         fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n\
         String::deserialize(deserializer).map(|s| Self::from(s.as_str()))\n}}\n}}\n\n\
         impl ConstraintValue for {ty} {{\n\
         fn render(&self) -> String {{\nself.as_str().to_owned()\n}}\n}}\n\n\
         impl AuditValue for {ty} {{\n\
         fn audit_value(&self) -> Option<serde_json::Value> {{\n\
         Some(serde_json::Value::String(self.as_str().to_owned()))\n}}\n}}\n\n"
    )
}
