//! restXml request bodies: a parsed XML document read into the AWS JSON form of its shape, as
//! the generated schema (`XmlShape`) describes it. Elements and attributes the shape does not
//! name are ignored; values that do not fit their scalar kind are `MalformedXML`.

use super::Timestamp;
use super::error::ServiceError;
use super::rest::Scalar;
use super::rest_bind::parse_http_date;
use super::rest_xml::{XmlMember, XmlRoot, XmlShape};
use super::xml_read::{Element, parse_document};
use serde_json::{Map, Value};

/// `MalformedXML` (400), S3's and CloudFront's code for a body that is not the expected XML.
pub fn malformed(message: impl Into<String>) -> ServiceError {
    ServiceError::new("MalformedXML", 400, message)
}

/// Parses `body` and reads its root element as `root.shape`.
pub fn read_root(root: &XmlRoot, body: &[u8]) -> Result<Value, ServiceError> {
    let doc = parse_document(body).map_err(|e| malformed(e.to_string()))?;
    read_shape(root.shape, &doc)
}

/// The AWS JSON value of an element of shape `shape`.
fn read_shape(shape: &XmlShape, el: &Element) -> Result<Value, ServiceError> {
    match shape {
        XmlShape::Structure(members) => read_structure(members, el),
        XmlShape::List(list) => {
            let item = list.item.unwrap_or("member");
            let items = el.children.iter().filter(|c| c.name == item);
            items
                .map(|c| read_shape(list.shape, c))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        XmlShape::Map(map) => {
            let mut out = Map::new();
            for entry in el.children.iter().filter(|c| c.name == "entry") {
                read_entry(map.key, map.value, map.shape, entry, &mut out)?;
            }
            Ok(Value::Object(out))
        }
        XmlShape::Scalar(kind) => scalar(*kind, &el.text, &el.name),
    }
}

/// A structure's members: attributes of `el`, or its child elements by name.
fn read_structure(members: &[XmlMember], el: &Element) -> Result<Value, ServiceError> {
    let mut out = Map::new();
    for m in members {
        if let Some(v) = read_member(m, el)? {
            out.insert(m.key.to_owned(), v);
        }
    }
    Ok(Value::Object(out))
}

/// One member of a structure, if the element carries it.
fn read_member(m: &XmlMember, el: &Element) -> Result<Option<Value>, ServiceError> {
    if m.attribute {
        let Some((_, text)) = el.attributes.iter().find(|(n, _)| n == m.name) else {
            return Ok(None);
        };
        return match m.shape {
            XmlShape::Scalar(kind) => scalar(*kind, text, m.name).map(Some),
            _ => Err(ServiceError::internal()),
        };
    }
    let name = m.name;
    let mut named = el.children.iter().filter(move |c| c.name == name);
    match m.shape {
        XmlShape::List(list) if list.flattened => {
            let alias = list.item.unwrap_or(m.name);
            let items: Vec<&Element> = el
                .children
                .iter()
                .filter(|c| c.name == m.name || c.name == alias)
                .collect();
            if items.is_empty() {
                return Ok(None);
            }
            let values: Result<Vec<Value>, _> =
                items.iter().map(|c| read_shape(list.shape, c)).collect();
            values.map(|v| Some(Value::Array(v)))
        }
        XmlShape::Map(map) if map.flattened => {
            let mut out = Map::new();
            for entry in named {
                read_entry(map.key, map.value, map.shape, entry, &mut out)?;
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
        shape => named.next().map(|c| read_shape(shape, c)).transpose(),
    }
}

/// One `<entry><key/><value/></entry>` (or flattened entry) into `out`.
fn read_entry(
    key: &str,
    value: &str,
    shape: &XmlShape,
    entry: &Element,
    out: &mut Map<String, Value>,
) -> Result<(), ServiceError> {
    let child = |name: &str| entry.children.iter().find(|c| c.name == name);
    let k = child(key).ok_or_else(|| malformed(format!("map entry without <{key}>")))?;
    let v = match child(value) {
        Some(v) => read_shape(shape, v)?,
        None => return Err(malformed(format!("map entry without <{value}>"))),
    };
    out.insert(k.text.clone(), v);
    Ok(())
}

/// Element or attribute text as the AWS JSON value of a scalar of kind `kind`.
fn scalar(kind: Scalar, text: &str, name: &str) -> Result<Value, ServiceError> {
    let bad = || malformed(format!("Invalid value for '{name}'"));
    let trimmed = text.trim();
    Ok(match kind {
        Scalar::String => Value::String(text.to_owned()),
        Scalar::Blob => Value::String(trimmed.to_owned()),
        Scalar::Integer => Value::from(trimmed.parse::<i64>().map_err(|_| bad())?),
        Scalar::Boolean => match trimmed {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad()),
        },
        Scalar::Double => trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(bad)?,
        Scalar::Timestamp(_) => {
            let t = parse_timestamp(trimmed).ok_or_else(bad)?;
            serde_json::to_value(t).map_err(|_| bad())?
        }
    })
}

/// An ISO 8601 date-time, an IMF-fixdate or epoch seconds.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    Timestamp::parse_iso8601(text)
        .or_else(|| parse_http_date(text))
        .or_else(|| {
            let epoch_like =
                !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            epoch_like
                .then(|| serde_json::from_str(text).ok())
                .flatten()
        })
}
