//! Tests of restXml bodies: every XML form of the schema read from requests and written in
//! responses, payload structures, and error documents.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::rest::{Binding, Location, TimeFormat, route};
use serde_json::json;

const STRING: &XmlShape = &XmlShape::Scalar(Scalar::String);
const INT: &XmlShape = &XmlShape::Scalar(Scalar::Integer);
const NS: XmlNamespace = XmlNamespace {
    prefix: "",
    uri: "urn:test",
};

const fn member(key: &'static str, name: &'static str, shape: &'static XmlShape) -> XmlMember {
    XmlMember {
        key,
        name,
        attribute: false,
        namespace: None,
        shape,
    }
}

static GRANTEE: XmlShape = XmlShape::Structure(&[
    XmlMember {
        key: "Type",
        name: "xsi:type",
        attribute: true,
        namespace: None,
        shape: STRING,
    },
    member("ID", "ID", STRING),
]);

/// Every form: a wrapped list with named items, a flattened list with named items, a wrapped
/// and a flattened map, an attribute structure with a prefixed namespace, a timestamp, a
/// boolean, a double and a recursive structure.
static THING: XmlShape = XmlShape::Structure(&[
    member("Name", "Name", STRING),
    member(
        "Ids",
        "Ids",
        &XmlShape::List(&XmlList {
            item: Some("Id"),
            flattened: false,
            shape: INT,
        }),
    ),
    member(
        "Tags",
        "Tag",
        &XmlShape::List(&XmlList {
            item: Some("TagItem"),
            flattened: true,
            shape: STRING,
        }),
    ),
    member(
        "Meta",
        "Meta",
        &XmlShape::Map(&XmlMap {
            key: "K",
            value: "V",
            flattened: false,
            shape: STRING,
        }),
    ),
    member(
        "Flat",
        "Flat",
        &XmlShape::Map(&XmlMap {
            key: "key",
            value: "value",
            flattened: true,
            shape: INT,
        }),
    ),
    XmlMember {
        key: "Grantee",
        name: "Grantee",
        attribute: false,
        namespace: Some(XmlNamespace {
            prefix: "xsi",
            uri: "http://www.w3.org/2001/XMLSchema-instance",
        }),
        shape: &GRANTEE,
    },
    member(
        "When",
        "When",
        &XmlShape::Scalar(Scalar::Timestamp(TimeFormat::Iso8601)),
    ),
    member("On", "On", &XmlShape::Scalar(Scalar::Boolean)),
    member("Ratio", "Ratio", &XmlShape::Scalar(Scalar::Double)),
    member("Child", "Child", &THING),
]);

const ROOT: XmlRoot = XmlRoot {
    name: "PutThingRequest",
    namespace: Some(NS),
    shape: &THING,
};

const BODIES: XmlBodies = XmlBodies {
    input: Some(ROOT),
    output: Some(XmlRoot {
        name: "PutThingResponse",
        namespace: Some(NS),
        shape: &THING,
    }),
};

const DOC: &str = concat!(
    r#"<PutThingRequest xmlns="urn:test"><Name> a &amp; b&#xD;
</Name>"#,
    r#"<Ids><Id>1</Id><Id>2</Id></Ids><Tag>x</Tag><Tag>y</Tag>"#,
    r#"<Meta><entry><K>k1</K><V>v1</V></entry><entry><K>k2</K><V>v2</V></entry></Meta>"#,
    r#"<Flat><key>a</key><value>1</value></Flat><Flat><key>b</key><value>2</value></Flat>"#,
    r#"<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="User">"#,
    r#"<ID>u1</ID></Grantee><When>2024-01-07T10:20:30.500Z</When><On>true</On>"#,
    r#"<Ratio>2.5</Ratio><Child><Name>c</Name></Child></PutThingRequest>"#
);

fn thing_json() -> Value {
    json!({
        "Name": " a & b\r\n",
        "Ids": [1, 2],
        "Tags": ["x", "y"],
        "Meta": {"k1": "v1", "k2": "v2"},
        "Flat": {"a": 1, "b": 2},
        "Grantee": {"Type": "User", "ID": "u1"},
        "When": 1704622830.5,
        "On": true,
        "Ratio": 2.5,
        "Child": {"Name": "c"},
    })
}

const OP: RestOperation = RestOperation {
    name: "PutThing",
    method: "PUT",
    uri: "/things/{Key}",
    status: 200,
    read_only: false,
    audit_response: true,
    input: &[Binding {
        member: "Key",
        location: Location::Label,
        name: "Key",
        scalar: Scalar::String,
        list: false,
    }],
    input_payload: Payload::Members,
    output: &[],
    output_payload: Payload::Members,
};

fn request(body: &[u8]) -> Result<Value, ServiceError> {
    let routes = [OP];
    let (op, labels) = route(&routes, "PUT", "/things/k", "").unwrap();
    let req = HttpRequest {
        method: "PUT",
        path: "/things/k",
        query: "",
        headers: &[],
        body,
    };
    decode_rest_xml_input(op, &BODIES, &req, &labels)
}

#[test]
fn every_xml_form_is_read_into_aws_json() {
    let mut want = thing_json();
    want["Key"] = json!("k");
    assert_eq!(request(DOC.as_bytes()).unwrap(), want);
    // The label wins over a body element of the same name; unknown elements are ignored.
    let doc = r#"<PutThingRequest><Key>body</Key><Other/><Ids/></PutThingRequest>"#;
    assert_eq!(
        request(doc.as_bytes()).unwrap(),
        json!({"Key": "k", "Ids": []})
    );
    assert_eq!(request(b"").unwrap(), json!({"Key": "k"}));
}

#[test]
fn bad_values_and_documents_are_malformed_xml() {
    for doc in [
        "<R><Ids><Id>x</Id></Ids></R>",
        "<R><On>yes</On></R>",
        "<R><When>soon</When></R>",
        "<R><Meta><entry><K>k</K></entry></Meta></R>",
        "<R><Name>unclosed</R>",
        "<!DOCTYPE R><R/>",
    ] {
        let err = request(doc.as_bytes()).unwrap_err();
        assert_eq!(
            (err.code.as_ref(), err.status),
            ("MalformedXML", 400),
            "{doc}"
        );
    }
}

#[test]
fn outputs_are_written_as_botocore_reads_them() {
    let resp = encode_rest_xml_output(&OP, &BODIES, &thing_json()).unwrap();
    let body = String::from_utf8(resp.body).unwrap();
    let want = DOC.replace("PutThingRequest", "PutThingResponse").replace(
        "<Tag>x</Tag><Tag>y</Tag>",
        "<TagItem>x</TagItem><TagItem>y</TagItem>",
    );
    assert_eq!(body, want);
    assert_eq!(resp.headers[0].1, XML_CONTENT_TYPE);
    // The document reads back to the same value (flattened items under either name).
    let back = read_root(&ROOT, body.as_bytes()).unwrap();
    assert_eq!(back, thing_json());
}

#[test]
fn a_structure_payload_is_the_root_element() {
    let mut op = OP;
    op.input = &[];
    op.input_payload = Payload::Structure("Config");
    op.output_payload = Payload::Structure("Config");
    let bodies = XmlBodies {
        input: Some(XmlRoot {
            name: "Config",
            namespace: None,
            shape: &THING,
        }),
        output: Some(XmlRoot {
            name: "Config",
            namespace: Some(NS),
            shape: &THING,
        }),
    };
    let req = HttpRequest {
        method: "PUT",
        path: "/things/k",
        query: "",
        headers: &[],
        body: b"<Config><Name>n</Name></Config>",
    };
    let got: Value = decode_rest_xml_input(&op, &bodies, &req, &Vec::new()).unwrap();
    assert_eq!(got, json!({"Config": {"Name": "n"}}));
    let resp = encode_rest_xml_output(&op, &bodies, &got).unwrap();
    assert_eq!(
        resp.body,
        br#"<Config xmlns="urn:test"><Name>n</Name></Config>"#
    );
    let resp = encode_rest_xml_output(&op, &bodies, &json!({})).unwrap();
    assert!(resp.body.is_empty());
}

#[test]
fn errors_are_wrapped_or_bare() {
    let err = ServiceError::new("NoSuchHostedZone", 404, "No hosted zone <x>");
    let resp = rest_xml_error_response(&err, "req-1");
    assert_eq!(resp.status, 404);
    assert_eq!(resp.headers, [("Content-Type".into(), "text/xml".into())]);
    assert_eq!(
        String::from_utf8(resp.body).unwrap(),
        "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code>\
         <Message>No hosted zone &lt;x&gt;</Message></Error><RequestId>req-1</RequestId>\
         </ErrorResponse>"
    );
    let resp = unwrapped_xml_error_response(&err, "req-1");
    assert_eq!(
        String::from_utf8(resp.body).unwrap(),
        "<Error><Code>NoSuchHostedZone</Code><Message>No hosted zone &lt;x&gt;</Message>\
         <RequestId>req-1</RequestId></Error>"
    );
}

#[test]
fn attribute_values_keep_tabs_and_line_breaks() {
    let value = json!({"Grantee": {"Type": "a\tb\nc\"d"}});
    let resp = encode_rest_xml_output(&OP, &BODIES, &value).unwrap();
    let body = String::from_utf8(resp.body).unwrap();
    assert!(
        body.contains(r#"xsi:type="a&#x9;b&#xA;c&quot;d""#),
        "{body}"
    );
    let back = read_root(&ROOT, body.as_bytes()).unwrap();
    assert_eq!(back, value);
}
