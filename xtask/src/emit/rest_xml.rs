//! Emission of a restXml service's `xml.rs`: the XML form (`rampart_codec::rest_xml::XmlShape`)
//! of every generated structure's body members, with element names (`locationName`), list item
//! names, `flattened` lists and maps, `xmlAttribute` members, `xmlNamespace` declarations and
//! body timestamp formats, and the root element of each served operation's request and
//! response bodies (`ops`).

use super::Ctx;
use super::rest::scalar_of;
use crate::model::{Operation, Shape, ShapeRef, XmlNamespace};
use crate::names;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// `xml.rs`.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("XML forms of bodies (restXml).");
    out += "use rampart_codec::rest::{Scalar, TimeFormat};\n\
            use rampart_codec::rest_xml::{XmlBodies, XmlList, XmlMap, XmlMember, XmlNamespace, \
            XmlRoot, XmlShape};\n\n";
    let mut statics = BTreeSet::new();
    for name in &ctx.structs {
        if !statics.insert(names::screaming(name)) {
            return Err(format!("shape {name}: its XML static's name is taken"));
        }
        let _ = writeln!(
            out,
            "/// `{name}`.\npub static {}: XmlShape = XmlShape::Structure(&[{}]);\n",
            names::screaming(name),
            members(ctx, ctx.shape(name)?)?
        );
    }
    out += "/// The XML bodies of every served operation.\npub mod ops {\nuse super::*;\n\n";
    let default_ns = default_namespace(ctx);
    for (name, op) in &ctx.served {
        let _ = writeln!(
            out,
            "/// `{name}`.\npub static {}: XmlBodies = XmlBodies {{ input: {}, output: {} }};\n",
            names::screaming(name),
            root(ctx, op.input.as_ref(), None)?,
            root(ctx, op.output.as_ref(), default_ns)?,
        );
    }
    out += "}\n";
    Ok(out)
}

/// The `XmlMember`s of a structure's body members.
fn members(ctx: &Ctx<'_>, shape: &Shape) -> Result<String, String> {
    let mut out = String::new();
    for (member, m) in shape.members.iter().filter(|(_, m)| m.location.is_none()) {
        let target = ctx.shape(&m.shape)?;
        let _ = write!(
            out,
            "XmlMember {{ key: {:?}, name: {:?}, attribute: {}, namespace: {}, shape: {} }}, ",
            ctx.json_key(shape, member, m),
            xml_name(m, target, member),
            m.xml_attribute,
            namespace(m.xml_namespace.as_ref().or(target.xml_namespace.as_ref())),
            shape_expr(ctx, m)?,
        );
    }
    Ok(out)
}

/// The element name of a reference: its `locationName`, its shape's, or `default`.
fn xml_name<'a>(r: &'a ShapeRef, target: &'a Shape, default: &'a str) -> &'a str {
    r.location_name
        .as_deref()
        .or(target.location_name.as_deref())
        .unwrap_or(default)
}

fn namespace(ns: Option<&XmlNamespace>) -> String {
    ns.map_or_else(
        || String::from("None"),
        |ns| {
            let (prefix, uri) = ns.parts();
            format!("Some(XmlNamespace {{ prefix: {prefix:?}, uri: {uri:?} }})")
        },
    )
}

/// An expression of type `&'static XmlShape` for the shape `r` refers to.
fn shape_expr(ctx: &Ctx<'_>, r: &ShapeRef) -> Result<String, String> {
    let target = ctx.shape(&r.shape)?;
    let flattened = r.flattened || target.flattened;
    Ok(match target.kind.as_str() {
        "structure" => format!("&{}", names::screaming(&r.shape)),
        "list" => {
            let item = target.member.as_ref().ok_or("list without member")?;
            let item_shape = ctx.shape(&item.shape)?;
            let name = item
                .location_name
                .as_deref()
                .or(item_shape.location_name.as_deref());
            let name = match (name, flattened) {
                (Some(n), _) => format!("Some({n:?})"),
                (None, false) => String::from("Some(\"member\")"),
                (None, true) => String::from("None"),
            };
            format!(
                "&XmlShape::List(&XmlList {{ item: {name}, flattened: {flattened}, shape: {} }})",
                shape_expr(ctx, item)?
            )
        }
        "map" => {
            let key = target.key.as_ref().ok_or("map without key")?;
            let value = target.value.as_ref().ok_or("map without value")?;
            format!(
                "&XmlShape::Map(&XmlMap {{ key: {:?}, value: {:?}, flattened: {flattened}, \
                 shape: {} }})",
                xml_name(key, ctx.shape(&key.shape)?, "key"),
                xml_name(value, ctx.shape(&value.shape)?, "value"),
                shape_expr(ctx, value)?
            )
        }
        _ => format!(
            "&XmlShape::Scalar({})",
            scalar_of(ctx, r, r, "Iso8601")
                .map_err(|kind| format!("{}: {kind} in an XML body", r.shape))?
        ),
    })
}

/// The `XmlRoot` of an input or output, or `None` without an XML body: the payload member's
/// element when a structure is the payload, else the structure's own (`locationName`, else
/// its shape name) when it has body members.
fn root(
    ctx: &Ctx<'_>,
    r: Option<&ShapeRef>,
    default_ns: Option<&XmlNamespace>,
) -> Result<String, String> {
    let Some(r) = r else {
        return Ok(String::from("None"));
    };
    let shape = ctx.shape(&r.shape)?;
    let (name, ns, expr) = match &shape.payload {
        Some(p) => {
            let m = shape.members.get(p).ok_or("payload is not a member")?;
            let target = ctx.shape(&m.shape)?;
            if target.kind != "structure" {
                return Ok(String::from("None"));
            }
            let ns = m.xml_namespace.as_ref().or(target.xml_namespace.as_ref());
            (xml_name(m, target, p), ns, shape_expr(ctx, m)?)
        }
        None if shape.members.values().all(|m| m.location.is_some()) => {
            return Ok(String::from("None"));
        }
        None => {
            let ns = r.xml_namespace.as_ref().or(shape.xml_namespace.as_ref());
            (
                xml_name(r, shape, &r.shape),
                ns,
                format!("&{}", names::screaming(&r.shape)),
            )
        }
    };
    Ok(format!(
        "Some(XmlRoot {{ name: {name:?}, namespace: {}, shape: {expr} }})",
        namespace(ns.or(default_ns))
    ))
}

/// The service's namespace: the first declared on an operation's input, for responses whose
/// model declares none (Route 53 answers `xmlns="https://route53.amazonaws.com/doc/2013-04-01/"`).
fn default_namespace<'m>(ctx: &Ctx<'m>) -> Option<&'m XmlNamespace> {
    ctx.model
        .operations
        .values()
        .filter_map(|o: &Operation| o.input.as_ref())
        .find_map(|r| r.xml_namespace.as_ref())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::emit::{Ctx, generate};
    use crate::model::Model;
    use crate::services::ServiceSpec;

    const SPEC: ServiceSpec = ServiceSpec {
        model: "test",
        crate_dir: "crates/test",
        module_dir: "src/test",
        served: &["*"],
        read_only: &["Get*"],
        hidden_responses: &[],
        global_region: None,
        prechecked: &[],
        audit_hidden: &[],
    };

    /// S3-like traits: an input root with a namespace, a structure payload whose reference
    /// declares a prefixed namespace, an attribute, flattened lists (by reference and by
    /// shape, one with named items), a wrapped list with named items, a map with its own
    /// names, a body timestamp format, an output without a namespace of its own, and a wire
    /// name that differs from the operation's name.
    const MODEL: &str = r#"{
      "metadata": {"apiVersion": "2020-01-01", "protocol": "rest-xml", "serviceId": "Test",
                   "endpointPrefix": "test"},
      "operations": {
        "PutThing": {"name": "PutThing2020_01_01", "http": {"method": "PUT", "requestUri": "/{Id}"},
          "input": {"shape": "PutThingRequest", "locationName": "PutThingRequest",
                    "xmlNamespace": {"uri": "urn:test"}},
          "output": {"shape": "PutThingResponse"}},
        "GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/{Id}"},
          "input": {"shape": "GetThingRequest"}, "output": {"shape": "GetThingResponse"}}
      },
      "shapes": {
        "PutThingRequest": {"type": "structure", "members": {
          "Id": {"shape": "S", "location": "uri", "locationName": "Id"},
          "Items": {"shape": "L", "flattened": true, "locationName": "Item"},
          "Named": {"shape": "NamedList"},
          "Tags": {"shape": "FlatList"},
          "Meta": {"shape": "M"},
          "When": {"shape": "T", "timestampFormat": "rfc822"}}},
        "PutThingResponse": {"type": "structure", "members": {"Grantee": {"shape": "Grantee"}}},
        "GetThingRequest": {"type": "structure", "members": {
          "Id": {"shape": "S", "location": "uri", "locationName": "Id"}}},
        "GetThingResponse": {"type": "structure", "payload": "Grantee", "members": {
          "Grantee": {"shape": "Grantee", "locationName": "Grantee",
                      "xmlNamespace": {"prefix": "xsi", "uri": "urn:xsi"}}}},
        "Grantee": {"type": "structure", "members": {
          "Type": {"shape": "S", "locationName": "xsi:type", "xmlAttribute": true},
          "ID": {"shape": "S"}}},
        "S": {"type": "string"}, "T": {"type": "timestamp"},
        "L": {"type": "list", "member": {"shape": "S"}},
        "NamedList": {"type": "list", "member": {"shape": "S", "locationName": "Name"}},
        "FlatList": {"type": "list", "flattened": true, "member": {"shape": "S", "locationName": "Tag"}},
        "M": {"type": "map", "key": {"shape": "S", "locationName": "K"},
              "value": {"shape": "T", "locationName": "V"}}
      }
    }"#;

    fn generated(name: &str) -> String {
        let model: Model = serde_json::from_str(MODEL).unwrap();
        let ctx = Ctx::new(&model, &SPEC, "0.0.0").unwrap();
        let file = generate(&ctx)
            .unwrap()
            .into_iter()
            .find(|f| f.name == name)
            .unwrap();
        file.content
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn every_xml_trait_reaches_the_schema() {
        let xml = generated("xml.rs");
        for want in [
            r#"XmlMember { key: "Item", name: "Item", attribute: false, namespace: None, shape: &XmlShape::List(&XmlList { item: None, flattened: true, shape: &XmlShape::Scalar(Scalar::String) }) }"#,
            r#"XmlMember { key: "Named", name: "Named", attribute: false, namespace: None, shape: &XmlShape::List(&XmlList { item: Some("Name"), flattened: false,"#,
            r#"XmlMember { key: "Tags", name: "Tags", attribute: false, namespace: None, shape: &XmlShape::List(&XmlList { item: Some("Tag"), flattened: true,"#,
            r#"&XmlShape::Map(&XmlMap { key: "K", value: "V", flattened: false, shape: &XmlShape::Scalar(Scalar::Timestamp(TimeFormat::Iso8601)) })"#,
            r#"key: "When", name: "When", attribute: false, namespace: None, shape: &XmlShape::Scalar(Scalar::Timestamp(TimeFormat::HttpDate))"#,
            r#"XmlMember { key: "xsi:type", name: "xsi:type", attribute: true,"#,
            r#"pub static PUT_THING: XmlBodies = XmlBodies { input: Some(XmlRoot { name: "PutThingRequest", namespace: Some(XmlNamespace { prefix: "", uri: "urn:test" }), shape: &PUT_THING_REQUEST }), output: Some(XmlRoot { name: "PutThingResponse", namespace: Some(XmlNamespace { prefix: "", uri: "urn:test" }), shape: &PUT_THING_RESPONSE }) }"#,
            r#"pub static GET_THING: XmlBodies = XmlBodies { input: None, output: Some(XmlRoot { name: "Grantee", namespace: Some(XmlNamespace { prefix: "xsi", uri: "urn:xsi" }), shape: &GRANTEE }) }"#,
        ] {
            assert!(xml.contains(want), "{want} not in {xml}");
        }
        // Bound members stay out of the body.
        assert!(!xml.contains(r#"key: "Id""#), "{xml}");
    }

    #[test]
    fn the_endpoint_and_dispatcher_speak_rest_xml() {
        let endpoint = generated("endpoint.rs");
        assert!(endpoint.contains("HttpProtocol::RestXml"), "{endpoint}");
        let ops = generated("operations.rs");
        assert!(
            ops.contains(r#""PutThing" => invoke_rest_xml(op, &super::xml::ops::PUT_THING, req"#),
            "{ops}"
        );
        assert!(generated("mod.rs").contains("pub mod xml;"));
    }
}
