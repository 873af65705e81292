//! restXml runtime (Route 53, CloudFront, S3): the XML schema tables generated code emits for
//! the body members of inputs and outputs, the decoding of a routed request (HTTP bindings as
//! restJson1, the body read from XML into the input's AWS JSON form) and the encoding of an
//! output (bound members as restJson1, the body written as XML), and restXml error responses.

use super::rest::{HttpRequest, HttpResponse, Labels, Payload, RestOperation, Scalar};
use super::rest_bind::{bind_input, body_members, finish_output, payload_body, split_output};
use super::rest_xml_read::read_root;
use super::rest_xml_write::write_root;
use super::{ServiceError, xml};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The content type of XML bodies.
pub const XML_CONTENT_TYPE: &str = "application/xml";

/// The content type of Route 53's and CloudFront's `<ErrorResponse>` errors, as AWS sends them
/// (botocore's `RestXMLParser` reads the body whatever it says).
pub const XML_ERROR_CONTENT_TYPE: &str = "text/xml";

/// The XML form of a shape.
#[derive(Debug, Clone, Copy)]
pub enum XmlShape {
    /// A structure: its body members, in model order.
    Structure(&'static [XmlMember]),
    /// A list.
    List(&'static XmlList),
    /// A map (keys are strings).
    Map(&'static XmlMap),
    /// A scalar, as its element text (timestamps in their format, blobs base64).
    Scalar(Scalar),
}

/// An `xmlns` declaration (`xmlNamespace` trait): `xmlns="uri"` or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlNamespace {
    /// The prefix; empty for the default namespace.
    pub prefix: &'static str,
    /// The namespace URI.
    pub uri: &'static str,
}

/// One body member of a structure.
#[derive(Debug, Clone, Copy)]
pub struct XmlMember {
    /// The member's key in the structure's AWS JSON form.
    pub key: &'static str,
    /// The element (or attribute) name: `locationName`, else the member name.
    pub name: &'static str,
    /// `xmlAttribute`: an attribute of the structure's element, not a child element.
    pub attribute: bool,
    /// The member's `xmlNamespace`, declared on its element.
    pub namespace: Option<XmlNamespace>,
    /// The member's shape.
    pub shape: &'static XmlShape,
}

/// The XML form of a list.
#[derive(Debug, Clone, Copy)]
pub struct XmlList {
    /// The item element name of a wrapped list (`member` unless the model names it); for a
    /// flattened list, the name botocore's parser expects for the items when the model names
    /// them (`None`: the member's own name).
    pub item: Option<&'static str>,
    /// `flattened`: items are repeated elements of the parent, without a wrapper.
    pub flattened: bool,
    /// The items' shape.
    pub shape: &'static XmlShape,
}

/// The XML form of a map: `<entry><key/><value/></entry>` (or flattened entries).
#[derive(Debug, Clone, Copy)]
pub struct XmlMap {
    /// The key element name (`key` unless the model names it).
    pub key: &'static str,
    /// The value element name (`value` unless the model names it).
    pub value: &'static str,
    /// `flattened`: each entry is an element named like the member, without `entry`.
    pub flattened: bool,
    /// The values' shape.
    pub shape: &'static XmlShape,
}

/// The root element of an XML body.
#[derive(Debug, Clone, Copy)]
pub struct XmlRoot {
    /// The element name.
    pub name: &'static str,
    /// Its `xmlns` declaration.
    pub namespace: Option<XmlNamespace>,
    /// The shape of the body (the input or output structure's body members, or the payload).
    pub shape: &'static XmlShape,
}

/// The XML bodies of one operation; `None` when the side has no XML body.
#[derive(Debug, Clone, Copy)]
pub struct XmlBodies {
    /// The request body.
    pub input: Option<XmlRoot>,
    /// The response body.
    pub output: Option<XmlRoot>,
}

/// Decodes an operation's input from a routed restXml request (no validation).
pub fn decode_rest_xml_input<I: DeserializeOwned>(
    op: &RestOperation,
    xml: &XmlBodies,
    req: &HttpRequest<'_>,
    labels: &Labels,
) -> Result<I, ServiceError> {
    let obj = match (op.input_payload, xml.input) {
        (Payload::Blob(_) | Payload::Text(_), _) => body_members(op.input_payload, req.body)?,
        (_, None) => Map::new(),
        (payload, Some(root)) => xml_members(payload, &root, req.body)?,
    };
    bind_input(op, req, labels, obj)
}

/// The body's part of the input: the root's members, or the payload member.
fn xml_members(
    payload: Payload,
    root: &XmlRoot,
    body: &[u8],
) -> Result<Map<String, Value>, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let value = read_root(root, body)?;
    Ok(match (payload, value) {
        (Payload::Structure(m), v) => Map::from_iter([(m.to_owned(), v)]),
        (_, Value::Object(members)) => members,
        _ => return Err(ServiceError::internal()),
    })
}

/// Encodes an operation's output as a restXml response: status, bound headers, and the body
/// members (or the payload) as XML.
pub fn encode_rest_xml_output<O: Serialize>(
    op: &RestOperation,
    xml: &XmlBodies,
    output: &O,
) -> Result<HttpResponse, ServiceError> {
    let (resp, mut obj) = split_output(op, output)?;
    let (content_type, body) = match (op.output_payload, xml.output) {
        (Payload::Blob(_) | Payload::Text(_), _) => payload_body(op.output_payload, obj)?,
        (_, None) => (XML_CONTENT_TYPE, Vec::new()),
        (Payload::Structure(m), Some(root)) => match obj.remove(m) {
            Some(v) => (XML_CONTENT_TYPE, write_root(&root, &v)?),
            None => (XML_CONTENT_TYPE, Vec::new()),
        },
        (Payload::Members, Some(root)) => {
            (XML_CONTENT_TYPE, write_root(&root, &Value::Object(obj))?)
        }
    };
    Ok(finish_output(op, resp, content_type, body))
}

/// The restXml error response of Route 53 and CloudFront: the error's status, `text/xml` and
/// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
pub fn rest_xml_error_response(err: &ServiceError, request_id: &str) -> HttpResponse {
    HttpResponse {
        status: err.status,
        headers: vec![(
            String::from("Content-Type"),
            String::from(XML_ERROR_CONTENT_TYPE),
        )],
        body: xml::error_document(err, "", request_id),
    }
}

/// The error response of a restXml service with Smithy's `noErrorWrapping` (S3): a bare
/// `<Error><Code/><Message/><RequestId/></Error>`, which botocore's `RestXMLParser` reads as
/// S3's form (root `Error`).
pub fn unwrapped_xml_error_response(err: &ServiceError, request_id: &str) -> HttpResponse {
    let mut w = xml::XmlWriter::new();
    w.start("Error");
    w.element("Code", &err.code);
    w.element("Message", &err.message);
    w.element("RequestId", request_id);
    w.end("Error");
    HttpResponse {
        status: err.status,
        headers: vec![(String::from("Content-Type"), String::from(XML_CONTENT_TYPE))],
        body: w.into_bytes(),
    }
}

#[cfg(test)]
#[path = "rest_xml_tests.rs"]
mod tests;
