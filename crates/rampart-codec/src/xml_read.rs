//! A small, safe XML reader for request bodies (restXml): the document becomes a tree of
//! elements (local names, attributes, text) with quick-xml. Document type declarations are
//! refused, so no entity is ever declared or expanded (only the five predefined entities and
//! character references are resolved); nesting is limited to [`MAX_DEPTH`]. The size of the
//! document is limited by the server before the body reaches the codec.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::fmt;

/// The deepest element nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// An element: its local name (prefix removed), attributes (qualified names, `xmlns`
/// declarations left out), child elements and the text directly inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name.
    pub name: String,
    /// Attributes by qualified name (`xsi:type`), values unescaped.
    pub attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// The concatenated text and CDATA directly inside the element, unescaped.
    pub text: String,
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlReadError {
    /// Not well-formed XML (or not UTF-8).
    Malformed(String),
    /// A `<!DOCTYPE>`: refused, so no entity can be declared.
    DocType,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// No root element.
    Empty,
}

impl fmt::Display for XmlReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(e) => write!(f, "The XML you provided was not well-formed: {e}"),
            Self::DocType => f.write_str("XML document type declarations are not allowed"),
            Self::TooDeep => write!(f, "XML nested deeper than {MAX_DEPTH} elements"),
            Self::Empty => f.write_str("The XML you provided has no root element"),
        }
    }
}

impl std::error::Error for XmlReadError {}

fn malformed(e: impl fmt::Display) -> XmlReadError {
    XmlReadError::Malformed(e.to_string())
}

/// Parses a whole document into its root element.
pub fn parse_document(body: &[u8]) -> Result<Element, XmlReadError> {
    let text = std::str::from_utf8(body).map_err(|_| malformed("the body is not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = true;
    config.check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(malformed("content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlReadError::TooDeep);
                }
                stack.push(open(&start)?);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| malformed("unbalanced end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(malformed)?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(malformed("text outside the root element")),
                }
            }
            Event::CData(c) => {
                let text = std::str::from_utf8(&c).map_err(malformed)?;
                let el = stack
                    .last_mut()
                    .ok_or_else(|| malformed("CDATA outside the root element"))?;
                el.text.push_str(text);
            }
            Event::DocType(_) => return Err(XmlReadError::DocType),
            Event::Eof => break,
            Event::Empty(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed("unclosed element"));
    }
    root.ok_or(XmlReadError::Empty)
}

/// A new element from its start tag.
fn open(start: &BytesStart<'_>) -> Result<Element, XmlReadError> {
    let name = std::str::from_utf8(start.local_name().as_ref())
        .map_err(malformed)?
        .to_owned();
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(malformed)?;
        let key = std::str::from_utf8(attr.key.as_ref()).map_err(malformed)?;
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr.unescape_value().map_err(malformed)?;
        attributes.push((key.to_owned(), value.into_owned()));
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn elements_attributes_text_and_cdata() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<r:Root xmlns:r="urn:x" xmlns="urn:y" r:kind="a&amp;b"><A> x &lt;&#x2713;&#10003; </A><!-- c --><B><![CDATA[<raw>]]></B><C/></r:Root>"#;
        let root = parse_document(doc).unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(
            root.attributes,
            vec![(String::from("r:kind"), String::from("a&b"))]
        );
        let texts: Vec<(&str, &str)> = root
            .children
            .iter()
            .map(|c| (c.name.as_str(), c.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            vec![("A", " x <\u{2713}\u{2713} "), ("B", "<raw>"), ("C", "")]
        );
    }

    #[test]
    fn entities_doctypes_and_bad_documents_are_refused() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;</l>"#;
        assert_eq!(parse_document(bomb), Err(XmlReadError::DocType));
        let undeclared = parse_document(b"<l>&a;</l>");
        assert!(matches!(undeclared, Err(XmlReadError::Malformed(_))));
        for bad in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"<a/><b/>",
            b"text",
            b"\xff<a/>",
        ] {
            assert!(parse_document(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_document(b"  "), Err(XmlReadError::Empty));
    }

    #[test]
    fn nesting_is_limited() {
        let deep = |n: usize| "<a>".repeat(n) + &"</a>".repeat(n);
        assert!(parse_document(deep(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            parse_document(deep(MAX_DEPTH + 1).as_bytes()),
            Err(XmlReadError::TooDeep)
        );
    }
}
