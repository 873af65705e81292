//! AWS query protocol output: XML as botocore's `QueryParser` reads it.
//!
//! `<OpResponse xmlns=..><OpResult>members</OpResult><ResponseMetadata><RequestId>..`
//! for results, `<ErrorResponse xmlns=..><Error><Type/><Code/><Message/></Error><RequestId/>`
//! for errors. Text is escaped (`&`, `<`, `>`, `"`, and `\r` so XML parsers keep it); characters
//! XML 1.0 cannot carry at all (most C0 controls) become U+FFFD so the document stays parseable.

use super::{Blob, Empty, ServiceError, Timestamp};
use std::borrow::Cow;

/// Initial capacity of a response document.
const XML_CAPACITY: usize = 2 * 1024;

/// Builds an XML document; element names come from the model and are written as given.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// An empty document.
    pub fn new() -> Self {
        Self {
            out: String::with_capacity(XML_CAPACITY),
        }
    }

    /// `<name>`.
    pub fn start(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name xmlns="namespace">`.
    pub fn start_ns(&mut self, name: &str, namespace: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(" xmlns=\"");
        escape_into(&mut self.out, namespace);
        self.out.push_str("\">");
    }

    /// `<name a="v" ...>` with escaped attribute values.
    pub fn start_with(&mut self, name: &str, attributes: &[(String, String)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (attr, value) in attributes {
            self.out.push(' ');
            self.out.push_str(attr);
            self.out.push_str("=\"");
            // Parsers normalize tabs and line breaks in attribute values to spaces.
            for part in value.split_inclusive(['\t', '\n']) {
                match part.strip_suffix(['\t', '\n']) {
                    Some(head) => {
                        escape_into(&mut self.out, head);
                        let code = if part.ends_with('\t') {
                            "&#x9;"
                        } else {
                            "&#xA;"
                        };
                        self.out.push_str(code);
                    }
                    None => escape_into(&mut self.out, part),
                }
            }
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// `</name>`.
    pub fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Escaped character data.
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text);
    }

    /// `<name>text</name>`.
    pub fn element(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end(name);
    }

    /// `<name>value</name>` for a scalar member that is set.
    pub fn scalar<T: XmlValue + ?Sized>(&mut self, name: &str, value: Option<&T>) {
        if let Some(v) = value {
            self.element(name, &v.xml_text());
        }
    }

    /// `<name>members</name>` for a structure member that is set.
    pub fn structure<T: ToXml>(&mut self, name: &str, value: Option<&T>) {
        if let Some(v) = value {
            self.start(name);
            v.write_xml(self);
            self.end(name);
        }
    }

    /// The document so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The finished document.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// Appends `text` escaped for element content and attribute values.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Characters XML 1.0 allows in a document (`Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// A scalar written as element text.
pub trait XmlValue {
    /// The element text, unescaped.
    fn xml_text(&self) -> Cow<'_, str>;
}

impl XmlValue for str {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XmlValue for String {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XmlValue for bool {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

impl XmlValue for i32 {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl XmlValue for i64 {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl XmlValue for f64 {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Owned(if self.is_nan() {
            String::from("NaN")
        } else if self.is_infinite() {
            String::from(if *self > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            self.to_string()
        })
    }
}

impl XmlValue for Blob {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Owned(base64_simd::STANDARD.encode_to_string(&self.0))
    }
}

impl XmlValue for Timestamp {
    fn xml_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_iso8601())
    }
}

/// A structure written as its member elements (the caller writes the enclosing element).
pub trait ToXml {
    /// Writes the members that are set, in model order.
    fn write_xml(&self, w: &mut XmlWriter);
}

impl ToXml for Empty {
    fn write_xml(&self, _w: &mut XmlWriter) {}
}

/// A successful response: `<{action}Response xmlns>`, the output inside `result_wrapper` (when
/// the operation has an output), and `ResponseMetadata/RequestId`.
pub fn response_document<T: ToXml>(
    action: &str,
    namespace: &str,
    result_wrapper: Option<&str>,
    output: &T,
    request_id: &str,
) -> Vec<u8> {
    let root = format!("{action}Response");
    let mut w = XmlWriter::new();
    w.start_ns(&root, namespace);
    if let Some(wrapper) = result_wrapper {
        w.start(wrapper);
        output.write_xml(&mut w);
        w.end(wrapper);
    }
    w.start("ResponseMetadata");
    w.element("RequestId", request_id);
    w.end("ResponseMetadata");
    w.end(&root);
    w.into_bytes()
}

/// An error response; `Type` is `Receiver` for server faults (5xx), else `Sender`. An empty
/// namespace leaves the `xmlns` attribute out (the service is not known).
pub fn error_document(err: &ServiceError, namespace: &str, request_id: &str) -> Vec<u8> {
    let mut w = XmlWriter::new();
    if namespace.is_empty() {
        w.start("ErrorResponse");
    } else {
        w.start_ns("ErrorResponse", namespace);
    }
    w.start("Error");
    w.element(
        "Type",
        if err.is_server_fault() {
            "Receiver"
        } else {
            "Sender"
        },
    );
    w.element("Code", &err.code);
    w.element("Message", &err.message);
    w.end("Error");
    w.element("RequestId", request_id);
    w.end("ErrorResponse");
    w.into_bytes()
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
