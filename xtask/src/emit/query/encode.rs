//! `encode.rs` of a query service: `ToXml` for every output structure and `XmlValue` for every
//! enum, writing the elements botocore's `QueryParser` reads.

use super::{element_ref, flattened, list_item_name, map_names, member_wire_name};
use crate::emit::Ctx;
use crate::model::ShapeRef;
use crate::names;
use std::fmt::Write as _;

/// Emits `ToXml` for structures reachable from outputs and `XmlValue` for enums.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("XML encoding of outputs.");
    out += "use super::enums::*;\nuse super::shapes::*;\n";
    out += "use rampart_codec::xml::{ToXml, XmlValue, XmlWriter};\nuse std::borrow::Cow;\n\n";
    for name in &ctx.enums {
        let ty = names::type_name(name);
        let _ = write!(
            out,
            "impl XmlValue for {ty} {{\nfn xml_text(&self) -> Cow<'_, str> {{\nCow::Borrowed(self.as_str())\n}}\n}}\n\n"
        );
    }
    for name in &ctx.output_shapes {
        if ctx.structs.contains(name) {
            out += &structure(ctx, name)?;
        }
    }
    Ok(out)
}

fn structure(ctx: &Ctx<'_>, name: &str) -> Result<String, String> {
    let shape = ctx.shape(name)?;
    let ty = names::type_name(name);
    let mut body = String::new();
    for (member, r) in &shape.members {
        let wire = member_wire_name(ctx, member, r)?;
        let field = names::field(member);
        let target = ctx.shape(&r.shape)?;
        let line = match target.kind.as_str() {
            "structure" if ctx.is_boxed(name, member) => {
                format!("w.structure({wire:?}, self.{field}.as_deref());\n")
            }
            "structure" => format!("w.structure({wire:?}, self.{field}.as_ref());\n"),
            "list" | "map" => format!(
                "if let Some(v) = &self.{field} {{\n{}}}\n",
                write_value(ctx, r, "v", &wire, 0)?
            ),
            _ => format!("w.scalar({wire:?}, self.{field}.as_ref());\n"),
        };
        body += &line;
    }
    let w = if body.is_empty() { "_w" } else { "w" };
    Ok(format!(
        "impl ToXml for {ty} {{\nfn write_xml(&self, {w}: &mut XmlWriter) {{\n{body}}}\n}}\n\n"
    ))
}

/// Statements writing the value `expr` (a reference) of `r` as element `tag`.
fn write_value(
    ctx: &Ctx<'_>,
    r: &ShapeRef,
    expr: &str,
    tag: &str,
    depth: usize,
) -> Result<String, String> {
    let name = r.shape.as_str();
    let shape = ctx.shape(name)?;
    Ok(match shape.kind.as_str() {
        "structure" => format!("w.start({tag:?});\n{expr}.write_xml(w);\nw.end({tag:?});\n"),
        "list" => {
            let item = format!("item{depth}");
            let elem = element_ref(shape, name)?;
            if flattened(r, shape) {
                let flat_tag = elem.location_name.clone().unwrap_or_else(|| tag.to_owned());
                let inner = write_value(ctx, elem, &item, &flat_tag, depth + 1)?;
                format!("for {item} in {expr} {{\n{inner}}}\n")
            } else {
                let inner = write_value(ctx, elem, &item, &list_item_name(shape), depth + 1)?;
                format!("w.start({tag:?});\nfor {item} in {expr} {{\n{inner}}}\nw.end({tag:?});\n")
            }
        }
        "map" => {
            let (key, val) = (format!("key{depth}"), format!("val{depth}"));
            let (key_tag, val_tag) = map_names(shape);
            let inner = write_value(ctx, element_ref(shape, name)?, &val, &val_tag, depth + 1)?;
            let entry = format!("w.element({key_tag:?}, {key});\n{inner}");
            if flattened(r, shape) {
                format!(
                    "for ({key}, {val}) in {expr} {{\nw.start({tag:?});\n{entry}w.end({tag:?});\n}}\n"
                )
            } else {
                format!(
                    "w.start({tag:?});\nfor ({key}, {val}) in {expr} {{\nw.start(\"entry\");\n{entry}w.end(\"entry\");\n}}\nw.end({tag:?});\n"
                )
            }
        }
        "document" => return Err(format!("shape {name}: documents have no XML form")),
        _ => format!("w.element({tag:?}, &XmlValue::xml_text({expr}));\n"),
    })
}
