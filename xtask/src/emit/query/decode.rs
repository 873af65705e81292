//! `decode.rs` of a query service: `FromQuery` for every input structure, reading the
//! parameter layout botocore's `QuerySerializer` writes.

use super::{element_ref, flattened, list_item_name, map_names, member_wire_name};
use crate::emit::Ctx;
use crate::model::ShapeRef;
use crate::names;
use std::fmt::Write as _;

/// Emits `FromQuery` for every structure reachable from operation inputs.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Form parameter decoding.");
    out += "use super::enums::*;\nuse super::shapes::*;\n";
    out += "use rampart_codec::query::{self, FromQuery, MapNames, QueryNode};\n";
    out += "use rampart_codec::ServiceError;\n\n";
    for name in &ctx.input_shapes {
        if ctx.structs.contains(name) {
            out += &structure(ctx, name)?;
        }
    }
    Ok(out)
}

fn structure(ctx: &Ctx<'_>, name: &str) -> Result<String, String> {
    let shape = ctx.shape(name)?;
    let ty = names::type_name(name);
    let mut fields = String::new();
    for (member, r) in &shape.members {
        let wire = member_wire_name(ctx, member, r)?;
        let node = format!("node.get({wire:?})");
        let path = format!("&query::join(path, {wire:?})");
        let expr = value(ctx, r, &node, &path, 0)?;
        // Strings never fail: `Ok(..)?` would leave the error type to inference.
        let expr = match expr.strip_prefix("Ok(").and_then(|e| e.strip_suffix(')')) {
            Some(infallible) => infallible.to_owned(),
            None => format!("{expr}?"),
        };
        let expr = if ctx.is_boxed(name, member) {
            format!("{expr}.map(Box::new)")
        } else {
            expr
        };
        let _ = writeln!(fields, "{}: {expr},", names::field(member));
    }
    let (node, path) = match (shape.members.is_empty(), fields.contains("join(path")) {
        (true, _) => ("_node", "_path"),
        (false, true) => ("node", "path"),
        (false, false) => ("node", "_path"),
    };
    Ok(format!(
        "impl FromQuery for {ty} {{\n\
         fn from_query({node}: &QueryNode, {path}: &str) -> Result<Self, ServiceError> {{\n\
         Ok(Self {{\n{fields}}})\n}}\n}}\n\n"
    ))
}

/// An expression of type `Result<Option<T>, ServiceError>` decoding the value of `r` at
/// `node` (an `Option<&QueryNode>`) whose parameter name is `path` (a `&str`).
fn value(
    ctx: &Ctx<'_>,
    r: &ShapeRef,
    node: &str,
    path: &str,
    depth: usize,
) -> Result<String, String> {
    let name = r.shape.as_str();
    let shape = ctx.shape(name)?;
    Ok(match shape.kind.as_str() {
        "string" if shape.is_enum() => format!(
            "Ok(query::enumeration::<{}>({node}))",
            names::type_name(name)
        ),
        "string" => format!("Ok(query::string({node}))"),
        "integer" | "long" | "float" | "double" => {
            format!("query::number::<{}>({node}, {path})", ctx.rust_type(name)?)
        }
        "boolean" => format!("query::boolean({node}, {path})"),
        "blob" => format!("query::blob({node}, {path})"),
        "timestamp" => format!("query::timestamp({node}, {path})"),
        "structure" => format!(
            "query::structure::<{}>({node}, {path})",
            names::type_name(name)
        ),
        "list" => {
            let (n, p) = (format!("n{depth}"), format!("p{depth}"));
            let item = value(ctx, element_ref(shape, name)?, &n, &p, depth + 1)?;
            let item = closure(&item, &n, &p);
            let member = if flattened(r, shape) {
                String::from("None")
            } else {
                format!("Some({:?})", list_item_name(shape))
            };
            format!("query::list({node}, {path}, {member}, {item})")
        }
        "map" => {
            let (n, p) = (format!("n{depth}"), format!("p{depth}"));
            let item = value(ctx, element_ref(shape, name)?, &n, &p, depth + 1)?;
            let item = closure(&item, &n, &p);
            let (key, val) = map_names(shape);
            format!(
                "query::map({node}, {path}, MapNames {{ flattened: {}, key: {key:?}, value: {val:?} }}, {item})",
                flattened(r, shape)
            )
        }
        other => {
            return Err(format!(
                "shape {name}: cannot decode {other} from query parameters"
            ));
        }
    })
}

/// The element decoder passed to `query::list` / `query::map`: the function itself when the
/// item expression is a plain call `f(n, p)`, else a closure (`_` for an unused path).
fn closure(item: &str, n: &str, p: &str) -> String {
    if let Some(f) = item.strip_suffix(&format!("({n}, {p})"))
        && !f.contains('(')
    {
        return f.to_owned();
    }
    let p = if item.contains(p) { p } else { "_" };
    format!("|{n}, {p}| {item}")
}
