//! XML writing, escaping and the response/error documents.

#![allow(clippy::unwrap_used)]

use super::*;
use time::macros::datetime;

fn escaped(text: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, text);
    out
}

#[test]
fn escapes_markup_and_keeps_carriage_returns() {
    assert_eq!(escaped("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c'");
    assert_eq!(escaped("line1\r\nline2\tend"), "line1&#xD;\nline2\tend");
    assert_eq!(escaped("]]>"), "]]&gt;");
    assert_eq!(escaped("naïve ✓ 𝄞"), "naïve ✓ 𝄞");
}

#[test]
fn characters_xml_cannot_carry_are_replaced() {
    assert_eq!(
        escaped("a\u{0}b\u{1}c\u{1F}d\u{FFFE}"),
        "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}"
    );
}

#[test]
fn scalars_render_as_botocore_parses_them() {
    assert_eq!(true.xml_text(), "true");
    assert_eq!(false.xml_text(), "false");
    assert_eq!((-5_i32).xml_text(), "-5");
    assert_eq!(i64::MAX.xml_text(), "9223372036854775807");
    assert_eq!(1.5_f64.xml_text(), "1.5");
    assert_eq!(f64::INFINITY.xml_text(), "Infinity");
    assert_eq!(f64::NEG_INFINITY.xml_text(), "-Infinity");
    assert_eq!(f64::NAN.xml_text(), "NaN");
    assert_eq!(Blob(b"hi?>".to_vec()).xml_text(), "aGk/Pg==");
    let t = Timestamp(datetime!(2024-01-07 10:20:30.250 UTC));
    assert_eq!(t.xml_text(), "2024-01-07T10:20:30.250Z");
}

#[test]
fn writer_elements() {
    struct Inner;
    impl ToXml for Inner {
        fn write_xml(&self, w: &mut XmlWriter) {
            w.element("Name", "x&y");
        }
    }
    let mut w = XmlWriter::new();
    w.scalar("Set", Some(&String::from("v")));
    w.scalar::<String>("Unset", None);
    w.structure("S", Some(&Inner));
    w.structure::<Inner>("None", None);
    w.start("List");
    w.end("List");
    assert_eq!(
        w.as_str(),
        "<Set>v</Set><S><Name>x&amp;y</Name></S><List></List>"
    );
}

#[test]
fn error_document_shape() {
    let err = ServiceError::new(
        "NoSuchEntity",
        404,
        "The user with name <bob> cannot be found.",
    );
    let xml = String::from_utf8(error_document(
        &err,
        "https://iam.amazonaws.com/doc/2010-05-08/",
        "req-1",
    ))
    .unwrap();
    assert_eq!(
        xml,
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>\
         <Type>Sender</Type><Code>NoSuchEntity</Code>\
         <Message>The user with name &lt;bob&gt; cannot be found.</Message></Error>\
         <RequestId>req-1</RequestId></ErrorResponse>"
    );
    let xml = String::from_utf8(error_document(&ServiceError::internal(), "", "r")).unwrap();
    assert!(
        xml.starts_with("<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>")
    );
}

#[test]
fn response_document_shape() {
    let xml = response_document(
        "GetCallerIdentity",
        "ns",
        Some("GetCallerIdentityResult"),
        &Empty,
        "r",
    );
    assert_eq!(
        String::from_utf8(xml).unwrap(),
        "<GetCallerIdentityResponse xmlns=\"ns\"><GetCallerIdentityResult></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    );
}
