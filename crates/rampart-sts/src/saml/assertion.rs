//! Reading a SAML 2.0 `<samlp:Response>`: its one `<saml:Assertion>` (whose signature
//! [`super::signature`] checks first) and the parts AssumeRoleWithSAML uses — the issuer, the
//! subject's NameID, the bearer confirmation's Recipient and NotOnOrAfter, the Conditions'
//! time window and audiences, the AuthnStatement's SessionNotOnOrAfter and the attributes.
//! Text is read with every text node of an element joined, so a comment inserted into a
//! signed value (which exclusive C14N drops) cannot cut it short.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uppsala::{Document, NodeId};

/// The SAML 2.0 assertion namespace.
pub(crate) const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The SAML 2.0 protocol namespace.
pub(crate) const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// What was read from an assertion (times in epoch seconds).
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Assertion {
    pub issuer: String,
    /// The assertion's IssueInstant.
    pub issue_instant: Option<i64>,
    /// The NameID's value and its Format.
    pub subject: Option<String>,
    pub subject_format: Option<String>,
    /// The Recipient of the bearer SubjectConfirmationData.
    pub recipient: Option<String>,
    /// Every NotOnOrAfter of the bearer confirmation data and of the Conditions.
    pub not_on_or_after: Vec<i64>,
    pub not_before: Option<i64>,
    /// The audiences of each AudienceRestriction (every restriction must be met).
    pub audiences: Vec<Vec<String>>,
    pub session_not_on_or_after: Option<i64>,
    /// Attributes by Name, values in order.
    pub attributes: Vec<(String, Vec<String>)>,
}

/// Why a response cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Not a SAML response with one plain assertion (encrypted ones are not read).
    Shape(&'static str),
    /// The response's status is not Success.
    Status,
}

/// The `<samlp:Response>` element and its one `<saml:Assertion>`.
pub(crate) fn locate(doc: &Document<'_>) -> Result<(NodeId, NodeId), Unreadable> {
    let root = doc
        .document_element()
        .ok_or(Unreadable::Shape("no document element"))?;
    let is_response = doc
        .element(root)
        .is_some_and(|e| e.matches_name_ns(PROTOCOL_NS, "Response"));
    if !is_response {
        return Err(Unreadable::Shape("not a samlp:Response"));
    }
    if let Some(status) = doc.first_child_element_by_name_ns(root, PROTOCOL_NS, "Status") {
        let code = doc.first_child_element_by_name_ns(status, PROTOCOL_NS, "StatusCode");
        if code.and_then(|c| doc.get_attribute(c, "Value")) != Some(SUCCESS) {
            return Err(Unreadable::Status);
        }
    }
    if !doc
        .get_elements_by_tag_name_ns(ASSERTION_NS, "EncryptedAssertion")
        .is_empty()
    {
        return Err(Unreadable::Shape("encrypted assertions are not supported"));
    }
    let all = doc.get_elements_by_tag_name_ns(ASSERTION_NS, "Assertion");
    let direct = doc.child_elements_by_name_ns(root, ASSERTION_NS, "Assertion");
    match (all.as_slice(), direct.as_slice()) {
        ([one], [two]) if one == two => Ok((root, *one)),
        _ => Err(Unreadable::Shape(
            "the response must hold exactly one assertion",
        )),
    }
}

/// Reads `node`, an assertion.
pub(crate) fn read(doc: &Document<'_>, node: NodeId) -> Assertion {
    let child =
        |parent: NodeId, name: &str| doc.first_child_element_by_name_ns(parent, ASSERTION_NS, name);
    let mut out = Assertion {
        issuer: child(node, "Issuer")
            .map(|n| text(doc, n))
            .unwrap_or_default(),
        issue_instant: instant(doc, node, "IssueInstant"),
        ..Default::default()
    };
    if let Some(subject) = child(node, "Subject") {
        read_subject(doc, subject, &mut out);
    }
    if let Some(conditions) = child(node, "Conditions") {
        read_conditions(doc, conditions, &mut out);
    }
    let authn = doc.child_elements_by_name_ns(node, ASSERTION_NS, "AuthnStatement");
    out.session_not_on_or_after = (authn.iter())
        .filter_map(|n| instant(doc, *n, "SessionNotOnOrAfter"))
        .min();
    for statement in doc.child_elements_by_name_ns(node, ASSERTION_NS, "AttributeStatement") {
        read_attributes(doc, statement, &mut out);
    }
    out
}

fn read_subject(doc: &Document<'_>, subject: NodeId, out: &mut Assertion) {
    if let Some(name_id) = doc.first_child_element_by_name_ns(subject, ASSERTION_NS, "NameID") {
        out.subject = Some(text(doc, name_id));
        out.subject_format = doc.get_attribute(name_id, "Format").map(str::to_owned);
    }
    for confirmation in doc.child_elements_by_name_ns(subject, ASSERTION_NS, "SubjectConfirmation")
    {
        if doc.get_attribute(confirmation, "Method") != Some(BEARER) {
            continue;
        }
        let data = doc.first_child_element_by_name_ns(
            confirmation,
            ASSERTION_NS,
            "SubjectConfirmationData",
        );
        let Some(data) = data else { continue };
        if out.recipient.is_none() {
            out.recipient = doc.get_attribute(data, "Recipient").map(str::to_owned);
        }
        out.not_on_or_after
            .extend(instant(doc, data, "NotOnOrAfter"));
    }
}

fn read_conditions(doc: &Document<'_>, conditions: NodeId, out: &mut Assertion) {
    // A NotBefore that does not parse lies in the future, so it never widens the window.
    out.not_before =
        (doc.get_attribute(conditions, "NotBefore")).map(|v| parse_instant(v).unwrap_or(i64::MAX));
    out.not_on_or_after
        .extend(instant(doc, conditions, "NotOnOrAfter"));
    for restriction in
        doc.child_elements_by_name_ns(conditions, ASSERTION_NS, "AudienceRestriction")
    {
        let audiences = doc.child_elements_by_name_ns(restriction, ASSERTION_NS, "Audience");
        out.audiences
            .push(audiences.iter().map(|a| text(doc, *a)).collect());
    }
}

fn read_attributes(doc: &Document<'_>, statement: NodeId, out: &mut Assertion) {
    for attribute in doc.child_elements_by_name_ns(statement, ASSERTION_NS, "Attribute") {
        let Some(name) = doc.get_attribute(attribute, "Name") else {
            continue;
        };
        let values = doc.child_elements_by_name_ns(attribute, ASSERTION_NS, "AttributeValue");
        let values = values.iter().map(|v| text(doc, *v));
        match out.attributes.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) => existing.extend(values),
            None => out.attributes.push((name.to_owned(), values.collect())),
        }
    }
}

/// The element's whole text, trimmed.
fn text(doc: &Document<'_>, node: NodeId) -> String {
    doc.text_content_deep(node).trim().to_owned()
}

/// An xs:dateTime attribute in epoch seconds; one that does not parse counts as already
/// past (`i64::MIN`), so a malformed bound never widens the window.
fn instant(doc: &Document<'_>, node: NodeId, attribute: &str) -> Option<i64> {
    let value = doc.get_attribute(node, attribute)?;
    Some(parse_instant(value).unwrap_or(i64::MIN))
}

/// Epoch seconds of an xs:dateTime with a time zone (`2026-01-01T00:00:00Z`).
pub(crate) fn parse_instant(value: &str) -> Option<i64> {
    OffsetDateTime::parse(value.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}
