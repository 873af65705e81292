//! `validate.rs`: `Validate` for input structures and one check function per constrained shape.

use super::patterns::{self, Compiled};
use super::{Ctx, element};
use crate::model::Shape;
use crate::names;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Emits validation for every shape reachable from served operation inputs.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Model constraint checks.");
    out += "use super::enums::*;\nuse super::shapes::*;\n";
    out += "use rampart_codec::{Blob, ConstraintValue, Field, Regex, Timestamp, Validate, ValidationErrors};\n";
    out += "use std::collections::BTreeMap;\nuse std::sync::LazyLock;\n\n";
    let v = Checks {
        ctx,
        memo: RefCell::new(BTreeMap::new()),
    };
    for name in &ctx.input_shapes {
        let shape = ctx.shape(name)?;
        if shape.kind == "structure" {
            if ctx.structs.contains(name) {
                out += &v.structure(name, shape)?;
            }
        } else if v.needs_check(name)? {
            out += &v.check_fn(name, shape)?;
        }
    }
    Ok(out)
}

struct Checks<'c, 'm> {
    ctx: &'c Ctx<'m>,
    memo: RefCell<BTreeMap<String, bool>>,
}

impl Checks<'_, '_> {
    /// Query services (Coral) match a pattern against the whole value, as Java's
    /// `Pattern.matches` does (`Value 'a:b' at 'roleSessionName' failed to satisfy constraint:
    /// Member must satisfy regular expression pattern: [\w+=,.@-]*`); awsJson services search.
    fn full_match(&self) -> bool {
        self.ctx.model.metadata.protocol == "query"
    }

    /// True when values of the shape have anything to check: it, or a shape it holds
    /// (structure members, list items, map values), has a constraint of its own. A search
    /// rather than a recursion, so that recursive shapes get the same answer from every side.
    fn needs_check(&self, name: &str) -> Result<bool, String> {
        if let Some(known) = self.memo.borrow().get(name) {
            return Ok(*known);
        }
        let mut seen = BTreeSet::new();
        let mut stack = vec![name];
        let mut needed = false;
        while let Some(at) = stack.pop() {
            if !seen.insert(at) {
                continue;
            }
            let shape = self.ctx.shape(at)?;
            if constrained(shape) {
                needed = true;
                break;
            }
            stack.extend(shape.members.values().map(|m| m.shape.as_str()));
            if matches!(shape.kind.as_str(), "list" | "map") {
                stack.push(element(shape, at)?);
            }
        }
        self.memo.borrow_mut().insert(name.to_owned(), needed);
        Ok(needed)
    }

    /// The statement checking value `v` of shape `name` at field `f`, if anything needs checking.
    fn call(&self, name: &str, f: &str, v: &str) -> Result<Option<String>, String> {
        if !self.needs_check(name)? {
            return Ok(None);
        }
        Ok(Some(if self.ctx.shape(name)?.kind == "structure" {
            format!("{v}.validate(&{}.path(), errs);", f.trim_start_matches('&'))
        } else {
            format!("check_{}(errs, {f}, {v});", names::snake(name))
        }))
    }

    fn structure(&self, name: &str, shape: &Shape) -> Result<String, String> {
        let ty = names::type_name(name);
        let mut body = String::new();
        for (member, target) in &shape.members {
            let required = shape.required.contains(member);
            let call = self.call(&target.shape, "&f", "v")?;
            if !required && call.is_none() {
                continue;
            }
            let field = names::field(member);
            let _ = writeln!(
                body,
                "let f = Field::new(path, {:?}, {});",
                names::lower_camel(member),
                self.ctx.is_sensitive(&target.shape)
            );
            let _ = match (required, call) {
                (true, Some(c)) => writeln!(
                    body,
                    "match &self.{field} {{\nSome(v) => {{ {c} }}\nNone => errs.missing(&f),\n}}"
                ),
                (true, None) => {
                    writeln!(body, "if self.{field}.is_none() {{\nerrs.missing(&f);\n}}")
                }
                (false, Some(c)) => writeln!(body, "if let Some(v) = &self.{field} {{\n{c}\n}}"),
                (false, None) => Ok(()),
            };
        }
        let (path, errs) = if body.is_empty() {
            ("_path", "_errs")
        } else {
            ("path", "errs")
        };
        Ok(format!(
            "impl Validate for {ty} {{\n\
             fn validate(&self, {path}: &str, {errs}: &mut ValidationErrors) {{\n{body}}}\n}}\n\n\
             impl ConstraintValue for {ty} {{}}\n\n"
        ))
    }

    fn check_fn(&self, name: &str, shape: &Shape) -> Result<String, String> {
        let ty = self.ctx.rust_type(name)?;
        let param = match shape.kind.as_str() {
            "string" if !shape.is_enum() => String::from("&str"),
            "list" => format!("&[{}]", self.ctx.rust_type(element(shape, name)?)?),
            _ => format!("&{ty}"),
        };
        let mut statics = String::new();
        let (min, max) = (shape.min, shape.max);
        let body = match shape.kind.as_str() {
            "string" => string_checks(name, shape, &ty, &mut statics, self.full_match())?,
            "blob" => format!("errs.length(f, v, v.len(), {}, {});\n", len(min), len(max)),
            "integer" | "long" => format!("errs.range(f, *v, {}, {});\n", int(min), int(max)),
            "double" | "float" => {
                format!("errs.range_f64(f, *v, {}, {});\n", float(min), float(max))
            }
            "list" | "map" => self.collection(name, shape)?,
            other => return Err(format!("shape {name}: cannot validate type {other}")),
        };
        Ok(format!(
            "{statics}fn check_{}(errs: &mut ValidationErrors, f: &Field<'_>, v: {param}) {{\n{body}}}\n\n",
            names::snake(name)
        ))
    }

    fn collection(&self, name: &str, shape: &Shape) -> Result<String, String> {
        let mut body = String::new();
        if shape.min.is_some() || shape.max.is_some() {
            let _ = writeln!(
                body,
                "errs.length(f, v, v.len(), {}, {});",
                len(shape.min),
                len(shape.max)
            );
        }
        let elem = element(shape, name)?;
        let sensitive = self.ctx.is_sensitive(elem);
        let (head, path) = if shape.kind == "list" {
            ("for (i, item) in v.iter().enumerate()", "f.item_path(i)")
        } else {
            ("for (key, item) in v", "f.entry_path(key)")
        };
        let key_call = match &shape.key {
            // Map keys are `String`s; an enum key's check takes the enum.
            Some(k) if shape.kind == "map" && self.ctx.shape(&k.shape)?.is_enum() => {
                let key = format!("&{}::from(key.as_str())", names::type_name(&k.shape));
                self.call(&k.shape, "f", &key)?
            }
            Some(k) if shape.kind == "map" => self.call(&k.shape, "f", "key")?,
            _ => None,
        };
        let item_call = self.call(elem, "&f", "item")?;
        let head = match (&key_call, &item_call) {
            (None, None) => return Ok(body),
            (Some(_), None) => "for key in v.keys()",
            _ => head,
        };
        let _ = writeln!(body, "{head} {{");
        if let Some(c) = key_call {
            body += &c;
            body.push('\n');
        }
        if let Some(c) = item_call {
            let _ = writeln!(
                body,
                "let path = {path};\nlet f = Field::at(&path, {sensitive});\n{c}"
            );
        }
        body += "}\n";
        Ok(body)
    }
}

/// True when the shape itself carries a constraint (required members, bounds, a pattern or an
/// enum value set).
fn constrained(shape: &Shape) -> bool {
    let bounded = shape.min.is_some() || shape.max.is_some();
    match shape.kind.as_str() {
        "structure" => !shape.required.is_empty(),
        "string" => bounded || shape.pattern.is_some() || shape.is_enum(),
        "blob" | "integer" | "long" | "double" | "float" | "list" | "map" => bounded,
        _ => false,
    }
}

fn len(bound: Option<f64>) -> String {
    bound.map_or_else(
        || String::from("None"),
        |b| format!("Some({})", b.max(0.0) as u64),
    )
}

fn int(bound: Option<f64>) -> String {
    bound.map_or_else(|| String::from("None"), |b| format!("Some({})", b as i64))
}

fn float(bound: Option<f64>) -> String {
    bound.map_or_else(|| String::from("None"), |b| format!("Some({b:?})"))
}

/// Length, pattern and enum checks of a string shape; pattern statics go to `statics`.
fn string_checks(
    name: &str,
    shape: &Shape,
    ty: &str,
    statics: &mut String,
    full_match: bool,
) -> Result<String, String> {
    let mut body = String::new();
    let s = if shape.is_enum() { "v.as_str()" } else { "v" };
    if shape.min.is_some() || shape.max.is_some() {
        let (min, max) = (len(shape.min), len(shape.max));
        let _ = writeln!(
            body,
            "errs.length(f, v, {s}.chars().count(), {min}, {max});"
        );
    }
    if let Some(p) = &shape.pattern {
        let re = format!("RE_{}", names::screaming(name));
        match patterns::to_rust(p)? {
            Compiled::Regex(rust) => {
                let rust = if full_match {
                    format!(r"\A(?:{rust})\z")
                } else {
                    rust
                };
                let _ = writeln!(
                    statics,
                    "static {re}: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new({rust:?}).ok());\n"
                );
                let _ = writeln!(body, "errs.pattern(f, {s}, {re}.as_ref(), {p:?});");
            }
            Compiled::Skipped(why) => {
                let _ = writeln!(
                    body,
                    "// Pattern {p:?} {why}: not enforced.\nlet _ = (&errs, f, v);"
                );
            }
        }
    }
    if shape.is_enum() {
        let _ = writeln!(
            body,
            "errs.enum_value(f, v.as_str(), v.is_known(), {ty}::VALUE_SET);"
        );
    }
    Ok(body)
}
