//! restXml response bodies: an output's AWS JSON form written as XML, as the generated schema
//! (`XmlShape`) describes it and botocore's `RestXMLParser` reads it (wrapped lists with their
//! item names, flattened lists and maps, attributes, `xmlns` declarations, ISO 8601 timestamps
//! unless the model says otherwise).

use super::Timestamp;
use super::error::ServiceError;
use super::rest::{Scalar, TimeFormat};
use super::rest_bind::http_date;
use super::rest_xml::{XmlMember, XmlNamespace, XmlRoot, XmlShape};
use super::rest_xml_read::parse_timestamp;
use super::xml::XmlWriter;
use serde_json::{Map, Value};

/// The document of `value` under `root`.
pub fn write_root(root: &XmlRoot, value: &Value) -> Result<Vec<u8>, ServiceError> {
    let mut w = XmlWriter::new();
    write_element(&mut w, root.name, root.namespace, root.shape, value)?;
    Ok(w.into_bytes())
}

/// `<name xmlns..>value</name>` for a value of shape `shape`.
fn write_element(
    w: &mut XmlWriter,
    name: &str,
    namespace: Option<XmlNamespace>,
    shape: &XmlShape,
    value: &Value,
) -> Result<(), ServiceError> {
    let mut attributes = Vec::new();
    if let Some(ns) = namespace {
        let attr = match ns.prefix {
            "" => String::from("xmlns"),
            p => format!("xmlns:{p}"),
        };
        attributes.push((attr, ns.uri.to_owned()));
    }
    match shape {
        XmlShape::Structure(members) => {
            let obj = value.as_object().ok_or_else(ServiceError::internal)?;
            for m in members.iter().filter(|m| m.attribute) {
                if let Some(v) = obj.get(m.key).filter(|v| !v.is_null()) {
                    attributes.push((m.name.to_owned(), scalar_of(m.shape, v)?));
                }
            }
            w.start_with(name, &attributes);
            write_members(w, members, obj)?;
        }
        XmlShape::List(list) => {
            w.start_with(name, &attributes);
            let item = list.item.unwrap_or("member");
            for v in value.as_array().ok_or_else(ServiceError::internal)? {
                write_element(w, item, None, list.shape, v)?;
            }
        }
        XmlShape::Map(map) => {
            w.start_with(name, &attributes);
            for (k, v) in value.as_object().ok_or_else(ServiceError::internal)? {
                w.start("entry");
                w.element(map.key, k);
                write_element(w, map.value, None, map.shape, v)?;
                w.end("entry");
            }
        }
        XmlShape::Scalar(kind) => {
            w.start_with(name, &attributes);
            w.text(&scalar_text(*kind, value)?);
        }
    }
    w.end(name);
    Ok(())
}

/// The child elements of a structure's members that are set, in model order.
fn write_members(
    w: &mut XmlWriter,
    members: &[XmlMember],
    obj: &Map<String, Value>,
) -> Result<(), ServiceError> {
    for m in members.iter().filter(|m| !m.attribute) {
        let Some(v) = obj.get(m.key).filter(|v| !v.is_null()) else {
            continue;
        };
        match m.shape {
            XmlShape::List(list) if list.flattened => {
                let item = list.item.unwrap_or(m.name);
                for v in v.as_array().ok_or_else(ServiceError::internal)? {
                    write_element(w, item, m.namespace, list.shape, v)?;
                }
            }
            XmlShape::Map(map) if map.flattened => {
                for (k, v) in v.as_object().ok_or_else(ServiceError::internal)? {
                    w.start(m.name);
                    w.element(map.key, k);
                    write_element(w, map.value, None, map.shape, v)?;
                    w.end(m.name);
                }
            }
            shape => write_element(w, m.name, m.namespace, shape, v)?,
        }
    }
    Ok(())
}

/// The text of an attribute member.
fn scalar_of(shape: &XmlShape, v: &Value) -> Result<String, ServiceError> {
    match shape {
        XmlShape::Scalar(kind) => scalar_text(*kind, v),
        _ => Err(ServiceError::internal()),
    }
}

/// A scalar's element text.
fn scalar_text(kind: Scalar, v: &Value) -> Result<String, ServiceError> {
    Ok(match (kind, v) {
        (Scalar::Timestamp(format), v) => {
            let t: Timestamp = match v {
                Value::String(s) => parse_timestamp(s).ok_or_else(ServiceError::internal)?,
                v => serde_json::from_value(v.clone()).map_err(|_| ServiceError::internal())?,
            };
            match format {
                TimeFormat::Iso8601 => t.to_iso8601(),
                TimeFormat::HttpDate => http_date(&t),
                TimeFormat::Epoch => {
                    serde_json::to_string(&t).map_err(|_| ServiceError::internal())?
                }
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::Number(n)) => n.to_string(),
        _ => return Err(ServiceError::internal()),
    })
}
